/**
 * The 免申即享 schedule (every 15 minutes): publicity windows (公示期) that closed — counted in working days
 * on the stage's calendar — have their listed pairs notified or granted (shared/entitlement/service/
 * publicity.ts); then the time index's due buckets have their pairs re-evaluated and deferred runs started
 * (shared/entitlement/service/time.ts). It reads only sparse indexes; re-running it changes nothing.
 */
import middy, { type MiddyHandlerObject } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { logger, metrics } from '#platform/powertools';
import { flushMetricsBeforeDeadline } from '#platform/metrics-deadline';
import { countedRun, itemCountsTo, timeLeftOptions } from '#platform/time-reserve';
import type { PublicitySummary, TimeIndexSummary } from '#entitlement/service';
import { entitlementService as service } from '#entitlement/adapters';

/** The run's ItemsFailed and ItemsDeferred, once: the windows' and the time index's together. */
const writeItemCounts = itemCountsTo((name, value) => metrics.addMetric(name, MetricUnit.Count, value));

export const handler = middy(async (_event: unknown, context: Context, { signal }: MiddyHandlerObject): Promise<PublicitySummary & { timeIndex: TimeIndexSummary }> => {
  // The windows the close finished (PublicityWindowsClosed) and the pairs it pushed or lapsed
  // (EntitlementsNotified, EntitlementsGranted, PublicityPairsLapsed) are counted by the service as each is
  // done, as the policy consumer counts those it moves: not again here.
  // Stops starting windows with 20 s left, so the time index's pass below has its turn every run; and none
  // once middy has ended the invocation (its signal), when the pass, given no time, reads nothing either.
  const time = timeLeftOptions(context, signal);
  // TimeIndexReevaluations likewise, as the time index sends them. ItemsFailed is one count for the run:
  // the windows and the time index's entries that failed (each logged); ItemsDeferred likewise, the windows
  // not started and one for a pass that stopped for its time before its last due bucket (it counts no
  // entries it did not read). The pass gives its counts as it ends (countedRun), so what it counted before
  // a store failure ends it is written with the windows', as the other schedules' runs write theirs; and a
  // run whose windows' list cannot be read still writes its counts (0 and 0), as the run's end.
  const counts = { failed: 0, deferred: 0 };
  return countedRun(counts, writeItemCounts, async () => {
    const summary = await service.closePublicityWindows(time);
    counts.failed += summary.failed;
    counts.deferred += summary.deferred;
    const timeIndex = await service.runTimeIndex({
      ...time,
      counted: (pass) => {
        counts.failed += pass.failed;
        counts.deferred += pass.deferred;
      },
    });
    logger.info('entitlement schedule', { ...summary, timeIndex });
    return { ...summary, timeIndex };
  });
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(flushMetricsBeforeDeadline(metrics));
