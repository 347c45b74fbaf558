/**
 * Upward sync of 好差评 to the provincial / national platform: the record the platform takes,
 * the per-province profile of its code tables, and what the mapping needs to know about a case. Pure
 * types; the mapping is in map.ts, the code tables in profiles.ts, the checks in validate.ts.
 */

import type { RectificationAction, RectificationState } from '#review/domain/types';

/** Where a review was given, whatever an upstream system calls it (see CHANNEL_ALIASES). */
export const CHANNEL_KINDS = ['pc', 'mobile', 'qrcode', 'tablet', 'terminal', 'phone', 'sms'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** What the platform record describes. */
export type RecordKind = 'review' | 'default' | 'step';

/** A rectification step kind: the opening of the case or an action (overdue flags are not sent). */
export type StepKind = 'open' | RectificationAction;

/**
 * How a platform writes date-times, always as local wall time in the bureau's time zone:
 * GB/T 39046 日期时间型 `YYYYMMDDhhmmss`, or the `yyyy-MM-dd HH:mm:ss` the provincial interfaces use.
 */
export type TimeFormat = 'yyyyMMddHHmmss' | 'yyyy-MM-dd HH:mm:ss';

/** How a default 基本满意 (recorded by the system, not given by anybody) is marked. */
export type DefaultMark =
  /** An extra field with this value on a default and `realValue` on a real review. */
  | { readonly kind: 'flag'; readonly field: string; readonly value: string; readonly realValue: string }
  /** A channel code of its own in pf (e.g. 系统默认评价=7); a real review is never sent with it. */
  | { readonly kind: 'channel'; readonly pf: string }
  /** A special 测评内容 code in evalDetail; a real review is never sent with it. */
  | { readonly kind: 'evalDetail'; readonly code: string };

export interface UpwardProfile {
  readonly name: string;
  /** Chinese name of the platform, for operators. */
  readonly title: string;
  /** Which end of the 1..5 code scale is 非常满意. */
  readonly satisfactionScale: 'oneIsBest' | 'fiveIsBest';
  /** pf codes; a channel kind the table lacks cannot be sent (the mapping says so). */
  readonly channels: Readonly<Partial<Record<ChannelKind, string>>>;
  readonly defaultMark: DefaultMark;
  /** promiseTime: 办件类型 codes; `unknown` when the platform has an "other" code. */
  readonly promiseTypes: { readonly instant: string; readonly promised: string; readonly unknown?: string };
  /** userProp: 评价用户属性 codes. Never the reviewer's identifier. */
  readonly userProps: { readonly person: string; readonly enterprise: string };
  readonly timeFormat: TimeFormat;
  /** proStatus of a case that is reviewed: the 办件 is complete. */
  readonly proStatusCompleted: string;
  /** rectifyStatus codes of a step record, by the rectification state after the step. */
  readonly rectifyStatuses: Readonly<Record<RectificationState, string>>;
  /** rectifyAction codes of a step record. */
  readonly stepCodes: Readonly<Record<StepKind, string>>;
  /**
   * evalDetail codes of our indicator vocabulary; a three-digit indicator is passed through as a code,
   * except the default mark's (the mapping reports an indicator coded so).
   */
  readonly indicatorCodes: Readonly<Record<string, string>>;
  /** Prepended to the case id to make projectNo (some provinces prefix their code to every 办件编号). */
  readonly projectNoPrefix: string;
  /** Digits of areaCode: a 6-digit district code is padded with zeros to 12 where the platform wants 12. */
  readonly areaCodeLength: 6 | 9 | 12;
  /** The interface version sent in `version`. */
  readonly version: string;
  /** Fields a receiving platform refuses a review record without (non-empty). */
  readonly requiredReviewFields: readonly string[];
  /** Fields a receiving platform refuses a step record without (non-empty). */
  readonly requiredStepFields: readonly string[];
  /** Longest value of a field, in characters. */
  readonly maxLengths: Readonly<Record<string, number>>;
  /** A 差评 must carry evalDetail or writingEvaluation (差评必须勾选详情或填写文字评价). */
  readonly negativeNeedsDetail: boolean;
  /** The largest assessNumber the platform's field holds (评价次数 n..2 → 99). */
  readonly maxAssessNumber: number;
}

/** What a stage tells the mapping about itself. */
export interface UpwardSettings {
  /** The bureau's administrative division code (6, 9 or 12 digits). */
  readonly areaCode: string;
  /** The data-source number the platform assigned to this bureau's system (three digits). */
  readonly dataSource: string;
  /** deptCode is the department's 统一社会信用代码: our department code → that code. */
  readonly departmentCreditCodes: Readonly<Record<string, string>>;
}

/** What the platform needs about the case that the review alone does not carry. */
export interface UpwardCase {
  readonly caseId: string;
  readonly itemCode: string;
  /** taskName: the item's name from the catalogue. */
  readonly itemName?: string;
  readonly departmentCode: string;
  /** The applicant: a default review is "by" the applicant for userProp. */
  readonly applicantId: string;
  /** acceptDate: when the application was received (收件时间); unknown for cases completed elsewhere. */
  readonly acceptedAt?: string;
  /** promiseTime: 即办件 (promisedDays 0) or 承诺件; unknown when the item is not in the catalogue. */
  readonly promise?: 'instant' | 'promised';
}

/** One record as the platform takes it: field name → string value, in a fixed order. */
export type PlatformRecord = Readonly<Record<string, string>>;

/** The platform's key of a record. */
export interface RecordKey {
  readonly projectNo: string;
  readonly assessNumber: string;
}

export interface FieldIssue {
  /** The platform's field name (or the input that could not be mapped). */
  readonly field: string;
  readonly message: string;
}

export type MapResult =
  | { readonly ok: true; readonly kind: RecordKind; readonly key: RecordKey; readonly record: PlatformRecord }
  /** The record cannot be built (a code table lacks a value): the key is still known, for the outbox. */
  | { readonly ok: false; readonly kind: RecordKind; readonly key: RecordKey; readonly issues: readonly FieldIssue[] };
