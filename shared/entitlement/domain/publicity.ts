/**
 * 公示 (publicity) of a policy's eligible before anyone is notified:
 *
 *   ELIGIBLE → PUBLICIZED | EXHAUSTED       listed (a budgeted grant reserves its amount now)   planListing
 *   PUBLICIZED | OBJECTED → NOTIFIED (→ GRANTED)   the window closed: proceed as without publicity   planRelease
 *   EXHAUSTED → PUBLICIZED                  budget returned by an upheld objection              planListing
 *   PUBLICIZED | OBJECTED → LAPSED          the policy ended before the release: off the list,   planRelease
 *                                           never pushed, its reservation returned
 *
 * The window (pinned): a pair is listed when it becomes eligible; its window ends at the end of the N-th
 * working day after that day (the starting day not counted). A pair that becomes eligible while a window of
 * the policy is open joins it; one that becomes eligible later opens its own. Listed pairs are not
 * re-evaluated at the close, which waits a grace period after the window's end (closeDueBefore) for the
 * objections received in time still queued. Windows are named by the local date they open on: two cannot
 * open on one day (a window lasts at least to the end of the next working day), so racing writers open
 * the same one.
 */
import { timeZone as zoneNamed } from '#rules/zone';
import { instantOf } from '#rules/dates';
import { budgetUnknown, reserveFor, type Reserved } from './budget';
import { policyInactiveReason } from './policy';
import { transition, unchanged, type Plan, type Step } from './plan';
import { notificationFor, pushDays } from './transitions';
import type { Entitlement, Instant, Policy, PublicityWindow } from './types';

/** When a policy asks for publicity without a length (an assumption: no national figure was found). */
export const DEFAULT_PUBLICITY_WORKING_DAYS = 5;

/** The working days of the policy's publicity window, or undefined when it lists nobody publicly. */
export function publicityDays(policy: Policy): number | undefined {
  if (policy.publicity === undefined) return undefined;
  return policy.publicity.workingDays ?? DEFAULT_PUBLICITY_WORKING_DAYS;
}

/** What the window needs of the stage's working-day calendar (passed in: the domain reads no configuration). */
export interface PublicityCalendar {
  localDate(at: string): string;
  addWorkingDays(from: string, n: number): { readonly dueAt: string };
}

/** Whether a window that ends at `closesAt` is still open at `at` (open through the closing millisecond). */
export function isOpenAt(closesAt: Instant, at: Instant): boolean {
  return instantOf(at) <= instantOf(closesAt);
}

/**
 * When the close may run a window's release: `graceMs` after its end, so an objection received in time (by
 * its receipt at ingest) but still on its way through the queue is processed before the pairs proceed.
 * Windows that ended before the instant returned are due at `now`.
 */
export function closeDueBefore(now: Instant, graceMs: number): Instant {
  if (!Number.isFinite(graceMs) || graceMs < 0) throw new Error(`the publicity close grace must be a non-negative number of milliseconds, got ${graceMs}`);
  return new Date(instantOf(now) - graceMs).toISOString();
}

/** The window a pair listed at `now` joins: the open one, or a new one opened now. */
export function windowFor(
  current: PublicityWindow | undefined,
  now: Instant,
  workingDays: number,
  calendar: PublicityCalendar,
): { readonly window: PublicityWindow; readonly opens: boolean } {
  if (current !== undefined && isOpenAt(current.closesAt, now)) return { window: current, opens: false };
  return {
    window: { windowId: calendar.localDate(now), openedAt: now, closesAt: calendar.addWorkingDays(now, workingDays).dueAt },
    opens: true,
  };
}

/**
 * Lists an eligible pair (or an exhausted one the budget can now pay): PUBLICIZED in `window`, with the
 * grant's reservation taken now; EXHAUSTED when the budget cannot pay it (an exhausted pair stays so).
 * Nothing while the policy is withdrawn or outside its validity: the close would never release the pair.
 */
export function planListing(
  entitlement: Entitlement,
  policy: Policy,
  now: Instant,
  window: { readonly window: PublicityWindow; readonly opens: boolean },
  budgetRemaining?: number,
  timeZone?: string,
): Plan {
  if (entitlement.state !== 'ELIGIBLE' && entitlement.state !== 'EXHAUSTED') return unchanged('NOT_ELIGIBLE');
  const inactive = policyInactiveReason(policy, now, timeZone);
  if (inactive !== undefined) return unchanged(inactive);
  const base = { policyId: policy.policyId, creditCode: entitlement.creditCode, policyVersion: policy.version, at: now };
  const from = entitlement.state;
  const reserved: Reserved = policy.kind === 'grant' ? reserveFor(policy, budgetRemaining) : { ok: true };
  if (reserved.ok === 'unknown') throw budgetUnknown(policy);
  if (reserved.ok === false) {
    return from === 'EXHAUSTED'
      ? unchanged('ALREADY_IN_STATE')
      : transition(entitlement, { ...base, steps: [{ from, to: 'EXHAUSTED', reason: 'BUDGET_EXHAUSTED' }] });
  }
  const listed = { windowId: window.window.windowId, listedAt: now, closesAt: window.window.closesAt };
  return transition(entitlement, {
    ...base,
    steps: [{ from, to: 'PUBLICIZED', reason: from === 'EXHAUSTED' ? 'BUDGET_RETURNED' : 'LISTED' }],
    ...(reserved.reservation !== undefined ? { reservation: reserved.reservation } : {}),
    window,
    set: { publicity: listed },
  });
}

/**
 * The window of a listed pair closed (or its last objection was dismissed after the close): the pair
 * proceeds as a pair of a policy without publicity would — a confirm policy invites, a grant policy grants
 * (with what was reserved at the listing) — without being evaluated again. Nothing while the window is open.
 *
 * When the policy ended first — withdrawn, or its validTo (a local date in `timeZone`) passed before the
 * pair's window ended — the pair pushes nothing more: it lapses (LAPSED), off the list, its reservation
 * returned. Expiry is judged at the window's end, not when the close runs, so the close's grace (or a late
 * schedule) never decides it: a window that ended within the policy's validity releases its pairs.
 */
export function planRelease(entitlement: Entitlement, policy: Policy, now: Instant, timeZone?: string): Plan {
  if (entitlement.state !== 'PUBLICIZED' && entitlement.state !== 'OBJECTED') return unchanged('NOT_LISTED');
  if ((entitlement.openObjections ?? []).length > 0) return unchanged('ALREADY_OBJECTED');
  const closesAt = entitlement.publicity?.closesAt;
  if (closesAt !== undefined && isOpenAt(closesAt, now)) return unchanged('WINDOW_OPEN');
  const inactive = policyInactiveReason(policy, closesAt ?? now, timeZone);
  if (inactive === 'POLICY_WITHDRAWN' || inactive === 'POLICY_EXPIRED') return planLapse(entitlement, policy, now, inactive);
  if (inactive !== undefined) return unchanged(inactive);
  if (policy.channels.length === 0) return unchanged('NO_CHANNELS');
  const base = {
    policyId: policy.policyId, creditCode: entitlement.creditCode, policyVersion: policy.version, at: now,
    ...pushDays(entitlement, now, timeZone),
  };
  const notify: Step = { from: entitlement.state, to: 'NOTIFIED', reason: 'PUBLICITY_CLOSED' };
  if (policy.kind === 'confirm') {
    return transition(entitlement, { ...base, steps: [notify], notification: notificationFor(policy, entitlement, 'confirm', now) });
  }
  return transition(entitlement, {
    ...base,
    steps: [notify, { from: 'NOTIFIED', to: 'GRANTED', reason: 'GRANTED_AT_ONCE' }],
    notification: notificationFor(policy, entitlement, 'granted', now),
  });
}

/**
 * A listed pair whose policy ended before its release: LAPSED (terminal), its reservation returned to the
 * budget. Not counted as eligible any more (counted as lapsed); nobody is notified.
 */
function planLapse(entitlement: Entitlement, policy: Policy, now: Instant, reason: 'POLICY_WITHDRAWN' | 'POLICY_EXPIRED'): Plan {
  const reserved = entitlement.amountReserved ?? 0;
  return transition(entitlement, {
    policyId: policy.policyId,
    creditCode: entitlement.creditCode,
    policyVersion: entitlement.policyVersion,
    at: now,
    steps: [{ from: entitlement.state, to: 'LAPSED', reason }],
    ...(reserved > 0 ? { release: { amount: reserved } } : {}),
    set: { openObjections: undefined },
  });
}

/** Natural days between the local dates of the listing and the payment (pinned: "days" are natural days). */
export function publicityToPaymentDays(entitlement: Entitlement, paidAt: Instant, timeZone?: string): number | undefined {
  const listedAt = entitlement.publicity?.listedAt ?? entitlement.publicizedAt;
  if (listedAt === undefined) return undefined;
  const zone = zoneNamed(timeZone);
  return zone.dayOf(instantOf(paidAt)) - zone.dayOf(instantOf(listedAt));
}

/**
 * The order in which pairs take the budget (pinned): the first to become eligible first, ties by subject id.
 * Returned budget goes to EXHAUSTED pairs first, in this order.
 */
export function budgetOrder(a: Entitlement, b: Entitlement): number {
  const ea = eligibleSince(a);
  const eb = eligibleSince(b);
  if (ea !== eb) return ea < eb ? -1 : 1;
  return a.creditCode < b.creditCode ? -1 : a.creditCode > b.creditCode ? 1 : 0;
}

/** When the pair first became eligible (the first ELIGIBLE step of its history), in milliseconds. */
function eligibleSince(e: Entitlement): number {
  const first = e.history.find((h) => h.to === 'ELIGIBLE');
  return instantOf(first?.at ?? e.createdAt);
}
