/**
 * What the review use cases (`service.ts`) need from the world, as interfaces: the store of the `reviews`
 * table, the outbound publisher, the clock, the stage's calendar and deadlines, and sinks for metrics and
 * log lines. `wiring.ts` builds the production ports (DynamoDB, SQS, Powertools); unit tests pass small
 * in-memory ones (tests/support/memory/review.ts).
 *
 * The records here are what the store keeps per case, and the change a use case asks it to write.
 */
import type { WorkingCalendar } from '#calendar/types';
import type { OutboundEvent } from '#contract/outbound';
import type { AuditEntry } from '#platform/audit';
import type { CommitResult } from '#platform/group-commit';
import type { Receipt } from '#platform/receipts';
import type { Dimension, Period } from './domain/figures';
import type { CaseReviewState, Counters, FigureDelta, Rectification, Review, ReviewConfig } from './domain/types';

/** A semantic refusal, kept on the case so auditors can see what was refused and why (SPEC §11). */
export interface Rejection {
  readonly kind: 'review' | 'step';
  /** The reviewId, or the action key of the step. */
  readonly ref: string;
  readonly code: string;
  readonly reason: string;
  /** When the refused thing happened (the review's submission, the step's `at`). */
  readonly at: string;
  /** When it was refused (the functions' clock). */
  readonly recordedAt: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface CaseRecord {
  /** The item's version (equal to `state.version` once the case is known). */
  readonly version: number;
  readonly state?: CaseReviewState;
  /** Reviews that arrived before their case, kept until it does. */
  readonly parked: readonly Review[];
}

/** Everything stored for one case. */
export interface CaseBundle {
  readonly caseId: string;
  readonly record?: CaseRecord;
  readonly rectification?: Rectification;
  readonly rejections: readonly Rejection[];
  /** Outbound events committed with a change and not yet published. */
  readonly outbox: readonly OutboundEvent[];
}

export interface CaseWrite {
  /** The loaded item version; undefined when the item must not exist yet. */
  readonly expectedVersion: number | undefined;
  readonly version: number;
  readonly state?: CaseReviewState;
  readonly parked?: readonly Review[];
  /** The next instant the schedule must look at the case (due index); undefined leaves the index. */
  readonly dueAt?: string;
}

export interface RectificationWrite {
  readonly expectedVersion: number | undefined;
  readonly rect: Rectification;
  readonly dueAt?: string;
}

/**
 * One state change of one case, written all together or not at all: the state items (each on the
 * condition of its loaded version), the counter ADDs, the audit lines, the refusals it decided, its
 * outbox and the receipts of the events it answers. New kinds of record that must happen exactly when the
 * change does (an upward-sync record of issue #19) are added here and written by the store in the same
 * transaction.
 */
export interface ReviewChange {
  readonly caseId: string;
  readonly caseWrite?: CaseWrite;
  readonly rectWrite?: RectificationWrite;
  readonly figureDeltas?: readonly FigureDelta[];
  readonly audits?: readonly AuditEntry[];
  readonly rejections?: readonly Rejection[];
  /** Published after the commit, then cleared from the outbox; ids are deterministic. */
  readonly outbound?: readonly OutboundEvent[];
  /**
   * What became of the events this change answers (the event itself, reviews parked for the case). The
   * change's version condition makes it happen once, so the receipts need no condition of their own.
   */
  readonly receipts?: readonly Receipt[];
}

/** A concurrent or redelivered change got there first: reload and decide again. */
export class VersionConflict extends Error {
  constructor(caseId: string, detail: string) {
    super(`case ${caseId} changed while it was being updated (${detail}); reload and decide again`);
    this.name = 'VersionConflict';
  }
}

/** The two due indexes: cases waiting for an invitation, reminder or default; rectifications that may go overdue. */
export type DueQueue = 'invite' | 'rectification';

/** One key of a figure dimension in a period, with its counters. */
export interface FigureRow {
  readonly key: string;
  readonly counters: Counters;
}

export interface ReviewStore {
  /** Everything stored for a case, strongly consistent. */
  loadCase(caseId: string): Promise<CaseBundle>;
  /** Writes one change atomically; throws `VersionConflict` when a condition failed. */
  commit(change: ReviewChange): Promise<void>;
  /** Writes the changes of several cases (one each) with each counter row once per transaction; never throws. */
  commitMany(changes: readonly ReviewChange[]): Promise<CommitResult[]>;
  /** Removes published events from the outboxes of their cases. */
  clearOutbox(sent: readonly Pick<ReviewChange, 'caseId' | 'outbound'>[]): Promise<void>;
  /**
   * Records a refusal with its audit line and receipt once (create-only); false when the refusal was
   * recorded before (the same review or step refused again).
   */
  recordRejection(caseId: string, rejection: Rejection, audit: AuditEntry, receipt?: Receipt): Promise<boolean>;
  /** Records the receipt of an event that changed nothing, create-only: the first outcome stands. */
  recordReceipt(receipt: Receipt): Promise<void>;
  /** Case ids whose due instant in `queue` has come (eventually consistent: reload each). */
  dueCaseIds(queue: DueQueue, now: string): Promise<string[]>;
  /** Every key of a dimension with counters in a period, sorted by key. */
  listCounters(dimension: Dimension, period: Period): Promise<FigureRow[]>;
}

export interface OutboundPublisher {
  publish(events: readonly OutboundEvent[]): Promise<void>;
}

export interface MetricValue {
  readonly name: string;
  readonly unit: 'Count' | 'None';
  readonly value: number;
}

export interface MetricsSink {
  /** A count written with the invocation's other metrics. */
  count(name: string, value?: number): void;
  /** Metrics written at once under their own dimensions. */
  single(dimensions: Readonly<Record<string, string>>, values: readonly MetricValue[]): void;
}

/** Log lines (the production sink masks ID and phone numbers). */
export interface LogSink {
  info(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export interface ReviewPorts {
  readonly store: ReviewStore;
  readonly outbound: OutboundPublisher;
  /** The functions' clock, ISO 8601. */
  readonly clock: () => string;
  readonly calendar: Pick<WorkingCalendar, 'localDate' | 'addWorkingDays'>;
  readonly config: ReviewConfig;
  /** The stage's district, given to cases that do not name one. */
  readonly district?: string;
  readonly metrics: MetricsSink;
  readonly log: LogSink;
}
