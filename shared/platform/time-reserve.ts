/**
 * The time box of a run that works through a list (a schedule, the upward sender, an operator's re-push):
 * once the time the function has left falls below a reserve, it starts no more items; those not started
 * are counted as deferred and stay as they were (due, or in their state), for the next run. The reserve is
 * what the items in flight and the end of the run (its counts, its log line, its answer) need, so the run
 * returns before the function's timeout instead of being cut short by it.
 *
 * Pure: the time left comes in as a function (the Lambda context's getRemainingTimeInMillis, passed down
 * through the use case's options); without it, a run takes every item.
 */
import { inPool } from './pool';

/** The time the run has left, in milliseconds. */
export type TimeLeft = () => number;

export interface TimeBox {
  /**
   * True once the time left is below the reserve: the caller does not start the item, which is counted
   * in `deferred`. Once true it stays true for the rest of the run (the time left only goes down).
   */
  outOfTime(): boolean;
  /** Runs `work` over `items`, at most `concurrency` at once, starting none once out of time. */
  forEachWithin<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void>;
  /** Items not started because the time was running out. */
  readonly deferred: number;
}

/** A time box keeping `reserveMs` back; with no `timeLeftMs`, never out of time. */
export function timeBox(reserveMs: number, timeLeftMs?: TimeLeft): TimeBox {
  if (!Number.isFinite(reserveMs) || reserveMs < 0) throw new Error(`reserveMs must be a non-negative number of milliseconds; got ${reserveMs}`);
  let deferred = 0;
  let out = false;
  const outOfTime = (): boolean => {
    if (!out && timeLeftMs !== undefined && timeLeftMs() < reserveMs) out = true;
    if (out) deferred++;
    return out;
  };
  return {
    outOfTime,
    async forEachWithin(items, concurrency, work) {
      await inPool(items, concurrency, async (item) => {
        if (!outOfTime()) await work(item);
      });
    },
    get deferred() {
      return deferred;
    },
  };
}

/** The time left of a Lambda invocation's context, if it has one (a local or test invocation may not). */
export function lambdaTimeLeft(context: unknown): TimeLeft | undefined {
  const remaining = (context as { getRemainingTimeInMillis?: unknown } | null | undefined)?.getRemainingTimeInMillis;
  return typeof remaining === 'function' ? () => remaining.call(context) as number : undefined;
}
