/**
 * The entitlement state machine (SPEC §5):
 *
 *   (none) → ELIGIBLE | NEEDS_INFO
 *   NEEDS_INFO ⇄ ELIGIBLE, both → INELIGIBLE → ELIGIBLE | NEEDS_INFO   (only before any push)
 *   ELIGIBLE → NOTIFIED                      (confirm policy: push an invitation to confirm)
 *   NOTIFIED → CONFIRMED | EXHAUSTED         (gov.policy.confirmed: reserve benefit.amount)
 *   ELIGIBLE → NOTIFIED → GRANTED | EXHAUSTED (grant policy: one write, see planNotification)
 *   GRANTED | CONFIRMED → DISBURSED          (gov.policy.disbursed)
 *
 * Every planner returns either a transition for the adapter to apply as one conditional write
 * (`state = from AND revision = fromRevision`, or `attribute_not_exists` when from is null; plus
 * `remaining >= amount` on the budget item when it reserves), `unchanged` (nothing to write: a duplicate,
 * a replay, or nothing to do), or `refused` (an external command that cannot apply: record it).
 *
 * Never twice: NOTIFIED is planned only from ELIGIBLE and only when the entitlement has never reached
 * NOTIFIED, and nothing ever returns to ELIGIBLE once NOTIFIED was reached, so of two racing writers
 * at most one passes the condition and a replay finds the state moved on.
 */
import { policyInactiveReason, type PolicyInactiveReason } from './policy';
import type { MatchResult } from './match';
import type {
  Entitlement,
  EntitlementState,
  ExplanationSummary,
  HistoryEntry,
  Instant,
  Policy,
  TransitionReason,
} from './types';

/** States at or after the push: matching never changes them again. */
export const PUSHED_STATES: ReadonlySet<EntitlementState> = new Set([
  'NOTIFIED', 'GRANTED', 'CONFIRMED', 'DISBURSED', 'EXHAUSTED',
]);

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
  /** Emitted with the write (outbox), never without it. */
  readonly notification?: NotificationIntent;
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
  | PolicyInactiveReason;

export type Plan =
  | { readonly kind: 'transition'; readonly transition: Transition }
  | { readonly kind: 'unchanged'; readonly reason: UnchangedReason }
  | { readonly kind: 'refused'; readonly reason: RefusalReason; readonly message: string };

const unchanged = (reason: UnchangedReason): Plan => ({ kind: 'unchanged', reason });
const refused = (reason: RefusalReason, message: string): Plan => ({ kind: 'refused', reason, message });

interface TransitionInput {
  readonly policyId: string;
  readonly creditCode: string;
  readonly policyVersion: number;
  readonly at: Instant;
  readonly steps: readonly Step[];
  readonly explanation?: ExplanationSummary;
  readonly reservation?: BudgetReservation;
  readonly notification?: NotificationIntent;
  readonly amountDisbursed?: number;
}

const STAMP: Partial<Record<EntitlementState, keyof Entitlement>> = {
  NOTIFIED: 'notifiedAt',
  GRANTED: 'grantedAt',
  CONFIRMED: 'confirmedAt',
  DISBURSED: 'disbursedAt',
  EXHAUSTED: 'exhaustedAt',
};

function transition(existing: Entitlement | undefined, input: TransitionInput): Plan {
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
  const next: Entitlement = {
    ...(existing ?? {}),
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
    ...(input.amountDisbursed !== undefined ? { amountDisbursed: input.amountDisbursed } : {}),
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
    },
  };
}

function sameSummary(a: ExplanationSummary | undefined, b: ExplanationSummary | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const eq = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return eq(a.held, b.held) && eq(a.failed, b.failed) && eq(a.unknown, b.unknown);
}

function hasBeenNotified(e: Entitlement): boolean {
  return e.notifiedAt !== undefined || e.reached.includes('NOTIFIED');
}

/**
 * Applies a match result (publish, republish of a new version, or a profile or credit update) to the
 * pair's entitlement. Only states before the push move; a pushed entitlement keeps its state whatever a
 * later version or profile says, so no push is ever repeated or taken back.
 */
export function onMatched(
  existing: Entitlement | undefined,
  policy: Policy,
  match: MatchResult,
  now: Instant,
): Plan {
  if (match.policyId !== policy.policyId) {
    throw new Error(`match for policy ${match.policyId} applied to policy ${policy.policyId}`);
  }
  if (existing !== undefined && match.policyVersion < existing.policyVersion) {
    return unchanged('STALE_POLICY_VERSION');
  }
  if (policy.status === 'withdrawn') return unchanged('POLICY_WITHDRAWN');
  const inactive = inactiveOf(match);
  if (inactive !== undefined) return unchanged(inactive);
  if (existing !== undefined && (PUSHED_STATES.has(existing.state) || hasBeenNotified(existing))) {
    return unchanged('ALREADY_PUSHED');
  }

  const target: EntitlementState | undefined =
    match.outcome === 'eligible' ? 'ELIGIBLE' : match.outcome === 'needsInfo' ? 'NEEDS_INFO' : undefined;
  const base = {
    policyId: policy.policyId,
    creditCode: match.creditCode,
    policyVersion: match.policyVersion,
    at: now,
    ...(match.summary !== undefined ? { explanation: match.summary } : {}),
  };

  if (existing === undefined) {
    if (target === undefined) return unchanged('NOT_MATCHED');
    const reason = target === 'ELIGIBLE' ? 'MATCHED_ELIGIBLE' : 'MATCHED_NEEDS_INFO';
    return transition(undefined, { ...base, steps: [{ from: null, to: target, reason }] });
  }

  const to = target ?? 'INELIGIBLE';
  if (to === existing.state) {
    const refreshed = existing.policyVersion !== match.policyVersion ||
      (match.summary !== undefined && !sameSummary(existing.explanation, match.summary));
    return refreshed ? transition(existing, { ...base, steps: [] }) : unchanged('ALREADY_IN_STATE');
  }
  const reason: TransitionReason =
    to === 'ELIGIBLE'
      ? existing.state === 'NEEDS_INFO' ? 'INFO_ARRIVED' : 'MATCHED_ELIGIBLE'
      : to === 'NEEDS_INFO'
        ? 'MATCHED_NEEDS_INFO'
        : match.reason === 'DISHONEST' ? 'DISHONEST' : 'NO_LONGER_MATCHED';
  return transition(existing, { ...base, steps: [{ from: existing.state, to, reason }] });
}

function inactiveOf(match: MatchResult): PolicyInactiveReason | undefined {
  switch (match.reason) {
    case 'POLICY_WITHDRAWN':
    case 'POLICY_NOT_YET_VALID':
    case 'POLICY_EXPIRED':
    case 'POLICY_WINDOW_INVALID':
      return match.reason;
    default:
      return undefined;
  }
}

export type ReserveResult =
  | { readonly ok: true; readonly amount: number; readonly remainingAfter: number }
  | { readonly ok: false; readonly reason: 'BUDGET_EXHAUSTED'; readonly remaining: number; readonly amount: number };

/**
 * A budget reservation: fine while what remains is at least the amount (the adapter applies it as
 * `ADD remaining -amount` with the condition `remaining >= amount`, so concurrent reservations cannot
 * overspend; a failed condition means re-read and plan again).
 */
export function reserve(budgetRemaining: number, amount: number): ReserveResult {
  if (budgetRemaining < amount) return { ok: false, reason: 'BUDGET_EXHAUSTED', remaining: budgetRemaining, amount };
  return { ok: true, amount, remainingAfter: budgetRemaining - amount };
}

/** The amount a grant or confirmation takes from the budget, or 0 when the policy has no budget or no amount. */
export function reservationAmount(policy: Policy): number {
  const amount = policy.benefit.amount;
  return policy.budget === undefined || amount === undefined || amount <= 0 ? 0 : amount;
}

type Reserved = { ok: true; reservation?: BudgetReservation } | { ok: false; message: string } | { ok: 'unknown' };

function reserveFor(policy: Policy, budgetRemaining: number | undefined): Reserved {
  const amount = reservationAmount(policy);
  if (amount === 0) return { ok: true };
  if (budgetRemaining === undefined) return { ok: 'unknown' };
  const r = reserve(budgetRemaining, amount);
  return r.ok
    ? { ok: true, reservation: { amount } }
    : { ok: false, message: `budget remaining ${budgetRemaining} is less than the amount ${amount}` };
}

function notificationFor(policy: Policy, e: Entitlement, purpose: 'confirm' | 'granted', at: Instant): NotificationIntent {
  return {
    notificationId: `${policy.policyId}#${e.creditCode}`,
    policyId: policy.policyId,
    policyVersion: policy.version,
    policyName: policy.name,
    creditCode: e.creditCode,
    channels: policy.channels,
    purpose,
    benefit: policy.benefit,
    at,
  };
}

/**
 * The push, at most once per pair and only while the policy is active.
 *
 * Order for a `grant` policy: ELIGIBLE → NOTIFIED → GRANTED in ONE write, with the budget reservation,
 * and the notification announces the benefit as granted. Reserving first means an enterprise is never
 * told of a benefit the budget cannot pay (a budget already spent gives ELIGIBLE → EXHAUSTED and no push);
 * one write means there is no window in which it was told but not granted. The history still records
 * both steps, so the entitlement has reached NOTIFIED and GRANTED as SPEC §5 lists them.
 *
 * `budgetRemaining` is required when the policy has a budget and a benefit amount.
 */
export function planNotification(
  entitlement: Entitlement,
  policy: Policy,
  now: Instant,
  budgetRemaining?: number,
  utcOffsetMinutes?: number,
): Plan {
  checkPair(entitlement, policy);
  if (hasBeenNotified(entitlement)) return unchanged('ALREADY_NOTIFIED');
  if (entitlement.state !== 'ELIGIBLE') return unchanged('NOT_ELIGIBLE');
  const inactive = policyInactiveReason(policy, now, utcOffsetMinutes);
  if (inactive !== undefined) return unchanged(inactive);
  if (policy.channels.length === 0) return unchanged('NO_CHANNELS');
  const base = { policyId: policy.policyId, creditCode: entitlement.creditCode, policyVersion: policy.version, at: now };

  if (policy.kind === 'confirm') {
    return transition(entitlement, {
      ...base,
      steps: [{ from: 'ELIGIBLE', to: 'NOTIFIED', reason: 'PUSHED' }],
      notification: notificationFor(policy, entitlement, 'confirm', now),
    });
  }
  const reserved = reserveFor(policy, budgetRemaining);
  if (reserved.ok === 'unknown') throw budgetUnknown(policy);
  if (reserved.ok === false) {
    return transition(entitlement, { ...base, steps: [{ from: 'ELIGIBLE', to: 'EXHAUSTED', reason: 'BUDGET_EXHAUSTED' }] });
  }
  return transition(entitlement, {
    ...base,
    steps: [
      { from: 'ELIGIBLE', to: 'NOTIFIED', reason: 'PUSHED' },
      { from: 'NOTIFIED', to: 'GRANTED', reason: 'GRANTED_AT_ONCE' },
    ],
    ...(reserved.reservation !== undefined ? { reservation: reserved.reservation } : {}),
    notification: notificationFor(policy, entitlement, 'granted', now),
  });
}

/**
 * Completes a grant left NOTIFIED (a pair pushed while its policy was a `confirm` policy, before a new
 * version made it a `grant`). Does not push again.
 */
export function planGrant(entitlement: Entitlement, policy: Policy, now: Instant, budgetRemaining?: number): Plan {
  checkPair(entitlement, policy);
  if (policy.kind !== 'grant') return unchanged('NOT_A_GRANT_POLICY');
  if (entitlement.state !== 'NOTIFIED') {
    return entitlement.reached.includes('GRANTED') ? unchanged('ALREADY_IN_STATE') : unchanged('NOT_ELIGIBLE');
  }
  if (policy.status === 'withdrawn') return unchanged('POLICY_WITHDRAWN');
  const base = { policyId: policy.policyId, creditCode: entitlement.creditCode, policyVersion: policy.version, at: now };
  const reserved = reserveFor(policy, budgetRemaining);
  if (reserved.ok === 'unknown') throw budgetUnknown(policy);
  if (reserved.ok === false) {
    return transition(entitlement, { ...base, steps: [{ from: 'NOTIFIED', to: 'EXHAUSTED', reason: 'BUDGET_EXHAUSTED' }] });
  }
  return transition(entitlement, {
    ...base,
    steps: [{ from: 'NOTIFIED', to: 'GRANTED', reason: 'GRANTED_AT_ONCE' }],
    ...(reserved.reservation !== undefined ? { reservation: reserved.reservation } : {}),
  });
}

/**
 * `gov.policy.confirmed`: the enterprise's one-click confirmation of a pushed `confirm` policy. It reserves
 * the amount; a confirmation after withdrawal or after the policy's window is refused.
 */
export function onConfirmed(
  entitlement: Entitlement | undefined,
  policy: Policy | undefined,
  at: Instant,
  budgetRemaining?: number,
  utcOffsetMinutes?: number,
): Plan {
  if (policy === undefined) return refused('POLICY_UNKNOWN', 'no such policy');
  if (entitlement === undefined) {
    return refused('ENTITLEMENT_UNKNOWN', `no entitlement to policy ${policy.policyId} for this enterprise`);
  }
  checkPair(entitlement, policy);
  if (entitlement.reached.includes('CONFIRMED')) return unchanged('ALREADY_CONFIRMED');
  if (policy.kind !== 'confirm') {
    return refused('NOT_A_CONFIRM_POLICY', `policy ${policy.policyId} is a grant policy and needs no confirmation`);
  }
  switch (entitlement.state) {
    case 'EXHAUSTED':
      return refused('BUDGET_EXHAUSTED', `the budget of policy ${policy.policyId} is spent`);
    case 'ELIGIBLE':
      return refused('NOT_NOTIFIED', 'the enterprise has not been notified of this policy yet');
    case 'NOTIFIED':
      break;
    default:
      return refused('NOT_ELIGIBLE', `the entitlement is ${entitlement.state}, not awaiting confirmation`);
  }
  const inactive = policyInactiveReason(policy, at, utcOffsetMinutes);
  if (inactive !== undefined) return refused(inactive, `policy ${policy.policyId} is not active at ${at}`);
  const base = { policyId: policy.policyId, creditCode: entitlement.creditCode, policyVersion: entitlement.policyVersion, at };
  const reserved = reserveFor(policy, budgetRemaining);
  if (reserved.ok === 'unknown') {
    return refused('BUDGET_UNKNOWN', `policy ${policy.policyId} has a budget but no remaining amount was given`);
  }
  if (reserved.ok === false) {
    return transition(entitlement, { ...base, steps: [{ from: 'NOTIFIED', to: 'EXHAUSTED', reason: 'BUDGET_EXHAUSTED' }] });
  }
  return transition(entitlement, {
    ...base,
    steps: [{ from: 'NOTIFIED', to: 'CONFIRMED', reason: 'CONFIRMED_BY_ENTERPRISE' }],
    ...(reserved.reservation !== undefined ? { reservation: reserved.reservation } : {}),
  });
}

/**
 * `gov.policy.disbursed`: the money (or exemption) reached the enterprise. Allowed after withdrawal, since
 * what was granted or confirmed stays owed. A repeat with the same amount changes nothing; a repeat with a
 * different amount is a recorded conflict.
 */
export function onDisbursed(entitlement: Entitlement | undefined, amount: number, at: Instant): Plan {
  if (entitlement === undefined) return refused('ENTITLEMENT_UNKNOWN', 'no entitlement to disburse');
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
    return refused('INVALID_AMOUNT', `amount must be a finite number >= 0; got ${String(amount)}`);
  }
  if (entitlement.state === 'DISBURSED') {
    return entitlement.amountDisbursed === amount
      ? unchanged('ALREADY_DISBURSED')
      : refused('DISBURSEMENT_CONFLICT', `already disbursed ${String(entitlement.amountDisbursed)}, now ${amount}`);
  }
  if (entitlement.state === 'NEEDS_INFO' || entitlement.state === 'INELIGIBLE' || entitlement.state === 'ELIGIBLE') {
    return refused('NOT_ELIGIBLE', `the entitlement is ${entitlement.state}; nothing was granted or confirmed`);
  }
  if (entitlement.state !== 'GRANTED' && entitlement.state !== 'CONFIRMED') {
    return refused('NOT_GRANTED_OR_CONFIRMED', `the entitlement is ${entitlement.state}, neither granted nor confirmed`);
  }
  return transition(entitlement, {
    policyId: entitlement.policyId,
    creditCode: entitlement.creditCode,
    policyVersion: entitlement.policyVersion,
    at,
    steps: [{ from: entitlement.state, to: 'DISBURSED', reason: 'DISBURSED' }],
    amountDisbursed: amount,
  });
}

function checkPair(entitlement: Entitlement, policy: Policy): void {
  if (entitlement.policyId !== policy.policyId) {
    throw new Error(`entitlement of policy ${entitlement.policyId} planned against policy ${policy.policyId}`);
  }
}

function budgetUnknown(policy: Policy): Error {
  return new Error(`policy ${policy.policyId} has a budget: pass the remaining budget to plan a grant`);
}

// ---------------------------------------------------------------------------------------------------------
// Policy lifecycle

export type PolicyPlan =
  | {
      readonly kind: 'publish';
      readonly policy: Policy;
      /** null for a first publication (condition `attribute_not_exists`), else the stored version. */
      readonly fromVersion: number | null;
      /** Match every enterprise again; existing entitlements keep their state (onMatched). */
      readonly rematch: boolean;
    }
  | { readonly kind: 'withdraw'; readonly policy: Policy; readonly fromStatus: 'active' }
  | { readonly kind: 'unchanged'; readonly reason: 'SAME_VERSION' | 'STALE_VERSION' | 'ALREADY_WITHDRAWN' }
  | { readonly kind: 'refused'; readonly reason: 'VERSION_CONFLICT' | 'POLICY_WITHDRAWN' | 'POLICY_UNKNOWN'; readonly message: string };

/**
 * `gov.policy.published`: a first version or a newer one is stored and matched; a replay of the stored
 * version or an older one is ignored. A withdrawn policy stays withdrawn (SPEC: it pushes nothing more).
 */
export function planPublish(existing: Policy | undefined, incoming: Policy, at: Instant): PolicyPlan {
  const { status: _ignored, withdrawnAt: _w, ...content } = incoming;
  if (existing === undefined) {
    return { kind: 'publish', policy: { ...content, status: 'active', publishedAt: incoming.publishedAt ?? at }, fromVersion: null, rematch: true };
  }
  if (existing.status === 'withdrawn') {
    return { kind: 'refused', reason: 'POLICY_WITHDRAWN', message: `policy ${existing.policyId} was withdrawn at ${String(existing.withdrawnAt)}` };
  }
  if (incoming.version < existing.version) return { kind: 'unchanged', reason: 'STALE_VERSION' };
  if (incoming.version === existing.version) {
    const { status: _s, withdrawnAt: _x, publishedAt: _p, ...stored } = existing;
    const { publishedAt: _q, ...fresh } = content;
    return sameJson(stored, fresh)
      ? { kind: 'unchanged', reason: 'SAME_VERSION' }
      : {
          kind: 'refused',
          reason: 'VERSION_CONFLICT',
          message: `policy ${incoming.policyId} version ${incoming.version} was already published with different content`,
        };
  }
  return {
    kind: 'publish',
    policy: { ...content, status: 'active', publishedAt: existing.publishedAt ?? at },
    fromVersion: existing.version,
    rematch: true,
  };
}

/** `gov.policy.withdrawn`: nothing more is pushed; existing entitlements keep their state. */
export function onWithdrawn(policy: Policy | undefined, at: Instant): PolicyPlan {
  if (policy === undefined) return { kind: 'refused', reason: 'POLICY_UNKNOWN', message: 'no such policy to withdraw' };
  if (policy.status === 'withdrawn') return { kind: 'unchanged', reason: 'ALREADY_WITHDRAWN' };
  return { kind: 'withdraw', policy: { ...policy, status: 'withdrawn', withdrawnAt: at }, fromStatus: 'active' };
}

/** Structural equality of JSON-like values, key order ignored. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
