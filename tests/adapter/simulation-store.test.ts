/**
 * The simulations table's Idempotency-Key records against DynamoDB Local (shared/simulation/store.ts): a key's
 * record is written with its job or not at all, concurrent first requests store one job, an expired record
 * is replaced (while the table's TTL, which reads the wall clock, keeps it), and a slice's tally is found stored.
 */
import { expiresAtOf, type KeyRecord } from '#simulation/domain/idempotency';
import type { SimulationJob, SimulationStore } from '#simulation/ports';
import { useTestDynamo } from '#support/dynamo';
import { posterItem } from '../unit/approval/fixtures';

const db = useTestDynamo();
let store: SimulationStore;
beforeAll(async () => {
  store = (await import('#simulation/store')).simulationStore;
});

// Days before the machine's clock (2026-12-07 when written): as a local runtime's clock set back.
const NOW = '2026-12-01T02:00:00.000Z';
const job = (simulationId: string, createdAt = NOW): SimulationJob => ({
  simulationId,
  request: { draft: { ...posterItem, itemCode: 'KEY-STORE', version: 2 }, from: '2026-09-01T00:00:00+08:00', to: '2026-12-01T00:00:00+08:00' },
  requestedBy: '/auditors/district',
  createdAt,
  slices: 16,
});
const record = (keyId: string, simulationId: string, createdAt = NOW): KeyRecord => ({
  keyId,
  principal: '/auditors/district',
  simulationId,
  requestHash: 'h-1',
  createdAt,
  expiresAt: expiresAtOf(createdAt),
  queued: false,
});

describe('Idempotency-Key records in the simulations table', () => {
  it('stores the key with its job; a second first request finds the record and stores no job', async () => {
    expect(await store.createKeyedJob(job('sim-k1-a'), record('k1', 'sim-k1-a'))).toEqual({ created: true });
    expect(await store.createKeyedJob(job('sim-k1-b'), record('k1', 'sim-k1-b'))).toEqual({ created: false, existing: record('k1', 'sim-k1-a') });
    expect(await store.loadJob('sim-k1-a')).toEqual(job('sim-k1-a'));
    expect(await store.loadJob('sim-k1-b')).toBeUndefined();
    // The TTL attribute is never sooner than 24 h of the wall clock: DynamoDB (Local too) removes by it, and
    // this test's clock, like a local runtime's set back, is days behind (the record would be gone at once).
    const stored = await db().get('simulations', { pk: 'KEY#k1', sk: 'KEY' });
    expect(stored).toMatchObject({ expiresAt: expiresAtOf(NOW), simulationId: 'sim-k1-a' });
    expect(stored!.purgeAt).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 24 * 3600 - 60);
  });

  it('stores one job of many concurrent first requests with one key, each answered with its record', async () => {
    const ids = Array.from({ length: 6 }, (_, i) => `sim-k2-${i}`);
    const results = await Promise.all(ids.map((id) => store.createKeyedJob(job(id), record('k2', id))));
    const winners = ids.filter((_, i) => results[i]!.created);
    expect(winners).toHaveLength(1);
    for (const r of results) if (!r.created) expect(r.existing.simulationId).toBe(winners[0]);
    const jobs = await Promise.all(ids.map((id) => store.loadJob(id)));
    expect(jobs.filter((j) => j !== undefined).map((j) => j!.simulationId)).toEqual(winners);
  });

  it('marks a record queued', async () => {
    await store.createKeyedJob(job('sim-k3'), record('k3', 'sim-k3'));
    await store.markQueued('k3');
    expect(await store.loadKey('k3')).toEqual({ ...record('k3', 'sim-k3'), queued: true });
    // A record the TTL removed is not made again as a partial one.
    await store.markQueued('k-none');
    expect(await store.loadKey('k-none')).toBeUndefined();
  });

  it('replaces a record past its expiry, whether or not the TTL removed it yet', async () => {
    await store.createKeyedJob(job('sim-k4-a'), record('k4', 'sim-k4-a'));
    const dayLater = new Date(Date.parse(NOW) + 24 * 3600 * 1000).toISOString();
    expect(await store.createKeyedJob(job('sim-k4-b', dayLater), record('k4', 'sim-k4-b', dayLater))).toEqual({ created: true });
    expect((await store.loadKey('k4'))?.simulationId).toBe('sim-k4-b');
  });

  it('tells whether a slice is stored', async () => {
    await store.createJob(job('sim-s1'));
    expect(await store.hasSlice('sim-s1', 3)).toBe(false);
    expect(await store.putSlice('sim-s1', 3, { replayed: 0 } as never, NOW)).toBe(true);
    expect(await store.hasSlice('sim-s1', 3)).toBe(true);
    expect(await store.hasSlice('sim-s1', 4)).toBe(false);
  });
});

describe('jobs stored and not queued (the sweep\'s list)', () => {
  // Before every other job of this file: the table's one list of pending jobs is shared by its tests.
  const T = (minute: number) => new Date(Date.parse('2025-01-01T00:00:00.000Z') + minute * 60_000).toISOString();

  it('lists a job as pending from its creation, by creation time, until it is marked queued', async () => {
    await store.createJob(job('sim-p1', T(0)));
    await store.createKeyedJob(job('sim-p2', T(5)), record('kp', 'sim-p2', T(5)));
    await store.createJob(job('sim-p3', T(10)));
    expect(await store.pendingJobs(T(5))).toEqual([
      { simulationId: 'sim-p1', createdAt: T(0) },
      { simulationId: 'sim-p2', createdAt: T(5) },
    ]);
    expect((await store.load('sim-p1'))?.queued).toBe(false);
    expect(await store.isJobQueued('sim-p1')).toBe(false);
    await store.markJobQueued(job('sim-p1', T(0)));
    await store.markJobQueued(job('sim-p1', T(0)));
    expect((await store.pendingJobs(T(10))).map((p) => p.simulationId)).toEqual(['sim-p2', 'sim-p3']);
    expect((await store.load('sim-p1'))?.queued).toBe(true);
    expect(await store.isJobQueued('sim-p1')).toBe(true);
    expect(await store.isJobQueued('sim-none')).toBe(false);
    expect(await store.loadJob('sim-p1')).toEqual(job('sim-p1', T(0)));
    expect((await store.load('sim-p2'))?.queued).toBe(false);
  });

  it('stores a job once, with one entry, and marks no job that is not there', async () => {
    await expect(store.createJob(job('sim-p3', T(10)))).rejects.toThrow('simulation sim-p3 exists');
    expect((await db().partition('simulations', 'PENDING')).filter((i) => i.simulationId === 'sim-p3')).toHaveLength(1);
    await store.markJobQueued(job('sim-none', T(1)));
    expect(await db().get('simulations', { pk: 'SIM#sim-none', sk: 'JOB' })).toBeUndefined();
  });

  it('shows a job stored before the sweep existed (no pending attribute) as queued', async () => {
    const { gzipSync } = await import('node:zlib');
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const old = job('sim-old', T(20));
    await db().doc.send(new PutCommand({ TableName: db().tables.simulations, Item: { pk: 'SIM#sim-old', sk: 'JOB', kind: 'job', createdAt: old.createdAt, bodyGz: gzipSync(JSON.stringify(old)) } }));
    expect((await store.load('sim-old'))?.queued).toBe(true);
  });
});
