/**
 * The invocation's signal as the clients see it: the scope `aborting` (invocation-signal.ts, which tells
 * why) runs an HTTP function's handler in, and the wrapper that adds its signal to each SDK call made inside.
 * A module of its own, importing nothing of ours: the clients (aws.ts, queues.ts, signing-keys.ts) are loaded
 * by the infrastructure code and by the local runtime before the functions' environment is set, and must not
 * create the logger (powertools.ts) then.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<AbortSignal>();

/** The signal of the invocation this runs in, if it runs inside `aborting`. */
export function invocationSignal(): AbortSignal | undefined {
  return scope.getStore();
}

/** Runs `fn` as part of the invocation that ends with `signal`: the wrapped clients' calls inside it take it. */
export function inInvocation<T>(signal: AbortSignal, fn: () => T): T {
  return scope.run(signal, fn);
}

/**
 * Whether `error` is a call cut off by the end of the invocation whose signal is `signal`: an `AbortError`
 * (the SDK's name for a call its `abortSignal` stopped, before it was sent or while it waited) once that
 * signal has aborted. The SDK's error does not carry the signal's reason (its retry step throws an
 * `AbortError` of its own), so the test is the name and the signal. A call given a signal of its own (a time
 * limit) that stops after the invocation's end is counted with it: both are the call stopped for time. While
 * the invocation runs, an abort is never its end (`maskedErrors` answers it 503, http-errors.ts).
 */
export function cutOffBy(signal: AbortSignal | undefined, error: unknown): boolean {
  return signal?.aborted === true && (error as { name?: unknown } | null)?.name === 'AbortError';
}

type Send = (command: unknown, optionsOrCallback?: unknown, callback?: unknown) => unknown;

/**
 * Makes `client.send` add the invocation's signal (`abortSignal`) to a call made inside `aborting` that
 * brings none; any other call, and the callback form, pass through as they were. Returns the client.
 */
export function abortsWithInvocation<C extends { send: unknown }>(client: C): C {
  // The class's prototype, found once per client. Its `send` is read at each call, not kept from now: a patch
  // of the prototype made later (the bench's meter counts every SQS request so; a test spies on it) still
  // sees the calls of this client. Reading a property is all that costs.
  const proto = Object.getPrototypeOf(client) as { send: Send };
  (client as { send: unknown }).send = function send(command: unknown, optionsOrCallback?: unknown, ...rest: unknown[]): unknown {
    const signal = scope.getStore();
    if (signal === undefined || typeof optionsOrCallback === 'function' || (optionsOrCallback as { abortSignal?: unknown } | undefined)?.abortSignal !== undefined) {
      // As it came: the arguments as given, as many as given.
      return proto.send.apply(client, arguments as unknown as Parameters<Send>);
    }
    return proto.send.call(client, command, { ...(optionsOrCallback as object | undefined), abortSignal: signal }, ...rest);
  };
  return client;
}
