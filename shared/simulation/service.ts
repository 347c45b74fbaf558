/**
 * 沙盘推演 use cases: start a simulation (store the job, fan out its slices), run a slice
 * (replay or match, tally, store the tally once), and show one (view.ts: progress, and the result when every
 * slice is in). An item draft is replayed over the item's stored first decisions, one approvals byItem shard a
 * slice (the shard's 一件事 bundle applications with a child decided on the item are counted, not
 * replayed: a bundle keeps no facts per child); a policy draft is matched with the current version over the current profiles, one registry
 * shard a slice. Nothing here writes outside the simulations table or sends outside its own queue: a
 * simulation changes nothing applicants, figures or outbound consumers see.
 */
import { DECISION_SHARDS } from '#approval';
import { simulationSliceEvent, type InternalDataOf } from '#contract/internal';
import { subjectIdOf, subjectKindOf } from '#entitlement';
import { isPolicyRequest, type ItemSimulationRequest, type PolicySimulationRequest, type SimulationRequest } from './domain/request';
import { tallyPolicySlice } from './domain/policy-tally';
import type { PolicySliceTally } from './domain/policy-result';
import { tallySlice, versionsOf } from './domain/tally';
import type { SliceTally } from './domain/item-result';
import { decideRepeat, expiresAtOf, keyIdOf, requestHashOf, SETTLE_MS, type KeyRecord } from './domain/idempotency';
import { requeueCutoff, strandedJobs } from './domain/sweep';
import { timeBox, type TimeLeftOptions } from '#platform/time-reserve';
import type { SimulationJob, SimulationPorts } from './ports';
import { viewOf, type SimulationView } from './view';

/**
 * What starting a job needs (POST /simulations): the job's record, the slice queue, the clock and ids. The
 * API is given only these, so its bundle leaves out the slices' replay of decisions and matching of profiles.
 * `sleep` is how a repeat of an `Idempotency-Key` waits for its first request to queue the job.
 * `count` adds to a metric: `SimulationsStarted`, once per job stored.
 */
export type StartPorts = Pick<SimulationPorts, 'sendSlices' | 'now' | 'newId' | 'info' | 'count'> & {
  readonly store: Pick<SimulationPorts['store'], 'createJob' | 'createKeyedJob' | 'loadKey' | 'loadJob' | 'markQueued' | 'markJobQueued'>;
  readonly policies: Pick<SimulationPorts['policies'], 'slices'>;
  readonly sleep?: (ms: number) => Promise<void>;
};

/**
 * Counted once per job stored, as soon as it is stored: a start that then stops before queueing its slices
 * is counted too, as the sweep's SimulationsRequeued counts it again. So the sweep's count is a share of
 * this one, never more; a repeat of an `Idempotency-Key` stores nothing and counts nothing.
 */
export const STARTED_METRIC: Parameters<StartPorts['count']>[0] = 'SimulationsStarted';

/** What POST /simulations answers: a job started now, the one an earlier request with the key started, or a refusal. */
export type StartOutcome =
  | { readonly kind: 'started'; readonly simulationId: string }
  | { readonly kind: 'replayed'; readonly simulationId: string }
  | { readonly kind: 'conflict'; readonly simulationId: string };

/** Polls of a key's record while its first request is still queueing the job (about SETTLE_MS in all). */
const WAIT_POLLS = 12;
const WAIT_POLL_MS = SETTLE_MS / WAIT_POLLS;

function sliceEvents(job: Pick<SimulationJob, 'simulationId' | 'slices' | 'createdAt'>) {
  return Array.from({ length: job.slices }, (_, shard) => simulationSliceEvent({ simulationId: job.simulationId, shard }, job.createdAt));
}

function newJob(ports: StartPorts, request: SimulationRequest, requestedBy: string): SimulationJob {
  const slices = isPolicyRequest(request) ? ports.policies.slices : DECISION_SHARDS;
  return { simulationId: ports.newId(), request, requestedBy, createdAt: ports.now(), slices };
}

function started(ports: StartPorts, job: SimulationJob): void {
  const request = job.request;
  ports.info('simulation started', { simulationId: job.simulationId, ...(isPolicyRequest(request) ? { policyId: request.policy.policyId } : { itemCode: request.draft.itemCode }) });
}

/** Stores the job and queues its slices: one per approvals shard (an item) or registry shard (a policy). */
export async function startSimulation(ports: StartPorts, request: SimulationRequest, requestedBy: string): Promise<SimulationJob> {
  const job = newJob(ports, request, requestedBy);
  await ports.store.createJob(job);
  ports.count(STARTED_METRIC, 1);
  await ports.sendSlices(sliceEvents(job));
  await ports.store.markJobQueued(job, ports.now());
  started(ports, job);
  return job;
}

/**
 * Starts a simulation once per principal and `Idempotency-Key` (domain/idempotency.ts): the first request
 * stores its job together with the key's record (a concurrent first request with the key finds that record
 * and starts nothing), queues the slices and marks the record queued. A repeat with the same request gets
 * the same simulation; with another request, a conflict. A repeat that finds the job stored and never
 * queued (its first request failed or ran out of time in between) queues the slices itself.
 */
export async function startSimulationOnce(ports: StartPorts, request: SimulationRequest, requestedBy: string, key: string): Promise<StartOutcome> {
  const job = newJob(ports, request, requestedBy);
  const record: KeyRecord = {
    keyId: keyIdOf(requestedBy, key),
    principal: requestedBy,
    simulationId: job.simulationId,
    requestHash: requestHashOf(request),
    createdAt: job.createdAt,
    expiresAt: expiresAtOf(job.createdAt),
    queued: false,
  };
  const created = await ports.store.createKeyedJob(job, record);
  if (created.created) {
    ports.count(STARTED_METRIC, 1);
    await ports.sendSlices(sliceEvents(job));
    await ports.store.markJobQueued(job, ports.now());
    await ports.store.markQueued(record.keyId);
    started(ports, job);
    return { kind: 'started', simulationId: job.simulationId };
  }
  let stored = created.existing;
  for (let poll = 0; ; poll++) {
    const repeat = decideRepeat(stored, record.requestHash, ports.now());
    if (repeat === 'conflict') return { kind: 'conflict', simulationId: stored.simulationId };
    if (repeat === 'replay') break;
    if (repeat === 'requeue' || poll >= WAIT_POLLS) {
      const first = await ports.store.loadJob(stored.simulationId);
      if (first === undefined) throw new Error(`simulation ${stored.simulationId} of a key has no job`);
      // The sweep may have queued it meanwhile (the key record does not know): then it is not sent again.
      if (!first.queued) {
        await ports.sendSlices(sliceEvents(first.job));
        await ports.store.markJobQueued(first.job, ports.now());
        ports.info('simulation queued again', { simulationId: first.job.simulationId });
      }
      await ports.store.markQueued(stored.keyId);
      break;
    }
    await (ports.sleep ?? defaultSleep)(WAIT_POLL_MS);
    stored = (await ports.store.loadKey(stored.keyId)) ?? stored;
  }
  ports.info('simulation key repeated', { simulationId: stored.simulationId });
  return { kind: 'replayed', simulationId: stored.simulationId };
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** What the sweep needs: the pending jobs, the slice queue, the clock. */
export type SweepPorts = Pick<SimulationPorts, 'sendSlices' | 'now' | 'info'> & {
  readonly store: Pick<SimulationPorts['store'], 'pendingJobs' | 'loadJob' | 'markJobQueued' | 'removeOrphanedEntry'>;
  readonly warn: (message: string, fields: Record<string, unknown>) => void;
  readonly error: (message: string, fields: Record<string, unknown>) => void;
};

export interface SweepSummary {
  /** Jobs whose slices were queued by this run. */
  readonly requeued: number;
  /** Jobs that failed (logged): still pending, the next run tries again. */
  readonly failed: number;
  /** Jobs not started because the run's time was running out: still pending, the next run takes them. */
  readonly deferred: number;
  /** Pending entries whose job is not there (deleted by hand): removed (logged), as nothing can queue them. */
  readonly orphaned: number;
}

/**
 * Time kept back at the end of a sweep: the job in hand finishes (a read, a send and a write, well under a
 * second) and the run returns, so its count (SimulationsRequeued) is written.
 */
export const SWEEP_TIME_RESERVE_MS = 10_000;

/**
 * The simulation sweep (a schedule): queues the slices of every job stored and not queued for longer than the
 * grace period (domain/sweep.ts), then marks it queued. A job queued twice (its first request had sent its
 * slices and stopped before marking it, or a repeat of its key queued it too) still counts each slice once.
 */
export async function requeueStranded(ports: SweepPorts, options: TimeLeftOptions = {}): Promise<SweepSummary> {
  const now = ports.now();
  let requeued = 0;
  let orphaned = 0;
  const box = timeBox(SWEEP_TIME_RESERVE_MS, options.timeLeftMs);
  // One at a time, oldest first; a job not started is still pending: the next run takes it.
  const stranded = strandedJobs(await ports.store.pendingJobs(requeueCutoff(now)), now);
  await box.forEachWithin(
    stranded,
    1,
    async (pending) => {
      const stored = await ports.store.loadJob(pending.simulationId);
      if (stored === undefined) {
        // Written with its job in one transaction, so its job was deleted since (by hand): there is nothing to
        // queue, ever. Failing on it would fail every run (and keep the items-failed alarm up) for good, so the
        // entry goes, logged once: only the run that removes it logs it.
        if (await ports.store.removeOrphanedEntry(pending)) {
          orphaned++;
          ports.warn('simulation sweep: pending entry without its job removed', { simulationId: pending.simulationId, createdAt: pending.createdAt });
        }
        return;
      }
      const { job } = stored;
      if (stored.queued) {
        // Queued since it was listed (a retry of its post with the Idempotency-Key): not sent again. Marking
        // it again deletes an entry that outlived its marking (an unsharded one moved as it was marked).
        await ports.store.markJobQueued(job, ports.now());
        ports.info('simulation sweep: queued meanwhile', { simulationId: job.simulationId, createdAt: job.createdAt });
        return;
      }
      await ports.sendSlices(sliceEvents(job));
      await ports.store.markJobQueued(job, ports.now());
      requeued++;
      ports.info('simulation queued again', { simulationId: job.simulationId, createdAt: job.createdAt, by: 'sweep' });
    },
    {
      onError: (pending, error) =>
        ports.error('simulation sweep: failed; the job stays pending and is tried again next run', { simulationId: pending.simulationId, error }),
    },
  );
  return { requeued, failed: box.failed, deferred: box.deferred, orphaned };
}

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
