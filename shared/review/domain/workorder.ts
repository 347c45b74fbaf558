/**
 * 12345 work orders: where a stage says so, each 差评 is forwarded to the 12345 hotline as a
 * work order, and what the hotline reports back about the order becomes rectification steps
 * (`gov.rectification.updated`) on the 差评's rectification case, posted by the hotline source.
 *
 * Decisions:
 * - One work order per 差评: the order number is derived from the case (one rectification per case), so
 *   forwarding the same 差评 again produces the same order.
 * - The hotline relays the handling department's work and does its own (return visits, archiving,
 *   extension decisions). Rectification steps may only be taken by the owning department, so a step from
 *   the hotline names the owning department and a hotline staff id (`12345` or `12345/<staff>`); an
 *   outcome from an order dispatched to another department is refused rather than acted on.
 * - An outcome can stand for several steps: an order handled (办结) while the case is still OPEN is
 *   acknowledged and rectified. An outcome whose effect is already there gives no step, so a redelivered
 *   outcome changes nothing. Every plan is run through the rectification state machine before it is
 *   returned, so a plan that would be refused is refused here, with the state machine's reason.
 * - A work order returned for re-dispatch (退单) is not a step: the rectification is unchanged.
 */

import type { Due, WorkingCalendar } from '#calendar/types';
import { isValidPhone, maskSensitive } from '#contract/identifiers';
import { applyAction } from './rectification';
import {
  LEVEL_LABELS,
  type Actor,
  type Rectification,
  type RectificationAction,
  type RectificationState,
  type Review,
  type ReviewConfig,
} from './types';

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

export const WORK_ORDER_STATUSES = [
  'accepted', // 签收
  'handled', // 办结（已答复）
  'extensionRequested', // 申请延期
  'extensionApproved',
  'extensionRejected',
  'unfixable', // 无法办理
  'revisited', // 回访
  'archived', // 归档
  'returned', // 退单
] as const;
export type WorkOrderStatus = (typeof WORK_ORDER_STATUSES)[number];

const STATUS_LABELS: Readonly<Record<WorkOrderStatus, string>> = {
  accepted: '已签收',
  handled: '已办结答复',
  extensionRequested: '申请延期',
  extensionApproved: '同意延期',
  extensionRejected: '不同意延期',
  unfixable: '无法办理',
  revisited: '已回访',
  archived: '已归档',
  returned: '退单',
};

export interface WorkOrderOutcome {
  readonly orderNo: string;
  readonly caseId: string;
  readonly status: WorkOrderStatus;
  readonly at: string;
  /** The department the order was dispatched to, and the hotline staff member who recorded the outcome. */
  readonly departmentCode: string;
  readonly staffId?: string;
  readonly note?: string;
  /** The reviewer's answer at the return visit. */
  readonly satisfied?: boolean;
}

/** The data of one `gov.rectification.updated` event. */
export interface RectificationStep {
  readonly caseId: string;
  readonly action: RectificationAction;
  readonly actor: Actor;
  readonly note?: string;
  readonly at: string;
  readonly satisfied?: boolean;
}

export type WorkOrderPlanRefusal = 'WRONG_ORDER' | 'WRONG_DEPARTMENT' | 'SATISFIED_REQUIRED' | 'NOT_APPLICABLE' | 'REFUSED';

export type WorkOrderPlan =
  | { readonly ok: true; readonly steps: readonly RectificationStep[]; readonly stateAfter: RectificationState; readonly remark?: string }
  | { readonly ok: false; readonly code: WorkOrderPlanRefusal; readonly reason: string };

const BEFORE_ACK: ReadonlySet<RectificationState> = new Set(['OPEN']);

/** The actions an outcome stands for in the rectification's state; null when it does not apply there. */
function actionsFor(status: WorkOrderStatus, state: RectificationState): readonly RectificationAction[] | null {
  const ackFirst = (action: RectificationAction): RectificationAction[] => (BEFORE_ACK.has(state) ? ['acknowledge', action] : [action]);
  switch (status) {
    case 'accepted':
      return state === 'OPEN' ? ['acknowledge'] : [];
    case 'handled':
      if (state === 'OPEN' || state === 'IN_PROGRESS') return ackFirst('rectify');
      return state === 'RECTIFIED' || state === 'RETURN_VISITED' || state === 'CLOSED' ? [] : null;
    case 'extensionRequested':
      if (state === 'OPEN' || state === 'IN_PROGRESS') return ackFirst('requestExtension');
      return state === 'EXTENSION_REQUESTED' ? [] : null;
    case 'unfixable':
      if (state === 'OPEN' || state === 'IN_PROGRESS') return ackFirst('claimUnfixable');
      return state === 'UNFIXABLE_CLAIMED' || state === 'UNFIXABLE_APPROVED' ? [] : null;
    case 'extensionApproved':
      return ['approveExtension'];
    case 'extensionRejected':
      return ['rejectExtension'];
    case 'revisited':
      return state === 'RETURN_VISITED' || state === 'CLOSED' ? [] : ['returnVisit'];
    case 'archived':
      return state === 'CLOSED' ? [] : ['close'];
    case 'returned':
      return [];
  }
}

function hotlineActor(rect: Rectification, outcome: WorkOrderOutcome): Actor {
  return { departmentCode: rect.departmentCode, staffId: outcome.staffId === undefined ? '12345' : `12345/${outcome.staffId}` };
}

/**
 * The rectification steps a work order's outcome becomes, checked against the rectification state
 * machine: every step applies in order (or was already applied), or the plan is refused.
 */
export function planWorkOrderSteps(
  rect: Rectification,
  outcome: WorkOrderOutcome,
  calendar: Pick<WorkingCalendar, 'addWorkingDays'>,
  config: ReviewConfig,
): WorkOrderPlan {
  if (outcome.caseId !== rect.caseId || outcome.orderNo !== workOrderNo(rect.caseId)) {
    return { ok: false, code: 'WRONG_ORDER', reason: `work order ${outcome.orderNo} (case ${outcome.caseId}) is not the order of case ${rect.caseId}` };
  }
  if (outcome.departmentCode !== rect.departmentCode) {
    return {
      ok: false,
      code: 'WRONG_DEPARTMENT',
      reason: `work order ${outcome.orderNo} was dispatched to ${outcome.departmentCode}; the rectification is owned by ${rect.departmentCode}`,
    };
  }
  if (outcome.status === 'revisited' && typeof outcome.satisfied !== 'boolean') {
    return { ok: false, code: 'SATISFIED_REQUIRED', reason: 'a return visit (revisited) must say whether the reviewer is satisfied' };
  }
  const actions = actionsFor(outcome.status, rect.state);
  if (actions === null) {
    return { ok: false, code: 'NOT_APPLICABLE', reason: `work order outcome ${outcome.status} does not apply to a rectification in state ${rect.state}` };
  }
  const note = `12345工单 ${outcome.orderNo} ${STATUS_LABELS[outcome.status]}${outcome.note === undefined ? '' : `：${outcome.note}`}`;
  const actor = hotlineActor(rect, outcome);
  const steps: RectificationStep[] = actions.map((action) => ({
    caseId: rect.caseId,
    action,
    actor,
    note,
    at: outcome.at,
    ...(action === 'returnVisit' ? { satisfied: outcome.satisfied } : {}),
  }));
  let current = rect;
  for (const step of steps) {
    const result = applyAction(current, step, calendar, config);
    if (!result.ok) return { ok: false, code: 'REFUSED', reason: `${step.action}: ${result.reason}` };
    current = result.next;
  }
  return {
    ok: true,
    steps,
    stateAfter: current.state,
    ...(outcome.status === 'returned' ? { remark: 'returned to the hotline for re-dispatch; the rectification is unchanged' } : {}),
  };
}
