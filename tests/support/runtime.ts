/**
 * Starts the real local runtime (`npm start`'s program) as a child process and talks to it over
 * loopback HTTP, exactly as an upstream system or an auditor would.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { devKey, signedHeaders } from '#auth/signature';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface Running {
  readonly url: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  /**
   * Posts like a real upstream system: a 5xx is retried with the same body (same ids, so nothing is
   * accepted twice) after a bounded backoff, honouring Retry-After; `retries: 0` returns the first answer.
   */
  post(payload: unknown, opts?: { as?: string; key?: string; contentType?: string; rawBody?: string | Buffer; retries?: number }): Promise<{ status: number; body: any }>;
  get(path: string, opts?: { as?: string }): Promise<{ status: number; body: any }>;
  dev(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }>;
  drain(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Log folders of this file's runtimes, settled when the file ends (a runtime stopped mid-test may hold the
 * evidence of a later failure): kept when a test failed, removed otherwise.
 */
const logDirs = new Map<string, ChildProcess>();
let fileEnded = false;

function settleLog(logDir: string): void {
  logDirs.delete(logDir);
  // Set by tests/support/environment.js when a test or hook of this file failed.
  if ((globalThis as { __civicflowFailed?: boolean }).__civicflowFailed) {
    process.stderr.write(`\nthe runtime's log, kept because a test of this file failed: ${join(logDir, 'runtime.log')}\n`);
  } else rmSync(logDir, { recursive: true, force: true });
}

// Runtimes already ended (stopped or killed) are settled now; one still running, when it stops.
afterAll(() => {
  fileEnded = true;
  for (const [dir, child] of logDirs) if (child.exitCode !== null || child.signalCode !== null) settleLog(dir);
});

export interface StartOptions {
  readonly dataDir?: string;
  readonly retryDelaySeconds?: number;
  readonly env?: Record<string, string>;
}

/** A connection the server closed while the request was on its way (a kept-alive socket timed out). */
function isConnectionReset(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } })?.cause?.code;
  return error instanceof TypeError && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET');
}

/** fetch, sent once more on a fresh connection when the first one was reset. */
async function fetchAgainOnReset(input: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(input, init);
  } catch (error) {
    if (!isConnectionReset(error)) throw error;
    return fetch(input, init);
  }
}

export async function startLocal(options: StartOptions = {}): Promise<Running> {
  const logDir = mkdtempSync(join(tmpdir(), 'civicflow-log-'));
  const logFile = join(logDir, 'runtime.log');
  // CIVICFLOW_RUNTIME_NODE_ARGS: extra Node flags for the runtime process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const nodeArgs = (process.env.CIVICFLOW_RUNTIME_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const args = [...nodeArgs, '--import', 'tsx', 'local/main.ts', '--port', '0', '--json', '--no-timers', '--retry-delay', String(options.retryDelaySeconds ?? 1)];
  if (options.dataDir) args.push('--data', options.dataDir);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'INFO', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile);
  child.stderr!.pipe(log);
  logDirs.set(logDir, child);
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`runtime did not start in 90 s; log: ${logFile}`)), 90_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('{"url"')) {
        clearTimeout(timer);
        resolveUrl((JSON.parse(line) as { url: string }).url);
      } else log.write(line + '\n');
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`runtime exited with ${code} (log: ${logFile}): ${safeRead(logFile).slice(-3000)}`));
    });
  });

  async function call(method: string, path: string, headers: Record<string, string>, body?: string | Buffer) {
    // A read is sent again when the runtime closed a kept-alive connection under it, as any HTTP client does.
    const res = method === 'GET' ? await fetchAgainOnReset(url + path, { method, headers }) : await fetch(url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* keep text */
    }
    return { status: res.status, body: parsed as any };
  }

  const running: Running = {
    url,
    logFile,
    child,
    async post(payload, opts = {}) {
      const batch = Array.isArray(payload);
      const as = opts.as ?? (batch ? (payload as Array<{ source: string }>)[0]!.source : (payload as { source: string }).source);
      const body = opts.rawBody ?? JSON.stringify(payload);
      const contentType = opts.contentType ?? (batch ? 'application/cloudevents-batch+json' : 'application/cloudevents+json');
      const retries = opts.retries ?? POST_RETRIES;
      for (let attempt = 0; ; attempt++) {
        // Signed again on every attempt: a signature is valid for 5 minutes only.
        const headers = { 'content-type': contentType, ...signedHeaders(as, opts.key ?? devKey(as), 'POST', '/events', body) };
        // Posting an event again is safe: the front door keeps each (source, id) once.
        const res = await fetchAgainOnReset(url + '/events', { method: 'POST', headers, body });
        if (res.status >= 500 && attempt < retries) {
          await res.arrayBuffer();
          await new Promise((r) => setTimeout(r, retryDelayMs(attempt, res.headers.get('retry-after'))));
          continue;
        }
        const text = await res.text();
        try {
          return { status: res.status, body: JSON.parse(text) };
        } catch {
          return { status: res.status, body: text };
        }
      }
    },
    async get(path, opts = {}) {
      const as = opts.as ?? '/auditors/district';
      return call('GET', path, signedHeaders(as, devKey(as), 'GET', path, ''));
    },
    async dev(method, path, body) {
      return call(method, path, { 'content-type': 'application/json' }, body === undefined ? undefined : JSON.stringify(body));
    },
    async drain(timeoutMs = 60_000) {
      const out = await call('POST', `/_dev/drain?timeoutMs=${timeoutMs}`, {});
      if (out.status !== 200) throw new Error(`queues did not drain: ${JSON.stringify(out.body)}`);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      if (fileEnded && logDirs.has(logDir)) settleLog(logDir);
    },
  };
  return running;
}

/**
 * The local runtime of a test file, on the dev clock: started before the file's first test with the clock set
 * to `clock` (without one, it runs on the real time until a test sets it); after its last, the pollers let go
 * (should a test have held them and failed), the clock reset and the runtime stopped. What it returns stands
 * for the runtime from then on, so a file reads `rt.post(…)` as with its own `startLocal`; a call before the
 * start throws.
 *
 *   const rt = useLocal('2026-11-05T06:30:00.000Z');  // at the top of the file, where beforeAll would stand
 *   const rt = useLocal({ env: UPWARD_ENV });          // the real time, with options
 */
export function useLocal(options?: StartOptions): Running;
export function useLocal(clock: string, options?: StartOptions): Running;
export function useLocal(clockOrOptions: string | StartOptions = {}, more: StartOptions = {}): Running {
  const clock = typeof clockOrOptions === 'string' ? clockOrOptions : undefined;
  const options = typeof clockOrOptions === 'string' ? more : clockOrOptions;
  let started: Running | undefined;
  beforeAll(async () => {
    started = await startLocal(options);
    if (clock !== undefined) expect((await started.dev('POST', '/_dev/clock', { set: clock })).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await started?.dev('POST', '/_dev/pollers', { paused: false }).catch(() => undefined);
    await started?.dev('POST', '/_dev/clock', { reset: true }).catch(() => undefined);
    await started?.stop();
  });
  const now = (): Running => {
    if (!started) throw new Error('the local runtime was used before beforeAll started it');
    return started;
  };
  return {
    get url() {
      return now().url;
    },
    get logFile() {
      return now().logFile;
    },
    get child() {
      return now().child;
    },
    post: (payload, opts) => now().post(payload, opts),
    get: (path, opts) => now().get(path, opts),
    dev: (method, path, body) => now().dev(method, path, body),
    drain: (timeoutMs) => now().drain(timeoutMs),
    stop: () => now().stop(),
  };
}

/** Retries of a post answered 5xx, and the backoff: 0.25, 0.5, 1, 2 s (about 4 s in all), or Retry-After up to 5 s. */
const POST_RETRIES = 4;
function retryDelayMs(attempt: number, retryAfter: string | null): number {
  const asked = retryAfter === null ? NaN : Number(retryAfter) * 1000;
  return Number.isFinite(asked) && asked >= 0 ? Math.min(asked, 5000) : 250 * 2 ** attempt;
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Posts with the queue pollers held, so what was posted waits in `queue` (a backlog) while `whileQueued` runs,
 * e.g. the dev clock moved past a deadline and a schedule fired; then lets the pollers go and drains. The dev
 * clock reads `receivedAt` when `post` runs and `processAt` from before `whileQueued` on: the front door stamps
 * the first, the consumer works at the second. The pollers are let go even when a step throws.
 */
export async function postHeldInQueue(
  rt: Running,
  queue: string,
  times: { readonly receivedAt: string; readonly processAt: string },
  post: () => Promise<void>,
  whileQueued: () => Promise<void>,
): Promise<void> {
  await rt.dev('POST', '/_dev/clock', { set: times.receivedAt });
  expect((await rt.dev('POST', '/_dev/pollers', { paused: true })).body).toEqual({ paused: true });
  try {
    const visible = async () => (await rt.dev('GET', '/_dev/queues')).body[queue].visible as number;
    const before = await visible();
    await post();
    // At most 10 s for the message to show as visible in the queue: queued, unread.
    for (let i = 0; i < 200 && (await visible()) <= before; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await visible()).toBeGreaterThan(before);
    await rt.dev('POST', '/_dev/clock', { set: times.processAt });
    await whileQueued();
  } finally {
    expect((await rt.dev('POST', '/_dev/pollers', { paused: false })).body).toEqual({ paused: false });
  }
  await rt.drain();
}

/**
 * Puts an event on one of the runtime's queues as a redelivery would find it there (the edge accepted it once
 * already), with the attributes the front door sets, then drains. `body` is what the message carries when it
 * is not the event itself (e.g. the event with the front door's `receivedat`).
 */
export async function redeliver(rt: Running, queue: string, event: { readonly type: string; readonly source: string }, body: unknown = event): Promise<void> {
  await withQueueClient(rt, queue, (client, QueueUrl) =>
    client.send(new SendMessageCommand({
      QueueUrl,
      MessageBody: JSON.stringify(body),
      MessageAttributes: { type: { DataType: 'String', StringValue: event.type }, source: { DataType: 'String', StringValue: event.source } },
    })),
  );
  await rt.drain();
}

/**
 * Takes the queued copy of event `id` off `queue` (the pollers held), as if it had never been sent: the state a
 * post leaves when it recorded the event and failed before queueing it. Other messages it reads stay hidden
 * for a minute, so hold only this one in the queue.
 */
export async function dropQueued(rt: Running, queue: string, id: string): Promise<void> {
  await withQueueClient(rt, queue, async (client, QueueUrl) => {
    for (let i = 0; i < 20; i++) {
      const out = await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60 }));
      for (const m of out.Messages ?? []) {
        if ((JSON.parse(m.Body ?? '{}') as { id?: string }).id !== id) continue;
        await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
        return;
      }
    }
    throw new Error(`event ${id} never showed in the ${queue} queue`);
  });
}

/**
 * An SQS client on the runtime's stand-in (fauxqs), with `queue`'s URL and its DLQ's, for `use`; the client
 * closed after, even when `use` throws. For a test that puts on a queue what the runtime itself would not:
 *
 *   await withQueueClient(rt, 'review', (client, QueueUrl) => client.send(new SendMessageCommand({ QueueUrl, MessageBody })));
 */
export async function withQueueClient<T>(rt: Running, queue: string, use: (client: SQSClient, queueUrl: string, dlqUrl: string) => Promise<T>): Promise<T> {
  const sqs = (await rt.dev('GET', '/_dev/sqs')).body;
  const urls = sqs.queues[queue] as { url: string; dlqUrl: string } | undefined;
  if (!urls) throw new Error(`the runtime has no queue ${queue} (it has ${Object.keys(sqs.queues).join(', ')})`);
  const client = new SQSClient({ endpoint: sqs.endpoint, region: sqs.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, useQueueUrlAsEndpoint: false });
  try {
    return await use(client, urls.url, urls.dlqUrl);
  } finally {
    client.destroy();
  }
}

/** A sample event from events/samples, parsed. */
export function sample(type: string, name: string): any {
  return JSON.parse(readFileSync(join(ROOT, 'events/samples', type, `${name}.json`), 'utf8'));
}

/** DynamoDB Local (a Java child of the runtime) outlives a SIGKILLed runtime: end the one on `dataDir` by its pid. */
export function killStandIns(dataDir: string): void {
  const lines = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n');
  for (const line of lines) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (m && m[2]!.includes('java') && m[2]!.includes(dataDir)) {
      try {
        process.kill(Number(m[1]), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}
