/**
 * 免申即享 publish-time matching (SPEC §5): one slice = up to `config().matching.sliceSize` enterprise
 * profiles of one registry shard. 64 shards are matched in parallel (as many slices at once as the
 * function's concurrency allows); a slice that leaves more in its shard first queues the continuation, so
 * every message does bounded work.
 *
 * A slice is bulk-matched without traces (matchSlice); only the candidates (eligible or unknown, and for a
 * newer version also the enterprises already holding an entitlement) are re-matched with their credit record
 * and trace and settled one conditional transaction each. A finished slice is recorded once (finishSlice),
 * so a redelivered slice, a duplicate continuation or a replayed publication does nothing more.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { sqsConsumer } from '../../shared/platform/consumer';
import { logger, metrics } from '../../shared/platform/powertools';
import { sendMessages } from '../../shared/platform/queues';
import { config } from '../../shared/platform/config';
import { nowIso } from '../../shared/platform/clock';
import { instantOf } from '../../shared/rules/dates';
import { compilePolicy, matchEnterprise, matchSlice, type Entitlement } from '../../shared/entitlement';
import {
  afterSettle,
  batchGetCredits,
  batchGetEntitlements,
  finishSlice,
  getPolicy,
  inPool,
  isSliceDone,
  queryShardProfiles,
  readFigures,
  settlePair,
  sliceMessage,
  SLICE_TYPE,
  type SliceData,
} from '../../shared/entitlement/store';

const ACTOR = '/civicflow/match';
/** Pairs settled at once within a slice: enough to hide DynamoDB latency, few enough to rarely conflict. */
const PAIR_CONCURRENCY = 12;

export const handler = sqsConsumer(async (event) => {
  if (event.type !== SLICE_TYPE) throw new Error(`match cannot handle event type ${event.type}`);
  const slice = event.data as unknown as SliceData;
  const { policyId, version, shard, cursor } = slice;
  if (await isSliceDone(policyId, version, shard, cursor)) return;

  const now = nowIso();
  const policy = await getPolicy(policyId);
  // A withdrawn policy, or a newer version (which has its own run), ends this run's slice without a look.
  if (policy === undefined || policy.version !== version || policy.status === 'withdrawn') {
    await finishSlice(policyId, version, shard, cursor, { profiles: 0, continued: false, at: now });
    logger.info('slice skipped', { policyId, version, shard, status: policy?.status, current: policy?.version });
    return;
  }

  const page = await queryShardProfiles(shard, config().matching.sliceSize, cursor);
  if (page.next !== undefined) {
    await sendMessages('match', [sliceMessage({ ...slice, cursor: page.next }, now)]);
  }

  const compiled = compilePolicy(policy);
  // Without credit records a criterion on credit is unknown, never false, so this pass finds a superset of
  // the candidates (Kleene logic is monotonic) while reading no credit record of the ineligible majority.
  const bulk = matchSlice(policy, page.profiles, undefined, now, { compiled });
  const candidates = new Set([...bulk.eligible, ...bulk.needsInfo]);
  const existing = new Map<string, Entitlement>();
  if (slice.republish) {
    for (const [code, e] of await batchGetEntitlements(policyId, page.profiles.map((p) => p.creditCode))) {
      existing.set(code, e);
      candidates.add(code);
    }
  } else if (candidates.size > 0) {
    for (const [code, e] of await batchGetEntitlements(policyId, [...candidates])) existing.set(code, e);
  }
  const credits = candidates.size > 0 ? await batchGetCredits([...candidates]) : new Map();
  const targets = page.profiles.filter((p) => candidates.has(p.creditCode));
  const results = await inPool(targets, PAIR_CONCURRENCY, (profile) => {
    const match = matchEnterprise(policy, compiled, profile, credits.get(profile.creditCode), now);
    return settlePair(policy, match, now, ACTOR, { entitlement: existing.get(profile.creditCode) });
  });
  await afterSettle(results, now);

  metrics.addMetric('MatchSliceProfiles', MetricUnit.Count, page.profiles.length);
  const done = await finishSlice(policyId, version, shard, cursor, {
    profiles: page.profiles.length,
    continued: page.next !== undefined,
    at: nowIso(),
  });
  if (done.completed) {
    const figures = await readFigures(policyId);
    if (figures.lastPushAt !== undefined && policy.publishedAt !== undefined) {
      const single = metrics.singleMetric();
      single.addDimension('PolicyId', policyId);
      single.addMetric('PublishToLastPushMs', MetricUnit.Milliseconds, instantOf(figures.lastPushAt) - instantOf(policy.publishedAt));
    }
    logger.info('matching run completed', { policyId, version, lastPushAt: figures.lastPushAt, notified: figures.counters.notified });
  }
  logger.info('slice matched', {
    policyId,
    version,
    shard,
    profiles: page.profiles.length,
    eligible: bulk.eligible.length,
    needsInfo: bulk.needsInfo.length,
    settled: targets.length,
  });
});
