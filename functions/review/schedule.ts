/**
 * The review schedule (好差评, every 15 minutes): invitations for completed cases, the 3-day reminder,
 * the 7-day default 基本满意, overdue flags of rectifications, and this month's figures per department as
 * metrics (shared/review/schedule.ts, `runSchedule`). It reads only the sparse due index, so its cost
 * follows what is due, not the size of the table; re-running it changes nothing.
 */
import middy, { type MiddyHandlerObject } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { logger, metrics } from '#platform/powertools';
import { flushMetricsBeforeDeadline } from '#platform/metrics-deadline';
import { timeLeftOptions } from '#platform/time-reserve';
import type { ScheduleSummary } from '#review/schedule';
import { runStageSchedule } from '#review/adapters';

// Stops starting cases before the function's timeout, so the run returns and its counts are written; and
// after middy's end of the invocation (its signal), should a case in hand outlast the reserve.
export const handler = middy(
  async (_event: unknown, context: Context, { signal }: MiddyHandlerObject): Promise<ScheduleSummary> =>
    runStageSchedule(timeLeftOptions(context, signal)),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(flushMetricsBeforeDeadline(metrics));
