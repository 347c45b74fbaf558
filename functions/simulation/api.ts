/**
 * POST /simulations: a reader not limited to named routes posts a draft item version and a
 * window; the draft is validated as a published version would be, every refusal naming its field. The job
 * is stored and its slices queued: 202 with the id to poll (GET /simulations/{simulationId}). A request that
 * stops between the two leaves the job `pending`: the simulation sweep (sweep.ts) queues it after a grace period.
 *
 * With an `Idempotency-Key` header, a repeat of the key by the same principal within 24 hours starts
 * nothing: the same request is answered 202 with the first request's simulation (and `Idempotent-Replayed:
 * true`), another request 409 (shared/simulation/domain/idempotency.ts). Without the header, every request
 * starts a simulation: two identical ones may be meant.
 *
 * Counts each job it stores (SimulationsStarted; a repeat of a key stores none), the measure the sweep's
 * SimulationsRequeued is a share of.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { authenticate, headersOf, json, problem, rawBody } from '#platform/http';
import { logger, metrics } from '#platform/powertools';
import { flushMetricsBeforeDeadline } from '#platform/metrics-deadline';
import { maskedErrors } from '#platform/http-errors';
import { aborting } from '#platform/invocation-signal';
import { accessConfig } from '#platform/stage-config';
import { parseRequest } from '#simulation/domain/request';
import { simulationStartPorts } from '#simulation/start-adapters';
import { startSimulation, startSimulationOnce } from '#simulation/service/start';
import { IDEMPOTENCY_HEADER, parseIdempotencyKey } from '#simulation/domain/idempotency';

const started = (simulationId: string, headers: Record<string, string> = {}) =>
  json(202, { simulationId, href: `/simulations/${encodeURIComponent(simulationId)}` }, headers);

// Its DynamoDB and SQS calls are cut off when middy ends the invocation at its timeout (invocation-signal.ts).
export const handler = middy(aborting(async (event: APIGatewayProxyEventV2) => {
  const body = rawBody(event);
  const auth = await authenticate(event, body);
  if (!auth.ok) return problem(401, `unauthenticated: ${auth.reason}`);
  const access = accessConfig();
  // Readers limited to named routes (upstream systems) may not simulate: their lists name GET routes only.
  if (!access.readers.includes(auth.principal) || access.readerRoutes?.[auth.principal] !== undefined) {
    return problem(403, `${auth.principal} may not run simulations`);
  }
  const key = parseIdempotencyKey(headersOf(event)[IDEMPOTENCY_HEADER.toLowerCase()]);
  if (!key.ok) return problem(400, `invalid ${IDEMPOTENCY_HEADER} header`, { errors: [{ path: IDEMPOTENCY_HEADER, message: key.message }] });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return problem(400, 'body must be JSON', { errors: [{ path: '', message: 'is not valid JSON' }] });
  }
  const request = parseRequest(parsed);
  if (!request.ok) return problem(400, 'invalid simulation request', { errors: request.errors });
  if (key.key === undefined) return started((await startSimulation(simulationStartPorts, request.request, auth.principal)).simulationId);
  const outcome = await startSimulationOnce(simulationStartPorts, request.request, auth.principal, key.key);
  if (outcome.kind === 'conflict') {
    return problem(409, `${IDEMPOTENCY_HEADER} was used before with another request`, {
      errors: [{ path: IDEMPOTENCY_HEADER, message: 'was first sent with another body: send this request with a new key' }],
      simulationId: outcome.simulationId,
    });
  }
  return started(outcome.simulationId, outcome.kind === 'replayed' ? { 'idempotent-replayed': 'true' } : {});
}))
  .use(injectLambdaContext(logger))
  // Flushed before the timeout too: a start stopped there after storing its job is counted all the same.
  .use(logMetrics(metrics))
  .use(flushMetricsBeforeDeadline(metrics))
  .use(maskedErrors());
