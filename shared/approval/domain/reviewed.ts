/**
 * A person's decision (人工审核, `gov.application.reviewed`) on an application in MANUAL_REVIEW, one of
 * the later events on a decided application: the application's next version, decided on its merits by a
 * person. An approval issues the certificate an automatic approval would (same number) and opens the
 * review case; a rejection gives the reviewer's reasons. Either way the version records who decided, when and why, in `review`, in its reasons
 * (code REVIEWED_BY_PERSON) and as the last step of its trace; no deadline stays open.
 *
 * Only an application in MANUAL_REVIEW takes one; any other state refuses it (the current decision
 * stands). A decision dated before the application was submitted (`at` before `submittedAt`, compared as
 * instants: a mistyped year, a wrong clock) is refused too (BEFORE_SUBMITTED): taken, it would report a
 * negative processing time and an audit trail deciding before the submission.
 *
 * `itemCode` is optional and addresses one child of a bundle (一件事); on a single-item application the
 * application's own item code says nothing more than its absence, and any other code is refused.
 */
import type { WorkingCalendar } from '#calendar/types';
import { compareInstants } from '#contract/instants';
import { certificateNo } from './certificate';
import { itemTimes } from './decide';
import type { Decision, Effect, Refusal, ReviewRecord, TraceStep, Transition } from './decision';
import type { ServiceItem } from './types';

export interface PersonReview {
  readonly outcome: ReviewRecord['outcome'];
  readonly reasons: readonly string[];
  readonly staffId: string;
  readonly at: string;
  readonly itemCode?: string;
}

/** What a person's decision needs of the item version the application was decided under. */
export type ReviewedItem = Pick<ServiceItem, 'certificateType' | 'legalDays'>;

/** Why this decision cannot be taken in the application's state; undefined when it can. */
export function reviewRefusal(decision: Decision, review: PersonReview): Refusal | undefined {
  const { applicationId } = decision;
  if (review.itemCode !== undefined && review.itemCode !== decision.itemCode) {
    return {
      code: 'ITEM_NOT_IN_APPLICATION',
      message: `事项 ${review.itemCode} 不是申请 ${applicationId} 的办理事项（${decision.itemCode}），人工审核决定未予采纳`,
    };
  }
  if (decision.outcome !== 'MANUAL_REVIEW') {
    return { code: 'NOT_IN_MANUAL_REVIEW', message: `申请当前状态为 ${decision.outcome}，不处于人工审核状态，人工审核决定未予采纳` };
  }
  return beforeSubmitted(decision.submittedAt, review);
}

/**
 * BEFORE_SUBMITTED when the person's decision is dated before the submission, as instants (offsets may
 * differ); a decision at the very instant of the submission is taken. Undefined otherwise.
 */
export function beforeSubmitted(submittedAt: string, review: Pick<PersonReview, 'at'>): Refusal | undefined {
  if (!(compareInstants(review.at, submittedAt) < 0)) return undefined;
  return { code: 'BEFORE_SUBMITTED', message: `人工审核决定时间 ${review.at} 早于申请提交时间 ${submittedAt}，人工审核决定未予采纳` };
}

export function onReview(
  decision: Decision,
  review: PersonReview,
  context: { readonly item: ReviewedItem; readonly now: string; readonly calendar: WorkingCalendar },
): Transition {
  const refusal = reviewRefusal(decision, review);
  if (refusal) return { ok: false, refusal };
  const { item, now, calendar } = context;
  const approved = review.outcome === 'APPROVED';
  const record: ReviewRecord = { outcome: review.outcome, reasons: review.reasons, staffId: review.staffId, at: review.at, recordedAt: now };
  // The due dates of the machine's version end here: a person has decided.
  const { supplementDue: _supplement, verificationDue: _verification, certificateNo: _certificate, ...rest } = decision;
  return {
    ok: true,
    decision: {
      ...rest,
      outcome: review.outcome,
      reasons: review.reasons.map((message) => ({ code: 'REVIEWED_BY_PERSON', message, details: { staffId: review.staffId, at: review.at } })),
      trace: { ...decision.trace, steps: [...decision.trace.steps, reviewStep(record)] },
      review: record,
      ...(approved ? { certificateNo: certificateNo(decision, item) } : {}),
      decidedAt: review.at,
      updatedAt: now,
      latencyMs: Date.parse(review.at) - Date.parse(decision.submittedAt),
      ...itemTimes(item, decision, review.at, calendar),
      sequence: decision.sequence + 1,
      effects: approved ? reviewCase(decision, review.at) : [],
    },
  };
}

function reviewStep(r: ReviewRecord): TraceStep {
  const verdict = r.outcome === 'APPROVED' ? '准予办理' : '不予办理';
  return {
    step: 'review',
    result: r.outcome === 'APPROVED' ? 'pass' : 'reject',
    notes: [`人工审核：工作人员 ${r.staffId} 于 ${r.at} 决定${verdict}`, ...r.reasons.map((reason) => `理由：${reason}`)],
  };
}

/** The review case of the approval (秒批 → 好差评): the application itself, owned by the item's department. */
function reviewCase(d: Decision, completedAt: string): Effect[] {
  if (d.departmentCode === null) return [];
  return [
    {
      kind: 'openReviewCase',
      caseId: d.applicationId,
      itemCode: d.itemCode,
      departmentCode: d.departmentCode,
      applicantId: d.applicantId,
      channel: d.channel,
      completedAt,
      acceptedAt: d.submittedAt,
    },
  ];
}
