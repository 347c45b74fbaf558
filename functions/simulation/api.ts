/**
 * POST /simulations: a reader not limited to named routes posts a draft item version and a
 * window; the draft is validated as a published version would be, every refusal naming its field. The job
 * is stored and its slices queued: 202 with the id to poll (GET /simulations/{simulationId}).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { authenticate, json, problem, rawBody } from '#platform/http';
import { logger } from '#platform/powertools';
import { maskedErrors } from '#platform/http-errors';
import { accessConfig } from '#platform/stage-config';
import { parseRequest } from '#simulation/domain/request';
import { simulationStartPorts } from '#simulation/adapters';
import { startSimulation } from '#simulation/service';

export const handler = middy(async (event: APIGatewayProxyEventV2) => {
  const body = rawBody(event);
  const auth = await authenticate(event, body);
  if (!auth.ok) return problem(401, `unauthenticated: ${auth.reason}`);
  const access = accessConfig();
  // Readers limited to named routes (upstream systems) may not simulate: their lists name GET routes only.
  if (!access.readers.includes(auth.principal) || access.readerRoutes?.[auth.principal] !== undefined) {
    return problem(403, `${auth.principal} may not run simulations`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return problem(400, 'body must be JSON', { errors: [{ path: '', message: 'is not valid JSON' }] });
  }
  const request = parseRequest(parsed);
  if (!request.ok) return problem(400, 'invalid simulation request', { errors: request.errors });
  const job = await startSimulation(simulationStartPorts, request.request, auth.principal);
  return json(202, { simulationId: job.simulationId, href: `/simulations/${encodeURIComponent(job.simulationId)}` });
})
  .use(injectLambdaContext(logger))
  .use(maskedErrors());
