/**
 * The policy budget: a grant or a confirmation reserves `benefit.amount` from what remains; the
 * adapter applies it as `ADD remaining -amount` with the condition `remaining >= amount`, so concurrent
 * reservations cannot overspend (a failed condition means re-read and plan again).
 */
import { sumDecimals } from '#util/decimal';
import type { BudgetReservation } from './plan';
import type { Policy } from './types';

export type ReserveResult =
  | { readonly ok: true; readonly amount: number; readonly remainingAfter: number }
  | { readonly ok: false; readonly reason: 'BUDGET_EXHAUSTED'; readonly remaining: number; readonly amount: number };

/** A budget reservation: fine while what remains is at least the amount. */
export function reserve(budgetRemaining: number, amount: number): ReserveResult {
  if (budgetRemaining < amount) return { ok: false, reason: 'BUDGET_EXHAUSTED', remaining: budgetRemaining, amount };
  return { ok: true, amount, remainingAfter: sumDecimals([budgetRemaining, -amount]) };
}

/** The amount a grant or confirmation takes from the budget, or 0 when the policy has no budget or no amount. */
export function reservationAmount(policy: Policy): number {
  const amount = policy.benefit.amount;
  return policy.budget === undefined || amount === undefined || amount <= 0 ? 0 : amount;
}

export type Reserved = { ok: true; reservation?: BudgetReservation } | { ok: false; message: string } | { ok: 'unknown' };

/** What a grant or confirmation of `policy` takes, given what remains (undefined: not read). */
export function reserveFor(policy: Policy, budgetRemaining: number | undefined): Reserved {
  const amount = reservationAmount(policy);
  if (amount === 0) return { ok: true };
  if (budgetRemaining === undefined) return { ok: 'unknown' };
  const r = reserve(budgetRemaining, amount);
  return r.ok
    ? { ok: true, reservation: { amount } }
    : { ok: false, message: `budget remaining ${budgetRemaining} is less than the amount ${amount}` };
}

/** A budgeted grant planned without the remaining budget: a programming error of the caller. */
export function budgetUnknown(policy: Policy): Error {
  return new Error(`policy ${policy.policyId} has a budget: pass the remaining budget to plan a grant`);
}

/**
 * What a publication moves the remaining budget by: a new version's budget moves it by the difference of
 * the totals, so what was already reserved stays spent. Undefined when the new version has no budget. The
 * difference is an exact decimal: the store ADDs it to what remains, and 300.3 − 100.1 in floating point
 * (200.20000000000002) would leave the budget a fraction of a fen off for good.
 */
export function budgetDelta(previous: Policy | undefined, next: Policy): number | undefined {
  return next.budget === undefined ? undefined : sumDecimals([next.budget, -(previous?.budget ?? 0)]);
}
