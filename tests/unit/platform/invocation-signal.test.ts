/**
 * An HTTP function's DynamoDB, SQS and Secrets Manager calls are cut off when middy ends its invocation.
 * Before, middy answered the client (a 503) and aborted its signal, but no call took that signal: a request
 * in flight kept its socket and the handler went on after it, for a request already answered. The cut-off
 * is logged once at WARN, not dropped unseen, and not as a failure; any other failure after the 503 once at
 * ERROR. A call stopped by a signal of its own (a time limit) while the invocation runs is a 503, not a 500.
 * The functions' own clients (aws.ts, queues.ts, signing-keys.ts) talk here to an endpoint on loopback that
 * takes a request and, unless a test says otherwise, never answers.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import middy from '@middy/core';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { jest } from '@jest/globals';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeIdNumber } from '#contract/identifiers';
import { captureLogs, QUIET_POWERTOOLS, useEnv } from '#support/logs';

let server: Server;
let endpoint: string;
/** Each request the endpoint took, with a promise that settles once its connection is gone. */
const taken: Array<{ req: IncomingMessage; closed: Promise<void> }> = [];
let onTaken: () => void = () => undefined;
/** How the endpoint answers the request it takes: by default it does not. */
let respond: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;

let aws: typeof import('#platform/aws');
let sqs: typeof import('#platform/queues').sqs;
let aborting: typeof import('#platform/invocation-signal').aborting;
let invocationSignal: typeof import('#platform/invocation-signal').invocationSignal;
let maskedErrors: typeof import('#platform/http-errors').maskedErrors;
let logger: typeof import('#platform/powertools').logger;
let signingKeys: typeof import('#platform/signing-keys').signingKeys;

useEnv({
  ...QUIET_POWERTOOLS,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  // As in a deployed stage: the signing keys are read from Secrets Manager (here, the endpoint below).
  SIGNING_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:civicflow/test/signing-keys',
  SIGNING_KEYS: undefined,
});
beforeAll(async () => {
  server = createServer((req, res) => {
    const closed = new Promise<void>((r) => req.socket.once('close', () => r()));
    taken.push({ req, closed });
    req.resume();
    req.once('end', () => respond(req, res));
    onTaken();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Read when the modules build their clients: both point at the server.
  // (Jest gives each test file its own process.env: nothing set here reaches another file.)
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_ENDPOINT_URL_SQS = endpoint;
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = endpoint;
  aws = await import('#platform/aws');
  ({ sqs } = await import('#platform/queues'));
  ({ aborting, invocationSignal } = await import('#platform/invocation-signal'));
  ({ maskedErrors } = await import('#platform/http-errors'));
  ({ logger } = await import('#platform/powertools'));
  ({ signingKeys } = await import('#platform/signing-keys'));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** Resolves once the endpoint has taken `n` requests in all. */
const takenCount = (n: number): Promise<void> =>
  new Promise((resolve) => {
    onTaken = () => {
      if (taken.length >= n) resolve();
    };
    onTaken();
  });

const context = (remainingMs: number): Context => {
  const deadline = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => deadline - Date.now() } as Context;
};

const calls: Record<string, () => Promise<unknown>> = {
  'ddb (document client)': () => aws.ddb.send(new GetCommand({ TableName: 't', Key: { pk: 'a' } })),
  'dynamo (low-level client)': () => aws.dynamo.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } })),
  'ddbNumbersAsText()': () => aws.ddbNumbersAsText().send(new GetCommand({ TableName: 't', Key: { pk: 'a' } })),
  sqs: () => sqs.send(new SendMessageBatchCommand({ QueueUrl: `${endpoint}/000000000000/q`, Entries: [{ Id: '0', MessageBody: '{}' }] })),
};

describe("an HTTP function's call in flight when its invocation ends", () => {
  it.each(Object.keys(calls))('is aborted when the signal fires: %s', async (name) => {
    const before = taken.length;
    const ended = new AbortController();
    let inFlight: Promise<unknown> | undefined;
    const handler = aborting(async () => {
      inFlight = calls[name]!();
      return inFlight;
    });
    const answer = handler({}, context(60_000), { signal: ended.signal });
    answer.catch(() => undefined);
    await takenCount(before + 1);
    ended.abort();
    await expect(inFlight).rejects.toMatchObject({ name: 'AbortError' });
    // Its connection is closed, not left waiting for an answer nobody reads.
    await taken[before]!.closed;
    expect(taken.length).toBe(before + 1);
  });

  it("is aborted at middy's end too: the client has its 503, and the call stops there", async () => {
    let inFlight: Promise<unknown> | undefined;
    let after = false;
    const handler = middy(
      aborting(async () => {
        inFlight = aws.ddb.send(new GetCommand({ TableName: 't', Key: { pk: 'a' } }));
        await inFlight;
        after = true; // the handler's next step, never reached
        return { statusCode: 200, body: '{}' };
      }),
    ).use(maskedErrors());
    const result = (await handler({}, context(500))) as { statusCode: number; headers?: Record<string, string> };
    expect({ status: result.statusCode, retryAfter: result.headers?.['retry-after'] }).toEqual({ status: 503, retryAfter: '2' });
    await expect(inFlight).rejects.toMatchObject({ name: 'AbortError' });
    expect(after).toBe(false);
  });

  it('leaves calls outside an invocation alone, and a call that brings its own signal keeps it', async () => {
    // What each call hands the SDK's own `send` (the class's, which the wrapper calls at each call).
    const sent = jest.spyOn(DynamoDBDocumentClient.prototype, 'send').mockImplementation((async () => ({})) as never);
    try {
      const ended = new AbortController();
      const own = new AbortController();
      const get = (pk: string) => new GetCommand({ TableName: 't', Key: { pk } });
      await aborting(async () => {
        expect(invocationSignal()).toBe(ended.signal);
        await aws.ddb.send(get('in'));
        await aws.ddb.send(get('own'), { abortSignal: own.signal, requestTimeout: 100 });
      })({}, context(60_000), { signal: ended.signal });
      // Outside it (a consumer's call in the same process, say), and in a handler run without a signal.
      expect(invocationSignal()).toBeUndefined();
      await aws.ddb.send(get('outside'));
      await aborting(async () => void (await aws.ddb.send(get('unsignalled'))))({}, context(60_000));
      expect(sent.mock.calls.map(([command, options]) => [(command as GetCommand).input.Key!.pk, options])).toEqual([
        ['in', { abortSignal: ended.signal }],
        ['own', { abortSignal: own.signal, requestTimeout: 100 }],
        ['outside', undefined],
        ['unsignalled', undefined],
      ]);
    } finally {
      sent.mockRestore();
    }
  });

  it('is what every HTTP function runs in: its handler is wrapped in aborting', () => {
    for (const file of ['functions/ingest/handler.ts', 'functions/query/handler.ts', 'functions/simulation/api.ts']) {
      const source = readFileSync(fileURLToPath(new URL(`../../../${file}`, import.meta.url)), 'utf8');
      expect([file, /export const handler = middy\(aborting\(/.test(source)]).toEqual([file, true]);
    }
  });
});

/** Lets every callback the promises settled so far have queued run: the handler's own end comes after its call's. */
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('a call cut off at the end of its invocation', () => {
  afterEach(() => jest.restoreAllMocks());

  it('is logged once at WARN as cut off at the timeout, not as a failure; the client has its 503', async () => {
    // Before, middy dropped the handler's late AbortError unseen: no line said what was cut off.
    const warn = jest.spyOn(logger, 'warn');
    const error = jest.spyOn(logger, 'error');
    let inFlight: Promise<unknown> | undefined;
    const handler = middy(
      aborting(async () => {
        inFlight = aws.ddb.send(new GetCommand({ TableName: 't', Key: { pk: 'a' } }));
        await inFlight;
        return { statusCode: 200, body: '{}' };
      }),
    ).use(maskedErrors());
    const result = (await handler({}, { ...context(500), awsRequestId: 'request-cut' })) as { statusCode: number };
    expect(result.statusCode).toBe(503);
    await expect(inFlight).rejects.toMatchObject({ name: 'AbortError' });
    await settled();
    expect(warn.mock.calls).toEqual([['cut off at the timeout', { requestId: 'request-cut', error: expect.objectContaining({ name: 'AbortError' }) }]]);
    // The one failure logged is middy's end of the invocation, answered 503; the abort is not one.
    expect(error.mock.calls.map(([message, fields]) => [message, (fields as { status: number; error: Error }).status, (fields as { error: Error }).error.name])).toEqual([
      ['request failed', 503, 'TimeoutError'],
    ]);
  });

  it('takes no other failure for one: a defect after its end is passed on as it was, not logged as a cut-off', async () => {
    const warn = jest.spyOn(logger, 'warn');
    const ended = new AbortController();
    const defect = new TypeError('a defect');
    const late = aborting(async () => {
      ended.abort();
      throw defect;
    })({}, { ...context(60_000), awsRequestId: 'request-defect' }, { signal: ended.signal });
    await expect(late).rejects.toBe(defect);
    expect(warn).not.toHaveBeenCalled();
  });

  it('logs a failure other than an abort after the 503 once, at ERROR, masked, with its request; no second answer', async () => {
    // Before, middy dropped it unseen: its race with the timeout had settled, and nothing else read it.
    const ID = makeIdNumber('440305', '19900307', '123');
    const warn = jest.spyOn(logger, 'warn');
    const error = jest.spyOn(logger, 'error');
    const answered = jest.fn();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const defect = new Error(`recording event (/systems/data-sharing, person-${ID}) failed: ValidationException`);
    const handler = middy(
      aborting(async () => {
        await gate; // past the end, on nothing the signal stops
        throw defect;
      }),
    )
      .use(maskedErrors())
      .use({ after: answered, onError: answered });
    logger.setLogLevel('ERROR');
    const logs = captureLogs();
    try {
      const result = (await handler({}, { ...context(50), awsRequestId: 'request-late' })) as { statusCode: number; headers?: Record<string, string> };
      expect({ status: result.statusCode, retryAfter: result.headers?.['retry-after'] }).toEqual({ status: 503, retryAfter: '2' });
      release();
      await settled();
    } finally {
      logs.restore();
      logger.setLogLevel('SILENT');
    }
    expect(error.mock.calls.map(([message, fields]) => [message, (fields as { requestId?: string }).requestId, (fields as { error: Error }).error.name])).toEqual([
      ['request failed', undefined, 'TimeoutError'],
      ['failed after the timeout', 'request-late', 'Error'],
    ]);
    expect(warn).not.toHaveBeenCalled();
    // middy's chain ran once, for its own TimeoutError: the late failure made no second answer.
    expect(answered).toHaveBeenCalledTimes(1);
    const late = logs.json().filter((line) => line.message === 'failed after the timeout');
    expect(late).toEqual([expect.objectContaining({ level: 'ERROR', requestId: 'request-late', error: expect.objectContaining({ name: 'Error' }) })]);
    expect(JSON.stringify(late)).toContain(`person-440305********${ID.slice(-4)}`);
    expect(logs.text()).not.toContain(ID);
  });
});

describe('a call stopped by a signal of its own while the invocation runs', () => {
  afterEach(() => jest.restoreAllMocks());

  /** Waits that stop on `signal`, as a handler would give a call a time limit of its own. */
  const waits: Record<string, (signal: AbortSignal) => Promise<unknown>> = {
    // In flight: the SDK's AbortError, whose cause (the signal's reason, a TimeoutError) it may or may not keep.
    'an SDK call in flight (AbortSignal.timeout)': (signal) => aws.ddb.send(new GetCommand({ TableName: 't', Key: { pk: 'a' } }), { abortSignal: signal }),
    // In its retry's backoff the SDK throws an AbortError of its own, with no cause.
    "an SDK call in its retry's backoff": async (signal) => {
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    },
    'any other await (timers/promises)': (signal) => sleep(60_000, undefined, { signal }),
  };

  it.each(Object.keys(waits))('answers 503 with Retry-After, as storage too slow to answer, not a 500: %s', async (name) => {
    // Before, an AbortError the invocation's end did not cause answered 500, a defect, though the client's retry is all it needs.
    const warn = jest.spyOn(logger, 'warn');
    const error = jest.spyOn(logger, 'error');
    const handler = middy(aborting(async () => waits[name]!(AbortSignal.timeout(20)))).use(maskedErrors());
    const result = (await handler({}, { ...context(60_000), awsRequestId: 'request-own' })) as { statusCode: number; headers?: Record<string, string> };
    expect({ status: result.statusCode, retryAfter: result.headers?.['retry-after'] }).toEqual({ status: 503, retryAfter: '2' });
    expect(error.mock.calls.map(([message, fields]) => [message, (fields as { status: number }).status, (fields as { error: Error }).error.name])).toEqual([
      ['request failed', 503, 'AbortError'],
    ]);
    // Not the invocation's end: no cut-off line.
    expect(warn).not.toHaveBeenCalled();
  });

  it('answers 503 for an abort that is no time limit too (another request ended a read this one waited on)', async () => {
    const other = new AbortController();
    const handler = middy(
      aborting(async () => {
        const read = sleep(60_000, undefined, { signal: other.signal });
        other.abort();
        await read;
        return { statusCode: 200, body: '{}' };
      }),
    ).use(maskedErrors());
    const result = (await handler({}, context(60_000))) as { statusCode: number };
    expect(result.statusCode).toBe(503);
  });

  it('still answers 500 for a failure that is no abort', async () => {
    const handler = middy(
      aborting(async () => {
        throw new TypeError('a defect');
      }),
    ).use(maskedErrors());
    await expect(handler({}, context(60_000))).rejects.toMatchObject({ name: 'RequestFailedError' });
  });
});

describe('the wrapped clients, call after call', () => {
  afterEach(() => jest.restoreAllMocks());
  const get = (pk: string) => new GetCommand({ TableName: 't', Key: { pk } });

  it('pass each invocation its own signal, however many calls came before', async () => {
    const sent = jest.spyOn(DynamoDBDocumentClient.prototype, 'send').mockImplementation((async () => ({})) as never);
    const a = new AbortController();
    const b = new AbortController();
    const reads = (name: string, signal: AbortSignal) =>
      aborting(async () => {
        for (let i = 0; i < 3; i++) await aws.ddb.send(get(`${name}${i}`));
      })({}, context(60_000), { signal });
    // Two invocations at once, as the local runtime runs them: their calls interleave.
    await Promise.all([reads('a', a.signal), reads('b', b.signal)]);
    const whose = (options: unknown) => {
      const signal = (options as { abortSignal?: AbortSignal } | undefined)?.abortSignal;
      return signal === a.signal ? 'a' : signal === b.signal ? 'b' : 'none';
    };
    expect(sent.mock.calls.map(([command, options]) => `${(command as GetCommand).input.Key!.pk} ${whose(options)}`).sort()).toEqual([
      'a0 a',
      'a1 a',
      'a2 a',
      'b0 b',
      'b1 b',
      'b2 b',
    ]);
  });

  it("reach a patch of the class's send made after the client was built, signal included (the bench's meter)", async () => {
    const queued = () => sqs.send(new SendMessageBatchCommand({ QueueUrl: `${endpoint}/000000000000/q`, Entries: [{ Id: '0', MessageBody: '{}' }] }));
    const metered = jest.spyOn(SQSClient.prototype, 'send').mockImplementation((async () => ({ Successful: [], Failed: [] })) as never);
    const ended = new AbortController();
    await aborting(async () => {
      await queued();
      await queued();
    })({}, context(60_000), { signal: ended.signal });
    await queued();
    expect(metered.mock.calls.map(([, options]) => options)).toEqual([{ abortSignal: ended.signal }, { abortSignal: ended.signal }, undefined]);
  });
});

describe("the signing keys' read from Secrets Manager (only the HTTP functions read them)", () => {
  afterEach(() => {
    jest.restoreAllMocks();
    respond = () => undefined;
  });

  it('is cut off when the invocation reading them ends', async () => {
    const warn = jest.spyOn(logger, 'warn');
    const before = taken.length;
    const ended = new AbortController();
    const answer = aborting(async () => signingKeys())({}, { ...context(60_000), awsRequestId: 'request-keys' }, { signal: ended.signal });
    answer.catch(() => undefined);
    await takenCount(before + 1);
    expect(taken[before]!.req.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    ended.abort();
    await expect(answer).rejects.toMatchObject({ name: 'AbortError' });
    await taken[before]!.closed;
    await settled();
    expect(warn.mock.calls).toEqual([['cut off at the timeout', { requestId: 'request-keys', error: expect.objectContaining({ name: 'AbortError' }) }]]);
  });

  it('is read again by a request still running when the one whose read it waited on ends', async () => {
    const before = taken.length;
    const first = new AbortController();
    const second = new AbortController();
    const keysOf = (signal: AbortSignal) => aborting(async () => signingKeys())({}, context(60_000), { signal });
    const cut = keysOf(first.signal);
    cut.catch(() => undefined);
    await takenCount(before + 1);
    const firstRead = taken[before]!.req;
    // It waits on the first one's read, in flight.
    const waiting = keysOf(second.signal);
    // Only the read again is answered: the first never is, whenever its body ends (with its headers or later).
    respond = (req, res) => {
      if (req === firstRead) return;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ ARN: process.env.SIGNING_KEYS_SECRET_ARN, Name: 'civicflow/test/signing-keys', SecretString: JSON.stringify({ '/systems/catalog': 'key', '@cursor': 'seal' }) }));
    };
    first.abort();
    await expect(cut).rejects.toMatchObject({ name: 'AbortError' });
    await expect(waiting).resolves.toEqual({ '/systems/catalog': 'key' });
    expect(taken.length).toBe(before + 2);
    expect(second.signal.aborted).toBe(false);
  });
});
