/**
 * The local runtime's one DynamoDB Local serves requests largely one at a time, and every function of the
 * runtime shares its SDK client, so an HTTP request (ingest, a query) waits behind whatever the queue
 * consumers have in flight. Under a consumer backlog that wait grew with the backlog until 100-event posts
 * passed the ingest function's 10 s timeout (bench: "Ingest under a consumer backlog"). In AWS each function
 * has its own capacity and DynamoDB does not serialize; locally the runtime keeps the HTTP path ahead:
 * while an HTTP request is being handled, queue consumers may have at most `CONSUMER_REQUESTS_WHILE_HTTP`
 * DynamoDB requests in flight, and the rest wait their turn; with no HTTP request in progress they are not
 * limited. A consumer batch is only slowed, never failed.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Enough to keep the stand-in busy, few enough that an HTTP request waits behind at most this many. */
export const CONSUMER_REQUESTS_WHILE_HTTP = 2;

type Lane = 'http' | 'consumer';
const lane = new AsyncLocalStorage<Lane>();

let httpInProgress = 0;
let consumerRequests = 0;
const waiting: Array<() => void> = [];

const admits = () => httpInProgress === 0 || consumerRequests < CONSUMER_REQUESTS_WHILE_HTTP;

function admitWaiting(): void {
  while (waiting.length > 0 && admits()) {
    consumerRequests++;
    waiting.shift()!();
  }
}

/** Runs an HTTP request's handling in the priority lane. */
export async function asHttpRequest<T>(fn: () => Promise<T>): Promise<T> {
  httpInProgress++;
  try {
    return await lane.run('http', fn);
  } finally {
    httpInProgress--;
    admitWaiting();
  }
}

/** Runs a consumer invocation (a poller's batch) in the consumer lane. */
export function asConsumer<T>(fn: () => Promise<T>): Promise<T> {
  return lane.run('consumer', fn);
}

/** The middleware that admits consumers' DynamoDB requests as above; other requests pass at once. */
export function priorityMiddleware() {
  return (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
    if (lane.getStore() !== 'consumer') return next(args);
    if (admits()) consumerRequests++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await next(args);
    } finally {
      consumerRequests--;
      admitWaiting();
    }
  };
}

let installed = false;

/** Installs the admission on the functions' shared DynamoDB client, once per process. */
export async function installPriority(): Promise<void> {
  if (installed) return;
  installed = true;
  const { dynamo } = await import('#platform/aws');
  dynamo.middlewareStack.add(priorityMiddleware() as never, { step: 'finalizeRequest', name: 'localHttpPriority' });
}

/** For tests: what the admission holds now. */
export function priorityState() {
  return { httpInProgress, consumerRequests, waiting: waiting.length };
}
