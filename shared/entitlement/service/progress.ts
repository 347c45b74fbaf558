/**
 * What happens to a pushed entitlement upstream: the enterprise's one-click confirmation
 * (gov.policy.confirmed) and the disbursement (gov.policy.disbursed). Planned, applied as one conditional
 * write with the event's receipt, and planned again on a race; a redelivery re-sends the outbound event.
 */
import { applied } from '#platform/receipts';
import { fitsSubjectKind, onConfirmed, onDisbursed, reservationAmount, subjectKindMismatch, type Entitlement, type Plan, type Policy } from '../domain';
import type { ProgressInput } from '../inbound';
import { restatedEvent, transitionEvent } from '../messages';
import type { PolicyEventPorts } from '../ports';
import { entitlementEffect, noEffect, refuse, transitionsAudit, type Cause } from './records';
import { countCommitted } from './telemetry';

const MAX_ATTEMPTS = 5;

async function planProgress(ports: PolicyEventPorts, input: ProgressInput, policy: Policy | undefined, entitlement: Entitlement | undefined): Promise<Plan> {
  // Days from listing to payment are counted between local dates of the stage's zone.
  if (input.kind === 'disbursed') return onDisbursed(entitlement, input.amount, input.at, ports.settings.timeZone);
  // A confirmation reserves from the budget, when the policy has one: read what remains first.
  const budget = policy !== undefined && reservationAmount(policy) > 0 ? ((await ports.store.getBudget(policy.policyId)) ?? 0) : undefined;
  return onConfirmed(entitlement, policy, input.at, budget, ports.settings.timeZone);
}

/** gov.policy.confirmed / gov.policy.disbursed: plan, apply conditionally, re-plan on a race. */
export async function recordProgress(ports: PolicyEventPorts, input: ProgressInput, cause: Cause): Promise<string> {
  const { store, clock, outbound } = ports;
  const { policyId, creditCode } = input;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const policy = await store.getPolicy(policyId);
    if (policy !== undefined && !fitsSubjectKind(policy, creditCode)) {
      await refuse(ports, cause, policyId, { ...subjectKindMismatch(policy), creditCode });
      return 'refused:SUBJECT_KIND_MISMATCH';
    }
    const entitlement = await store.getEntitlement(policyId, creditCode);
    const plan = await planProgress(ports, input, policy, entitlement);
    if (plan.kind === 'refused') {
      await refuse(ports, cause, policyId, { reason: plan.reason, message: plan.message, creditCode });
      return `refused:${plan.reason}`;
    }
    if (plan.kind === 'unchanged') {
      // A redelivery: the state is already there; re-send its outbound event (same id) in case it was lost.
      if (entitlement !== undefined && (plan.reason === 'ALREADY_CONFIRMED' || plan.reason === 'ALREADY_DISBURSED')) {
        await outbound.publish([restatedEvent(entitlement, plan.reason === 'ALREADY_CONFIRMED' ? 'CONFIRMED' : 'DISBURSED', input.at)]);
      }
      await noEffect(ports, cause, 'DUPLICATE', `the entitlement is already ${entitlement?.state ?? plan.reason}`, entitlementEffect(policyId, creditCode, entitlement?.state));
      return `unchanged:${plan.reason}`;
    }
    const t = plan.transition;
    const out = await store.applyTransitions([t], transitionsAudit([t], cause.source, cause), applied(cause, clock.now(), entitlementEffect(policyId, creditCode, t.to)));
    if (!out.ok) continue;
    countCommitted(ports.metrics, [t]);
    await outbound.publish([transitionEvent(t)]);
    return `${t.from}->${t.to}`;
  }
  throw new Error(`entitlement ${policyId}/${creditCode} kept changing`);
}
