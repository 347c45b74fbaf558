/** What the simulation use cases need: their own store, approval's bulk read, the slice queue. */
import type { WorkingCalendar } from '#calendar/types';
import type { Replayable, ServiceItem, Window } from '#approval';
import type { InternalEventOf } from '#contract/internal';
import type { SimulationRequest } from './domain/request';
import type { CreditLookup, Policy, SubjectKind, SubjectProfile } from '#entitlement';
import type { PolicySliceTally } from './domain/policy-result';
import type { SliceTally } from './domain/item-result';
import type { KeyRecord } from './domain/idempotency';
import type { PendingJob } from './domain/sweep';

/** A slice's tally: of an item's stored decisions, or of a shard of profiles for a policy. */
export type AnyTally = SliceTally | PolicySliceTally;

export interface SimulationJob {
  readonly simulationId: string;
  readonly request: SimulationRequest;
  /** Who asked for it (the authenticated principal). */
  readonly requestedBy: string;
  readonly createdAt: string;
  /** How many slices the job was cut into (approval's byItem shards, or the registry's enterprise shards). */
  readonly slices: number;
}

/** A stored job, and whether its slices were queued: one read of its record. */
export interface StoredJob {
  readonly job: SimulationJob;
  /** False while the job's slices have not all been queued (the sweep queues them after a grace period). */
  readonly queued: boolean;
}

export interface StoredSimulation extends StoredJob {
  /** Shard → its tally, for the slices done. */
  readonly slices: ReadonlyMap<number, AnyTally>;
  /**
   * When the job last moved (ISO 8601): its latest slice stored, or its slices queued when none is; its
   * creation for a job queued before the time of queueing was kept.
   */
  readonly progressedAt: string;
}

export interface SimulationStore {
  /** Create-only; the job is listed as pending (not queued) until `markJobQueued`. */
  createJob(job: SimulationJob): Promise<void>;
  /**
   * The job and its `Idempotency-Key` record together, or neither: false, with the record that stands,
   * when the key's record is there and not expired (`key.createdAt` is the moment compared with its expiry).
   */
  createKeyedJob(job: SimulationJob, key: KeyRecord): Promise<{ readonly created: true } | { readonly created: false; readonly existing: KeyRecord }>;
  /** A key's record, whether expired or not (undefined when there is none). */
  loadKey(keyId: string): Promise<KeyRecord | undefined>;
  /** Records that the job's slices of the key's request were queued. */
  markQueued(keyId: string): Promise<void>;
  /**
   * Records that all the job's slices were queued, at `at`: it is no longer pending (idempotent; a job marked
   * again keeps the first time).
   */
  markJobQueued(job: Pick<SimulationJob, 'simulationId' | 'createdAt'>, at: string): Promise<void>;
  /** The jobs still pending that were created at or before `createdUpTo` (ISO 8601), oldest first. */
  pendingJobs(createdUpTo: string): Promise<PendingJob[]>;
  /**
   * Deletes a pending entry whose job is not there (false when the entry is gone already, or the job is
   * there after all): nothing can queue such a job, and the sweep would fail on its entry every run.
   */
  removeOrphanedEntry(entry: PendingJob): Promise<boolean>;
  /** The job and whether its slices were queued, in one read (undefined when there is no such job). */
  loadJob(simulationId: string): Promise<StoredJob | undefined>;
  /** Whether the slice's tally is stored: a redelivered slice then replays nothing again. */
  hasSlice(simulationId: string, shard: number): Promise<boolean>;
  /** Create-only: false when the slice was stored before (a redelivery counts nothing twice). */
  putSlice(simulationId: string, shard: number, tally: AnyTally, at: string): Promise<boolean>;
  load(simulationId: string): Promise<StoredSimulation | undefined>;
}

export interface SimulationPorts {
  readonly store: SimulationStore;
  /** Approval's stored first decisions of an item in one shard, submitted in the window, with their facts. */
  readonly decisions: (itemCode: string, shard: number, window: Window) => Promise<Replayable[]>;
  /**
   * How many 一件事 bundle applications in one shard, submitted in the window, have a decided child of the
   * item: applications of the item too, but a bundle version keeps no facts per child, so they are counted,
   * not replayed.
   */
  readonly bundleChildren: (itemCode: string, shard: number, window: Window) => Promise<number>;
  /** A published version of an item, as the registry keeps it: the baseline the stored decisions are decided again under. */
  readonly itemVersion: (itemCode: string, version: number) => Promise<ServiceItem | undefined>;
  /** What a policy draft is matched over: the current version, a shard's profiles now, credit, who was pushed. */
  readonly policies: {
    readonly slices: number;
    readonly current: (policyId: string) => Promise<Policy | undefined>;
    /** A shard's profiles of the kind the policy is for (enterprises, or persons). */
    readonly shardProfiles: (shard: number, kind: SubjectKind) => Promise<SubjectProfile[]>;
    readonly credits: (creditCodes: readonly string[]) => Promise<CreditLookup>;
    readonly pushed: (policyId: string) => Promise<ReadonlySet<string>>;
  };
  readonly sendSlices: (events: readonly InternalEventOf<'civicflow.simulation.slice'>[]) => Promise<void>;
  readonly calendar: () => WorkingCalendar;
  readonly now: () => string;
  readonly newId: () => string;
  readonly info: (message: string, fields: Record<string, unknown>) => void;
  /** Adds to a metric of the function: a start's `SimulationsStarted` (service/start.ts `STARTED_METRIC`). */
  readonly count: (metric: 'SimulationsStarted', value: number) => void;
}
