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
 * at once in one process), and the clients of aws.ts and queues.ts (`abortsWithInvocation`) add it to each
 * `send` made inside it that brings no signal of its own. The SDK reads `abortSignal` only from `send`'s
 * options (a middleware cannot add it), hence the wrapped `send`.
 *
 * Only the HTTP functions run inside it. A queue consumer keeps its own end (consumer.ts): the record in
 * hand finishes and its unit of work commits after middy's end, its writes conditional, so the redelivery
 * finds them done; cutting them off would only turn a finished record into one half-written. A scheduled
 * run likewise lets the item in hand finish (time-reserve.ts). Outside `aborting`, `send` is unchanged.
 *
 * Aborting is safe for the HTTP functions: a write cut off may or may not have been made, exactly as when
 * the container is stopped, and the client's retry of the 503 is idempotent (a POST /events by its
 * receipts, a POST /simulations by its Idempotency-Key); a read changes nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'aws-lambda';

/** What middy passes a handler besides its event and context: the signal it aborts when it ends the invocation. */
export interface HandlerOptions {
  readonly signal?: AbortSignal;
}

const scope = new AsyncLocalStorage<AbortSignal>();

/** The signal of the invocation this runs in, if it runs inside `aborting`. */
export function invocationSignal(): AbortSignal | undefined {
  return scope.getStore();
}

/**
 * The handler, for middy: run with middy's signal as the one its SDK calls abort on. A call without a
 * signal (a test calling the function bare) runs as it is.
 */
export function aborting<E, R>(handler: (event: E, context: Context) => Promise<R>): (event: E, context: Context, options?: HandlerOptions) => Promise<R> {
  return (event, context, { signal } = {}) => (signal === undefined ? handler(event, context) : scope.run(signal, () => handler(event, context)));
}

type Send = (command: unknown, optionsOrCallback?: unknown, callback?: unknown) => unknown;

/**
 * Makes `client.send` add the invocation's signal (`abortSignal`) to a call made inside `aborting` that
 * brings none; any other call, and the callback form, pass through as they were. Returns the client.
 */
export function abortsWithInvocation<C extends { send: unknown }>(client: C): C {
  // The class's `send`, looked up at each call, not kept from now: a patch of the prototype made later (the
  // bench's meter counts every SQS request so) still sees the calls of this client.
  const send: Send = (...args) => (Object.getPrototypeOf(client) as { send: Send }).send.apply(client, args);
  const wrapped: Send = (...args) => {
    const signal = scope.getStore();
    const [command, optionsOrCallback, ...rest] = args;
    if (signal === undefined || typeof optionsOrCallback === 'function') return send(...args);
    const options = (optionsOrCallback ?? {}) as { abortSignal?: unknown };
    if (options.abortSignal !== undefined) return send(...args);
    return send(command, { ...options, abortSignal: signal }, ...rest);
  };
  (client as { send: unknown }).send = wrapped;
  return client;
}
