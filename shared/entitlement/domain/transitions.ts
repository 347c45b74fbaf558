/**
 * The entitlement state machine, one planner per cause:
 *
 *   (none) → ELIGIBLE | NEEDS_INFO
 *   NEEDS_INFO ⇄ ELIGIBLE, both → INELIGIBLE → ELIGIBLE | NEEDS_INFO   (only before any push)   onMatched
 *   EXHAUSTED (never notified) → INELIGIBLE | NEEDS_INFO   (no longer matches while it waits for budget)
 *   ELIGIBLE → NOTIFIED                      (confirm policy: push an invitation)   planNotification
 *   ELIGIBLE → NOTIFIED → GRANTED | EXHAUSTED (grant policy: one write)             planNotification
 *   NOTIFIED → GRANTED | EXHAUSTED           (a confirm push whose policy became a grant)  planGrant
 *   NOTIFIED → CONFIRMED | EXHAUSTED         (gov.policy.confirmed: reserve benefit.amount)  onConfirmed
 *   GRANTED | CONFIRMED → DISBURSED          (gov.policy.disbursed)                 onDisbursed
 *   DISBURSED → RECOVERED                    (gov.policy.recovered)                 recovery.ts
 *
 * Each returns a Plan (plan.ts). Matching a pair is onMatched followed by the pair's follow-up
 * (settle.ts decides which), committed as one write.
 *
 * Never twice: NOTIFIED is planned only from ELIGIBLE and only when the entitlement has never reached
 * NOTIFIED, and nothing ever returns to ELIGIBLE once NOTIFIED was reached, so of two racing writers
 * at most one passes the condition and a replay finds the state moved on.
 */
import { budgetUnknown, reserveFor } from './budget';
import { policyInactiveReason, type PolicyInactiveReason } from './policy';
import { publicityToPaymentDays } from './publicity';
import { eligibleToPushDays } from './push-days';
import type { MatchResult } from './match';
import {
  hasBeenNotified,
  LISTED_STATES,
  PUSHED_STATES,
  refused,
  transition,
  unchanged,
  type NotificationIntent,
  type Plan,
} from './plan';
import type { Entitlement, EntitlementState, ExplanationSummary, Instant, Policy, TransitionReason } from './types';

function sameSummary(a: ExplanationSummary | undefined, b: ExplanationSummary | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const eq = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return eq(a.held, b.held) && eq(a.failed, b.failed) && eq(a.unknown, b.unknown);
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
  if (existing !== undefined && (PUSHED_STATES.has(existing.state) || hasBeenNotified(existing)) && !waitsForBudget(existing, match)) {
    return unchanged('ALREADY_PUSHED');
  }
  if (existing !== undefined && LISTED_STATES.has(existing.state)) return unchanged('ALREADY_LISTED');

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

/**
 * An EXHAUSTED pair never notified was not pushed: the budget could not pay it, and it waits for returned
 * budget (recovery.ts). When it no longer matches (dishonest, criteria failed or unknown) it leaves that
 * queue — INELIGIBLE or NEEDS_INFO — so returned budget never goes to a pair that no longer qualifies; it
 * comes back as any other pair does when it matches again.
 */
function waitsForBudget(existing: Entitlement, match: MatchResult): boolean {
  return existing.state === 'EXHAUSTED' && !hasBeenNotified(existing) && match.outcome !== 'eligible';
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

export function notificationFor(policy: Policy, e: Entitlement, purpose: 'confirm' | 'granted', at: Instant): NotificationIntent {
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
 * both steps, so the entitlement has reached NOTIFIED and GRANTED, as the state machine names them.
 *
 * `budgetRemaining` is required when the policy has a budget and a benefit amount.
 */
export function planNotification(
  entitlement: Entitlement,
  policy: Policy,
  now: Instant,
  budgetRemaining?: number,
  timeZone?: string,
): Plan {
  checkPair(entitlement, policy);
  if (hasBeenNotified(entitlement)) return unchanged('ALREADY_NOTIFIED');
  if (entitlement.state !== 'ELIGIBLE') return unchanged('NOT_ELIGIBLE');
  const inactive = policyInactiveReason(policy, now, timeZone);
  if (inactive !== undefined) return unchanged(inactive);
  if (policy.channels.length === 0) return unchanged('NO_CHANNELS');
  const base = { policyId: policy.policyId, creditCode: entitlement.creditCode, policyVersion: policy.version, at: now };
  const pushed = pushDays(entitlement, now, timeZone);

  if (policy.kind === 'confirm') {
    return transition(entitlement, {
      ...base,
      ...pushed,
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
    ...pushed,
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
  timeZone?: string,
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
  const inactive = policyInactiveReason(policy, at, timeZone);
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
export function onDisbursed(entitlement: Entitlement | undefined, amount: number, at: Instant, timeZone?: string): Plan {
  if (entitlement === undefined) return refused('ENTITLEMENT_UNKNOWN', 'no entitlement to disburse');
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
    return refused('INVALID_AMOUNT', `amount must be a finite number >= 0; got ${String(amount)}`);
  }
  // A recovered entitlement was disbursed: a redelivered disbursement is still a duplicate.
  if (entitlement.state === 'DISBURSED' || entitlement.state === 'RECOVERED') {
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
    ...paymentDays(entitlement, at, timeZone),
  });
}

/** Natural days from a listed pair's listing (公示) to this payment, for the figures. */
function paymentDays(entitlement: Entitlement, at: Instant, timeZone: string | undefined): { publicityToPaymentDays?: number } {
  const days = publicityToPaymentDays(entitlement, at, timeZone);
  return days === undefined ? {} : { publicityToPaymentDays: days };
}

/** Natural days from becoming eligible to this push, for the figures (push-days.ts). */
export function pushDays(entitlement: Entitlement, at: Instant, timeZone: string | undefined): { eligibleToPushDays?: number } {
  const days = eligibleToPushDays(entitlement, at, timeZone);
  return days === undefined ? {} : { eligibleToPushDays: days };
}

function checkPair(entitlement: Entitlement, policy: Policy): void {
  if (entitlement.policyId !== policy.policyId) {
    throw new Error(`entitlement of policy ${entitlement.policyId} planned against policy ${policy.policyId}`);
  }
}
