import { compileCondition } from '#rules';
import {
  DISABILITY_LEVY_EXEMPTION,
  EXPORT_CREDIT_INSURANCE,
  SAMPLE_POLICIES,
  SMALL_BUSINESS_TAX_RELIEF,
  explainEnterprise,
  generateEnterprises,
  matchEnterprise,
  matchSlice,
  policyInactiveReason,
} from '#entitlement';
import { validateCondition } from '#rules';
import { NOW, credit, policy, profile } from './fixtures';

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

  it('reads date-only bounds in the given UTC offset', () => {
    // 2025-12-31T20:00Z is still 31 December in UTC but already 1 January in Shanghai.
    expect(policyInactiveReason(policy(), '2025-12-31T20:00:00Z')).toBe('POLICY_EXPIRED');
    expect(policyInactiveReason(policy(), '2025-12-31T20:00:00Z', 0)).toBeUndefined();
  });
});

describe('explainEnterprise (政策计算器)', () => {
  it('lists held, failed and unknown criteria with Chinese descriptions and seen values', () => {
    const e = explainEnterprise(EXPORT_CREDIT_INSURANCE, profile({ exportValueUsd: 7_000_000, status: undefined }), undefined, NOW);
    expect(e).toMatchObject({ policyId: EXPORT_CREDIT_INSURANCE.policyId, outcome: 'ineligible', reason: 'CRITERIA_FAILED', result: false });
    expect(e.held.map((c) => c.id)).toEqual(['EXP-SIZE', 'EXP-EXPORTER']);
    expect(e.failed).toEqual([
      expect.objectContaining({ id: 'EXP-CAP', description: '上年度出口额不超过600万美元', seen: 7_000_000, negated: false }),
    ]);
    expect(e.unknown).toEqual([expect.objectContaining({ id: 'EXP-ACTIVE', seen: undefined })]);
  });

  it('reports a criterion under not by its effect on eligibility', () => {
    const ok = explainEnterprise(SMALL_BUSINESS_TAX_RELIEF, profile({ taxCreditRating: 'B' }), undefined, NOW);
    expect(ok.outcome).toBe('eligible');
    expect(ok.held.find((c) => c.id === 'TAX-NOT-D')).toMatchObject({ negated: true });
    const bad = explainEnterprise(SMALL_BUSINESS_TAX_RELIEF, profile({ taxCreditRating: 'D' }), undefined, NOW);
    expect(bad.outcome).toBe('ineligible');
    expect(bad.failed.map((c) => c.id)).toEqual(['TAX-NOT-D']);
  });

  it('still explains the criteria of an excluded enterprise', () => {
    const e = explainEnterprise(DISABILITY_LEVY_EXEMPTION, profile(), credit({ dishonest: true }), NOW);
    expect(e).toMatchObject({ outcome: 'excluded', reason: 'DISHONEST', result: true });
    expect(e.held.map((c) => c.id)).toEqual(['DLE-EMPLOYEES', 'DLE-ACTIVE']);
  });
});

describe('sample policies (SPEC §14)', () => {
  it.each(SAMPLE_POLICIES.map((p) => [p.name, p] as const))('%s is valid rules data', (_name, p) => {
    expect(validateCondition(p.criteria)).toEqual([]);
  });

  it('export credit insurance: small and micro exporters up to USD 6 M, still registered', () => {
    const c = compileCondition(EXPORT_CREDIT_INSURANCE.criteria);
    const m = (over: object) => matchEnterprise(EXPORT_CREDIT_INSURANCE, c, profile(over), undefined, NOW).outcome;
    expect(m({ size: 'micro', exportValueUsd: 6_000_000 })).toBe('eligible');
    expect(m({ exportValueUsd: 6_000_001 })).toBe('ineligible');
    expect(m({ exportValueUsd: 0 })).toBe('ineligible');
    expect(m({ size: 'medium' })).toBe('ineligible');
    expect(m({ status: '注销' })).toBe('ineligible');
    expect(EXPORT_CREDIT_INSURANCE.kind).toBe('confirm');
  });

  it('disability levy exemption: at most 30 employees, granted', () => {
    const c = compileCondition(DISABILITY_LEVY_EXEMPTION.criteria);
    const m = (employees: number | undefined) =>
      matchEnterprise(DISABILITY_LEVY_EXEMPTION, c, profile({ employees }), undefined, NOW).outcome;
    expect([m(30), m(31), m(undefined)]).toEqual(['eligible', 'ineligible', 'needsInfo']);
    expect(DISABILITY_LEVY_EXEMPTION.kind).toBe('grant');
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
