/**
 * Profiles of the 好差评 platforms a stage can report to: the code tables that differ between the
 * national platform and the provinces. A stage picks one by name (`PROFILES`); a stage can extend one
 * as data (`{ ...ZHEJIANG, channels: { ...ZHEJIANG.channels, phone: '8' } }`, with a code the province assigns:
 * never one its table already gives another channel or its default reviews).
 *
 * WHAT IS DOCUMENTED (public sources read for this module):
 * - GB/T 39046—2020 《政务服务平台基础数据规范》, 表 9 政务服务绩效评价 and 附录 A: 满意度代码 (A.8)
 *   1 非常满意, 2 满意, 3 基本满意, 4 不满意, 5 非常不满意; 办件类型代码 (A.6) 1 即办件, 2 承诺件, 9 其他;
 *   服务对象代码 (A.4) 1 自然人, 2 企业法人; 日期时间型 YYYYMMDDhhmmss; 评价次数 n..2; 行政区划 n..9;
 *   评价渠道 named (not coded) as PC端、移动服务端、二维码、政务大厅平板电脑、政务大厅其他终端、电话、短信.
 * - The national interface's field names (projectNo, taskCode, taskName, deptCode, areaCode, proStatus,
 *   pf, satisfaction, evalDetail, writingEvaluation, assessTime, assessNumber, userProp, promiseTime,
 *   acceptDate, dataSource) as vendors' public code sends them; pf coded 1 pc端, 2 移动服务端, 3 二维码,
 *   4 政务大厅平板电脑, 5 政务大厅自助终端, 6 电话, 7 短信 in the standard's order; evalDetail a comma-
 *   separated list of 测评内容 codes ("510,517"); `version` "2" required when a region reports to the
 *   national platform (an Anhui integration).
 * - Zhejiang, from a public integration's interface comment: satisfaction 1 非常不满意 … 5 非常满意;
 *   pf 1 pc端, 2 移动端, 3 二维码, 4 政务大厅平板电脑, 5 政务大厅其他终端, 6 短信, 7 系统默认评价;
 *   proStatus 1 待办理, 2 办理中, 3 已完结; userProp 个人=1, 法人=2; promiseTime 承诺件=1, 即办件=2;
 *   assessTime and acceptDate `yyyy-MM-dd HH:mm:ss`; assessNumber 首次评价=1, 二次评价=2; dataSource
 *   three digits (133 for the province); deptCode the department's 18-character credit code.
 * - A Shandong integration (the vendor's manual re-push table): (projectNo, assessNumber) is the key;
 *   a 差评 (satisfaction < 3 on a 5-is-best scale) is refused without evalDetail or writingEvaluation;
 *   "评价数据不可重复" answers a record the platform already has; a default is flagged `isdefault`.
 *
 * WHAT IS ASSUMED (to be confirmed against each platform's interface specification before go-live):
 * - national: the default review is flagged `isDefault` "1" (real reviews "0"), after the Shandong
 *   vendor's column; assessTime in the standard's YYYYMMDDhhmmss; areaCode the 6-digit district code.
 * - guangdong: no public specification was found. Guangdong co-drafted GB/T 39046, so its scale and
 *   promise codes follow the standard (1 = 非常满意; 1 即办件, 2 承诺件); its channels add the 12345
 *   hotline as 电话 (6) and keep 短信 at 7 like the national order; a default is sent with the 测评内容
 *   code "000"; times `yyyy-MM-dd HH:mm:ss`; areaCode 12 digits (the 6-digit code padded with zeros,
 *   as the Anhui and Shandong integrations send it).
 * - zhejiang: the documented table has no telephone code, so 12345 reviews cannot be sent until a stage
 *   adds one; areaCode 12 digits; interface version "1".
 * - Every profile: rectification steps are sent as records of their own keyed (projectNo, assessNumber)
 *   with rectifyStatus / rectifyAction / rectifyContent / reviewAssessNumber (and returnVisitSatisfied)
 *   and the code tables RECTIFY_STATUSES / STEP_CODES below; the evalDetail codes of our indicator
 *   vocabulary (INDICATOR_CODES); required fields and lengths (an..50 project numbers, 2 000 characters
 *   of text) beyond what the sources above state.
 */

import type { RectificationState } from '#review/domain/types';
import type { StepKind, UpwardProfile } from './types';

/** rectifyStatus by the state after the step (assumed; one table for every profile so far). */
export const RECTIFY_STATUSES: Readonly<Record<RectificationState, string>> = {
  OPEN: '1', // 待整改
  IN_PROGRESS: '2', // 整改中
  INVALID_CLAIMED: '2',
  UNFIXABLE_CLAIMED: '2',
  EXTENSION_REQUESTED: '2',
  RECTIFIED: '3', // 已整改
  RETURN_VISITED: '4', // 已回访
  CLOSED: '5', // 已办结
  INVALID_APPROVED: '6', // 无效差评
  UNFIXABLE_APPROVED: '7', // 无法整改
};

/** rectifyAction codes (assumed). */
export const STEP_CODES: Readonly<Record<StepKind, string>> = {
  open: '01',
  acknowledge: '02',
  claimInvalid: '03',
  rectify: '04',
  claimUnfixable: '05',
  requestExtension: '06',
  returnVisit: '07',
  close: '08',
  approveInvalid: '09',
  rejectInvalid: '10',
  approveUnfixable: '11',
  rejectUnfixable: '12',
  approveExtension: '13',
  rejectExtension: '14',
};

/** evalDetail codes of the indicator vocabulary upstream review channels send (assumed). */
export const INDICATOR_CODES: Readonly<Record<string, string>> = {
  EFFICIENT: '501', // 办事效率高
  COURTEOUS: '502', // 服务态度好
  CLEAR_GUIDANCE: '503', // 办事指南清晰
  ONE_VISIT: '504', // 一次办好
  CONVENIENT: '505', // 办事便捷
  WAIT_TOO_LONG: '101', // 等候时间长
  UNCLEAR_GUIDANCE: '102', // 办事指南不清晰
  POOR_ATTITUDE: '103', // 服务态度差
  REPEATED_VISITS: '104', // 多次跑动
  EXCESSIVE_MATERIALS: '105', // 材料繁杂
  SYSTEM_FAULT: '106', // 系统故障
};

const TEXT_MAX = 2000;

const COMMON = {
  rectifyStatuses: RECTIFY_STATUSES,
  stepCodes: STEP_CODES,
  indicatorCodes: INDICATOR_CODES,
  projectNoPrefix: '',
  maxAssessNumber: 99,
  maxLengths: { projectNo: 50, taskCode: 50, taskName: 200, writingEvaluation: TEXT_MAX, rectifyContent: TEXT_MAX },
  requiredStepFields: [
    'projectNo',
    'assessNumber',
    'deptCode',
    'areaCode',
    'assessTime',
    'rectifyStatus',
    'rectifyAction',
    'reviewAssessNumber',
    'dataSource',
  ],
} as const;

export const NATIONAL: UpwardProfile = {
  ...COMMON,
  name: 'national',
  title: '国家政务服务平台“好差评”系统',
  satisfactionScale: 'oneIsBest',
  channels: { pc: '1', mobile: '2', qrcode: '3', tablet: '4', terminal: '5', phone: '6', sms: '7' },
  defaultMark: { kind: 'flag', field: 'isDefault', value: '1', realValue: '0' },
  promiseTypes: { instant: '1', promised: '2', unknown: '9' },
  userProps: { person: '1', enterprise: '2' },
  timeFormat: 'yyyyMMddHHmmss',
  proStatusCompleted: '3',
  areaCodeLength: 6,
  version: '2',
  requiredReviewFields: ['projectNo', 'assessNumber', 'pf', 'satisfaction', 'assessTime', 'areaCode', 'dataSource', 'version'],
  negativeNeedsDetail: true,
};

export const ZHEJIANG: UpwardProfile = {
  ...COMMON,
  name: 'zhejiang',
  title: '浙江省政务服务“好差评”系统',
  satisfactionScale: 'fiveIsBest',
  channels: { pc: '1', mobile: '2', qrcode: '3', tablet: '4', terminal: '5', sms: '6' },
  defaultMark: { kind: 'channel', pf: '7' },
  promiseTypes: { instant: '2', promised: '1' },
  userProps: { person: '1', enterprise: '2' },
  timeFormat: 'yyyy-MM-dd HH:mm:ss',
  proStatusCompleted: '3',
  areaCodeLength: 12,
  version: '1',
  requiredReviewFields: [
    'projectNo',
    'assessNumber',
    'taskCode',
    'taskName',
    'deptCode',
    'areaCode',
    'proStatus',
    'pf',
    'satisfaction',
    'assessTime',
    'userProp',
    'promiseTime',
    'dataSource',
  ],
  negativeNeedsDetail: true,
};

export const GUANGDONG: UpwardProfile = {
  ...COMMON,
  name: 'guangdong',
  title: '广东省政务服务“好差评”系统',
  satisfactionScale: 'oneIsBest',
  channels: { pc: '1', mobile: '2', qrcode: '3', tablet: '4', terminal: '5', phone: '6', sms: '7' },
  defaultMark: { kind: 'evalDetail', code: '000' },
  promiseTypes: { instant: '1', promised: '2' },
  userProps: { person: '1', enterprise: '2' },
  timeFormat: 'yyyy-MM-dd HH:mm:ss',
  proStatusCompleted: '3',
  areaCodeLength: 12,
  version: '2',
  requiredReviewFields: [
    'projectNo',
    'assessNumber',
    'taskCode',
    'deptCode',
    'areaCode',
    'pf',
    'satisfaction',
    'assessTime',
    'userProp',
    'promiseTime',
    'dataSource',
    'version',
  ],
  negativeNeedsDetail: true,
};

export const PROFILES: Readonly<Record<string, UpwardProfile>> = {
  national: NATIONAL,
  zhejiang: ZHEJIANG,
  guangdong: GUANGDONG,
};

export function profileNamed(name: string): UpwardProfile {
  const profile = Object.hasOwn(PROFILES, name) ? PROFILES[name] : undefined;
  if (profile === undefined) {
    throw new Error(`unknown 好差评 profile ${JSON.stringify(name)}; known: ${Object.keys(PROFILES).join(', ')}`);
  }
  return profile;
}
