/**
 * The local gateway's 5xx: a function's own 503 with Retry-After (its storage unavailable) passes as it is,
 * at once; a failure during a restart of DynamoDB Local is the gateway's 503; any other failure a 500. A
 * function's base64 body (`isBase64Encoded`, a gzipped answer) is sent as its bytes, as API Gateway does.
 */
import { createServer, request, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { gatewayListener, type HttpHandler } from '#local/gateway';
import { encodedFor, json } from '#platform/http';
import { RETRY_AFTER_SECONDS } from '#platform/unavailable';

let server: Server;
let url: string;
let handler: HttpHandler;
let storage = { restarting: false, crashes: 0 };
const errors: unknown[] = [];

beforeAll(async () => {
  server = createServer(
    gatewayListener({
      handlers: { ingest: { handler: (event, context) => handler(event, context), timeoutSeconds: 10 } },
      dev: {},
      onError: (error) => errors.push(error),
      storage: () => storage,
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  storage = { restarting: false, crashes: 0 };
  errors.length = 0;
});

async function post(): Promise<{ status: number; retryAfter: string | null; body: any; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${url}/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: '{}' });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json(), ms: Date.now() - started };
}

describe('the local gateway', () => {
  it("passes a function's own 503 with Retry-After as it is, without waiting to see whether a restart spanned it", async () => {
    const answer = { error: 'the storage is unavailable for now: send the same request again after 2 s' };
    handler = async () => ({ statusCode: 503, headers: { 'content-type': 'application/json', 'retry-after': String(RETRY_AFTER_SECONDS) }, body: JSON.stringify(answer) });
    const out = await post();
    expect({ status: out.status, retryAfter: out.retryAfter, body: out.body }).toEqual({ status: 503, retryAfter: String(RETRY_AFTER_SECONDS), body: answer });
    // The restart check waits up to 2 s for a crash it might not have seen yet; this answer needs none.
    expect(out.ms).toBeLessThan(1500);
  });

  it('answers 503 with Retry-After for a function that failed because DynamoDB Local crashed under it', async () => {
    handler = async () => {
      storage = { restarting: true, crashes: 1 };
      throw new Error('connect ECONNREFUSED');
    };
    const out = await post();
    expect({ status: out.status, retryAfter: out.retryAfter }).toEqual({ status: 503, retryAfter: String(RETRY_AFTER_SECONDS) });
    expect(out.body.message).toMatch(/restarting/);
    expect(errors).toEqual([]);
  });

  it('answers 500 for a function that failed with no restart in its span', async () => {
    handler = async () => {
      throw new TypeError('a defect');
    };
    const out = await post();
    expect({ status: out.status, retryAfter: out.retryAfter }).toEqual({ status: 500, retryAfter: null });
    expect(errors).toEqual([expect.objectContaining({ message: 'a defect' })]);
  }, 10_000);

  it('sends a base64 body as its bytes, so a gzipped answer reaches the client as gzip (curl --compressed)', async () => {
    const answer = { rows: Array.from({ length: 2000 }, (_, i) => ({ department: `440305-D${i}`, 名称: '气象证明出具' })) };
    handler = async (event) => encodedFor(json(200, answer), (event as { headers: Record<string, string> }).headers['accept-encoding']);
    // Raw, as curl --compressed reads it: the gzip bytes with their Content-Encoding.
    const raw = await new Promise<{ status: number; encoding: string | undefined; bytes: Buffer }>((resolve, reject) => {
      const req = request(`${url}/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json', 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, encoding: res.headers['content-encoding'], bytes: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect({ status: raw.status, encoding: raw.encoding }).toEqual({ status: 200, encoding: 'gzip' });
    expect(JSON.parse(gunzipSync(raw.bytes).toString('utf8'))).toEqual(answer);
    // fetch asks for gzip itself and unzips it.
    const res = await fetch(`${url}/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: '{}' });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(await res.json()).toEqual(answer);
  });
});
