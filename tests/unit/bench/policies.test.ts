/**
 * The bench's policies (bench/fixtures/policies.ts), written for generated enterprises: valid rules data,
 * and the thresholds of the published policies they stand for.
 */
import { compileCondition, validateCondition } from '#rules';
import { matchEnterprise } from '#entitlement/domain/index';
import { DISABILITY_LEVY_EXEMPTION, EXPORT_CREDIT_INSURANCE, SAMPLE_POLICIES } from '#bench/fixtures/policies';
import { NOW, profile } from '../entitlement/fixtures';

describe('the bench policies', () => {
  it.each(SAMPLE_POLICIES.map((p) => [p.name, p] as const))('%s is valid rules data', (_name, p) => {
    expect(validateCondition(p.criteria)).toEqual([]);
  });

  it('export credit insurance: small and micro exporters up to USD 6 M, still registered (存续)', () => {
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
    const m = (employees: number | undefined) => matchEnterprise(DISABILITY_LEVY_EXEMPTION, c, profile({ employees }), undefined, NOW).outcome;
    expect([m(30), m(31), m(undefined)]).toEqual(['eligible', 'ineligible', 'needsInfo']);
    expect(DISABILITY_LEVY_EXEMPTION.kind).toBe('grant');
  });
});
