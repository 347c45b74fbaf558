/**
 * The monthly report schedule (SPEC §10). It runs daily and builds the previous month's report of the
 * stage's district if it is not stored yet, so the report appears on the 1st (or with the first run
 * after an outage) and is never rebuilt over. Invoked with `{ "month": "YYYY-MM" }` it builds that month
 * instead (an operator's backfill), still only if missing.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { nowIso } from '#platform/clock';
import { config } from '#platform/stage-config';
import { logger, metrics } from '#platform/powertools';
import { buildMonthlyReport, MONTH_PATTERN, previousMonth } from '#report/build';
import { getReport, readReportInput, saveReport } from '#report/store';

export interface MonthlyReportResult {
  readonly district: string;
  readonly month: string;
  readonly outcome: 'generated' | 'exists';
}

export async function runMonthlyReport(now: string, requested?: string): Promise<MonthlyReportResult> {
  const { district, timeZone } = config();
  const month = requested ?? previousMonth(now, timeZone);
  if (!MONTH_PATTERN.test(month)) throw new Error(`month must be YYYY-MM; got "${month}"`);
  if (await getReport(district.code, month)) return { district: district.code, month, outcome: 'exists' };
  const report = buildMonthlyReport(await readReportInput({ district, month, timeZone, generatedAt: now }));
  const stored = await saveReport(report);
  if (stored) {
    metrics.addMetric('MonthlyReportsGenerated', MetricUnit.Count, 1);
    logger.info('report.generated', {
      district: district.code,
      month,
      departments: report.departments.length,
      decisions: report.total.approval.decisions,
      policies: report.total.entitlement.policies,
      completedCases: report.total.review.completedCases,
    });
  }
  return { district: district.code, month, outcome: stored ? 'generated' : 'exists' };
}

export const handler = middy(async (event: unknown): Promise<MonthlyReportResult> => {
  const requested = (event as { month?: unknown } | null)?.month;
  return runMonthlyReport(nowIso(), typeof requested === 'string' ? requested : undefined);
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
