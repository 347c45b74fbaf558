/** What the simulation use cases need (SPEC §17): their own store, approval's bulk read, the slice queue. */
import type { WorkingCalendar } from '#calendar/types';
import type { Replayable, Window } from '#approval';
import type { InternalEventOf } from '#contract/internal';
import type { SimulationRequest } from './domain/request';
import type { SliceTally } from './domain/tally';

export interface SimulationJob {
  readonly simulationId: string;
  readonly request: SimulationRequest;
  /** Who asked for it (the authenticated principal). */
  readonly requestedBy: string;
  readonly createdAt: string;
  /** How many slices the job was cut into (approval's byItem shards). */
  readonly slices: number;
}

export interface StoredSimulation {
  readonly job: SimulationJob;
  /** Shard → its tally, for the slices done. */
  readonly slices: ReadonlyMap<number, SliceTally>;
}

export interface SimulationStore {
  /** Create-only. */
  createJob(job: SimulationJob): Promise<void>;
  loadJob(simulationId: string): Promise<SimulationJob | undefined>;
  /** Create-only: false when the slice was stored before (a redelivery counts nothing twice). */
  putSlice(simulationId: string, shard: number, tally: SliceTally, at: string): Promise<boolean>;
  load(simulationId: string): Promise<StoredSimulation | undefined>;
}

export interface SimulationPorts {
  readonly store: SimulationStore;
  /** Approval's stored first decisions of an item in one shard, submitted in the window, with their facts. */
  readonly decisions: (itemCode: string, shard: number, window: Window) => Promise<Replayable[]>;
  readonly sendSlices: (events: readonly InternalEventOf<'civicflow.simulation.slice'>[]) => Promise<void>;
  readonly calendar: () => WorkingCalendar;
  readonly now: () => string;
  readonly newId: () => string;
  readonly info: (message: string, fields: Record<string, unknown>) => void;
}
