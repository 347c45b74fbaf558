/**
 * What an HTTP function throws, logged masked and rethrown without its text. Lambda's runtime logs an
 * uncaught error (its message and stack) outside our masking, and a message can quote the input: an event
 * id that holds an ID number ("recording event (/systems/data-sharing, person-440305…) failed"). The
 * consumers do the same for their records (consumer.ts, BatchFailedError). The client still gets a 5xx:
 * `503` with `Retry-After` when the storage was unavailable (unavailable.ts) or a call was stopped by a signal
 * of its own (a time limit the code gave it), a 500 for anything else.
 */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger } from './powertools';
import { RETRY_AFTER_SECONDS, storageUnavailable } from './unavailable';

export class RequestFailedError extends Error {
  override readonly name = 'RequestFailedError';
  constructor() {
    super('the request failed; the cause is logged as "request failed" (masked)');
  }
}

/** The answer to a request the storage could not take: send it again after Retry-After seconds. */
export function storageUnavailableResponse(): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 503,
    headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(RETRY_AFTER_SECONDS) },
    body: JSON.stringify({ error: `the storage is unavailable for now: send the same request again after ${RETRY_AFTER_SECONDS} s` }),
  };
}

/**
 * Whether `error` (or an error it was caused by) is a call or a wait stopped by an `AbortSignal`: the SDK's
 * `AbortError` (which need not keep the signal's reason: its retry's backoff throws one of its own), Node's
 * (`timers/promises`, streams) and fetch's. (A fetch stopped by `AbortSignal.timeout` throws the reason, a
 * `TimeoutError`, which unavailable.ts already takes for "not now".) What reaches `maskedErrors` so is never
 * the invocation's own end: middy answers that one first, with its `TimeoutError` (invocation-signal.ts). It
 * is a signal the code gave a call of its own (`AbortSignal.timeout(…)`: the storage too slow for it) or
 * another request's end (a read it waited on, started by a request that has ended): not now, and the
 * client's retry is safe and does it.
 */
function abortedBySignal(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    if ((e as { name?: unknown }).name === 'AbortError') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export function maskedErrors(): MiddlewareObj {
  return {
    onError: async (request) => {
      // A call stopped by a signal of its own (its time limit) is "not now", as a storage too slow to answer.
      const unavailable = storageUnavailable(request.error) || abortedBySignal(request.error);
      logger.error('request failed', { error: request.error as Error, status: unavailable ? 503 : 500 });
      // Answered, not thrown: nothing was answered as accepted, and the client's retry is safe.
      if (unavailable) request.response = storageUnavailableResponse();
      else request.error = new RequestFailedError();
    },
  };
}
