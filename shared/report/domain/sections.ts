/**
 * The monthly report's 办不成事 and upward-sync sections (issue #19). Pure: the report's sources read the
 * figures through the capabilities' own readers — the ones GET /hardcases/figures and GET
 * /reviews/sync/figures call — so the report shows a month exactly as those routes do; this module only
 * checks that they are the month's, masks what could name a person, and labels them in Chinese.
 */
import { maskSensitive } from '#contract/identifiers';
import { CAUSE_LABELS, HARDCASE_CAUSES, type HardCaseCounts, type HardCaseFigures } from '#hardcase';
import { INVALID_REJECTION, MAPPING_REJECTION, SYNC_STATES, type OldestRecord, type SyncFigures } from '#review';

/** 办不成事 cases reported in the month, in all and by channel, cause and item, overdue as of generation. */
export type HardCaseSection = HardCaseFigures;

/** Upward-sync records of the month's reviews, defaults and steps; the oldest ones over all time. */
export type UpwardSyncSection = SyncFigures;

/** The key a case without a cause is counted under (as the hard-case figures name it). */
export const UNCLASSIFIED_CAUSE = 'unclassified';

export const HARDCASE_COUNT_LABELS: Readonly<Record<keyof HardCaseCounts, string>> = {
  received: '登记数',
  offered: '系统主动提供数',
  contacted: '已联系数',
  resolved: '已解决数',
  explained: '已解释说明数',
  escalated: '提级处理数',
  returnVisited: '已回访数',
  satisfied: '回访满意数',
  closed: '已办结数',
  overdueContact: '逾期未联系数',
  overdueResolve: '逾期未办结数',
  overdue: '逾期数',
  resolutionRate: '解决率',
  satisfactionRate: '回访满意率',
};

export const CHANNEL_LABELS: Readonly<Record<string, string>> = {
  window: '办不成事窗口',
  hotline: '12345热线',
  online: '网上反映',
  system: '系统主动提供',
};

export const SYNC_STATE_LABELS: Readonly<Record<(typeof SYNC_STATES)[number], string>> = {
  PENDING: '待推送',
  SENT: '已推送待回执',
  ACKED: '平台已接收',
  REJECTED: '被退回',
  PARKED: '多次失败暂停（待人工重推）',
};

/** Our own refusals before sending; a platform's rejection codes are its own and shown as they come. */
export const REJECTION_LABELS: Readonly<Record<string, string>> = {
  [MAPPING_REJECTION]: '无法转换为平台格式',
  [INVALID_REJECTION]: '字段校验未通过',
};

export const SECTION_LABELS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(HARDCASE_COUNT_LABELS).map(([k, v]) => [`hardCase.${k}`, v])),
  ...Object.fromEntries(Object.entries(CHANNEL_LABELS).map(([k, v]) => [`hardCase.channel.${k}`, v])),
  ...Object.fromEntries(HARDCASE_CAUSES.map((c) => [`hardCase.cause.${c}`, CAUSE_LABELS[c]])),
  [`hardCase.cause.${UNCLASSIFIED_CAUSE}`]: '尚未认定原因',
  'hardCase.channel': '反映渠道',
  'hardCase.cause': '原因',
  'hardCase.itemCode': '事项编码',
  'upward.records': '上报记录数',
  'upward.byState': '上报记录状态',
  'upward.rejectionsByReason.code': '退回代码',
  'upward.rejectionsByReason.count': '被退回记录数',
  ...Object.fromEntries(SYNC_STATES.map((s) => [`upward.byState.${s}`, SYNC_STATE_LABELS[s]])),
  ...Object.fromEntries(Object.entries(REJECTION_LABELS).map(([k, v]) => [`upward.rejection.${k}`, v])),
  'upward.lag.count': '已接收记录数',
  'upward.lag.p50Ms': '上报时延（中位数）',
  'upward.lag.p99Ms': '上报时延（99%分位）',
  'upward.lag.maxMs': '最长上报时延',
  'upward.oldestPending': '最早未送达记录',
  'upward.oldestUnacked': '最早未被接收记录',
};

export const SECTION_BASIS = {
  hardCase: '本月登记（按登记日期）的办不成事案件，与“办不成事”统计口径一致；逾期数以报告生成时为准',
  upwardSync: '本月发生（按评价、默认评价或整改环节的日期）的上报记录；最早未送达、未被接收的记录不限月份，以报告生成时为准',
} as const;

/** The hard-case figures of the month, refused when they are another period's. */
export function hardCaseSection(figures: HardCaseFigures, month: string): HardCaseSection {
  if (figures.period.granularity !== 'month' || figures.period.value !== month) {
    throw new Error(`the hard-case figures are of ${figures.period.granularity} ${figures.period.value}, not of the month ${month}`);
  }
  return figures;
}

function masked(record: OldestRecord | null): OldestRecord | null {
  return record === null ? null : { ...record, recordId: maskSensitive(record.recordId) };
}

/** The upward-sync figures of the month, with a record id masked should a source system put a person's number in it. */
export function upwardSyncSection(figures: SyncFigures): UpwardSyncSection {
  return { ...figures, oldestPending: masked(figures.oldestPending), oldestUnacked: masked(figures.oldestUnacked) };
}
