/**
 * 追回 (recovery) of money paid under a policy, and the budget it returns:
 *
 *   DISBURSED → RECOVERED                    gov.policy.recovered: the amount credited back   onRecovered
 *   EXHAUSTED → NOTIFIED → GRANTED           returned budget, a grant policy without 公示     planReturnedGrant
 *
 * A recovered entitlement still counts in every state it reached. What goes back to the budget is the
 * amount recovered, at most what the pair had taken from it (a disbursement above the reserved amount was
 * never drawn from the budget, so taking it back cannot add to it). One recovery per entitlement: the same
 * amount and reason again is a duplicate; anything else is a recorded conflict.
 */
import { budgetUnknown, reserveFor } from './budget';
import { policyInactiveReason } from './policy';
import { hasBeenNotified, refused, transition, unchanged, type Plan } from './plan';
import { notificationFor, pushDays } from './transitions';
import type { Entitlement, Instant, Policy, RecoveryReason } from './types';

export interface RecoveryCommand {
  readonly amount: number;
  readonly reason: RecoveryReason;
  readonly at: Instant;
}

/** `gov.policy.recovered`: only after disbursement, never more than was disbursed. */
export function onRecovered(entitlement: Entitlement | undefined, recovery: RecoveryCommand): Plan {
  if (entitlement === undefined) return refused('ENTITLEMENT_UNKNOWN', 'no entitlement to recover from');
  const { amount, reason, at } = recovery;
  if (!Number.isFinite(amount) || amount <= 0) return refused('INVALID_AMOUNT', `amount must be a finite number > 0; got ${String(amount)}`);
  if (entitlement.state === 'RECOVERED') {
    const first = entitlement.recovery;
    return first !== undefined && first.amount === amount && first.reason === reason
      ? unchanged('ALREADY_RECOVERED')
      : refused('RECOVERY_CONFLICT', `already recovered ${String(first?.amount)} (${String(first?.reason)}); now ${amount} (${reason})`);
  }
  if (entitlement.state !== 'DISBURSED') {
    return refused('NOT_DISBURSED', `the entitlement is ${entitlement.state}: nothing was disbursed to recover`);
  }
  const disbursed = entitlement.amountDisbursed ?? 0;
  if (amount > disbursed) return refused('RECOVERY_EXCEEDS_DISBURSED', `recovering ${amount}, but ${disbursed} was disbursed`);
  const credited = Math.min(amount, entitlement.amountReserved ?? 0);
  return transition(entitlement, {
    policyId: entitlement.policyId,
    creditCode: entitlement.creditCode,
    policyVersion: entitlement.policyVersion,
    at,
    steps: [{ from: 'DISBURSED', to: 'RECOVERED', reason: 'RECOVERED' }],
    amountRecovered: amount,
    ...(credited > 0 ? { release: { amount: credited } } : {}),
    set: { recovery: { amount, reason, at, credited } },
  });
}

/**
 * Returned budget for a `grant` policy without publicity: an EXHAUSTED pair that was never notified is
 * pushed and granted now, as it would have been had the budget been there (its one notification). A
 * policy with publicity lists such pairs instead (planListing); a withdrawn or expired policy pushes nothing.
 */
export function planReturnedGrant(entitlement: Entitlement, policy: Policy, now: Instant, budgetRemaining: number | undefined, timeZone?: string): Plan {
  if (policy.kind !== 'grant') return unchanged('NOT_A_GRANT_POLICY');
  if (entitlement.state !== 'EXHAUSTED' || hasBeenNotified(entitlement)) return unchanged('NOT_ELIGIBLE');
  const inactive = policyInactiveReason(policy, now, timeZone);
  if (inactive !== undefined) return unchanged(inactive);
  if (policy.channels.length === 0) return unchanged('NO_CHANNELS');
  const reserved = reserveFor(policy, budgetRemaining);
  if (reserved.ok === 'unknown') throw budgetUnknown(policy);
  if (reserved.ok === false) return unchanged('ALREADY_IN_STATE');
  return transition(entitlement, {
    policyId: policy.policyId,
    creditCode: entitlement.creditCode,
    policyVersion: policy.version,
    at: now,
    ...pushDays(entitlement, now, timeZone),
    steps: [
      { from: 'EXHAUSTED', to: 'NOTIFIED', reason: 'BUDGET_RETURNED' },
      { from: 'NOTIFIED', to: 'GRANTED', reason: 'GRANTED_AT_ONCE' },
    ],
    ...(reserved.reservation !== undefined ? { reservation: reserved.reservation } : {}),
    notification: notificationFor(policy, entitlement, 'granted', now),
  });
}
