/**
 * What a stored decision version sends to others (SPEC §4 → §6, §8), built purely from the version so
 * that a redelivery or a retry rebuilds exactly the same messages with the same ids.
 */
import { caseOpenedEvent, creditMarkedEvent, type InternalEvent, type InternalEventOf } from '#contract/internal';
import type { OutboundEvent } from '#contract/outbound';
import type { Decision, Effect } from './types';

/** What made a decision version: the first decision, a later event, or a schedule. */
export type VersionCause = 'submitted' | 'supplemented' | 'supplementDeadline' | 'verification';


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
    query: `/applications/${encodeURIComponent(d.applicationId)}`,
  };
}

/** One outbound event per version; its id names the application and the version, so receivers can de-duplicate. */
export function outboundFor(d: Decision, cause: VersionCause): OutboundEvent {
  const [kind, type] = ((): [string, `gov.${string}`] => {
    switch (cause) {
      case 'submitted':
      case 'supplemented':
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
      query: `/applications/${encodeURIComponent(d.applicationId)}`,
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
  });
}

/**
 * What a version's effects tell other capabilities, as internal events on their queues: the review case
 * of an approval, and the credit mark of an untruthful commitment (the registry applies it; approval has
 * no write access to the registry's table).
 */
export function effectEvents(effects: readonly Effect[]): InternalEvent[] {
  return effects.map((effect) => {
    switch (effect.kind) {
      case 'openReviewCase':
        return caseOpenedFor(effect);
      case 'markFalseCommitment':
        return creditMarkedEvent({ subjectId: effect.subjectId, applicationId: effect.applicationId, at: effect.at });
    }
  });
}

export type DueKind = 'SUPPLEMENT' | 'VERIFICATION';

/** The open deadline a decision waits on, if any: what the schedule must look at, and when. */
export function openDeadline(d: Decision): { readonly kind: DueKind; readonly dueAt: string } | undefined {
  if (d.outcome === 'ACCEPTED_PENDING_MATERIALS' && d.supplementDue !== undefined) {
    return { kind: 'SUPPLEMENT', dueAt: d.supplementDue.dueAt };
  }
  if (d.outcome === 'APPROVED_ON_COMMITMENT' && d.verification === undefined && d.verificationDue !== undefined) {
    return { kind: 'VERIFICATION', dueAt: d.verificationDue.dueAt };
  }
  return undefined;
}
