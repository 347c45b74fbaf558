/**
 * The 免申即享 schedule (every 15 minutes): publicity windows (公示期) that closed — counted in working days
 * on the stage's calendar — have their listed pairs notified or granted (shared/entitlement/service/
 * publicity.ts). It reads only the sparse index of due windows; re-running it changes nothing.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { logger, metrics } from '#platform/powertools';
import type { PublicitySummary } from '#entitlement/service';
import { entitlementService as service } from '#entitlement/adapters';

export const handler = middy(async (): Promise<PublicitySummary> => {
  const summary = await service.closePublicityWindows();
  metrics.addMetric('PublicityWindowsClosed', MetricUnit.Count, summary.windows);
  logger.info('entitlement schedule', { ...summary });
  return summary;
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
