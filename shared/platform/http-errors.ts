/**
 * What an HTTP function throws, logged masked and rethrown without its text. Lambda's runtime logs an
 * uncaught error (its message and stack) outside our masking, and a message can quote the input: an event
 * id that holds an ID number ("recording event (/systems/data-sharing, person-440305…) failed"). The
 * consumers do the same for their records (consumer.ts, BatchFailedError). The client still gets a 5xx.
 */
import type { MiddlewareObj } from '@middy/core';
import { logger } from './powertools';

export class RequestFailedError extends Error {
  override readonly name = 'RequestFailedError';
  constructor() {
    super('the request failed; the cause is logged as "request failed" (masked)');
  }
}

export function maskedErrors(): MiddlewareObj {
  return {
    onError: async (request) => {
      logger.error('request failed', { error: request.error as Error });
      request.error = new RequestFailedError();
    },
  };
}
