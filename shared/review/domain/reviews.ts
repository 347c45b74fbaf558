/**
 * One real review per case (一事一评). Every function here is a pure transition: the use case
 * stores `next` with a condition on the loaded `version` (or attribute_not_exists for a new case) and
 * ADDs the returned figure deltas in the same transaction, so each delta is applied exactly once.
 */

import type { WorkingCalendar } from '#calendar/types';
import { isValidPhone } from '#contract/identifiers';
import { figureDelta, mergeDeltas } from './delta';
import {
  isNegativeLevel,
  isReviewLevel,
  LEVEL_POINTS,
  type Case,
  type CaseReviewState,
  type CounterName,
  type FigureDelta,
  type FigureSubject,
  type Review,
} from './types';

export type ReviewRejectionCode =
  | 'DUPLICATE_REVIEW'
  | 'REVIEWER_MISMATCH'
  | 'ITEM_MISMATCH'
  | 'DEPARTMENT_MISMATCH'
  | 'CASE_MISMATCH'
  | 'INVALID_REVIEW';

/** A 差评 needs a rectification case; the use case builds it with `openRectification` and puts it once. */
export interface OpenRectificationEffect {
  readonly type: 'openRectification';
  readonly review: Review;
  readonly subject: FigureSubject;
}

export type AcceptReviewResult =
  | {
      readonly outcome: 'accepted';
      readonly next: CaseReviewState;
      /** The default this real review replaced, if any. */
      readonly replacedDefault?: Review;
      readonly figureDeltas: readonly FigureDelta[];
      readonly effects: readonly OpenRectificationEffect[];
    }
  /** The same reviewId was already recorded for this case: a redelivery, nothing to do. */
  | { readonly outcome: 'duplicate'; readonly reviewId: string }
  | { readonly outcome: 'rejected'; readonly code: ReviewRejectionCode; readonly reason: string }
  /** The case is not known yet: store the review and pass it to `onCaseCompleted` when the case arrives. */
  | { readonly outcome: 'parked'; readonly review: Review };

/** The grouping of every figure of a case, in the bureau's time zone. */
export function subjectOf(kase: Case, calendar: Pick<WorkingCalendar, 'localDate'>): FigureSubject {
  const completedDay = calendar.localDate(kase.completedAt);
  return {
    caseId: kase.caseId,
    departmentCode: kase.departmentCode,
    itemCode: kase.itemCode,
    ...(kase.staffId !== undefined ? { staffId: kase.staffId } : {}),
    channel: kase.channel,
    ...(kase.district !== undefined ? { district: kase.district } : {}),
    completedDay,
    completedMonth: completedDay.slice(0, 7),
  };
}

/**
 * SMS and 12345 reviews know the reviewer only by phone number, and a case knows its applicant by
 * ID number or credit code: the two cannot be compared, so such a review is accepted on the channel's word.
 * A reviewer named by the same kind of identifier as the applicant must be the applicant.
 */
export function reviewerComparable(reviewerId: string, applicantId: string): boolean {
  return isValidPhone(reviewerId) === isValidPhone(applicantId);
}

/**
 * Whether two reviews under one reviewId say the same thing: then the second is a redelivery. The same id
 * with another level, comment, reviewer or time is another review, refused like any second one.
 */
export function sameReview(a: Review, b: Review): boolean {
  return (
    a.reviewId === b.reviewId &&
    a.caseId === b.caseId &&
    a.itemCode === b.itemCode &&
    a.departmentCode === b.departmentCode &&
    a.staffId === b.staffId &&
    a.channel === b.channel &&
    a.level === b.level &&
    a.comment === b.comment &&
    a.reviewerId === b.reviewerId &&
    Date.parse(a.submittedAt) === Date.parse(b.submittedAt) &&
    a.defaulted === b.defaulted &&
    (a.indicators ?? []).join('\u0000') === (b.indicators ?? []).join('\u0000')
  );
}

/** Why a review sent again under its id with other content is refused. */
export function sentAgainWithOtherContent(review: Pick<Review, 'reviewId' | 'caseId'>): string {
  return `review ${review.reviewId} of case ${review.caseId} was recorded before with other content; one review per case (一事一评), the first is kept`;
}

function reject(code: ReviewRejectionCode, reason: string): AcceptReviewResult {
  return { outcome: 'rejected', code, reason };
}

/** Counters for a review that counts (a real review, or a default in its own counter). */
export function reviewCounters(review: Review, sign: 1 | -1): Partial<Record<CounterName, number>> {
  if (review.defaulted) return { defaulted: sign };
  return { [`level${review.level}`]: sign, points: sign * LEVEL_POINTS[review.level] };
}

/**
 * Accepts one review for a case. A real review after a default replaces it (the default leaves its own
 * counter, the real review enters the level counters). A second real review is refused, the first kept.
 * A review that arrives before its case is parked, never lost.
 */
export function acceptReview(state: CaseReviewState | undefined, review: Review): AcceptReviewResult {
  if (review.defaulted) {
    return reject('INVALID_REVIEW', `review ${review.reviewId} is marked defaulted; defaults are recorded only by the system`);
  }
  if (!isReviewLevel(review.level)) {
    return reject('INVALID_REVIEW', `review ${review.reviewId} has level ${String(review.level)}; levels are 1 to 5`);
  }
  if (state === undefined) return { outcome: 'parked', review };

  const kase = state.case;
  if (review.caseId !== kase.caseId) {
    return reject('CASE_MISMATCH', `review ${review.reviewId} is for case ${review.caseId}, not ${kase.caseId}`);
  }
  const current = state.review;
  if (current !== undefined && current.reviewId === review.reviewId) {
    if (sameReview(current, review)) return { outcome: 'duplicate', reviewId: review.reviewId };
    return reject('DUPLICATE_REVIEW', sentAgainWithOtherContent(review));
  }
  if (review.reviewerId !== kase.applicantId && reviewerComparable(review.reviewerId, kase.applicantId)) {
    return reject('REVIEWER_MISMATCH', `review ${review.reviewId} was not given by the applicant of case ${kase.caseId}`);
  }
  if (review.itemCode !== kase.itemCode) {
    return reject(
      'ITEM_MISMATCH',
      `review ${review.reviewId} names item ${review.itemCode} but case ${kase.caseId} is item ${kase.itemCode}`,
    );
  }
  if (review.departmentCode !== kase.departmentCode) {
    return reject(
      'DEPARTMENT_MISMATCH',
      `review ${review.reviewId} names department ${review.departmentCode} but case ${kase.caseId} belongs to ${kase.departmentCode}`,
    );
  }
  // An invalidated 差评 was the case's one real review: the case cannot be reviewed again (一事一评).
  if (current !== undefined && !current.defaulted) {
    return reject(
      'DUPLICATE_REVIEW',
      `case ${kase.caseId} already has review ${current.reviewId}; one review per case (一事一评), the first is kept`,
    );
  }

  const replacedDefault = current?.defaulted ? current : undefined;
  const add: Partial<Record<CounterName, number>> = reviewCounters(review, 1);
  if (replacedDefault) add.defaulted = (add.defaulted ?? 0) - 1;

  const negative = isNegativeLevel(review.level);
  const next: CaseReviewState = {
    ...state,
    version: state.version + 1,
    review,
    ...(negative ? { rectification: { reviewId: review.reviewId, openedAt: review.submittedAt } } : {}),
  };
  return {
    outcome: 'accepted',
    next,
    ...(replacedDefault ? { replacedDefault } : {}),
    figureDeltas: figureDelta(state.subject, add),
    effects: negative ? [{ type: 'openRectification', review, subject: state.subject }] : [],
  };
}

export interface ParkedRejection {
  readonly review: Review;
  readonly code: ReviewRejectionCode;
  readonly reason: string;
}

export type CaseCompletedResult =
  | {
      readonly outcome: 'completed';
      /** Put with attribute_not_exists(caseId). */
      readonly next: CaseReviewState;
      readonly figureDeltas: readonly FigureDelta[];
      readonly effects: readonly OpenRectificationEffect[];
      /** Parked reviews applied to the case, in the order they were applied. */
      readonly applied: readonly Review[];
      /** Parked reviews refused now that the case is known; the use case records them with their reason. */
      readonly rejected: readonly ParkedRejection[];
    }
  /** The case is already recorded: a redelivery, nothing to do. */
  | { readonly outcome: 'duplicate'; readonly caseId: string };

/**
 * Records a completed case and re-applies the reviews parked for it. Parked reviews are applied in
 * submission order (then reviewId), so the earliest real review is the one kept.
 */
export function onCaseCompleted(
  kase: Case,
  parkedReviews: readonly Review[],
  calendar: Pick<WorkingCalendar, 'localDate'>,
  existing?: CaseReviewState,
): CaseCompletedResult {
  if (existing !== undefined) return { outcome: 'duplicate', caseId: kase.caseId };
  const subject = subjectOf(kase, calendar);
  let state: CaseReviewState = { case: kase, subject, version: 1, invalidated: false };
  const deltas: FigureDelta[] = [{ subject, add: { completedCases: 1 } }];
  const effects: OpenRectificationEffect[] = [];
  const applied: Review[] = [];
  const rejected: ParkedRejection[] = [];

  const ordered = [...parkedReviews].sort((a, b) =>
    a.submittedAt !== b.submittedAt
      ? Date.parse(a.submittedAt) - Date.parse(b.submittedAt)
      : a.reviewId < b.reviewId ? -1 : a.reviewId > b.reviewId ? 1 : 0,
  );
  const seen = new Set<string>();
  for (const review of ordered) {
    if (seen.has(review.reviewId)) continue;
    seen.add(review.reviewId);
    const result = acceptReview(state, review);
    if (result.outcome === 'accepted') {
      state = result.next;
      deltas.push(...result.figureDeltas);
      effects.push(...result.effects);
      applied.push(review);
    } else if (result.outcome === 'rejected') {
      rejected.push({ review, code: result.code, reason: result.reason });
    }
  }
  return {
    outcome: 'completed',
    next: { ...state, version: 1 },
    figureDeltas: mergeDeltas(deltas),
    effects,
    applied,
    rejected,
  };
}

/**
 * Marks the case's 差评 invalid after `approveInvalid`. The figure deltas for the exclusion come from the
 * rectification transition; this only keeps the case record in step (no deltas, so none twice).
 * Returns undefined when there is nothing to change (already invalidated, or a different review).
 */
export function invalidateReview(state: CaseReviewState, reviewId: string): CaseReviewState | undefined {
  if (state.invalidated || state.review === undefined || state.review.reviewId !== reviewId) return undefined;
  return { ...state, version: state.version + 1, invalidated: true };
}
