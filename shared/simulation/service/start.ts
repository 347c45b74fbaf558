/**
 * Starting a simulation (POST /simulations): store the job, queue its slices, once per `Idempotency-Key`.
 * The API's function takes this module and not service.ts, so its build reads neither the slices' replay
 * of decisions nor the matching of profiles.
 */
import { DECISION_SHARDS } from '#approval/lean';
import { isPolicyRequest, type SimulationRequest } from '../domain/request';
import { decideRepeat, expiresAtOf, keyIdOf, requestHashOf, SETTLE_MS, type KeyRecord } from '../domain/idempotency';
import type { SimulationJob, SimulationPorts } from '../ports';
import { sliceEvents } from './slices';

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
