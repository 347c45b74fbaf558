/**
 * Settling one (policy, enterprise) pair after it was matched: onMatched, then the follow-up its new state
 * calls for, planned as one chain that the adapter commits as ONE conditional write (the condition of the
 * first transition, the record of the last, the sum of their counters). A grant is never told without
 * being granted, and a push is never committed without its outbox record.
 *
 * The follow-ups are a table by state, so a state added later (a publicity window before the push, say)
 * is one row: the planner that moves a pair on from it when it is matched.
 */
import { reservationAmount } from './budget';
import type { MatchResult } from './match';
import type { Plan, Transition } from './plan';
import { onMatched, planGrant, planNotification } from './transitions';
import { planListing, publicityDays } from './publicity';
import type { Entitlement, EntitlementState, Instant, Policy, PublicityWindow } from './types';

/** What a follow-up may need besides the pair: the remaining budget, the zone, the publicity window. */
export interface SettleContext {
  readonly budgetRemaining?: number | undefined;
  readonly timeZone?: string | undefined;
  /** The window a pair listed now joins (publicity.ts windowFor); required for a policy with publicity. */
  readonly window?: { readonly window: PublicityWindow; readonly opens: boolean } | undefined;
}

/** What moves a pair on from its state after a match, within the same write. */
type FollowUp = (entitlement: Entitlement, policy: Policy, now: Instant, context: SettleContext) => Plan;

const FOLLOW_UPS: Partial<Record<EntitlementState, (policy: Policy) => FollowUp | undefined>> = {
  // With publicity (公示): listed, nobody notified until the window closes (grants reserve now).
  // Without: the push (confirm: an invitation; grant: NOTIFIED → GRANTED with the reservation).
  ELIGIBLE: (policy) =>
    publicityDays(policy) !== undefined
      ? (e, p, now, { window, budgetRemaining, timeZone }) => {
          if (window === undefined) throw new Error(`policy ${p.policyId} has publicity: pass the window to list a pair`);
          return planListing(e, p, now, window, budgetRemaining, timeZone);
        }
      : (e, p, now, { budgetRemaining, timeZone }) => planNotification(e, p, now, budgetRemaining, timeZone),
  // A pair pushed while its policy was a confirm policy, before a new version made it a grant.
  NOTIFIED: (policy) => (policy.kind === 'grant' ? (e, p, now, { budgetRemaining }) => planGrant(e, p, now, budgetRemaining) : undefined),
};

export type SettlePlan =
  /** The follow-up reserves from the budget: read what remains and plan again with it. */
  | { readonly kind: 'needsBudget' }
  /** The transitions to commit together (none: nothing to write), and the entitlement after them. */
  | { readonly kind: 'settle'; readonly chain: readonly Transition[]; readonly entitlement: Entitlement | undefined };

/** Whether settling a pair of this policy may reserve from its budget (a budgeted grant). */
export function settleNeedsBudget(policy: Policy): boolean {
  return policy.kind === 'grant' && reservationAmount(policy) > 0;
}

/**
 * Plans the settlement of a matched pair. `budgetRemaining` is read only when a follow-up needs it
 * (`needsBudget`), so the ineligible and needs-info majority costs no budget read.
 */
export function planSettle(
  existing: Entitlement | undefined,
  policy: Policy,
  match: MatchResult,
  now: Instant,
  budgetRemaining?: number,
  timeZone?: string,
  window?: SettleContext['window'],
): SettlePlan {
  const chain: Transition[] = [];
  let current = existing;
  const take = (plan: Plan) => {
    if (plan.kind !== 'transition') return;
    chain.push(plan.transition);
    current = plan.transition.next;
  };
  take(onMatched(existing, policy, match, now));
  const followUp = current === undefined ? undefined : FOLLOW_UPS[current.state]?.(policy);
  if (followUp !== undefined && current !== undefined) {
    if (settleNeedsBudget(policy) && budgetRemaining === undefined) return { kind: 'needsBudget' };
    take(followUp(current, policy, now, { budgetRemaining, timeZone, window }));
  }
  return { kind: 'settle', chain, entitlement: current };
}

/** The settled entitlement was pushed at some time (its notification may still be undelivered). */
export function wasPushed(entitlement: Entitlement | undefined): boolean {
  return entitlement !== undefined && entitlement.reached.includes('NOTIFIED');
}
