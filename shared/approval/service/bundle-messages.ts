/**
 * What a bundle version tells others, rebuilt identically on a retry: one `gov.application.decided` per
 * child this version decided or changed (the child's own summary, with the bundle it belongs to), one
 * `gov.application.bundle.decided` with the roll-up (every version, the schedule's overdue flag included,
 * id derived from the version), the bundle's effects (its review case), its audit line and its event's receipt.
 */
import type { OutboundEvent } from '#contract/outbound';
import type { AuditEntry } from '#platform/audit';
import { auditSource } from '#platform/inbound';
import { applied, isInbound, type Receipt } from '#platform/receipts';
import type { BundleState } from '../domain/bundle/application';
import { flaggedIn } from '../domain/bundle/later';
import { causeKey, type Cause } from '../domain/decision';
import type { BundleVersionCause } from '../bundle-ports';
import { applicationHref, outboundFor, verificationOverdueFor } from '../messages';
import type { Outbox } from '../ports';

export function bundleMessages(state: BundleState, cause: BundleVersionCause): Outbox {
  // The schedule's overdue flag changes no decision and no status: it tells of the children it flagged, and
  // announces the version like any other (same roll-up, the children's flags), so a consumer of
  // gov.application.bundle.decided sees every version number.
  if (cause === 'overdueFlag') {
    return { outbound: [...flaggedIn(state).map((c) => overdueEventOf(state, c.decision!, state.updatedAt)), bundleDecidedFor(state)], effects: [] };
  }
  const children = state.children.flatMap((c) => (c.decision && state.changedChildren.includes(c.itemCode) ? [c.decision] : []));
  const childEvents = children.map((d): OutboundEvent => {
    const event = outboundFor(d, cause);
    return {
      ...event,
      subject: state.applicationId,
      data: { ...event.data, bundleApplicationId: state.applicationId, bundleCode: state.bundleCode, query: applicationHref(state.applicationId) },
    };
  });
  return { outbound: [...childEvents, bundleDecidedFor(state)], effects: state.effects };
}

/** A child's verification flagged overdue, as a single item's flag says it, with the bundle it belongs to. */
function overdueEventOf(state: BundleState, d: NonNullable<BundleState['children'][number]['decision']>, flaggedAt: string): OutboundEvent {
  const event = verificationOverdueFor(d, flaggedAt);
  return { ...event, subject: state.applicationId, data: { ...event.data, bundleApplicationId: state.applicationId, bundleCode: state.bundleCode, query: applicationHref(state.applicationId) } };
}

/** The roll-up of one bundle version; its id names the application and the version. */
export function bundleDecidedFor(s: BundleState): OutboundEvent {
  return {
    type: 'gov.application.bundle.decided',
    id: `bundle-decision:${s.applicationId}:${s.sequence}`,
    subject: s.applicationId,
    time: s.updatedAt,
    data: {
      applicationId: s.applicationId,
      bundleCode: s.bundleCode,
      bundleVersion: s.bundleVersion,
      leadDepartmentCode: s.leadDepartmentCode,
      channel: s.channel,
      status: s.status,
      reasons: s.reasons.map((r) => ({ code: r.code, message: r.message })),
      questions: s.questions.map((q) => ({ id: q.id, text: q.text })),
      children: s.children.map((c) => ({
        itemCode: c.itemCode,
        required: c.required,
        departmentCode: c.departmentCode,
        state: c.state.kind === 'decided' ? c.state.outcome : c.state.kind,
        ...(c.decision?.certificateNo ? { certificateNo: c.decision.certificateNo } : {}),
        ...(c.verificationOverdueAt !== undefined ? { verificationOverdue: { flaggedAt: c.verificationOverdueAt } } : {}),
      })),
      notice: s.notice,
      materialsSaved: s.materialsSaved,
      dueAt: s.dueAt,
      submittedAt: s.submittedAt,
      decidedAt: s.decidedAt,
      updatedAt: s.updatedAt,
      sequence: s.sequence,
      query: applicationHref(s.applicationId),
    },
  };
}

export function bundleAudit(s: BundleState, cause: Cause, action: string, at: string): AuditEntry {
  return {
    subject: `application:${s.applicationId}`,
    action,
    actor: cause.source,
    at,
    why: s.reasons.map((r) => r.code).join(',') || 'every applicable child approved',
    causeId: causeKey(cause),
    details: { cause, ...auditSource(cause), bundleCode: s.bundleCode, status: s.status, children: s.changedChildren },
  };
}

export function bundleReceipt(s: BundleState, cause: Cause): Receipt | undefined {
  if (!isInbound(cause)) return undefined;
  return applied(cause, s.updatedAt, { resource: 'application', id: s.applicationId, version: s.sequence, state: s.status, href: applicationHref(s.applicationId) });
}
