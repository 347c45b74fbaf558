/**
 * What a review use case decides for one case, before anything is written: the effect on storage and
 * what it answers its caller. The decide functions (cases.ts, steps.ts, schedule.ts) are pure given the
 * loaded case, the time, the calendar and the deadlines; `carry-out.ts` carries the effect out.
 */
import type { WorkingCalendar } from '#calendar/types';
import type { AuditEntry } from '#platform/audit';
import type { EventRef, Receipt } from '#platform/receipts';
import { refusalAnswer } from '#platform/refusals';
import type { OverdueKind, Rectification, ReviewConfig } from '../domain/types';
import type { Rejection, ReviewChange } from '../ports';

export type Effect =
  /** A state change: committed in one transaction (with the batch's, in a group commit), then published. */
  | { readonly kind: 'write'; readonly change: ReviewChange }
  /** A semantic refusal: recorded once with its audit line and receipt. */
  | { readonly kind: 'refuse'; readonly caseId: string; readonly rejection: Rejection; readonly audit: AuditEntry; readonly receipt?: Receipt }
  /** Nothing changed (a redelivery): only the event's receipt, create-only. */
  | { readonly kind: 'receipt'; readonly receipt: Receipt }
  | { readonly kind: 'none' };

export interface Decision<T> {
  readonly effect: Effect;
  readonly result: T;
  /**
   * For a `refuse` effect: what to answer when the refusal was recorded before (a redelivery, or the same
   * review or step under another event), so the caller counts a refusal once, when it is first written.
   */
  readonly recordedBefore?: T;
}

/** What the decide functions are given besides the loaded case. */
export interface DecideContext {
  /** The functions' clock when the use case started. */
  readonly now: string;
  readonly calendar: Pick<WorkingCalendar, 'localDate' | 'addWorkingDays'>;
  readonly config: ReviewConfig;
}

/** Overdue flags raised on one rectification, for the alarm's count and the overdue log line. */
export interface OverdueFlags {
  readonly kinds: readonly OverdueKind[];
  /** The rectification in the state the flags found it (for the log line); absent when nothing was flagged. */
  readonly rect?: Rectification;
  /** The moment of the flags: the schedule's run, or the time a step was taken. */
  readonly at?: string;
}

/** What an event did, for the consumer's metrics and log lines. */
export interface Outcome {
  readonly outcome: 'completed' | 'accepted' | 'parked' | 'duplicate' | 'rejected' | 'applied' | 'refused';
  readonly code?: string;
  readonly reason?: string;
  /** For metrics: the level of an accepted review. */
  readonly level?: number;
  /**
   * A refusal that an earlier delivery (or the same review or step under another event) recorded first:
   * answered and logged again, but not counted again.
   */
  readonly recordedBefore?: boolean;
  /** An applied step taken after a deadline had passed unflagged: the flags it raised as of its moment. */
  readonly overdue?: OverdueFlags;
  /** An applied step taken by a deadline whose flag was raised before it arrived: the flags it withdrew. */
  readonly withdrawn?: OverdueFlags;
  /**
   * A completed case that had reviews parked for it: the levels of those it applied and the refusals of those
   * it refused, so they are counted as reviews submitted once the case is there (absent when none was parked).
   */
  readonly parked?: {
    readonly applied: readonly number[];
    readonly refused: readonly { readonly code: string; readonly reason: string; readonly event?: EventRef }[];
  };
}

export const nothing: Effect = { kind: 'none' };

/**
 * A refusal's decision: the effect that records it, answered `result` when this delivery records it, and the
 * same answer flagged `recordedBefore` when an earlier one did (see `Decision.recordedBefore`).
 */
export function refusal(effect: Extract<Effect, { kind: 'refuse' }>, result: Outcome): Decision<Outcome> {
  return { effect, result, recordedBefore: refusalAnswer(result, false) };
}
