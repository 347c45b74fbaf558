/**
 * The report's storage adapter: the reports in the `reports` table.
 *
 *   REPORT#<district>   MONTH#<YYYY-MM>   the report (JSON body), generatedAt — created once, never replaced
 *
 * A report is a record of what the bureau showed for a month, so it is create-only like the audit trail:
 * the schedule that runs again finds it there and does nothing.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '#platform/aws';
import { tableName } from '#platform/resources';
import type { MonthlyReport } from './domain/build';
import type { ReportPorts } from './ports';

const reportsTable = () => tableName('reports');

export const reportKey = (district: string, month: string) => ({ pk: `REPORT#${district}`, sk: `MONTH#${month}` });

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

export const reportStore: ReportPorts['reports'] = { get: getReport, saveOnce: saveReport };
