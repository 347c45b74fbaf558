/**
 * The benchmark compares engines only if they compute the same thing: the peer translations and the
 * hand-written closures must agree with CivicFlow's engine on the benchmark's facts (a correctness test,
 * nothing timed).
 */
import { compileCondition, type Condition, type Facts } from '#rules';
import { readFact } from '#rules/compile';
import { CLOSURES, familyOf, loadConditions } from '#bench/rules/conditions';
import { checkAgreement, completeFacts, orderedBySelectivity } from '#bench/rules/index';
import { jreEvaluator, toJsonRulesEngine, toZenExpression, zenEvaluator } from '#bench/rules/peers';

const readPath = (f: Facts, path: string): unknown => readFact(path.split('.'), f);

const conditions = loadConditions(48, 7, 3000);

describe('benchmark conditions', () => {
  it('covers every sample item, every sample policy and the deep synthetic condition, each with a closure', () => {
    const names = conditions.map((c) => c.name);
    expect(names.filter((n) => n.startsWith('item:'))).toHaveLength(4);
    expect(names.filter((n) => n.startsWith('policy:'))).toHaveLength(8);
    expect(names).toContain('synthetic:deep');
    for (const c of conditions) expect(CLOSURES[c.name]).toBe(c.closure);
  });

  it('has fact sets that make every condition both true and false, and partial facts that make it unknown', () => {
    for (const c of conditions) {
      const cf = compileCondition(c.condition);
      const results = new Set(c.facts.map((f) => cf.evaluate(f)));
      expect([c.name, results.has(null)]).toEqual([c.name, false]);
      expect([c.name, results.has(false)]).toEqual([c.name, true]);
    }
    const unknown = conditions.filter((c) => c.partialFacts.some((f) => compileCondition(c.condition).evaluate(f) === null));
    expect(unknown.length).toBe(conditions.length);
  });

  it('gives the same answer in all four engines on every fact set (and CivicFlow = closure when facts are missing)', async () => {
    await expect(checkAgreement(conditions)).resolves.toBeUndefined();
  });

  it('has date closures that agree with CivicFlow on birthdays, 29 February, a changing now and dates that are no dates', () => {
    const dated = conditions.filter((c) => c.family === 'dates');
    expect(dated.map((c) => c.name).sort()).toEqual(['item:enterprise-startup-manual', 'item:no-criminal-record', 'item:weather-certificate']);
    // Born 29 February 2008: 18 on 28 February 2026 (a common year), 16 on 29 February 2024.
    const nows = ['2026-11-03T10:15:00+08:00', '2026-11-04', '2026-02-27T09:00:00+08:00', '2026-02-28T09:00:00+08:00', '2024-02-28T09:00:00+08:00', '2024-02-29T09:00:00+08:00', '2027-02-28T09:00:00+08:00', '2028-02-28T09:00:00+08:00', '2028-02-29T09:00:00+08:00', 'not a date', 42];
    const births = ['2008-11-03', '2008-11-04', '2010-11-03', '2009-02-28', '2009-03-01', '2008-02-29', '2012-02-29', '2008-13-01', '2008-00-10', '2008-02-30', '2008-04-31', '2008-1a-03', '2008/11/03', '20081103', 7, undefined];
    const days = ['2026-11-02', '2026-11-03', '2027-02-27', '2028-02-28', '2026-02-29', '2025-13-01', '2025-1x-01', '2026-1-03', '', 3, null];
    for (const c of dated) {
      const cf = compileCondition(c.condition);
      // Every now in turn, then back to the first: the closures remember one now and must notice it changed.
      for (const now of [...nows, nows[0]]) {
        for (const birthDate of births) {
          for (const eventDate of days) {
            const facts = {
              applicant: { birthDate },
              form: { enterpriseName: '星河', purpose: '就业', district: '南山区', eventDate },
              now,
            };
            expect([c.name, now, birthDate, eventDate, c.closure(facts)]).toEqual([c.name, now, birthDate, eventDate, cf.evaluate(facts)]);
          }
        }
      }
    }
  });

  it('shapes the population like real data: several key orders, facts missing, every answer occurring', () => {
    for (const c of conditions) {
      expect(c.population).toHaveLength(3000);
      const cf = compileCondition(c.condition);
      const answers = new Set(c.population.map((f) => cf.evaluate(f)));
      expect([c.name, [...answers].sort()]).toEqual([c.name, [false, null, true].sort()]);
    }
    const policy = conditions.find((c) => c.name === 'synthetic:deep')!;
    const orders = new Set(policy.population.map((f) => Object.keys((f as { enterprise: object }).enterprise)[0]));
    expect(orders.size).toBeGreaterThanOrEqual(3);
    const withCredit = policy.population.filter((f) => 'credit' in f).length / policy.population.length;
    expect(withCredit).toBeGreaterThan(0.1);
    expect(withCredit).toBeLessThan(0.2);
  });

  it('gives the peers the population\'s fact sets that hold every fact read: real shapes, both answers, none unknown', () => {
    for (const c of conditions) {
      const facts = completeFacts(c);
      const cf = compileCondition(c.condition);
      // 70–89 % of them for most conditions; 6–10 % where a credit record is read (15 % of enterprises have one).
      expect([c.name, facts.length > c.population.length * 0.05]).toEqual([c.name, true]);
      expect([c.name, new Set(facts.map((f) => cf.evaluate(f)))]).toEqual([c.name, new Set([true, false])]);
      for (const f of facts) for (const p of cf.factPaths) expect([c.name, p, readPath(f, p) === undefined]).toEqual([c.name, p, false]);
    }
    const deep = completeFacts(conditions.find((c) => c.name === 'synthetic:deep')!);
    expect(new Set(deep.map((f) => Object.keys((f as { enterprise: object }).enterprise)[0])).size).toBeGreaterThanOrEqual(3);
    // A form's empty field stays: the weather item's `exists` leaf still sees null purposes.
    const weather = completeFacts(conditions.find((c) => c.name === 'item:weather-certificate')!);
    expect(weather.some((f) => readPath(f, 'form.purpose') === null)).toBe(true);
    expect(weather.some((f) => readPath(f, 'form.district') === null)).toBe(false);
  });

  it('names each condition\'s family by its shape', () => {
    const family = Object.fromEntries(conditions.map((c) => [c.name, familyOf(c.condition)]));
    expect(family['synthetic:deep']).toBe('nested');
    expect(family['item:no-criminal-record']).toBe('dates');
    expect(family['policy:POL-EXPORT-CREDIT-INSURANCE']).toBe('flat');
  });

  it('orders a condition\'s parts by selectivity without changing any answer', () => {
    for (const c of conditions) {
      const ordered = orderedBySelectivity(c.condition, c.population.slice(0, 1000));
      const a = compileCondition(c.condition);
      const b = compileCondition(ordered);
      for (const f of c.population) expect(b.evaluate(f)).toBe(a.evaluate(f));
    }
    const deep = conditions.find((c) => c.name === 'synthetic:deep')!;
    const first = (orderedBySelectivity(deep.condition, deep.population) as { all: Condition[] }).all[0]!;
    // The size branches are false for about two thirds of the enterprises, more than any other part.
    expect('any' in first).toBe(true);
  });
});

describe('peer translations', () => {
  const leaf = (fact: string, op: string, value?: unknown): Condition =>
    ({ id: 'T', description: '测试', fact, op, ...(value === undefined ? {} : { value }) }) as Condition;

  it.each([
    [leaf('licence.营业执照.status', 'eq', '存续'), "licence['营业执照'].status == '存续'"],
    [leaf('form.durationDays', 'between', [1, 30]), '(form.durationDays >= 1 and form.durationDays <= 30)'],
    [leaf('form.eventDate', 'before', 'now'), "d(form.eventDate) < d(now).startOf('day')"],
    [leaf('applicant.birthDate', 'ageAtLeast', 18), "d(applicant.birthDate).add(18, 'y') <= d(now).startOf('day')"],
    [{ not: leaf('enterprise.size', 'in', ['a', 'b']) }, "not (enterprise.size in ['a', 'b'])"],
  ])('ZEN expression of %j', (c, expected) => {
    expect(toZenExpression(c)).toBe(expected);
  });

  it('wraps a single leaf for json-rules-engine and uses JSONPath into the root fact', () => {
    expect(toJsonRulesEngine(leaf('licence.营业执照.status', 'eq', '存续'))).toEqual({
      all: [{ fact: 'licence', path: "$['营业执照'].status", operator: 'equal', value: '存续' }],
    });
  });

  it('computes ages the way CivicFlow does, on the birthday and the day before', async () => {
    const c = leaf('applicant.birthDate', 'ageAtLeast', 18);
    const jre = jreEvaluator(c);
    const zen = zenEvaluator(c);
    for (const [birthDate, expected] of [['2008-11-03', true], ['2008-11-04', false]] as const) {
      const facts = { applicant: { birthDate }, now: '2026-11-03T10:15:00+08:00' };
      expect(compileCondition(c).evaluate(facts)).toBe(expected);
      expect(await jre.evaluate(facts)).toBe(expected);
      expect(zen.evaluate(facts)).toBe(expected);
    }
  });
});
