/**
 * 沙盘推演 use cases: start a simulation (store the job, fan out its slices), run a slice
 * (replay or match, tally, store the tally once), and show one (view.ts: progress, and the result when every
 * slice is in). An item draft is replayed over the item's stored first decisions, one approvals byItem shard a
 * slice (the shard's 一件事 bundle applications with a child decided on the item are counted, not
 * replayed: a bundle keeps no facts per child); a policy draft is matched with the current version over the current profiles, one registry
 * shard a slice. Nothing here writes outside the simulations table or sends outside its own queue: a
 * simulation changes nothing applicants, figures or outbound consumers see.
 *
 * Starting a job is service/start.ts's and the sweep service/sweep.ts's: the API and the sweep take those
 * alone, and their builds read none of the replay and matching here.
 */
import type { InternalDataOf } from '#contract/internal';
import { subjectIdOf, subjectKindOf } from '#entitlement';
import { isPolicyRequest, type ItemSimulationRequest, type PolicySimulationRequest, type SimulationRequest } from './domain/request';
import { tallyPolicySlice } from './domain/policy-tally';
import type { PolicySliceTally } from './domain/policy-result';
import { tallySlice, versionsOf } from './domain/tally';
import type { SliceTally } from './domain/item-result';
import type { SimulationJob, SimulationPorts } from './ports';
import { startSimulation } from './service/start';
import { viewOf, type SimulationView } from './view';

export function createSimulationService(ports: SimulationPorts) {
  function start(request: SimulationRequest, requestedBy: string): Promise<SimulationJob> {
    return startSimulation(ports, request, requestedBy);
  }

  /**
   * One approvals shard of the item's first decisions in the window, replayed against the draft, and the
   * count of the shard's bundle applications in the window with a decided child of the item (not replayed).
   */
  async function itemSlice(job: SimulationJob, request: ItemSimulationRequest, shard: number): Promise<SliceTally> {
    const { itemCode } = request.draft;
    const window = { from: request.from, to: request.to };
    const [entries, bundleChildren] = await Promise.all([ports.decisions(itemCode, shard, window), ports.bundleChildren(itemCode, shard, window)]);
    // The baseline: the versions the decisions were made under, decided again as the draft is (domain/tally.ts).
    const versions = await Promise.all(versionsOf(entries).map(async (v) => [v, await ports.itemVersion(itemCode, v)] as const));
    const published = new Map(versions.flatMap(([v, item]) => (item === undefined ? [] : [[v, item] as const])));
    // The draft's id for its compiled rules is the simulation's own, so no published version shares them.
    return { ...tallySlice(entries, { draftId: job.simulationId, item: request.draft }, ports.calendar(), published), bundleChildren };
  }

  /**
   * One registry shard of profiles as they are now, matched with the current version and the draft at the
   * job's creation: every slice at the same instant, whenever its delivery runs (an age or date criterion
   * would otherwise count a birthday in one slice and not in another).
   */
  async function policySlice(job: SimulationJob, request: PolicySimulationRequest, shard: number): Promise<PolicySliceTally> {
    const { policy } = request;
    const [current, profiles, pushed] = await Promise.all([
      ports.policies.current(policy.policyId),
      ports.policies.shardProfiles(shard, subjectKindOf(policy)),
      ports.policies.pushed(policy.policyId),
    ]);
    const credits = await ports.policies.credits(profiles.map(subjectIdOf));
    return tallyPolicySlice({ profiles, credits, current, draft: policy, pushed, now: job.createdAt, timeZone: ports.calendar().timeZone });
  }

  async function runSlice(slice: InternalDataOf<'civicflow.simulation.slice'>): Promise<void> {
    const job = (await ports.store.loadJob(slice.simulationId))?.job;
    if (job === undefined) throw new Error(`simulation ${slice.simulationId} has no job; retrying`);
    // A redelivered slice (or one queued again by a repeated Idempotency-Key) whose tally is stored: the
    // replay would be thrown away by the create-only put below, so it is not done again.
    if (await ports.store.hasSlice(job.simulationId, slice.shard)) {
      ports.info('simulation slice', { simulationId: job.simulationId, shard: slice.shard, stored: false });
      return;
    }
    const request = job.request;
    const tally = isPolicyRequest(request) ? await policySlice(job, request, slice.shard) : await itemSlice(job, request, slice.shard);
    const stored = await ports.store.putSlice(job.simulationId, slice.shard, tally, ports.now());
    ports.info('simulation slice', { simulationId: job.simulationId, shard: slice.shard, stored });
  }

  async function read(simulationId: string): Promise<SimulationView | undefined> {
    const stored = await ports.store.load(simulationId);
    return stored === undefined ? undefined : viewOf(stored, ports.now());
  }

  return { start, runSlice, read };
}

export type SimulationService = ReturnType<typeof createSimulationService>;
