/**
 * What the 免申即享 use cases (service.ts) need from the world, as interfaces: the capability's own store,
 * the registry's reader, the match and notify queues, the outbound publisher, the channel that reaches
 * enterprises, the clock and a metrics sink, and the stage's settings. adapters.ts binds them to DynamoDB,
 * SQS, the webhook or log sender and Powertools; unit tests pass small in-memory adapters
 * (tests/support/memory/entitlement.ts).
 */
import type { InternalEventOf } from '#contract/internal';
import type { OutboundEvent } from '#contract/outbound';
import type { AuditEntry } from '#platform/audit';
import type { Receipt } from '#platform/receipts';
import type {
  Counter,
  CounterValues,
  CreditRecord,
  EnterpriseProfile,
  Entitlement,
  FlipEntry,
  Instant,
  NotificationIntent,
  Objection,
  ObjectionState,
  PersonProfile,
  Policy,
  SubjectKind,
  SubjectProfile,
  PublicityCalendar,
  PublicityWindow,
  Transition,
} from './domain';
import type { ChannelMessage } from './messages';

// ---------------------------------------------------------------------------------------------------------
// The store: the `entitlements` table (store.ts)

/** A publication to store: the version, the run it starts, its audit line and receipt, in one write. */
export interface PublishWrite {
  readonly policy: Policy;
  /** null for a first publication (the policy must not exist), else the version it replaces. */
  readonly fromVersion: number | null;
  /** What the budget's remaining amount moves by (the new total minus the old); absent: no budget. */
  readonly budgetDelta?: number;
  /** The slices the run starts with (one per registry shard). */
  readonly slicesQueued: number;
  readonly at: Instant;
  readonly audit: AuditEntry;
  readonly receipt: Receipt;
}

/** What a matching run has done so far (RUN#<version>). */
export interface RunProgress {
  readonly policyVersion: number;
  readonly startedAt: Instant;
  readonly slicesQueued: number;
  readonly slicesDone: number;
  readonly profiles: number;
  readonly completedAt?: Instant;
  readonly lastSliceAt?: Instant;
}

/** A finished slice, with its continuation (if any) counted as queued in the same write. */
export interface SliceOutcome {
  readonly profiles: number;
  readonly continued: boolean;
  readonly at: Instant;
}

export type ApplyOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly entitlementMoved: boolean;
      readonly budgetShort: boolean;
      readonly withdrawn: boolean;
      /** Another window of the policy was opened first (re-read it and plan again). */
      readonly windowMoved?: boolean;
      /** The objection was recorded or resolved by another delivery first. */
      readonly objectionMoved?: boolean;
    };

/**
 * An objection written with the change it causes (or alone, when it changes no entitlement): create-only
 * when filed (`expect: 'new'`), conditional on its state when resolved; its counters on the pair's shard.
 */
export interface ObjectionWrite {
  readonly objection: Objection;
  readonly expect: 'new' | ObjectionState;
  readonly counts: Partial<Record<Counter, number>>;
}

/** A publicity window that has closed and still has its pairs to move on (the schedule's work). */
export interface DueWindow {
  readonly policyId: string;
  readonly windowId: string;
  readonly closesAt: Instant;
}

export type DeliveryStatus = 'PENDING' | 'SENDING' | 'DELIVERED' | 'FAILED';

/** A pair's one notification (OUTBOX#<creditCode>), written with the transition that pushed it. */
export interface OutboxRecord {
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly notification: NotificationIntent;
  readonly createdAt: Instant;
  readonly claimedAt?: Instant;
  readonly deliveredAt?: Instant;
  readonly lastError?: string;
}

export type Claim =
  | { readonly kind: 'claimed'; readonly record: OutboxRecord }
  | { readonly kind: 'delivered' }
  | { readonly kind: 'busy' }
  | { readonly kind: 'missing' };

/** A policy's counters summed over their shards, with the amounts, deliveries and push times. */
export interface StoredFigures {
  readonly counters: CounterValues;
  readonly amountReserved: number;
  readonly amountDisbursed: number;
  readonly amountRecovered: number;
  readonly delivered: number;
  readonly firstPushAt?: Instant;
  readonly lastPushAt?: Instant;
  readonly withdrawnAt?: Instant;
}

/** A confirmation or disbursement that could not apply, kept with the policy (REFUSAL#<eventId>). */
export interface Refusal {
  readonly type: string;
  readonly creditCode?: string;
  readonly reason: string;
  readonly message: string;
  readonly at: Instant;
}

export interface EntitlementStore {
  getPolicy(policyId: string): Promise<Policy | undefined>;
  /** Active (not withdrawn) policies; whether each is within its window is the domain's call. */
  listActivePolicies(): Promise<Policy[]>;
  /** False when another writer moved the policy first (plan again). */
  savePublish(write: PublishWrite): Promise<boolean>;
  /** The withdrawn version, the active index and the guard on every figure shard; false: plan again. */
  saveWithdraw(policy: Policy, audit: AuditEntry, receipt: Receipt): Promise<boolean>;
  /** Idempotent: sets the withdrawal guard on every figure shard (a redelivery re-applies it). */
  guardWithdrawn(policyId: string, at: Instant): Promise<void>;
  getBudget(policyId: string): Promise<number | undefined>;

  isSliceDone(policyId: string, version: number, shard: number, cursor?: string): Promise<boolean>;
  /** Records a finished slice once; `completed` when this call finished the run. */
  finishSlice(policyId: string, version: number, shard: number, cursor: string | undefined, outcome: SliceOutcome): Promise<{ recorded: boolean; completed: boolean }>;

  getEntitlement(policyId: string, creditCode: string): Promise<Entitlement | undefined>;
  batchGetEntitlements(policyId: string, codes: readonly string[]): Promise<Map<string, Entitlement>>;
  /**
   * Consecutive transitions of one pair (each planned from the previous one's `next`) as ONE conditional
   * write, with their counters, reservation, outbox record, audit line and (for an external event) receipt.
   */
  applyTransitions(chain: readonly Transition[], audit: AuditEntry, receipt?: Receipt, objection?: ObjectionWrite): Promise<ApplyOutcome>;
  /** A policy's entitlements in one state (the exhausted awaiting returned budget). */
  listInState(policyId: string, state: 'PUBLICIZED' | 'EXHAUSTED'): Promise<Entitlement[]>;
  /** The pairs listed in one publicity window, whatever their state now. */
  listInWindow(policyId: string, windowId: string): Promise<Entitlement[]>;

  /** The policy's newest publicity window (open or closed), or undefined when none was ever opened. */
  getPublicityWindow(policyId: string): Promise<PublicityWindow | undefined>;
  /** Windows that closed before `before` and were not yet finished by the schedule, oldest first. */
  listDueWindows(before: Instant, limit: number): Promise<DueWindow[]>;
  /** The schedule moved every pair of the window on: it is no longer due. Idempotent. */
  finishWindow(window: DueWindow): Promise<void>;
  /**
   * The schedule released the window's listed pairs (before it looks at them once more and finishes it): a
   * pair put back on its list from now on is released by its writer. Idempotent.
   */
  markWindowReleased(window: DueWindow, at: Instant): Promise<void>;
  /** Whether the schedule has released the window: marked so, or finished. */
  isWindowReleased(window: DueWindow): Promise<boolean>;

  getObjection(objectionId: string): Promise<Objection | undefined>;
  /** An objection that changes no entitlement, with its counters, audit line and receipt; false: it moved. */
  saveObjection(write: ObjectionWrite, audit: AuditEntry, receipt: Receipt): Promise<boolean>;

  /** The pair's notification was written and not yet delivered (PENDING or FAILED). */
  isNotificationPending(policyId: string, creditCode: string): Promise<boolean>;
  /** PENDING | FAILED | a SENDING claim older than `staleBefore` → SENDING, for one delivery attempt. */
  claimOutbox(policyId: string, creditCode: string, at: Instant, staleBefore: Instant): Promise<Claim>;
  /** SENDING → DELIVERED, counting one delivery on the pair's figure shard (once). */
  markDelivered(policyId: string, creditCode: string, at: Instant): Promise<boolean>;
  /** SENDING → PENDING (retried) or FAILED (`final`: the message goes to the DLQ), with the error. */
  markDeliveryFailed(policyId: string, creditCode: string, error: string, final: boolean, at: Instant): Promise<void>;

  readFigures(policyId: string): Promise<StoredFigures>;

  /**
   * The refusal, its receipt and audit line, each create-only (a redelivery keeps the first). Returns the
   * receipt that stands: this one, or what a first delivery of the event recorded.
   */
  recordRefusal(policyId: string, eventId: string, refusal: Refusal, receipt: Receipt, audit: AuditEntry): Promise<Receipt>;
  /** The receipt of an event that changed nothing, create-only. */
  recordReceipt(receipt: Receipt): Promise<void>;

  // The time index (docs/decisions/time-index.md).
  /** Files entries (idempotent), and sets the schedule's cursor to `cursorIfNone` when it has none. */
  putFlips(entries: readonly FlipEntry[], cursorIfNone: string): Promise<void>;
  /** One shard of a bucket: its entries in instant order, and the stored items that do not read as one. */
  queryFlips(bucket: string, shard: number): Promise<FlipShard>;
  deleteFlips(entries: readonly FlipEntry[]): Promise<void>;
  /**
   * Moves items that do not read as entries out of the index, each in one transaction (its copy put under
   * `FLIP-UNREADABLE`, its original deleted), where an operator can read, fix and file it again. An item
   * changed (or gone) since it was read is left as it is: returned, the others moved.
   */
  setAsideFlips(items: readonly UnreadableFlip[], now: Instant): Promise<UnreadableFlip[]>;
  getFlipCursor(): Promise<string | undefined>;
  advanceFlipCursor(bucket: string): Promise<void>;
}

/** A stored time-index item that does not read as an entry (readFlipEntry): its keys, why, and what it holds. */
export interface UnreadableFlip {
  readonly pk: string;
  readonly sk: string;
  readonly problem: string;
  /** Its attributes as stored, keys included, for the copy set aside. */
  readonly item: Readonly<Record<string, unknown>>;
}

export interface FlipShard {
  readonly entries: FlipEntry[];
  readonly unreadable: UnreadableFlip[];
}

// ---------------------------------------------------------------------------------------------------------
// Other capabilities, queues, channels

/** The registry's data, read through its public module (shared/registry/index.ts). */
export interface RegistryReader {
  /** How many enterprise shards the registry keeps: a publication matches one run of slices per shard. */
  readonly shards: number;
  getEnterpriseProfile(creditCode: string): Promise<EnterpriseProfile | undefined>;
  getPersonProfile(idNumber: string): Promise<PersonProfile | undefined>;
  getCredit(creditCode: string): Promise<CreditRecord | undefined>;
  /** A subject's profile and credit record read together (one request), each absent when there is none. */
  getSubject(kind: SubjectKind, id: string): Promise<{ readonly profile?: SubjectProfile; readonly credit?: CreditRecord }>;
  batchGetCredits(creditCodes: readonly string[]): Promise<ReadonlyMap<string, CreditRecord>>;
  /** Up to `limit` profiles of one shard after `cursor`, in credit-code order; `next` when more remain. */
  queryShardProfiles(shard: number, limit: number, cursor?: string): Promise<{ readonly profiles: readonly EnterpriseProfile[]; readonly next?: string }>;
  /** The same for person profiles (as many shards, in ID-number order): a person policy's slices. */
  queryShardPersons(shard: number, limit: number, cursor?: string): Promise<{ readonly profiles: readonly PersonProfile[]; readonly next?: string }>;
}

export type MatchSliceMessage = InternalEventOf<'civicflow.policy.match-slice'>;
export type NotifyMessage = InternalEventOf<'civicflow.entitlement.notify'>;
export type CreditMarkMessage = InternalEventOf<'civicflow.credit.marked'>;
export type RematchMessage = InternalEventOf<'civicflow.enterprise.rematch'>;

/**
 * The queues it sends to: match slices to the match workers, notifications to the notify worker, and a
 * recovery's benefit-fraud mark to the registry (which owns credit records).
 */
export interface QueueSenders {
  sendSlices(messages: readonly MatchSliceMessage[]): Promise<void>;
  sendNotifications(messages: readonly NotifyMessage[]): Promise<void>;
  sendCreditMarks(messages: readonly CreditMarkMessage[]): Promise<void>;
  /** Re-evaluations the time index found due, to the policy queue (as re-matches of their subjects). */
  sendRematches(messages: readonly RematchMessage[]): Promise<void>;
}

/** Outbound `gov.*` events for upstream systems. */
export interface OutboundPublisher {
  publish(events: readonly OutboundEvent[]): Promise<void>;
}

/** Where a notification reaches the enterprise (the log in development, a webhook otherwise); throws on failure. */
export interface ChannelSender {
  send(message: ChannelMessage): Promise<void>;
}

export interface Clock {
  /** ISO 8601, UTC. */
  now(): Instant;
}

export type EntitlementMetric =
  | 'EntitlementsNotified'
  | 'EntitlementsGranted'
  /** Natural days from becoming eligible to the push, summed over the pushes (÷ EntitlementsNotified: the mean). */
  | 'EligibleToPushDays'
  | 'MatchSliceProfiles'
  | 'NotificationFailures'
  | 'NotificationsDelivered'
  /** 公示 and 异议: objections filed (both kinds), third-party ones upheld or dismissed, pairs a self-objection listed. */
  | 'ObjectionsFiled'
  | 'ObjectionsUpheld'
  /** Of the upheld, those resolved after their pair was released: not removed (taking it back is a recovery). */
  | 'ObjectionsUpheldAfterRelease'
  | 'ObjectionsDismissed'
  | 'EntitlementsAddedBySelfObjection'
  /** 追回: disbursed entitlements recovered, and the yuan recovered. */
  | 'EntitlementsRecovered'
  | 'RecoveredAmount'
  /** Listed pairs paid, and the natural days from listing to payment summed over them (÷: the mean). */
  | 'PaidAfterPublicity'
  | 'PublicityToPaymentDays'
  /**
   * Listed pairs that lapsed (LAPSED): their policy was withdrawn, or past its validTo when the window ended,
   * before their release — at the close, or by a dismissal or self-objection processed after it.
   */
  | 'PublicityPairsLapsed'
  /** 公示 windows the schedule's close finished, each counted as it finishes. */
  | 'PublicityWindowsClosed'
  /** Pairs the time index sent back to be evaluated again (a birthday, a policy's validFrom), as they are sent. */
  | 'TimeIndexReevaluations';

/** Called only after the write the figure describes committed. */
export interface MetricsSink {
  count(metric: EntitlementMetric, value: number): void;
  /** From a policy's publication to its last push, when its matching run completes. */
  publishToLastPush(policyId: string, ms: number): void;
}

export interface EntitlementSettings {
  /** Profiles per match slice. */
  readonly sliceSize: number;
  /** The stage's IANA time zone: criteria are compiled for it and policy windows read in it. */
  readonly timeZone: string;
  /** The notify queue's maxReceiveCount: the last receive marks a failed delivery FAILED. */
  readonly notifyMaxReceives: number;
  /** Whether the publicity list masks enterprises' names and credit codes (the stage's choice; default not). */
  readonly maskPublicityList: boolean;
  /**
   * How long the close of a publicity window waits after its end before releasing its pairs: the policy
   * queue's longest delivery, so an objection received in time is processed first.
   */
  readonly publicityCloseGraceMs: number;
}

/**
 * What the policy queue's use cases (service.ts `PolicyEventService`) use: the store without the notification
 * outbox's delivery and the schedule's publicity-window and time-index reads, and no channel. The policy
 * function is wired to these only, so its bundle leaves that code out.
 */
export type PolicyEventStore = Omit<
  EntitlementStore,
  'claimOutbox' | 'markDelivered' | 'markDeliveryFailed' | 'listDueWindows' | 'markWindowReleased' | 'finishWindow' | 'queryFlips' | 'deleteFlips' | 'setAsideFlips' | 'getFlipCursor' | 'advanceFlipCursor'
>;
export type PolicyEventPorts = Omit<EntitlementPorts, 'store' | 'channel'> & { readonly store: PolicyEventStore };

export interface EntitlementPorts {
  readonly store: EntitlementStore;
  readonly registry: RegistryReader;
  readonly queues: QueueSenders;
  readonly outbound: OutboundPublisher;
  readonly channel: ChannelSender;
  readonly clock: Clock;
  /** The stage's working-day calendar: publicity windows are counted in working days. */
  readonly calendar: PublicityCalendar;
  readonly metrics: MetricsSink;
  readonly settings: EntitlementSettings;
}
