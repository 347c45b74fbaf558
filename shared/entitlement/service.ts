/**
 * 免申即享 use cases (SPEC §5): publication and withdrawal of a policy, one-click confirmations and
 * disbursements, the re-match of one enterprise, the match slices of a publication and the delivery of
 * notifications. Each loads what it needs, calls the pure domain (`./index`), stores the result through the
 * adapter (`./store`) and sends the follow-up messages (match and notify queues, outbound `gov.*` events).
 * The consumers in `functions/entitlement/` only parse their message and call one of these.
 *
 * Outcomes: a change is one conditional write, re-planned on a race; a redelivery plans `unchanged` and
 * re-sends its messages (same ids); a semantic refusal is recorded with its reason, not thrown; what throws is
 * an infrastructure error for SQS to retry.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { appendAudit } from '#platform/audit';
import { now as clockNow, nowIso } from '#platform/clock';
import { config } from '#platform/stage-config';
import { publish } from '#platform/outbound';
import { logger, metrics } from '#platform/powertools';
import { sendInternal } from '#platform/queues';
import { matchSliceEvent } from '#contract/internal';
import { maxReceivesOf } from '#platform/resources';
import { inPool } from '#platform/pool';
import { applied, recordReceipt, withKind, type EffectPointer } from '#platform/receipts';
import { batchGetCredits, getCredit, getEnterpriseProfile, queryShardProfiles, ENTERPRISE_SHARDS } from '#registry';
import { instantOf } from '#rules/dates';
import {
  compilePolicy,
  matchEnterprise,
  matchSlice,
  onConfirmed,
  onDisbursed,
  onWithdrawn,
  planPublish,
  reservationAmount,
  type Entitlement,
  type NotificationIntent,
  type Plan,
  type Policy,
  type Transition,
} from './index';
import {
  afterSettle,
  applyOne,
  batchGetEntitlements,
  claimOutbox,
  finishSlice,
  getBudget,
  getEntitlement,
  getPolicy,
  guardWithdrawn,
  isSliceDone,
  listActivePolicies,
  markDelivered,
  markDeliveryFailed,
  readFigures,
  recordRefusal,
  rematchPair,
  savePublish,
  saveWithdraw,
  settlePair,
  type SettleResult,
  type SliceData,
} from './store';

/** The message that caused a use case: who sent it, its id (the key of its audit and refusal) and type. */
export interface Cause {
  readonly id: string;
  readonly source: string;
  readonly type: string;
}

/** gov.policy.confirmed / gov.policy.disbursed data. */
export interface ProgressData {
  readonly policyId: string;
  readonly creditCode: string;
  readonly at: string;
  readonly amount?: number;
}

const POLICY_ACTOR = '/civicflow/policy';
const MATCH_ACTOR = '/civicflow/match';
const MAX_ATTEMPTS = 5;
/** Pairs settled at once within a slice: enough to hide DynamoDB latency, few enough to rarely conflict. */
const PAIR_CONCURRENCY = 12;
const WEBHOOK_TIMEOUT_MS = 10_000;
/** A SENDING claim older than this was left by a crashed attempt (well over the webhook timeout). */
const STALE_CLAIM_MS = 60_000;

async function fanOut(policy: Policy, republish: boolean): Promise<void> {
  const time = nowIso();
  const messages = Array.from({ length: ENTERPRISE_SHARDS }, (_, shard) =>
    matchSliceEvent({ policyId: policy.policyId, version: policy.version, shard, ...(republish ? { republish } : {}) }, time),
  );
  await sendInternal(messages);
}

const policyEffect = (policyId: string, version?: number): EffectPointer => ({
  resource: 'policy',
  id: policyId,
  href: `/policies/${encodeURIComponent(policyId)}`,
  ...(version === undefined ? {} : { version }),
});

const entitlementEffect = (policyId: string, creditCode: string, state?: string): EffectPointer => ({
  resource: 'entitlement',
  id: `${policyId}/${creditCode}`,
  href: `/enterprises/${encodeURIComponent(creditCode)}/policies`,
  ...(state === undefined ? {} : { state }),
});

/** An event that changed nothing: its receipt, create-only (a redelivery keeps the first outcome). */
async function noEffect(cause: Cause, kind: 'DUPLICATE' | 'STALE' | 'REPLAY', reason: string, effect: EffectPointer): Promise<void> {
  await recordReceipt(withKind(cause, nowIso(), kind, reason, { effect }));
}

async function refuse(
  cause: Cause,
  policyId: string,
  r: { reason: string; message: string; creditCode?: string },
): Promise<void> {
  const at = nowIso();
  await recordRefusal(policyId, cause.id, { type: cause.type, reason: r.reason, message: r.message, at, ...(r.creditCode ? { creditCode: r.creditCode } : {}) });
  await recordReceipt(
    withKind(cause, at, r.reason, r.message, { effect: r.creditCode ? entitlementEffect(policyId, r.creditCode) : policyEffect(policyId) }),
  );
  await appendAudit({
    subject: r.creditCode ? `entitlement:${policyId}/${r.creditCode}` : `policy:${policyId}`,
    action: `refused:${cause.type}`,
    actor: cause.source,
    at,
    why: `${r.reason}: ${r.message}`,
    causeId: cause.id,
  });
  logger.warn('policy event refused', { eventId: cause.id, type: cause.type, policyId, reason: r.reason });
}

/** Outbound event for an entitlement's progress; the id is per (pair, state), so a re-send is the same event. */
async function announce(t: { policyId: string; creditCode: string; to: string; at: string; data?: Record<string, unknown> }) {
  await publish([
    {
      type: `gov.entitlement.${t.to.toLowerCase()}` as `gov.${string}`,
      id: `entitlement:${t.policyId}:${t.creditCode}:${t.to}`,
      subject: `${t.policyId}/${t.creditCode}`,
      time: t.at,
      data: { policyId: t.policyId, creditCode: t.creditCode, state: t.to, ...t.data },
    },
  ]);
}

/** gov.policy.published: store the version, then fan out one match slice per enterprise shard. */
export async function publishPolicy(incoming: Policy, cause: Cause): Promise<string> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const at = nowIso();
    const existing = await getPolicy(incoming.policyId);
    const plan = planPublish(existing, incoming, at);
    switch (plan.kind) {
      case 'publish': {
        const ok = await savePublish(plan, existing, {
          subject: `policy:${plan.policy.policyId}`,
          action: `published:v${plan.policy.version}`,
          actor: cause.source,
          at,
          why: plan.fromVersion === null ? 'first version' : `replaces version ${plan.fromVersion}`,
          causeId: cause.id,
          details: { kind: plan.policy.kind, budget: plan.policy.budget ?? null },
        }, at, applied(cause, at, policyEffect(plan.policy.policyId, plan.policy.version)));
        if (!ok) continue;
        await fanOut(plan.policy, plan.fromVersion !== null);
        return 'published';
      }
      case 'unchanged':
        // A replay of the stored version re-sends the fan-out: if the first delivery crashed before sending it,
        // this is what starts the run; otherwise every slice finds itself done and stops.
        if (plan.reason === 'SAME_VERSION' && existing !== undefined) {
          await fanOut(existing, existing.version > 1);
        }
        await noEffect(
          cause,
          plan.reason === 'SAME_VERSION' ? 'REPLAY' : 'STALE',
          plan.reason === 'SAME_VERSION'
            ? `policy ${incoming.policyId} version ${incoming.version} was published before with the same content`
            : `policy ${incoming.policyId} version ${incoming.version} is older than the current version ${existing?.version ?? '?'}`,
          policyEffect(incoming.policyId, incoming.version),
        );
        return `unchanged:${plan.reason}`;
      case 'refused':
        await refuse(cause, incoming.policyId, { reason: plan.reason, message: plan.message });
        return `refused:${plan.reason}`;
      default:
        throw new Error(`unexpected plan ${plan.kind} for a publication`);
    }
  }
  throw new Error(`policy ${incoming.policyId} kept changing during publication`);
}

/** gov.policy.withdrawn: mark the policy withdrawn (and guard every figure shard against late pushes). */
export async function withdrawPolicy(policyId: string, cause: Cause): Promise<string> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const at = nowIso();
    const existing = await getPolicy(policyId);
    const plan = onWithdrawn(existing, at);
    if (plan.kind === 'withdraw') {
      const ok = await saveWithdraw(plan.policy, {
        subject: `policy:${policyId}`,
        action: 'withdrawn',
        actor: cause.source,
        at,
        why: 'gov.policy.withdrawn',
        causeId: cause.id,
      }, applied(cause, at, { ...policyEffect(policyId, plan.policy.version), state: 'withdrawn' }));
      if (!ok) continue;
      await publish([{ type: 'gov.policy.withdrawn', id: `policy-withdrawn:${policyId}`, subject: policyId, time: at, data: { policyId, withdrawnAt: at } }]);
      return 'withdrawn';
    }
    if (plan.kind === 'unchanged') {
      await guardWithdrawn(policyId, existing?.withdrawnAt ?? at);
      await noEffect(cause, 'DUPLICATE', `policy ${policyId} was already withdrawn`, { ...policyEffect(policyId), state: 'withdrawn' });
      return 'unchanged:ALREADY_WITHDRAWN';
    }
    if (plan.kind === 'refused') {
      await refuse(cause, policyId, { reason: plan.reason, message: plan.message });
      return `refused:${plan.reason}`;
    }
  }
  throw new Error(`policy ${policyId} kept changing during withdrawal`);
}

/** gov.policy.confirmed / gov.policy.disbursed: plan, apply conditionally, re-plan on a race. */
export async function recordProgress(data: ProgressData, cause: Cause): Promise<string> {
  const { policyId, creditCode } = data;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const policy = await getPolicy(policyId);
    const entitlement = await getEntitlement(policyId, creditCode);
    let plan: Plan;
    if (cause.type === 'gov.policy.confirmed') {
      const budget = policy !== undefined && reservationAmount(policy) > 0 ? (await getBudget(policyId)) ?? 0 : undefined;
      plan = onConfirmed(entitlement, policy, data.at, budget);
    } else {
      plan = onDisbursed(entitlement, data.amount as number, data.at);
    }
    if (plan.kind === 'refused') {
      await refuse(cause, policyId, { reason: plan.reason, message: plan.message, creditCode });
      return `refused:${plan.reason}`;
    }
    if (plan.kind === 'unchanged') {
      // A redelivery: the state is already there; re-send its outbound event (same id) in case it was lost.
      if (entitlement !== undefined && (plan.reason === 'ALREADY_CONFIRMED' || plan.reason === 'ALREADY_DISBURSED')) {
        const to = plan.reason === 'ALREADY_CONFIRMED' ? 'CONFIRMED' : 'DISBURSED';
        await announce({ policyId, creditCode, to, at: (to === 'CONFIRMED' ? entitlement.confirmedAt : entitlement.disbursedAt) ?? data.at });
      }
      await noEffect(cause, 'DUPLICATE', `the entitlement is already ${entitlement?.state ?? plan.reason}`, entitlementEffect(policyId, creditCode, entitlement?.state));
      return `unchanged:${plan.reason}`;
    }
    const t: Transition = plan.transition;
    const out = await applyOne(t, cause.source, applied(cause, nowIso(), entitlementEffect(policyId, creditCode, t.to)));
    if (!out.ok) continue;
    await announce({
      policyId,
      creditCode,
      to: t.to,
      at: t.at,
      data: t.to === 'DISBURSED' ? { amount: t.next.amountDisbursed } : t.reservation ? { reserved: t.reservation.amount } : {},
    });
    return `${t.from}->${t.to}`;
  }
  throw new Error(`entitlement ${policyId}/${creditCode} kept changing`);
}

/** A profile or credit record changed: match the enterprise against every active policy. */
export async function rematchEnterprise(creditCode: string): Promise<string> {
  const [profile, credit, policies] = await Promise.all([getEnterpriseProfile(creditCode), getCredit(creditCode), listActivePolicies()]);
  if (profile === undefined || policies.length === 0) return 'nothing to match';
  const now = nowIso();
  const results: SettleResult[] = [];
  for (const policy of policies) {
    results.push(await rematchPair(policy as Policy, profile as never, credit, now, POLICY_ACTOR));
  }
  await afterSettle(results, now);
  return `matched ${policies.length}`;
}

/**
 * One match slice: up to `config().matching.sliceSize` profiles of one registry shard. A slice that leaves
 * more in its shard first queues the continuation, so every message does bounded work.
 *
 * A slice is bulk-matched without traces (matchSlice); only the candidates (eligible or unknown, and for a
 * newer version also the enterprises already holding an entitlement) are re-matched with their credit record
 * and trace and settled one conditional transaction each. A finished slice is recorded once (finishSlice),
 * so a redelivered slice, a duplicate continuation or a replayed publication does nothing more.
 */
export async function runMatchSlice(slice: SliceData): Promise<void> {
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
    await sendInternal([matchSliceEvent({ ...slice, cursor: page.next }, now)]);
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
    return settlePair(policy, match, now, MATCH_ACTOR, { entitlement: existing.get(profile.creditCode) });
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
  logger.debug('slice matched', {
    policyId,
    version,
    shard,
    profiles: page.profiles.length,
    eligible: bulk.eligible.length,
    needsInfo: bulk.needsInfo.length,
    settled: targets.length,
  });
}

/** The channel sender (secondary adapter): the log in development, a webhook otherwise. */
async function sendToChannel(n: NotificationIntent): Promise<void> {
  const sender = config().notificationSender;
  const message = {
    notificationId: n.notificationId,
    policyId: n.policyId,
    policyVersion: n.policyVersion,
    policyName: n.policyName,
    creditCode: n.creditCode,
    channels: n.channels,
    purpose: n.purpose,
    benefit: n.benefit,
    at: n.at,
  };
  if (sender.kind === 'log') {
    logger.info('notification (log sender)', { notification: message });
    return;
  }
  const res = await fetch(sender.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': n.notificationId },
    body: JSON.stringify(message),
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`webhook answered ${res.status} ${res.statusText}`);
}

/**
 * Delivers a pair's one notification and records the delivery status on its outbox record (PENDING →
 * SENDING → DELIVERED, or back to PENDING with the error; FAILED on the message's last receive, before SQS
 * moves it to the DLQ — a redrive retries it). A failed delivery throws, so SQS retries it.
 *
 * "Never notified twice" is a property of the entitlement (NOTIFIED is reached once, with one outbox record).
 * Towards the channel this is at-least-once only in one window: a crash after the webhook accepted and
 * before DELIVERED was written makes a retry (after the claim goes stale) send it again; the webhook gets
 * the same `idempotency-key` (the notification id) every time, so the messaging platform can drop it.
 */
export async function deliverNotification(request: {
  readonly policyId: string;
  readonly creditCode: string;
  /** The id of the notify message, for the log. */
  readonly eventId: string;
  /** The SQS ApproximateReceiveCount of the notify message. */
  readonly receiveCount: number;
}): Promise<void> {
  const { policyId, creditCode, receiveCount } = request;
  const at = nowIso();
  const claim = await claimOutbox(policyId, creditCode, at, new Date(clockNow().getTime() - STALE_CLAIM_MS).toISOString());
  if (claim.kind === 'delivered') return;
  if (claim.kind === 'missing') {
    // Sent only after the push committed, so this is a message from elsewhere: nothing to deliver.
    logger.warn('notification without an outbox record', { policyId, creditCode, eventId: request.eventId });
    return;
  }
  if (claim.kind === 'busy') throw new Error(`notification ${policyId}/${creditCode} is being delivered by another attempt`);

  const n = claim.record.notification;
  try {
    await sendToChannel(n);
  } catch (error) {
    const final = receiveCount >= maxReceivesOf('notify');
    await markDeliveryFailed(policyId, creditCode, String((error as Error)?.message ?? error), final, nowIso());
    metrics.addMetric('NotificationFailures', MetricUnit.Count, 1);
    throw error;
  }
  // Outbound before DELIVERED: a crash in between repeats both (same ids) rather than losing the event.
  await publish([
    {
      type: 'gov.entitlement.notified',
      id: `entitlement:${policyId}:${creditCode}:NOTIFIED`,
      subject: `${policyId}/${creditCode}`,
      time: n.at,
      data: {
        policyId,
        policyVersion: n.policyVersion,
        creditCode,
        purpose: n.purpose,
        channels: n.channels,
        benefit: n.benefit,
        deliveredAt: at,
      },
    },
  ]);
  await markDelivered(policyId, creditCode, nowIso());
  metrics.addMetric('NotificationsDelivered', MetricUnit.Count, 1);
  // Read by the saved Logs Insights query "who was pushed policy P and when" (infra/stacks/observability.ts).
  logger.info('entitlement.notified', {
    policyId,
    policyVersion: n.policyVersion,
    creditCode,
    notifiedAt: n.at,
    deliveredAt: at,
    channels: n.channels,
  });
}
