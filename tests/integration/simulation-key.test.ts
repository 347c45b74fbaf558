/**
 * 沙盘推演's Idempotency-Key through the local runtime: a client that posts POST /simulations again with its
 * key (a retry after a 503 or a timeout) gets the simulation its first request started, and no second job is
 * started — sequentially, or with the first requests racing; the key with another body is a 409; a bad key a
 * 400 naming the header; without a key every post starts its own simulation, as before. Jobs started are
 * counted from the runtime's log ("simulation started", one line per job stored and queued).
 */
import { readFileSync } from 'node:fs';
import { devKey, signedHeaders } from '#auth/signature';
import { useLocal } from '#support/runtime';
import { FROM, quickDraft, TO } from './simulation-fixtures';

const AUDITOR = '/auditors/district';

const rt = useLocal();

const draft = (itemCode: string, promisedDays?: number) => quickDraft(itemCode, '键', promisedDays);

async function postSimulation(body: unknown, key?: string): Promise<{ status: number; body: any; replayed: string | null }> {
  const raw = JSON.stringify(body);
  const res = await fetch(`${rt.url}/simulations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }), ...signedHeaders(AUDITOR, devKey(AUDITOR), 'POST', '/simulations', raw) },
    body: raw,
  });
  return { status: res.status, body: await res.json(), replayed: res.headers.get('idempotent-replayed') };
}

/** The simulations the runtime started (stored and queued), by id, from its log. */
function startedIds(): string[] {
  return readFileSync(rt.logFile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes('"simulation started"'))
    .map((l) => (JSON.parse(l) as { simulationId: string }).simulationId);
}

/** Waits for the log line of `simulationId`'s start (the log is written just after the answer). */
async function startsOf(simulationId: string): Promise<number> {
  const deadline = Date.now() + 5000;
  while (!startedIds().includes(simulationId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return startedIds().filter((id) => id === simulationId).length;
}

async function finished(simulationId: string): Promise<any> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const out = await rt.get(`/simulations/${encodeURIComponent(simulationId)}`);
    expect(out.status).toBe(200);
    if (out.body.status === 'done') return out.body;
    if (Date.now() > deadline) throw new Error(`simulation not done: ${JSON.stringify(out.body.progress)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('POST /simulations with an Idempotency-Key', () => {
  it('answers a repeat of the key with the same simulation and starts one job', async () => {
    const body = { draft: draft('KEY-SEQ-01'), from: FROM, to: TO };
    const first = await postSimulation(body, 'retry-7f3a1c');
    expect(first).toMatchObject({ status: 202, replayed: null });
    // The retry sends the same request, its fields in another order.
    const again = await postSimulation({ to: TO, from: FROM, draft: body.draft }, 'retry-7f3a1c');
    expect(again).toEqual({ status: 202, body: first.body, replayed: 'true' });
    expect(first.body.href).toBe(`/simulations/${first.body.simulationId}`);
    expect(await startsOf(first.body.simulationId)).toBe(1);
    expect((await finished(first.body.simulationId)).progress).toEqual({ slices: 16, slicesDone: 16, applicationsReplayed: 0 });
    expect(startedIds().filter((id) => id === first.body.simulationId)).toHaveLength(1);
  }, 180_000);

  it('refuses the key with another body (409), naming the header, and starts nothing', async () => {
    const first = await postSimulation({ draft: draft('KEY-CONFLICT-01'), from: FROM, to: TO }, 'conflict-1');
    expect(first.status).toBe(202);
    // Its start's log line comes just after the answer: counted before the baseline is taken, not after.
    expect(await startsOf(first.body.simulationId)).toBe(1);
    const before = startedIds().length;
    const other = await postSimulation({ draft: draft('KEY-CONFLICT-01', 2), from: FROM, to: TO }, 'conflict-1');
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ simulationId: first.body.simulationId, errors: [{ path: 'Idempotency-Key' }] });
    expect(other.body.error).toMatch(/Idempotency-Key/);
    await new Promise((r) => setTimeout(r, 500));
    expect(startedIds()).toHaveLength(before);
  }, 60_000);

  it('starts exactly one job for concurrent first requests with one key, each answered with its id', async () => {
    const body = { draft: draft('KEY-RACE-01'), from: FROM, to: TO };
    const answers = await Promise.all(Array.from({ length: 5 }, () => postSimulation(body, 'race-1')));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    const ids = new Set(answers.map((a) => a.body.simulationId));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.replayed === 'true')).toHaveLength(4);
    const [id] = [...ids] as [string];
    expect(await startsOf(id)).toBe(1);
    expect((await finished(id)).progress.slicesDone).toBe(16);
  }, 180_000);

  it('refuses a bad key with a 400 naming the header', async () => {
    for (const key of ['x'.repeat(129), 'two words', 'a,b']) {
      const out = await postSimulation({ draft: draft('KEY-BAD-01'), from: FROM, to: TO }, key);
      expect(out.status).toBe(400);
      expect(out.body.errors).toEqual([{ path: 'Idempotency-Key', message: expect.any(String) }]);
    }
  });

  it('without a key, starts a simulation on every post, as before (two identical ones may be meant)', async () => {
    const body = { draft: draft('KEY-NONE-01'), from: FROM, to: TO };
    const [a, b] = [await postSimulation(body), await postSimulation(body)];
    expect([a.status, b.status, a.replayed, b.replayed]).toEqual([202, 202, null, null]);
    expect(a.body.simulationId).not.toBe(b.body.simulationId);
    expect([await startsOf(a.body.simulationId), await startsOf(b.body.simulationId)]).toEqual([1, 1]);
  });
});
