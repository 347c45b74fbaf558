/**
 * What the monthly report is built from, read from the other capabilities: the review counters and each
 * policy's figures through their public modules; the current decisions and the list of every policy by a
 * Scan of their tables, which their modules do not offer as readers yet. The Scan reads every version and
 * outbox item of every application ever for a handful of fields each: acceptable once a month, and the
 * first thing to move behind `#approval` / `#entitlement` readers when those capabilities offer them.
 */
import { FLAG_OVERDUE_SK, type Decision } from '#approval';
import { figuresFromCounters as policyFigures, readFigures, type Policy } from '#entitlement';
import { listCounters } from '#review';
import { scanAll } from '#platform/paging';
import { tableName } from '#platform/resources';
import { daysOf, type DecisionInput, type PolicyInput, type ReportInput } from './domain/build';
import type { ReportScope } from './ports';

/** Every application's current decision, with whether its verification was flagged overdue. */
async function readDecisions(): Promise<DecisionInput[]> {
  const items = await scanAll({
    TableName: tableName('approvals'),
    FilterExpression: 'sk = :d OR sk = :f',
    ExpressionAttributeValues: { ':d': 'DECISION', ':f': FLAG_OVERDUE_SK },
    ProjectionExpression: 'pk, sk, body',
  });
  const flagged = new Set(items.filter((i) => i.sk === FLAG_OVERDUE_SK).map((i) => i.pk as string));
  return items
    .filter((i) => i.sk === 'DECISION')
    .map((i) => ({ decision: JSON.parse(i.body as string) as Decision, verificationOverdue: flagged.has(i.pk as string) }));
}

/** Every policy ever published (withdrawn ones too), with its figures as the policy route serves them. */
async function readPolicies(): Promise<PolicyInput[]> {
  const items = await scanAll({
    TableName: tableName('entitlements'),
    FilterExpression: 'sk = :c',
    ExpressionAttributeValues: { ':c': 'CURRENT' },
  });
  const policies = items.map((i) => i.policy as Policy).filter((p) => p !== undefined);
  return Promise.all(
    policies.map(async (policy) => {
      const stored = await readFigures(policy.policyId);
      const figures = policyFigures(
        policy.policyId,
        stored.counters,
        { amountReserved: stored.amountReserved, amountDisbursed: stored.amountDisbursed, firstPushAt: stored.firstPushAt, lastPushAt: stored.lastPushAt },
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
  const [decisions, policies, reviews] = await Promise.all([readDecisions(), readPolicies(), readReviews(scope.month)]);
  return { ...scope, decisions, policies, ...reviews };
}
