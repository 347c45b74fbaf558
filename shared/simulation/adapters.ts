/** The deployed ports of 沙盘推演: its table, approval's bulk read, the slice queue, the stage calendar. */
import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { bundleChildrenDecided, replayableDecisions } from '#approval';
import { getPolicy, listEntitlements, type SubjectProfile } from '#entitlement';
import { batchGetCredits, ENTERPRISE_SHARDS, getItemVersion, queryShardPersons, queryShardProfiles } from '#registry';
import { stageCalendar } from '#platform/calendar';
import { nowIso } from '#platform/clock';
import { logger, metrics } from '#platform/powertools';
import { sendInternal } from '#platform/queues';
import type { SimulationPorts } from './ports';
import { createSimulationService, type SimulationService, type StartPorts, type SweepPorts } from './service';
import { simulationStore } from './store';

const sendSlices: SimulationPorts['sendSlices'] = (events) => sendInternal(events);
const newId = (): string => `sim-${randomUUID()}`;
const info: SimulationPorts['info'] = (message, fields) => logger.info(message, fields);
// Written by the function's logMetrics when it returns or fails (the API's also before its timeout).
const count: SimulationPorts['count'] = (metric, value) => metrics.addMetric(metric, MetricUnit.Count, value);

/** The API's ports: starting a job only (no replay, no matching; see service.ts `StartPorts`). */
export const simulationStartPorts: StartPorts = { store: simulationStore, policies: { slices: ENTERPRISE_SHARDS }, sendSlices, now: nowIso, newId, info, count };

/** The sweep's ports: the pending jobs and the slice queue (no replay, no matching). */
export const simulationSweepPorts: SweepPorts = {
  store: simulationStore,
  sendSlices,
  now: nowIso,
  info,
  warn: (message, fields) => logger.warn(message, fields),
  error: (message, fields) => logger.error(message, fields),
};

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
