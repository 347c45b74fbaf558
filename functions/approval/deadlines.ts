/**
 * 秒批 schedule: a 容缺 case still pending after its supplement deadline is TERMINATED;
 * an approval on commitment not verified by its due date is flagged, once; outboxes a crash left unsent
 * are sent again. Dispatch only: the work is `runDeadlines` (shared/approval/service/deadlines.ts).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { logger, metrics } from '#platform/powertools';
import { deadlinesService } from '#approval/adapters';
import type { DeadlinesSummary } from '#approval/service';

export type { DeadlinesSummary };

export const handler = middy((): Promise<DeadlinesSummary> => deadlinesService().runDeadlines())
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
