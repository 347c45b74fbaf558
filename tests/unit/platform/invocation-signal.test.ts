/**
 * An HTTP function's DynamoDB and SQS calls are cut off when middy ends its invocation. Before, middy
 * answered the client (a 503) and aborted its signal, but no call took that signal: a request in flight kept
 * its socket and the handler went on after it, for a request already answered. The functions' own clients
 * (aws.ts, queues.ts) talk here to an endpoint on loopback that takes a request and never answers.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import middy from '@middy/core';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { jest } from '@jest/globals';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { QUIET_POWERTOOLS, useEnv } from '#support/logs';

let server: Server;
let endpoint: string;
/** Each request the endpoint took, with a promise that settles once its connection is gone. */
const taken: Array<{ req: IncomingMessage; closed: Promise<void> }> = [];
let onTaken: () => void = () => undefined;

let aws: typeof import('#platform/aws');
let sqs: typeof import('#platform/queues').sqs;
let aborting: typeof import('#platform/invocation-signal').aborting;
let invocationSignal: typeof import('#platform/invocation-signal').invocationSignal;
let maskedErrors: typeof import('#platform/http-errors').maskedErrors;

useEnv({ ...QUIET_POWERTOOLS, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
beforeAll(async () => {
  server = createServer((req) => {
    const closed = new Promise<void>((r) => req.socket.once('close', () => r()));
    taken.push({ req, closed });
    req.resume();
    onTaken();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Read when the modules build their clients: both point at the server.
  // (Jest gives each test file its own process.env: nothing set here reaches another file.)
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_ENDPOINT_URL_SQS = endpoint;
  aws = await import('#platform/aws');
  ({ sqs } = await import('#platform/queues'));
  ({ aborting, invocationSignal } = await import('#platform/invocation-signal'));
  ({ maskedErrors } = await import('#platform/http-errors'));
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
