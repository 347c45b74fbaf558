/**
 * How the hard-case schedule goes through what is due (the use case is `runSchedule` in service.ts): a few
 * cases at a time, a failure of one logged, counted and left due for the next run, and no case started
 * once the run's time is running out (those stay due too, counted in `deferred`).
 */
import { logger } from '#platform/powertools';
import { countedRun, timeBox, type TimeLeft, type WriteItemCounts } from '#platform/time-reserve';
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

export interface ScheduleRunOptions {
  /** The time the run has left; unset, the run takes every case that is due. */
  readonly timeLeftMs?: TimeLeft;
  /** Where the run's ItemsFailed and ItemsDeferred are written, once, as it ends. */
  readonly counted: WriteItemCounts;
  readonly log?: ScheduleLog;
}

/**
 * One run of the schedule: `run` goes through what is due with the `forEach` it is given, which runs the
 * work over the ids, CONCURRENCY at a time; a failure of one id is logged and counted, and it stays due for
 * the next run. Once the time left falls below the reserve, the ids not started are left due for the next
 * run and counted in `deferred`, over every `forEach` of the run.
 *
 * The run's failed and deferred are written once, by `counted`, as it ends, returned or thrown (countedRun:
 * a later list's read that throws keeps what was counted), and its `deferred` comes back beside what `run`
 * returned. The time box stays here: the run has its loop, the `forEach`, and nothing else of it.
 */
export async function runWithin<R extends object>(options: ScheduleRunOptions, run: (forEach: ForEach) => Promise<R>): Promise<R & { readonly deferred: number }> {
  const { timeLeftMs, counted, log = logger } = options;
  const box = timeBox(HARDCASE_TIME_RESERVE_MS, timeLeftMs);
  const forEach: ForEach = async (ids, work) => {
    const within = await box.forEachWithin(ids, CONCURRENCY, work, {
      onError: (id, error) => log.error('hardcase schedule: failed; it stays due and is retried next run', { id, error }),
    });
    return within.failed;
  };
  const ran = await countedRun(box, counted, () => run(forEach));
  return { ...ran, deferred: box.deferred };
}
