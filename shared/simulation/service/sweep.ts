/**
 * The simulation sweep (a schedule): the slices of jobs stored and never queued, queued. Its function takes
 * this module and not service.ts, so its build reads none of approval, entitlement or the registry.
 */
import { requeueCutoff, strandedJobs } from '../domain/sweep';
import { countedRun, timeBox, type TimeLeftOptions, type WriteItemCounts } from '#platform/time-reserve';
import type { SimulationPorts } from '../ports';
import { sliceEvents } from './slices';

/** What the sweep needs: the pending jobs, the slice queue, the clock. */
export type SweepPorts = Pick<SimulationPorts, 'sendSlices' | 'now' | 'info'> & {
  readonly store: Pick<SimulationPorts['store'], 'pendingJobs' | 'loadJob' | 'markJobQueued' | 'removeOrphanedEntry'>;
  readonly warn: (message: string, fields: Record<string, unknown>) => void;
  readonly error: (message: string, fields: Record<string, unknown>) => void;
};

export interface SweepSummary {
  /** Jobs whose slices were queued by this run. */
  readonly requeued: number;
  /** Jobs that failed (logged): still pending, the next run tries again. */
  readonly failed: number;
  /** Jobs not started because the run's time was running out: still pending, the next run takes them. */
  readonly deferred: number;
  /** Pending entries whose job is not there (deleted by hand): removed (logged), as nothing can queue them. */
  readonly orphaned: number;
}

/**
 * Time kept back at the end of a sweep: the job in hand finishes (a read, a send and a write, well under a
 * second) and the run returns, so its count (SimulationsRequeued) is written.
 */
export const SWEEP_TIME_RESERVE_MS = 10_000;

export interface SweepOptions extends TimeLeftOptions {
  /**
   * Where the sweep writes its `failed` and `deferred` (ItemsFailed, ItemsDeferred): once, as it ends, even
   * when the pending jobs cannot be read (0 and 0; the summary is then never returned).
   */
  readonly counted?: WriteItemCounts;
}

/**
 * The simulation sweep (a schedule): queues the slices of every job stored and not queued for longer than the
 * grace period (domain/sweep.ts), then marks it queued. A job queued twice (its first request had sent its
 * slices and stopped before marking it, or a repeat of its key queued it too) still counts each slice once.
 */
export async function requeueStranded(ports: SweepPorts, options: SweepOptions = {}): Promise<SweepSummary> {
  const now = ports.now();
  let requeued = 0;
  let orphaned = 0;
  const box = timeBox(SWEEP_TIME_RESERVE_MS, options.timeLeftMs);
  return countedRun(box, options.counted ?? (() => undefined), async () => {
    // One at a time, oldest first; a job not started is still pending: the next run takes it.
    const stranded = strandedJobs(await ports.store.pendingJobs(requeueCutoff(now)), now);
    await box.forEachWithin(
      stranded,
      1,
      async (pending) => {
        const stored = await ports.store.loadJob(pending.simulationId);
        if (stored === undefined) {
          // Written with its job in one transaction, so its job was deleted since (by hand): there is nothing to
          // queue, ever. Failing on it would fail every run (and keep the items-failed alarm up) for good, so the
          // entry goes, logged once: only the run that removes it logs it.
          if (await ports.store.removeOrphanedEntry(pending)) {
            orphaned++;
            ports.warn('simulation sweep: pending entry without its job removed', { simulationId: pending.simulationId, createdAt: pending.createdAt });
          }
          return;
        }
        const { job } = stored;
        if (stored.queued) {
          // Queued since it was listed (a retry of its post with the Idempotency-Key): not sent again. Marking
          // it again deletes an entry that outlived its marking (an unsharded one moved as it was marked).
          await ports.store.markJobQueued(job, ports.now());
          ports.info('simulation sweep: queued meanwhile', { simulationId: job.simulationId, createdAt: job.createdAt });
          return;
        }
        await ports.sendSlices(sliceEvents(job));
        await ports.store.markJobQueued(job, ports.now());
        requeued++;
        ports.info('simulation queued again', { simulationId: job.simulationId, createdAt: job.createdAt, by: 'sweep' });
      },
      {
        onError: (pending, error) =>
          ports.error('simulation sweep: failed; the job stays pending and is tried again next run', { simulationId: pending.simulationId, error }),
      },
    );
    return { requeued, failed: box.failed, deferred: box.deferred, orphaned };
  });
}
