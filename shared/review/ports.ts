/**
 * What the review use cases (`service.ts`) need from the world, as interfaces: the store of the `reviews`
 * table, the outbound publisher, the clock, the stage's calendar and deadlines, and sinks for metrics and
 * log lines. `adapters.ts` builds the production ports (DynamoDB, SQS, Powertools); unit tests pass small
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
import type { PlatformAnswer, SyncRecord, SyncState } from './domain/upward/sync';
import type { UpwardProfile, UpwardSettings } from './domain/upward/types';

/** A semantic refusal, kept on the case so auditors can see what was refused and why. */
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
  /**
   * The system that posted the refused step or review (the event's CloudEvents `source`, the principal that
   * signed it). The query routes show a source only its own refusals. Absent on a record refused before it
   * was kept here (steps and reviews alike): such a record is shown only to readers that see every source's.
   */
  readonly source?: string;
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
  /**
   * Upward-sync records (issue #19) of the reviews, defaults and rectification steps this change makes:
   * written with the change, so a record exists exactly when the thing it reports does.
   */
  readonly syncRecords?: readonly SyncRecord[];
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
  /** Several cases as `loadCase` gives each, in one request where the store can (a batch's read-ahead). */
  loadCases?(caseIds: readonly string[]): Promise<ReadonlyMap<string, CaseBundle>>;
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

/** What the upward mapping needs of the catalogue about an item (read through the registry's module). */
export interface CatalogueItem {
  readonly name: string;
  readonly promisedDays: number;
  readonly departmentCode: string;
  /** The department's 统一社会信用代码, when the catalogue gives it. */
  readonly departmentCreditCode?: string;
}

/** The stage's upward sync: its platform's profile, what it says about itself, and the catalogue. */
export interface UpwardPorts {
  readonly profile: UpwardProfile;
  /** areaCode and dataSource; department credit codes come from the catalogue (and may be added here). */
  readonly settings: UpwardSettings;
  readonly calendar: Pick<WorkingCalendar, 'localIso' | 'localDate'>;
  item(itemCode: string): Promise<CatalogueItem | undefined>;
}

/** A sync record written on the condition that its `version` is still `expectedVersion`. */
export interface SyncWrite {
  readonly next: SyncRecord;
  readonly expectedVersion: number;
  /** Written with the record, in the same transaction (ACKED, REJECTED, PARKED and re-pushes). */
  readonly audit?: AuditEntry;
  /** When a SENT record counts as stuck (its `dueAt` in the due index). */
  readonly sentTimeoutMs: number;
}

/** The outbox of the upward sync (one item per platform record). */
export interface SyncStore {
  getRecord(recordId: string): Promise<SyncRecord | undefined>;
  /** Writes the record if its version is still the expected one; false when another writer got there first. */
  writeRecord(write: SyncWrite): Promise<boolean>;
  /** Records whose next attempt is due or whose attempt is stuck, at most `limit` (eventually consistent). */
  dueRecords(now: string, limit: number): Promise<SyncRecord[]>;
  /** Records in a state, optionally only those whose review or step happened between `from` and `to` (ISO). */
  recordsInState(state: SyncState, range?: { readonly from: string; readonly to: string }): Promise<SyncRecord[]>;
  /** The record of a state whose event happened first (the head of the state's index). */
  oldestInState(state: SyncState): Promise<SyncRecord | undefined>;
}

/** What the platform answered an attempt (see domain/upward/sync.ts `PlatformAnswer`). */
export interface PlatformClient {
  send(record: SyncRecord): Promise<PlatformAnswer>;
}

export interface ReviewPorts {
  readonly store: ReviewStore;
  readonly outbound: OutboundPublisher;
  /** The functions' clock, ISO 8601. */
  readonly now: () => string;
  readonly calendar: Pick<WorkingCalendar, 'localDate' | 'addWorkingDays'>;
  readonly config: ReviewConfig;
  /** The stage's district, given to cases that do not name one. */
  readonly district?: string;
  readonly metrics: MetricsSink;
  readonly log: LogSink;
  /** Set when the stage reports its reviews upward (issue #19): every change then carries its sync records. */
  readonly upward?: UpwardPorts;
}
