import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { authenticate, encodedFor, headersOf, problem, rawBody, type HttpResult } from '#platform/http';
import { accessConfig } from '#platform/stage-config';
import { logger } from '#platform/powertools';
import { maskedErrors } from '#platform/http-errors';
import { aborting } from '#platform/invocation-signal';
import type { QueryRoutes } from '#query/router';
import { eventRoutes } from '#query/events';
import { registryRoutes } from '#query/registry';
import { entitlementRoutes } from '#query/entitlement';
import { approvalRoutes } from '#query/approval';
import { reviewRoutes } from '#query/review';
import { reportRoutes } from '#query/report';
import { hardCaseRoutes } from '#query/hardcase';
import { gapRoutes } from '#query/gaps';
import { simulationRoutes } from '#query/simulation';
import { parameterProblem } from '#query/parameters';
import { entitledToPersonData, maskPersonData } from '#query/privacy';
import { isSealed, open, seal } from '#query/cursor-seal';
import { cursorKey } from '#platform/signing-keys';

/** Every read-only route of the HTTP API, by route key. */
const routes: QueryRoutes = { ...eventRoutes, ...registryRoutes, ...approvalRoutes, ...reviewRoutes, ...entitlementRoutes, ...reportRoutes, ...hardCaseRoutes, ...simulationRoutes, ...gapRoutes };

/**
 * The answer with person data masked, for a reader not entitled to it. A cursor the masking would change
 * (the last ID number of a page) is sealed for this reader instead, so that the next page can be asked for.
 */
function masked(result: HttpResult, sealFor: ((cursor: string) => string) | undefined): HttpResult {
  if (typeof result.body !== 'string' || result.body === '') return result;
  const answer = JSON.parse(result.body) as Record<string, unknown>;
  const body = maskPersonData(answer) as Record<string, unknown>;
  const cursor = answer.cursor;
  if (sealFor && typeof cursor === 'string' && body.cursor !== cursor) body.cursor = sealFor(cursor);
  return { ...result, body: JSON.stringify(body) };
}

// Its DynamoDB and SQS calls are cut off when middy ends the invocation at its timeout (invocation-signal.ts).
export const handler = middy(aborting(async (event: APIGatewayProxyEventV2) => {
  const auth = await authenticate(event, rawBody(event));
  if (!auth.ok) return problem(401, `unauthenticated: ${auth.reason}`);
  if (!accessConfig().readers.includes(auth.principal)) {
    return problem(403, `${auth.principal} may not read the query API`);
  }
  const limited = accessConfig().readerRoutes?.[auth.principal];
  if (limited && !limited.includes(event.routeKey)) {
    return problem(403, `${auth.principal} may not read ${event.routeKey}`);
  }
  const route = routes[event.routeKey];
  if (!route) return problem(404, `no route ${event.routeKey}`);
  const params = event.pathParameters ?? {};
  let query = event.queryStringParameters ?? {};
  const bad = parameterProblem(params, query);
  if (bad) return problem(400, bad);
  const entitled = entitledToPersonData(auth.principal);
  const key = entitled ? undefined : await cursorKey();
  if (query.cursor !== undefined && isSealed(query.cursor)) {
    const cursor = key === undefined ? undefined : open(query.cursor, key, auth.principal);
    if (cursor === undefined) return problem(400, 'query parameter "cursor" is not one this route returned');
    query = { ...query, cursor };
  }
  const result = await route({ params, query, principal: auth.principal, event });
  const answer = entitled ? result : masked(result, key === undefined ? undefined : (cursor) => seal(cursor, key, auth.principal));
  // Encoded last, once masked: gzipped for a client that takes it; over Lambda's 6 MB without it, a 406.
  return encodedFor(answer, headersOf(event)['accept-encoding']);
}))
  .use(injectLambdaContext(logger))
  .use(maskedErrors());
