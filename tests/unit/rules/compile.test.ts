import {
  ADAPT_CALLS,
  compileCached,
  compileCondition,
  InvalidConditionError,
  type Condition,
  type Facts,
  type Operator,
  type Truth,
} from '#rules';
import { leafMaker } from './fixtures';

const leaf = leafMaker('R');

/** Evaluates one leaf on `form.x = seen` (or no form.x when seen is undefined), by both paths. */
function run(op: Operator, value: unknown, seen: unknown, extra: Record<string, unknown> = {}): Truth {
  const c = compileCondition(leaf('form.x', op, value));
  const facts: Facts = { ...extra, form: seen === undefined ? {} : { x: seen } };
  const fast = c.evaluate(facts);
  const traced = c.explain(facts);
  expect(traced.result).toBe(fast);
  expect(traced.leaves).toHaveLength(1);
  expect(traced.leaves[0]?.result).toBe(fast);
  return fast;
}

const NOW = { now: '2025-10-09T10:00:00+08:00' };

describe('operators: true / false / unknown', () => {
  it.each<[Operator, unknown, unknown, Truth, Record<string, unknown>?]>([
    ['eq', 'valid', 'valid', true],
    ['eq', 'valid', 'revoked', false],
    ['eq', 'valid', undefined, null],
    ['eq', 'valid', null, null],
    ['eq', 18, '18', null], // no coercion: a string where a number is expected is a mismatch
    ['eq', true, true, true],
    ['eq', true, 1, null],
    ['eq', 'a', { a: 1 }, null],
    ['ne', 'revoked', 'valid', true],
    ['ne', 'valid', 'valid', false],
    ['ne', 'valid', undefined, null],
    ['ne', 3, 'three', null],
    ['gt', 18, 19, true],
    ['gt', 18, 18, false],
    ['gt', 18, undefined, null],
    ['gt', 18, '19', null],
    ['gte', 18, 18, true],
    ['gte', 18, 17.5, false],
    ['lt', 100, 99, true],
    ['lt', 100, 100, false],
    ['lte', 100, 100, true],
    ['lte', 100, 101, false],
    ['lte', 100, true, null],
    ['gt', '2025-01-01', '2025-01-02', true],
    ['gt', '2025-01-01', '2025-01-01', false],
    ['gt', '2025-01-01', 20250102, null],
    ['gt', '2025-01-01', 'yesterday', null],
    ['lt', '2025-01-01T00:00:00Z', '2024-12-31T23:59:59Z', true],
    ['gte', '2025-01-01', '2025-01-01T08:00:00+08:00', true], // an instant's day is its local date (Asia/Shanghai)
    ['gte', '2025-01-01', '2024-12-31T16:00:00Z', true], // 00:00 on 1 January in Beijing
    ['gte', '2025-01-01', '2024-12-31T15:59:59.999Z', false],
    ['lte', '2024-12-31T16:00:00Z', '2025-01-01', true], // a rule-side instant is localised too
    ['lte', '2024-12-31T15:59:59Z', '2025-01-01', false],
    ['in', ['a', 'b'], 'b', true],
    ['in', ['a', 'b'], 'c', false],
    ['in', ['a', 'b'], undefined, null],
    ['in', ['a', 'b'], 1, null],
    ['in', ['1', 2], 2, true],
    ['in', ['1', 2], 1, false],
    ['in', Array.from({ length: 20 }, (_, i) => `c${i}`), 'c19', true],
    ['in', Array.from({ length: 20 }, (_, i) => `c${i}`), 'c20', false],
    ['notIn', ['a', 'b'], 'c', true],
    ['notIn', ['a', 'b'], 'a', false],
    ['notIn', ['a', 'b'], null, null],
    ['notIn', Array.from({ length: 20 }, (_, i) => i), 5, false],
    ['notIn', Array.from({ length: 20 }, (_, i) => i), 'five', null],
    ['contains', 'food', ['retail', 'food'], true],
    ['contains', 'food', ['retail'], false],
    ['contains', '食品', '预包装食品销售', true],
    ['contains', '药品', '预包装食品销售', false],
    ['contains', 3, 'abc3', null],
    ['contains', 'food', 42, null],
    ['contains', 'food', undefined, null],
    ['exists', undefined, 'anything', true],
    ['exists', true, 0, true],
    ['exists', true, undefined, false],
    ['exists', true, null, false],
    ['exists', false, undefined, true],
    ['exists', false, 'x', false],
    ['between', [10, 20], 10, true],
    ['between', [10, 20], 20, true],
    ['between', [10, 20], 21, false],
    ['between', [10, 20], '15', null],
    ['between', [10, 20], undefined, null],
    ['between', ['2025-01-01', '2025-12-31'], '2025-12-31', true],
    ['between', ['2025-01-01', '2025-12-31'], '2026-01-01', false],
    ['between', ['2025-01-01', '2025-12-31'], 15, null],
    ['before', '2025-10-01', '2025-09-30', true],
    ['before', '2025-10-01', '2025-10-01', false],
    ['before', '2025-10-01', undefined, null],
    ['before', '2025-10-01', 20250930, null],
    ['after', '2025-10-01', '2025-10-02', true],
    ['after', '2025-10-01', '2025-09-02', false],
    ['after', 'now', '2026-01-01', true, NOW],
    ['after', 'now', '2025-10-08', false, NOW],
    ['after', 'now', '2025-10-09', false, NOW], // same day is not after
    ['before', 'now', '2025-10-09T09:59:59+08:00', true, NOW],
    ['before', 'now', '2025-10-09T02:00:00Z', false, NOW], // 10:00+08:00 is the same instant
    ['after', 'now', '2026-01-01', null], // no facts.now
    ['ageAtLeast', 18, '2007-10-09', true, NOW], // birthday today counts
    ['ageAtLeast', 18, '2007-10-10', false, NOW],
    ['ageAtLeast', 18, '2007-10-10', null], // no facts.now
    ['ageAtLeast', 18, undefined, null, NOW],
    ['ageAtLeast', 18, 'not a date', null, NOW],
    ['ageAtLeast', 18, 20071009, null, NOW],
    ['ageAtLeast', 0, '2025-10-09', true, NOW],
  // A rest parameter keeps the arity at 0: jest would take a fifth declared parameter for `done`.
  ])('%s %j on %j → %s', (...[op, value, seen, expected, extra]) => {
    expect(run(op, value, seen, extra)).toBe(expected);
  });

  it.each([
    ['2008-02-29', '2026-02-27', false],
    // Civil Code: a period with no corresponding day ends on the month's last day, so a 29 February
    // birthday is reached on 28 February in a common year.
    ['2008-02-29', '2026-02-28', true],
    ['2008-02-29', '2026-03-01', true],
    ['2008-02-29', '2028-02-28', true], // 2028 is leap, but 2008 + 18 = 2026 was reached already
    ['2012-02-29', '2030-02-28', true], // 18 in 2030, a common year
    ['2012-02-29', '2030-02-27', false],
    ['2014-02-28', '2032-02-28', true],
    ['2014-02-28', '2032-02-27', false],
    ['2012-02-29', '2032-02-28', true], // 20 in 2032 (leap): 20 on the 29th, but 19 ≥ 18 already
    ['2008-02-28', '2026-02-28', true],
    ['2008-03-01', '2026-02-28', false],
  ])('ageAtLeast 18 born %s on %s → %s', (birth, now, expected) => {
    expect(run('ageAtLeast', 18, birth, { now })).toBe(expected);
  });

  it('reaches a 29 February birthday on the 29th in a leap year, not the 28th', () => {
    expect(run('ageAtLeast', 20, '2012-02-29', { now: '2032-02-28' })).toBe(false);
    expect(run('ageAtLeast', 20, '2012-02-29', { now: '2032-02-29' })).toBe(true);
    expect(run('ageAtLeast', 100, '2000-02-29', { now: '2100-02-28' })).toBe(true); // 2100 is not leap
    expect(run('ageAtLeast', 100, '2000-02-29', { now: '2100-02-27' })).toBe(false);
  });

  it("reads the age on the local date of now in the bureau's zone, however now is written", () => {
    expect(run('ageAtLeast', 18, '2007-10-10', { now: '2025-10-10T00:30:00+08:00' })).toBe(true);
    expect(run('ageAtLeast', 18, '2007-10-10', { now: '2025-10-09T16:30:00Z' })).toBe(true); // 00:30 in Beijing
    expect(run('ageAtLeast', 18, '2007-10-10', { now: '2025-10-09T15:59:59.999Z' })).toBe(false); // 23:59:59.999
  });
});

describe('fact paths', () => {
  it('is unknown, not a crash, when an intermediate is missing or not an object', () => {
    const c = compileCondition(leaf('licence.营业执照.status', 'eq', 'valid'));
    expect(c.evaluate({})).toBeNull();
    expect(c.evaluate({ licence: 'none' })).toBeNull();
    expect(c.evaluate({ licence: { 营业执照: null } })).toBeNull();
    expect(c.evaluate({ licence: { 营业执照: { status: 'valid' } } })).toBe(true);
    expect(c.evaluate(undefined as unknown as Facts)).toBeNull();
  });
  it('reads `now` itself as a fact', () => {
    const c = compileCondition(leaf('now', 'before', '2026-01-01'));
    expect(c.evaluate(NOW)).toBe(true);
    expect(c.evaluate({})).toBeNull();
  });
  it('lists the fact paths it reads, including now for age and now-relative leaves', () => {
    const c = compileCondition({ all: [leaf('applicant.birthDate', 'ageAtLeast', 18), leaf('form.a', 'eq', 1), leaf('form.a', 'ne', 2)] });
    expect(c.factPaths).toEqual(['applicant.birthDate', 'now', 'form.a']);
  });
});

const T = leaf('form.t', 'eq', true);
const F = leaf('form.f', 'eq', true);
const U = leaf('form.u', 'eq', true);
const KLEENE_FACTS: Facts = { form: { t: true, f: false } };
const byName = { T, F, U } as const;
type Name = keyof typeof byName;
const truthOf: Record<Name, Truth> = { T: true, F: false, U: null };

describe('Kleene logic', () => {
  const names: Name[] = ['T', 'F', 'U'];
  const kleeneAnd = (a: Truth, b: Truth): Truth => (a === false || b === false ? false : a === null || b === null ? null : true);
  const kleeneOr = (a: Truth, b: Truth): Truth => (a === true || b === true ? true : a === null || b === null ? null : false);
  const pairs = names.flatMap((a) => names.map((b) => [a, b] as const));

  it.each(pairs)('all[%s, %s]', (a, b) => {
    const c = compileCondition({ all: [byName[a], { ...byName[b], id: 'second' }] });
    expect(c.evaluate(KLEENE_FACTS)).toBe(kleeneAnd(truthOf[a], truthOf[b]));
    expect(c.explain(KLEENE_FACTS).result).toBe(kleeneAnd(truthOf[a], truthOf[b]));
  });
  it.each(pairs)('any[%s, %s]', (a, b) => {
    const c = compileCondition({ any: [byName[a], { ...byName[b], id: 'second' }] });
    expect(c.evaluate(KLEENE_FACTS)).toBe(kleeneOr(truthOf[a], truthOf[b]));
    expect(c.explain(KLEENE_FACTS).result).toBe(kleeneOr(truthOf[a], truthOf[b]));
  });
  it.each([
    ['T', false],
    ['F', true],
    ['U', null],
  ] as const)('not(%s) = %s', (a, expected) => {
    expect(compileCondition({ not: byName[a] }).evaluate(KLEENE_FACTS)).toBe(expected);
  });
  it('never treats unknown as false: all[U, U, T] is unknown, any[U, F] is unknown', () => {
    expect(compileCondition({ all: [U, leaf('form.u2', 'gt', 1), T] }).evaluate(KLEENE_FACTS)).toBeNull();
    expect(compileCondition({ any: [U, F] }).evaluate(KLEENE_FACTS)).toBeNull();
    expect(compileCondition({ not: { any: [U, F] } }).evaluate(KLEENE_FACTS)).toBeNull();
  });
});

describe('explain', () => {
  it('traces every leaf in document order, even after the result is decided', () => {
    const c = compileCondition({
      all: [F, { any: [T, U] }, { not: leaf('credit.dishonest', 'exists') }],
    });
    const facts: Facts = { form: { t: true, f: false }, credit: { dishonest: '2024 失信名单' } };
    const { result, leaves } = c.explain(facts);
    expect(result).toBe(false);
    expect(result).toBe(c.evaluate(facts));
    expect(leaves.map((l) => [l.id, l.fact, l.seen, l.result])).toEqual([
      [F.id, 'form.f', false, false],
      [T.id, 'form.t', true, true],
      [U.id, 'form.u', undefined, null],
      [expect.any(String), 'credit.dishonest', '2024 失信名单', true],
    ]);
    expect(leaves[0]).toMatchObject({ description: '测试条件', op: 'eq', value: true });
    expect(leaves[3]).not.toHaveProperty('value');
  });
});

describe('explain: every node of the condition with its result', () => {
  const facts: Facts = { form: { t: true, f: false }, credit: { dishonest: '2024 失信名单' } };

  it('keeps a `not` and says the leaf under it failed, which is why the `not` holds', () => {
    const outside = leaf('form.f', 'eq', true);
    const c = compileCondition({ all: [T, { not: outside }] });
    const { result, tree, leaves } = c.explain(facts);
    expect(result).toBe(true);
    expect(tree).toEqual({
      all: [
        expect.objectContaining({ id: T.id, path: 'all[0]', result: true }),
        { not: expect.objectContaining({ id: outside.id, path: 'all[1].not', seen: false, result: false }), result: true },
      ],
      result: true,
    });
    expect(leaves.map((l) => [l.id, l.path, l.result])).toEqual([
      [T.id, 'all[0]', true],
      [outside.id, 'all[1].not', false],
    ]);
  });

  it('gives an `any` its own result: true with one true child, unknown with an unknown and no true one', () => {
    const held = compileCondition({ any: [F, T, U] }).explain(facts).tree;
    expect(held).toMatchObject({ any: [{ result: false }, { result: true }, { result: null }], result: true });
    const unsure = compileCondition({ any: [F, U] }).explain(facts).tree;
    expect(unsure).toMatchObject({ any: [{ result: false }, { result: null }], result: null });
    const failed = compileCondition({ any: [F, { not: T }] }).explain(facts).tree;
    expect(failed).toMatchObject({ any: [{ result: false }, { not: { result: true }, result: false }], result: false });
  });

  it('traces nested combinations at every depth, with paths that name each node', () => {
    const dishonest = leaf('credit.dishonest', 'exists');
    const alsoTrue = leaf('form.t', 'eq', true);
    const c = compileCondition({ all: [{ any: [F, { all: [T, { not: { any: [U, dishonest] } }] }] }, { not: { not: alsoTrue } }] });
    const { result, tree, leaves } = c.explain(facts);
    expect(result).toBe(c.evaluate(facts));
    expect(result).toBe(false);
    expect(tree).toMatchObject({
      result: false,
      all: [
        {
          result: false,
          any: [
            { id: F.id, result: false },
            {
              result: false,
              all: [{ id: T.id, result: true }, { result: false, not: { result: true, any: [{ id: U.id, result: null }, { id: dishonest.id, result: true }] } }],
            },
          ],
        },
        { result: true, not: { result: false, not: { id: alsoTrue.id, result: true } } },
      ],
    });
    expect(leaves.map((l) => l.path)).toEqual([
      'all[0].any[0]',
      'all[0].any[1].all[0]',
      'all[0].any[1].all[1].not.any[0]',
      'all[0].any[1].all[1].not.any[1]',
      'all[1].not.not',
    ]);
  });

  it('traces a lone leaf as the root, with an empty path', () => {
    const { tree, leaves } = compileCondition(T).explain(facts);
    expect(tree).toEqual(leaves[0]);
    expect(leaves[0]).toMatchObject({ id: T.id, path: '', result: true });
  });
});

describe('compile errors and cache', () => {
  it('throws InvalidConditionError carrying every issue', () => {
    const bad = { all: [{ id: 'X', description: '坏', fact: 'secret.x', op: 'like', value: 1 }] } as unknown as Condition;
    let error: unknown;
    try {
      compileCondition(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidConditionError);
    const err = error as InvalidConditionError;
    expect(err.code).toBe('INVALID_CONDITION');
    expect(err.issues.map((i) => i.path)).toEqual(['rules.all[0].fact', 'rules.all[0].op']);
  });

  it('compiles once per key and evicts the least recently used past the limit', () => {
    const first = compileCached(T, 'ITEM-1@1');
    expect(compileCached(F, 'ITEM-1@1')).toBe(first); // same version key, same compiled form
    for (let i = 0; i < 1000; i += 1) {
      if (i === 500) compileCached(T, 'ITEM-1@1'); // touch: now recently used
      compileCached(T, `FILL@${i}`);
    }
    expect(compileCached(F, 'ITEM-1@1')).toBe(first);
    const fill0 = compileCached(F, 'FILL@0');
    expect(fill0.evaluate(KLEENE_FACTS)).toBe(false); // recompiled from F: FILL@0 had been evicted
  });

  it('does not let property names or values inject code', () => {
    const c = compileCondition({
      all: [
        leaf('form.a"];throw 1;//', 'eq', '"; throw 2; //'),
        leaf('form.b', 'in', ['\u2028', "'", '\\']),
      ],
    });
    expect(c.evaluate({ form: { 'a"];throw 1;//': '"; throw 2; //', b: '\\' } })).toBe(true);
  });
});

describe('adaptive order of evaluation', () => {
  /** Facts whose properties count how often they are read. */
  function counting(values: Record<string, unknown>): { facts: Facts; reads: Record<string, number> } {
    const reads: Record<string, number> = {};
    const form: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values)) {
      reads[k] = 0;
      Object.defineProperty(form, k, { enumerable: true, get: () => ((reads[k]! += 1), v) });
    }
    return { facts: { form }, reads };
  }

  it('tests the child most often decisive first once it has seen enough calls, with the same answers', () => {
    // all[a, b]: a always holds and b never does, so b settles every call; in written order a is read first.
    const c = compileCondition({ all: [leaf('form.a', 'eq', 1), leaf('form.b', 'eq', 1)] });
    const { facts, reads } = counting({ a: 1, b: 0 });
    for (let i = 0; i < 10; i++) expect(c.evaluate(facts)).toBe(false);
    expect(reads.a).toBeGreaterThanOrEqual(10);
    for (let i = 10; i < ADAPT_CALLS; i++) c.evaluate(facts);
    reads.a = 0;
    reads.b = 0;
    for (let i = 0; i < 100; i++) expect(c.evaluate(facts)).toBe(false);
    expect(reads).toEqual({ a: 0, b: 100 });
  });

  it('keeps the written order when it is already the best', () => {
    const c = compileCondition({ all: [leaf('form.b', 'eq', 1), leaf('form.a', 'eq', 1)] });
    const { facts, reads } = counting({ a: 1, b: 0 });
    for (let i = 0; i < ADAPT_CALLS + 100; i++) c.evaluate(facts);
    reads.a = 0;
    for (let i = 0; i < 100; i++) c.evaluate(facts);
    expect(reads.a).toBe(0);
  });

  it('gives the answers of explain before, across and after the switch, on nested any / all / not', () => {
    const c = compileCondition({
      any: [
        { all: [leaf('form.a', 'gte', 3), { not: leaf('form.b', 'in', ['x', 'y']) }] },
        { all: [leaf('form.d', 'before', 'now'), leaf('form.e', 'exists')] },
        leaf('form.f', 'eq', true),
      ],
    });
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const maybe = <T>(v: T) => (rnd() < 0.2 ? undefined : v);
    for (let i = 0; i < 3 * ADAPT_CALLS; i++) {
      // Skewed data so that the order changes: f almost never true, a rarely ≥ 3.
      const facts: Facts = {
        now: '2026-11-03T10:15:00+08:00',
        form: { a: maybe(Math.floor(rnd() * 4)), b: maybe(rnd() < 0.5 ? 'x' : 'z'), d: maybe(rnd() < 0.5 ? '2026-11-02' : '2026-11-04'), e: maybe('yes'), f: maybe(rnd() < 0.02) },
      };
      expect([i, c.evaluate(facts)]).toEqual([i, c.explain(facts).result]);
    }
  });
});

describe('selectEach: the bulk path', () => {
  /** What evaluate says of each subject placed at facts.form, as selectEach reports it. */
  function oneByOne(c: Condition, subjects: readonly Record<string, unknown>[], base: Facts): { held: unknown[]; unknown: unknown[]; falses: number } {
    const single = compileCondition(c);
    const out = { held: [] as unknown[], unknown: [] as unknown[], falses: 0 };
    for (const s of subjects) {
      const truth = single.evaluate({ ...base, form: s });
      if (truth === false) out.falses += 1;
      else (truth ? out.held : out.unknown).push(s.id);
    }
    return out;
  }

  // Skewed so that the order changes at the switch: e is almost never true, a rarely ≥ 3.
  const condition: Condition = {
    any: [
      { all: [leaf('form.a', 'gte', 3), { not: leaf('form.b', 'in', ['x', 'y']) }] },
      { all: [leaf('form.d', 'before', 'now'), leaf('applicant.flag', 'eq', true)] },
      leaf('form.e', 'eq', true),
    ],
  };
  function subjects(n: number): Record<string, unknown>[] {
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const maybe = <T>(v: T) => (rnd() < 0.2 ? undefined : v);
    return Array.from({ length: n }, (_, id) => ({
      id: `S-${id}`,
      a: maybe(Math.floor(rnd() * 4)),
      b: maybe(rnd() < 0.5 ? 'x' : 'z'),
      d: maybe(rnd() < 0.5 ? '2026-11-02' : '2026-11-04'),
      e: maybe(rnd() < 0.02),
    }));
  }
  const base: Facts = { now: '2026-11-03T10:15:00+08:00', applicant: { flag: true } };

  it('gives the answers of evaluate, in order, across the switch of order within one call', () => {
    const list = subjects(3 * ADAPT_CALLS + 17);
    const c = compileCondition(condition);
    const held: unknown[] = [];
    const unknown: unknown[] = [];
    const falses = c.selectEach(list, 'form', 'id', { ...base }, held, unknown);
    const expected = oneByOne(condition, list, base);
    expect({ held, unknown, falses }).toEqual(expected);
    // Each kind of answer occurs, so the comparison says something.
    expect([expected.held.length, expected.unknown.length, expected.falses].every((n) => n > 50)).toBe(true);
    // Once settled, a second call runs the generated loop alone, with the same answers.
    const again = { held: [] as unknown[], unknown: [] as unknown[] };
    expect(c.selectEach(list, 'form', 'id', { ...base }, again.held, again.unknown)).toBe(expected.falses);
    expect(again).toEqual({ held: expected.held, unknown: expected.unknown });
  });

  it('reads other roots and now off the facts object, and the subject where the condition names its key', () => {
    const c = compileCondition(condition);
    const list = subjects(2 * ADAPT_CALLS);
    c.selectEach(list, 'form', 'id', { ...base }, [], []); // settles the order
    const held: unknown[] = [];
    const withoutFlag = { ...base, applicant: { flag: false } };
    c.selectEach(list, 'form', 'id', withoutFlag, held, []);
    expect(held).toEqual(oneByOne(condition, list, withoutFlag).held);
    expect(held).not.toEqual(oneByOne(condition, list, base).held);
  });

  it('looks at subjects[start..end) only, clamped to the list', () => {
    const c = compileCondition(condition);
    const list = subjects(4 * ADAPT_CALLS);
    const whole = oneByOne(condition, list.slice(1000, 3500), base);
    const part = { held: [] as unknown[], unknown: [] as unknown[] };
    expect(c.selectEach(list, 'form', 'id', { ...base }, part.held, part.unknown, 1000, 3500)).toBe(whole.falses);
    expect(part).toEqual({ held: whole.held, unknown: whole.unknown });
    const tail = oneByOne(condition, list.slice(4000), base);
    const clamped = { held: [] as unknown[], unknown: [] as unknown[] };
    expect(c.selectEach(list, 'form', 'id', { ...base }, clamped.held, clamped.unknown, 4000, 10 ** 6)).toBe(tail.falses);
    expect(clamped).toEqual({ held: tail.held, unknown: tail.unknown });
    expect(c.selectEach(list, 'form', 'id', { ...base }, [], [], 10, 10)).toBe(0);
  });

  it('works on a lone leaf, which never reorders', () => {
    const c = compileCondition(leaf('form.a', 'gte', 2));
    const list = subjects(500);
    const held: unknown[] = [];
    const unknown: unknown[] = [];
    const falses = c.selectEach(list, 'form', 'id', { ...base }, held, unknown);
    expect({ held, unknown, falses }).toEqual(oneByOne(leaf('form.a', 'gte', 2), list, base));
  });

  it('does not let the key or the id key inject code', () => {
    const c = compileCondition(leaf('form.a', 'gte', 2));
    const list = Array.from({ length: ADAPT_CALLS + 10 }, (_, i) => ({ 'a"]; throw 1; //': `id-${i}`, a: 3 }));
    const held: unknown[] = [];
    c.selectEach(list, 'form"]; throw 1; //', 'a"]; throw 1; //', { form: {} }, held, []);
    // The key names no root the condition reads, so form.a is read off the facts object: unknown.
    expect(held).toEqual([]);
  });
});
