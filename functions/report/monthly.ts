/**
 * The monthly report schedule: runs daily and builds the previous month's report of the stage's
 * district if it is not stored yet. Invoked with `{ "month": "YYYY-MM" }` it builds that month instead (an
 * operator's backfill), still only if missing, and only once that month is over.
 */
import middy, { type MiddyHandlerObject } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { nowIso } from '#platform/clock';
import { config } from '#platform/stage-config';
import { logger, metrics } from '#platform/powertools';
import { flushMetricsBeforeDeadline } from '#platform/metrics-deadline';
import { timeLeftOptions } from '#platform/time-reserve';
import { reportPorts } from '#report/adapters';
import { runMonthlyReport, type MonthlyReportResult } from '#report/service';

// One report per run, written in one create-only put at the end: a run cut short writes nothing and the
// next one builds the month again. The time left only warns when a run came close to the timeout (none is
// left once middy has ended the invocation: the report started may still be written, create-only).
export const handler = middy(async (event: unknown, context: Context, { signal }: MiddyHandlerObject): Promise<MonthlyReportResult> => {
  const requested = (event as { month?: unknown } | null)?.month;
  const { district, timeZone } = config();
  const month = typeof requested === 'string' ? { month: requested } : {};
  return runMonthlyReport({ now: nowIso(), district, timeZone, ...month, ...timeLeftOptions(context, signal) }, reportPorts);
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(flushMetricsBeforeDeadline(metrics));
