/**
 * A policy's own lifecycle: publication (store the version, then start its matching run: one slice per
 * registry shard) and withdrawal (nothing more is pushed; existing entitlements keep their state).
 */
import { auditSource } from '#platform/inbound';
import { applied } from '#platform/receipts';
import { budgetDelta, onWithdrawn, planPublish, type Policy, type PolicyPlan } from '../domain';
import { matchRunMessages, policyWithdrawnEvent } from '../messages';
import { deferredStart } from './time';
import type { PolicyEventPorts } from '../ports';
import { noEffect, policyEffect, refuse, type Cause } from './records';

const MAX_ATTEMPTS = 5;

/**
 * The first slices of a version's run: sent after the version is stored, and re-sent by a replay. A policy
 * published before its `validFrom` is filed in the time index instead, with its publication, and its run
 * starts that day carrying it.
 */
async function startRun(ports: PolicyEventPorts, policy: Policy, republish: boolean, cause: Cause): Promise<void> {
  if (await deferredStart(ports, policy, ports.clock.now(), cause)) return;
  await startRunNow(ports, policy, republish, cause);
}

/**
 * The first slices of a version's run, now, carrying the publication that asked for it (their audit lines name
 * its source): at once, or on its `validFrom` from the time index's entry, which kept it (an entry filed
 * before entries kept it has none, and that run's lines name no source).
 */
export async function startRunNow(ports: PolicyEventPorts, policy: Policy, republish: boolean, cause?: Cause): Promise<void> {
  await ports.queues.sendSlices(matchRunMessages(policy, republish, ports.registry.shards, ports.clock.now(), cause));
}

async function replayed(ports: PolicyEventPorts, incoming: Policy, existing: Policy | undefined, reason: 'SAME_VERSION' | 'STALE_VERSION' | 'ALREADY_WITHDRAWN', cause: Cause): Promise<string> {
  // A replay of the stored version re-sends the fan-out: if the first delivery crashed before sending it,
  // this is what starts the run; otherwise every slice finds itself done and stops.
  if (reason === 'SAME_VERSION' && existing !== undefined) await startRun(ports, existing, existing.version > 1, cause);
  await noEffect(
    ports,
    cause,
    reason === 'SAME_VERSION' ? 'REPLAY' : 'STALE',
    reason === 'SAME_VERSION'
      ? `policy ${incoming.policyId} version ${incoming.version} was published before with the same content`
      : `policy ${incoming.policyId} version ${incoming.version} is older than the current version ${existing?.version ?? '?'}`,
    policyEffect(incoming.policyId, incoming.version),
  );
  return `unchanged:${reason}`;
}

/** gov.policy.published: store the version, then fan out one match slice per enterprise shard. */
export async function publishPolicy(ports: PolicyEventPorts, incoming: Policy, cause: Cause): Promise<string> {
  const { store, clock, registry } = ports;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const at = clock.now();
    const existing = await store.getPolicy(incoming.policyId);
    const plan: PolicyPlan = planPublish(existing, incoming, at);
    switch (plan.kind) {
      case 'publish': {
        const { policy, fromVersion } = plan;
        const saved = await store.savePublish({
          policy,
          fromVersion,
          budgetDelta: budgetDelta(existing, policy),
          slicesQueued: registry.shards,
          at,
          audit: {
            subject: `policy:${policy.policyId}`,
            action: `published:v${policy.version}`,
            actor: cause.source,
            at,
            why: fromVersion === null ? 'first version' : `replaces version ${fromVersion}`,
            causeId: cause.id,
            details: { kind: policy.kind, budget: policy.budget ?? null, ...auditSource(cause) },
          },
          receipt: applied(cause, at, policyEffect(policy.policyId, policy.version)),
        });
        if (!saved) continue;
        await startRun(ports, policy, fromVersion !== null, cause);
        return 'published';
      }
      case 'unchanged':
        return replayed(ports, incoming, existing, plan.reason, cause);
      case 'refused':
        await refuse(ports, cause, incoming.policyId, { reason: plan.reason, message: plan.message });
        return `refused:${plan.reason}`;
      default:
        throw new Error(`unexpected plan ${plan.kind} for a publication`);
    }
  }
  throw new Error(`policy ${incoming.policyId} kept changing during publication`);
}

/** gov.policy.withdrawn: mark the policy withdrawn (and guard every figure shard against late pushes). */
export async function withdrawPolicy(ports: PolicyEventPorts, policyId: string, cause: Cause): Promise<string> {
  const { store, clock, outbound } = ports;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const at = clock.now();
    const existing = await store.getPolicy(policyId);
    const plan = onWithdrawn(existing, at);
    if (plan.kind === 'withdraw') {
      const saved = await store.saveWithdraw(
        plan.policy,
        { subject: `policy:${policyId}`, action: 'withdrawn', actor: cause.source, at, why: 'gov.policy.withdrawn', causeId: cause.id, details: auditSource(cause) },
        applied(cause, at, { ...policyEffect(policyId, plan.policy.version), state: 'withdrawn' }),
      );
      if (!saved) continue;
      await outbound.publish([policyWithdrawnEvent(policyId, at)]);
      return 'withdrawn';
    }
    if (plan.kind === 'unchanged') {
      await store.guardWithdrawn(policyId, existing?.withdrawnAt ?? at);
      await noEffect(ports, cause, 'DUPLICATE', `policy ${policyId} was already withdrawn`, { ...policyEffect(policyId), state: 'withdrawn' });
      return 'unchanged:ALREADY_WITHDRAWN';
    }
    if (plan.kind === 'refused') {
      await refuse(ports, cause, policyId, { reason: plan.reason, message: plan.message });
      return `refused:${plan.reason}`;
    }
  }
  throw new Error(`policy ${policyId} kept changing during withdrawal`);
}
