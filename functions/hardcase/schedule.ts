/**
 * The hard-case schedule (every 15 minutes): flags contact and resolution deadlines that passed (working
 * days on the stage's calendar) and offers a case for each manual review past its promised days. It reads
 * only the sparse due index, so its cost follows what is due. Re-running it changes nothing.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { nowIso } from '#platform/clock';
import { inPool } from '#platform/pool';
import { logger, metrics } from '#platform/powertools';
import { flushMetricsBeforeDeadline } from '#platform/metrics-deadline';
import { stageHardCaseService, type ForEach, type ScheduleSummary } from '#hardcase';

const CONCURRENCY = 4;

/**
 * Time kept back at the end of a run: the cases in flight finish (a load and a write each, well under a
 * second) and the run counts what it did (HardCasesOverdue and HardCasesOffered are written when it
 * returns). A run the function's timeout cut short would lose those counts for good: the cases it moved
 * are no longer due.
 */
export const TIME_RESERVE_MS = 10_000;

/**
 * Runs the work over the ids, CONCURRENCY at a time; a failure of one id is logged and counted, and it stays
 * due for the next run. Once the time left falls below the reserve, the ids not started are left due for
 * the next run and counted in `deferred`.
 */
export function forEachWithin(timeLeftMs?: () => number): { forEach: ForEach; readonly deferred: () => number } {
  let deferred = 0;
  const forEach: ForEach = async (ids, work) => {
    let failed = 0;
    await inPool(ids, CONCURRENCY, async (id) => {
      if (timeLeftMs !== undefined && timeLeftMs() < TIME_RESERVE_MS) {
        deferred++;
        return;
      }
      try {
        await work(id);
      } catch (error) {
        failed++;
        logger.error('hardcase schedule: failed; it stays due and is retried next run', { id, error: error as Error });
      }
    });
    return failed;
  };
  return { forEach, deferred: () => deferred };
}

export async function runHardCaseSchedule(now: string, timeLeftMs?: () => number): Promise<ScheduleSummary & { deferred: number }> {
  const within = forEachWithin(timeLeftMs);
  const summary = { ...(await stageHardCaseService().runSchedule(now, within.forEach)), deferred: within.deferred() };
  metrics.addMetric('HardCasesOverdue', MetricUnit.Count, summary.overdue);
  metrics.addMetric('HardCasesOffered', MetricUnit.Count, summary.offered);
  logger.info('hardcase schedule', { ...summary, now });
  return summary;
}

// Stops starting cases before the function's timeout, so the run returns and its counts are written.
export const handler = middy(
  async (_event: unknown, context: Context): Promise<ScheduleSummary & { deferred: number }> =>
    runHardCaseSchedule(nowIso(), typeof context?.getRemainingTimeInMillis === 'function' ? () => context.getRemainingTimeInMillis() : undefined),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(flushMetricsBeforeDeadline(metrics));
