/**
 * 好差评 — review collection and rectification. Pure data types shared by the review,
 * invitation, rectification and figures modules. The use cases (`../service.ts`) load these records, call
 * the pure functions and store what they return with conditional writes on `version`; figure counters are kept with atomic
 * ADDs of the `FigureDelta`s the functions return, each delta returned exactly once per transition.
 */

import type { Due, LocalDate } from '#calendar/types';

export type ReviewLevel = 1 | 2 | 3 | 4 | 5;
export const REVIEW_LEVELS: readonly ReviewLevel[] = [1, 2, 3, 4, 5];

/** 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意. */
export const LEVEL_POINTS: Readonly<Record<ReviewLevel, number>> = { 5: 10, 4: 8, 3: 6, 2: 3, 1: 0 };
export const LEVEL_LABELS: Readonly<Record<ReviewLevel, string>> = {
  5: '非常满意',
  4: '满意',
  3: '基本满意',
  2: '不满意',
  1: '非常不满意',
};

/** 差评: levels 1–2. */
export function isNegativeLevel(level: ReviewLevel): boolean {
  return level <= 2;
}
/** 好评: levels 3–5. */
export function isPositiveLevel(level: ReviewLevel): boolean {
  return level >= 3;
}
export function isReviewLevel(value: unknown): value is ReviewLevel {
  return value === 1 || value === 2 || value === 3 || value === 4 || value === 5;
}

/** The default recorded after the silence period is 基本满意. */
export const DEFAULT_REVIEW_LEVEL: ReviewLevel = 3;
/** Defaults are not given by anybody; this id keeps them apart from every real reviewer. */
export const DEFAULT_REVIEWER_ID = 'system:default';

/** A completed case open for review: from a 秒批 decision (`application`) or `gov.case.completed`. */
export interface Case {
  readonly caseId: string;
  readonly itemCode: string;
  readonly departmentCode: string;
  readonly staffId?: string;
  readonly applicantId: string;
  readonly channel: string;
  readonly completedAt: string;
  /** 受理时间: when the case was received, when its sender knows; reported upward as acceptDate. */
  readonly acceptedAt?: string;
  readonly district?: string;
  readonly source: 'application' | 'external';
}

export interface Review {
  readonly reviewId: string;
  readonly caseId: string;
  readonly itemCode: string;
  readonly departmentCode: string;
  readonly staffId?: string;
  /** The channel the review came through (窗口评价器, 政务服务网, 12345, ...). */
  readonly channel: string;
  readonly level: ReviewLevel;
  readonly indicators?: readonly string[];
  readonly comment?: string;
  readonly reviewerId: string;
  readonly submittedAt: string;
  /** A 基本满意 recorded by the system after the silence period, not given by the applicant. */
  readonly defaulted: boolean;
  /** The inbound event that brought a real review, so a review parked before its case gets its receipt later. */
  readonly event?: { readonly source: string; readonly id: string; readonly type: string };
}

/**
 * What a figure is grouped by, frozen when the case completes so every later delta for the case (its
 * review, its default, its rectification) lands in the same rows. A review counts in the day and month
 * of its case's completion in the bureau's time zone.
 */
export interface FigureSubject {
  readonly caseId: string;
  readonly departmentCode: string;
  readonly itemCode: string;
  readonly staffId?: string;
  /** The case's channel (where the service was delivered), so ratios over completed cases are coherent. */
  readonly channel: string;
  readonly district?: string;
  readonly completedDay: LocalDate;
  /** "YYYY-MM". */
  readonly completedMonth: string;
}

/** The per-case record. One item per caseId; `version` guards conditional writes. */
export interface CaseReviewState {
  readonly case: Case;
  readonly subject: FigureSubject;
  readonly version: number;
  readonly invitationSentAt?: string;
  readonly reminderSentAt?: string;
  /** When the default 基本满意 was recorded (kept even after a real review replaced it). */
  readonly defaultedAt?: string;
  /** The current review: the one real review, or the default until a real one replaces it. */
  readonly review?: Review;
  /** The real review was a 差评 approved invalid: excluded from every figure; the case counts as unreviewed. */
  readonly invalidated: boolean;
  /**
   * Set when the real review is a 差评 and a rectification case was opened for it. The rectification
   * record (keyed by caseId) is the one source of truth for its state; this only links the two.
   */
  readonly rectification?: { readonly reviewId: string; readonly openedAt: string };
}

export const RECTIFICATION_STATES = [
  'OPEN',
  'IN_PROGRESS',
  'RECTIFIED',
  'RETURN_VISITED',
  'CLOSED',
  'INVALID_CLAIMED',
  'INVALID_APPROVED',
  'UNFIXABLE_CLAIMED',
  'UNFIXABLE_APPROVED',
  'EXTENSION_REQUESTED',
] as const;
export type RectificationState = (typeof RECTIFICATION_STATES)[number];

export const RECTIFICATION_ACTIONS = [
  'acknowledge',
  'claimInvalid',
  'rectify',
  'claimUnfixable',
  'requestExtension',
  'returnVisit',
  'close',
  'approveInvalid',
  'rejectInvalid',
  'approveUnfixable',
  'rejectUnfixable',
  'approveExtension',
  'rejectExtension',
] as const;
export type RectificationAction = (typeof RECTIFICATION_ACTIONS)[number];

export interface Actor {
  readonly departmentCode: string;
  readonly staffId: string;
}

export interface HistoryEntry {
  /** Identifies the step under at-least-once delivery: the same key again is a no-op. */
  readonly key: string;
  /**
   * `open` for the creation of the case, `overdue` for a deadline flag, `overdueWithdrawn` for a flag taken
   * back because a step taken by the deadline was processed after it, else the action.
   */
  readonly action: RectificationAction | 'open' | 'overdue' | 'overdueWithdrawn';
  readonly from: RectificationState | null;
  readonly to: RectificationState;
  /** The department acting; the system for `open`, `overdue` and `overdueWithdrawn`. */
  readonly actor: Actor;
  readonly note?: string;
  readonly satisfied?: boolean;
  readonly at: string;
}

export interface Extension {
  readonly requestedAt: string;
  readonly decidedAt?: string;
  readonly approved?: boolean;
  /** The rectification deadline replaced by the approval. */
  readonly previousRectifyDue?: Due;
  readonly rectifyDue?: Due;
}

export type OverdueKind = 'acknowledge' | 'rectify';

export interface Rectification {
  readonly caseId: string;
  readonly reviewId: string;
  /** The owning department: only it may act on the case. */
  readonly departmentCode: string;
  readonly level: ReviewLevel;
  readonly subject: FigureSubject;
  readonly state: RectificationState;
  /** The state a pending claim or extension request came from, to return to when it is rejected. */
  readonly returnTo?: RectificationState;
  readonly openedAt: string;
  readonly deadlines: { readonly acknowledgeDue: Due; readonly rectifyDue: Due };
  readonly extensions: readonly Extension[];
  readonly returnVisit?: { readonly satisfied: boolean; readonly at: string };
  readonly history: readonly HistoryEntry[];
  /**
   * When each kind of overdue was flagged; each is flagged once and stays (it was overdue), unless a step
   * taken by the deadline, processed after the flag, shows it never was (`overdueWithdrawn` in the history).
   */
  readonly overdue: { readonly acknowledge?: string; readonly rectify?: string };
  readonly version: number;
}

export interface ReviewConfig {
  /** 智能邀评: the reminder, in natural days (× 24 h) after completion. */
  readonly reminderNaturalDays: number;
  /** The default 基本满意, in natural days after completion. */
  readonly defaultReviewNaturalDays: number;
  readonly acknowledgeWorkingDays: number;
  readonly rectifyWorkingDays: number;
  /** An approved extension's new rectification deadline, in working days from the approval. */
  readonly extensionWorkingDays: number;
  /** Forward each 差评 to the 12345 hotline as a work order (a stage setting). */
  readonly forwardWorkOrders?: boolean;
}

export const DEFAULT_REVIEW_CONFIG: ReviewConfig = {
  reminderNaturalDays: 3,
  defaultReviewNaturalDays: 7,
  acknowledgeWorkingDays: 1,
  rectifyWorkingDays: 5,
  extensionWorkingDays: 5,
};

/**
 * Additive counters kept per (dimension, key, day); a month's are its days' summed. Sums and counts
 * only — never ratios — so concurrent atomic ADDs stay exact. Every counter counts cases (at most one
 * per case).
 */
export const COUNTER_NAMES = [
  'completedCases',
  'level1',
  'level2',
  'level3',
  'level4',
  'level5',
  /** Sum of the points of the counted real reviews. */
  'points',
  /** Cases whose current review is a default (not replaced by a real one). */
  'defaulted',
  /** Valid 差评 whose rectification reached RECTIFIED (and stays counted afterwards). */
  'rectified',
  'returnVisited',
  'returnVisitSatisfied',
  /** Valid 差评 flagged overdue, of either kind (a case counts once); withdrawn flags do not count. */
  'overdue',
  'overdueAcknowledge',
  'overdueRectify',
  /** 差评 approved invalid (shown for audit; excluded from every other counter). */
  'invalidated',
  /** Valid 差评 approved unfixable. */
  'unfixable',
] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];
export type Counters = Readonly<Record<CounterName, number>>;

/** A change to the counters of one case's subject; `counterDeltas` fans it out to every row. */
export interface FigureDelta {
  readonly subject: FigureSubject;
  readonly add: Readonly<Partial<Record<CounterName, number>>>;
}
