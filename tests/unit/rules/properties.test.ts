import fc from 'fast-check';
import { compileCondition, type Condition, type Facts, type Leaf, type TraceNode, type Truth } from '#rules';

/**
 * A deliberately naive interpreter over a small fragment (numbers, strings, booleans, dates, exists),
 * written straight from the rules language (Kleene logic), to hold the generated evaluator to the letter of Kleene logic.
 */
function reference(c: Condition, facts: Facts): Truth {
  if ('all' in c) {
    const rs = c.all.map((x) => reference(x, facts));
    return rs.includes(false) ? false : rs.includes(null) ? null : true;
  }
  if ('any' in c) {
    const rs = c.any.map((x) => reference(x, facts));
    return rs.includes(true) ? true : rs.includes(null) ? null : false;
  }
  if ('not' in c) {
    const r = reference(c.not, facts);
    return r === null ? null : !r;
  }
  const seen = (facts.form as Record<string, unknown> | undefined)?.[c.fact.slice('form.'.length)];
  if (c.op === 'exists') return (seen !== undefined && seen !== null) === (c.value !== false);
  if (seen === undefined || seen === null) return null;
  const v = c.value;
  switch (c.op) {
    case 'eq':
      return typeof seen !== typeof v ? null : seen === v;
    case 'ne':
      return typeof seen !== typeof v ? null : seen !== v;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof seen !== 'number') return null;
      const n = v as number;
      return { gt: seen > n, gte: seen >= n, lt: seen < n, lte: seen <= n }[c.op];
    }
    case 'between': {
      if (typeof seen !== 'number') return null;
      const [lo, hi] = v as [number, number];
      return seen >= lo && seen <= hi;
    }
    case 'in':
    case 'notIn': {
      const list = v as unknown[];
      if (!list.some((x) => typeof x === typeof seen)) return null;
      return list.includes(seen) === (c.op === 'in');
    }
    case 'before':
    case 'after': {
      if (typeof seen !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(seen)) return null;
      if (seen === v) return false;
      return (seen < (v as string)) === (c.op === 'before');
    }
    default:
      throw new Error(`reference does not cover ${c.op}`);
  }
}

const FIELDS = ['a', 'b', 'c', 'd'] as const;
const scalar = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom('x', 'y', 'z'), fc.boolean());
const date = fc.constantFrom('2025-01-01', '2025-06-30', '2025-12-31', '2024-02-29');
const factValue = fc.oneof(scalar, date, fc.constant(null), fc.constant(undefined), fc.constant([1, 'x']));

const leafArb: fc.Arbitrary<Omit<Leaf, 'id'>> = fc
  .tuple(
    fc.constantFrom(...FIELDS),
    fc.oneof(
      scalar.map((value) => ({ op: 'eq' as const, value })),
      scalar.map((value) => ({ op: 'ne' as const, value })),
      fc.tuple(fc.constantFrom('gt', 'gte', 'lt', 'lte' as const), fc.integer({ min: -3, max: 3 })).map(([op, value]) => ({ op, value })),
      fc.tuple(fc.integer({ min: -3, max: 3 }), fc.nat(3)).map(([lo, w]) => ({ op: 'between' as const, value: [lo, lo + w] })),
      fc.tuple(fc.constantFrom('in', 'notIn' as const), fc.array(scalar, { minLength: 1, maxLength: 12 })).map(([op, value]) => ({ op, value })),
      fc.tuple(fc.constantFrom('before', 'after' as const), date).map(([op, value]) => ({ op, value })),
      fc.option(fc.boolean(), { nil: undefined }).map((value) => (value === undefined ? { op: 'exists' as const } : { op: 'exists' as const, value })),
    ),
  )
  .map(([field, opv]) => ({ description: '随机条件', fact: `form.${field}`, ...opv }));

const conditionArb: fc.Arbitrary<Condition> = fc.letrec<{ node: Condition }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb as fc.Arbitrary<Condition>,
    fc.array(tie('node'), { minLength: 1, maxLength: 4 }).map((all) => ({ all })),
    fc.array(tie('node'), { minLength: 1, maxLength: 4 }).map((any) => ({ any })),
    tie('node').map((not) => ({ not })),
  ),
})).node;

/** Gives every leaf a unique id, as validation requires. */
function withIds(c: Condition, counter = { n: 0 }): Condition {
  if ('all' in c) return { all: c.all.map((x) => withIds(x, counter)) };
  if ('any' in c) return { any: c.any.map((x) => withIds(x, counter)) };
  if ('not' in c) return { not: withIds(c.not, counter) };
  return { ...c, id: `R-${counter.n++}` };
}

const factsArb = fc
  .record({ a: factValue, b: factValue, c: factValue, d: factValue }, { requiredKeys: [] })
  .map((form): Facts => ({ form }));

/** The trace has the condition's shape, and every node's result is what the reference interpreter gives it. */
function expectTreeMatches(c: Condition, node: TraceNode, facts: Facts): void {
  expect(node.result).toBe(reference(c, facts));
  const n = node as Partial<{ all: TraceNode[]; any: TraceNode[]; not: TraceNode }>;
  if ('all' in c) c.all.forEach((x, i) => expectTreeMatches(x, n.all![i]!, facts));
  else if ('any' in c) c.any.forEach((x, i) => expectTreeMatches(x, n.any![i]!, facts));
  else if ('not' in c) expectTreeMatches(c.not, n.not!, facts);
  else expect(node).toMatchObject({ id: c.id, fact: c.fact, op: c.op });
}

describe('compiled conditions (property-based)', () => {
  it('evaluate agrees with explain().result and explain lists every leaf', () => {
    fc.assert(
      fc.property(conditionArb.map((c) => withIds(c)), factsArb, (c, facts) => {
        const compiled = compileCondition(c);
        const explained = compiled.explain(facts);
        expect(compiled.evaluate(facts)).toBe(explained.result);
        expect(explained.leaves.map((l) => l.id)).toEqual(
          JSON.stringify(c).match(/"id":"R-\d+"/g)?.map((s) => s.slice(6, -1)),
        );
        expectTreeMatches(c, explained.tree, facts);
      }),
      { numRuns: 500 },
    );
  });

  it('evaluate agrees with a naive reference interpreter', () => {
    fc.assert(
      fc.property(conditionArb.map((c) => withIds(c)), factsArb, (c, facts) => {
        expect(compileCondition(c).evaluate(facts)).toBe(reference(c, facts));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('selectEach (property-based)', () => {
  it('gives, in order, the answers of the reference interpreter for a list of subjects', () => {
    fc.assert(
      fc.property(conditionArb.map((c) => withIds(c)), fc.array(factsArb, { minLength: 1, maxLength: 40 }), fc.nat(2500), (c, forms, extra) => {
        // Long enough lists cross the switch to the learned order inside the call.
        const subjects = Array.from({ length: forms.length + extra }, (_, i) => ({ ...(forms[i % forms.length]!.form as object), id: i }));
        const held: unknown[] = [];
        const unknown: unknown[] = [];
        const falses = compileCondition(c).selectEach(subjects, 'form', 'id', {}, held, unknown);
        const truths = subjects.map((s) => reference(c, { form: s }));
        expect(held).toEqual(subjects.filter((_, i) => truths[i] === true).map((s) => s.id));
        expect(unknown).toEqual(subjects.filter((_, i) => truths[i] === null).map((s) => s.id));
        expect(falses).toBe(truths.filter((t) => t === false).length);
      }),
      { numRuns: 150 },
    );
  });
});
