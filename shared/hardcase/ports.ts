/**
 * What the hard-case use cases need from the world, so unit tests pass small in-memory adapters
 * (tests/support/memory/hardcase.ts) and the functions pass the DynamoDB store (store.ts), the outbound
 * queue, the functions' clock and the stage's calendar.
 */
import type { WorkingCalendar } from '#calendar/types';
import type { OutboundEvent } from '#contract/outbound';
import type { AuditEntry } from '#platform/audit';
import type { Receipt } from '#platform/receipts';
import type { HardCase, HardCaseConfig, OfferDecision, OfferItem } from './domain';

/** An update or report refused after acceptance, kept on the case for auditors (and as a receipt). */
export interface RefusedEvent {
  readonly source: string;
  readonly eventId: string;
  readonly type: string;
  readonly action?: string;
  readonly code: string;
  readonly reason: string;
  /** When the refused step says it happened. */
  readonly at?: string;
  /** When it was refused (the functions' clock). */
  readonly recordedAt: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface StoredCase {
  readonly hardCase: HardCase;
  /** The content hash of the report that opened it (absent for an offered case). */
  readonly reportHash?: string;
  readonly refused: readonly RefusedEvent[];
  /** Outbound events written with a change and not yet published. */
  readonly outbox: readonly OutboundEvent[];
}

/** One state change of a case, written all together or not at all. */
export interface CaseWrite {
  readonly hardCase: HardCase;
  /** The version loaded; undefined when the case is created (create-only). */
  readonly expectedVersion?: number;
  readonly reportHash?: string;
  /** The local month of the report ("YYYY-MM"), which lists the case. */
  readonly month: string;
  /** The next deadline the schedule must look at; undefined when none can fall due any more. */
  readonly dueAt?: string;
  readonly audits: readonly AuditEntry[];
  readonly outbound: readonly OutboundEvent[];
  /** The receipt of the inbound event that made the change (internal events and the schedule have none). */
  readonly receipt?: Receipt;
  /** An offer closes its application's watch, if that watch is still at this sequence. */
  readonly closesWatch?: { readonly applicationId: string; readonly sequence: number };
}

/** What the hard-case capability keeps of an application's latest decision version. */
export interface Watch {
  readonly applicationId: string;
  readonly sequence: number;
  readonly decision: OfferDecision;
  readonly item?: OfferItem;
  /** When a manual review runs past its promised days; absent once nothing is to be offered. */
  readonly dueAt?: string;
  /** The case offered for it, once offered. */
  readonly offeredCaseId?: string;
}

export interface HardCaseStore {
  loadCase(caseId: string): Promise<StoredCase | undefined>;
  /** 'conflict': the case changed since it was loaded (or exists, on create), or the watch moved on. */
  writeCase(write: CaseWrite): Promise<'committed' | 'conflict'>;
  /**
   * Records a refusal with its audit line and receipt, all together, create-only: a redelivered refusal
   * records nothing new (no second line either). True when this call wrote it, false when an earlier
   * delivery had (so the refusal is counted once). `caseId` undefined: no case to keep it on, the line and
   * the receipt record it.
   */
  recordRefusal(caseId: string | undefined, refused: RefusedEvent, audit: AuditEntry, receipt: Receipt | undefined): Promise<boolean>;
  /** Records a receipt on its own (no change), create-only. */
  recordReceipt(receipt: Receipt): Promise<void>;
  /** Deletes published outbox entries. */
  clearOutbox(caseId: string, eventIds: readonly string[]): Promise<void>;
  loadWatch(applicationId: string): Promise<Watch | undefined>;
  /** Stores the watch if none is stored or the stored one has a lower sequence; false otherwise. */
  putWatch(watch: Watch): Promise<boolean>;
  /** Marks the watch done (its case was offered), if it is still at `sequence`; false otherwise. */
  closeWatch(applicationId: string, sequence: number, caseId: string): Promise<boolean>;
  /** Ids of cases whose next deadline is at or before `now`. */
  dueCases(now: string): Promise<string[]>;
  /** Application ids of watches whose promised days ran out at or before `now`. */
  dueWatches(now: string): Promise<string[]>;
  /** Every case reported in a local month, oldest report first. */
  casesOfMonth(month: string): Promise<HardCase[]>;
}

export interface HardCasePorts {
  readonly store: HardCaseStore;
  /** Sends outbound events to upstream systems (the outbound queue); throws when they could not be queued. */
  readonly publish: (events: readonly OutboundEvent[]) => Promise<void>;
  readonly now: () => string;
  readonly calendar: Pick<WorkingCalendar, 'addWorkingDays' | 'localDate'>;
  readonly config: HardCaseConfig;
}
