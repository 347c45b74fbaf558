/**
 * The audit lines and receipts of the review use cases: who did what to a case or a rectification and
 * why, and what became of each inbound event, for the source that sent it.
 */
import type { AuditEntry } from '#platform/audit';
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
  return { subject: `case:${caseId}`, action, actor, at, why, causeId, ...(details ? { details } : {}) };
}

/**
 * `{ source }` for the audit line of a change an upstream event made: the system that posted it (its
 * CloudEvents `source`, the principal that signed it), besides the actor the event names (a channel, a
 * department and staff member). Nothing for a change CivicFlow made itself (the schedule, an approval's case).
 */
export function sourceOf(ref: EventRef | undefined): { readonly source: string } | Record<string, never> {
  return inbound(ref) ? { source: ref.source } : {};
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
    details: { step: entry.action, ...(entry.satisfied !== undefined ? { satisfied: entry.satisfied } : {}), ...sourceOf(cause) },
  };
}
