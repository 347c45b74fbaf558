/**
 * `POST /_dev/pollers` through the local runtime: while the pollers are held an event posted stays in its
 * queue (a test can queue work and be sure no consumer has taken it, e.g. before it stops the storage), once
 * they are let go it is consumed; `POST /_dev/drain` answers 409 meanwhile instead of waiting for nothing; an
 * outage of DynamoDB Local and its end (the supervisor's restart of the pollers' ramp) do not let them go.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killStandIns, sample, startLocal, type Running } from '#support/runtime';

let rt: Running;
let dataDir: string;

beforeAll(async () => {
  // A data folder: POST /_dev/faults/dynamo needs one.
  dataDir = mkdtempSync(join(tmpdir(), 'civicflow-dev-pollers-'));
  rt = await startLocal({ dataDir });
}, 120_000);
afterAll(async () => {
  await rt?.dev('POST', '/_dev/pollers', { paused: false }).catch(() => undefined);
  await rt?.stop();
  killStandIns(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
});

let seq = 0;
/** A catalogue item with a fresh event id: it goes to the registry queue. */
function item(): any {
  const base = sample('gov.catalog.item.published', 'weather-certificate');
  return { ...base, id: `${base.id}-pollers-${++seq}` };
}

const registry = async (): Promise<{ visible: number; inFlight: number; delayed: number; dlq: number }> => (await rt.dev('GET', '/_dev/queues')).body.registry;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (at most 10 s) until the registry queue shows `n` messages visible. */
async function untilVisible(n: number): Promise<void> {
  for (let i = 0; i < 200 && (await registry()).visible < n; i++) await sleep(50);
  expect((await registry()).visible).toBe(n);
}

/**
 * The held queue keeps its `n` messages visible, none received, for 3 s: the pollers' long polls last 1 s,
 * and a held poller that received anyway would show it in flight or take it away.
 */
async function staysQueued(n: number): Promise<void> {
  const until = Date.now() + 3000;
  while (Date.now() < until) {
    expect(await registry()).toMatchObject({ visible: n, inFlight: 0 });
    await sleep(100);
  }
}

describe('POST /_dev/pollers', () => {
  it('holds the consumers: a posted event stays queued, drain answers 409, and it is consumed once they are let go', async () => {
    await rt.drain();
    expect((await rt.dev('GET', '/_dev/pollers')).body).toEqual({ paused: false });
    expect(await rt.dev('POST', '/_dev/pollers', { paused: true })).toEqual({ status: 200, body: { paused: true } });
    expect((await rt.dev('GET', '/_dev/pollers')).body).toEqual({ paused: true });

    expect((await rt.post(item())).status).toBe(202);
    await untilVisible(1);
    await staysQueued(1);

    const drain = await rt.dev('POST', '/_dev/drain?timeoutMs=600000');
    expect(drain.status).toBe(409);
    expect(drain.body.error).toMatch(/the pollers are paused.*POST \/_dev\/pollers \{"paused": false\}/);
    expect(drain.body.queues.registry.visible).toBe(1);

    expect(await rt.dev('POST', '/_dev/pollers', { paused: false })).toEqual({ status: 200, body: { paused: false } });
    await rt.drain();
    expect(await registry()).toEqual({ visible: 0, inFlight: 0, delayed: 0, dlq: 0 });
    expect(readFileSyncSafe(rt.logFile)).toMatch(/\[pollers\] paused[\s\S]*\[pollers\] resumed/);
  }, 60_000);

  it('stays held through an outage of DynamoDB Local and its end', async () => {
    expect((await rt.dev('POST', '/_dev/pollers', { paused: true })).body).toEqual({ paused: true });
    expect((await rt.post(item())).status).toBe(202);
    await untilVisible(1);
    expect((await rt.dev('POST', '/_dev/faults/dynamo', { down: true })).body).toEqual({ dynamoDown: true });
    expect((await rt.dev('POST', '/_dev/faults/dynamo', { down: false })).body).toEqual({ dynamoDown: false });
    expect((await rt.dev('GET', '/_dev/pollers')).body).toEqual({ paused: true });
    await staysQueued(1);

    expect((await rt.dev('POST', '/_dev/pollers', { paused: false })).body).toEqual({ paused: false });
    await rt.drain();
    expect(await registry()).toEqual({ visible: 0, inFlight: 0, delayed: 0, dlq: 0 });
  }, 90_000);

  it('answers 400 naming the field for a bad body, and changes nothing', async () => {
    const missing = await rt.dev('POST', '/_dev/pollers', {});
    expect(missing).toEqual({ status: 400, body: { error: 'paused: give true or false' } });
    const unknown = await rt.dev('POST', '/_dev/pollers', { pause: true });
    expect(unknown).toEqual({ status: 400, body: { error: 'pause: not a field of this route; it takes "paused"' } });
    expect((await rt.dev('POST', '/_dev/pollers', { paused: 'yes' })).body.error).toBe('paused: give true or false');
    expect((await rt.dev('GET', '/_dev/pollers')).body).toEqual({ paused: false });
  });
});

function readFileSyncSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
