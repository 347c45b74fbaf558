/**
 * The simulation sweep's choice: a job stored and not queued (the request that started it stopped between
 * storing it and queueing its slices — a timeout, a crash, a failed send — and its client never posted its
 * `Idempotency-Key` again) is queued by the schedule once it is older than REQUEUE_GRACE_MS. A job younger
 * than that may still be queued by the request that stored it (the API's timeout is 10 s); one queued twice
 * still counts each slice once (a slice's tally is stored create-only, and a stored slice replays nothing).
 *
 * Pure: the clock is passed in.
 */

/** How old a job not queued must be before the sweep queues it: well past the longest a start can take. */
export const REQUEUE_GRACE_MS = 2 * 60_000;

/** A job stored and not queued yet, as the table lists it. */
export interface PendingJob {
  readonly simulationId: string;
  /** When the job was stored (ISO 8601, the functions' clock). */
  readonly createdAt: string;
}

/** The latest creation time of a job the sweep queues at `now`. */
export function requeueCutoff(now: string): string {
  return new Date(Date.parse(now) - REQUEUE_GRACE_MS).toISOString();
}

/** The pending jobs the sweep queues at `now`: those stored at least REQUEUE_GRACE_MS ago, oldest first. */
export function strandedJobs(pending: readonly PendingJob[], now: string): PendingJob[] {
  const cutoff = Date.parse(now) - REQUEUE_GRACE_MS;
  return pending
    .filter((job) => {
      const at = Date.parse(job.createdAt);
      return !Number.isNaN(at) && at <= cutoff;
    })
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || (a.simulationId < b.simulationId ? -1 : 1));
}
