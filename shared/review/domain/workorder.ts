/**
 * 12345 work orders: where a stage says so, each 差评 is forwarded to the 12345 hotline as a
 * work order (`gov.workorder.forwarded`). The hotline reports the order's progress back as rectification
 * steps (`gov.rectification.updated`) on the 差评's case, posted by the hotline source and run through the
 * same state machine as a department's steps (docs/contract.md, "12345 work orders", lists which steps
 * each of the hotline's statuses stands for).
 *
 * Decisions:
 * - One work order per 差评: the order number is derived from the case (one rectification per case), so
 *   forwarding the same 差评 again produces the same order.
 * - The order carries the 差评's text masked, and the reviewer's own number only as the call-back number
 *   the return visit needs.
 */

import type { Due } from '#calendar/types';
import { isValidPhone, maskSensitive } from '#contract/identifiers';
import { LEVEL_LABELS, type Rectification, type Review } from './types';

export interface WorkOrder {
  readonly orderNo: string;
  readonly caseId: string;
  readonly reviewId: string;
  readonly itemCode: string;
  /** 承办单位: the department that owns the rectification. */
  readonly departmentCode: string;
  readonly level: number;
  readonly levelLabel: string;
  readonly channel: string;
  readonly indicators: readonly string[];
  /** What the hotline reads: the 差评 in Chinese, ID and phone numbers masked. */
  readonly content: string;
  /** The reviewer's own number when the review came with one, for the hotline's return visit. */
  readonly callbackPhone?: string;
  readonly reviewedAt: string;
  readonly acknowledgeDue: Due;
  /** 办理时限: the rectification deadline. */
  readonly rectifyDue: Due;
}

export function workOrderNo(caseId: string): string {
  return `HCP-${caseId}`;
}

/** The outbound work order of a 差评 whose rectification case is open. */
export function buildWorkOrder(review: Review, rect: Rectification): WorkOrder {
  const label = LEVEL_LABELS[review.level];
  const comment = review.comment === undefined ? '' : `：${maskSensitive(review.comment)}`;
  return {
    orderNo: workOrderNo(rect.caseId),
    caseId: rect.caseId,
    reviewId: review.reviewId,
    itemCode: review.itemCode,
    departmentCode: rect.departmentCode,
    level: review.level,
    levelLabel: label,
    channel: review.channel,
    indicators: review.indicators ?? [],
    content: `办件 ${rect.caseId} 收到差评（${label}）${comment}`,
    ...(isValidPhone(review.reviewerId) ? { callbackPhone: review.reviewerId } : {}),
    reviewedAt: review.submittedAt,
    acknowledgeDue: rect.deadlines.acknowledgeDue,
    rectifyDue: rect.deadlines.rectifyDue,
  };
}
