/**
 * 办不成事 — hard cases: problems an applicant could not get done, reported at the 办不成事
 * window, through the 12345 hotline or online, or offered by the system for an application that was
 * terminated or waited too long for a person's review. Pure types; the state machine is in transitions.ts.
 */

import type { Due } from '#calendar/types';

export const HARDCASE_CHANNELS = ['window', 'hotline', 'online'] as const;
export type HardCaseChannel = (typeof HARDCASE_CHANNELS)[number];

export const HARDCASE_STATES = ['RECEIVED', 'CONTACTED', 'RESOLVED', 'EXPLAINED', 'ESCALATED', 'RETURN_VISITED', 'CLOSED'] as const;
export type HardCaseState = (typeof HARDCASE_STATES)[number];

export const HARDCASE_ACTIONS = ['contact', 'involveDepartments', 'resolve', 'explain', 'escalate', 'returnVisit', 'close'] as const;
export type HardCaseAction = (typeof HARDCASE_ACTIONS)[number];

/** Why a thing could not be done, for the figures by cause (the two `auto` causes come with offers). */
export const HARDCASE_CAUSES = [
  'policyGap', // 政策空白或依据不明确
  'crossDepartment', // 跨部门协同不畅
  'dataSharing', // 数据共享不到位
  'excessiveMaterials', // 材料要求不合理
  'systemFault', // 系统故障
  'historical', // 历史遗留问题
  'staffService', // 窗口服务问题
  'supplementMissed', // 容缺材料逾期未补正（系统主动提供）
  'reviewOverdue', // 人工审核超过承诺时限（系统主动提供）
  'other',
] as const;
export type HardCaseCause = (typeof HARDCASE_CAUSES)[number];

export const CAUSE_LABELS: Readonly<Record<HardCaseCause, string>> = {
  policyGap: '政策空白或依据不明确',
  crossDepartment: '跨部门协同不畅',
  dataSharing: '数据共享不到位',
  excessiveMaterials: '材料要求不合理',
  systemFault: '系统故障',
  historical: '历史遗留问题',
  staffService: '窗口服务问题',
  supplementMissed: '容缺材料逾期未补正',
  reviewOverdue: '人工审核超过承诺时限',
  other: '其他',
};

/** The data of `gov.hardcase.reported`. */
export interface HardCaseReport {
  readonly caseId: string;
  readonly channel: HardCaseChannel;
  readonly applicationId?: string;
  readonly itemCode?: string;
  readonly description: string;
  readonly reportedAt: string;
  /** The department the case is first put to, when the reporting system knows it. */
  readonly departmentCode?: string;
  /** How to reach the applicant for the same-day contact. Personal data: masked in every log line. */
  readonly contactPhone?: string;
}

export interface HardCaseActor {
  readonly departmentCode: string;
  readonly staffId: string;
}

/** The data of `gov.hardcase.updated`. */
export interface HardCaseUpdate {
  readonly caseId: string;
  /** Unchecked: an unknown action is refused with UNKNOWN_ACTION. */
  readonly action: string;
  readonly actor: HardCaseActor;
  readonly note?: string;
  readonly at: string;
  /** Departments brought in (contact, involveDepartments, escalate): two or more give the longer deadline. */
  readonly departments?: readonly string[];
  /** The cause, once known; a conclusion (resolve, explain, escalate) needs one. */
  readonly cause?: HardCaseCause;
  /** escalate: to whom (a higher authority, a task force). */
  readonly escalatedTo?: string;
  /** returnVisit: the applicant's answer. */
  readonly satisfied?: boolean;
}

/** Where a case came from: reported by a channel, or offered by the system for an application. */
export type HardCaseOrigin = 'reported' | 'offered';

/** What opens a case: a report, or an offer (channel `system`). */
export interface NewHardCase {
  readonly caseId: string;
  readonly origin: HardCaseOrigin;
  readonly channel: HardCaseChannel | 'system';
  readonly applicationId?: string;
  readonly itemCode?: string;
  readonly departmentCode?: string;
  readonly description: string;
  readonly reportedAt: string;
  readonly contactPhone?: string;
  readonly cause?: HardCaseCause;
}

export interface HardCaseHistoryEntry {
  /** Identifies the step under at-least-once delivery: the same key again is a no-op. */
  readonly key: string;
  /** `overdueWithdrawn`: a flag taken back because a step taken by the deadline arrived after it. */
  readonly action: HardCaseAction | 'open' | 'overdue' | 'overdueWithdrawn';
  readonly from: HardCaseState | null;
  readonly to: HardCaseState;
  readonly actor: HardCaseActor;
  readonly note?: string;
  readonly at: string;
}

export type HardCaseOutcome = 'RESOLVED' | 'EXPLAINED' | 'ESCALATED';
export type HardCaseOverdueKind = 'contact' | 'resolve';

export interface HardCase extends NewHardCase {
  readonly state: HardCaseState;
  /** Departments involved, sorted, each once. */
  readonly departments: readonly string[];
  readonly deadlines: { readonly contactDue: Due; readonly resolveDue: Due };
  readonly contactedAt?: string;
  /** The latest conclusion; an escalated case resolved later ends RESOLVED. */
  readonly outcome?: HardCaseOutcome;
  readonly concludedAt?: string;
  readonly escalatedTo?: string;
  readonly returnVisit?: { readonly satisfied: boolean; readonly at: string };
  readonly closedAt?: string;
  /**
   * When each kind of overdue was flagged; flagged once, and it stays, unless a step taken by the deadline
   * arrives after the flag and shows it never was due (`overdueWithdrawn` in the history).
   */
  readonly overdue: { readonly contact?: string; readonly resolve?: string };
  readonly history: readonly HardCaseHistoryEntry[];
  readonly version: number;
}

export interface HardCaseConfig {
  /** 0: the same working day (the next one when reported on a day off); N: N working days. */
  readonly contactWorkingDays: number;
  readonly resolveWorkingDays: number;
  /** When two or more departments are involved. */
  readonly resolveWorkingDaysMultiDepartment: number;
}

export const DEFAULT_HARDCASE_CONFIG: HardCaseConfig = {
  contactWorkingDays: 0,
  resolveWorkingDays: 5,
  resolveWorkingDaysMultiDepartment: 10,
};

/** An event for upstream systems; the handler wraps it in a CloudEvent. */
export interface HardCaseOutboundEvent {
  readonly type: string;
  readonly subject: string;
  readonly data: Readonly<Record<string, unknown>>;
}
