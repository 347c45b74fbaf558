/**
 * The hard-case schedule (every 15 minutes): flags contact and resolution deadlines that passed (working
 * days on the stage's calendar) and offers a case for each manual review past its promised days. It reads
 * only the sparse due index, so its cost follows what is due. Re-running it changes nothing.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { nowIso } from '#platform/clock';
import { inPool } from '#platform/pool';
import { logger, metrics } from '#platform/powertools';
import { flushMetricsBeforeDeadline } from '#platform/metrics-deadline';
import { stageHardCaseService, type ScheduleSummary } from '#hardcase';

const CONCURRENCY = 4;

/** Runs `work` over `ids`; a failure of one id is logged and counted, and it stays due for the next run. */
async function forEach(ids: readonly string[], work: (id: string) => Promise<void>): Promise<number> {
  let failed = 0;
  await inPool(ids, CONCURRENCY, async (id) => {
    try {
      await work(id);
    } catch (error) {
      failed++;
      logger.error('hardcase schedule: failed; it stays due and is retried next run', { id, error: error as Error });
    }
  });
  return failed;
}

export async function runHardCaseSchedule(now: string): Promise<ScheduleSummary> {
  const summary = await stageHardCaseService().runSchedule(now, forEach);
  metrics.addMetric('HardCasesOverdue', MetricUnit.Count, summary.overdue);
  metrics.addMetric('HardCasesOffered', MetricUnit.Count, summary.offered);
  logger.info('hardcase schedule', { ...summary, now });
  return summary;
}

export const handler = middy(async (): Promise<ScheduleSummary> => runHardCaseSchedule(nowIso()))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(flushMetricsBeforeDeadline(metrics));
