/**
 * The simulations table's Idempotency-Key records against DynamoDB Local (shared/simulation/store.ts): a key's
 * record is written with its job or not at all, concurrent first requests store one job, an expired record
 * is replaced (while the table's TTL, which reads the wall clock, keeps it), and a slice's tally is found stored.
 * The jobs not queued yet are listed from every shard of their entries, and from the one partition the entries
 * had before they were sharded, until they are marked queued.
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
    expect(await store.loadJob('sim-k1-a')).toEqual({ job: job('sim-k1-a'), queued: false });
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
    expect(jobs.filter((j) => j !== undefined).map((j) => j!.job.simulationId)).toEqual(winners);
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

/** The pending entries as stored: the eight shards, and the one partition they had before. */
const PENDING_PARTITIONS = ['PENDING', ...Array.from({ length: 8 }, (_, n) => `PENDING#${n}`)];
async function pendingEntries(): Promise<Record<string, unknown>[]> {
  return (await Promise.all(PENDING_PARTITIONS.map((pk) => db().partition('simulations', pk)))).flat();
}

describe('jobs stored and not queued (the sweep\'s list)', () => {
  // Before every other job of this file: the table's lists of pending jobs are shared by its tests.
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
    expect(await store.loadJob('sim-p1')).toEqual({ job: job('sim-p1', T(0)), queued: false });
    await store.markJobQueued(job('sim-p1', T(0)), T(1000));
    await store.markJobQueued(job('sim-p1', T(0)), T(1000));
    expect((await store.pendingJobs(T(10))).map((p) => p.simulationId)).toEqual(['sim-p2', 'sim-p3']);
    expect((await store.load('sim-p1'))?.queued).toBe(true);
    expect(await store.loadJob('sim-p1')).toEqual({ job: job('sim-p1', T(0)), queued: true });
    expect(await store.loadJob('sim-none')).toBeUndefined();
    expect((await store.load('sim-p2'))?.queued).toBe(false);
  });

  it('stores a job once, with one entry, and marks no job that is not there', async () => {
    await expect(store.createJob(job('sim-p3', T(10)))).rejects.toThrow('simulation sim-p3 exists');
    expect((await pendingEntries()).filter((i) => i.simulationId === 'sim-p3')).toHaveLength(1);
    await store.markJobQueued(job('sim-none', T(1)), T(1000));
    expect(await db().get('simulations', { pk: 'SIM#sim-none', sk: 'JOB' })).toBeUndefined();
  });

  it('spreads the entries over shards and lists them all with an unsharded one, oldest first, until marked queued', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `sim-sh-${String(i).padStart(2, '0')}`);
    for (const [i, id] of ids.entries()) await store.createJob(job(id, T(100 + 2 * i)));
    const mine = (items: readonly Record<string, unknown>[]) => items.filter((i) => String(i.simulationId).startsWith('sim-sh-'));
    const shards = new Set(mine(await pendingEntries()).map((i) => i.pk));
    expect(shards.size).toBeGreaterThan(1);
    expect([...shards].every((pk) => /^PENDING#[0-7]$/.test(String(pk)))).toBe(true);

    // A job stranded before the entries were sharded, as that release wrote it: its entry in the one partition.
    const { gzipSync } = await import('node:zlib');
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const old = job('sim-sh-old', T(105));
    const put = (item: Record<string, unknown>) => db().doc.send(new PutCommand({ TableName: db().tables.simulations, Item: item }));
    await put({ pk: 'SIM#sim-sh-old', sk: 'JOB', kind: 'job', createdAt: old.createdAt, pending: true, bodyGz: gzipSync(JSON.stringify(old)) });
    await put({ pk: 'PENDING', sk: `${old.createdAt}#sim-sh-old`, kind: 'pending', simulationId: 'sim-sh-old', createdAt: old.createdAt });

    const listed = (await store.pendingJobs(T(200))).filter((p) => p.simulationId.startsWith('sim-sh-'));
    const expected = [...ids.map((id, i) => ({ simulationId: id, createdAt: T(100 + 2 * i) })), { simulationId: 'sim-sh-old', createdAt: T(105) }];
    expect(listed).toEqual(expected.sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1)));
    // Listed once more, by the next run: the same, the unsharded entry now in its shard.
    expect((await store.pendingJobs(T(200))).filter((p) => p.simulationId.startsWith('sim-sh-'))).toEqual(listed);
    expect(mine(await db().partition('simulations', 'PENDING'))).toEqual([]);
    expect(await store.loadJob('sim-sh-old')).toEqual({ job: old, queued: false });

    for (const p of listed) await store.markJobQueued(p, T(1000));
    expect((await store.pendingJobs(T(200))).filter((p) => p.simulationId.startsWith('sim-sh-'))).toEqual([]);
    expect(mine(await pendingEntries())).toEqual([]);
    for (const p of listed) expect((await store.loadJob(p.simulationId))?.queued).toBe(true);
  });

  it('lists an unsharded entry of a job queued since (its entry outlived it), for the sweep to mark it again', async () => {
    const { gzipSync } = await import('node:zlib');
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const old = job('sim-sh-done', T(300));
    const put = (item: Record<string, unknown>) => db().doc.send(new PutCommand({ TableName: db().tables.simulations, Item: item }));
    await put({ pk: 'SIM#sim-sh-done', sk: 'JOB', kind: 'job', createdAt: old.createdAt, pending: true, bodyGz: gzipSync(JSON.stringify(old)) });
    await put({ pk: 'PENDING', sk: `${old.createdAt}#sim-sh-done`, kind: 'pending', simulationId: 'sim-sh-done', createdAt: old.createdAt });
    // Queued by this release (a retry with its key), which deletes the sharded entry only.
    await store.markJobQueued(old, T(1000));
    expect((await store.pendingJobs(T(300))).map((p) => p.simulationId)).toContain('sim-sh-done');
    expect(await store.loadJob('sim-sh-done')).toEqual({ job: old, queued: true });
    await store.markJobQueued(old, T(1000));
    expect((await pendingEntries()).filter((i) => i.simulationId === 'sim-sh-done')).toEqual([]);
  });

  it('removes the entry of a job deleted by hand, once, so the sweep does not fail on it every run', async () => {
    const { DeleteCommand } = await import('@aws-sdk/lib-dynamodb');
    const { requeueStranded } = await import('#simulation/service/sweep');
    await store.createJob(job('sim-orphan', T(400)));
    await store.createJob(job('sim-orphan-kept', T(401)));
    await db().doc.send(new DeleteCommand({ TableName: db().tables.simulations, Key: { pk: 'SIM#sim-orphan', sk: 'JOB' } }));

    // A sweep over this test's jobs only (the table's other pending jobs belong to the tests above).
    const sent: string[] = [];
    const logged: string[] = [];
    const sweep = () =>
      requeueStranded({
        store: { ...store, pendingJobs: async (upTo) => (await store.pendingJobs(upTo)).filter((p) => p.simulationId.startsWith('sim-orphan')) },
        sendSlices: async (events) => void sent.push(...events.map((e) => e.data.simulationId)),
        now: () => T(500),
        info: () => undefined,
        warn: (message, fields) => void logged.push(`WARN ${message} ${String(fields.simulationId)}`),
        error: (message, fields) => void logged.push(`ERROR ${message} ${String(fields.simulationId)}`),
      });
    expect(await sweep()).toEqual({ requeued: 1, failed: 0, deferred: 0, orphaned: 1 });
    expect(logged).toEqual(['WARN simulation sweep: pending entry without its job removed sim-orphan']);
    expect(new Set(sent)).toEqual(new Set(['sim-orphan-kept']));
    expect((await pendingEntries()).filter((i) => String(i.simulationId).startsWith('sim-orphan'))).toEqual([]);
    // The next run is clean, and a second removal finds nothing.
    expect(await sweep()).toEqual({ requeued: 0, failed: 0, deferred: 0, orphaned: 0 });
    expect(logged).toHaveLength(1);
    expect(await store.removeOrphanedEntry({ simulationId: 'sim-orphan', createdAt: T(400) })).toBe(false);
    // The entry of a job that is there is never removed.
    await store.createJob(job('sim-kept', T(402)));
    expect(await store.removeOrphanedEntry({ simulationId: 'sim-kept', createdAt: T(402) })).toBe(false);
    expect((await pendingEntries()).filter((i) => i.simulationId === 'sim-kept')).toHaveLength(1);
    await store.markJobQueued(job('sim-kept', T(402)), T(1000));
  });

  it('keeps when a job last moved: created, its slices first queued, its latest slice stored', async () => {
    await store.createJob(job('sim-moved', T(600)));
    expect((await store.load('sim-moved'))?.progressedAt).toBe(T(600));
    await store.markJobQueued(job('sim-moved', T(600)), T(601));
    // Marked again (the sweep finding it queued meanwhile): the first time stays.
    await store.markJobQueued(job('sim-moved', T(600)), T(700));
    expect((await store.load('sim-moved'))?.progressedAt).toBe(T(601));
    await store.putSlice('sim-moved', 4, { replayed: 0 } as never, T(650));
    await store.putSlice('sim-moved', 2, { replayed: 0 } as never, T(640));
    expect((await store.load('sim-moved'))?.progressedAt).toBe(T(650));
  });

  it('shows a job stored before the sweep existed (no pending attribute) as queued', async () => {
    const { gzipSync } = await import('node:zlib');
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const old = job('sim-old', T(20));
    await db().doc.send(new PutCommand({ TableName: db().tables.simulations, Item: { pk: 'SIM#sim-old', sk: 'JOB', kind: 'job', createdAt: old.createdAt, bodyGz: gzipSync(JSON.stringify(old)) } }));
    expect((await store.load('sim-old'))?.queued).toBe(true);
    // Its slices were queued as it was created: its progress counts from then.
    expect((await store.load('sim-old'))?.progressedAt).toBe(T(20));
  });
});
