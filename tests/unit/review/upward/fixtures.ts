/**
 * Fixed inputs of the upward mapping: the same reviews and rectification steps are mapped for every
 * profile and compared with tests/golden/upward/<profile>/. Times are in September 2026, Shanghai.
 */
import { makeCreditCode, makeIdNumber } from '#contract/identifiers';
import { applyAction, openRectification } from '#review/domain/rectification';
import { subjectOf } from '#review/domain/reviews';
import { DEFAULT_REVIEW_CONFIG, type Rectification, type RectificationAction, type Review } from '#review/domain/types';
import type { StepKind, UpwardCase, UpwardSettings } from '#review/domain/upward/types';
import { calendar, makeCase } from '../fixtures';

export { calendar };

export const SJJ_CREDIT = makeCreditCode('11440305007497265');
export const CGJ_CREDIT = makeCreditCode('11440305MB2C41587');

export const SETTINGS: UpwardSettings = {
  areaCode: '440305',
  dataSource: '144',
  departmentCreditCodes: { '440305-SJJ': SJJ_CREDIT, '440305-CGJ': CGJ_CREDIT },
};

export const PERSON = makeIdNumber('440306', '20000229', '071');
export const ENTERPRISE = makeCreditCode('91440300MA5G2K8L1');

/** An application decided by 秒批 (即办件), accepted at the window. */
export const APPLICATION_CASE: UpwardCase = {
  caseId: 'BJ-20260910-004518',
  itemCode: 'SJ-0001',
  itemName: '气象证明出具',
  departmentCode: '440305-SJJ',
  applicantId: PERSON,
  acceptedAt: '2026-09-10T01:12:05.000Z',
  promise: 'instant',
};

/** A case completed elsewhere (gov.case.completed): acceptance time unknown, a 承诺件. */
export const EXTERNAL_CASE: UpwardCase = {
  caseId: 'SQ-20260903-000187',
  itemCode: 'CG-0107',
  itemName: '在城市建筑物、设施上悬挂、张贴宣传品审批',
  departmentCode: '440305-CGJ',
  applicantId: ENTERPRISE,
  promise: 'promised',
};

export const GOOD_REVIEW: Review = {
  reviewId: 'PJ-20260910-771203',
  caseId: APPLICATION_CASE.caseId,
  itemCode: APPLICATION_CASE.itemCode,
  departmentCode: APPLICATION_CASE.departmentCode,
  staffId: 'S-0317',
  channel: 'window',
  level: 5,
  indicators: ['EFFICIENT', 'COURTEOUS'],
  comment: '办理速度快，工作人员很耐心，一次就办好了',
  reviewerId: PERSON,
  submittedAt: '2026-09-10T03:24:30.000Z',
  defaulted: false,
};

/** A 差评 from an enterprise, with indicators and a comment that quotes a phone number. */
export const BAD_REVIEW: Review = {
  reviewId: 'PJ-20260907-771954',
  caseId: EXTERNAL_CASE.caseId,
  itemCode: EXTERNAL_CASE.itemCode,
  departmentCode: EXTERNAL_CASE.departmentCode,
  channel: 'web',
  level: 1,
  indicators: ['WAIT_TOO_LONG', 'UNCLEAR_GUIDANCE'],
  comment: '现场核查等了两个小时，办事指南写得不清楚，请回电13812345678',
  reviewerId: ENTERPRISE,
  submittedAt: '2026-09-07T08:04:12.000Z',
  defaulted: false,
};

/** The default 基本满意 of the application case, seven days after completion. */
export const DEFAULT_REVIEW: Review = {
  reviewId: `${APPLICATION_CASE.caseId}#default`,
  caseId: APPLICATION_CASE.caseId,
  itemCode: APPLICATION_CASE.itemCode,
  departmentCode: APPLICATION_CASE.departmentCode,
  channel: 'window',
  level: 3,
  reviewerId: 'system:default',
  submittedAt: '2026-09-17T01:15:00.000Z',
  defaulted: true,
};

/** A real review given after the default, by SMS (二次评价). */
export const REVIEW_AFTER_DEFAULT: Review = {
  ...GOOD_REVIEW,
  reviewId: 'PJ-20260918-780001',
  channel: 'sms',
  level: 4,
  indicators: [],
  comment: undefined,
  reviewerId: '13812345678',
  submittedAt: '2026-09-18T00:30:00.000Z',
};

const OWNER = { departmentCode: '440305-CGJ', staffId: 'S-0521' };
const SUBMITTED = Date.parse(BAD_REVIEW.submittedAt);

function openBad(): Rectification {
  const kase = makeCase({ caseId: EXTERNAL_CASE.caseId, departmentCode: OWNER.departmentCode, itemCode: EXTERNAL_CASE.itemCode });
  return openRectification(BAD_REVIEW, subjectOf(kase, calendar), calendar, DEFAULT_REVIEW_CONFIG).rectification;
}

const NOTES: Partial<Record<RectificationAction, string>> = {
  acknowledge: '已联系企业了解情况',
  rectify: '已修订办事指南并安排预约核查',
  returnVisit: '企业表示满意',
  claimInvalid: '评价人与办件无关',
  claimUnfixable: '受场地限制无法缩短核查时间',
  requestExtension: '需会同街道核查，申请延期',
};

/** Applies the actions one hour apart, inside every deadline. */
function run(actions: readonly RectificationAction[]): Rectification {
  let rect = openBad();
  actions.forEach((action, i) => {
    const at = new Date(SUBMITTED + (i + 1) * 3_600_000).toISOString();
    const note = NOTES[action];
    const result = applyAction(
      rect,
      { action, actor: OWNER, at, ...(note !== undefined ? { note } : {}), ...(action === 'returnVisit' ? { satisfied: true } : {}) },
      calendar,
      DEFAULT_REVIEW_CONFIG,
    );
    if (!result.ok) throw new Error(`fixture path refused ${action}: ${result.reason}`);
    rect = result.next;
  });
  return rect;
}

/** Three rectification histories that between them take every step kind. */
export const RECTIFICATIONS: readonly Rectification[] = [
  run(['acknowledge', 'requestExtension', 'rejectExtension', 'requestExtension', 'approveExtension', 'rectify', 'returnVisit', 'close']),
  run(['claimInvalid', 'rejectInvalid', 'acknowledge', 'claimUnfixable', 'rejectUnfixable', 'claimUnfixable', 'approveUnfixable']),
  run(['claimInvalid', 'approveInvalid']),
];

/** The first occurrence of each step kind: the rectification and the history index. */
export function stepOccurrences(): Map<StepKind, { rect: Rectification; index: number }> {
  const found = new Map<StepKind, { rect: Rectification; index: number }>();
  for (const rect of RECTIFICATIONS) {
    rect.history.forEach((entry, index) => {
      if (entry.action !== 'overdue' && entry.action !== 'overdueWithdrawn' && !found.has(entry.action)) found.set(entry.action, { rect, index });
    });
  }
  return found;
}
