/**
 * 否定答复 — the refusal notice every REJECTED decision produces: what was refused, every reason
 * in Chinese (from the decision's reason codes and messages), and how to appeal. Deterministic given the
 * decision and the stage's appeal bodies: the same decision version always gives the same notice.
 *
 * Legal basis used (ASSUMED — to be confirmed by the bureau's legal office before go-live):
 * - 《中华人民共和国行政许可法》第三十二条 (an application that cannot be accepted is refused, or incomplete
 *   materials are listed once, in writing) and 第三十八条第二款 (a refusal states its reasons and tells the
 *   applicant of the right to administrative reconsideration or litigation).
 * - 《中华人民共和国行政复议法》(2023 年修订) 第二十条: reconsideration within 60 days of knowing of the act.
 *   The body is the people's government at the level of the department (第二十四条), a stage setting.
 * - 《中华人民共和国行政诉讼法》第四十六条: a suit directly in court within 6 months of knowing of the act.
 * - The notice does not claim that reconsideration must come first (复议前置, 行政复议法第二十三条): a refusal
 *   of a licence is not among those cases as this module reads the law.
 * The notice also points to the 12345 hotline and the 办不成事 window, where a hard case can be opened.
 */

import type { Decision } from '#approval';
import type { WorkingCalendar } from '#calendar/types';
import { maskIdNumber, maskSensitive } from '#contract/identifiers';

export type RefusalDecision = Pick<
  Decision,
  'applicationId' | 'itemCode' | 'departmentCode' | 'applicantKind' | 'applicantId' | 'outcome' | 'reasons' | 'submittedAt' | 'updatedAt' | 'sequence'
>;

/** Who hears an appeal: stage settings (e.g. 深圳市南山区人民政府, 深圳市南山区人民法院). */
export interface AppealBodies {
  readonly reconsiderationBody: string;
  readonly court: string;
}

export const DEFAULT_APPEAL_BODIES: AppealBodies = {
  reconsiderationBody: '本机关的本级人民政府',
  court: '有管辖权的人民法院',
};

export type RefusalKind = 'notAccepted' | 'materialsIncomplete' | 'notPermitted';

const TITLES: Readonly<Record<RefusalKind, string>> = {
  notAccepted: '不予受理告知书',
  materialsIncomplete: '申请材料补正告知书（一次性告知）',
  notPermitted: '不予行政许可决定书',
};

const VERDICTS: Readonly<Record<RefusalKind, string>> = {
  notAccepted: '决定不予受理',
  materialsIncomplete: '申请材料不齐全，暂不能受理',
  notPermitted: '决定不予许可',
};

const REASON_TITLES: Readonly<Record<string, string>> = {
  ITEM_UNKNOWN: '所申请事项不在本平台办理范围',
  ITEM_INACTIVE: '所申请事项已停止办理',
  APPLICANT_KIND_MISMATCH: '申请人类型不符合事项要求',
  CREDIT_DISHONEST: '申请人存在失信记录',
  MATERIALS_MISSING: '申请材料不齐全',
  RULE_FALSE: '不符合办理条件',
  SUPPLEMENT_DEADLINE_MISSED: '逾期未补齐材料',
  COMMITMENT_UNTRUTHFUL: '承诺内容与事实不符',
};

const NOT_ACCEPTED: ReadonlySet<string> = new Set(['ITEM_UNKNOWN', 'ITEM_INACTIVE', 'APPLICANT_KIND_MISMATCH']);

export interface RefusalNotice {
  /** One notice per decision version. */
  readonly noticeNo: string;
  readonly applicationId: string;
  readonly itemCode: string;
  readonly departmentCode: string | null;
  readonly kind: RefusalKind;
  readonly title: string;
  /** The local date of the decision version. */
  readonly date: string;
  /** The applicant's identifier, masked when it is a person's ID number. */
  readonly applicant: string;
  readonly reasons: readonly { readonly code: string; readonly title: string; readonly detail: string }[];
  readonly legalBasis: readonly string[];
  readonly appeal: {
    readonly reconsideration: { readonly withinDays: 60; readonly body: string; readonly basis: string };
    readonly litigation: { readonly withinMonths: 6; readonly court: string; readonly basis: string };
  };
  /** The whole notice as the applicant reads it. */
  readonly text: string;
}

export interface RefusalContext {
  readonly itemName?: string;
  readonly departmentName?: string;
  readonly appeal: AppealBodies;
}

export function refusalKind(codes: readonly string[]): RefusalKind {
  if (codes.some((c) => NOT_ACCEPTED.has(c))) return 'notAccepted';
  if (codes.length > 0 && codes.every((c) => c === 'MATERIALS_MISSING')) return 'materialsIncomplete';
  return 'notPermitted';
}

const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

function numeral(i: number): string {
  return i < NUMERALS.length ? NUMERALS[i]! : String(i + 1);
}

function lines(decision: RefusalDecision, notice: Omit<RefusalNotice, 'text'>, context: RefusalContext, submittedDate: string): string[] {
  const item = context.itemName === undefined ? `事项 ${decision.itemCode}` : `“${context.itemName}”（${decision.itemCode}）`;
  const { reconsideration, litigation } = notice.appeal;
  return [
    notice.title,
    `编号：${notice.noticeNo}`,
    '',
    `申请人（证件号码 ${notice.applicant}）：`,
    `您于 ${submittedDate} 提交的${item}申请（申请编号 ${decision.applicationId}），经审查，${VERDICTS[notice.kind]}。理由如下：`,
    ...notice.reasons.map((r, i) => `${numeral(i)}、${r.title}：${r.detail}`),
    ...(notice.kind === 'materialsIncomplete' ? ['请补齐上述全部材料后重新提出申请。'] : []),
    `依据：${notice.legalBasis.join('；')}。`,
    `如对本决定不服，可以自收到本告知书之日起${reconsideration.withinDays}日内向${reconsideration.body}申请行政复议，` +
      `也可以自收到本告知书之日起${litigation.withinMonths}个月内直接向${litigation.court}提起行政诉讼。`,
    '如仍有困难，可拨打 12345 政务服务便民热线或到“办不成事”反映窗口反映，我们将协助解决。',
    '',
    context.departmentName ?? decision.departmentCode ?? '',
    notice.date,
  ];
}

/** The notice of a REJECTED decision; undefined for any other outcome. */
export function buildRefusalNotice(
  decision: RefusalDecision,
  context: RefusalContext,
  calendar: Pick<WorkingCalendar, 'localDate'>,
): RefusalNotice | undefined {
  if (decision.outcome !== 'REJECTED') return undefined;
  const kind = refusalKind(decision.reasons.map((r) => r.code));
  const notice: Omit<RefusalNotice, 'text'> = {
    noticeNo: `FDDF-${decision.applicationId}-${decision.sequence}`,
    applicationId: decision.applicationId,
    itemCode: decision.itemCode,
    departmentCode: decision.departmentCode,
    kind,
    title: TITLES[kind],
    date: calendar.localDate(decision.updatedAt),
    applicant: decision.applicantKind === 'person' ? maskIdNumber(decision.applicantId) : decision.applicantId,
    reasons: decision.reasons.map((r) => ({
      code: r.code,
      title: Object.hasOwn(REASON_TITLES, r.code) ? REASON_TITLES[r.code]! : '审查意见',
      detail: maskSensitive(r.message),
    })),
    legalBasis: ['《中华人民共和国行政许可法》第三十二条、第三十八条第二款'],
    appeal: {
      reconsideration: { withinDays: 60, body: context.appeal.reconsiderationBody, basis: '《中华人民共和国行政复议法》第二十条' },
      litigation: { withinMonths: 6, court: context.appeal.court, basis: '《中华人民共和国行政诉讼法》第四十六条' },
    },
  };
  return { ...notice, text: lines(decision, notice, context, calendar.localDate(decision.submittedAt)).join('\n') };
}
