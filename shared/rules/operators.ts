import { dayOf, instantOf, isDateString, isLeapYear, packedDatePart, packedOfDay, scanDate, scanNow } from './dates';
import type { Facts, Operator } from './types';
import type { TimeZone } from './zone';

/** Truth as a small int, so combining results is integer comparison: 1 true, 0 false, 2 unknown. */
export type Tri = 0 | 1 | 2;
export const FALSE = 0;
export const TRUE = 1;
export const UNKNOWN = 2;

/** Tests one fact value against a leaf's operand. `facts` is there for operators that read `now`. */
export type LeafTest = (seen: unknown, facts: Facts) => Tri;

/**
 * A rule-side date, parsed once at compile time: its LOCAL day in the bureau's zone and, for an
 * instant, its epoch ms (else NaN).
 */
export interface RuleDate {
  readonly day: number;
  readonly ms: number;
}

export function ruleDate(s: string, zone: TimeZone): RuleDate {
  const ms = instantOf(s);
  return { day: ms === ms ? zone.dayOf(ms) : dayOf(s), ms };
}

/**
 * Orders a fact value against a rule date; NaN when the fact is not a date string (unknown, not false).
 * Two instants compare by moment; otherwise by local calendar day in `zone` (dates.ts).
 */
export function compareFactDate(seen: unknown, day: number, ms: number, zone: TimeZone): number {
  if (typeof seen !== 'string') return NaN;
  const d = scanDate(seen);
  const seenMs = d.ms;
  // seenMs is NaN for a date-only fact (and for an invalid one, whose day is NaN too).
  if (seenMs !== seenMs) return d.day - day;
  return ms === ms ? seenMs - ms : zone.dayOf(seenMs) - day;
}

/** Orders a fact-side date string against `now` (also a fact); NaN unless both are dates. Only the sign means anything. */
export function compareFactDates(a: unknown, now: unknown, zone: TimeZone): number {
  if (typeof now !== 'string') return NaN;
  const n = scanNow(now, zone);
  if (n.day !== n.day) return NaN;
  // A date-only fact (a form's date: the common case) compares as written against now's local date;
  // packed y*10000+m*100+d orders as day numbers do, without converting either. Only the sign is used.
  if (typeof a === 'string' && a.length === 10) return packedDatePart(a) - n.packed;
  return compareFactDate(a, n.day, n.ms, zone);
}

/**
 * Whole years from a birth date to the local date of `now`, as the Civil Code counts periods: a period
 * in years ends on the corresponding day, or on the month's last day when there is none, so a person
 * born on 29 February is a year older on 28 February of a common year.
 */
export function ageAtLeast(birth: unknown, now: unknown, years: number, zone: TimeZone): Tri {
  if (typeof birth !== 'string' || typeof now !== 'string') return UNKNOWN;
  const n = scanNow(now, zone).packed;
  if (n !== n) return UNKNOWN;
  let b: number;
  // A birth date is nearly always date-only ("YYYY-MM-DD"): read it in place, without a full scan.
  if (birth.length === 10) b = packedDatePart(birth);
  else {
    const scanned = scanDate(birth);
    b = scanned.ms === scanned.ms ? packedOfDay(zone.dayOf(scanned.ms)) : scanned.packed;
  }
  if (b !== b) return UNKNOWN;
  // Packed dates (y*10000+m*100+d) differ by at least years*10000 exactly when the birthday of that
  // many years has come: the month and day part never reaches 10000.
  if (b % 10000 === 229 && !isLeapYear(Math.floor(n / 10000))) b -= 1;
  return n - b >= years * 10000 ? TRUE : FALSE;
}

export function contains(seen: unknown, needle: unknown): Tri {
  if (Array.isArray(seen)) return seen.includes(needle) ? TRUE : FALSE;
  if (typeof seen === 'string') {
    if (typeof needle !== 'string') return UNKNOWN;
    return seen.includes(needle) ? TRUE : FALSE;
  }
  return UNKNOWN;
}

function numeric(seen: unknown): seen is number {
  return typeof seen === 'number' && seen === seen;
}

const cmpTest =
  (pass: (c: number) => boolean) =>
  (value: unknown, _present: boolean, zone: TimeZone): LeafTest => {
    if (typeof value === 'number') {
      return (seen) => (numeric(seen) ? (pass(seen - value) ? TRUE : FALSE) : UNKNOWN);
    }
    const { day, ms } = ruleDate(value as string, zone);
    return (seen) => {
      const c = compareFactDate(seen, day, ms, zone);
      return c !== c ? UNKNOWN : pass(c) ? TRUE : FALSE;
    };
  };

/**
 * `eq` with a date compares dates as the order operators do (the same local date, two instants the same
 * moment), not text, and a fact that is no date is unknown; any other value compares as text (or number,
 * or boolean), a fact of another type being unknown.
 */
function eqTest(value: unknown, present: boolean, zone: TimeZone): LeafTest {
  return isDateString(value)
    ? cmpTest((c) => c === 0)(value, present, zone)
    : (seen) => (seen === value ? TRUE : typeof seen === typeof value && seen !== null ? FALSE : UNKNOWN);
}

/** Whether an `in` / `notIn` list names a date: then it compares as `eq` does with each item, not as text. */
export function listHasDate(list: readonly unknown[]): boolean {
  return list.some(isDateString);
}

/**
 * `in` with a list that names a date: the fact `eq` some item, in three values (true if one item is equal,
 * else unknown if one comparison is unknown, else false), so a date item matches a fact on the same local
 * date (two instants: the same moment) and a fact that is no date is unknown for it. `notIn` is its
 * negation (unknown stays unknown). Lists without a date keep the text membership test.
 */
export function dateListTest(list: readonly unknown[], zone: TimeZone, negate: boolean): LeafTest {
  const tests = list.map((x) => eqTest(x, true, zone));
  const [hit, miss]: [Tri, Tri] = negate ? [FALSE, TRUE] : [TRUE, FALSE];
  return (seen, facts) => {
    let unknown = false;
    for (const test of tests) {
      const r = test(seen, facts);
      if (r === TRUE) return hit;
      if (r === UNKNOWN) unknown = true;
    }
    return unknown ? UNKNOWN : miss;
  };
}

/** The scalar types an `in` list mentions: a fact of another type is a mismatch, hence unknown. */
export function scalarTypes(list: readonly unknown[]): ReadonlySet<string> {
  return new Set(list.map((x) => typeof x));
}

const dateOrder =
  (pass: (c: number) => boolean) =>
  (value: unknown, _present: boolean, zone: TimeZone): LeafTest => {
    if (value === 'now') {
      return (seen, facts) => {
        const c = compareFactDates(seen, facts.now, zone);
        return c !== c ? UNKNOWN : pass(c) ? TRUE : FALSE;
      };
    }
    const { day, ms } = ruleDate(value as string, zone);
    return (seen) => {
      const c = compareFactDate(seen, day, ms, zone);
      return c !== c ? UNKNOWN : pass(c) ? TRUE : FALSE;
    };
  };

/**
 * The reference semantics of every operator, as closures. `explain` runs these; `evaluate` runs code
 * generated to the same semantics, and the property tests hold the two together.
 * Operands are assumed valid (the compiler validates first).
 */
export const LEAF_TESTS: Readonly<Record<Operator, (value: unknown, present: boolean, zone: TimeZone) => LeafTest>> = {
  // With a date, eq and ne compare dates as the order operators do (the same local date, two instants the
  // same moment), not text; a fact that is no date is unknown.
  eq: eqTest,
  ne: (value, present, zone) =>
    isDateString(value) ? cmpTest((c) => c !== 0)(value, present, zone) : (seen) => (seen === value ? FALSE : typeof seen === typeof value && seen !== null ? TRUE : UNKNOWN),
  gt: cmpTest((c) => c > 0),
  gte: cmpTest((c) => c >= 0),
  lt: cmpTest((c) => c < 0),
  lte: cmpTest((c) => c <= 0),
  in: (value, _present, zone) => {
    const list = value as readonly unknown[];
    if (listHasDate(list)) return dateListTest(list, zone, false);
    const set = new Set(list);
    const types = scalarTypes(list);
    return (seen) => (set.has(seen) ? TRUE : seen !== null && types.has(typeof seen) ? FALSE : UNKNOWN);
  },
  notIn: (value, _present, zone) => {
    const list = value as readonly unknown[];
    if (listHasDate(list)) return dateListTest(list, zone, true);
    const set = new Set(list);
    const types = scalarTypes(list);
    return (seen) => (set.has(seen) ? FALSE : seen !== null && types.has(typeof seen) ? TRUE : UNKNOWN);
  },
  contains: (value) => (seen) => contains(seen, value),
  exists: (value, present) => {
    const mustExist = !present || value !== false;
    return (seen) => ((seen !== undefined && seen !== null) === mustExist ? TRUE : FALSE);
  },
  between: (value, _present, zone) => {
    const [low, high] = value as [unknown, unknown];
    if (typeof low === 'number' && typeof high === 'number') {
      return (seen) => (numeric(seen) ? (seen >= low && seen <= high ? TRUE : FALSE) : UNKNOWN);
    }
    const lo = ruleDate(low as string, zone);
    const hi = ruleDate(high as string, zone);
    return (seen) => {
      const a = compareFactDate(seen, lo.day, lo.ms, zone);
      if (a !== a) return UNKNOWN;
      return a >= 0 && compareFactDate(seen, hi.day, hi.ms, zone) <= 0 ? TRUE : FALSE;
    };
  },
  before: dateOrder((c) => c < 0),
  after: dateOrder((c) => c > 0),
  ageAtLeast: (value, _present, zone) => (seen, facts) => ageAtLeast(seen, facts.now, value as number, zone),
};
