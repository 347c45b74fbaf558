/**
 * 沙盘推演 use cases (SPEC §17): start a simulation (store the job, fan out one slice per approvals shard),
 * run a slice (replay, tally, store the tally once), and read one (progress, and the result when every
 * slice is in). Nothing here writes outside the simulations table or sends outside its own queue: a
 * simulation changes nothing applicants, figures or outbound consumers see.
 */
import { DECISION_SHARDS } from '#approval';
import { simulationSliceEvent, type InternalDataOf } from '#contract/internal';
import type { SimulationRequest } from './domain/request';
import { mergeTallies, resultOf, tallySlice, type SimulationResult } from './domain/tally';
import type { SimulationJob, SimulationPorts, StoredSimulation } from './ports';

export interface SimulationView {
  readonly simulationId: string;
  readonly itemCode: string;
  readonly draftVersion: number;
  readonly window: { readonly from: string; readonly to: string };
  readonly requestedBy: string;
  readonly createdAt: string;
  readonly status: 'running' | 'done';
  readonly progress: { readonly slices: number; readonly slicesDone: number; readonly applicationsReplayed: number };
  /** When done: the whole result. */
  readonly result?: SimulationResult;
}

/** The draft's id for its compiled rules: the simulation's own, so no published version shares them. */
const draftOf = (job: SimulationJob) => ({ draftId: job.simulationId, item: job.request.draft });

/** What GET /simulations/{id} shows of a stored simulation: progress, and the result once every slice is in. */
export function viewOf({ job, slices }: StoredSimulation): SimulationView {
  const merged = mergeTallies([...slices.values()]);
  const done = slices.size >= job.slices;
  return {
    simulationId: job.simulationId,
    itemCode: job.request.draft.itemCode,
    draftVersion: job.request.draft.version,
    window: { from: job.request.from, to: job.request.to },
    requestedBy: job.requestedBy,
    createdAt: job.createdAt,
    status: done ? 'done' : 'running',
    progress: { slices: job.slices, slicesDone: slices.size, applicationsReplayed: merged.replayed },
    ...(done ? { result: resultOf(merged) } : {}),
  };
}

export function createSimulationService(ports: SimulationPorts) {
  async function start(request: SimulationRequest, requestedBy: string): Promise<SimulationJob> {
    const now = ports.now();
    const job: SimulationJob = { simulationId: ports.newId(), request, requestedBy, createdAt: now, slices: DECISION_SHARDS };
    await ports.store.createJob(job);
    await ports.sendSlices(Array.from({ length: job.slices }, (_, shard) => simulationSliceEvent({ simulationId: job.simulationId, shard }, now)));
    ports.info('simulation started', { simulationId: job.simulationId, itemCode: request.draft.itemCode, from: request.from, to: request.to });
    return job;
  }

  async function runSlice(slice: InternalDataOf<'civicflow.simulation.slice'>): Promise<void> {
    const job = await ports.store.loadJob(slice.simulationId);
    if (job === undefined) throw new Error(`simulation ${slice.simulationId} has no job; retrying`);
    const { draft, from, to } = job.request;
    const entries = await ports.decisions(draft.itemCode, slice.shard, { from, to });
    const tally = tallySlice(entries, draftOf(job), ports.calendar());
    const stored = await ports.store.putSlice(job.simulationId, slice.shard, tally, ports.now());
    ports.info('simulation slice', { simulationId: job.simulationId, shard: slice.shard, replayed: tally.replayed, stored });
  }

  async function read(simulationId: string): Promise<SimulationView | undefined> {
    const stored = await ports.store.load(simulationId);
    return stored === undefined ? undefined : viewOf(stored);
  }

  return { start, runSlice, read };
}

export type SimulationService = ReturnType<typeof createSimulationService>;
