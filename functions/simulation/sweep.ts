/**
 * 沙盘推演 sweep (a schedule, every 5 minutes): queues the slices of every simulation stored and not queued
 * for longer than the grace period — its POST /simulations stopped between storing the job and queueing it
 * (a timeout, a crash, a failed send) and its client never retried with the Idempotency-Key — so a 202
 * always ends in a result. Counts what it queued (SimulationsRequeued). Dispatch only: the work is
 * `requeueStranded` (shared/simulation/service/sweep.ts).
 */
import middy, { type MiddyHandlerObject } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { logger, metrics } from '#platform/powertools';
import { flushMetricsBeforeDeadline } from '#platform/metrics-deadline';
import { itemCountsTo, timeLeftOptions, type TimeLeftOptions } from '#platform/time-reserve';
import { simulationSweepPorts } from '#simulation/job-adapters';
import { requeueStranded, type SweepSummary } from '#simulation/service/sweep';

/** The sweep's ItemsFailed and ItemsDeferred, once as it ends: even when the pending jobs cannot be read. */
const writeItemCounts = itemCountsTo((name, value) => metrics.addMetric(name, MetricUnit.Count, value));

export async function runSimulationSweep(options: TimeLeftOptions = {}): Promise<SweepSummary> {
  const summary = await requeueStranded(simulationSweepPorts, { ...options, counted: writeItemCounts });
  metrics.addMetric('SimulationsRequeued', MetricUnit.Count, summary.requeued);
  logger.info('simulation sweep', { ...summary });
  return summary;
}

// Stops starting jobs before the function's timeout, so the run returns and its count is written; and after
// middy's end of the invocation (its signal), should a job in hand outlast the reserve.
export const handler = middy(
  async (_event: unknown, context: Context, { signal }: MiddyHandlerObject): Promise<SweepSummary> =>
    runSimulationSweep(timeLeftOptions(context, signal)),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(flushMetricsBeforeDeadline(metrics));
