/**
 * Nothing lost, nothing twice, proven through the local runtime on a data folder:
 *  1. a step before its 差评, in a batch: only it is retried, for a few receives, then it is refused with its
 *     receipt and never reaches the DLQ; a poison record (the same step during an outage of its table) reaches
 *     the DLQ after maxReceiveCount, the alarm shows, and after the fix `npm run redrive` brings it back and
 *     it takes effect exactly once;
 *  2. the runtime killed (SIGKILL) mid-batch and restarted on its data folder;
 *  3. DynamoDB Local down for a while: ingest answers 5xx for what it could not record, consumers retry;
 *  4. DynamoDB Local's JVM killed under load: the runtime restarts it, answering 503 with Retry-After meanwhile;
 * after each, every figure equals the one computed from the accepted events, and the outbound sink lists
 * each event id once.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { queues } from '#topology';
import { devKey, signedHeaders } from '#auth/signature';
import { killStandIns, ROOT, sample, startLocal, withQueueClient, type Running } from '#support/runtime';
import { CLOCK, batches, pool, postUntilAccepted, workload, type Workload } from './mixed-events';

const run = promisify(execFile);

let rt: Running;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'civicflow-reliability-'));
  rt = await start(1);
}, 120_000);
afterAll(async () => {
  // A runtime killed by the crash test and not restarted has nothing left to stop.
  if (rt && rt.child.exitCode === null && rt.child.signalCode === null) await rt.stop();
  killStandIns(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(retryDelaySeconds: number): Promise<Running> {
  const started = await startLocal({ dataDir, retryDelaySeconds });
  expect((await started.dev('POST', '/_dev/clock', { set: CLOCK })).status).toBe(200);
  return started;
}

function logRecords(file: string): any[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return null;
      }
    })
    .filter(Boolean);
}

async function postAll(events: readonly any[], concurrency = 2): Promise<void> {
  const results = await pool(batches(events), concurrency, (b) => postUntilAccepted((x) => rt.post(x), b));
  for (const r of results) expect({ status: r.status, rejected: r.body.rejected }).toEqual({ status: 202, rejected: [] });
}

async function reviewFigures(department: string): Promise<any> {
  const out = await rt.get(`/reviews/figures?dimension=department&key=${encodeURIComponent(department)}&period=2026-11`);
  expect(out.status).toBe(200);
  return out.body.figures;
}

/** Every figure the workload determines, read back through the query API. */
async function expectFigures(w: Workload): Promise<void> {
  const e = w.expected;
  const approvals = (await rt.get(`/approval/figures?itemCode=${e.itemCode}`)).body;
  expect({ decisions: approvals.decisions, approved: approvals.byOutcome.APPROVED, rejected: approvals.byOutcome.REJECTED }).toEqual({
    decisions: e.approved + e.rejected,
    approved: e.approved,
    rejected: e.rejected,
  });
  const reviews = await reviewFigures(e.department);
  expect({ completedCases: reviews.completedCases, realReviews: reviews.realReviews, byLevel: reviews.byLevel }).toEqual({
    completedCases: e.cases,
    realReviews: e.cases,
    byLevel: e.byLevel,
  });
  // Each approval opens one review case for the item's department: a decision made twice would open two.
  expect((await reviewFigures(e.itemDepartment)).completedCases).toBe(e.approved);
}

function expectEachIdOnce(): void {
  const lines = readFileSync(join(dataDir, 'outbound.ndjson'), 'utf8').split('\n').filter(Boolean);
  const ids = lines.map((l) => JSON.parse(l).event.id as string);
  expect(ids.length).toBeGreaterThan(0);
  expect(ids.length - new Set(ids).size).toBe(0);
}

/** Outbound events as written to the data folder (all runs), by distinct id. */
function outboundIds(type: string): Set<string> {
  const file = join(dataDir, 'outbound.ndjson');
  if (!existsSync(file)) return new Set();
  const ids = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l).event)
    .filter((e) => e.type === type)
    .map((e) => e.id as string);
  return new Set(ids);
}

describe('a poison record', () => {
  const caseId = 'REL-P1';
  const completedTemplate = sample('gov.case.completed', 'window-case');
  const done = (n: number) => ({
    ...completedTemplate,
    id: `rel-done-${n}`,
    data: { ...completedTemplate.data, caseId: `REL-P${n}`, departmentCode: 'REL-POISON', completedAt: '2026-11-02T09:00:00+08:00' },
  });
  const ack = sample('gov.rectification.updated', 'acknowledge');
  const stepOf = (id: string) => ({ ...ack, id, data: { ...ack.data, caseId, actor: { departmentCode: 'REL-POISON', staffId: 'S-0521' }, at: '2026-11-02T10:00:00+08:00' } });
  // A step for a case whose 差评 is not recorded: valid at the edge, retried by the review consumer for a
  // few receives in case the 差评 is on its way, then refused. Semantic, so never a poison.
  const early = stepOf('rel-ack-P1');
  // The same step once the 差评 is there, made a poison by an outage: it cannot be read or written.
  const poison = stepOf('rel-ack-P2');
  const failuresOf = (eventId: string) => logRecords(rt.logFile).filter((r) => r.message === 'record failed' && r.eventId === eventId);

  it('a step before its 差评 is retried alone for a few receives, then refused with its receipt, never dead-lettered', async () => {
    // One request, one SendMessageBatch: the step travels with the cases in the same receive.
    const out = await rt.post([done(1), done(2), early, done(3), done(4)]);
    expect(out).toEqual({ status: 202, body: { accepted: ['rel-done-1', 'rel-done-2', 'rel-ack-P1', 'rel-done-3', 'rel-done-4'], rejected: [] } });
    await rt.drain(60_000);

    expect((await rt.dev('GET', '/_dev/queues')).body.review).toEqual({ visible: 0, inFlight: 0, delayed: 0, dlq: 0 });
    expect((await reviewFigures('REL-POISON')).completedCases).toBe(4);
    expect(failuresOf('rel-ack-P1').map((r) => Number(r.receiveCount))).toEqual([1, 2]);
    const receipt = await rt.get(`/events/${encodeURIComponent(early.id)}/receipt?source=${encodeURIComponent(early.source)}`);
    expect(receipt).toMatchObject({ status: 200, body: { outcome: 'refused', kind: 'RECTIFICATION_UNKNOWN' } });
  }, 90_000);

  it('is retried alone, reaches the DLQ after maxReceiveCount and raises the alarm', async () => {
    // The 差评 that opens the rectification, so the step is one that can apply.
    const bad = sample('gov.review.submitted', 'bad-review');
    const review = {
      ...bad,
      id: 'rel-bad-P1',
      data: { ...bad.data, caseId, itemCode: completedTemplate.data.itemCode, departmentCode: 'REL-POISON', staffId: completedTemplate.data.staffId, reviewerId: completedTemplate.data.applicantId, submittedAt: '2026-11-02T09:30:00+08:00' },
    };
    expect((await rt.post(review)).status).toBe(202);
    await rt.drain();
    expect((await rt.get(`/rectifications/${caseId}`)).body.state).toBe('OPEN');

    // The outage: the review table cannot be read, so every receive of the step fails. The step is put on
    // the review queue as ingest would have queued it (ingest itself needs the tables).
    expect((await rt.dev('POST', '/_dev/faults/dynamo', { down: true })).body).toEqual({ dynamoDown: true });
    try {
      await withQueueClient(rt, 'review', (client, QueueUrl) => client.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(poison) })));
      let dlq = 0;
      for (let i = 0; i < 240 && dlq === 0; i++) {
        dlq = (await rt.dev('GET', '/_dev/queues')).body.review.dlq;
        if (dlq === 0) await new Promise((r) => setTimeout(r, 250));
      }
      expect((await rt.dev('GET', '/_dev/queues')).body.review).toEqual({ visible: 0, inFlight: 0, delayed: 0, dlq: 1 });
    } finally {
      expect((await rt.dev('POST', '/_dev/faults/dynamo', { down: false })).body).toEqual({ dynamoDown: false });
    }
    expect(failuresOf('rel-ack-P2').map((r) => Number(r.receiveCount))).toEqual(Array.from({ length: queues.review.maxReceiveCount }, (_, i) => i + 1));

    let alarms: any[] = [];
    for (let i = 0; i < 20 && alarms.length === 0; i++) {
      alarms = (await rt.dev('GET', '/_dev/alarms')).body.alarms.filter((a: any) => a.queue === 'review');
      if (alarms.length === 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(alarms).toEqual([expect.objectContaining({ queue: 'review', dlq: 1, message: expect.stringMatching(/npm run redrive -- review/) })]);
    expect(readFileSync(rt.logFile, 'utf8')).toMatch(/\[alarm\] DLQ civicflow-local-review-dlq holds 1 message/);
  }, 120_000);

  it('is redriven by `npm run redrive` after the fix and takes effect exactly once', async () => {
    // The fix (the table is back) was made above; the rectification is still as the 差评 opened it.
    expect((await rt.get(`/rectifications/${caseId}`)).body.state).toBe('OPEN');

    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/redrive.ts', 'review', '--url', rt.url], { cwd: ROOT });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ queue: 'review', moved: 1 });
    await rt.drain();

    const rect = (await rt.get(`/rectifications/${caseId}`)).body;
    expect(rect.state).toBe('IN_PROGRESS');
    expect(rect.history.map((h: any) => h.action)).toEqual(['open', 'acknowledge']);
    expect((await rt.dev('GET', '/_dev/queues')).body.review.dlq).toBe(0);
    const acknowledged = (await rt.dev('GET', `/_dev/outbound?type=gov.rectification.acknowledged&subject=${caseId}`)).body;
    expect(acknowledged.count).toBe(1);

    // Nothing left: a second redrive moves nothing, the same step posted again changes nothing.
    const again = await run(process.execPath, ['--import', 'tsx', 'scripts/redrive.ts', 'review', '--url', rt.url, '--max', '5'], { cwd: ROOT });
    expect(JSON.parse(again.stdout.trim().split('\n').pop()!)).toEqual({ queue: 'review', moved: 0 });
    expect((await rt.post(poison)).status).toBe(202);
    await rt.drain();
    expect((await rt.get(`/rectifications/${caseId}`)).body.history).toEqual(rect.history);
    const figures = await reviewFigures('REL-POISON');
    expect({ completed: figures.completedCases, real: figures.realReviews, negative: figures.negative }).toEqual({ completed: 4, real: 1, negative: 1 });
  }, 90_000);

  it('refuses an unknown queue name with the usage', async () => {
    await expect(run(process.execPath, ['--import', 'tsx', 'scripts/redrive.ts', 'no-such-queue', '--url', rt.url], { cwd: ROOT })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/usage: npm run redrive -- <queue>/),
    });
  }, 30_000);
});

describe('the runtime killed mid-batch and restarted on its data folder', () => {
  const w = workload('KILL', 400);

  it('processes every accepted event exactly once', async () => {
    expect((await rt.post(w.item)).status).toBe(202);
    await rt.drain();
    await postAll(w.events);
    // Crash while consumers are busy: some of the burst done, some in flight, some not yet received.
    let sawInFlight = false;
    for (let i = 0; i < 200 && !sawInFlight; i++) {
      const d = (await rt.dev('GET', '/_dev/queues')).body;
      sawInFlight = d.approval.inFlight > 0 && d.review.inFlight > 0;
      if (!sawInFlight) await new Promise((r) => setTimeout(r, 25));
    }
    expect(sawInFlight).toBe(true);
    const exited = new Promise((r) => rt.child.once('exit', r));
    rt.child.kill('SIGKILL');
    await exited;
    killStandIns(dataDir);

    rt = await start(4);
    expect(readFileSync(rt.logFile, 'utf8')).toMatch(/\[restart\] released \d+ message\(s\) left in flight/);
    await rt.drain(180_000);
    await expectFigures(w);
    const decided = outboundIds('gov.application.decided');
    expect([...decided].filter((id) => id.includes('KILL-A')).length).toBe(w.expected.approved + w.expected.rejected);
    // Outbox entries sent before the kill and not yet marked sent are sent again (at least once, same id);
    // the sink lists each id once, in memory and in outbound.ndjson.
    expectEachIdOnce();
    const depths = (await rt.dev('GET', '/_dev/queues')).body;
    for (const q of Object.keys(queues)) expect([q, depths[q].dlq]).toEqual([q, 0]);
  }, 240_000);
});

// Once lost a completed case of 90 (no DLQ entry, ingest had answered 202): the consumers shared one
// Powertools BatchProcessor per module, and the runtime's two pollers per queue run that module
// concurrently, so one invocation cleared the other's failures and a record that failed under the outage
// was reported as done and deleted. Pinned by tests/unit/platform/consumer.test.ts.
// The pollers are held (POST /_dev/pollers) while the first half is posted and DynamoDB Local stopped, and let
// go after: the outage then meets queued messages for certain. Without the hold it was a race: on a quiet
// machine the consumers could finish the first half before the fault was switched on, and no record failed.
describe('DynamoDB unavailable for a while', () => {
  const w = workload('DOWN', 300);

  it('answers 5xx for what it could not record, retries the rest, and loses and doubles nothing', async () => {
    expect((await rt.post(w.item)).status).toBe(202);
    await rt.drain();
    const all = batches(w.events);
    const first = all.slice(0, Math.ceil(all.length / 2));
    const second = all.slice(first.length);
    expect((await rt.dev('POST', '/_dev/pollers', { paused: true })).body).toEqual({ paused: true });
    for (const r of await pool(first, 2, (b) => postUntilAccepted((x) => rt.post(x), b))) expect(r.status).toBe(202);
    const queued = Object.values((await rt.dev('GET', '/_dev/queues')).body as Record<string, { visible: number }>).reduce((n, q) => n + q.visible, 0);
    expect(queued).toBeGreaterThan(0);

    // Down with the first half queued, none of it handled yet; then the consumers take it up.
    expect((await rt.dev('POST', '/_dev/faults/dynamo', { down: true })).body).toEqual({ dynamoDown: true });
    expect((await rt.dev('POST', '/_dev/pollers', { paused: false })).body).toEqual({ paused: false });
    // The first answer of each (no retry here): a client's retries would only stretch the outage, which under
    // a loaded machine outlasted the five receives a message may fail (4 s apart) and sent the first half's
    // messages to the DLQ. The retries come below, once storage is back.
    const refused = await pool(second, 2, (b) => rt.post(b, { retries: 0 }));
    expect(refused.map((r) => r.status).filter((s) => s < 500)).toEqual([]);
    const health = await rt.dev('GET', '/_dev/health');
    expect(health.body).toEqual({ ok: true });
    expect((await rt.dev('GET', '/_dev/dynamo')).body).toMatchObject({ mode: 'down' });
    expect((await rt.dev('POST', '/_dev/faults/dynamo', { down: false })).body).toEqual({ dynamoDown: false });

    // The upstream system retries what was refused.
    for (const r of await pool(second, 2, (b) => postUntilAccepted((x) => rt.post(x), b))) {
      expect({ status: r.status, rejected: r.body.rejected }).toEqual({ status: 202, rejected: [] });
    }
    await rt.drain(180_000);
    const depths = (await rt.dev('GET', '/_dev/queues')).body;
    for (const q of Object.keys(queues)) expect([q, depths[q].dlq]).toEqual([q, 0]);
    await expectFigures(w);
    const failed = logRecords(rt.logFile).filter((r) => r.message === 'record failed').length;
    // The outage was felt by the consumers (and survived), not skipped.
    expect(failed).toBeGreaterThan(0);
  }, 240_000);
});

describe('the outbound sink', () => {
  it('lists an event delivered again with the same id once, in memory and in outbound.ndjson', async () => {
    const listed = (await rt.dev('GET', '/_dev/outbound?type=gov.application.decided')).body.events;
    const again = listed[0];
    expect(again).toBeDefined();
    await withQueueClient(rt, 'outbound', async (client, QueueUrl) => {
      for (let i = 0; i < 2; i++) await client.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(again) }));
    });
    await rt.drain();
    await new Promise((r) => setTimeout(r, 1500)); // the sink's long poll
    // Through the queue, not around it: nothing waits and nothing went to its DLQ.
    expect((await rt.dev('GET', '/_dev/queues')).body.outbound).toMatchObject({ visible: 0, dlq: 0 });
    const now = (await rt.dev('GET', `/_dev/outbound?subject=${encodeURIComponent(again.subject)}`)).body.events;
    expect(now.filter((e: any) => e.id === again.id)).toHaveLength(1);
    expectEachIdOnce();
  }, 60_000);
});

/** Posts as an upstream system would: on 503 it waits as long as Retry-After says, then sends the same batch again. */
async function postHonouringRetryAfter(batch: any[], seen: Array<{ status: number; retryAfter: string | null }>): Promise<{ status: number; body: any }> {
  const body = JSON.stringify(batch);
  const source = batch[0].source as string;
  for (let attempt = 0; attempt < 60; attempt++) {
    const res = await fetch(`${rt.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json', ...signedHeaders(source, devKey(source), 'POST', '/events', body) },
      body,
    });
    const text = await res.text();
    if (res.status < 500) return { status: res.status, body: JSON.parse(text) };
    seen.push({ status: res.status, retryAfter: res.headers.get('retry-after') });
    await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
  }
  throw new Error('still refused after 60 tries');
}

describe("DynamoDB Local's JVM killed under load", () => {
  const w = workload('JVM', 300);

  it('is restarted on its port and data folder, answers 503 with Retry-After meanwhile, and loses nothing', async () => {
    expect((await rt.post(w.item)).status).toBe(202);
    await rt.drain();
    const all = batches(w.events);
    const first = all.slice(0, Math.ceil(all.length / 2));
    const second = all.slice(first.length);
    const refusals: Array<{ status: number; retryAfter: string | null }> = [];
    for (const r of await pool(first, 2, (b) => postHonouringRetryAfter(b, refusals))) expect(r.status).toBe(202);

    // Killed while the consumers are at work, then the second half arrives during the restart.
    const before = (await rt.dev('GET', '/_dev/dynamo')).body;
    expect(before).toMatchObject({ mode: 'up', crashes: 0 });
    process.kill(before.pid, 'SIGKILL');
    const during = await pool(second, 2, (b) => postHonouringRetryAfter(b, refusals));
    for (const r of during) expect({ status: r.status, rejected: r.body.rejected }).toEqual({ status: 202, rejected: [] });
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.map((r) => [r.status, r.retryAfter])).toEqual(refusals.map(() => [503, '2']));

    const after = (await rt.dev('GET', '/_dev/dynamo')).body;
    expect(after).toMatchObject({ mode: 'up', crashes: 1 });
    expect(after.pid).not.toBe(before.pid);
    await rt.drain(180_000);
    await expectFigures(w);
    const depths = (await rt.dev('GET', '/_dev/queues')).body;
    for (const q of Object.keys(queues)) expect([q, depths[q].dlq]).toEqual([q, 0]);
    const log = readFileSync(rt.logFile, 'utf8');
    expect(log).toMatch(/\[supervisor\] DynamoDB Local exited \(killed by SIGKILL\); restarting it on port \d+ and its data folder/);
    expect(log).toMatch(/\[supervisor\] DynamoDB Local is back/);
    expectEachIdOnce();
  }, 240_000);

  it('is brought back by POST /_dev/faults/dynamo {"down": false} when it died on its own', async () => {
    const before = (await rt.dev('GET', '/_dev/dynamo')).body;
    process.kill(before.pid, 'SIGKILL');
    expect((await rt.dev('POST', '/_dev/faults/dynamo', { down: false })).body).toEqual({ dynamoDown: false });
    expect((await rt.dev('GET', '/_dev/dynamo')).body).toMatchObject({ mode: 'up', crashes: before.crashes + 1 });
    expect((await rt.get(`/approval/figures?itemCode=${w.expected.itemCode}`)).status).toBe(200);
  }, 60_000);
});
