/**
 * The next flip: when time alone changes a condition's result.
 *
 * Criteria that read `now` (`ageAtLeast`, `before`/`after` "now", any comparison whose fact is `now`)
 * change their result with no event arriving. `nextFlip` finds the first instant strictly after `now`
 * at which the condition's three-valued result differs from its result at `now`, every other fact
 * staying as given, or null when time alone never changes it.
 *
 * How: every time-dependent leaf is a comparison between the moment `now` and a fixed point (an
 * instant, a local date, a birthday), so its result can change only at a few instants — an instant X
 * and X+1 ms when two instants compare by moment, the local midnights around a date's start and the
 * next day's when a date is involved, the start of the birthday for an age. Between two consecutive
 * such instants every leaf, hence the whole condition, is constant. So the candidates are collected,
 * sorted, and the compiled condition itself is evaluated at each in turn: the first whose result
 * differs is the flip. The engine is its own oracle, so the flip agrees with `evaluate` by
 * construction, in every zone (daylight saving included; zone.ts lists the instants a local day may
 * start at).
 *
 * A leaf that is unknown (its fact missing or not a date) stays unknown: time alone does not change it.
 */
import { compileCondition, readFact } from './compile';
import { daysFromCivil, isLeapYear, isoDateOfDay, packedOfDay, scanDate } from './dates';
import type { CompiledCondition, Condition, Facts, Leaf, LeafTrace, Operator, Truth } from './types';
import { DEFAULT_TIME_ZONE, timeZone, type TimeZone } from './zone';

/** The last instant whose ISO form has a four-digit year (the rules language's date range). */
const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A leaf whose result changes at the flip. */
export interface FlipLeaf {
  /** Where the leaf sits in the condition, as in explanations (`all[1].not`). */
  readonly path: string;
  readonly id: string;
  readonly description: string;
  readonly fact: string;
  readonly op: Operator;
  readonly value?: unknown;
  /** Its result just before the flip. */
  readonly from: Truth;
  /** Its result from the flip on. */
  readonly to: Truth;
}

export interface NextFlip {
  /**
   * The first instant (ISO 8601 UTC, with milliseconds) at which the result is `to`. For a leaf that
   * compares dates (any date-only value, and every age) this is the start of the local day the result
   * changes on; for two instants compared by moment it is the exact millisecond.
   */
  readonly at: string;
  /** `at` as epoch milliseconds. */
  readonly atMs: number;
  /** The local date of `at` in `timeZone`, "YYYY-MM-DD". */
  readonly date: string;
  readonly timeZone: string;
  /** The condition's result just before `at`. */
  readonly from: Truth;
  /** The condition's result from `at` on (until the next flip). */
  readonly to: Truth;
  /** The leaves whose results change at `at`, in document order (empty when `leaves: false`). */
  readonly leaves: readonly FlipLeaf[];
}

export interface NextFlipOptions {
  /**
   * Only a change TO this result counts: `to: true` asks when time alone makes the condition hold
   * (passing over changes to false or unknown on the way).
   */
  readonly to?: Truth;
  /**
   * The zone for a condition given uncompiled (default Asia/Shanghai). A compiled condition carries
   * its own; a different one here is an error.
   */
  readonly timeZone?: string;
  /** Set false to skip finding the driving leaves (two `explain` calls) on a bulk path. */
  readonly leaves?: boolean;
}

function isCompiled(c: Condition | CompiledCondition): c is CompiledCondition {
  return typeof (c as CompiledCondition).evaluate === 'function';
}

function instantMs(now: string | Date | number): number {
  const ms =
    typeof now === 'number' ? now : now instanceof Date ? now.getTime() : typeof now === 'string' ? scanDate(now).ms : NaN;
  if (!Number.isFinite(ms)) {
    throw new RangeError(`now must be an RFC 3339 instant with an offset (or a Date); got ${JSON.stringify(now)}`);
  }
  return Math.floor(ms);
}

/**
 * The first instant strictly after `now` at which `condition`'s result on `facts` changes by time
 * alone, or null if it never does (up to the year 9999). `facts.now` is ignored: `now` is the moment.
 * Pass a compiled condition on any bulk path: compiling costs far more than the search.
 */
export function nextFlip(
  condition: Condition | CompiledCondition,
  facts: Facts,
  now: string | Date | number,
  options: NextFlipOptions = {},
): NextFlip | null {
  const compiled = compiledFor(condition, options.timeZone);
  const nowMs = instantMs(now);
  const probe: Record<string, unknown> = { ...facts };

  // Every leaf that reads the moment is unknown without one, so a result settled with `now` unknown is
  // the result at every moment (Kleene's logic): nothing for time to change. This keeps the bulk path
  // cheap for the many subjects another criterion rules out (a district, a kind).
  if (readsNowOnlyAsMoment(compiled)) {
    probe.now = undefined;
    if (compiled.evaluate(probe) !== null) return null;
  }

  const zone = timeZone(compiled.timeZone);
  const at = (ms: number): Facts => {
    probe.now = new Date(ms).toISOString();
    return probe;
  };

  const candidates = new Set<number>();
  collect(compiled.condition, facts, zone, candidates);
  const times = [...candidates].filter((t) => t > nowMs && t <= LAST_INSTANT).sort((a, b) => a - b);

  let previous = compiled.evaluate(at(nowMs));
  for (const t of times) {
    const result = compiled.evaluate(at(t));
    if (result === previous) continue;
    if (options.to === undefined || result === options.to) {
      return {
        at: new Date(t).toISOString(),
        atMs: t,
        date: isoDateOfDay(zone.dayOf(t)),
        timeZone: zone.name,
        from: previous,
        to: result,
        leaves: options.leaves === false ? [] : drivers(compiled, at, t),
      };
    }
    previous = result;
  }
  return null;
}

const momentOnly = new WeakMap<CompiledCondition, boolean>();

/**
 * Whether every leaf that reads `now` is unknown when `now` is absent — true unless the condition asks
 * whether `now` exists (the one operator that is definite on a missing fact).
 */
function readsNowOnlyAsMoment(compiled: CompiledCondition): boolean {
  let known = momentOnly.get(compiled);
  if (known === undefined) {
    known = !asksNowExists(compiled.condition);
    momentOnly.set(compiled, known);
  }
  return known;
}

function asksNowExists(node: Condition): boolean {
  if ('all' in node) return node.all.some(asksNowExists);
  if ('any' in node) return node.any.some(asksNowExists);
  if ('not' in node) return asksNowExists(node.not);
  return node.fact === 'now' && node.op === 'exists';
}

function compiledFor(condition: Condition | CompiledCondition, zoneName: string | undefined): CompiledCondition {
  if (!isCompiled(condition)) return compileCondition(condition, { timeZone: zoneName ?? DEFAULT_TIME_ZONE });
  if (zoneName !== undefined && zoneName !== condition.timeZone) {
    throw new RangeError(`the condition was compiled for ${condition.timeZone}, not ${zoneName}`);
  }
  return condition;
}

/** Leaves whose result at `t` differs from their result the millisecond before. */
function drivers(compiled: CompiledCondition, at: (ms: number) => Facts, t: number): FlipLeaf[] {
  const before: readonly LeafTrace[] = compiled.explain(at(t - 1)).leaves;
  const after = compiled.explain(at(t)).leaves;
  const out: FlipLeaf[] = [];
  after.forEach((leaf, i) => {
    const from = before[i]?.result ?? null;
    if (leaf.result === from) return;
    const { path, id, description, fact, op } = leaf;
    out.push({ path, id, description, fact, op, ...('value' in leaf ? { value: leaf.value } : {}), from, to: leaf.result });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Candidates: a superset of the instants at which some leaf's result can change.
// ---------------------------------------------------------------------------------------------------

function collect(node: Condition, facts: Facts, zone: TimeZone, out: Set<number>): void {
  if ('all' in node) for (const c of node.all) collect(c, facts, zone, out);
  else if ('any' in node) for (const c of node.any) collect(c, facts, zone, out);
  else if ('not' in node) collect(node.not, facts, zone, out);
  else leafCandidates(node, facts, zone, out);
}

function leafCandidates(leaf: Leaf, facts: Facts, zone: TimeZone, out: Set<number>): void {
  const onNow = leaf.fact === 'now';
  if (leaf.op === 'ageAtLeast') {
    // The age of `now` at `now` is always 0: no flip.
    if (!onNow) birthdayCandidates(readFact(leaf.fact.split('.'), facts), leaf.value as number, zone, out);
    return;
  }
  if ((leaf.op === 'before' || leaf.op === 'after') && leaf.value === 'now') {
    // `now` before/after itself never changes.
    if (!onNow) dateCandidates(readFact(leaf.fact.split('.'), facts), zone, out);
    return;
  }
  if (!onNow) return;
  // `now` as the fact against fixed dates. Validation keeps text operators (eq, in, …) off `now`.
  switch (leaf.op) {
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
    case 'before':
    case 'after':
      dateCandidates(leaf.value, zone, out);
      return;
    case 'between': {
      const [low, high] = leaf.value as [unknown, unknown];
      dateCandidates(low, zone, out);
      dateCandidates(high, zone, out);
      return;
    }
    default:
      return;
  }
}

/**
 * Where a comparison between the (instant) `now` and this date can change: an instant compares by
 * moment, so at X and X+1; a date-only value compares with now's local date, so where that date
 * reaches the value's day and the day after.
 */
function dateCandidates(value: unknown, zone: TimeZone, out: Set<number>): void {
  if (typeof value !== 'string') return;
  const { day, ms } = scanDate(value);
  if (day !== day) return;
  if (ms === ms) {
    out.add(ms);
    out.add(ms + 1);
    return;
  }
  for (const t of zone.dayBoundaries(day)) out.add(t);
  for (const t of zone.dayBoundaries(day + 1)) out.add(t);
}

/** An age of `years` is reached once, at the start of that birthday (28 February for 29 February). */
function birthdayCandidates(birth: unknown, years: number, zone: TimeZone, out: Set<number>): void {
  if (typeof birth !== 'string') return;
  const scanned = scanDate(birth);
  const packed = scanned.ms === scanned.ms ? packedOfDay(zone.dayOf(scanned.ms)) : scanned.packed;
  if (packed !== packed) return;
  const year = Math.floor(packed / 10000) + years;
  const month = Math.floor(packed / 100) % 100;
  let day = packed % 100;
  if (month === 2 && day === 29 && !isLeapYear(year)) day = 28;
  for (const t of zone.dayBoundaries(daysFromCivil(year, month, day))) out.add(t);
}

// ---------------------------------------------------------------------------------------------------
// Policy windows
// ---------------------------------------------------------------------------------------------------

/** A policy's validity: dates are local and inclusive, instants exact (as the policy matcher reads them). */
export interface ValidityWindow {
  readonly validFrom?: string;
  readonly validTo?: string;
}

export const WINDOW_LEAF_IDS = { validFrom: 'policy.validFrom', validTo: 'policy.validTo' } as const;

/**
 * The criteria with the policy's window folded in as two leaves on `now` (`gte validFrom`,
 * `lte validTo`), so `nextFlip` on the result also finds the day a policy takes effect or lapses, and
 * names the window leaf as the driver. Outside the window the result is false, never unknown (an
 * inactive policy asks nobody for information). Compile it once per policy version, e.g.
 * `compileCached(withinWindow(p.criteria, p), \`${key}+window\`, { timeZone })`. A criteria leaf
 * already using the ids in WINDOW_LEAF_IDS makes the compile fail with a duplicate-id issue.
 */
export function withinWindow(criteria: Condition, window: ValidityWindow): Condition {
  const leaves: Leaf[] = [];
  if (window.validFrom !== undefined) {
    leaves.push({ id: WINDOW_LEAF_IDS.validFrom, description: '政策已生效', fact: 'now', op: 'gte', value: window.validFrom });
  }
  if (window.validTo !== undefined) {
    leaves.push({ id: WINDOW_LEAF_IDS.validTo, description: '政策尚未到期', fact: 'now', op: 'lte', value: window.validTo });
  }
  return leaves.length === 0 ? criteria : { all: [...leaves, criteria] };
}
