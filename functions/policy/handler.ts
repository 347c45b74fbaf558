/**
 * 免申即享 (SPEC §5): policy publication and withdrawal, one-click confirmations, disbursements, and the
 * re-match of one enterprise against every active policy after its profile or credit record changed.
 * Publication fans out one match slice per enterprise shard (functions/policy/match.ts).
 */
import { sqsConsumer, type QueuedEvent } from '../../shared/platform/consumer';
import { logger } from '../../shared/platform/powertools';
import { sendMessages } from '../../shared/platform/queues';
import { publish } from '../../shared/platform/outbound';
import { appendAudit } from '../../shared/platform/audit';
import { nowIso } from '../../shared/platform/clock';
import { getCredit, getEnterpriseProfile, ENTERPRISE_SHARDS } from '../../shared/registry/store';
import {
  onConfirmed,
  onDisbursed,
  onWithdrawn,
  planPublish,
  reservationAmount,
  type Plan,
  type Policy,
  type Transition,
} from '../../shared/entitlement';
import {
  applyOne,
  getBudget,
  getEntitlement,
  getPolicy,
  guardWithdrawn,
  listActivePolicies,
  notifyMessage,
  recordRefusal,
  rematchPair,
  savePublish,
  saveWithdraw,
  sliceMessage,
  afterSettle,
  type SettleResult,
} from '../../shared/entitlement/store';

const ACTOR = '/civicflow/policy';
const MAX_ATTEMPTS = 5;

async function fanOut(policy: Policy, republish: boolean): Promise<void> {
  const time = nowIso();
  const messages = Array.from({ length: ENTERPRISE_SHARDS }, (_, shard) =>
    sliceMessage({ policyId: policy.policyId, version: policy.version, shard, ...(republish ? { republish } : {}) }, time),
  );
  await sendMessages('match', messages);
}

async function published(event: QueuedEvent): Promise<string> {
  const incoming = event.data as unknown as Policy;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const at = nowIso();
    const existing = await getPolicy(incoming.policyId);
    const plan = planPublish(existing, incoming, at);
    switch (plan.kind) {
      case 'publish': {
        const ok = await savePublish(plan, existing, {
          subject: `policy:${plan.policy.policyId}`,
          action: `published:v${plan.policy.version}`,
          actor: event.source,
          at,
          why: plan.fromVersion === null ? 'first version' : `replaces version ${plan.fromVersion}`,
          causeId: event.id,
          details: { kind: plan.policy.kind, budget: plan.policy.budget ?? null },
        }, at);
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
        return `unchanged:${plan.reason}`;
      case 'refused':
        await refuse(event, incoming.policyId, { reason: plan.reason, message: plan.message });
        return `refused:${plan.reason}`;
      default:
        throw new Error(`unexpected plan ${plan.kind} for a publication`);
    }
  }
  throw new Error(`policy ${incoming.policyId} kept changing during publication`);
}

async function withdrawn(event: QueuedEvent): Promise<string> {
  const { policyId } = event.data as { policyId: string };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const at = nowIso();
    const existing = await getPolicy(policyId);
    const plan = onWithdrawn(existing, at);
    if (plan.kind === 'withdraw') {
      const ok = await saveWithdraw(plan.policy, {
        subject: `policy:${policyId}`,
        action: 'withdrawn',
        actor: event.source,
        at,
        why: 'gov.policy.withdrawn',
        causeId: event.id,
      });
      if (!ok) continue;
      await publish([{ type: 'gov.policy.withdrawn', id: `policy-withdrawn:${policyId}`, subject: policyId, time: at, data: { policyId, withdrawnAt: at } }]);
      return 'withdrawn';
    }
    if (plan.kind === 'unchanged') {
      await guardWithdrawn(policyId, existing?.withdrawnAt ?? at);
      return 'unchanged:ALREADY_WITHDRAWN';
    }
    if (plan.kind === 'refused') {
      await refuse(event, policyId, { reason: plan.reason, message: plan.message });
      return `refused:${plan.reason}`;
    }
  }
  throw new Error(`policy ${policyId} kept changing during withdrawal`);
}

async function refuse(
  event: QueuedEvent,
  policyId: string,
  r: { reason: string; message: string; creditCode?: string },
): Promise<void> {
  const at = nowIso();
  await recordRefusal(policyId, event.id, { type: event.type, reason: r.reason, message: r.message, at, ...(r.creditCode ? { creditCode: r.creditCode } : {}) });
  await appendAudit({
    subject: r.creditCode ? `entitlement:${policyId}/${r.creditCode}` : `policy:${policyId}`,
    action: `refused:${event.type}`,
    actor: event.source,
    at,
    why: `${r.reason}: ${r.message}`,
    causeId: event.id,
  });
  logger.warn('policy event refused', { eventId: event.id, type: event.type, policyId, reason: r.reason });
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

/** gov.policy.confirmed / gov.policy.disbursed: plan, apply conditionally, re-plan on a race. */
async function progress(event: QueuedEvent): Promise<string> {
  const data = event.data as { policyId: string; creditCode: string; at: string; amount?: number };
  const { policyId, creditCode } = data;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const policy = await getPolicy(policyId);
    const entitlement = await getEntitlement(policyId, creditCode);
    let plan: Plan;
    if (event.type === 'gov.policy.confirmed') {
      const budget = policy !== undefined && reservationAmount(policy) > 0 ? (await getBudget(policyId)) ?? 0 : undefined;
      plan = onConfirmed(entitlement, policy, data.at, budget);
    } else {
      plan = onDisbursed(entitlement, data.amount as number, data.at);
    }
    if (plan.kind === 'refused') {
      await refuse(event, policyId, { reason: plan.reason, message: plan.message, creditCode });
      return `refused:${plan.reason}`;
    }
    if (plan.kind === 'unchanged') {
      // A redelivery: the state is already there; re-send its outbound event (same id) in case it was lost.
      if (entitlement !== undefined && (plan.reason === 'ALREADY_CONFIRMED' || plan.reason === 'ALREADY_DISBURSED')) {
        const to = plan.reason === 'ALREADY_CONFIRMED' ? 'CONFIRMED' : 'DISBURSED';
        await announce({ policyId, creditCode, to, at: (to === 'CONFIRMED' ? entitlement.confirmedAt : entitlement.disbursedAt) ?? data.at });
      }
      return `unchanged:${plan.reason}`;
    }
    const t: Transition = plan.transition;
    const out = await applyOne(t, event.source);
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
async function rematch(event: QueuedEvent): Promise<string> {
  const { creditCode } = event.data as { creditCode: string };
  const [profile, credit, policies] = await Promise.all([getEnterpriseProfile(creditCode), getCredit(creditCode), listActivePolicies()]);
  if (profile === undefined || policies.length === 0) return 'nothing to match';
  const now = nowIso();
  const results: SettleResult[] = [];
  for (const policy of policies) {
    results.push(await rematchPair(policy as Policy, profile as never, credit, now, ACTOR));
  }
  await afterSettle(results, now);
  return `matched ${policies.length}`;
}

export const handler = sqsConsumer(async (event) => {
  let outcome: string;
  switch (event.type) {
    case 'gov.policy.published':
      outcome = await published(event);
      break;
    case 'gov.policy.withdrawn':
      outcome = await withdrawn(event);
      break;
    case 'gov.policy.confirmed':
    case 'gov.policy.disbursed':
      outcome = await progress(event);
      break;
    case 'civicflow.enterprise.rematch':
      outcome = await rematch(event);
      break;
    default:
      throw new Error(`policy cannot handle event type ${event.type}`);
  }
  logger.info('policy event', { type: event.type, eventId: event.id, outcome });
});
