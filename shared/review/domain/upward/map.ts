/**
 * Builds the platform record of a real review, a default review and a rectification step in a
 * profile's field format. Pure: the calendar gives local wall time, nothing reads the clock.
 *
 * The key (projectNo, assessNumber), derived so that every record has its own key and a redelivered
 * review, default or step maps to the same key again:
 * - projectNo is the case id (the 办件编号 the acceptance system already reported to the platform, so
 *   the evaluation joins its 办件), with the profile's prefix if it has one.
 * - assessNumber counts the case's records the way the platform counts evaluations (评价次数): a default
 *   is 1; a real review is 1, or 2 when it replaces a default already recorded (二次评价); the step at
 *   index i of the rectification's history is 10 + i. The history only grows and a redelivered step is
 *   not appended twice, so a step keeps its index. Overdue flags take an index but are not sent.
 */

import { isValidCreditCode, maskSensitive } from '#contract/identifiers';
import type { WorkingCalendar } from '#calendar/types';
import type { HistoryEntry, Rectification, Review, ReviewLevel } from '#review/domain/types';
import type {
  ChannelKind,
  FieldIssue,
  MapResult,
  PlatformRecord,
  RecordKey,
  RecordKind,
  TimeFormat,
  UpwardCase,
  UpwardProfile,
  UpwardSettings,
} from './types';

type Calendar = Pick<WorkingCalendar, 'localIso'>;

/** Channel names upstream systems use (the review's `channel`), by kind. */
export const CHANNEL_ALIASES: Readonly<Record<string, ChannelKind>> = {
  web: 'pc',
  pc: 'pc',
  政务服务网: 'pc',
  PC端: 'pc',
  app: 'mobile',
  mobile: 'mobile',
  移动端: 'mobile',
  移动服务端: 'mobile',
  qrcode: 'qrcode',
  二维码: 'qrcode',
  window: 'tablet',
  tablet: 'tablet',
  窗口评价器: 'tablet',
  政务大厅平板电脑: 'tablet',
  kiosk: 'terminal',
  terminal: 'terminal',
  自助终端: 'terminal',
  政务大厅其他终端: 'terminal',
  '12345': 'phone',
  hotline: 'phone',
  phone: 'phone',
  电话: 'phone',
  sms: 'sms',
  短信: 'sms',
};

export const DEFAULT_ASSESS_NUMBER = 1;
export const FIRST_STEP_ASSESS_NUMBER = 10;

export function channelKindOf(channel: string): ChannelKind | undefined {
  return Object.hasOwn(CHANNEL_ALIASES, channel) ? CHANNEL_ALIASES[channel] : undefined;
}

export function projectNoOf(profile: Pick<UpwardProfile, 'projectNoPrefix'>, caseId: string): string {
  return `${profile.projectNoPrefix}${caseId}`;
}

export function reviewAssessNumber(supersedesDefault: boolean): number {
  return supersedesDefault ? 2 : 1;
}

export function stepAssessNumber(historyIndex: number): number {
  return FIRST_STEP_ASSESS_NUMBER + historyIndex;
}

/** Overdue flags are the bureau's own bookkeeping; the platform computes lateness itself. */
export function isReportedStep(entry: Pick<HistoryEntry, 'action'>): boolean {
  return entry.action !== 'overdue' && entry.action !== 'overdueWithdrawn';
}

/** Local wall time of an instant in the platform's format. */
export function formatTime(format: TimeFormat, at: string, calendar: Calendar): string {
  const local = calendar.localIso(at); // 2026-11-07T16:04:12.000+08:00
  const date = local.slice(0, 10);
  const time = local.slice(11, 19);
  return format === 'yyyyMMddHHmmss' ? `${date}${time}`.replace(/[-:]/g, '') : `${date} ${time}`;
}

export function satisfactionCode(profile: Pick<UpwardProfile, 'satisfactionScale'>, level: ReviewLevel): string {
  return String(profile.satisfactionScale === 'fiveIsBest' ? level : 6 - level);
}

/** The level a satisfaction code stands for, or undefined for a code outside 1..5. */
export function levelOfSatisfaction(profile: Pick<UpwardProfile, 'satisfactionScale'>, code: string): ReviewLevel | undefined {
  if (!/^[1-5]$/.test(code)) return undefined;
  const n = Number(code);
  return (profile.satisfactionScale === 'fiveIsBest' ? n : 6 - n) as ReviewLevel;
}

/** A record being built: fields in insertion order, and what could not be filled. */
class Draft {
  readonly fields: Record<string, string> = {};
  readonly issues: FieldIssue[] = [];
  set(field: string, value: string): void {
    this.fields[field] = value;
  }
  /** Sets the field, or records why it cannot be filled (and leaves it empty, to keep the shape). */
  need(field: string, value: string | undefined, problem: string): void {
    this.fields[field] = value ?? '';
    if (value === undefined) this.issues.push({ field, message: problem });
  }
}

function areaCodeFor(profile: UpwardProfile, areaCode: string): string | undefined {
  if (!/^\d{6}(\d{3})?(\d{3})?$/.test(areaCode)) return undefined;
  const padded = areaCode.padEnd(12, '0');
  const cut = padded.slice(0, profile.areaCodeLength);
  // Shortening is allowed only where the dropped digits are zeros (a district padded to 12).
  return padded.slice(profile.areaCodeLength).replace(/0/g, '') === '' ? cut : undefined;
}

function caseFields(draft: Draft, profile: UpwardProfile, settings: UpwardSettings, kase: UpwardCase, key: RecordKey): void {
  draft.set('projectNo', key.projectNo);
  draft.set('assessNumber', key.assessNumber);
  draft.set('taskCode', kase.itemCode);
  draft.need('taskName', kase.itemName, `no name for item ${kase.itemCode} (not in the catalogue)`);
  const credit = Object.hasOwn(settings.departmentCreditCodes, kase.departmentCode)
    ? settings.departmentCreditCodes[kase.departmentCode]
    : undefined;
  draft.need('deptCode', credit, `no unified social credit code configured for department ${kase.departmentCode}`);
  draft.need('areaCode', areaCodeFor(profile, settings.areaCode), `area code ${JSON.stringify(settings.areaCode)} cannot be written in ${profile.areaCodeLength} digits`);
  draft.set('proStatus', profile.proStatusCompleted);
}

/**
 * The code a profile gives default reviews in `field`, if it marks them there. The platform reads any
 * record carrying it as a default (and refuses one that is not 基本满意), so a real review must never
 * carry it, whichever way its data would produce it.
 */
function reservedCode(profile: UpwardProfile, field: 'pf' | 'evalDetail'): string | undefined {
  const mark = profile.defaultMark;
  if (field === 'pf') return mark.kind === 'channel' ? mark.pf : undefined;
  return mark.kind === 'evalDetail' ? mark.code : undefined;
}

/** The channel's pf code; never the one the profile reserves for defaults (a stage's own channel table could). */
function pfFor(profile: UpwardProfile, channel: string): string | undefined {
  const kind = channelKindOf(channel);
  const pf = kind === undefined ? undefined : profile.channels[kind];
  return pf === reservedCode(profile, 'pf') ? undefined : pf;
}

function channelProblem(profile: UpwardProfile, channel: string): string {
  const kind = channelKindOf(channel);
  if (kind === undefined) return `channel ${JSON.stringify(channel)} is not a known review channel`;
  const pf = profile.channels[kind];
  return pf === undefined
    ? `channel ${JSON.stringify(channel)} (${kind}) has no pf code in profile ${profile.name}`
    : `channel ${JSON.stringify(channel)} (${kind}) has pf code ${pf}, which profile ${profile.name} reserves for default reviews`;
}

/**
 * Indicator codes in the order given; unknown ones are reported, a three-digit code is taken as is. An
 * indicator whose code is the profile's default mark is reported too: sent, it would make the platform
 * read the real review as a default (see reservedCode).
 */
function evalDetailFor(profile: UpwardProfile, indicators: readonly string[], draft: Draft): string {
  const reserved = reservedCode(profile, 'evalDetail');
  const codes: string[] = [];
  for (const indicator of indicators) {
    const code = /^\d{3}$/.test(indicator)
      ? indicator
      : Object.hasOwn(profile.indicatorCodes, indicator)
        ? profile.indicatorCodes[indicator]
        : undefined;
    if (code === undefined) draft.issues.push({ field: 'evalDetail', message: `indicator ${JSON.stringify(indicator)} has no code in profile ${profile.name}` });
    else if (code === reserved) {
      draft.issues.push({ field: 'evalDetail', message: `indicator ${JSON.stringify(indicator)} has code ${code}, which profile ${profile.name} reserves for default reviews` });
    } else if (!codes.includes(code)) codes.push(code);
  }
  return codes.join(',');
}

function userPropFor(profile: UpwardProfile, subjectId: string): string {
  // The reviewer's (or applicant's) kind only: never the identifier itself.
  return isValidCreditCode(subjectId) ? profile.userProps.enterprise : profile.userProps.person;
}

function promiseFor(profile: UpwardProfile, kase: UpwardCase): string | undefined {
  if (kase.promise === 'instant') return profile.promiseTypes.instant;
  if (kase.promise === 'promised') return profile.promiseTypes.promised;
  return profile.promiseTypes.unknown;
}

function trailer(draft: Draft, profile: UpwardProfile, settings: UpwardSettings): void {
  draft.set('dataSource', settings.dataSource);
  draft.set('version', profile.version);
}

function keyOf(profile: UpwardProfile, caseId: string, assessNumber: number): RecordKey {
  return { projectNo: projectNoOf(profile, caseId), assessNumber: String(assessNumber) };
}

function result(kind: RecordKind, key: RecordKey, draft: Draft): MapResult {
  return draft.issues.length === 0
    ? { ok: true, kind, key, record: draft.fields as PlatformRecord }
    : { ok: false, kind, key, issues: draft.issues };
}

export interface ReviewInput {
  readonly profile: UpwardProfile;
  readonly settings: UpwardSettings;
  readonly kase: UpwardCase;
  /** The real review, or the default (`defaulted: true`). */
  readonly review: Review;
  /** A real review that replaced a default recorded before it (二次评价). Ignored for a default. */
  readonly supersedesDefault: boolean;
}

/** The record of a real review or of a default 基本满意, marked as the profile marks defaults. */
export function mapReview(input: ReviewInput, calendar: Calendar): MapResult {
  const { profile, settings, kase, review } = input;
  const defaulted = review.defaulted;
  const kind: RecordKind = defaulted ? 'default' : 'review';
  const key = keyOf(profile, kase.caseId, defaulted ? DEFAULT_ASSESS_NUMBER : reviewAssessNumber(input.supersedesDefault));
  const mark = profile.defaultMark;
  const draft = new Draft();
  caseFields(draft, profile, settings, kase, key);
  if (defaulted && mark.kind === 'channel') draft.set('pf', mark.pf);
  else draft.need('pf', pfFor(profile, review.channel), channelProblem(profile, review.channel));
  draft.set('satisfaction', satisfactionCode(profile, review.level));
  const evalDetail = defaulted ? '' : evalDetailFor(profile, review.indicators ?? [], draft);
  draft.set('evalDetail', defaulted && mark.kind === 'evalDetail' ? mark.code : evalDetail);
  draft.set('writingEvaluation', defaulted ? '' : maskSensitive(review.comment ?? ''));
  draft.set('assessTime', formatTime(profile.timeFormat, review.submittedAt, calendar));
  draft.set('userProp', userPropFor(profile, defaulted ? kase.applicantId : review.reviewerId));
  draft.need('promiseTime', promiseFor(profile, kase), `item ${kase.itemCode} is not known to be 即办件 or 承诺件 (not in the catalogue)`);
  if (kase.acceptedAt !== undefined) draft.set('acceptDate', formatTime(profile.timeFormat, kase.acceptedAt, calendar));
  trailer(draft, profile, settings);
  if (mark.kind === 'flag') draft.set(mark.field, defaulted ? mark.value : mark.realValue);
  return result(kind, key, draft);
}

export interface StepInput {
  readonly profile: UpwardProfile;
  readonly settings: UpwardSettings;
  readonly kase: UpwardCase;
  readonly rectification: Pick<Rectification, 'caseId' | 'history'>;
  /** The position of the step in the rectification's history. */
  readonly historyIndex: number;
  /** The 差评 the rectification is about. */
  readonly review: Pick<Review, 'channel' | 'level'>;
  /** Whether that 差评 replaced a default (its own assessNumber is then 2). */
  readonly reviewSupersededDefault: boolean;
}

/** The record of one rectification step (the opening of the case or an action). */
export function mapRectificationStep(input: StepInput, calendar: Calendar): MapResult {
  const { profile, settings, kase, rectification, historyIndex, review } = input;
  const key = keyOf(profile, kase.caseId, stepAssessNumber(historyIndex));
  const draft = new Draft();
  const entry = rectification.history[historyIndex];
  if (entry === undefined || !isReportedStep(entry)) {
    draft.issues.push({ field: 'rectifyAction', message: `history[${historyIndex}] of case ${kase.caseId} is not a reported step` });
    return result('step', key, draft);
  }
  if (stepAssessNumber(historyIndex) > profile.maxAssessNumber) {
    draft.issues.push({ field: 'assessNumber', message: `step ${historyIndex} does not fit the platform's assessNumber (max ${profile.maxAssessNumber})` });
  }
  caseFields(draft, profile, settings, kase, key);
  draft.need('pf', pfFor(profile, review.channel), channelProblem(profile, review.channel));
  draft.set('satisfaction', satisfactionCode(profile, review.level));
  draft.set('assessTime', formatTime(profile.timeFormat, entry.at, calendar));
  draft.set('rectifyStatus', profile.rectifyStatuses[entry.to]);
  draft.set('rectifyAction', profile.stepCodes[entry.action as Exclude<HistoryEntry['action'], 'overdue' | 'overdueWithdrawn'>]);
  draft.set('rectifyContent', maskSensitive(entry.note ?? ''));
  draft.set('reviewAssessNumber', String(reviewAssessNumber(input.reviewSupersededDefault)));
  if (entry.action === 'returnVisit') draft.set('returnVisitSatisfied', entry.satisfied === true ? '1' : '0');
  trailer(draft, profile, settings);
  return result('step', key, draft);
}
