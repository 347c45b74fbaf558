/**
 * 追回: money paid under a policy taken back (gov.policy.recovered). Only a DISBURSED entitlement can be
 * recovered, never for more than was disbursed: DISBURSED → RECOVERED, the amount credited back to the
 * budget in the same write (with the counters, the audit line and the receipt), then passed on to the
 * EXHAUSTED pairs first. A refusal is recorded with its receipt and audit line. Reason `fraud` asks the
 * registry to mark the subject's credit record (benefitFraud) and publishes the mark for the credit system.
 *
 * A redelivery finds the entitlement RECOVERED with the same amount and reason: it changes nothing, and
 * re-sends what follows the change (the same ids), in case the first delivery stopped after its commit.
 */
import { applied } from '#platform/receipts';
import { fitsSubjectKind, onRecovered, subjectKindMismatch, type Entitlement, type Policy } from '../domain';
import type { RecoveryInput } from '../inbound';
import { benefitFraudEvent, benefitFraudMark, recoveredEvent } from '../messages';
import type { PolicyEventPorts } from '../ports';
import { passOnBudget } from './budget';
import { entitlementEffect, noEffect, refuse, transitionsAudit, type Cause } from './records';
import { countCommitted } from './telemetry';

const MAX_ATTEMPTS = 5;

/** gov.policy.recovered: the outcome (`DISBURSED->RECOVERED`, `unchanged:<reason>`, `refused:<reason>`). */
export async function recordRecovery(ports: PolicyEventPorts, input: RecoveryInput, cause: Cause): Promise<string> {
  const { store, clock } = ports;
  const { policyId, subjectId } = input;
  const policy = await store.getPolicy(policyId);
  const refusal = policy === undefined
    ? { reason: 'POLICY_UNKNOWN', message: 'no such policy' }
    : !fitsSubjectKind(policy, subjectId)
      ? subjectKindMismatch(policy)
      : undefined;
  if (refusal !== undefined || policy === undefined) {
    await refuse(ports, cause, policyId, { ...refusal!, creditCode: subjectId });
    return `refused:${refusal!.reason}`;
  }
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const entitlement = await store.getEntitlement(policyId, subjectId);
    const plan = onRecovered(entitlement, input);
    if (plan.kind === 'refused') {
      await refuse(ports, cause, policyId, { reason: plan.reason, message: plan.message, creditCode: subjectId });
      return `refused:${plan.reason}`;
    }
    if (plan.kind === 'unchanged') {
      await afterRecovery(ports, policy, entitlement!, cause);
      await noEffect(ports, cause, 'DUPLICATE', `the entitlement was already recovered (${input.amount}, ${input.reason})`, entitlementEffect(policyId, subjectId, 'RECOVERED'));
      return `unchanged:${plan.reason}`;
    }
    const t = plan.transition;
    const recovery = t.next.recovery!;
    const receipt = applied(cause, clock.now(), entitlementEffect(policyId, subjectId, t.to), { amount: recovery.amount, reason: recovery.reason, creditedToBudget: recovery.credited });
    const out = await store.applyTransitions([t], transitionsAudit([t], cause.source, cause), receipt);
    if (!out.ok) continue;
    countCommitted(ports.metrics, [t]);
    await afterRecovery(ports, policy, t.next, cause);
    return `${t.from}->${t.to}`;
  }
  throw new Error(`entitlement ${policyId}/${subjectId} kept changing during a recovery`);
}

/** After the commit: the outbound events, the registry's credit mark (fraud), the returned budget passed on. */
async function afterRecovery(ports: PolicyEventPorts, policy: Policy, e: Entitlement, cause: Cause): Promise<void> {
  const fraud = e.recovery?.reason === 'fraud';
  if (fraud) await ports.queues.sendCreditMarks([benefitFraudMark(e)]);
  await ports.outbound.publish([recoveredEvent(e), ...(fraud ? [benefitFraudEvent(e)] : [])]);
  if ((e.recovery?.credited ?? 0) > 0) await passOnBudget(ports, policy, cause);
}
