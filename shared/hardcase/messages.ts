/**
 * What a hard-case change says to others, built from the domain's results: outbound `gov.hardcase.*`
 * events with ids stable per fact (one opening per case, one event per step, one overdue flag per kind and
 * per raising: a flag raised again after its withdrawal has an id of its own),
 * the audit lines of the history entries it added, and the pointer its receipt carries.
 */
import type { OutboundEvent } from '#contract/outbound';
import type { AuditEntry } from '#platform/audit';
import { auditSource, type EventRef } from '#platform/inbound';
import type { EffectPointer } from '#platform/receipts';
import type { RefusedEvent } from './ports';
import {
  hardCaseActionKey,
  HARDCASE_OPENED_EVENT_TYPE,
  HARDCASE_OVERDUE_EVENT_TYPE,
  type HardCase,
  type HardCaseActor,
  type HardCaseHistoryEntry,
  type HardCaseOutboundEvent,
} from './domain';

export function outboundId(event: HardCaseOutboundEvent): string {
  const data = event.data as { action?: unknown; at?: unknown; kind?: unknown; flag?: unknown };
  if (event.type === HARDCASE_OVERDUE_EVENT_TYPE) {
    // The first flag of a kind keeps the id it always had; a flag raised again after a withdrawal gets its number.
    const again = typeof data.flag === 'number' && data.flag > 1 ? `:${data.flag}` : '';
    return `${event.type}:${event.subject}:${String(data.kind)}${again}`;
  }
  if (event.type === HARDCASE_OPENED_EVENT_TYPE) return `${event.type}:${event.subject}`;
  return `${event.type}:${hardCaseActionKey(event.subject, String(data.action), String(data.at))}`;
}

export function toOutbound(events: readonly HardCaseOutboundEvent[], now: string): OutboundEvent[] {
  return events.map((event) => {
    const at = (event.data as { at?: unknown }).at;
    return {
      type: event.type as `gov.${string}`,
      id: outboundId(event),
      subject: event.subject,
      time: typeof at === 'string' ? at : now,
      data: { ...event.data },
    };
  });
}

/**
 * One audit line per history entry: who, what, when, why; the entry's key makes a redelivery write it once.
 * `source` is the system that posted the event the change came from (its CloudEvents `source`, the principal
 * that signed it): the actor is who the step names, so without it a line would not say which system caused
 * it. Absent for a change made by CivicFlow itself (an offered case, the schedule's overdue flags).
 */
export function auditOf(caseId: string, entry: HardCaseHistoryEntry, hc: HardCase, source?: string): AuditEntry {
  const overdue = entry.action === 'overdue' || entry.action === 'overdueWithdrawn';
  const flag = entry.action === 'overdue' ? 'overdue' : 'overdue-withdrawn';
  return {
    subject: `hardcase:${caseId}`,
    action: overdue ? `${flag}:${entry.key.split('|').pop()}` : `state:${entry.from ?? 'none'}->${entry.to}`,
    actor: `${entry.actor.departmentCode}/${entry.actor.staffId}`,
    at: entry.at,
    why: entry.note ?? entry.action,
    causeId: entry.key,
    details: {
      step: entry.action,
      ...(entry.action === 'open' ? { origin: hc.origin, channel: hc.channel } : {}),
      ...(hc.cause !== undefined && entry.action !== 'open' && !overdue ? { cause: hc.cause } : {}),
      ...(entry.action === 'returnVisit' && hc.returnVisit !== undefined ? { satisfied: hc.returnVisit.satisfied } : {}),
      ...(source !== undefined ? { source } : {}),
    },
  };
}

/** The audit lines of the entries `next` has beyond `before`'s, each naming `source` when an upstream event made them. */
export function auditsOfChange(before: HardCase | undefined, next: HardCase, source?: string): AuditEntry[] {
  return next.history.slice(before?.history.length ?? 0).map((entry) => auditOf(next.caseId, entry, next, source));
}

/**
 * The audit line of a refused report or update, written with the refusal record and receipt so that a
 * redelivery, which finds them, writes none. `caseId` is the case the event names, known or not: a step refused as
 * HARDCASE_UNKNOWN has no case to keep it on, but an auditor asked about that case searches its subject
 * (`hardcase:<caseId>`), and a case reported later shows there what was sent for it before. The action
 * (`refused:<step>`, `refused:report` for a second report) reads as the rectification's refusals do; the
 * actor is who the step names, or for a report the system that posted it (a report names no staff member).
 */
export function auditOfRefusal(caseId: string, refused: RefusedEvent, ref: EventRef, actor?: HardCaseActor): AuditEntry {
  const step = refused.action ?? 'report';
  return {
    subject: `hardcase:${caseId}`,
    action: `refused:${step}`,
    actor: actor !== undefined ? `${actor.departmentCode}/${actor.staffId}` : ref.source,
    at: refused.recordedAt,
    why: `${refused.code}: ${refused.reason}`,
    // The event, not the step: each refused event has its own record, and its receipt goes by the same id.
    causeId: ref.id,
    details: {
      code: refused.code,
      reason: refused.reason,
      step,
      ...(refused.at !== undefined ? { at: refused.at } : {}),
      ...refused.details,
      ...auditSource(ref),
    },
  };
}

export function caseEffect(hc: HardCase): EffectPointer {
  return { resource: 'hardcase', id: hc.caseId, href: `/hardcases/${encodeURIComponent(hc.caseId)}`, version: hc.version, state: hc.state };
}
