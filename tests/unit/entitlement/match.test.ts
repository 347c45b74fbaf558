import { compileCondition } from '#rules';
import { compilePolicy, explainEnterprise, matchEnterprise, matchNeedsEveryCredit, matchSlice, policyInactiveReason } from '#entitlement/domain/index';
import type { Condition, Leaf } from '#rules/types';
import { validateCondition } from '#rules';
// Generated enterprises and the policies written for them (a 2025 window, the status 存续 as generated):
// matchSlice is checked against matchEnterprise over data with every outcome.
import { generateEnterprises } from '#bench/fixtures/enterprises';
import { DISABILITY_LEVY_EXEMPTION, EXPORT_CREDIT_INSURANCE, SAMPLE_POLICIES } from '#bench/fixtures/policies';
import { NOW, SAMPLE_NOW, credit, policy, profile, samplePolicy } from './fixtures';

describe('matchEnterprise', () => {
  const p = policy();
  const compiled = compileCondition(p.criteria);

  it.each([
    ['all criteria true', {}, 'eligible', 'CRITERIA_HELD', ['T-SIZE', 'T-EXP'], [], []],
    ['a criterion false', { size: 'large' }, 'ineligible', 'CRITERIA_FAILED', ['T-EXP'], ['T-SIZE'], []],
    ['a fact missing', { exportValueUsd: undefined }, 'needsInfo', 'CRITERIA_UNKNOWN', ['T-SIZE'], [], ['T-EXP']],
    ['false beats unknown', { size: 'large', exportValueUsd: undefined }, 'ineligible', 'CRITERIA_FAILED', [], ['T-SIZE'], ['T-EXP']],
  ] as const)('%s', (_name, over, outcome, reason, held, failed, unknown) => {
    const r = matchEnterprise(p, compiled, profile(over), undefined, NOW);
    expect(r.outcome).toBe(outcome);
    expect(r.reason).toBe(reason);
    expect(r.summary).toEqual({ held, failed, unknown });
    expect(r).toMatchObject({ policyId: 'P-TEST', policyVersion: 1, creditCode: profile().creditCode });
  });

  it('excludes a dishonest enterprise unless the policy includes the dishonest', () => {
    const dishonest = credit({ dishonest: true, rating: 'D' });
    expect(matchEnterprise(p, compiled, profile(), dishonest, NOW)).toMatchObject({ outcome: 'excluded', reason: 'DISHONEST' });
    expect(matchEnterprise(policy({ includeDishonest: true }), compiled, profile(), dishonest, NOW).outcome).toBe('eligible');
    expect(matchEnterprise(p, compiled, profile(), credit({ dishonest: false }), NOW).outcome).toBe('eligible');
  });

  it('lets failed criteria decide before dishonesty, and excludes the dishonest who are only unknown', () => {
    const dishonest = credit({ dishonest: true });
    expect(matchEnterprise(p, compiled, profile({ size: 'large' }), dishonest, NOW).outcome).toBe('ineligible');
    expect(matchEnterprise(p, compiled, profile({ exportValueUsd: undefined }), dishonest, NOW)).toMatchObject({
      outcome: 'excluded',
      reason: 'DISHONEST',
      summary: { unknown: ['T-EXP'] },
    });
  });

  it.each([
    [{ status: 'withdrawn' as const }, NOW, 'POLICY_WITHDRAWN'],
    [{}, '2024-12-31T23:59:59+08:00', 'POLICY_NOT_YET_VALID'],
    [{}, '2026-01-01T00:00:00+08:00', 'POLICY_EXPIRED'],
  ])('excludes everyone while the policy is inactive (%j at %s)', (over, now, reason) => {
    expect(matchEnterprise(policy(over), compiled, profile(), undefined, now)).toMatchObject({ outcome: 'excluded', reason });
  });

  it('lets criteria read credit facts and now', () => {
    const q = policy({
      criteria: {
        all: [
          { id: 'C-RATING', description: '信用等级为A或B', fact: 'credit.rating', op: 'in', value: ['A', 'B'] },
          { id: 'C-NOW', description: '在2025年内', fact: 'now', op: 'before', value: '2026-01-01' },
        ],
      },
    });
    const c = compileCondition(q.criteria);
    expect(matchEnterprise(q, c, profile(), credit({ rating: 'A' }), NOW).outcome).toBe('eligible');
    expect(matchEnterprise(q, c, profile(), credit({ rating: 'C' }), NOW).outcome).toBe('ineligible');
    expect(matchEnterprise(q, c, profile(), undefined, NOW).outcome).toBe('needsInfo');
  });
});

describe('policy window', () => {
  it.each([
    ['2025-01-01', '2025-12-31', '2024-12-31T15:59:59Z', 'POLICY_NOT_YET_VALID'],
    ['2025-01-01', '2025-12-31', '2024-12-31T16:00:00Z', undefined],
    ['2025-01-01', '2025-12-31', '2025-12-31T23:59:59+08:00', undefined],
    ['2025-01-01', '2025-12-31', '2025-12-31T16:00:00Z', 'POLICY_EXPIRED'],
    ['2025-03-01T09:00:00+08:00', '2025-03-31T18:00:00+08:00', '2025-03-01T08:59:59+08:00', 'POLICY_NOT_YET_VALID'],
    ['2025-03-01T09:00:00+08:00', '2025-03-31T18:00:00+08:00', '2025-03-01T09:00:00+08:00', undefined],
    ['2025-03-01T09:00:00+08:00', '2025-03-31T18:00:00+08:00', '2025-03-31T10:00:00Z', undefined],
    ['2025-03-01T09:00:00+08:00', '2025-03-31T18:00:00+08:00', '2025-03-31T10:00:01Z', 'POLICY_EXPIRED'],
    ['2025-02-30', '2025-12-31', NOW, 'POLICY_WINDOW_INVALID'],
  ])('validFrom %s validTo %s at %s → %s', (validFrom, validTo, now, reason) => {
    expect(policyInactiveReason(policy({ validFrom, validTo }), now)).toBe(reason);
  });

  it('reads date-only bounds in the given time zone (Asia/Shanghai by default)', () => {
    // 2025-12-31T20:00Z is still 31 December in UTC but already 1 January in Shanghai.
    expect(policyInactiveReason(policy(), '2025-12-31T20:00:00Z')).toBe('POLICY_EXPIRED');
    expect(policyInactiveReason(policy(), '2025-12-31T20:00:00Z', 'Asia/Shanghai')).toBe('POLICY_EXPIRED');
    expect(policyInactiveReason(policy(), '2025-12-31T20:00:00Z', 'UTC')).toBeUndefined();
  });

  it('ends a date-only window at the local midnight of a zone with daylight saving', () => {
    const summer = policy({ validFrom: '2025-03-09', validTo: '2025-07-01' });
    // New York is at UTC-4 in July: the 1st ends at 04:00 UTC on the 2nd.
    expect(policyInactiveReason(summer, '2025-07-02T03:59:59.999Z', 'America/New_York')).toBeUndefined();
    expect(policyInactiveReason(summer, '2025-07-02T04:00:00Z', 'America/New_York')).toBe('POLICY_EXPIRED');
    // 9 March 2025 began at UTC-5 (the clocks went forward at 02:00 that day).
    expect(policyInactiveReason(summer, '2025-03-09T04:59:59Z', 'America/New_York')).toBe('POLICY_NOT_YET_VALID');
    expect(policyInactiveReason(summer, '2025-03-09T05:00:00Z', 'America/New_York')).toBeUndefined();
  });

  it('compiles the criteria for the zone it is given, and matches in it', () => {
    const q = policy({ policyId: 'P-TEST-ZONE', criteria: { id: 'C-2025', description: '在2025年内', fact: 'now', op: 'before', value: '2026-01-01' }, validTo: '2026-12-31' });
    const at = '2025-12-31T20:00:00Z';
    expect(matchEnterprise(q, compilePolicy(q), profile(), undefined, at).outcome).toBe('ineligible');
    expect(matchEnterprise(q, compilePolicy(q, { timeZone: 'UTC' }), profile(), undefined, at, { timeZone: 'UTC' }).outcome).toBe('eligible');
    expect(compilePolicy(q, { timeZone: 'UTC' }).timeZone).toBe('UTC');
    expect(compilePolicy(q).timeZone).toBe('Asia/Shanghai');
    expect(matchSlice(q, [profile()], undefined, at, { timeZone: 'UTC' }).eligible).toEqual([profile().creditCode]);
    expect(matchSlice(q, [profile()], undefined, at).eligible).toEqual([]);
  });
});

describe('explainEnterprise (政策计算器)', () => {
  // The sample policies as published (events/samples), whose profiles write the status `active`.
  const exportInsurance = samplePolicy('export-credit-insurance');
  const active = (over: object = {}) => profile({ status: 'active', ...over });

  it('lists held, failed and unknown criteria with Chinese descriptions and seen values', () => {
    const e = explainEnterprise(exportInsurance, active({ exportValueUsd: 7_000_000, status: undefined }), undefined, SAMPLE_NOW);
    expect(e).toMatchObject({ policyId: 'POL-2026-EXPORT-INS', outcome: 'ineligible', reason: 'CRITERIA_FAILED', result: false });
    expect(e.held.map((c) => c.id)).toEqual(['C-SIZE']);
    expect(e.failed).toEqual([
      expect.objectContaining({ id: 'C-EXPORT', description: '上一年度出口额不超过600万美元', seen: 7_000_000, negated: false }),
    ]);
    expect(e.unknown).toEqual([expect.objectContaining({ id: 'C-STATUS', seen: undefined })]);
  });

  it('reports a criterion under not by its effect on eligibility', () => {
    // The test's own policy: a `not` over the tax rating (the sample's `not` reads the credit record, and a
    // dishonest enterprise is excluded before its criteria are shown).
    const relief = policy({
      policyId: 'P-TEST-NOT',
      criteria: {
        all: [
          { id: 'TAX-SIZE', description: '企业规模为小型或微型', fact: 'enterprise.size', op: 'in', value: ['micro', 'small'] },
          { not: { id: 'TAX-NOT-D', description: '纳税信用等级为D级', fact: 'enterprise.taxCreditRating', op: 'eq', value: 'D' } },
        ],
      },
    });
    const ok = explainEnterprise(relief, profile({ taxCreditRating: 'B' }), undefined, NOW);
    expect(ok.outcome).toBe('eligible');
    expect(ok.held.find((c) => c.id === 'TAX-NOT-D')).toMatchObject({ negated: true });
    const bad = explainEnterprise(relief, profile({ taxCreditRating: 'D' }), undefined, NOW);
    expect(bad.outcome).toBe('ineligible');
    expect(bad.failed.map((c) => c.id)).toEqual(['TAX-NOT-D']);
  });

  it('reports the sample subsidy\'s dishonesty criterion, under not, as held for an honest enterprise', () => {
    const subsidy = samplePolicy('social-insurance-subsidy');
    const e = explainEnterprise(subsidy, active(), credit({ dishonest: false }), SAMPLE_NOW);
    expect(e.outcome).toBe('eligible');
    expect(e.held.find((c) => c.id === 'C-DISHONEST')).toMatchObject({ negated: true, seen: false });
  });

  it('still explains the criteria of an excluded enterprise', () => {
    const e = explainEnterprise(samplePolicy('disability-fund-exemption'), active(), credit({ dishonest: true }), SAMPLE_NOW);
    expect(e).toMatchObject({ outcome: 'excluded', reason: 'DISHONEST', result: true });
    expect(e.held.map((c) => c.id)).toEqual(['C-EMPLOYEES']);
  });
});

describe('sample policies (events/samples)', () => {
  const names = ['export-credit-insurance', 'disability-fund-exemption', 'social-insurance-subsidy'] as const;

  it.each(names)('%s is valid rules data', (name) => {
    expect(validateCondition(samplePolicy(name).criteria)).toEqual([]);
  });

  it('export credit insurance: small and micro enterprises exporting up to USD 6 M, still registered', () => {
    const p = samplePolicy('export-credit-insurance');
    const c = compileCondition(p.criteria);
    const m = (over: object) => matchEnterprise(p, c, profile({ status: 'active', ...over }), undefined, SAMPLE_NOW).outcome;
    expect(m({ size: 'micro', exportValueUsd: 6_000_000 })).toBe('eligible');
    expect(m({ exportValueUsd: 6_000_001 })).toBe('ineligible');
    expect(m({ size: 'medium' })).toBe('ineligible');
    expect(m({ status: '注销' })).toBe('ineligible');
    // Unlike the bench's policy of the same name, the sample has no criterion on having exported at all.
    expect(m({ exportValueUsd: 0 })).toBe('eligible');
    expect(p.kind).toBe('confirm');
  });

  it('disability fund exemption: at most 30 employees, granted', () => {
    const p = samplePolicy('disability-fund-exemption');
    const c = compileCondition(p.criteria);
    const m = (employees: number | undefined) => matchEnterprise(p, c, profile({ employees }), undefined, SAMPLE_NOW).outcome;
    expect([m(30), m(31), m(undefined)]).toEqual(['eligible', 'ineligible', 'needsInfo']);
    expect(p.kind).toBe('grant');
  });
});

describe('matchSlice', () => {
  const { profiles, credits } = generateEnterprises(20_000, 42);
  const now = NOW;

  it.each(SAMPLE_POLICIES.map((p) => [p.name, p] as const))('agrees with matchEnterprise for %s', (_name, p) => {
    const compiled = compileCondition(p.criteria);
    const slice = matchSlice(p, profiles, credits, now);
    const eligible: string[] = [];
    const needsInfo: string[] = [];
    let ineligible = 0;
    let excluded = 0;
    for (const pr of profiles) {
      const r = matchEnterprise(p, compiled, pr, credits.get(pr.creditCode), now);
      if (r.outcome === 'eligible') eligible.push(pr.creditCode);
      else if (r.outcome === 'needsInfo') needsInfo.push(pr.creditCode);
      else if (r.outcome === 'ineligible') ineligible++;
      else excluded++;
    }
    expect(slice.eligible).toEqual(eligible);
    expect(slice.needsInfo).toEqual(needsInfo);
    expect(slice.ineligible).toBe(ineligible);
    expect(slice.excluded).toBe(excluded);
    // The generated data must exercise every outcome, or this agreement proves little.
    expect(eligible.length).toBeGreaterThan(0);
    expect(ineligible).toBeGreaterThan(0);
    expect(excluded).toBeGreaterThan(0);
  });

  it('finds needs-info enterprises in generated data', () => {
    expect(matchSlice(DISABILITY_LEVY_EXEMPTION, profiles, credits, now).needsInfo.length).toBeGreaterThan(0);
  });

  it('accepts a lookup function and includes the dishonest when the policy says so', () => {
    const lookup = (code: string) => credits.get(code);
    const p = { ...DISABILITY_LEVY_EXEMPTION, includeDishonest: true };
    const withFn = matchSlice(p, profiles, lookup, now);
    expect(withFn.excluded).toBe(0);
    const without = matchSlice(DISABILITY_LEVY_EXEMPTION, profiles, lookup, now);
    expect(withFn.eligible.length).toBeGreaterThan(without.eligible.length);
  });

  it('matches a slice by index range, and slices add up to the whole', () => {
    const whole = matchSlice(EXPORT_CREDIT_INSURANCE, profiles, credits, now);
    const a = matchSlice(EXPORT_CREDIT_INSURANCE, profiles, credits, now, { start: 0, end: 7_000 });
    const b = matchSlice(EXPORT_CREDIT_INSURANCE, profiles, credits, now, { start: 7_000 });
    expect([...a.eligible, ...b.eligible]).toEqual(whole.eligible);
    expect(a.ineligible + b.ineligible).toBe(whole.ineligible);
  });

  it('looks at nobody when the policy is withdrawn or expired', () => {
    const w = matchSlice({ ...EXPORT_CREDIT_INSURANCE, status: 'withdrawn' }, profiles, credits, now);
    expect(w).toMatchObject({ eligible: [], needsInfo: [], ineligible: 0, excluded: 0, inactive: 'POLICY_WITHDRAWN' });
    expect(matchSlice(EXPORT_CREDIT_INSURANCE, profiles, credits, '2026-02-01T00:00:00+08:00').inactive).toBe('POLICY_EXPIRED');
  });
});

describe('matchNeedsEveryCredit', () => {
  const leaf = (fact: string, op: Leaf['op'], value?: unknown): Condition => ({ id: `L-${fact}-${op}`, description: '条件', fact, op, ...(value === undefined ? {} : { value }) }) as Condition;
  it('is false where a pass without credit records finds every candidate', () => {
    expect(matchNeedsEveryCredit(leaf('enterprise.size', 'eq', 'small'))).toBe(false);
    expect(matchNeedsEveryCredit({ all: [leaf('credit.rating', 'in', ['A', 'B']), leaf('enterprise.size', 'eq', 'small')] })).toBe(false);
    expect(matchNeedsEveryCredit({ all: [leaf('person.birthDate', 'ageAtLeast', 80), leaf('enterprise.size', 'exists', true)] })).toBe(false);
  });
  it('is true for an `exists` leaf on credit, under a `not` too', () => {
    expect(matchNeedsEveryCredit(leaf('credit.rating', 'exists', true))).toBe(true);
    expect(matchNeedsEveryCredit({ not: { any: [leaf('enterprise.size', 'eq', 'small'), leaf('credit', 'exists', false)] } })).toBe(true);
  });
  it('is true for criteria that read both credit and now', () => {
    expect(matchNeedsEveryCredit({ all: [leaf('person.birthDate', 'ageAtLeast', 80), leaf('credit.dishonest', 'eq', false)] })).toBe(true);
    expect(matchNeedsEveryCredit({ all: [leaf('enterprise.establishedOn', 'before', 'now'), leaf('credit.rating', 'eq', 'A')] })).toBe(true);
    expect(matchNeedsEveryCredit({ all: [leaf('now', 'after', '2025-01-01'), leaf('credit.rating', 'eq', 'A')] })).toBe(true);
  });
});
