/**
 * What GET /simulations/{id} shows of a stored simulation, pure: progress, and the result once every slice is
 * in. Apart from the service (service.ts), which replays approval's decisions and matches profiles: the query
 * route reads simulations through this alone, and its bundle is not to take the approval domain for it.
 */
import { mergePolicyTallies, policyResultOf, type PolicySimulationResult, type PolicySliceTally } from './domain/policy-result';
import { mergeTallies, resultOf, type SimulationResult, type SliceTally } from './domain/item-result';
import { isPolicyRequest } from './domain/request';
import { isStalled } from './domain/stall';
import type { StoredSimulation } from './ports';

interface ViewCommon {
  readonly simulationId: string;
  readonly requestedBy: string;
  readonly createdAt: string;
  /**
   * pending: stored, its slices not (all) queued yet — the request that started it stopped in between; the
   * sweep queues them within minutes. running: queued, slices still to run. stalled: queued, and no slice
   * stored for longer than domain/stall.ts STALL_MS — its slices are in the DLQ; running again once they
   * are redriven. done: every slice is in.
   */
  readonly status: 'pending' | 'running' | 'stalled' | 'done';
}

export interface ItemSimulationView extends ViewCommon {
  readonly kind: 'item';
  readonly itemCode: string;
  readonly draftVersion: number;
  readonly window: { readonly from: string; readonly to: string };
  readonly progress: { readonly slices: number; readonly slicesDone: number; readonly applicationsReplayed: number };
  /** When done: the whole result. */
  readonly result?: SimulationResult;
}

export interface PolicySimulationView extends ViewCommon {
  readonly kind: 'policy';
  readonly policyId: string;
  readonly draftVersion: number;
  readonly progress: { readonly slices: number; readonly slicesDone: number; readonly profilesMatched: number };
  readonly result?: PolicySimulationResult;
}

export type SimulationView = ItemSimulationView | PolicySimulationView;

function statusOf(done: boolean, { queued, progressedAt }: StoredSimulation, now: string): ViewCommon['status'] {
  if (done) return 'done';
  if (!queued) return 'pending';
  return isStalled(progressedAt, now) ? 'stalled' : 'running';
}

/**
 * What GET /simulations/{id} shows of a stored simulation at `now`: progress, and the result once every
 * slice is in.
 */
export function viewOf(stored: StoredSimulation, now: string): SimulationView {
  const { job, slices } = stored;
  const done = slices.size >= job.slices;
  const common = (): ViewCommon => ({ simulationId: job.simulationId, requestedBy: job.requestedBy, createdAt: job.createdAt, status: statusOf(done, stored, now) });
  const request = job.request;
  if (isPolicyRequest(request)) {
    const merged = mergePolicyTallies([...slices.values()] as PolicySliceTally[]);
    return {
      ...common(),
      kind: 'policy',
      policyId: request.policy.policyId,
      draftVersion: request.policy.version,
      progress: { slices: job.slices, slicesDone: slices.size, profilesMatched: merged.profiles },
      ...(done ? { result: policyResultOf(merged, request.policy) } : {}),
    };
  }
  const merged = mergeTallies([...slices.values()] as SliceTally[]);
  return {
    ...common(),
    kind: 'item',
    itemCode: request.draft.itemCode,
    draftVersion: request.draft.version,
    window: { from: request.from, to: request.to },
    progress: { slices: job.slices, slicesDone: slices.size, applicationsReplayed: merged.replayed },
    ...(done ? { result: resultOf(merged) } : {}),
  };
}
