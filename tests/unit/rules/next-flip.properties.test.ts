import fc from 'fast-check';
import { compileCondition, nextFlip, type CompiledCondition, type Condition, type Facts, type Leaf, type Truth } from '#rules';

/**
 * nextFlip against the engine itself: for random conditions of time leaves (ages, dates and instants
 * against now, now against dates, instants and ranges) and static leaves, under all/any/not, with facts
 * sometimes missing, in zones with and without daylight saving, the result evaluated at sampled
 * instants must equal the result at `now` up to the flip, and differ at it; with no flip it must stay
 * the same for 150 years. Samples include every local midnight and instant the leaves mention (found
 * with Intl, independently of the engine's zone code), a millisecond either side, so a flip the
 * computation missed is caught, not just one it got slightly wrong.
 */

const DAY = 86_400_000;
const YEAR = 365.2425 * DAY;
const ZONES = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'America/Havana', 'Australia/Lord_Howe'] as const;
const OFFSETS = ['Z', '+08:00', '-05:00', '+05:45'] as const;

// --- independent local-date arithmetic (Intl, binary search) ------------------------------------------
const formats = new Map<string, Intl.DateTimeFormat>();
function localDate(zone: string, ms: number): string {
  let f = formats.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formats.set(zone, f);
  }
  return f.format(ms);
}
const starts = new Map<string, number>();
/** The first instant whose local date in `zone` is `date` or later (these zones' dates never go back). */
function localStart(zone: string, date: string): number {
  const key = `${zone} ${date}`;
  let hit = starts.get(key);
  if (hit === undefined) {
    let lo = Date.parse(`${date}T00:00:00Z`) - 2 * DAY; // local date < date
    let hi = lo + 4 * DAY; // local date >= date
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (localDate(zone, mid) >= date) hi = mid;
      else lo = mid;
    }
    hit = hi;
    starts.set(key, hit);
  }
  return hit;
}
const isoDate = (y: number, m: number, d: number) =>
  `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
function written(ms: number, offset: (typeof OFFSETS)[number]): string {
  if (offset === 'Z') return new Date(ms).toISOString();
  const sign = offset.startsWith('-') ? -1 : 1;
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  return new Date(ms + minutes * 60_000).toISOString().slice(0, 23) + offset;
}

// --- generators ---------------------------------------------------------------------------------------
interface Ctx {
  readonly zone: string;
  readonly nowMs: number;
  readonly today: string;
}

/** A date or instant near now (or exactly at a local midnight), as a rule or fact would write it. */
const pointArb = (ctx: Ctx): fc.Arbitrary<string> =>
  fc.oneof(
    fc.integer({ min: -400, max: 400 }).map((n) => addDays(ctx.today, n)),
    fc
      .tuple(fc.integer({ min: -400 * DAY, max: 400 * DAY }), fc.constantFrom(...OFFSETS))
      .map(([d, off]) => written(ctx.nowMs + d, off)),
    fc
      .tuple(fc.integer({ min: -30, max: 30 }), fc.constantFrom(-1, 0, 1), fc.constantFrom(...OFFSETS))
      .map(([n, d, off]) => written(localStart(ctx.zone, addDays(ctx.today, n)) + d, off)),
  );

/** What a leaf reads: sometimes missing or not a date, hence unknown. */
const factArb = (value: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 6, arbitrary: value }, { weight: 1, arbitrary: fc.constantFrom(undefined, 'soon') });

type Spec = Omit<Leaf, 'id' | 'description' | 'fact'> & { readonly root: 'form' | 'person' | 'now'; readonly seen?: unknown };

const leafArb = (ctx: Ctx): fc.Arbitrary<Spec> => {
  const nowYear = Number(ctx.today.slice(0, 4));
  const birth = fc
    .tuple(fc.integer({ min: nowYear - 100, max: nowYear }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), fc.boolean())
    .map(([y, m, d, leapDay]) => {
      if (leapDay) return isoDate(y - (y % 4), 2, 29 - (isLeap(y - (y % 4)) ? 0 : 1));
      return isoDate(y, m, Math.min(d, new Date(Date.UTC(y, m, 0)).getUTCDate()));
    });
  const point = pointArb(ctx);
  return fc.oneof(
    fc.tuple(birth, fc.integer({ min: -1, max: 2 })).chain(([b, delta]) =>
      factArb(fc.constant(b)).map(
        (seen): Spec => ({ root: 'person', op: 'ageAtLeast', value: Math.max(0, nowYear - Number(b.slice(0, 4)) + delta), seen }),
      ),
    ),
    fc.tuple(fc.constantFrom('before', 'after' as const), factArb(point)).map(([op, seen]): Spec => ({ root: 'form', op, value: 'now', seen })),
    fc
      .tuple(fc.constantFrom('gt', 'gte', 'lt', 'lte', 'before', 'after' as const), point)
      .map(([op, value]): Spec => ({ root: 'now', op, value })),
    fc.tuple(point, point).map(([a, b]): Spec => {
      const order = (s: string) => (s.length === 10 ? localStart(ctx.zone, s) : Date.parse(s));
      // Validation wants low <= high; equal days of a date and an instant are fine either way round.
      const [low, high] = order(a) <= order(b) ? [a, b] : [b, a];
      const sameDay = low.length === 10 || high.length === 10 ? low.slice(0, 10) <= high.slice(0, 10) : true;
      return sameDay ? { root: 'now', op: 'between', value: [low, high] } : { root: 'now', op: 'gte', value: low };
    }),
    fc.constantFrom<Spec>(
      { root: 'form', op: 'eq', value: 'x', seen: 'x' },
      { root: 'form', op: 'eq', value: 'x', seen: 'y' },
      { root: 'form', op: 'eq', value: 'x', seen: undefined },
      // Definite on a missing fact: `now` always exists, a form field may not.
      { root: 'now', op: 'exists', value: true },
      { root: 'form', op: 'exists', value: true, seen: undefined },
    ),
  );
};

type Tree = Spec | { all: Tree[] } | { any: Tree[] } | { not: Tree };

const treeArb = (ctx: Ctx): fc.Arbitrary<Tree> =>
  fc.letrec<{ node: Tree }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leafArb(ctx),
      fc.array(tie('node'), { minLength: 1, maxLength: 4 }).map((all) => ({ all })),
      fc.array(tie('node'), { minLength: 1, maxLength: 4 }).map((any) => ({ any })),
      tie('node').map((not) => ({ not })),
    ),
  })).node;

const ctxArb: fc.Arbitrary<Ctx> = fc
  .tuple(
    fc.constantFrom(...ZONES),
    fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
    fc.constantFrom<-1 | 0 | 1 | null>(null, null, null, -1, 0, 1),
  )
  .map(([zone, ms, atMidnight]) => {
    const nowMs = atMidnight === null ? ms : localStart(zone, localDate(zone, ms)) + atMidnight;
    return { zone, nowMs, today: localDate(zone, nowMs) };
  });

/** Ids, fact paths and the facts object for a generated tree; plus the instants its leaves mention. */
function realise(tree: Tree, ctx: Ctx): { condition: Condition; facts: Facts; sharp: number[] } {
  const form: Record<string, unknown> = {};
  const person: Record<string, unknown> = {};
  const sharp: number[] = [];
  let n = 0;
  const mark = (v: unknown) => {
    if (typeof v !== 'string') return;
    if (v.length === 10) {
      for (const date of [v, addDays(v, 1)]) for (const d of [-1, 0, 1]) sharp.push(localStart(ctx.zone, date) + d);
    } else if (!Number.isNaN(Date.parse(v))) {
      for (const d of [-1, 0, 1, 2]) sharp.push(Date.parse(v) + d);
    }
  };
  const walk = (t: Tree): Condition => {
    if ('all' in t) return { all: t.all.map(walk) };
    if ('any' in t) return { any: t.any.map(walk) };
    if ('not' in t) return { not: walk(t.not) };
    const i = n++;
    const fact = t.root === 'now' ? 'now' : `${t.root}.f${i}`;
    if (t.root === 'form' && t.seen !== undefined) form[`f${i}`] = t.seen;
    if (t.root === 'person' && t.seen !== undefined) person[`f${i}`] = t.seen;
    if (t.op === 'ageAtLeast' && typeof t.seen === 'string' && t.seen.length === 10) {
      const y = Number(t.seen.slice(0, 4)) + (t.value as number);
      const [m, d] = [Number(t.seen.slice(5, 7)), Number(t.seen.slice(8, 10))];
      const days = [isoDate(y, m, Math.min(d, new Date(Date.UTC(y, m, 0)).getUTCDate())), isoDate(y, 3, 1), isoDate(y, 2, 28)];
      if (isLeap(y)) days.push(isoDate(y, 2, 29));
      for (const day of days) for (const dd of [-1, 0, 1]) sharp.push(localStart(ctx.zone, day) + dd);
    } else if (t.value === 'now') mark(t.seen);
    else if (t.root === 'now') (Array.isArray(t.value) ? t.value : [t.value]).forEach(mark);
    const { root: _root, seen: _seen, ...rest } = t;
    return { id: `P-${i}`, description: '随机时间条件', fact, ...rest };
  };
  const condition = walk(tree);
  return { condition, facts: { form, person }, sharp };
}

function evaluatorAt(compiled: CompiledCondition, facts: Facts): (ms: number) => Truth {
  return (ms) => {
    const utc = compiled.evaluate({ ...facts, now: written(ms, 'Z') });
    // The same moment written in another offset must give the same answer.
    const shifted = compiled.evaluate({ ...facts, now: written(ms, '+05:45') });
    if (shifted !== utc) throw new Error(`now written in UTC and at +05:45 disagree at ${written(ms, 'Z')}`);
    return utc;
  };
}

describe('nextFlip agrees with evaluate at sampled instants (property-based)', () => {
  it('holds the result until the flip, changes it at the flip, and never changes it when there is none', () => {
    let flips = 0;
    let none = 0;
    fc.assert(
      fc.property(
        ctxArb.chain((ctx) => fc.tuple(fc.constant(ctx), treeArb(ctx), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 20, maxLength: 20 }))),
        ([ctx, tree, uniform]) => {
          const { condition, facts, sharp } = realise(tree, ctx);
          const compiled = compileCondition(condition, { timeZone: ctx.zone });
          const at = evaluatorAt(compiled, facts);
          const r0 = at(ctx.nowMs);
          const flip = nextFlip(compiled, facts, written(ctx.nowMs, '+08:00'));
          const end = flip === null ? ctx.nowMs + 150 * YEAR : flip.atMs;
          const samples = [...sharp, ...uniform.map((u) => ctx.nowMs + u * (end - ctx.nowMs)), end - 1].filter(
            (t) => t > ctx.nowMs && t < end,
          );
          const changed = samples.filter((t) => at(t) !== r0).map((t) => new Date(t).toISOString());
          expect({ before: written(end, 'Z'), changed }).toEqual({ before: written(end, 'Z'), changed: [] });
          if (flip === null) {
            none += 1;
            return;
          }
          flips += 1;
          expect(flip.atMs).toBeGreaterThan(ctx.nowMs);
          expect(flip.from).toBe(r0);
          expect(flip.to).not.toBe(r0);
          expect(at(flip.atMs)).toBe(flip.to);
          expect(flip.at).toBe(new Date(flip.atMs).toISOString());
          expect(flip.date).toBe(localDate(ctx.zone, flip.atMs));
          expect(flip.leaves.length).toBeGreaterThan(0);
          for (const l of flip.leaves) expect(l.to).not.toBe(l.from);

          // `to: true` skips changes to false or unknown: nothing in between is true.
          const toTrue = nextFlip(compiled, facts, written(ctx.nowMs, 'Z'), { to: true, leaves: false });
          const until = toTrue === null ? ctx.nowMs + 150 * YEAR : toTrue.atMs;
          const between = [...sharp, flip.atMs, until - 1].filter((t) => t >= flip.atMs && t < until);
          if (flip.to === true) expect(toTrue?.atMs).toBe(flip.atMs);
          else expect(between.filter((t) => at(t) === true).map((t) => new Date(t).toISOString())).toEqual([]);
          if (toTrue !== null) expect(at(toTrue.atMs)).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
    // The generator reaches both outcomes often enough to mean something.
    expect(flips).toBeGreaterThan(60);
    expect(none).toBeGreaterThan(60);
  });
});
