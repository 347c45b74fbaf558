/**
 * The report adapter: reads what the monthly report is built from (the approvals, entitlements and
 * reviews tables, read-only) and keeps the reports in the `reports` table:
 *
 *   REPORT#<district>   MONTH#<YYYY-MM>   the report (JSON body), generatedAt — created once, never replaced
 *
 * A report is a record of what the bureau showed for a month, so it is create-only like the audit trail:
 * the schedule that runs again finds it there and does nothing.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { scanAll } from '#platform/paging';
import type { Decision } from '#approval/types';
import { FLAG_OVERDUE_SK } from '#approval/store';
import { figuresFromCounters as policyFigures } from '#entitlement/figures';
import { readFigures } from '#entitlement/store';
import type { Policy } from '#entitlement/types';
import { ddb } from '#platform/aws';
import { tableName } from '#platform/resources';
import { listCounters } from '#review';
import { daysOf, type DecisionInput, type MonthlyReport, type PolicyInput, type ReportInput } from './build';

const reportsTable = () => tableName('reports');

export const reportKey = (district: string, month: string) => ({ pk: `REPORT#${district}`, sk: `MONTH#${month}` });

/** Every application's current decision, with whether its verification was flagged overdue. */
export async function readDecisions(): Promise<DecisionInput[]> {
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
export async function readPolicies(): Promise<PolicyInput[]> {
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

/** Everything the report of `month` is built from. */
export async function readReportInput(args: {
  readonly district: ReportInput['district'];
  readonly month: string;
  readonly timeZone: string;
  readonly generatedAt: string;
}): Promise<ReportInput> {
  const [decisions, policies, reviewDepartments, reviewDays] = await Promise.all([
    readDecisions(),
    readPolicies(),
    listCounters('department', { granularity: 'month', value: args.month }),
    Promise.all(
      daysOf(args.month).map(async (day) => {
        const rows = await listCounters('all', { granularity: 'day', value: day });
        return rows.map((r) => ({ day, counters: r.counters }));
      }),
    ).then((days) => days.flat()),
  ]);
  return { ...args, decisions, policies, reviewDepartments, reviewDays };
}

export async function getReport(district: string, month: string): Promise<MonthlyReport | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: reportsTable(), Key: reportKey(district, month), ConsistentRead: true }));
  return out.Item ? (JSON.parse(out.Item.body as string) as MonthlyReport) : undefined;
}

/** Stores a report once; false when the month's report was already there (it is kept as it was). */
export async function saveReport(report: MonthlyReport): Promise<boolean> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: reportsTable(),
        Item: { ...reportKey(report.district.code, report.month), generatedAt: report.generatedAt, body: JSON.stringify(report) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
