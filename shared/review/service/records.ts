/**
 * The audit lines and receipts of the review use cases: who did what to a case or a rectification and
 * why, and what became of each inbound event, for the source that sent it.
 */
import type { AuditEntry } from '#platform/audit';
import { auditSource } from '#platform/inbound';
import { isInbound, withKind, type EffectPointer, type EventRef } from '#platform/receipts';
import type { HistoryEntry } from '../domain/types';
import { nothing, type Effect } from './decision';

export const caseHref = (caseId: string) => `/cases/${encodeURIComponent(caseId)}`;
export const rectificationHref = (caseId: string) => `/rectifications/${encodeURIComponent(caseId)}`;

export const caseEffect = (caseId: string): EffectPointer => ({ resource: 'case', id: caseId, href: caseHref(caseId) });
export const rectificationEffect = (caseId: string): EffectPointer => ({ resource: 'rectification', id: caseId, href: rectificationHref(caseId) });

/** Receipts only for inbound events (a case opened by an approval is internal). */
export const inbound = (ref: EventRef | undefined): ref is EventRef => ref !== undefined && isInbound(ref);

/** The receipt of an event that changed nothing: create-only, so a redelivery keeps the first outcome. */
export function noEffect(ref: EventRef | undefined, now: string, reason: string, effect: EffectPointer): Effect {
  return inbound(ref) ? { kind: 'receipt', receipt: withKind(ref, now, 'DUPLICATE', reason, { effect }) } : nothing;
}

export function caseAudit(
  caseId: string,
  action: string,
  actor: string,
  at: string,
  why: string,
  causeId: string,
  details?: Record<string, unknown>,
): AuditEntry {
  // No details, or none to say (a change CivicFlow made itself has no source): the line has no `details`.
  const some = details !== undefined && Object.keys(details).length > 0;
  return { subject: `case:${caseId}`, action, actor, at, why, causeId, ...(some ? { details } : {}) };
}

/** A rectification history entry's line; `cause` is the upstream event that added the entry, if one did. */
export function rectAudit(entry: HistoryEntry, caseId: string, cause?: EventRef): AuditEntry {
  return {
    subject: `rectification:${caseId}`,
    action:
      entry.action === 'overdue'
        ? `overdue:${entry.note ?? ''}`
        : entry.action === 'overdueWithdrawn'
          ? `overdue-withdrawn:${entry.note ?? ''}`
          : `state:${entry.from ?? 'none'}->${entry.to}`,
    actor: `${entry.actor.departmentCode}/${entry.actor.staffId}`,
    at: entry.at,
    why: entry.note ?? entry.action,
    causeId: entry.key,
    details: { step: entry.action, ...(entry.satisfied !== undefined ? { satisfied: entry.satisfied } : {}), ...auditSource(cause) },
  };
}
