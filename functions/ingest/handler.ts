import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ingestPorts } from '#ingest/adapters';
import { ingest } from '#ingest/service';
import { authenticate, headersOf, json, problem, rawBody } from '#platform/http';
import { accessConfig } from '#platform/stage-config';
import { nowIso } from '#platform/clock';
import { stageCalendar } from '#platform/calendar';
import { logger, metrics } from '#platform/powertools';
import { flushMetricsBeforeDeadline } from '#platform/metrics-deadline';
import { maskedErrors } from '#platform/http-errors';
import { aborting } from '#platform/invocation-signal';

/** POST /events, the front door for upstream systems. Thin: authenticate, then the ingest use case. */
// Its DynamoDB and SQS calls are cut off when middy ends the invocation at its timeout (invocation-signal.ts).
export const handler = middy(aborting(async (event: APIGatewayProxyEventV2) => {
  const body = rawBody(event);
  const auth = await authenticate(event, body);
  if (!auth.ok) {
    logger.warn('unauthenticated request', { reason: auth.reason });
    return problem(401, `unauthenticated: ${auth.reason}`);
  }
  const receivedAt = nowIso();
  const result = await ingest(
    {
      principal: auth.principal,
      contentType: headersOf(event)['content-type'],
      body,
      sources: accessConfig().sources,
      receivedAt,
      // The bureau's date now: an ID number born after it, or an asOf dated after it, is refused at the edge.
      today: stageCalendar().localDate(receivedAt),
      // The bureau's zone: a date-only policy bound is a local day in it.
      timeZone: stageCalendar().timeZone,
    },
    ingestPorts,
  );
  const accepted = 'accepted' in result.body ? (result.body.accepted?.length ?? 0) : 0;
  const rejected = result.body.rejected?.length ?? 0;
  metrics.addMetric('EventsAccepted', MetricUnit.Count, accepted);
  metrics.addMetric('EventsRejected', MetricUnit.Count, rejected);
  logger.info('ingest', { principal: auth.principal, status: result.status, accepted, rejected });
  return json(result.status, result.body);
}))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(flushMetricsBeforeDeadline(metrics))
  .use(maskedErrors());
