/**
 * What the use cases record besides state: receipts for the sources of inbound events, audit lines, and
 * refusals. Built from domain results; written through the store port.
 */
import type { AuditEntry } from '#platform/audit';
import { logger } from '#platform/powertools';
import { auditDetails, auditSource } from '#platform/inbound';
import { withKind, type EffectPointer, type Receipt } from '#platform/receipts';
import type { Transition } from '../domain';
import type { PolicyEventPorts, Refusal } from '../ports';

/** The message that caused a use case: who sent it, its id (the key of its audit and refusal) and type. */
export interface Cause {
  readonly id: string;
  readonly source: string;
  readonly type: string;
}

/** The actors of the audit lines written by CivicFlow itself (a profile re-match, a publication's slices). */
export const POLICY_ACTOR = '/civicflow/policy';
export const MATCH_ACTOR = '/civicflow/match';

export const policyEffect = (policyId: string, version?: number): EffectPointer => ({
  resource: 'policy',
  id: policyId,
  href: `/policies/${encodeURIComponent(policyId)}`,
  ...(version === undefined ? {} : { version }),
});

export const entitlementEffect = (policyId: string, creditCode: string, state?: string): EffectPointer => ({
  resource: 'entitlement',
  id: `${policyId}/${creditCode}`,
  href: `/enterprises/${encodeURIComponent(creditCode)}/policies`,
  ...(state === undefined ? {} : { state }),
});

/**
 * The audit line of a pair's transitions committed together, keyed by the revision they made; `cause` the
 * upstream event that made them, if one did (a confirmation, an objection, a recovery), whose source it names.
 */
export function transitionsAudit(chain: readonly Transition[], actor: string, cause?: Cause): AuditEntry {
  const first = chain[0]!;
  const last = chain[chain.length - 1]!;
  const next = last.next;
  const steps = chain.flatMap((t) => t.steps);
  return {
    subject: `entitlement:${first.policyId}/${first.creditCode}`,
    action: steps.length > 0 ? `state:${first.from ?? 'NONE'}->${next.state}` : 'refreshed',
    actor,
    at: last.at,
    why: steps.map((s) => s.reason).join(',') || last.reason,
    causeId: `r${next.revision}`,
    details: { policyVersion: next.policyVersion, ...(next.explanation ? { explanation: next.explanation } : {}), ...auditSource(cause) },
  };
}

/** An event that changed nothing: its receipt, create-only (a redelivery keeps the first outcome). */
export async function noEffect(
  ports: PolicyEventPorts,
  cause: Cause,
  kind: 'DUPLICATE' | 'STALE' | 'REPLAY',
  reason: string,
  effect: EffectPointer,
): Promise<void> {
  await ports.store.recordReceipt(withKind(cause, ports.clock.now(), kind, reason, { effect }));
}

/**
 * A semantic refusal: kept with the policy, answered in the receipt, audited and logged; never thrown.
 * Returns the receipt that stands (a redelivery keeps the first delivery's outcome).
 */
export async function refuse(
  ports: PolicyEventPorts,
  cause: Cause,
  policyId: string,
  r: { readonly reason: string; readonly message: string; readonly creditCode?: string },
): Promise<Receipt> {
  const { refusal, receipt, audit } = refusalOf(cause, policyId, r, ports.clock.now());
  const standing = await ports.store.recordRefusal(policyId, cause.id, refusal, receipt, audit);
  logger.warn('policy event refused', { eventId: cause.id, type: cause.type, policyId, reason: r.reason });
  return standing;
}

/** What a refusal records: its record with the policy, its receipt and its audit line. */
function refusalOf(
  cause: Cause,
  policyId: string,
  r: { readonly reason: string; readonly message: string; readonly creditCode?: string },
  at: string,
): { readonly refusal: Refusal; readonly receipt: Receipt; readonly audit: AuditEntry } {
  const effect = r.creditCode ? entitlementEffect(policyId, r.creditCode) : policyEffect(policyId);
  return {
    refusal: { type: cause.type, reason: r.reason, message: r.message, at, ...(r.creditCode ? { creditCode: r.creditCode } : {}) },
    receipt: withKind(cause, at, r.reason, r.message, { effect }),
    audit: {
      subject: r.creditCode ? `entitlement:${policyId}/${r.creditCode}` : `policy:${policyId}`,
      action: `refused:${cause.type}`,
      actor: cause.source,
      at,
      why: `${r.reason}: ${r.message}`,
      causeId: cause.id,
      ...auditDetails(cause),
    },
  };
}
