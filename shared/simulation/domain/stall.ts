/**
 * When a simulation queued and not done is shown `stalled` rather than `running`: none of its slices was
 * stored for longer than STALL_MS since it last moved (its slices queued, or a slice stored). Its slices
 * then failed on every delivery and sit in the simulation queue's DLQ (whose alarm is up), or never reached
 * the queue: a client polling it would otherwise see `running` for ever. Judged when it is read, so nothing
 * is written: once the slices are redriven and stored the job moves again, is `running`, and ends `done`.
 *
 * Pure: the clock is passed in.
 */

/**
 * How long a queued job may go without a slice stored before it is `stalled`: 2 hours. A slice message
 * that fails on every receive reaches the DLQ within 5 receives × 720 s visibility = 1 hour of its first
 * receive (the simulation queue's maxReceiveCount and visibility timeout; a slice's own run is at most the
 * function's 120 s within each). The second hour is for a job whose slices wait behind other simulations'
 * slices: 16 run at once, at most 120 s each, so an hour of waiting is some 480 slices ahead of it — several
 * policy simulations (64 slices each). A job slower than that is not stalled, only queued behind others.
 */
export const STALL_MS = 2 * 3600_000;

/** Whether a job that last moved at `progressedAt` (ISO 8601) and is not done is stalled at `now`. */
export function isStalled(progressedAt: string, now: string): boolean {
  const at = Date.parse(progressedAt);
  return !Number.isNaN(at) && Date.parse(now) - at > STALL_MS;
}
