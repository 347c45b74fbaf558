import type { MiddlewareObj } from '@middy/core';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { logger } from './powertools';

/**
 * How long before the function's timeout the stored metrics are written. Powertools' `logMetrics` writes
 * them when the handler returns or throws; when Lambda stops the function at its timeout it does neither,
 * and the counts of the writes already committed (counted once, after their commit: a rerun finds them
 * done and counts nothing) would be lost. middy ends the handler 5 ms before the timeout, which runs
 * `logMetrics` too, but 5 ms is less than a busy event loop can hold a timer back (a large DynamoDB page
 * parsed, a batch of rules evaluated). Half a second is far more than writing the metrics takes (one JSON
 * line, under a millisecond) plus a late timer, and 5 % of the shortest timeout (10 s, ingest).
 */
export const DEADLINE_MARGIN_MS = 500;

/**
 * Writes the metrics stored so far `marginMs` before the function's timeout, while the handler still runs,
 * and logs a warning with the time left. The timer is cleared when the handler returns or throws, so a
 * handler done in time is flushed by `logMetrics` alone, as before. `publishStoredMetrics` empties the store
 * it writes, so what the timer wrote is not written again at the end; what the handler counts after it is.
 *
 * Use it after `logMetrics(metrics)` (its `after` and `onError` then run first). When less than the margin
 * is left at the start, or the context has no clock (a test calling the handler by hand), no timer is set:
 * nothing is stored yet, and middy's own early end still runs `logMetrics`. The timer is `unref`ed: it
 * never keeps the process (the local runtime, jest) alive.
 */
export function flushMetricsBeforeDeadline<TEvent = unknown, TResult = unknown>(
  metrics: Metrics,
  marginMs: number = DEADLINE_MARGIN_MS,
): MiddlewareObj<TEvent, TResult, Error, Context> {
  // One timer per invocation (the local runtime overlaps invocations of one handler in one process).
  const timers = new WeakMap<object, NodeJS.Timeout>();
  const clear = (request: object): void => {
    clearTimeout(timers.get(request));
    timers.delete(request);
  };
  return {
    before: (request) => {
      const context = request.context as Partial<Context> | undefined;
      const remaining = context?.getRemainingTimeInMillis;
      if (typeof remaining !== 'function') return;
      const delay = remaining.call(context) - marginMs;
      if (!(delay > 0)) return;
      const timer = setTimeout(() => {
        timers.delete(request);
        const remainingMs = remaining.call(context);
        try {
          if (!metrics.hasStoredMetrics()) {
            logger.warn('near the deadline: no metrics to flush', { remainingMs });
            return;
          }
          metrics.publishStoredMetrics();
          logger.warn('near the deadline: metrics flushed', { remainingMs });
        } catch (error) {
          // Thrown from a timer it would end the process; the end of the invocation tries again.
          logger.error('near the deadline: metrics not flushed', { remainingMs, error: error as Error });
        }
      }, delay);
      timer.unref();
      timers.set(request, timer);
    },
    after: clear,
    onError: clear,
  };
}
