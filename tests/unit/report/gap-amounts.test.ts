// 缺数清单: benefit amounts add up in exact decimal, so equal amounts tie and totals read as written.
import { buildGapLedger, type GapEntitlement, type GapInput } from '#report/domain/gaps';

const ent = (policyId: string, creditCode: string, amount: number, fact: string): GapEntitlement => ({ policyId, departmentCode: 'D9', creditCode, amount, unknownFacts: [fact] });

const input: GapInput = {
  from: '2026-11-01',
  to: '2026-11-30',
  owners: { facts: { 'enterprise.employees': 'RSJ', 'enterprise.size': 'SJJ' } },
  applications: [],
  entitlements: [
    // One enterprise, two policies: 100.1 + 200.2 yuan unlocked by its employees.
    ent('P1', 'C1', 100.1, 'enterprise.employees'),
    ent('P2', 'C1', 200.2, 'enterprise.employees'),
    // Another enterprise, one policy of 300.3 yuan, unlocked by its size: the same cases and amount.
    ent('P3', 'C2', 300.3, 'enterprise.size'),
  ],
};

describe('the ledger of amounts with fen', () => {
  it('sums each row and the totals exactly', () => {
    const ledger = buildGapLedger(input);
    expect(ledger.rows.map((r) => [r.key, r.benefitAmount])).toEqual(expect.arrayContaining([['enterprise.employees', 300.3], ['enterprise.size', 300.3]]));
    expect(ledger.owners.map((o) => [o.owner, o.benefitAmount])).toEqual([['RSJ', 300.3], ['SJJ', 300.3]]);
    expect(ledger.totals.benefitAmount).toBe(600.6);
  });

  it('ties rows equal in cases and amount: they share a rank and are listed by owner', () => {
    for (const by of ['cases', 'enterprises', 'amount'] as const) {
      expect(buildGapLedger(input, by).rows.map((r) => [r.rank, r.owner, r.key])).toEqual([
        [1, 'RSJ', 'enterprise.employees'],
        [1, 'SJJ', 'enterprise.size'],
      ]);
    }
  });
});
