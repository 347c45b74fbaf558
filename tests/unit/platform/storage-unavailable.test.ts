/**
 * Storage that is not there for now is a 503 with Retry-After, not a 500. Each failure comes from the real
 * SDK client talking to a misbehaving endpoint on loopback (refused, reset, hung up, cut off, a half-started
 * JVM's HTML 500, a timeout, throttling) inside a handler wrapped as every HTTP function is; a defect
 * (a request DynamoDB refuses as ours, a TypeError) still fails the invocation (API Gateway's 500).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { RETRY_AFTER_SECONDS, StorageUnavailableError, storageUnavailable } from '#platform/unavailable';
import { useEnv } from '#support/logs';
import { invokeMasked, type Invocation } from '#support/masked';

useEnv({ LOG_LEVEL: 'INFO', POWERTOOLS_DEV: undefined });
let maskedErrors: typeof import('#platform/http-errors').maskedErrors;
let server: Server;
let endpoint: string;
let answer: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;

beforeAll(async () => {
  ({ maskedErrors } = await import('#platform/http-errors'));
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const dynamoJson = 'application/x-amz-json-1.0';
const modeled = (status: number, type: string, message: string) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': dynamoJson });
  res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }));
};

/** How the endpoint misbehaves, for each failure the storage can show while it is down or starting. */
const unavailable: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  'connection reset (ECONNRESET)': (req) => req.socket.destroy(),
  'socket hang up (closed without an answer)': (req) => req.socket.end(),
  'a response cut off mid-body': (req, res) => {
    res.writeHead(200, { 'content-type': dynamoJson, 'content-length': '200' });
    res.write('{"Item":{"pk":{"S":');
    setTimeout(() => req.socket.destroy(), 20);
  },
  'a truncated body that is not JSON': (_req, res) => {
    res.writeHead(200, { 'content-type': dynamoJson });
    res.end('{"Item":{"pk":');
  },
  'a half-started JVM answering an HTML 500': (_req, res) => {
    res.writeHead(500, { 'content-type': 'text/html' });
    res.end('<html><body><h2>HTTP ERROR 500</h2></body></html>');
  },
  'an empty 503': (_req, res) => {
    res.writeHead(503);
    res.end();
  },
  'a modeled InternalServerError': modeled(500, 'InternalServerError', 'internal server error'),
  'throttling past the retries': modeled(400, 'ProvisionedThroughputExceededException', 'slow down'),
  'no answer before the request timeout': () => undefined,
};

function client(url = endpoint): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 300, requestTimeout: 300, throwOnRequestTimeout: true }),
  });
}

const getItem = () => new GetItemCommand({ TableName: 'events', Key: { pk: { S: 'EVT#x' }, sk: { S: 'EVENT' } } });

/** A closed port on loopback: bound, then released. */
async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}`;
}

/** Runs `work` as an HTTP function does (masked errors), with the logger's lines captured. */
const invoke = (work: () => Promise<unknown>, remainingMs?: number): Promise<Invocation> => invokeMasked(maskedErrors, work, remainingMs);

function expectRetryLater(outcome: Invocation): void {
  expect(outcome.thrown).toBeUndefined();
  expect({ status: outcome.result?.statusCode, retryAfter: outcome.result?.headers?.['retry-after'] }).toEqual({
    status: 503,
    retryAfter: String(RETRY_AFTER_SECONDS),
  });
  expect(JSON.parse(outcome.result.body).error).toMatch(/storage is unavailable.*send the same request again/);
  // Still logged, masked, as a failed request: an operator sees the outage.
  expect(outcome.lines).toMatch(/"message":"request failed".*"status":503/);
}

describe('an HTTP function whose storage is unavailable', () => {
  it.each(Object.keys(unavailable))('answers 503 with Retry-After on %s', async (name) => {
    answer = unavailable[name]!;
    const c = client();
    try {
      expectRetryLater(await invoke(() => c.send(getItem())));
    } finally {
      c.destroy();
    }
  });

  it('answers 503 with Retry-After on a refused connection (ECONNREFUSED)', async () => {
    const c = client(await closedPort());
    try {
      expectRetryLater(await invoke(() => c.send(getItem())));
    } finally {
      c.destroy();
    }
  });

  it('answers 503 with Retry-After when its time runs out waiting on the storage', async () => {
    answer = () => undefined; // accepts, never answers: a JVM that has bound its port but is not serving yet
    const c = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
    try {
      expectRetryLater(await invoke(() => c.send(getItem()), 300));
    } finally {
      c.destroy();
    }
  });

  // Under jest the SDK sees Node's socket errors as another realm's and keeps only their text (the cases
  // above); in a Lambda or the local runtime it passes them on as they are, shaped as below.
  it.each([
    ['a refused connection, after the retries', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED', syscall: 'connect', $metadata: { attempts: 5, totalRetryDelay: 133 } })],
    ['a reset, which the SDK names TimeoutError', Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' })],
    ['a request timeout', Object.assign(new Error('a request has exceeded the configured 300 ms requestTimeout'), { name: 'TimeoutError', code: 'ETIMEDOUT' })],
    ['a response cut off mid-body', Object.defineProperty(Object.assign(new Error('aborted'), { code: 'ECONNRESET', $metadata: { httpStatusCode: 200 } }), '$response', { value: {} })],
    ['an endpoint that cannot be resolved', Object.assign(new Error('getaddrinfo ENOTFOUND dynamodb.example'), { code: 'ENOTFOUND' })],
    ['UnknownEndpoint', Object.assign(new Error('Inaccessible host'), { name: 'UnknownEndpoint' })],
    ['our own retries running out', new StorageUnavailableError('3 event record(s) kept failing with a transient error')],
    ['a cause that was unavailable', new Error('recording failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) })],
  ])('answers 503 with Retry-After on %s', async (_name, error) => {
    expectRetryLater(
      await invoke(async () => {
        throw error;
      }),
    );
  });
});

describe('an HTTP function with a defect', () => {
  it('fails the invocation (500) on a request the storage refuses as ours', async () => {
    answer = modeled(400, 'ValidationException', 'One or more parameter values were invalid');
    const c = client();
    try {
      const outcome = await invoke(() => c.send(getItem()));
      expect(outcome.result).toBeUndefined();
      expect((outcome.thrown as Error).name).toBe('RequestFailedError');
      expect(outcome.lines).toMatch(/"message":"request failed".*"status":500/);
    } finally {
      c.destroy();
    }
  });

  it.each([
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a record refused for a reason of its own', new Error('recording event (/systems/x, e-1) failed: ValidationException bad')],
    ['a missing table', Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException', $fault: 'client', $metadata: { httpStatusCode: 400 } })],
  ])('fails the invocation (500) on %s', async (_name, error) => {
    expect(storageUnavailable(error)).toBe(false);
    const outcome = await invoke(async () => {
      throw error;
    });
    expect((outcome.thrown as Error).name).toBe('RequestFailedError');
  });
});
