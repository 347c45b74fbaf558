/**
 * What a decision version tells others, built purely from the domain's results so that a redelivery or a
 * retry rebuilds exactly the same messages with the same ids: the outbound `gov.application.*` events for
 * upstream systems, the internal events of its effects (the review case to 好差评, the credit
 * mark to the registry), and the receipt its event's source reads.
 */
import { applicationDecidedEvent, caseOpenedEvent, creditMarkedEvent, type InternalEvent, type InternalEventOf } from '#contract/internal';
import type { OutboundEvent } from '#contract/outbound';
import { applied, isInbound, withKind, type Receipt } from '#platform/receipts';
import { otherKindConflictReason, type ApplicationKind } from './domain/conflict';
import type { Cause, Decision, Effect, VersionCause } from './domain/decision';
import type { Application } from './domain/types';
import type { Outbox, StoredRefusalCode } from './ports';

/** The route that shows an application's decision. */
export const applicationHref = (applicationId: string) => `/applications/${encodeURIComponent(applicationId)}`;

/**
 * What a new version sends: its outbox (the outbound event and the effects, kept with the version until
 * sent) and the internal events of those effects.
 */
export function messagesOf(decision: Decision, cause: VersionCause): { readonly outbox: Outbox; readonly internal: InternalEvent[] } {
  return { outbox: { outbound: [outboundFor(decision, cause)], effects: decision.effects }, internal: effectEvents(decision.effects) };
}


/**
 * The summary upstream systems get. The trace stays behind the query route: it can be large, and the
 * applicant's identifiers need not travel to every subscriber (they know the application by its id).
 */
export function decisionSummary(d: Decision): Record<string, unknown> {
  return {
    applicationId: d.applicationId,
    itemCode: d.itemCode,
    itemVersion: d.itemVersion,
    departmentCode: d.departmentCode,
    channel: d.channel,
    outcome: d.outcome,
    reasons: d.reasons.map((r) => ({ code: r.code, message: r.message })),
    ...(d.certificateNo === undefined ? {} : { certificateNo: d.certificateNo }),
    ...(d.supplementDue === undefined ? {} : { supplementDue: d.supplementDue }),
    ...(d.verificationDue === undefined ? {} : { verificationDue: d.verificationDue }),
    materialsWaived: d.materialsWaived,
    materialsMissing: d.materialsMissing,
    materialsPending: d.materialsPending,
    submittedAt: d.submittedAt,
    decidedAt: d.decidedAt,
    updatedAt: d.updatedAt,
    sequence: d.sequence,
    query: applicationHref(d.applicationId),
  };
}

/** One outbound event per version; its id names the application and the version, so receivers can de-duplicate. */
export function outboundFor(d: Decision, cause: VersionCause): OutboundEvent {
  const [kind, type] = ((): [string, `gov.${string}`] => {
    switch (cause) {
      case 'submitted':
      case 'supplemented':
      case 'reviewed':
        return ['decision', 'gov.application.decided'];
      case 'supplementDeadline':
        return ['terminated', 'gov.application.terminated'];
      case 'verification':
        return d.outcome === 'REVOKED' ? ['revoked', 'gov.application.revoked'] : ['verified', 'gov.application.verified'];
    }
  })();
  return {
    type,
    id: `${kind}:${d.applicationId}:${d.sequence}`,
    subject: d.applicationId,
    time: d.updatedAt,
    data: {
      ...decisionSummary(d),
      ...(d.verification === undefined ? {} : { verification: d.verification }),
      ...(d.review === undefined ? {} : { review: d.review }),
    },
  };
}

/** The overdue flag of an approval on commitment whose verification was not reported in time. */
export function verificationOverdueFor(d: Decision, flaggedAt: string): OutboundEvent {
  return {
    type: 'gov.application.verification.overdue',
    id: `verification-overdue:${d.applicationId}:${d.sequence}`,
    subject: d.applicationId,
    time: flaggedAt,
    data: {
      applicationId: d.applicationId,
      itemCode: d.itemCode,
      departmentCode: d.departmentCode,
      certificateNo: d.certificateNo ?? null,
      verificationDue: d.verificationDue ?? null,
      flaggedAt,
      query: applicationHref(d.applicationId),
    },
  };
}

/** The review case of an approval: one per application whatever happens later, hence the id. */
export function caseOpenedFor(effect: Extract<Effect, { kind: 'openReviewCase' }>): InternalEventOf<'civicflow.case.opened'> {
  return caseOpenedEvent({
    caseId: effect.caseId,
    itemCode: effect.itemCode,
    departmentCode: effect.departmentCode,
    applicantId: effect.applicantId,
    channel: effect.channel,
    completedAt: effect.completedAt,
    acceptedAt: effect.acceptedAt,
  });
}

/**
 * What a version's effects tell other capabilities, as internal events on their queues: the review case
 * of an approval, the credit mark of an untruthful commitment (the registry applies it; approval has
 * no write access to the registry's table), and 办不成事's notice of a version that may offer a hard case.
 */
export function effectEvents(effects: readonly Effect[]): InternalEvent[] {
  return effects.map((effect) => {
    switch (effect.kind) {
      case 'openReviewCase':
        return caseOpenedFor(effect);
      case 'markFalseCommitment':
        return creditMarkedEvent({ subjectId: effect.subjectId, applicationId: effect.applicationId, at: effect.at, ...(effect.cause ? { cause: effect.cause } : {}) });
      case 'tellHardCase':
        return applicationDecidedEvent({ ...effect.decided, reasons: [...effect.decided.reasons] });
    }
  });
}

// ---- receipts: what became of an inbound event, for its source ----

/** An inbound event's receipt for the decision version it made (schedule runs have none). */
export function versionReceipt(decision: Decision, cause: Cause): Receipt | undefined {
  if (!isInbound(cause)) return undefined;
  return applied(cause, decision.updatedAt, {
    resource: 'application',
    id: decision.applicationId,
    version: decision.sequence,
    state: decision.outcome,
    href: applicationHref(decision.applicationId),
  });
}

/** The same application submitted again under another event id: decided once, this event had no effect. */
export function duplicateReceipt(application: Application, cause: Cause, firstCause: Cause, at: string): Receipt {
  const { applicationId } = application;
  return withKind(cause, at, 'DUPLICATE', `application ${applicationId} was submitted before with the same content (event ${firstCause.id}); it is decided once`, {
    effect: { resource: 'application', id: applicationId, href: applicationHref(applicationId) },
  });
}

/**
 * The same applicationId submitted again with other content. `kinds` when the id is held by the other kind
 * of application (a bundle's id submitted as a single item, or the reverse): the reason names both, and
 * `details` says which kind was submitted (`submittedAs`) and which holds the id (`heldAs`).
 */
export function conflictReceipt(
  applicationId: string,
  applicationHash: string,
  storedHash: string,
  cause: Cause,
  at: string,
  kinds?: { readonly submittedAs: ApplicationKind; readonly heldAs: ApplicationKind },
): Receipt {
  const reason = kinds === undefined ? '同一申请编号以不同内容再次提交，已记录为冲突，未重新审批' : otherKindConflictReason(kinds.submittedAs, kinds.heldAs);
  return withKind(cause, at, 'APPLICATION_CONFLICT', reason, {
    effect: { resource: 'application', id: applicationId, href: applicationHref(applicationId) },
    details: { applicationHash, storedHash, ...kinds },
  });
}

export function refusalReceipt(applicationId: string, cause: Cause, at: string, code: StoredRefusalCode, message: string): Receipt | undefined {
  if (!isInbound(cause)) return undefined;
  return withKind(cause, at, code, message, { effect: { resource: 'application', id: applicationId, href: applicationHref(applicationId) } });
}
