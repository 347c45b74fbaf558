/**
 * The monthly report schedule: runs daily and builds the previous month's report of the stage's
 * district if it is not stored yet. Invoked with `{ "month": "YYYY-MM" }` it builds that month instead (an
 * operator's backfill), still only if missing, and only once that month is over.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { nowIso } from '#platform/clock';
import { config } from '#platform/stage-config';
import { logger, metrics } from '#platform/powertools';
import { flushMetricsBeforeDeadline } from '#platform/metrics-deadline';
import { reportPorts } from '#report/adapters';
import { runMonthlyReport, type MonthlyReportResult } from '#report/service';

export const handler = middy(async (event: unknown): Promise<MonthlyReportResult> => {
  const requested = (event as { month?: unknown } | null)?.month;
  const { district, timeZone } = config();
  const month = typeof requested === 'string' ? { month: requested } : {};
  return runMonthlyReport({ now: nowIso(), district, timeZone, ...month }, reportPorts);
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(flushMetricsBeforeDeadline(metrics));
