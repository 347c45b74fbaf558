/**
 * The review schedule's use case (好差评, every 15 minutes): the invitations, 3-day reminders and 7-day
 * defaults of completed cases and the overdue flags of rectifications that are due, read from the sparse
 * due index so the cost follows what is due, not the size of the table; then this month's figures per
 * department as metrics. Each case goes through the same load → decide → write path as the consumer's use
 * cases (service/carry-out.ts); a case that fails is logged, counted and stays due for the next run.
 * Re-running it changes nothing.
 */
import { inPool } from '#platform/pool';
import type { ReviewPorts } from './ports';
import { decideAndCarryOut } from './service/carry-out';
import { decideInvitations, decideOverdue, figureMetrics, type ScheduleSummary } from './service/schedule';
import { overdueFlagged, scheduleRan } from './service/telemetry';

export type { ScheduleSummary } from './service/schedule';

/** Cases the schedule works on at once. */
const SCHEDULE_CONCURRENCY = 8;

/** Runs `work` over `ids` with bounded concurrency; a failure of one id is logged and counted, not fatal. */
async function forEachCase(ports: ReviewPorts, ids: readonly string[], work: (id: string) => Promise<void>): Promise<number> {
  let failed = 0;
  await inPool(ids, SCHEDULE_CONCURRENCY, async (id) => {
    try {
      await work(id);
    } catch (error) {
      failed++;
      ports.log.error('review schedule: case failed; it stays due and is retried next run', { caseId: id, error: error as Error });
    }
  });
  return failed;
}

/** This month's figures per department, as metrics for the dashboard. */
async function emitFigures(ports: ReviewPorts, now: string): Promise<void> {
  const month = ports.calendar.localDate(now).slice(0, 7);
  for (const row of await ports.store.listCounters('department', { granularity: 'month', value: month })) {
    const values = figureMetrics(row);
    if (values.length > 0) ports.metrics.single({ Department: row.key }, values);
  }
}

export async function runSchedule(ports: ReviewPorts): Promise<ScheduleSummary> {
  const now = ports.now();
  const counts = { invited: 0, reminded: 0, defaulted: 0, overdue: 0 };
  const failedInvites = await forEachCase(ports, await ports.store.dueCaseIds('invite', now), async (caseId) => {
    for (const action of await decideAndCarryOut(ports, caseId, now, decideInvitations, undefined)) {
      if (action === 'invite') counts.invited++;
      else if (action === 'remind') counts.reminded++;
      else counts.defaulted++;
    }
  });
  const failedRects = await forEachCase(ports, await ports.store.dueCaseIds('rectification', now), async (caseId) => {
    const flags = await decideAndCarryOut(ports, caseId, now, decideOverdue, undefined);
    counts.overdue += flags.kinds.length;
    overdueFlagged(ports, flags, now);
  });
  await emitFigures(ports, now);
  const summary: ScheduleSummary = { ...counts, failed: failedInvites + failedRects };
  scheduleRan(ports, summary, now);
  return summary;
}
