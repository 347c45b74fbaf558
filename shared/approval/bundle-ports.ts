/**
 * What the bundle (一件事) use case (service/bundle.ts) needs beyond approval's own ports: the bundle
 * applications in the approvals table (store/bundle.ts) and the bundle versions of the catalogue.
 */
import type { AuditEntry } from '#platform/audit';
import type { Receipt } from '#platform/receipts';
import type { BundleApplication, BundleState } from './domain/bundle/application';
import type { Bundle } from './domain/bundle/types';
import type { Cause, VersionCause } from './domain/decision';
import type { Application, ServiceItem } from './domain/types';
import type { ConflictRecord, Outbox, RefusalRecord, StoredConflict, StoredRefusal } from './ports';

/**
 * What made a bundle version: an event or the deadlines schedule as for a single item's version, or the
 * schedule flagging children's verifications overdue (`overdueFlag`), which changes no child's decision.
 */
export type BundleVersionCause = VersionCause | 'overdueFlag';

/**
 * One version of a bundle application with its audit line and its event's receipt. What it sends is not
 * stored: `bundleMessages(state, causeKind)` derives it from the version, which is immutable; the store
 * keeps only whether it is still to be sent.
 */
export interface BundleVersionRecord {
  readonly state: BundleState;
  readonly cause: Cause;
  readonly causeKind: BundleVersionCause;
  readonly audit: AuditEntry;
  readonly receipt?: Receipt;
}

/** The first version: the application is created with it, once (the exactly-once gate). */
export interface BundleFirstRecord extends BundleVersionRecord {
  readonly application: BundleApplication;
  readonly applicationHash: string;
  readonly receivedAt: string;
}

export interface StoredBundleVersion {
  readonly sequence: number;
  readonly cause: Cause;
  readonly causeKind: BundleVersionCause;
  /** The bundle as this version left it: what it sends is derived from it. */
  readonly state: BundleState;
  /** What it sends, as an outbox written before outboxes were derived from their version stored it. */
  readonly outbox?: Outbox;
  /**
   * An OUTBOX item marks whether it was sent: a version the deadlines schedule made (`resentBySchedule`),
   * or one written before an event's versions stopped having one. Without it, the event that made the
   * version sends it again on each redelivery.
   */
  readonly marked: boolean;
  /** Its OUTBOX item says it is still to be sent (never true without one). */
  readonly pending: boolean;
}

/**
 * The same applicationId submitted again with other content: recorded once per event, with its audit line
 * and its event's receipt, as a single-item application's conflict is. The first submission stands. A
 * single-item application submitted under the bundle's id is one too (`Application`).
 */
export type BundleConflictRecord = ConflictRecord<BundleApplication | Application>;

export type StoredBundleConflict = Omit<StoredConflict, 'application'>;

export interface StoredBundle {
  readonly application?: { readonly application: BundleApplication; readonly applicationHash: string; readonly cause: Cause; readonly receivedAt: string };
  /** The current version. */
  readonly state?: BundleState;
  readonly versions: readonly StoredBundleVersion[];
  readonly refusals: readonly StoredRefusal[];
  /** Conflicting resubmissions, oldest first. */
  readonly conflicts: readonly StoredBundleConflict[];
}

/** What the figures read of each bundle application's current version. */
export interface BundleSummary {
  readonly applicationId: string;
  readonly bundleCode: string;
  readonly status: BundleState['status'];
  readonly noPerson: boolean;
  readonly materialsSaved: number;
  readonly legalDaysSum: number;
  readonly submittedAt: string;
  readonly decidedAt: string;
  /**
   * The children whose verification (告知承诺核查) the deadlines schedule flagged overdue, each once, with
   * the department that owns it (kept after a late report, as a single application's flag is). Absent in a
   * summary stored before it was kept: read as none.
   */
  readonly overdueVerifications?: readonly { readonly itemCode: string; readonly departmentCode: string | null }[];
}

export interface BundleStore {
  loadBundle(applicationId: string): Promise<StoredBundle>;
  /** 'exists' when the application was there already (a redelivery or resubmission). */
  createBundle(first: BundleFirstRecord): Promise<'stored' | 'exists'>;
  /** Stored only if the current version is still `state.sequence - 1`; 'raced' otherwise. */
  storeBundleVersion(next: BundleVersionRecord): Promise<'stored' | 'raced'>;
  /** False when this event was recorded before. */
  recordBundleRefusal(refusal: RefusalRecord): Promise<boolean>;
  /**
   * False when this event's conflict was recorded before. A single-item application submitted under this
   * bundle's id is recorded here too (the id is decided once, whichever kind it was submitted as).
   */
  recordBundleConflict(conflict: BundleConflictRecord): Promise<boolean>;
  /**
   * Which of these ids a bundle application holds (its current-state item), read strongly consistent, in as
   * few requests as fit: what a single-item submission checks before it is decided.
   */
  heldBundleIds(applicationIds: readonly string[]): Promise<ReadonlySet<string>>;
  markBundleSent(applicationId: string, sequence: number, at: string): Promise<void>;
}

/** What the query routes and the monthly report read of bundle applications beyond one bundle (store/bundle.ts). */
export interface BundleReader {
  /** Every bundle application's current version, optionally of one bundle. */
  bundleSummaries(bundleCode?: string): Promise<BundleSummary[]>;
}

/** Bundle applications as the deadlines schedule uses them: its own queries and writes (store/deadlines.ts) too. */
export interface BundleDeadlinesStore extends BundleStore {
  /**
   * Bundle applications with a child deadline (a supplement deadline, a verification due date) that ended
   * before `before` (eventually consistent). The schedule passes its run's cut-off, the grace before its
   * clock's time: a bundle whose deadline is still inside the grace is not listed, so not loaded or rewritten.
   */
  overdueBundles(before: string): Promise<string[]>;
  /**
   * Puts the bundle's current version in the due index under `dueAt`, or takes it out (undefined), if it is
   * still version `sequence`: what the schedule does with an entry that no longer says what is due.
   */
  reindexBundleDue(applicationId: string, sequence: number, dueAt: string | undefined): Promise<void>;
  /** Versions the deadlines schedule made (`resentBySchedule`) whose outbox was written before `before` and is not yet sent. */
  unsentBundleOutboxes(before: string): Promise<{ readonly applicationId: string; readonly sequence: number }[]>;
}

/** The catalogue's bundles and items as the bundle use case reads them. */
export interface BundleCatalogue {
  currentBundle(bundleCode: string): Promise<Bundle | undefined>;
  bundleVersion(bundleCode: string, version: number): Promise<Bundle | undefined>;
  currentItem(itemCode: string): Promise<ServiceItem | undefined>;
  itemVersion(itemCode: string, version: number): Promise<ServiceItem | undefined>;
}
