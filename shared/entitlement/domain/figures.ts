/**
 * Per-policy figures. An entitlement counts in every state it has reached — a disbursed
 * confirmation still counts as confirmed, an exhausted one still counts as eligible — except
 * needs-info and ineligible, which count the current state.
 *
 * "eligible" is every entitlement that ever reached ELIGIBLE, so coverage ((confirmed + granted) /
 * eligible) does not rise when an eligible enterprise later stops matching or the budget runs out.
 *
 * The same figures are kept as counters: counterDeltas(transition) gives the ADDs for one transition,
 * applied in the same write as the transition so each is counted exactly once.
 */
import { instantOf } from '#rules/dates';
import { DecimalSum, sumDecimals } from '#util/decimal';
import type { Transition } from './plan';
import { eligibleToPushDays } from './push-days';
import type { Entitlement, EntitlementState, Instant } from './types';

export const COUNTERS = [
  'eligible', 'needsInfo', 'ineligible', 'notified', 'granted', 'confirmed', 'disbursed', 'exhausted',
  // 公示 and 异议 (pinned): PUBLICIZED counts as eligible too; a removed pair is not eligible, it is removed.
  'publicized', 'objected', 'removed',
  // Listed pairs whose policy ended before their release (withdrawn, or past validTo at the window's end):
  // never pushed, their reservation returned, not eligible either.
  'lapsed',
  // Objections filed (both kinds), third-party ones upheld or dismissed, self-objections that added the
  // pair or changed nothing (never upheld or dismissed: they are decided by re-evaluation).
  'objectionsFiled', 'objectionsUpheld', 'objectionsDismissed', 'addedBySelfObjection', 'selfObjectionsUnchanged',
  // Of the filed, those refused as received outside the window (either kind): filed, never upheld or dismissed.
  'objectionsOutOfWindow',
  // Of the upheld, those resolved after the close had released their pair (filed ALREADY_RELEASED): the pair
  // was not removed and still counts as notified / granted; taking the benefit back is a recovery.
  'upheldAfterRelease',
  // Listed pairs paid, and the natural days from listing to payment summed over them.
  'paidAfterPublicity', 'publicityToPaymentDays',
  // Pushed pairs (notified; a grant is notified and granted at once), and the natural days from becoming
  // eligible to the push summed over them (push-days.ts).
  'pushedAfterEligible', 'eligibleToPushDays',
  // 追回: disbursed entitlements whose money was taken back (they still count as disbursed).
  'recovered',
] as const;
export type Counter = (typeof COUNTERS)[number];

/** Counters that count every entitlement that has reached the state. */
const REACHED_COUNTER: Partial<Record<EntitlementState, Counter>> = {
  ELIGIBLE: 'eligible',
  NOTIFIED: 'notified',
  GRANTED: 'granted',
  CONFIRMED: 'confirmed',
  DISBURSED: 'disbursed',
  EXHAUSTED: 'exhausted',
  PUBLICIZED: 'publicized',
  OBJECTED: 'objected',
  REMOVED: 'removed',
  LAPSED: 'lapsed',
  RECOVERED: 'recovered',
};
/** Counters that count the current state only. */
const CURRENT_COUNTER: Partial<Record<EntitlementState, Counter>> = {
  NEEDS_INFO: 'needsInfo',
  INELIGIBLE: 'ineligible',
};

export type CounterValues = Record<Counter, number>;

export interface CounterDeltas {
  /** Only the counters that change, each by +1 or −1. */
  readonly counts: Partial<Record<Counter, number>>;
  /** Yuan to add to the reserved, disbursed and recovered totals, each an exact decimal (`#util/decimal`). */
  readonly amountReserved: number;
  readonly amountDisbursed: number;
  readonly amountRecovered: number;
  /** Set when this transition pushed: the adapter keeps lastPushAt = max(lastPushAt, pushedAt). */
  readonly pushedAt?: Instant;
}

export function counterDeltas(t: Transition): CounterDeltas {
  const counts: Partial<Record<Counter, number>> = {};
  const add = (c: Counter | undefined, d: number) => {
    if (c === undefined) return;
    const v = (counts[c] ?? 0) + d;
    if (v === 0) delete counts[c];
    else counts[c] = v;
  };
  for (const s of t.newlyReached) add(REACHED_COUNTER[s], 1);
  // Pinned: a pair removed by an upheld objection is not eligible (it is counted as removed).
  if (t.newlyReached.includes('REMOVED')) add('eligible', -1);
  // Nor is a listed pair whose policy ended before its release (counted as lapsed).
  if (t.newlyReached.includes('LAPSED')) add('eligible', -1);
  if (t.publicityToPaymentDays !== undefined && t.newlyReached.includes('DISBURSED')) {
    add('paidAfterPublicity', 1);
    add('publicityToPaymentDays', t.publicityToPaymentDays);
  }
  if (t.eligibleToPushDays !== undefined && t.newlyReached.includes('NOTIFIED')) {
    add('pushedAfterEligible', 1);
    add('eligibleToPushDays', t.eligibleToPushDays);
  }
  if (t.from !== t.to) {
    if (t.from !== null) add(CURRENT_COUNTER[t.from], -1);
    add(CURRENT_COUNTER[t.to], 1);
  }
  const pushed = t.newlyReached.includes('NOTIFIED');
  return {
    counts,
    amountReserved: sumDecimals([t.reservation?.amount ?? 0, -(t.release?.amount ?? 0)]),
    amountDisbursed: t.newlyReached.includes('DISBURSED') ? (t.next.amountDisbursed ?? 0) : 0,
    amountRecovered: t.newlyReached.includes('RECOVERED') ? (t.next.amountRecovered ?? 0) : 0,
    ...(pushed ? { pushedAt: t.at } : {}),
  };
}

/**
 * The deltas of consecutive transitions of one pair committed as one write (a match and its push): the
 * sum of their counts and amounts, and the push time if any of them pushed.
 */
export function chainDeltas(chain: readonly Transition[]): CounterDeltas {
  const counts: Partial<Record<Counter, number>> = {};
  const amountReserved = new DecimalSum();
  const amountDisbursed = new DecimalSum();
  const amountRecovered = new DecimalSum();
  let pushedAt: Instant | undefined;
  for (const t of chain) {
    const d = counterDeltas(t);
    for (const c of COUNTERS) {
      const v = (counts[c] ?? 0) + (d.counts[c] ?? 0);
      if (v === 0) delete counts[c];
      else counts[c] = v;
    }
    amountReserved.add(d.amountReserved);
    amountDisbursed.add(d.amountDisbursed);
    amountRecovered.add(d.amountRecovered);
    if (d.pushedAt !== undefined) pushedAt = d.pushedAt;
  }
  return {
    counts,
    amountReserved: amountReserved.value(),
    amountDisbursed: amountDisbursed.value(),
    amountRecovered: amountRecovered.value(),
    ...(pushedAt !== undefined ? { pushedAt } : {}),
  };
}

export interface PolicyFigures extends CounterValues {
  readonly policyId: string;
  /** (confirmed + granted) / eligible; null when nobody was eligible. */
  readonly coverage: number | null;
  readonly amountReserved: number;
  readonly amountDisbursed: number;
  /** Yuan taken back after disbursement (追回); amountDisbursed stays what was paid. */
  readonly amountRecovered: number;
  readonly firstPushAt?: Instant;
  readonly lastPushAt?: Instant;
  /** Milliseconds from the policy's publication to its last push; null before any push. */
  readonly publishToLastPushMs: number | null;
  /** Mean natural days from a pair's listing (公示) to its payment; null before any listed pair was paid. */
  readonly publicityToPaymentDaysMean: number | null;
  /** Mean natural days from a pair's becoming eligible to its push; null before any push. */
  readonly eligibleToPushDaysMean: number | null;
}

export function emptyCounters(): CounterValues {
  return Object.fromEntries(COUNTERS.map((c) => [c, 0])) as CounterValues;
}

/** Figures recomputed from stored entitlements (the audit check for the counters). */
export function computeFigures(
  policyId: string,
  entitlements: Iterable<Entitlement>,
  publishedAt?: Instant,
  timeZone?: string,
): PolicyFigures {
  const c = emptyCounters();
  // Yuan in exact decimal, as the store's ADDs keep the counters these are checked against.
  const amountReserved = new DecimalSum();
  const amountDisbursed = new DecimalSum();
  const amountRecovered = new DecimalSum();
  let first: number | undefined;
  let last: number | undefined;
  let firstAt: Instant | undefined;
  let lastAt: Instant | undefined;
  for (const e of entitlements) {
    if (e.policyId !== policyId) continue;
    for (const s of e.reached) {
      const counter = REACHED_COUNTER[s];
      if (counter !== undefined) c[counter]++;
    }
    if (e.reached.includes('REMOVED') && e.reached.includes('ELIGIBLE')) c.eligible--;
    if (e.reached.includes('LAPSED') && e.reached.includes('ELIGIBLE')) c.eligible--;
    const current = CURRENT_COUNTER[e.state];
    if (current !== undefined) c[current]++;
    if (e.amountReserved !== undefined) amountReserved.add(e.amountReserved);
    if (e.amountDisbursed !== undefined) amountDisbursed.add(e.amountDisbursed);
    if (e.amountRecovered !== undefined) amountRecovered.add(e.amountRecovered);
    if (e.notifiedAt !== undefined) {
      const ms = instantOf(e.notifiedAt);
      if (first === undefined || ms < first) [first, firstAt] = [ms, e.notifiedAt];
      if (last === undefined || ms > last) [last, lastAt] = [ms, e.notifiedAt];
      const days = eligibleToPushDays(e, e.notifiedAt, timeZone);
      if (days !== undefined) {
        c.pushedAfterEligible++;
        c.eligibleToPushDays += days;
      }
    }
  }
  return figuresFromCounters(
    policyId,
    c,
    { amountReserved: amountReserved.value(), amountDisbursed: amountDisbursed.value(), amountRecovered: amountRecovered.value(), firstPushAt: firstAt, lastPushAt: lastAt },
    publishedAt,
  );
}

/** Figures from maintained counters (what the query API serves). */
export function figuresFromCounters(
  policyId: string,
  counters: CounterValues,
  extra: { amountReserved?: number; amountDisbursed?: number; amountRecovered?: number; firstPushAt?: Instant | undefined; lastPushAt?: Instant | undefined } = {},
  publishedAt?: Instant,
): PolicyFigures {
  const coverage = counters.eligible === 0 ? null : (counters.confirmed + counters.granted) / counters.eligible;
  const publishToLastPushMs =
    publishedAt !== undefined && extra.lastPushAt !== undefined
      ? instantOf(extra.lastPushAt) - instantOf(publishedAt)
      : null;
  return {
    policyId,
    ...counters,
    coverage,
    amountReserved: extra.amountReserved ?? 0,
    amountDisbursed: extra.amountDisbursed ?? 0,
    amountRecovered: extra.amountRecovered ?? 0,
    ...(extra.firstPushAt !== undefined ? { firstPushAt: extra.firstPushAt } : {}),
    ...(extra.lastPushAt !== undefined ? { lastPushAt: extra.lastPushAt } : {}),
    publishToLastPushMs: publishToLastPushMs !== null && Number.isFinite(publishToLastPushMs) ? publishToLastPushMs : null,
    publicityToPaymentDaysMean: counters.paidAfterPublicity > 0 ? counters.publicityToPaymentDays / counters.paidAfterPublicity : null,
    eligibleToPushDaysMean: counters.pushedAfterEligible > 0 ? counters.eligibleToPushDays / counters.pushedAfterEligible : null,
  };
}

/** Adds one transition's deltas to counters (what the adapter does with atomic ADDs). */
export function applyDeltas(counters: CounterValues, deltas: CounterDeltas): CounterValues {
  const next = { ...counters };
  for (const k of COUNTERS) next[k] += deltas.counts[k] ?? 0;
  return next;
}
