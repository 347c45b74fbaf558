/**
 * The deployed ports of 沙盘推演's slices: its table, approval's bulk read, the registry's profiles,
 * entitlement's policies, the slice queue, the stage calendar. The API's are start-adapters.ts's, the sweep's
 * job-adapters.ts's.
 */
import { bundleChildrenDecided, replayableDecisions } from '#approval';
import { getPolicy, listEntitlements, type SubjectProfile } from '#entitlement';
import { batchGetCredits, ENTERPRISE_SHARDS, getItemVersion, queryShardPersons, queryShardProfiles } from '#registry';
import { stageCalendar } from '#platform/calendar';
import { nowIso } from '#platform/clock';
import { count, info, newId, sendSlices } from './job-adapters';
import type { SimulationPorts } from './ports';
import { createSimulationService, type SimulationService } from './service';
import { simulationStore } from './store';

export const simulationPorts: SimulationPorts = {
  store: simulationStore,
  decisions: replayableDecisions,
  bundleChildren: bundleChildrenDecided,
  itemVersion: getItemVersion,
  policies: {
    slices: ENTERPRISE_SHARDS,
    current: getPolicy,
    async shardProfiles(shard, kind) {
      const out: SubjectProfile[] = [];
      let cursor: string | undefined;
      do {
        const page: { readonly profiles: readonly SubjectProfile[]; readonly next?: string } =
          kind === 'person' ? await queryShardPersons(shard, 1000, cursor) : await queryShardProfiles(shard, 1000, cursor);
        out.push(...page.profiles);
        cursor = page.next;
      } while (cursor !== undefined);
      return out;
    },
    credits: (codes) => batchGetCredits(codes),
    // Pushed: every entitlement that reached NOTIFIED (a grant is notified too), whatever its state now; its
    // `creditCode` is the subject's id, an ID number for a person.
    async pushed(policyId) {
      const codes = new Set<string>();
      let cursor: string | undefined;
      do {
        const page = await listEntitlements(policyId, { reached: 'NOTIFIED' }, 1000, cursor);
        for (const e of page.items) codes.add(e.creditCode);
        cursor = page.cursor;
      } while (cursor !== undefined);
      return codes;
    },
  },
  sendSlices,
  calendar: stageCalendar,
  now: nowIso,
  newId,
  info,
  count,
};

let service: SimulationService | undefined;
export function simulationService(): SimulationService {
  service ??= createSimulationService(simulationPorts);
  return service;
}
