/**
 * The review schedule's use case (好差评, every 15 minutes): the invitations, 3-day reminders and 7-day
 * defaults of completed cases and the overdue flags of rectifications that are due, read from the sparse
 * due index so the cost follows what is due, not the size of the table; then this month's figures per
 * department as metrics. Each case goes through the same load → decide → write path as the consumer's use
 * cases (service/carry-out.ts); a case that fails is logged, counted and stays due for the next run.
 * Re-running it changes nothing.
 */
import { countedRun, itemCountsTo, timeBox, type TimeBox, type TimeLeft } from '#platform/time-reserve';
import type { ReviewPorts } from './ports';
import { decideAndCarryOut } from './service/carry-out';
import { decideInvitations, decideOverdue, figureMetrics, type ScheduleSummary } from './service/schedule';
import { overdueFlagged, scheduleRan } from './service/telemetry';

export type { ScheduleSummary } from './service/schedule';

/** Cases the schedule works on at once. */
const SCHEDULE_CONCURRENCY = 8;

export interface ScheduleRunOptions {
  /** The time the run has left (ms), the function's; unset, the run takes every case that is due. */
  readonly timeLeftMs?: TimeLeft;
}

/**
 * Time kept back at the end of a run: the cases in flight finish (a load, a decision and a write each, well
 * under a second) and the run reads this month's figures and counts what it did (the metrics are written
 * when it returns; the overdue-rectifications alarm reads its count). A run the function's timeout cut
 * short would lose those counts for good: the cases it moved are no longer due.
 */
export const SCHEDULE_TIME_RESERVE_MS = 10_000;

/**
 * Runs `work` over `ids` with bounded concurrency; a failure of one id is logged and counted (in the box),
 * not fatal. Once the time left falls below the reserve, the ids not started yet are left due and counted
 * as deferred.
 */
async function forEachCase(ports: ReviewPorts, ids: readonly string[], work: (id: string) => Promise<void>, box: TimeBox): Promise<void> {
  await box.forEachWithin(ids, SCHEDULE_CONCURRENCY, work, {
    onError: (id, error) => ports.log.error('review schedule: case failed; it stays due and is retried next run', { caseId: id, error }),
  });
}

/** This month's figures per department, as metrics for the dashboard. */
async function emitFigures(ports: ReviewPorts, now: string): Promise<void> {
  const month = ports.calendar.localDate(now).slice(0, 7);
  for (const row of await ports.store.listCounters('department', { granularity: 'month', value: month })) {
    const values = figureMetrics(row);
    if (values.length > 0) ports.metrics.single({ Department: row.key }, values);
  }
}

export async function runSchedule(ports: ReviewPorts, options: ScheduleRunOptions = {}): Promise<ScheduleSummary> {
  const now = ports.now();
  const counts = { invited: 0, reminded: 0, defaulted: 0, overdue: 0 };
  const box = timeBox(SCHEDULE_TIME_RESERVE_MS, options.timeLeftMs);
  // ItemsFailed and ItemsDeferred once per run, even when a step throws (the invitations' or the
  // rectifications' list, the figures).
  return countedRun(box, itemCountsTo((name, value) => ports.metrics.count(name, value)), async () => {
    await forEachCase(
      ports,
      await ports.store.dueCaseIds('invite', now),
      async (caseId) => {
        for (const action of await decideAndCarryOut(ports, caseId, now, decideInvitations, undefined)) {
          if (action === 'invite') counts.invited++;
          else if (action === 'remind') counts.reminded++;
          else counts.defaulted++;
        }
      },
      box,
    );
    await forEachCase(
      ports,
      await ports.store.dueCaseIds('rectification', now),
      async (caseId) => {
        const flags = await decideAndCarryOut(ports, caseId, now, decideOverdue, undefined);
        counts.overdue += flags.kinds.length;
        overdueFlagged(ports, flags, now);
      },
      box,
    );
    await emitFigures(ports, now);
    const summary: ScheduleSummary = { ...counts, failed: box.failed, deferred: box.deferred };
    scheduleRan(ports, summary, now);
    return summary;
  });
}
