/**
 * Storage that is not there for now, told apart from a defect. A request that failed because DynamoDB or
 * SQS could not be reached, answered with a server error, answered something the SDK could not read, kept
 * throttling past the retries, or did not answer before the function ran out of time is answered
 * `503 Service Unavailable` with `Retry-After` (the client sends the same request again, which is safe:
 * the front door keeps each (source, id) once). Everything else is ours to fix and stays a 500.
 *
 * No imports: the local runtime's gateway reads RETRY_AFTER_SECONDS before the functions' modules (and
 * their logger, configured from the environment) are loaded.
 */

/** Seconds a client is told to wait (Retry-After) before it sends a request the storage could not take. */
export const RETRY_AFTER_SECONDS = 2;

/**
 * Thrown by our own code when the storage kept refusing for a reason of its own (throttled statements,
 * unprocessed keys, messages SQS failed on its side) after the retries: unavailable, not a defect.
 */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
}

/**
 * Socket-level failures as Node and the SDK report them: refused, reset, "socket hang up", a response cut
 * off ("aborted"), a connect or request timeout, a host that cannot be resolved or reached.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Error names that mean "not now": the SDK's TimeoutError (it also names a reset so), middy's TimeoutError
 * (the function's time ran out, in practice waiting on storage), an endpoint that cannot be resolved, and
 * the services' throttling and server-side errors when they reach us by name.
 */
const UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'UnknownEndpoint',
  'StorageUnavailableError',
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'InternalServerError',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

/**
 * The SDK keeps only the text of a failure it does not take for an Error (one from another JavaScript realm,
 * e.g. a vm context): "AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:8000". Such a text
 * is read for the socket-level failures above.
 */
const SDK_WRAPPER = /^AWS SDK error wrapper for (?:\w*Error: )?(.*)$/s;
const NETWORK_TEXT = new RegExp(`\\b(?:${[...NETWORK_CODES].join('|')})\\b|^socket hang up$|^aborted$`);

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly message?: unknown;
  readonly cause?: unknown;
}

/** Whether `error` (or an error it was caused by) says the storage is unavailable for now. */
export function storageUnavailable(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    const x = e as ErrorShape;
    if (typeof x.code === 'string' && NETWORK_CODES.has(x.code)) return true;
    if (typeof x.name === 'string' && UNAVAILABLE_NAMES.has(x.name)) return true;
    // The service's fault: a 5xx, modeled or not (a JVM still starting answers HTML with a 500).
    if (x.$fault === 'server') return true;
    const status = x.$metadata?.httpStatusCode;
    if (typeof status === 'number' && status >= 500) return true;
    // A response the SDK could not read (cut off, or not the service's JSON); a modeled error carries its fault.
    if (x.$fault === undefined && '$response' in x) return true;
    const wrapped = typeof x.message === 'string' ? SDK_WRAPPER.exec(x.message) : null;
    if (wrapped && NETWORK_TEXT.test(wrapped[1]!.split('\n')[0]!)) return true;
    e = x.cause;
  }
  return false;
}
