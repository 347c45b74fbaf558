/**
 * The end of an HTTP invocation, carried to the SDK calls it makes. middy ends a handler
 * `timeoutEarlyInMillis` (5 ms) before the function's timeout: it answers for it (a TimeoutError, which
 * http-errors.ts turns into a 503) and aborts the `signal` it passed the handler. A DynamoDB or SQS call
 * then in flight went on regardless: its socket open, its retries and their backoff still to come, in Lambda
 * frozen with the sandbox and resumed at the next thaw, locally holding the shared DynamoDB Local for a
 * request already answered; and once it returned, the handler went on to its next write. With the
 * signal passed as the SDK's `abortSignal`, the call is cut off (an AbortError, which the SDK does not retry)
 * and so is the rest of the handler.
 *
 * The signal reaches the calls through the clients, not through every port: `aborting(handler)` runs the
 * handler with middy's signal in an AsyncLocalStorage (an invocation's own: the local runtime runs several
 * at once in one process), and the clients of aws.ts and queues.ts, and the Secrets Manager client the
 * signing keys are read with (signing-keys.ts), add it to each `send` made inside it that brings no signal
 * of its own (`abortsWithInvocation`, invocation-scope.ts). The SDK reads `abortSignal` only from `send`'s
 * options (a middleware cannot add it), hence the wrapped `send`.
 *
 * Only the HTTP functions run inside it. A queue consumer keeps its own end (consumer.ts): the record in
 * hand finishes and its unit of work commits after middy's end, its writes conditional, so the redelivery
 * finds them done; cutting them off would only turn a finished record into one half-written. A scheduled
 * run likewise lets the item in hand finish (time-reserve.ts). Outside `aborting`, `send` is unchanged: a
 * consumer's or a schedule's call never carries a signal, so no `AbortError` comes to them.
 *
 * Aborting is safe for the HTTP functions: a write cut off may or may not have been made, exactly as when
 * the container is stopped, and the client's retry of the 503 is idempotent (a POST /events by its
 * receipts, a POST /simulations by its Idempotency-Key); a read changes nothing.
 */
import type { Context } from 'aws-lambda';
import { logger } from './powertools';
import { cutOffBy, inInvocation } from './invocation-scope';

export { abortsWithInvocation, cutOffBy, invocationSignal } from './invocation-scope';

/** What middy passes a handler besides its event and context: the signal it aborts when it ends the invocation. */
export interface HandlerOptions {
  readonly signal?: AbortSignal;
}

/**
 * The handler, for middy: run with middy's signal as the one its SDK calls abort on. A call without a
 * signal (a test calling the function bare) runs as it is.
 *
 * What the handler throws once its invocation has ended nobody reads: middy has answered already (its
 * `TimeoutError`, the client's 503, logged as `request failed`) and drops the handler's late failure (its
 * race with the timeout has settled; the failure makes no second answer). So it is logged here, once, with
 * the request it was part of. A call cut off there (an `AbortError`) is the abort doing its work, not a
 * defect: at WARN, as `cut off at the timeout` (a handler waiting on a timer at the end, e.g. a retry's
 * backoff, only meets it at its next call, in Lambda after the next invocation's thaw). Any other failure
 * then (a defect, a write the storage refused after the end) is one nobody else would see: at ERROR, as
 * `failed after the timeout`. The signal is aborted only by middy's end, and middy's answer is settled in
 * the same step, before the handler's failure can reach it: a failure seen here with the signal aborted was
 * never answered or logged by `maskedErrors`. A failure while the invocation still runs goes on as it was, to
 * `maskedErrors` (an `AbortError` then is not this invocation's end but a signal of the call's own: a 503).
 */
export function aborting<E, R>(handler: (event: E, context: Context) => Promise<R>): (event: E, context: Context, options?: HandlerOptions) => Promise<R> {
  return (event, context, { signal } = {}) => {
    if (signal === undefined) return handler(event, context);
    return inInvocation(signal, () => handler(event, context)).catch((error: unknown) => {
      if (cutOffBy(signal, error)) logger.warn('cut off at the timeout', { requestId: context?.awsRequestId, error: error as Error });
      else if (signal.aborted) logger.error('failed after the timeout', { requestId: context?.awsRequestId, error: error as Error });
      throw error;
    });
  };
}
