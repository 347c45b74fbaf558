/**
 * How the hard-case schedule goes through what is due (the use case is `runSchedule` in service.ts): a few
 * cases at a time, a failure of one logged, counted and left due for the next run, and no case started
 * once the run's time is running out (those stay due too, counted in `deferred`).
 */
import { logger } from '#platform/powertools';
import { itemCountsOf, timeBox, type ItemCounts, type TimeLeft } from '#platform/time-reserve';
import type { ForEach } from './service';

const CONCURRENCY = 4;

/**
 * Time kept back at the end of a run: the cases in flight finish (a load and a write each, well under a
 * second) and the run counts what it did (HardCasesOverdue and HardCasesOffered are written when it
 * returns). A run the function's timeout cut short would lose those counts for good: the cases it moved
 * are no longer due.
 */
export const HARDCASE_TIME_RESERVE_MS = 10_000;

/** Where a failed case is logged (the functions' logger unless told otherwise). */
export interface ScheduleLog {
  error(message: string, attributes: Record<string, unknown>): void;
}

/**
 * Runs the work over the ids, CONCURRENCY at a time; a failure of one id is logged and counted, and it stays
 * due for the next run. Once the time left falls below the reserve, the ids not started are left due for
 * the next run and counted in `deferred`, over every `forEach` of the run.
 *
 * `counts`: the run's failed and deferred over every `forEach`, read as they are now, so known even when a
 * later list's read throws (the handler's countedRun writes them) and the one place the summary reads them.
 */
export function forEachWithin(timeLeftMs?: TimeLeft, log: ScheduleLog = logger): { readonly forEach: ForEach; readonly counts: ItemCounts } {
  const box = timeBox(HARDCASE_TIME_RESERVE_MS, timeLeftMs);
  const forEach: ForEach = async (ids, work) => {
    const within = await box.forEachWithin(ids, CONCURRENCY, work, {
      onError: (id, error) => log.error('hardcase schedule: failed; it stays due and is retried next run', { id, error }),
    });
    return within.failed;
  };
  // The box's counts only: its loop is the forEach above.
  return { forEach, counts: itemCountsOf(box) };
}
