/**
 * 秒批 schedule: a 容缺 case still pending a grace period after its supplement deadline is TERMINATED;
 * an approval on commitment not verified a grace period after its due date is flagged, once; outboxes a crash left unsent
 * are sent again. Dispatch only: the work is `runDeadlines` (shared/approval/service/deadlines.ts). Each run
 * also warns when the stage's calendar lacks the public holidays of a year its deadlines may reach.
 */
import middy, { type MiddyHandlerObject } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { CALENDAR_LOOKAHEAD_DAYS, stageCalendarGap } from '#platform/calendar';
import { nowIso } from '#platform/clock';
import { logger, metrics } from '#platform/powertools';
import { flushMetricsBeforeDeadline } from '#platform/metrics-deadline';
import { itemCountsTo, timeLeftOptions } from '#platform/time-reserve';
import { deadlinesService } from '#approval/adapters';
import type { DeadlinesSummary } from '#approval/service';

export type { DeadlinesSummary };

/** Written by the run once as it ends, even when a later pass throws after earlier ones counted their items. */
const writeItemCounts = itemCountsTo((name, value) => metrics.addMetric(name, MetricUnit.Count, value));

// Stops starting cases before the function's timeout, so the run returns and is logged (the rest stays due);
// and after middy's end of the invocation (its signal), should a case in hand outlast the reserve.
export const handler = middy(async (_event: unknown, context: Context, { signal }: MiddyHandlerObject): Promise<DeadlinesSummary> => {
  const summary = await deadlinesService().runDeadlines({ ...timeLeftOptions(context, signal), counted: writeItemCounts });
  // Every deadline counts working days: a year whose public holidays the calendar lacks would make them
  // come early across 春节 and 国庆. Each run says so until the stage adds them (the calendar-uncovered alarm).
  const year = stageCalendarGap(nowIso());
  if (year !== undefined) {
    logger.warn('calendar.uncovered', {
      year,
      lookaheadDays: CALENDAR_LOOKAHEAD_DAYS,
      fix: `add ${year}'s public holidays and 调休 working days to the stage config (calendar.holidays, calendar.workdays), or upgrade chinese-days and run npm run calendar:dataset`,
    });
    metrics.addMetric('CalendarYearUncovered', MetricUnit.Count, 1);
  }
  return summary;
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(flushMetricsBeforeDeadline(metrics));
