/**
 * The time box of a run that works through a list (a schedule, the upward sender, an operator's re-push):
 * once the time the function has left falls below a reserve, it starts no more items; those not started
 * are counted as deferred and stay as they were (due, or in their state), for the next run. The reserve is
 * what the items in flight and the end of the run (its counts, its log line, its answer) need, so the run
 * returns before the function's timeout instead of being cut short by it.
 *
 * Pure: the time left comes in as a function (the Lambda context's getRemainingTimeInMillis, passed down
 * through the use case's options); without it, a run takes every item.
 *
 * The invocation's end: middy ends a handler `timeoutEarlyInMillis` (5 ms) before the timeout, answers for
 * it (a TimeoutError) and aborts the signal it passed the handler, but the handler's promise goes on: in
 * Lambda it is frozen with the sandbox and resumes at the next invocation's thaw. So the handler turns that
 * signal into the time left (`timeLeftOptions(context, signal)`: none once it aborted), and a box starts no
 * item after the end, whatever its reserve; an item already started finishes, as at the reserve.
 */
import { inPool } from './pool';

/**
 * The count every run over a list writes of the items that failed in it (`failed`, each logged where it
 * failed): the schedules (publicity windows too), the upward sender and an operator's re-push, and the
 * simulation sweep, each under its function's `service`.
 * One alarm reads their sum, since a failed item is left as it was, and fails again every run until someone
 * looks.
 */
export const ITEMS_FAILED_METRIC = 'ItemsFailed';

/**
 * The count every run over a list writes of the items it had no time to start (`deferred`: left due, or in
 * their state, for the next run), beside ItemsFailed and under the same function's `service`, once per run
 * (0 when it took every item). A run now and then that defers some is a backlog being worked off; a schedule
 * that defers run after run does less per run than falls due, and its function's own alarm reads its count
 * over periods in a row (infra/stacks/observability.ts).
 */
export const ITEMS_DEFERRED_METRIC = 'ItemsDeferred';

/** A run's ItemsFailed and ItemsDeferred, as its time box counted them (a TimeBox is one). */
export interface ItemCounts {
  readonly failed: number;
  readonly deferred: number;
}

/** Where a run writes its ItemCounts: its function's metrics, under its `service`. */
export type WriteItemCounts = (counts: ItemCounts) => void;

/** The least a run's counts are written to: one metric of its function, by name, a Count. */
export type CountMetric = (name: string, value: number) => void;

/**
 * The one writer of a run's ItemsFailed and ItemsDeferred: both, every time, each a Count of `count`, the
 * function's metrics under its `service` (Powertools' `addMetric(name, MetricUnit.Count, value)` in a
 * handler, a use case's `metrics.count` port). The alarms read these names, units and dimensions.
 */
export function itemCountsTo(count: CountMetric): WriteItemCounts {
  return ({ failed, deferred }) => {
    count(ITEMS_FAILED_METRIC, failed);
    count(ITEMS_DEFERRED_METRIC, deferred);
  };
}

/**
 * Runs `run`, then writes the counts of its `box` once, whether it returned or threw. A run goes on past a
 * failed item (logged at ERROR) and can still throw after (a later list's read, its figures): its counts
 * written only on return, those items would raise the function's error alarm alone, never items-failed,
 * and its deferred items would be missing from items-deferred. What it counted before the throw is written.
 *
 * Every read of the run goes inside `run`, its first list's too: a run whose first read throws still writes
 * its counts (0 and 0, or what it knew), so the items-failed and `<function>-items-deferred` alarms see the
 * period as a run that did no items, not as missing data. A read that throws is not counted as a failed
 * item: it is no item left as it was (ItemsFailed is those, each logged with its id, that fail again every
 * run until someone looks), and the run's throw is its own signal, the function's error alarm (a throttled
 * read now and then is no item failing for good). Nor are the items it would have listed counted as
 * deferred: the run does not know them, and the next run reads the list again.
 */
export async function countedRun<R>(box: ItemCounts, write: WriteItemCounts, run: () => Promise<R>): Promise<R> {
  try {
    return await run();
  } finally {
    write({ failed: box.failed, deferred: box.deferred });
  }
}

/** The time the run has left, in milliseconds. */
export type TimeLeft = () => number;

/** What a run does with an item whose work failed (its log line): the box has counted it already. */
export type ItemFailed<T> = (item: T, error: Error) => void;

export interface WithinOptions<T> {
  /**
   * Makes a failure of one item that item's alone: it is counted in `failed`, told here once (the caller
   * logs it, in its own words), and the other items go on. Without it, the first failure rejects the run.
   */
  readonly onError?: ItemFailed<T>;
}

/** What one `forEachWithin` left undone: the items whose work failed, and those it did not start. */
export interface Within<T> {
  readonly failed: number;
  /** In the order of the list. */
  readonly deferred: readonly T[];
}

export interface TimeBox {
  /**
   * True once the time left is below the reserve, or none is left (the invocation ended): the caller does
   * not start the item, which is counted in `deferred`. Once true it stays true for the rest of the run
   * (the time left only goes down).
   */
  outOfTime(): boolean;
  /**
   * Runs `work` over `items`, at most `concurrency` at once, starting none once out of time. With
   * `onError`, an item that throws is counted and told, and the others go on.
   */
  forEachWithin<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>, options?: WithinOptions<T>): Promise<Within<T>>;
  /** Items not started because the time was running out. */
  readonly deferred: number;
  /** Items whose work failed, over every `forEachWithin` of the run given an `onError`. */
  readonly failed: number;
}

/** A time box keeping `reserveMs` back; with no `timeLeftMs`, never out of time. */
export function timeBox(reserveMs: number, timeLeftMs?: TimeLeft): TimeBox {
  if (!Number.isFinite(reserveMs) || reserveMs < 0) throw new Error(`reserveMs must be a non-negative number of milliseconds; got ${reserveMs}`);
  let deferred = 0;
  let failed = 0;
  let out = false;
  const outOfTime = (): boolean => {
    if (!out && timeLeftMs !== undefined) {
      // `<= 0` too: a box with no reserve still stops once the invocation has ended.
      const left = timeLeftMs();
      if (left < reserveMs || left <= 0) out = true;
    }
    if (out) deferred++;
    return out;
  };
  return {
    outOfTime,
    async forEachWithin(items, concurrency, work, { onError } = {}) {
      // Items are started in the order of the list, each decided before any await: so is this list.
      const notStarted: (typeof items)[number][] = [];
      let failedHere = 0;
      await inPool(items, concurrency, async (item) => {
        if (outOfTime()) {
          notStarted.push(item);
          return;
        }
        if (onError === undefined) return work(item);
        try {
          await work(item);
        } catch (error) {
          failed++;
          failedHere++;
          onError(item, error as Error);
        }
      });
      return { failed: failedHere, deferred: notStarted };
    },
    get deferred() {
      return deferred;
    },
    get failed() {
      return failed;
    },
  };
}

/** The time left of a Lambda invocation's context, if it has one (a local or test invocation may not). */
export function lambdaTimeLeft(context: unknown): TimeLeft | undefined {
  const remaining = (context as { getRemainingTimeInMillis?: unknown } | null | undefined)?.getRemainingTimeInMillis;
  return typeof remaining === 'function' ? () => remaining.call(context) as number : undefined;
}

/** A run's time option: the time it has left; unset, the run takes every item. */
export interface TimeLeftOptions {
  readonly timeLeftMs?: TimeLeft;
}

/**
 * A use case's time option from a Lambda invocation's context: `{ timeLeftMs }` when it has the time left,
 * nothing when it has not (the run then takes every item).
 *
 * Every handler built with middy passes the `signal` middy gives it (`handler(event, context, { signal })`):
 * once it aborts, middy has ended the invocation and answered for it, and the time left is 0, so no run
 * starts another item in a promise nobody waits for any more (frozen, then resumed at the next invocation's
 * thaw). A context without the clock but with a signal leaves every item to the signal alone.
 */
export function timeLeftOptions(context: unknown, signal?: AbortSignal): TimeLeftOptions {
  const timeLeftMs = lambdaTimeLeft(context);
  if (signal === undefined) return timeLeftMs === undefined ? {} : { timeLeftMs };
  const clock = timeLeftMs ?? (() => Number.POSITIVE_INFINITY);
  return { timeLeftMs: () => (signal.aborted ? 0 : clock()) };
}
