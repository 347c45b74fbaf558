/**
 * What an HTTP function throws, logged masked and rethrown without its text. Lambda's runtime logs an
 * uncaught error (its message and stack) outside our masking, and a message can quote the input: an event
 * id that holds an ID number ("recording event (/systems/data-sharing, person-440305…) failed"). The
 * consumers do the same for their records (consumer.ts, BatchFailedError). The client still gets a 5xx:
 * `503` with `Retry-After` when the storage was unavailable (unavailable.ts), a 500 for anything else.
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

export function maskedErrors(): MiddlewareObj {
  return {
    onError: async (request) => {
      const unavailable = storageUnavailable(request.error);
      logger.error('request failed', { error: request.error as Error, status: unavailable ? 503 : 500 });
      // Answered, not thrown: nothing was answered as accepted, and the client's retry is safe.
      if (unavailable) request.response = storageUnavailableResponse();
      else request.error = new RequestFailedError();
    },
  };
}
