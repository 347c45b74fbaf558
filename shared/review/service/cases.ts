/**
 * Completed cases and reviews (一事一评): what `gov.case.completed` (or an approval's case) and
 * `gov.review.submitted` change on a loaded case. A review before its case is parked, never lost; a second
 * real review, or one that does not match its case, is refused with its reason.
 */
import type { AuditEntry } from '#platform/audit';
import { auditSource } from '#platform/inbound';
import { applied, withKind, type EventRef, type Receipt } from '#platform/receipts';
import { invitationDueAt, rectificationDueAt } from '../domain/due';
import { openRectification } from '../domain/rectification';
import { acceptReview, onCaseCompleted, sameReview, sentAgainWithOtherContent, type OpenRectificationEffect } from '../domain/reviews';
import type { Case, CaseReviewState, Rectification, Review } from '../domain/types';
import { buildWorkOrder } from '../domain/workorder';
import { rectificationOpenedEvent, workOrderEvent } from '../messages';
import type { CaseBundle, Rejection, ReviewChange } from '../ports';
import { refusal, type DecideContext, type Decision, type Outcome } from './decision';
import { caseAudit, caseEffect, inbound, noEffect, rectAudit } from './records';

/** The rectification a 差评 opens (at most one per case), with its audit lines (naming the system that posted the 差评) and its event. */
function openRectifications(effects: readonly OpenRectificationEffect[], ctx: DecideContext): Pick<ReviewChange, 'rectWrite' | 'audits' | 'outbound'> {
  const opened = effects.map((effect) => openRectification(effect.review, effect.subject, ctx.calendar, ctx.config).rectification);
  const rect: Rectification | undefined = opened[0];
  return {
    ...(rect ? { rectWrite: { expectedVersion: undefined, rect, dueAt: rectificationDueAt(rect) } } : {}),
    audits: rect ? rect.history.map((entry) => rectAudit(entry, rect.caseId, effects[0]?.review.event)) : [],
    outbound: [
      ...opened.map((r) => rectificationOpenedEvent(r, ctx.now)),
      // Where the stage says so, the hotline gets the 差评 as a work order, in the same change.
      ...(ctx.config.forwardWorkOrders ? effects.flatMap((e, i) => (opened[i] ? [workOrderEvent(buildWorkOrder(e.review, opened[i]), ctx.now)] : [])) : []),
    ],
  };
}

/** A review's rejection as the case keeps it; `parked` when the review had waited for its case. */
function reviewRejection(review: Review, code: string, reason: string, now: string, parked = false): Rejection {
  return {
    kind: 'review',
    ref: review.reviewId,
    code,
    reason,
    at: review.submittedAt,
    recordedAt: now,
    // Who posted it: the routes show each source its own refused reviews only (a channel, a level, a reviewId).
    ...(review.event !== undefined ? { source: review.event.source } : {}),
    details: { channel: review.channel, level: review.level, ...(parked ? { parked: true } : {}) },
  };
}

/** A refused review's audit line names the system that posted it (its channel is the actor), when it is known. */
function sourceDetails(rejection: Rejection): Record<string, unknown> | undefined {
  return rejection.source !== undefined ? { source: rejection.source } : undefined;
}

function parkedRejection(review: Review, code: string, reason: string, now: string): Rejection {
  return reviewRejection(review, code, reason, now, true);
}

/** A completed case and the event that says so. */
export interface CaseCompletion {
  readonly kase: Case;
  readonly cause: EventRef;
}

/** gov.case.completed, or an approval that opened a case: record it and apply the reviews parked for it. */
export function decideCaseCompleted(bundle: CaseBundle, ctx: DecideContext, completion: CaseCompletion): Decision<Outcome> {
  const { kase, cause } = completion;
  const { record } = bundle;
  const { now } = ctx;
  const result = onCaseCompleted(kase, record?.parked ?? [], ctx.calendar, record?.state);
  const effect = caseEffect(kase.caseId);
  if (result.outcome === 'duplicate') {
    return { effect: noEffect(cause, now, `case ${kase.caseId} was completed before; it is recorded once`, effect), result: { outcome: 'duplicate' } };
  }
  const version = (record?.version ?? 0) + 1;
  const next: CaseReviewState = { ...result.next, version };
  const opened = openRectifications(result.effects, ctx);
  const rejections = result.rejected.map((r) => parkedRejection(r.review, r.code, r.reason, now));
  const audits: AuditEntry[] = [
    caseAudit(kase.caseId, 'case:completed', cause.source, now, `case completed at ${kase.completedAt} (${kase.source})`, `completed:${kase.caseId}`, auditSource(cause)),
    // A parked review's line names the system that posted the review, not the one that completed the case.
    ...result.applied.map((r) =>
      caseAudit(kase.caseId, 'review:accepted', r.channel, now, `parked review, level ${r.level}`, r.reviewId, { level: r.level, channel: r.channel, ...auditSource(r.event) }),
    ),
    ...rejections.map((r) => caseAudit(kase.caseId, 'review:rejected', 'system', now, `${r.code}: ${r.reason}`, r.ref, sourceDetails(r))),
    ...(opened.audits ?? []),
  ];
  // The parked reviews' receipts move on from PARKED to what became of them now.
  const receipts: Receipt[] = [
    ...(inbound(cause) ? [applied(cause, now, { ...effect, state: 'completed' })] : []),
    ...result.applied.flatMap((r) => (inbound(r.event) ? [applied(r.event, now, { ...effect, state: 'reviewed' }, { reviewId: r.reviewId, level: r.level })] : [])),
    ...result.rejected.flatMap((r) => (inbound(r.review.event) ? [withKind(r.review.event, now, r.code, r.reason, { effect, details: { reviewId: r.review.reviewId } })] : [])),
  ];
  const change: ReviewChange = {
    caseId: kase.caseId,
    caseWrite: { expectedVersion: record?.version, version, state: next, dueAt: invitationDueAt(next, ctx.config) },
    ...(opened.rectWrite ? { rectWrite: opened.rectWrite } : {}),
    figureDeltas: result.figureDeltas,
    audits,
    rejections,
    outbound: opened.outbound ?? [],
    receipts,
  };
  const parked =
    result.applied.length + result.rejected.length === 0
      ? {}
      : {
          parked: {
            applied: result.applied.map((r) => r.level),
            refused: result.rejected.map((r) => ({ code: r.code, reason: r.reason, ...(r.review.event ? { event: r.review.event } : {}) })),
          },
        };
  return { effect: { kind: 'write', change }, result: { outcome: 'completed', ...parked } };
}

/** A review refused with its reason: recorded once, with its audit line and its event's receipt. */
function refuseReview(review: Review, code: string, reason: string, now: string, causeId = review.reviewId): Decision<Outcome> {
  const ref = review.event;
  const rejection = reviewRejection(review, code, reason, now);
  return refusal(
    {
      kind: 'refuse',
      caseId: review.caseId,
      rejection,
      audit: caseAudit(review.caseId, 'review:rejected', review.channel, now, `${code}: ${reason}`, causeId, sourceDetails(rejection)),
      ...(inbound(ref) ? { receipt: withKind(ref, now, code, reason, { effect: caseEffect(review.caseId), details: { reviewId: review.reviewId } }) } : {}),
    },
    { outcome: 'rejected', code, reason },
  );
}

function parkReview(bundle: CaseBundle, review: Review, now: string): Decision<Outcome> {
  const { record } = bundle;
  const ref = review.event;
  const effect = caseEffect(review.caseId);
  const parked = record?.parked ?? [];
  const kept = parked.find((r) => r.reviewId === review.reviewId);
  if (kept !== undefined) {
    // The same id with other content is another review: refused, the one kept first stands.
    // Its audit line is caused by the event that sent it again: the review kept under that id is refused or
    // applied, with a line of its own, when the case arrives, which may be in the same instant.
    if (!sameReview(kept, review)) {
      const causeId = `${review.reviewId}@${review.event?.id ?? 'resent'}`;
      return refuseReview(review, 'DUPLICATE_REVIEW', sentAgainWithOtherContent(review), now, causeId);
    }
    return { effect: noEffect(ref, now, `review ${review.reviewId} is already kept for case ${review.caseId}`, effect), result: { outcome: 'duplicate' } };
  }
  const reason = `case ${review.caseId} is not known yet; the review is kept and applied when the case arrives`;
  const change: ReviewChange = {
    caseId: review.caseId,
    caseWrite: { expectedVersion: record?.version, version: (record?.version ?? 0) + 1, parked: [...parked, review] },
    audits: [
      caseAudit(review.caseId, 'review:parked', review.channel, now, 'the case is not known yet; kept until it is', review.reviewId, auditSource(ref)),
    ],
    ...(inbound(ref) ? { receipts: [withKind(ref, now, 'PARKED', reason, { effect, details: { reviewId: review.reviewId } })] } : {}),
  };
  return { effect: { kind: 'write', change }, result: { outcome: 'parked' } };
}

/** gov.review.submitted: one real review per case; a review before its case is parked. */
export function decideReview(bundle: CaseBundle, ctx: DecideContext, review: Review): Decision<Outcome> {
  const { record } = bundle;
  const { now } = ctx;
  const ref = review.event;
  const effect = caseEffect(review.caseId);
  const result = acceptReview(record?.state, review);
  switch (result.outcome) {
    case 'duplicate':
      return { effect: noEffect(ref, now, `review ${review.reviewId} was recorded before; it counts once`, effect), result: { outcome: 'duplicate' } };
    case 'parked':
      return parkReview(bundle, review, now);
    case 'rejected':
      return refuseReview(review, result.code, result.reason, now);
    case 'accepted': {
      const next = result.next;
      const opened = openRectifications(result.effects, ctx);
      const why = result.replacedDefault ? `level ${review.level}, replaces the default 基本满意` : `level ${review.level}`;
      const details = { reviewId: review.reviewId, level: review.level, ...(result.replacedDefault ? { replacedDefault: true } : {}) };
      const change: ReviewChange = {
        caseId: review.caseId,
        caseWrite: { expectedVersion: record!.version, version: next.version, state: next, dueAt: invitationDueAt(next, ctx.config) },
        ...(opened.rectWrite ? { rectWrite: opened.rectWrite } : {}),
        figureDeltas: result.figureDeltas,
        audits: [
          caseAudit(review.caseId, 'review:accepted', review.channel, now, why, review.reviewId, { level: review.level, channel: review.channel, ...auditSource(ref) }),
          ...(opened.audits ?? []),
        ],
        outbound: opened.outbound ?? [],
        ...(inbound(ref) ? { receipts: [applied(ref, now, { ...effect, state: 'reviewed' }, details)] } : {}),
      };
      return { effect: { kind: 'write', change }, result: { outcome: 'accepted', level: review.level } };
    }
  }
}
