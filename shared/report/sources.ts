/**
 * What the monthly report is built from, read from the other capabilities through their public modules:
 * every current decision with its overdue flag, every policy with its figures, the month's review counters.
 */
import { currentDecisionsWithOverdueFlags } from '#approval';
import { figuresFromCounters as policyFigures, listAllPolicies, readFigures } from '#entitlement';
import { listCounters } from '#review';
import { daysOf, type PolicyInput, type ReportInput } from './domain/build';
import type { ReportScope } from './ports';

/** Every policy ever published (withdrawn ones too), with its figures as the policy route serves them. */
async function readPolicies(): Promise<PolicyInput[]> {
  const policies = await listAllPolicies();
  return Promise.all(
    policies.map(async (policy) => {
      const stored = await readFigures(policy.policyId);
      const figures = policyFigures(
        policy.policyId,
        stored.counters,
        { amountReserved: stored.amountReserved, amountDisbursed: stored.amountDisbursed, amountRecovered: stored.amountRecovered, firstPushAt: stored.firstPushAt, lastPushAt: stored.lastPushAt },
        policy.publishedAt,
      );
      return { policy, figures: { ...figures, delivered: stored.delivered } };
    }),
  );
}

/** The month's review counters per department, and the district's per day (for the 差评 trend). */
async function readReviews(month: string): Promise<Pick<ReportInput, 'reviewDepartments' | 'reviewDays'>> {
  const [reviewDepartments, reviewDays] = await Promise.all([
    listCounters('department', { granularity: 'month', value: month }),
    Promise.all(
      daysOf(month).map(async (day) => {
        const rows = await listCounters('all', { granularity: 'day', value: day });
        return rows.map((r) => ({ day, counters: r.counters }));
      }),
    ).then((days) => days.flat()),
  ]);
  return { reviewDepartments, reviewDays };
}

/** Everything the report of `scope.month` is built from. */
export async function readReportInput(scope: ReportScope): Promise<ReportInput> {
  const [decisions, policies, reviews] = await Promise.all([currentDecisionsWithOverdueFlags(), readPolicies(), readReviews(scope.month)]);
  return { ...scope, decisions, policies, ...reviews };
}
