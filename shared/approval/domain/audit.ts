/**
 * The audit lines of 秒批: who caused a change, what came of it and why. Keyed by their cause
 * (`causeId`), so a redelivery writes nothing new. A decision's line carries its reason codes, not the
 * decision: the full decision and its trace are kept once, in its version (the store adds the version's
 * address to the line when it writes both).
 */
import type { AuditEntry } from '#platform/audit';
import { auditSource } from '#platform/inbound';
import type { ApplicationKind } from './conflict';
import { causeKey, type Cause, type Decision } from './decision';

const subjectOf = (applicationId: string) => `application:${applicationId}`;

export function decisionAudit(decision: Decision, cause: Cause, action: string, at: string): AuditEntry {
  const codes = decision.reasons.map((r) => r.code);
  // A person's decision names the person: the version that records it was made by its event.
  const person = decision.review !== undefined && decision.review.recordedAt === decision.updatedAt ? decision.review : undefined;
  return {
    subject: subjectOf(decision.applicationId),
    action,
    actor: person ? `${cause.source}/${person.staffId}` : cause.source,
    at,
    why: person ? [`a person's decision: ${decision.outcome}`, ...person.reasons].join('; ') : codes.join(',') || 'all checks passed',
    causeId: causeKey(cause),
    details: {
      cause,
      ...auditSource(cause),
      sequence: decision.sequence,
      outcome: decision.outcome,
      itemCode: decision.itemCode,
      itemVersion: decision.itemVersion,
      reasonCodes: codes,
      ...(person ? { review: { staffId: person.staffId, at: person.at, reasons: person.reasons } } : {}),
    },
  };
}

/**
 * The same applicationId submitted with other content: recorded, not decided. `kinds` when the id is held
 * by the other kind of application (see conflictReceipt).
 */
export function conflictAudit(
  applicationId: string,
  applicationHash: string,
  storedHash: string,
  cause: Cause,
  at: string,
  kinds?: { readonly submittedAs: ApplicationKind; readonly heldAs: ApplicationKind },
): AuditEntry {
  return {
    subject: subjectOf(applicationId),
    action: 'conflict',
    actor: cause.source,
    at,
    why:
      kinds === undefined
        ? 'same applicationId submitted with other content; the first submission stands'
        : `applicationId held by a ${kinds.heldAs} application, submitted as a ${kinds.submittedAs} application; the first submission stands`,
    causeId: causeKey(cause),
    details: { cause, ...auditSource(cause), applicationHash, storedHash, ...kinds },
  };
}

/** A later event refused in the application's state (or for an unknown application). */
export function refusalAudit(applicationId: string, cause: Cause, at: string, code: string, message: string): AuditEntry {
  return {
    subject: subjectOf(applicationId),
    action: `refused:${code}`,
    actor: cause.source,
    at,
    why: message,
    causeId: causeKey(cause),
    details: { cause, ...auditSource(cause) },
  };
}

/** An approval on commitment whose verification was not reported by its due date, flagged by the schedule. */
export function overdueAudit(decision: Decision, cause: Cause, at: string): AuditEntry {
  return {
    subject: subjectOf(decision.applicationId),
    action: 'verification-overdue',
    actor: cause.source,
    at,
    why: `核查期限 ${decision.verificationDue?.date} 已过，尚未报告核查结果`,
    causeId: causeKey(cause),
    details: { verificationDue: decision.verificationDue, sequence: decision.sequence },
  };
}
