/**
 * The policy calculator's pure part (shared/query/calculator.ts): an enterprise is listed the enterprise
 * policies only, never a person policy it could only "need information" for; windows and date-only bounds
 * are read in the stage's time zone, both for which policies are active and in the explanation.
 */
import { calculatorEntry, calculatorPolicies } from '#query/calculator';
import { elderly, entitlement, policy, profile } from '../entitlement/fixtures';

const ENTERPRISE = policy({ policyId: 'P-ENT', validFrom: '2025-01-01', validTo: '2025-06-01' });
const PERSON = elderly({ policyId: 'P-ELDER', validFrom: '2025-01-01', validTo: '2025-12-31' });
// 20:00Z on 1 June: 21:00 that day in London, 04:00 on 2 June in Shanghai (after ENTERPRISE's last day there).
const NOW = '2025-06-01T20:00:00.000Z';
const ids = (ps: readonly { policyId: string }[]) => ps.map((p) => p.policyId);

describe('the policies the calculator lists', () => {
  it("keeps only the subject's kind, active or held", () => {
    const held = elderly({ policyId: 'P-ELDER-2' });
    expect(ids(calculatorPolicies([ENTERPRISE, PERSON], [held], 'enterprise', NOW, 'Europe/London'))).toEqual(['P-ENT']);
    expect(ids(calculatorPolicies([ENTERPRISE, PERSON], [held], 'person', NOW, 'Europe/London'))).toEqual(['P-ELDER', 'P-ELDER-2']);
  });

  it("reads the window in the stage's zone; a held policy is listed outside it", () => {
    expect(ids(calculatorPolicies([ENTERPRISE], [], 'enterprise', NOW, 'Europe/London'))).toEqual(['P-ENT']);
    expect(ids(calculatorPolicies([ENTERPRISE], [], 'enterprise', NOW, 'Asia/Shanghai'))).toEqual([]);
    expect(ids(calculatorPolicies([ENTERPRISE], [ENTERPRISE], 'enterprise', NOW, 'Asia/Shanghai'))).toEqual(['P-ENT']);
  });
});

describe('what the calculator says of a policy', () => {
  it("explains in the stage's zone: active on its last day in London, expired by then in Shanghai", () => {
    const london = calculatorEntry(ENTERPRISE, undefined, profile(), undefined, NOW, 'Europe/London');
    expect(london.explanation).toMatchObject({ outcome: 'eligible', reason: 'CRITERIA_HELD', exclusions: [] });
    const shanghai = calculatorEntry(ENTERPRISE, undefined, profile(), undefined, NOW, 'Asia/Shanghai');
    expect(shanghai.explanation).toMatchObject({ outcome: 'excluded', reason: 'POLICY_EXPIRED', reasonLabel: '政策已过期', exclusions: ['policyInactive'] });
  });

  it('shows the entitlement with its label, and no explanation without a profile', () => {
    const e = entitlement({ policyId: 'P-ENT', state: 'NOTIFIED', reached: ['ELIGIBLE', 'NOTIFIED'], notifiedAt: NOW });
    const entry = calculatorEntry(ENTERPRISE, e, undefined, undefined, NOW, 'Europe/London');
    expect(entry).toMatchObject({ policyId: 'P-ENT', entitlement: { state: 'NOTIFIED', stateLabel: '已推送', notifiedAt: NOW }, explanation: null });
  });

  it('shows a value over 1 KB as the trace marker, however many criteria read it', () => {
    const notes = 'a'.repeat(16_000);
    const wide = policy({
      policyId: 'P-CALC-WIDE',
      criteria: { all: Array.from({ length: 500 }, (_, i) => ({ id: `W-${i}`, description: `备注第${i}项`, fact: 'enterprise.notes', op: 'ne' as const, value: `n${i}` })) },
    });
    const entry = calculatorEntry(wide, undefined, profile({ notes } as never), undefined, NOW, 'Europe/London');
    const held = entry.explanation?.held ?? [];
    expect(held).toHaveLength(500);
    expect(held[0]!.seen).toEqual({ truncated: true, type: 'string', bytes: 16_002, prefix: 'a'.repeat(32) });
    // 500 copies of the 16 KB value would be 8 MB, over Lambda's 6 MB answer.
    expect(JSON.stringify(entry).length).toBeLessThan(200_000);
    // A short value is shown as it is.
    expect(calculatorEntry(ENTERPRISE, undefined, profile(), undefined, NOW, 'Europe/London').explanation?.held.map((c) => c.seen)).toEqual(['small', 1_200_000]);
  });
});
