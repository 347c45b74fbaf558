import { dayOf, instantOf, scanDate, scanNow } from './dates';
import type { Facts, Operator } from './types';

/** Truth as a small int, so combining results is integer comparison: 1 true, 0 false, 2 unknown. */
export type Tri = 0 | 1 | 2;
export const FALSE = 0;
export const TRUE = 1;
export const UNKNOWN = 2;

/** Tests one fact value against a leaf's operand. `facts` is there for operators that read `now`. */
export type LeafTest = (seen: unknown, facts: Facts) => Tri;

/** A rule-side date, parsed once at compile time: its day and, for an instant, its epoch ms (else NaN). */
export interface RuleDate {
  readonly day: number;
  readonly ms: number;
}

export function ruleDate(s: string): RuleDate {
  return { day: dayOf(s), ms: instantOf(s) };
}

/**
 * Orders a fact value against a rule date; NaN when the fact is not a date string (unknown, not false).
 * Two instants compare by moment; otherwise by calendar day, an instant's day being its date as written.
 */
export function compareFactDate(seen: unknown, day: number, ms: number): number {
  if (typeof seen !== 'string') return NaN;
  const d = scanDate(seen);
  // d.ms is NaN for a date-only fact, so this falls through to days exactly when one side has no time.
  return d.ms === d.ms && ms === ms ? d.ms - ms : d.day - day;
}

/** Orders a fact-side date string against `now` (also a fact); NaN unless both are dates. */
export function compareFactDates(a: unknown, now: unknown): number {
  if (typeof now !== 'string') return NaN;
  const n = scanNow(now);
  if (n.day !== n.day) return NaN;
  return compareFactDate(a, n.day, n.ms);
}

/**
 * Whole years from a birth date to the date of `now` as written. A 29 February birthday is reached on
 * 1 March in common years, which falls out of comparing month*100+day.
 */
export function ageAtLeast(birth: unknown, now: unknown, years: number): Tri {
  if (typeof birth !== 'string' || typeof now !== 'string') return UNKNOWN;
  const n = scanNow(now).packed;
  if (n !== n) return UNKNOWN;
  const b = scanDate(birth).packed;
  if (b !== b) return UNKNOWN;
  let age = Math.floor(n / 10000) - Math.floor(b / 10000);
  if (n % 10000 < b % 10000) age -= 1;
  return age >= years ? TRUE : FALSE;
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
  (value: unknown): LeafTest => {
    if (typeof value === 'number') {
      return (seen) => (numeric(seen) ? (pass(seen - value) ? TRUE : FALSE) : UNKNOWN);
    }
    const { day, ms } = ruleDate(value as string);
    return (seen) => {
      const c = compareFactDate(seen, day, ms);
      return c !== c ? UNKNOWN : pass(c) ? TRUE : FALSE;
    };
  };

/** The scalar types an `in` list mentions: a fact of another type is a mismatch, hence unknown. */
export function scalarTypes(list: readonly unknown[]): ReadonlySet<string> {
  return new Set(list.map((x) => typeof x));
}

const dateOrder =
  (pass: (c: number) => boolean) =>
  (value: unknown): LeafTest => {
    if (value === 'now') {
      return (seen, facts) => {
        const c = compareFactDates(seen, facts.now);
        return c !== c ? UNKNOWN : pass(c) ? TRUE : FALSE;
      };
    }
    const { day, ms } = ruleDate(value as string);
    return (seen) => {
      const c = compareFactDate(seen, day, ms);
      return c !== c ? UNKNOWN : pass(c) ? TRUE : FALSE;
    };
  };

/**
 * The reference semantics of every operator, as closures. `explain` runs these; `evaluate` runs code
 * generated to the same semantics, and the property tests hold the two together.
 * Operands are assumed valid (the compiler validates first).
 */
export const LEAF_TESTS: Readonly<Record<Operator, (value: unknown, present: boolean) => LeafTest>> = {
  eq: (value) => (seen) => (seen === value ? TRUE : typeof seen === typeof value && seen !== null ? FALSE : UNKNOWN),
  ne: (value) => (seen) => (seen === value ? FALSE : typeof seen === typeof value && seen !== null ? TRUE : UNKNOWN),
  gt: cmpTest((c) => c > 0),
  gte: cmpTest((c) => c >= 0),
  lt: cmpTest((c) => c < 0),
  lte: cmpTest((c) => c <= 0),
  in: (value) => {
    const list = value as readonly unknown[];
    const set = new Set(list);
    const types = scalarTypes(list);
    return (seen) => (set.has(seen) ? TRUE : seen !== null && types.has(typeof seen) ? FALSE : UNKNOWN);
  },
  notIn: (value) => {
    const list = value as readonly unknown[];
    const set = new Set(list);
    const types = scalarTypes(list);
    return (seen) => (set.has(seen) ? FALSE : seen !== null && types.has(typeof seen) ? TRUE : UNKNOWN);
  },
  contains: (value) => (seen) => contains(seen, value),
  exists: (value, present) => {
    const mustExist = !present || value !== false;
    return (seen) => ((seen !== undefined && seen !== null) === mustExist ? TRUE : FALSE);
  },
  between: (value) => {
    const [low, high] = value as [unknown, unknown];
    if (typeof low === 'number' && typeof high === 'number') {
      return (seen) => (numeric(seen) ? (seen >= low && seen <= high ? TRUE : FALSE) : UNKNOWN);
    }
    const lo = ruleDate(low as string);
    const hi = ruleDate(high as string);
    return (seen) => {
      const a = compareFactDate(seen, lo.day, lo.ms);
      if (a !== a) return UNKNOWN;
      return a >= 0 && compareFactDate(seen, hi.day, hi.ms) <= 0 ? TRUE : FALSE;
    };
  },
  before: dateOrder((c) => c < 0),
  after: dateOrder((c) => c > 0),
  ageAtLeast: (value) => (seen, facts) => ageAtLeast(seen, facts.now, value as number),
};
