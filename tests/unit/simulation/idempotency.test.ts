// POST /simulations with an Idempotency-Key: the header's limits, what a repeat of a key does, and the start
// itself over a store that keeps a key's record with its job (a concurrent first request starts nothing).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decideRepeat,
  expiresAtOf,
  keyIdOf,
  MAX_KEY_LENGTH,
  parseIdempotencyKey,
  requestHashOf,
  SETTLE_MS,
  type KeyRecord,
} from '#simulation/domain/idempotency';
import { parseRequest, type SimulationRequest } from '#simulation/domain/request';
import { startSimulation, startSimulationOnce, type StartPorts } from '#simulation/service/start';
import type { SimulationJob } from '#simulation/ports';
import { posterItem } from '../approval/fixtures';

const FROM = '2026-09-01T00:00:00+08:00';
const TO = '2026-12-01T00:00:00+08:00';
const NOW = '2026-12-01T02:00:00.000Z';
const AUDITOR = '/auditors/district';

function request(body: unknown): SimulationRequest {
  const parsed = parseRequest(body);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.request;
}
const draft = { ...posterItem, itemCode: 'KEY-001', version: 7 };
const itemRequest = request({ draft, from: FROM, to: TO });

describe('the Idempotency-Key header', () => {
  it('is optional', () => {
    expect(parseIdempotencyKey(undefined)).toEqual({ ok: true });
  });

  it('takes 1 to 128 visible ASCII characters', () => {
    for (const key of ['a', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', 'x'.repeat(128), '!#$%&\'*+-./:;<=>?@[\\]^_`{|}~"()']) {
      expect(parseIdempotencyKey(key)).toEqual({ ok: true, key });
    }
  });

  it('refuses an empty or too long key, naming the limits', () => {
    expect(parseIdempotencyKey('')).toEqual({ ok: false, message: 'must be 1 to 128 characters (got 0)' });
    expect(parseIdempotencyKey('x'.repeat(129))).toEqual({ ok: false, message: 'must be 1 to 128 characters (got 129)' });
  });

  it('refuses spaces, commas (a header sent twice), control and non-ASCII characters', () => {
    for (const key of ['a b', 'a,b', 'a\tb', 'a\u0000', 'clé', '键', 'a\u007f']) {
      expect(parseIdempotencyKey(key)).toMatchObject({ ok: false, message: expect.stringContaining('visible ASCII') });
    }
  });

  it('is documented with the limits it is checked with', () => {
    const doc = JSON.parse(readFileSync(join(import.meta.dirname, '../../../docs/openapi.json'), 'utf8'));
    const header = doc.paths['/simulations'].post.parameters.find((p: { name: string }) => p.name === 'Idempotency-Key');
    const pattern = new RegExp(header.schema.pattern);
    for (const key of ['a', 'x'.repeat(128), 'a b', 'a,b', 'clé', '~!"#']) {
      const documented = pattern.test(key) && key.length >= header.schema.minLength && key.length <= header.schema.maxLength;
      expect([key, documented]).toEqual([key, parseIdempotencyKey(key).ok]);
    }
    expect(header.schema.maxLength).toBe(MAX_KEY_LENGTH);
  });
});

describe('a request compared with the one its key was first sent with', () => {
  it('is the same request whatever the order of its fields or the form of its times', () => {
    const reordered = request({ to: '2026-12-01T00:00:00+08:00', from: '2026-09-01t00:00:00+08:00', draft: Object.fromEntries(Object.entries(draft).reverse()) });
    expect(requestHashOf(reordered)).toBe(requestHashOf(itemRequest));
  });

  it('is another request when anything of the draft or window differs', () => {
    expect(requestHashOf(request({ draft, from: FROM, to: '2026-11-30T00:00:00+08:00' }))).not.toBe(requestHashOf(itemRequest));
    expect(requestHashOf(request({ draft: { ...draft, promisedDays: 2 }, from: FROM, to: TO }))).not.toBe(requestHashOf(itemRequest));
  });

  it('scopes a key to its principal', () => {
    expect(keyIdOf(AUDITOR, 'k-1')).not.toBe(keyIdOf('/auditors/city', 'k-1'));
    expect(keyIdOf(AUDITOR, 'k-1')).toBe(keyIdOf(AUDITOR, 'k-1'));
  });
});

describe('a repeat of a key', () => {
  const record: KeyRecord = {
    keyId: 'k',
    principal: AUDITOR,
    simulationId: 'sim-first',
    requestHash: requestHashOf(itemRequest),
    createdAt: NOW,
    expiresAt: expiresAtOf(NOW),
    queued: true,
  };
  const later = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

  it('is kept 24 hours', () => {
    expect(expiresAtOf(NOW) - Date.parse(NOW) / 1000).toBe(24 * 3600);
  });

  it('with the same request is answered with the first simulation', () => {
    expect(decideRepeat(record, requestHashOf(itemRequest), later(1000))).toBe('replay');
  });

  it('with another request is a conflict, queued or not', () => {
    const other = requestHashOf(request({ draft: { ...draft, version: 8 }, from: FROM, to: TO }));
    expect(decideRepeat(record, other, later(1000))).toBe('conflict');
    expect(decideRepeat({ ...record, queued: false }, other, later(1000))).toBe('conflict');
  });

  it('waits while the first request may still queue the job, and queues it once that request is over', () => {
    const unqueued = { ...record, queued: false };
    expect(decideRepeat(unqueued, record.requestHash, later(10))).toBe('wait');
    expect(decideRepeat(unqueued, record.requestHash, later(SETTLE_MS))).toBe('requeue');
  });
});

// ---- the start, over a store that behaves as the table's transaction does --------------------------------

class KeyedStore {
  jobs = new Map<string, SimulationJob>();
  keys = new Map<string, KeyRecord>();
  async createJob(job: SimulationJob) {
    this.jobs.set(job.simulationId, job);
    this.pending.add(job.simulationId);
  }
  async createKeyedJob(job: SimulationJob, key: KeyRecord) {
    // Yield first, as a request to the table does: two concurrent calls both get here before either writes.
    await Promise.resolve();
    const existing = this.keys.get(key.keyId);
    if (existing !== undefined && existing.expiresAt > Date.parse(key.createdAt) / 1000) return { created: false as const, existing };
    this.keys.set(key.keyId, key);
    this.jobs.set(job.simulationId, job);
    this.pending.add(job.simulationId);
    return { created: true as const };
  }
  async loadKey(keyId: string) {
    return this.keys.get(keyId);
  }
  pending = new Set<string>();
  async loadJob(id: string) {
    const job = this.jobs.get(id);
    return job === undefined ? undefined : { job, queued: !this.pending.has(id) };
  }
  async markJobQueued(job: Pick<SimulationJob, 'simulationId'>) {
    this.pending.delete(job.simulationId);
  }
  async markQueued(keyId: string) {
    const r = this.keys.get(keyId);
    if (r) this.keys.set(keyId, { ...r, queued: true });
  }
}

function setUp(opts: { failSend?: number } = {}) {
  const store = new KeyedStore();
  const sent: { simulationId: string; shard: number }[] = [];
  let ids = 0;
  let clock = Date.parse(NOW);
  let failures = opts.failSend ?? 0;
  const counted: string[] = [];
  const ports: StartPorts = {
    store,
    policies: { slices: 4 },
    sendSlices: async (events) => {
      if (failures > 0) {
        failures--;
        throw new Error('queue unavailable');
      }
      sent.push(...events.map((e) => e.data));
    },
    now: () => new Date(clock).toISOString(),
    newId: () => `sim-${++ids}`,
    info: () => undefined,
    count: (metric, value) => void counted.push(`${metric}:${value}`),
    sleep: async (ms) => void (clock += ms),
  };
  return { store, sent, ports, counted, advance: (ms: number) => void (clock += ms) };
}

describe('starting a simulation with a key', () => {
  it('starts one job; a repeat with the same request starts nothing and answers the same simulation', async () => {
    const { store, sent, ports } = setUp();
    const first = await startSimulationOnce(ports, itemRequest, AUDITOR, 'k-1');
    const again = await startSimulationOnce(ports, request({ draft, from: FROM, to: TO }), AUDITOR, 'k-1');
    expect(first).toEqual({ kind: 'started', simulationId: 'sim-1' });
    expect(again).toEqual({ kind: 'replayed', simulationId: 'sim-1' });
    expect([...store.jobs.keys()]).toEqual(['sim-1']);
    expect(sent).toHaveLength(16);
  });

  it('refuses the key with another request, starting nothing', async () => {
    const { store, sent, ports } = setUp();
    await startSimulationOnce(ports, itemRequest, AUDITOR, 'k-2');
    const other = await startSimulationOnce(ports, request({ draft, from: FROM, to: '2026-11-01T00:00:00+08:00' }), AUDITOR, 'k-2');
    expect(other).toEqual({ kind: 'conflict', simulationId: 'sim-1' });
    expect(store.jobs.size).toBe(1);
    expect(sent).toHaveLength(16);
  });

  it('starts exactly one job for two concurrent first requests with one key', async () => {
    const { store, sent, ports } = setUp();
    const both = await Promise.all([startSimulationOnce(ports, itemRequest, AUDITOR, 'k-3'), startSimulationOnce(ports, itemRequest, AUDITOR, 'k-3')]);
    expect(both.map((b) => b.simulationId)).toEqual(['sim-1', 'sim-1']);
    expect(both.map((b) => b.kind).sort()).toEqual(['replayed', 'started']);
    expect(store.jobs.size).toBe(1);
    expect(sent).toHaveLength(16);
  });

  it('keeps keys apart by principal, and a key past 24 hours starts a new simulation', async () => {
    const { store, ports, advance } = setUp();
    await startSimulationOnce(ports, itemRequest, AUDITOR, 'k-4');
    expect(await startSimulationOnce(ports, itemRequest, '/auditors/city', 'k-4')).toEqual({ kind: 'started', simulationId: 'sim-2' });
    advance(24 * 3600 * 1000);
    expect(await startSimulationOnce(ports, itemRequest, AUDITOR, 'k-4')).toEqual({ kind: 'started', simulationId: 'sim-3' });
    expect(store.jobs.size).toBe(3);
  });

  it('queues the job of a first request that failed before queueing it, on the retry, once', async () => {
    const { store, sent, ports } = setUp({ failSend: 1 });
    await expect(startSimulationOnce(ports, itemRequest, AUDITOR, 'k-5')).rejects.toThrow('queue unavailable');
    expect(sent).toHaveLength(0);
    // Stored and listed as pending (the sweep would queue it too, had the client not retried).
    expect([...store.pending]).toEqual(['sim-1']);
    // The client retries the 5xx with its key: the stored job's slices are queued, no second job.
    expect(await startSimulationOnce(ports, itemRequest, AUDITOR, 'k-5')).toEqual({ kind: 'replayed', simulationId: 'sim-1' });
    expect(store.jobs.size).toBe(1);
    expect(sent.map((s) => `${s.simulationId}:${s.shard}`)).toEqual(Array.from({ length: 16 }, (_, i) => `sim-1:${i}`));
    expect([...store.pending]).toEqual([]);
    expect(await startSimulationOnce(ports, itemRequest, AUDITOR, 'k-5')).toEqual({ kind: 'replayed', simulationId: 'sim-1' });
    expect(sent).toHaveLength(16);
  });

  it('does not queue again a job the sweep queued before the client retried', async () => {
    const { store, sent, ports } = setUp({ failSend: 1 });
    await expect(startSimulationOnce(ports, itemRequest, AUDITOR, 'k-6')).rejects.toThrow('queue unavailable');
    // The sweep queues the stranded job (its slices sent, the job no longer pending); the key record still
    // says "not queued", as the sweep does not know the key.
    await ports.sendSlices(Array.from({ length: 16 }, (_, shard) => ({ data: { simulationId: 'sim-1', shard } }) as never));
    await store.markJobQueued({ simulationId: 'sim-1' });
    expect(sent).toHaveLength(16);
    // The client retries with its key later: the same simulation, nothing sent twice, the key now marked.
    expect(await startSimulationOnce(ports, itemRequest, AUDITOR, 'k-6')).toEqual({ kind: 'replayed', simulationId: 'sim-1' });
    expect(sent).toHaveLength(16);
    expect([...store.keys.values()].map((k) => k.queued)).toEqual([true]);
  });

  it('queues a policy draft in the registry shards', async () => {
    const { sent, ports } = setUp();
    const { policy } = await import('../entitlement/fixtures');
    expect(await startSimulationOnce(ports, { policy: policy({ policyId: 'POL-KEY-1' }) }, AUDITOR, 'k-6')).toMatchObject({ kind: 'started' });
    expect(sent).toHaveLength(4);
  });
});

describe('SimulationsStarted', () => {
  it('counts each job stored, without a key too, and nothing for a repeat or a conflict of a key', async () => {
    const { store, counted, ports } = setUp();
    await startSimulation(ports, itemRequest, AUDITOR);
    await startSimulation(ports, itemRequest, AUDITOR);
    expect(counted).toEqual(['SimulationsStarted:1', 'SimulationsStarted:1']);
    expect(await startSimulationOnce(ports, itemRequest, AUDITOR, 'k-9')).toMatchObject({ kind: 'started' });
    expect(await startSimulationOnce(ports, itemRequest, AUDITOR, 'k-9')).toMatchObject({ kind: 'replayed' });
    expect(await startSimulationOnce(ports, request({ draft, from: FROM, to: '2026-11-01T00:00:00+08:00' }), AUDITOR, 'k-9')).toMatchObject({ kind: 'conflict' });
    expect(counted).toEqual(['SimulationsStarted:1', 'SimulationsStarted:1', 'SimulationsStarted:1']);
    expect(store.jobs.size).toBe(3);
  });

  it('counts a job stored whose slices were not queued once, and not its retry that queues them', async () => {
    const { counted, sent, ports } = setUp({ failSend: 1 });
    await expect(startSimulationOnce(ports, itemRequest, AUDITOR, 'k-10')).rejects.toThrow('queue unavailable');
    // Stored: the sweep would queue it and count it as requeued, a share of the starts.
    expect(counted).toEqual(['SimulationsStarted:1']);
    expect(await startSimulationOnce(ports, itemRequest, AUDITOR, 'k-10')).toMatchObject({ kind: 'replayed' });
    expect(sent).toHaveLength(16);
    expect(counted).toEqual(['SimulationsStarted:1']);
  });
});
