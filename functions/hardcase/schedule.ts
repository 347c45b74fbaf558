/**
 * The hard-case schedule (every 15 minutes): flags contact and resolution deadlines that passed (working
 * days on the stage's calendar) and offers a case for each manual review past its promised days. It reads
 * only the sparse due index, so its cost follows what is due. Re-running it changes nothing.
 */
import middy, { type MiddyHandlerObject } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { nowIso } from '#platform/clock';
import { logger, metrics } from '#platform/powertools';
import { flushMetricsBeforeDeadline } from '#platform/metrics-deadline';
import { itemCountsTo, timeLeftOptions, type TimeLeftOptions } from '#platform/time-reserve';
import { stageHardCaseService, type ScheduleSummary } from '#hardcase';
import { runWithin } from '#hardcase/schedule';

/**
 * One run: the service's schedule through the time-boxed loop (shared/hardcase/schedule.ts), then its counts.
 * ItemsFailed and ItemsDeferred are written even when the watches' list cannot be read after the cases'
 * pass counted its own.
 */
export async function runHardCaseSchedule(now: string, options: TimeLeftOptions = {}): Promise<ScheduleSummary & { deferred: number }> {
  const summary = await runWithin(
    { ...options, counted: itemCountsTo((name, value) => metrics.addMetric(name, MetricUnit.Count, value)) },
    (forEach) => stageHardCaseService().runSchedule(now, forEach),
  );
  metrics.addMetric('HardCasesOverdue', MetricUnit.Count, summary.overdue);
  metrics.addMetric('HardCasesOffered', MetricUnit.Count, summary.offered);
  logger.info('hardcase schedule', { ...summary, now });
  return summary;
}

// Stops starting cases before the function's timeout, so the run returns and its counts are written; and
// after middy's end of the invocation (its signal), should a case in hand outlast the reserve.
export const handler = middy(
  async (_event: unknown, context: Context, { signal }: MiddyHandlerObject): Promise<ScheduleSummary & { deferred: number }> =>
    runHardCaseSchedule(nowIso(), timeLeftOptions(context, signal)),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(flushMetricsBeforeDeadline(metrics));
