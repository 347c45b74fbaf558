// The simulation sweep: which jobs stored and not queued it queues (pure, the clock passed in), and a run
// over a store that lists them — each stranded job queued once, then no longer pending; the view says
// `pending` until then; the run stops starting jobs when its time runs short, and a failure stays pending; a
// job stored before the sweep existed has no entry, and is shown `stalled` once it stops.
import { requeueCutoff, REQUEUE_GRACE_MS, strandedJobs, type PendingJob } from '#simulation/domain/sweep';
import { startSimulation, type StartPorts } from '#simulation/service/start';
import { requeueStranded, SWEEP_TIME_RESERVE_MS, type SweepPorts } from '#simulation/service/sweep';
import { viewOf } from '#simulation/view';
import { STALL_MS } from '#simulation/domain/stall';
import type { SimulationJob } from '#simulation/ports';
import { parseRequest, type SimulationRequest } from '#simulation/domain/request';
import { functions } from '#topology';
import { posterItem } from '../approval/fixtures';

const NOW = '2026-12-07T02:00:00.000Z';
const at = (msBefore: number) => new Date(Date.parse(NOW) - msBefore).toISOString();

function request(): SimulationRequest {
  const parsed = parseRequest({ draft: { ...posterItem, itemCode: 'SWEEP-001', version: 5 }, from: '2026-11-01T00:00:00+08:00', to: '2026-12-01T00:00:00+08:00' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.request;
}

describe('the jobs the sweep queues', () => {
  it('waits out a grace period longer than a start can take', () => {
    expect(REQUEUE_GRACE_MS).toBeGreaterThan(functions.simulations.timeoutSeconds * 1000);
    expect(requeueCutoff(NOW)).toBe('2026-12-07T01:58:00.000Z');
  });

  it('takes the jobs stored at least the grace period ago, oldest first, and none younger', () => {
    const pending: PendingJob[] = [
      { simulationId: 'sim-young', createdAt: at(REQUEUE_GRACE_MS - 1) },
      { simulationId: 'sim-edge', createdAt: at(REQUEUE_GRACE_MS) },
      { simulationId: 'sim-old', createdAt: at(3 * 3600_000) },
      { simulationId: 'sim-future', createdAt: at(-60_000) },
    ];
    expect(strandedJobs(pending, NOW).map((j) => j.simulationId)).toEqual(['sim-old', 'sim-edge']);
    expect(strandedJobs(pending, at(-1)).map((j) => j.simulationId)).toEqual(['sim-old', 'sim-edge', 'sim-young']);
    expect(strandedJobs([], NOW)).toEqual([]);
  });

  it('compares instants, whatever the offset a time is written in', () => {
    expect(strandedJobs([{ simulationId: 'sim-cst', createdAt: '2026-12-07T09:57:00+08:00' }], NOW)).toHaveLength(1);
    expect(strandedJobs([{ simulationId: 'sim-cst', createdAt: '2026-12-07T09:59:00+08:00' }], NOW)).toHaveLength(0);
  });
});

/** The table as the sweep and the start see it: jobs, which are pending, and the slices queued. */
function setUp(opts: { failSend?: number } = {}) {
  const jobs = new Map<string, SimulationJob>();
  // Simulation id → its entry's creation time: an entry outlives its job when the job is deleted by hand.
  const pending = new Map<string, string>();
  const sent: string[] = [];
  const errors: string[] = [];
  const warnings: { message: string; fields: Record<string, unknown> }[] = [];
  const marked: string[] = [];
  let clock = Date.parse(NOW);
  let ids = 0;
  let failures = opts.failSend ?? 0;
  const store = {
    async createJob(job: SimulationJob) {
      jobs.set(job.simulationId, job);
      pending.set(job.simulationId, job.createdAt);
    },
    createKeyedJob: () => Promise.reject(new Error('not used')),
    loadKey: () => Promise.reject(new Error('not used')),
    markQueued: () => Promise.reject(new Error('not used')),
    async loadJob(id: string) {
      const job = jobs.get(id);
      return job === undefined ? undefined : { job, queued: !pending.has(id) };
    },
    async markJobQueued(job: Pick<SimulationJob, 'simulationId'>) {
      marked.push(job.simulationId);
      pending.delete(job.simulationId);
    },
    async pendingJobs(createdUpTo: string) {
      return [...pending].map(([simulationId, createdAt]) => ({ simulationId, createdAt })).filter((j) => Date.parse(j.createdAt) <= Date.parse(createdUpTo));
    },
    async removeOrphanedEntry(entry: { simulationId: string }) {
      if (jobs.has(entry.simulationId) || !pending.has(entry.simulationId)) return false;
      pending.delete(entry.simulationId);
      return true;
    },
  };
  const sendSlices = async (events: readonly { data: { simulationId: string; shard: number } }[]) => {
    if (failures > 0) {
      failures--;
      throw new Error('queue unavailable');
    }
    sent.push(...events.map((e) => `${e.data.simulationId}:${e.data.shard}`));
  };
  const now = () => new Date(clock).toISOString();
  const start: StartPorts = { store, policies: { slices: 4 }, sendSlices, now, newId: () => `sim-${++ids}`, info: () => undefined, count: () => undefined };
  const sweep: SweepPorts = {
    store,
    sendSlices,
    now,
    info: () => undefined,
    warn: (message, fields) => void warnings.push({ message, fields }),
    error: (_m, f) => void errors.push(String(f.simulationId)),
  };
  return { jobs, pending, sent, errors, warnings, marked, store, start, sweep, advance: (ms: number) => void (clock += ms) };
}

describe('a sweep run', () => {
  it('queues a job whose start failed after storing it, once, and shows it pending until then', async () => {
    const t = setUp({ failSend: 1 });
    await expect(startSimulation(t.start, request(), '/auditors/district')).rejects.toThrow('queue unavailable');
    const job = t.jobs.get('sim-1')!;
    expect(viewOf({ job, slices: new Map(), queued: !t.pending.has('sim-1'), progressedAt: job.createdAt }, NOW)).toMatchObject({ status: 'pending', progress: { slicesDone: 0 } });
    // Within the grace period the request that stored it may still queue it: left alone.
    t.advance(REQUEUE_GRACE_MS - 1000);
    expect(await requeueStranded(t.sweep)).toEqual({ requeued: 0, failed: 0, deferred: 0, orphaned: 0 });
    expect(t.sent).toEqual([]);
    t.advance(1000);
    expect(await requeueStranded(t.sweep)).toEqual({ requeued: 1, failed: 0, deferred: 0, orphaned: 0 });
    expect(t.sent).toEqual(Array.from({ length: 16 }, (_, i) => `sim-1:${i}`));
    expect(viewOf({ job, slices: new Map(), queued: !t.pending.has('sim-1'), progressedAt: job.createdAt }, NOW)).toMatchObject({ status: 'running' });
    // The next runs find nothing pending.
    t.advance(REQUEUE_GRACE_MS);
    expect(await requeueStranded(t.sweep)).toEqual({ requeued: 0, failed: 0, deferred: 0, orphaned: 0 });
    expect(t.sent).toHaveLength(16);
  });

  it('leaves a job its start queued alone', async () => {
    const t = setUp();
    await startSimulation(t.start, request(), '/auditors/district');
    t.advance(REQUEUE_GRACE_MS * 10);
    expect(await requeueStranded(t.sweep)).toEqual({ requeued: 0, failed: 0, deferred: 0, orphaned: 0 });
    expect(t.sent).toHaveLength(16);
  });

  it('does not send again a job queued between its listing and its read (a retry with its key queued it)', async () => {
    const t = setUp({ failSend: 1 });
    await expect(startSimulation(t.start, request(), '/auditors/district')).rejects.toThrow();
    t.advance(REQUEUE_GRACE_MS);
    // The client's retry queues it (its slices sent, the job no longer pending) once the sweep has listed it.
    const listed = t.store.pendingJobs;
    t.store.pendingJobs = async (createdUpTo: string) => {
      const out = await listed(createdUpTo);
      t.pending.delete('sim-1');
      return out;
    };
    expect(await requeueStranded(t.sweep)).toEqual({ requeued: 0, failed: 0, deferred: 0, orphaned: 0 });
    expect(t.sent).toEqual([]);
    // Marked again all the same: an entry left over is deleted.
    expect(t.marked).toEqual(['sim-1']);
  });

  it('keeps a job whose queueing failed pending for the next run', async () => {
    const t = setUp({ failSend: 2 });
    await expect(startSimulation(t.start, request(), '/auditors/district')).rejects.toThrow();
    t.advance(REQUEUE_GRACE_MS);
    expect(await requeueStranded(t.sweep)).toEqual({ requeued: 0, failed: 1, deferred: 0, orphaned: 0 });
    expect(t.errors).toEqual(['sim-1']);
    expect([...t.pending.keys()]).toEqual(['sim-1']);
    expect(await requeueStranded(t.sweep)).toEqual({ requeued: 1, failed: 0, deferred: 0, orphaned: 0 });
    expect(t.pending.size).toBe(0);
  });

  it('removes an entry whose job was deleted, logging it once, so no run fails on it again', async () => {
    const t = setUp({ failSend: 2 });
    await expect(startSimulation(t.start, request(), '/auditors/district')).rejects.toThrow();
    await expect(startSimulation(t.start, request(), '/auditors/district')).rejects.toThrow();
    // sim-1's job deleted by hand: its entry stays, and nothing can ever queue it.
    t.jobs.delete('sim-1');
    t.advance(REQUEUE_GRACE_MS);
    expect(await requeueStranded(t.sweep)).toEqual({ requeued: 1, failed: 0, deferred: 0, orphaned: 1 });
    expect(t.errors).toEqual([]);
    expect(t.warnings).toEqual([{ message: expect.stringContaining('without its job'), fields: expect.objectContaining({ simulationId: 'sim-1' }) }]);
    expect(t.sent).toEqual(Array.from({ length: 16 }, (_, i) => `sim-2:${i}`));
    expect(t.pending.size).toBe(0);
    // The next run is clean: nothing failed, nothing logged again.
    t.advance(5 * 60_000);
    expect(await requeueStranded(t.sweep)).toEqual({ requeued: 0, failed: 0, deferred: 0, orphaned: 0 });
    expect(t.errors).toEqual([]);
    expect(t.warnings).toHaveLength(1);
  });

  it('leaves an entry whose job is there after all (the removal is conditional on the job missing)', async () => {
    const t = setUp({ failSend: 1 });
    await expect(startSimulation(t.start, request(), '/auditors/district')).rejects.toThrow();
    t.advance(REQUEUE_GRACE_MS);
    // Read as missing (a read at the wrong moment), there when the removal checks: the entry stays.
    const load = t.store.loadJob;
    t.store.loadJob = async () => undefined;
    expect(await requeueStranded(t.sweep)).toEqual({ requeued: 0, failed: 0, deferred: 0, orphaned: 0 });
    expect(t.warnings).toEqual([]);
    t.store.loadJob = load;
    expect(await requeueStranded(t.sweep)).toEqual({ requeued: 1, failed: 0, deferred: 0, orphaned: 0 });
  });

  it('finds no entry of a job stored before the sweep existed: lost, it is shown stalled, not running for ever', async () => {
    const t = setUp();
    // Stored before jobs had a pending flag and an entry, its start stopped before queueing its slices (or
    // they were lost since): the table holds the job alone, read as queued, from its creation (no queuedAt).
    const old: SimulationJob = { simulationId: 'sim-before-sweep', request: request(), requestedBy: '/auditors/district', createdAt: at(STALL_MS + 1), slices: 16 };
    t.jobs.set(old.simulationId, old);
    expect(await t.store.loadJob(old.simulationId)).toEqual({ job: old, queued: true });
    // Listed by no run: nothing is sent (nothing says which of its slices went, and the sweep reads only entries).
    expect(await requeueStranded(t.sweep)).toEqual({ requeued: 0, failed: 0, deferred: 0, orphaned: 0 });
    expect(t.sent).toEqual([]);
    // Its client sees it stop rather than `running` for ever: past STALL_MS with no slice stored, `stalled`.
    const stored = { job: old, slices: new Map(), queued: true, progressedAt: old.createdAt };
    expect(viewOf(stored, at(1))).toMatchObject({ status: 'running', progress: { slices: 16, slicesDone: 0 } });
    expect(viewOf(stored, NOW)).toMatchObject({ status: 'stalled', progress: { slices: 16, slicesDone: 0 } });
  });

  it('starts no job once its time left is under the reserve: they stay pending, counted as deferred', async () => {
    const t = setUp({ failSend: 3 });
    for (let i = 0; i < 3; i++) await expect(startSimulation(t.start, request(), '/auditors/district')).rejects.toThrow();
    t.advance(REQUEUE_GRACE_MS);
    // Enough time for the first job; under the reserve from the second on.
    let checks = 0;
    const summary = await requeueStranded(t.sweep, { timeLeftMs: () => (checks++ === 0 ? SWEEP_TIME_RESERVE_MS : SWEEP_TIME_RESERVE_MS - 1) });
    expect(summary).toEqual({ requeued: 1, failed: 0, deferred: 2, orphaned: 0 });
    expect(t.pending.size).toBe(2);
    expect(await requeueStranded(t.sweep)).toEqual({ requeued: 2, failed: 0, deferred: 0, orphaned: 0 });
    expect(t.sent).toHaveLength(48);
  });
});
