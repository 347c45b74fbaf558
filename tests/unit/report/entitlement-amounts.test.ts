/**
 * The monthly report's 免申即享 yuan (reserved, disbursed, recovered) per department and in total are the exact
 * decimal sums of its policies' figures, as the store keeps each: 100.1 + 200.2 is 300.3, not 300.29999999999995.
 */
import { buildMonthlyReport } from '#report/domain/build';
import { policyInput, reportInput, reportPolicy } from './fixtures';

const policy = (policyId: string, departmentCode: string, amountReserved: number, amountDisbursed: number, amountRecovered: number) =>
  policyInput(reportPolicy({ policyId, name: `政策 ${policyId}`, departmentCode }), { eligible: 1 }, 0, { amountReserved, amountDisbursed, amountRecovered });

describe('the monthly report\'s entitlement yuan', () => {
  it('add up per department and in total as exact decimals', () => {
    const report = buildMonthlyReport(
      reportInput({
        policies: [policy('P-AMT-1', 'D-A', 100.1, 0.1, 99.9), policy('P-AMT-2', 'D-A', 200.2, 0.2, 0.2), policy('P-AMT-3', 'D-B', 0.3, 0.3, 0.1)],
      }),
    );
    const yuan = (e: { amountReserved: number; amountDisbursed: number; amountRecovered: number }) => [e.amountReserved, e.amountDisbursed, e.amountRecovered];
    expect(yuan(report.departments.find((d) => d.departmentCode === 'D-A')!.entitlement)).toEqual([300.3, 0.3, 100.1]);
    expect(yuan(report.total.entitlement)).toEqual([300.6, 0.6, 100.2]);
  });
});
