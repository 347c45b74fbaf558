/**
 * What the 秒批 use cases (service.ts) need from the world, as interfaces: the approvals table, the
 * registry's reference data, the queues, the clock, the calendar and a place for metrics and log lines.
 * adapters.ts plugs in the deployed ones (DynamoDB, SQS, Powertools); unit tests plug in small in-memory ones
 * (tests/support/memory/approval.ts).
 */
import type { WorkingCalendar } from '#calendar/types';
import type { InternalEvent } from '#contract/internal';
import type { OutboundEvent } from '#contract/outbound';
import type { AuditEntry } from '#platform/audit';
import type { CommitResult } from '#platform/group-commit';
import type { Receipt } from '#platform/receipts';
import type { BundleApplication } from './domain/bundle/application';
import type { ApplicationKind } from './domain/conflict';
import type { Cause, Decision, Effect, RefusalCode, VersionCause } from './domain/decision';
import type { DueKind } from './domain/lifecycle';
import type { MetricPoint } from './domain/metrics';
import type { DecisionFacts } from './domain/replay';
import type { Applicant, Application, CreditRecord, Licence, Profile, ServiceItem } from './domain/types';

// ---- what the store keeps ----

/**
 * What a version (or flag) must send once it is stored (messages.ts builds it from the version). Kept in an
 * outbox item until sent only where the deadlines schedule may have to send it (`resentBySchedule`).
 */
export interface Outbox {
  readonly outbound: readonly OutboundEvent[];
  readonly effects: readonly Effect[];
}

/**
 * Whether the outbox of a change is the deadlines schedule's to send again when a crash left it unsent: when
 * the schedule made the change (a TERMINATED version at a supplement deadline, an overdue flag), since no
 * event will come again for it. Only these are stored as outbox items, listed by `unsentOutboxes` until
 * marked sent. A change an event made is that event's: a failed send fails its record, SQS redelivers the
 * event, and the redelivery finds the version its event made and sends what the version derives again
 * (the same ids: receivers de-duplicate). No item tracks it: an item would cost 2 write units inside the
 * change's transaction and 1 more to mark it sent, to spare a rare redelivery a repeated send.
 */
export const resentBySchedule = (madeBy: VersionCause | 'overdueFlag'): boolean => madeBy === 'supplementDeadline' || madeBy === 'overdueFlag';

/**
 * Whether a stored version (a single item's or a bundle's) is sent when an event comes for it again: while
 * its outbox item (`marked`) says it is pending; without an item, whenever the event is the one that made
 * the version (`redelivery`), since nothing records whether the first attempt sent it.
 */
export const sendsAgain = (version: { readonly marked: boolean; readonly pending: boolean }, redelivery: boolean): boolean =>
  version.marked ? version.pending : redelivery;

/** Whose outbox: a decision version's, or the overdue flag's. */
export type OutboxRef =
  | { readonly applicationId: string; readonly of: 'version'; readonly sequence: number }
  | { readonly applicationId: string; readonly of: 'overdueFlag' };

/** A first decision: version 1 holding the application (created once: the exactly-once gate), its audit line and receipt (an event's change: no outbox item). */
export interface FirstDecisionRecord {
  readonly application: Application;
  readonly decision: Decision;
  /** What decide() read (domain/replay.ts): kept in the first version's item for simulations. */
  readonly facts?: DecisionFacts;
  readonly cause: Cause;
  readonly receivedAt: string;
  readonly audit: AuditEntry;
  readonly receipt?: Receipt;
}

/**
 * A first decision's facts left out of its version because, packed with the decision, they were over the
 * store's budget for them: the decision is stored with its application alone, and a simulation cannot
 * replay it. Sizes in bytes.
 */
export interface FactsDropped {
  /** The decision and its facts, packed. */
  readonly packedBytes: number;
  /** What the decision and its facts may take. */
  readonly budgetBytes: number;
  /** What was kept instead: the decision packed, and the application. */
  readonly storedBytes: number;
}

/** A later version, stored only if the current one is still `previous`. */
export interface TransitionRecord {
  readonly previous: Decision;
  readonly decision: Decision;
  readonly cause: Cause;
  readonly causeKind: VersionCause;
  /** Stored as an outbox item only when `resentBySchedule(causeKind)`. */
  readonly outbox: Outbox;
  readonly audit: AuditEntry;
  readonly receipt?: Receipt;
}

/** The one overdue flag of an approval on commitment, stored only if `decision` is still current and due. */
export interface OverdueFlagRecord {
  readonly decision: Decision;
  readonly flaggedAt: string;
  readonly outbox: Outbox;
  readonly audit: AuditEntry;
}

/** The same applicationId submitted again with other content (a single item's, or a bundle's: `A`). */
export interface ConflictRecord<A extends { readonly applicationId: string } = Application> {
  readonly application: A;
  readonly applicationHash: string;
  readonly storedHash: string;
  readonly cause: Cause;
  readonly receivedAt: string;
  readonly audit: AuditEntry;
  readonly receipt: Receipt;
}

export type StoredRefusalCode = RefusalCode | 'APPLICATION_UNKNOWN';

export interface RefusalRecord {
  readonly applicationId: string;
  readonly cause: Cause;
  readonly at: string;
  readonly code: StoredRefusalCode;
  readonly message: string;
  readonly audit: AuditEntry;
  readonly receipt?: Receipt;
}

export interface StoredVersion {
  readonly decision: Decision;
  readonly cause: Cause;
  readonly causeKind: VersionCause;
  /**
   * The version's outbox item, when it has one: a change the deadlines schedule made, or a version stored
   * before an event's changes stopped keeping theirs. Without one, the version's messages are derived from
   * it (`messagesOf(decision, causeKind)`) and whether they were sent is not recorded.
   */
  readonly outbox?: Outbox;
  /** Its outbox item is still to be sent (never true without one). */
  readonly pending: boolean;
}

export interface StoredConflict {
  readonly cause: Cause;
  readonly receivedAt: string;
  readonly applicationHash: string;
  readonly storedHash: string;
  /** As submitted: a bundle application when a bundle was submitted under this single item's id. */
  readonly application: Application | BundleApplication;
}

export interface StoredRefusal {
  readonly cause: Cause;
  readonly at: string;
  readonly code: StoredRefusalCode;
  readonly message: string;
}

export interface StoredFlag {
  readonly flaggedAt: string;
  readonly sequence: number;
  readonly outbox: Outbox;
  readonly pending: boolean;
}

/** Everything about one application. */
export interface StoredCase {
  readonly application?: {
    readonly application: Application;
    readonly applicationHash: string;
    readonly cause: Cause;
    readonly receivedAt: string;
  };
  /** The current version. */
  readonly decision?: Decision;
  /** Every version, oldest first. */
  readonly versions: readonly StoredVersion[];
  readonly conflicts: readonly StoredConflict[];
  readonly refusals: readonly StoredRefusal[];
  readonly overdueFlag?: StoredFlag;
}

export interface DueEntry {
  readonly applicationId: string;
  readonly dueAt: string;
}

// ---- the ports ----

/** The approvals table (store.ts), with the audit lines and receipts written in the same transactions. */
export interface ApprovalStore {
  loadCase(applicationId: string): Promise<StoredCase>;
  /** 'exists' when the application was there already (a redelivery, a resubmission or a conflict). */
  createFirstDecision(first: FirstDecisionRecord): Promise<'stored' | 'exists'>;
  /**
   * Whether writing this first decision will leave its facts out for their size (the version then records
   * that it did), with the sizes; undefined when they are kept or there are none. Writes nothing: asked
   * before the write, so that the use case reports it once the decision is stored.
   */
  factsDroppedFor(first: FirstDecisionRecord): FactsDropped | undefined;
  /** The group commit's write: first decisions in as few transactions as fit, one result each. Never throws. */
  writeFirstDecisions(firsts: readonly FirstDecisionRecord[]): Promise<CommitResult[]>;
  /** 'raced' when another writer changed the case first: reload and decide again. */
  storeTransition(next: TransitionRecord): Promise<'stored' | 'raced'>;
  /**
   * False when this event was recorded before. A bundle application submitted under this single item's id
   * is recorded here too (the id is decided once, whichever kind it was submitted as).
   */
  recordConflict(conflict: ConflictRecord<Application | BundleApplication>): Promise<boolean>;
  /**
   * Which of these ids a single-item application holds (its current-state item), read strongly consistent,
   * in as few requests as fit: what a bundle submission checks before it is decided.
   */
  heldIds(applicationIds: readonly string[]): Promise<ReadonlySet<string>>;
  /** False when this event was recorded before. */
  recordRefusal(refusal: RefusalRecord): Promise<boolean>;
  /** A receipt on its own (nothing else changed), create-only: a redelivery keeps the first. */
  recordReceipt(receipt: Receipt): Promise<void>;
  /** One stored outbox sent: it leaves the unsent list (a concurrent sender's mark is fine). */
  markSent(ref: OutboxRef, at: string): Promise<void>;
}

/**
 * The approvals table as the deadlines schedule uses it: the consumer's operations and the schedule's own
 * (store/deadlines.ts), which the approval consumer never calls and so does not carry in its bundle.
 */
export interface DeadlinesStore extends ApprovalStore {
  storeOverdueFlag(flag: OverdueFlagRecord): Promise<'stored' | 'raced'>;
  /**
   * Current decisions whose supplement or verification period ended before `before` (re-check: eventually
   * consistent). The schedule passes its run's cut-off, the grace before its clock's time.
   */
  overdue(kind: DueKind, before: string): Promise<DueEntry[]>;
  /** Outboxes of the schedule's own changes (`resentBySchedule`), written before `before` and still not sent (a crash between write and send). */
  unsentOutboxes(before: string): Promise<OutboxRef[]>;
}

/** What a decision reads of the applicant. */
export interface ApplicantFacts {
  readonly profile?: Profile;
  readonly licences: readonly Licence[];
  readonly credit?: CreditRecord;
}

/** The registry's reference data, as the domain takes it (read through `#registry`). */
export interface RegistryReader {
  /** The item's current version and the applicant's facts: what a first decision reads. */
  applicationFacts(itemCode: string, applicant: Applicant): Promise<ApplicantFacts & { readonly item?: ServiceItem }>;
  applicantFacts(applicant: Applicant): Promise<ApplicantFacts>;
  /** The version an application was accepted under. */
  itemVersion(itemCode: string, version: number): Promise<ServiceItem | undefined>;
  /**
   * Reads ahead what `applicationFacts` of these applications will ask for, for the whole batch at once
   * (within a unit of work): the deployed reader takes two requests where each application would take two
   * of its own. Optional: without it each reads alone.
   */
  readAhead?(requests: readonly ApplicationKey[]): Promise<void>;
}

/** A submission of a batch as the one-decision-per-id check reads it ahead: its id and what it was submitted as. */
export interface SubmissionKey {
  readonly applicationId: string;
  readonly kind: ApplicationKind;
}

/** What an application's first decision reads by: its item and its applicant. */
export interface ApplicationKey {
  readonly itemCode: string;
  readonly applicant: Applicant;
}

/** The queues: internal events to the capabilities they concern, outbound events to upstream systems. */
export interface Messenger {
  sendInternal(events: readonly InternalEvent[]): Promise<void>;
  publish(events: readonly OutboundEvent[]): Promise<void>;
}

/** Metrics and log lines (masked by the live adapter). */
export interface Telemetry {
  metrics(points: readonly MetricPoint[]): void;
  info(message: string, fields: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields: Readonly<Record<string, unknown>>): void;
  error(message: string, fields: Readonly<Record<string, unknown>>): void;
}

export interface ApprovalPorts {
  readonly store: ApprovalStore;
  readonly registry: RegistryReader;
  readonly messenger: Messenger;
  /** The functions' clock (ISO 8601). */
  readonly now: () => string;
  readonly calendar: () => WorkingCalendar;
  readonly telemetry: Telemetry;
}

/**
 * The deadlines schedule reads no registry data and decides nothing on the merits; its store has its own
 * queries. `receiptGraceMs`: how long after a deadline it terminates a case still pending materials or
 * flags a verification not reported (service/deadlines.ts `receiptGraceMs`).
 */
export type DeadlinesPorts = Omit<ApprovalPorts, 'registry' | 'calendar' | 'store'> & { readonly store: DeadlinesStore; readonly receiptGraceMs: number };
