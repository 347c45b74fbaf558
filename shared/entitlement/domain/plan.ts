/**
 * What every planner of the entitlement state machine returns (transitions.ts has the planners, and the
 * states and moves): either a transition for the adapter to apply as one conditional write
 * (`state = from AND revision = fromRevision`, or `attribute_not_exists` when from is null; plus
 * `remaining >= amount` on the budget item when it reserves), `unchanged` (nothing to write: a duplicate,
 * a replay, or nothing to do), or `refused` (an external command that cannot apply: record it).
 *
 * A new state is a row in the tables here (PUSHED_STATES when matching must no longer move it, STAMP when
 * the record keeps the time it was first reached) and in figures.ts (its counter), a reason in
 * types.ts, and a planner in transitions.ts; `transition()` builds every record, history and
 * newly-reached list the same way, so counters and figures follow without further code.
 */
import { sumDecimals } from '#util/decimal';
import type { PolicyInactiveReason } from './policy';
import type {
  Entitlement,
  EntitlementState,
  ExplanationSummary,
  HistoryEntry,
  Instant,
  Policy,
  PublicityWindow,
  TransitionReason,
} from './types';

/** States at or after the push: matching never changes them again. */
export const PUSHED_STATES: ReadonlySet<EntitlementState> = new Set([
  'NOTIFIED', 'GRANTED', 'CONFIRMED', 'DISBURSED', 'EXHAUSTED', 'RECOVERED',
]);

/**
 * States of a pair on a publicity list (公示): matching does not move them either, since listed pairs are
 * not re-evaluated — objections are how the list is corrected.
 */
export const LISTED_STATES: ReadonlySet<EntitlementState> = new Set(['PUBLICIZED', 'OBJECTED', 'REMOVED', 'LAPSED']);

export interface NotificationIntent {
  /** The same for every attempt on the pair, so the outbound queue and channel senders dedupe too. */
  readonly notificationId: string;
  readonly policyId: string;
  readonly policyVersion: number;
  readonly policyName: string;
  readonly creditCode: string;
  readonly channels: readonly string[];
  /** `confirm`: invites the one-click confirmation; `granted`: announces a benefit already granted. */
  readonly purpose: 'confirm' | 'granted';
  readonly benefit: Policy['benefit'];
  readonly at: Instant;
}

export interface BudgetReservation {
  /** Taken atomically: `ADD remaining -amount` with the condition `remaining >= amount`. */
  readonly amount: number;
}

export interface Step {
  readonly from: EntitlementState | null;
  readonly to: EntitlementState;
  readonly reason: TransitionReason;
}

export interface Transition {
  readonly policyId: string;
  readonly creditCode: string;
  /** null: the entitlement does not exist yet (condition `attribute_not_exists`). */
  readonly from: EntitlementState | null;
  readonly fromRevision: number | null;
  readonly to: EntitlementState;
  /** One or two steps (a grant passes NOTIFIED on its way to GRANTED); empty for a refresh. */
  readonly steps: readonly Step[];
  readonly reason: TransitionReason;
  readonly at: Instant;
  /** States reached for the first time by this transition; figures count these exactly once. */
  readonly newlyReached: readonly EntitlementState[];
  /** The whole record after the write. */
  readonly next: Entitlement;
  readonly reservation?: BudgetReservation;
  /** Returned to the budget (an upheld objection, a recovery): `ADD remaining +amount`, the reserved total down by it. */
  readonly release?: BudgetReservation;
  /** Emitted with the write (outbox), never without it. */
  readonly notification?: NotificationIntent;
  /** The publicity window the pair is listed in; `opens`: this write opens it (the policy's window record). */
  readonly window?: { readonly window: PublicityWindow; readonly opens: boolean };
  /** Natural days from the listing to the payment (a disbursement of a listed pair), for the figures. */
  readonly publicityToPaymentDays?: number;
  /** Natural days from becoming eligible to this push (the write that first reaches NOTIFIED), for the figures. */
  readonly eligibleToPushDays?: number;
}

export type UnchangedReason =
  | 'NOT_MATCHED'
  | 'ALREADY_IN_STATE'
  | 'ALREADY_PUSHED'
  | 'ALREADY_NOTIFIED'
  | 'ALREADY_CONFIRMED'
  | 'ALREADY_DISBURSED'
  | 'NOT_ELIGIBLE'
  | 'STALE_POLICY_VERSION'
  | 'NO_CHANNELS'
  | 'NOT_A_GRANT_POLICY'
  | 'ALREADY_LISTED'
  | 'WINDOW_OPEN'
  | 'NOT_LISTED'
  | 'ALREADY_OBJECTED'
  /** A third-party objection received in time, processed after its pair was released: it holds nothing. */
  | 'ALREADY_RELEASED'
  | 'ALREADY_RESOLVED'
  | 'ALREADY_RECOVERED'
  | PolicyInactiveReason;

export type RefusalReason =
  | 'ENTITLEMENT_UNKNOWN'
  | 'POLICY_UNKNOWN'
  | 'NOT_A_CONFIRM_POLICY'
  | 'NOT_ELIGIBLE'
  | 'NOT_NOTIFIED'
  | 'NOT_GRANTED_OR_CONFIRMED'
  | 'BUDGET_EXHAUSTED'
  | 'DISBURSEMENT_CONFLICT'
  | 'INVALID_AMOUNT'
  | 'BUDGET_UNKNOWN'
  | 'NO_PUBLICITY'
  | 'OBJECTION_OUT_OF_WINDOW'
  | 'NOT_LISTED'
  | 'OBJECTION_UNKNOWN'
  | 'SUBJECT_KIND_MISMATCH'
  | 'DECLARED_FACT_MISMATCH'
  | 'NOT_DISBURSED'
  | 'RECOVERY_EXCEEDS_DISBURSED'
  | 'RECOVERY_CONFLICT'
  | PolicyInactiveReason;

export type Plan =
  | { readonly kind: 'transition'; readonly transition: Transition }
  | { readonly kind: 'unchanged'; readonly reason: UnchangedReason }
  | { readonly kind: 'refused'; readonly reason: RefusalReason; readonly message: string };

export const unchanged = (reason: UnchangedReason): Plan => ({ kind: 'unchanged', reason });
export const refused = (reason: RefusalReason, message: string): Plan => ({ kind: 'refused', reason, message });

export interface TransitionInput {
  readonly policyId: string;
  readonly creditCode: string;
  readonly policyVersion: number;
  readonly at: Instant;
  readonly steps: readonly Step[];
  readonly explanation?: ExplanationSummary;
  readonly reservation?: BudgetReservation;
  readonly notification?: NotificationIntent;
  readonly amountDisbursed?: number;
  readonly release?: BudgetReservation;
  readonly window?: Transition['window'];
  /** Fields of the record set by this write (publicity, open objections); `undefined` removes one. */
  readonly set?: Partial<Pick<Entitlement, 'publicity' | 'openObjections' | 'recovery'>>;
  readonly publicityToPaymentDays?: number;
  readonly eligibleToPushDays?: number;
  readonly amountRecovered?: number;
}

const STAMP: Partial<Record<EntitlementState, keyof Entitlement>> = {
  NOTIFIED: 'notifiedAt',
  GRANTED: 'grantedAt',
  CONFIRMED: 'confirmedAt',
  DISBURSED: 'disbursedAt',
  EXHAUSTED: 'exhaustedAt',
  PUBLICIZED: 'publicizedAt',
  OBJECTED: 'objectedAt',
  REMOVED: 'removedAt',
  LAPSED: 'lapsedAt',
  RECOVERED: 'recoveredAt',
};

/** The planned write: the record after it, its history and the states it reaches for the first time. */
export function transition(existing: Entitlement | undefined, input: TransitionInput): Plan {
  const { steps, at } = input;
  const last = steps[steps.length - 1];
  const to = last?.to ?? existing!.state;
  const reached = [...(existing?.reached ?? [])];
  const newlyReached: EntitlementState[] = [];
  const stamps: Record<string, Instant> = {};
  const history: HistoryEntry[] = [...(existing?.history ?? [])];
  for (const step of steps) {
    if (!reached.includes(step.to)) {
      reached.push(step.to);
      newlyReached.push(step.to);
      const stamp = STAMP[step.to];
      if (stamp !== undefined) stamps[stamp] = at;
    }
    history.push({ from: step.from, to: step.to, at, reason: step.reason });
  }
  const explanation = input.explanation ?? existing?.explanation;
  const base: Record<string, unknown> = { ...(existing ?? {}), ...(input.set ?? {}) };
  for (const [k, v] of Object.entries(input.set ?? {})) if (v === undefined) delete base[k];
  const next: Entitlement = {
    ...(base as Partial<Entitlement>),
    policyId: input.policyId,
    creditCode: input.creditCode,
    policyVersion: input.policyVersion,
    state: to,
    reached,
    revision: (existing?.revision ?? 0) + 1,
    ...(explanation !== undefined ? { explanation } : {}),
    history,
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
    ...stamps,
    ...(input.reservation !== undefined ? { amountReserved: input.reservation.amount } : {}),
    // What the pair still holds of the budget: an upheld objection returns all of it, a recovery part.
    ...(input.release !== undefined ? { amountReserved: Math.max(0, sumDecimals([existing?.amountReserved ?? 0, -input.release.amount])) } : {}),
    ...(input.amountDisbursed !== undefined ? { amountDisbursed: input.amountDisbursed } : {}),
    ...(input.amountRecovered !== undefined ? { amountRecovered: input.amountRecovered } : {}),
  };
  return {
    kind: 'transition',
    transition: {
      policyId: input.policyId,
      creditCode: input.creditCode,
      from: existing?.state ?? null,
      fromRevision: existing?.revision ?? null,
      to,
      steps,
      reason: last?.reason ?? 'REMATCHED',
      at,
      newlyReached,
      next,
      ...(input.reservation !== undefined ? { reservation: input.reservation } : {}),
      ...(input.notification !== undefined ? { notification: input.notification } : {}),
      ...(input.release !== undefined ? { release: input.release } : {}),
      ...(input.window !== undefined ? { window: input.window } : {}),
      ...(input.publicityToPaymentDays !== undefined ? { publicityToPaymentDays: input.publicityToPaymentDays } : {}),
      ...(input.eligibleToPushDays !== undefined ? { eligibleToPushDays: input.eligibleToPushDays } : {}),
    },
  };
}


/** NOTIFIED was ever reached: the pair has been pushed and never will be again. */
export function hasBeenNotified(e: Entitlement): boolean {
  return e.notifiedAt !== undefined || e.reached.includes('NOTIFIED');
}
