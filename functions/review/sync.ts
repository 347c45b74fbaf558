/**
 * The upward sender (好差评 → the provincial / national platform, every minute): sends the outbox's due
 * records and expires stuck attempts (shared/review/sync.ts `runSync`). Invoked with
 * `{"repush": {...}, "actor": "..."}` it re-pushes the records an operator names first (`npm run resync`;
 * in AWS, `aws lambda invoke` with the same payload), then sends. A stage without `upward` does nothing.
 */
import middy, { type MiddyHandlerObject } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { logger, metrics } from '#platform/powertools';
import { flushMetricsBeforeDeadline } from '#platform/metrics-deadline';
import { SYNC_STATES } from '#review/domain/upward/sync';
import { timeLeftOptions } from '#platform/time-reserve';
import { repushRecords, REPUSH_MAX_RECORDS, runSync, type RepushSummary, type SyncRunOptions, type SyncSummary } from '#review/sync';
import { stageSyncPorts } from '#review/adapters';

const states = z.array(z.enum(SYNC_STATES)).check(z.minLength(1));
const repushSchema = z.object({
  repush: z.discriminatedUnion('by', [
    z.object({ by: z.literal('record'), recordIds: z.array(z.string().check(z.minLength(1), z.maxLength(200))).check(z.minLength(1), z.maxLength(REPUSH_MAX_RECORDS)) }),
    z.object({ by: z.literal('day'), day: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)), states: z.optional(states) }),
    z.object({ by: z.literal('state'), states }),
  ]),
  remap: z.optional(z.boolean()),
  actor: z.string().check(z.minLength(1), z.maxLength(200)),
});

export type SyncResult =
  | { readonly disabled: true }
  | { readonly repush?: RepushSummary; readonly sync: SyncSummary }
  | { readonly error: string };

export async function runUpwardSync(event: unknown, options: SyncRunOptions = {}): Promise<SyncResult> {
  const ports = stageSyncPorts();
  if (ports === undefined) return { disabled: true };
  if (typeof event === 'object' && event !== null && 'repush' in event) {
    const parsed = repushSchema.safeParse(event);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return { error: `${['repush', ...issue.path.map(String)].join('.')}: ${issue.message}` };
    }
    const { repush, remap, actor } = parsed.data;
    // Both stop starting records with the same time left, so the answer reaches the operator; what the
    // re-push had no time for is in `repush.deferred` (and ItemsDeferred, as what failed is in ItemsFailed),
    // and `repush.continueWith` re-pushes it.
    const summary = await repushRecords(ports, repush, { remap: remap ?? true, actor, ...options });
    return { repush: summary, sync: await runSync(ports, options) };
  }
  return { sync: await runSync(ports, options) };
}

// Stops starting records (re-pushes and sends) before the function's timeout, so the run returns and its
// counts are written; and after middy's end of the invocation (its signal), should a send outlast the reserve.
export const handler = middy(
  async (event: unknown, context: Context, { signal }: MiddyHandlerObject): Promise<SyncResult> =>
    runUpwardSync(event, timeLeftOptions(context, signal)),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(flushMetricsBeforeDeadline(metrics));
