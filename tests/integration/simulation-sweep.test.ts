/**
 * 沙盘推演: nothing accepted is lost. A simulation stored by POST /simulations whose slices were never queued
 * (the request stopped in between — a timeout, a crash, a failed send — and its client did not retry with an
 * Idempotency-Key) shows `pending`, and the simulation sweep queues it once it is older than the grace
 * period: it finishes, each slice counted once, and later runs queue it no more. A simulation its post
 * queued is left alone. The stranded job is written with the API's own store (the write that precedes the
 * lost send), into the runtime's DynamoDB Local.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { simulationSliceEvent } from '#contract/internal';
import { STALL_MS } from '#simulation/domain/stall';
import { toMessageBody } from '#util/message-body';
import { devKey, signedHeaders } from '#auth/signature';
import { localTableName } from '#local/provision';
import { parseRequest } from '#simulation/domain/request';
import type { SimulationJob } from '#simulation/ports';
import { ROOT, startLocal, withQueueClient, type Running } from '#support/runtime';
import { env } from '#topology';
import { FROM, quickDraft, TO } from './simulation-fixtures';

const AUDITOR = '/auditors/district';

let rt: Running;
let store: typeof import('#simulation/store')['simulationStore'];
const saved = { ...process.env };

beforeAll(async () => {
  rt = await startLocal();
  const { endpoint } = (await rt.dev('GET', '/_dev/dynamo')).body as { endpoint: string };
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    [env.table('simulations')]: localTableName('simulations'),
  });
  // After the environment: the SDK client reads the endpoint when the module loads.
  store = (await import('#simulation/store')).simulationStore;
}, 120_000);
afterAll(async () => {
  await rt?.dev('POST', '/_dev/clock', { reset: true });
  await rt?.stop();
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
});

const draft = (itemCode: string) => quickDraft(itemCode, '扫');

async function sweep(): Promise<{ requeued: number; failed: number; deferred: number; orphaned: number }> {
  const out = await rt.dev('POST', '/_dev/schedules/simulation-sweep');
  expect(out.status).toBe(200);
  return out.body.result;
}

async function view(simulationId: string): Promise<any> {
  const out = await rt.get(`/simulations/${encodeURIComponent(simulationId)}`);
  expect(out.status).toBe(200);
  return out.body;
}

async function finished(simulationId: string): Promise<any> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const out = await view(simulationId);
    if (out.status === 'done') return out;
    if (Date.now() > deadline) throw new Error(`simulation not done: ${out.status} ${JSON.stringify(out.progress)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The runtime's log lines (JSON) with this message, for one simulation. */
function logLines(message: string, simulationId: string): Record<string, unknown>[] {
  return readFileSync(rt.logFile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes(`"${message}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.simulationId === simulationId);
}

describe('the simulation sweep', () => {
  it('queues a simulation stored and never queued, once, after the grace period; it finishes', async () => {
    // A post that went through: queued by its own request.
    const raw = JSON.stringify({ draft: draft('SWEEP-OK-01'), from: FROM, to: TO });
    const posted = await fetch(`${rt.url}/simulations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signedHeaders(AUDITOR, devKey(AUDITOR), 'POST', '/simulations', raw) },
      body: raw,
    });
    expect(posted.status).toBe(202);
    const queuedId = ((await posted.json()) as { simulationId: string }).simulationId;

    // A post that stored its job and lost its send: the job as the API's store writes it, nothing queued.
    const parsed = parseRequest({ draft: draft('SWEEP-LOST-01'), from: FROM, to: TO });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const job: SimulationJob = { simulationId: 'sim-sweep-lost-1', request: parsed.request, requestedBy: AUDITOR, createdAt: (await rt.dev('GET', '/_dev/clock')).body.now, slices: 16 };
    await store.createJob(job);
    expect(await view(job.simulationId)).toMatchObject({ status: 'pending', progress: { slices: 16, slicesDone: 0 } });

    // Within the grace period its request might still queue it: the sweep leaves it.
    expect(await sweep()).toEqual({ requeued: 0, failed: 0, deferred: 0, orphaned: 0 });
    await rt.drain();
    expect(await view(job.simulationId)).toMatchObject({ status: 'pending', progress: { slicesDone: 0 } });

    await rt.dev('POST', '/_dev/clock', { advance: '3m' });
    expect(await sweep()).toEqual({ requeued: 1, failed: 0, deferred: 0, orphaned: 0 });
    expect((await finished(job.simulationId)).progress).toEqual({ slices: 16, slicesDone: 16, applicationsReplayed: 0 });
    expect((await finished(queuedId)).progress.slicesDone).toBe(16);

    // Later runs find nothing to queue; each slice ran and was stored once.
    await rt.dev('POST', '/_dev/clock', { advance: '10m' });
    expect(await sweep()).toEqual({ requeued: 0, failed: 0, deferred: 0, orphaned: 0 });
    await rt.drain();
    expect(logLines('simulation queued again', job.simulationId)).toHaveLength(1);
    expect(logLines('simulation queued again', queuedId)).toHaveLength(0);
    const slices = logLines('simulation slice', job.simulationId);
    expect(slices.filter((l) => l.stored === true).map((l) => l.shard).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(slices).toHaveLength(16);
  }, 240_000);

  it('shows a simulation whose slices all went to the DLQ as stalled, and finishes it once they are redriven', async () => {
    // A post that went through, whose slices then failed every delivery: the job queued, its slices in the
    // simulation queue's DLQ, as maxReceiveCount failed receives leave them.
    const parsed = parseRequest({ draft: draft('SWEEP-DLQ-01'), from: FROM, to: TO });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const createdAt = (await rt.dev('GET', '/_dev/clock')).body.now as string;
    const job: SimulationJob = { simulationId: 'sim-stalled-1', request: parsed.request, requestedBy: AUDITOR, createdAt, slices: 16 };
    await store.createJob(job);
    await store.markJobQueued(job, createdAt);
    await withQueueClient(rt, 'simulation', async (client, _queueUrl, dlqUrl) => {
      const events = Array.from({ length: 16 }, (_, shard) => simulationSliceEvent({ simulationId: job.simulationId, shard }, createdAt));
      for (let i = 0; i < events.length; i += 10) {
        const Entries = events.slice(i, i + 10).map((e, n) => ({ Id: String(n), MessageBody: toMessageBody(e), MessageAttributes: { type: { DataType: 'String', StringValue: e.type } } }));
        const out = await client.send(new SendMessageBatchCommand({ QueueUrl: dlqUrl, Entries }));
        expect(out.Failed ?? []).toEqual([]);
      }
    });
    expect(await view(job.simulationId)).toMatchObject({ status: 'running', progress: { slices: 16, slicesDone: 0 } });
    // Nothing moves it: past the stall limit it is shown stalled (and the sweep leaves it: it was queued).
    await rt.dev('POST', '/_dev/clock', { advance: `${Math.ceil(STALL_MS / 60_000) + 1}m` });
    expect(await view(job.simulationId)).toMatchObject({ status: 'stalled', progress: { slices: 16, slicesDone: 0 } });
    expect(await sweep()).toEqual({ requeued: 0, failed: 0, deferred: 0, orphaned: 0 });

    // The operator's redrive (docs/operations.md): the slices run, the job moves again and ends done.
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/redrive.ts', 'simulation', '--url', rt.url], { cwd: ROOT });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ queue: 'simulation', moved: 16 });
    expect((await finished(job.simulationId)).progress).toEqual({ slices: 16, slicesDone: 16, applicationsReplayed: 0 });
  }, 240_000);
});
