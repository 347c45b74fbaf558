/**
 * What a receiving platform checks in a record of a profile: required fields, code tables, formats and
 * lengths, the 差评 detail rule, and that no field carries an unmasked ID or phone number. Used before a
 * record is sent (a record the platform would refuse is refused here, with its reasons, instead of
 * spending attempts) and by the local receiver in tests, which stands in for the platform.
 */

import { isValidCreditCode, maskSensitive } from '#contract/identifiers';
import { levelOfSatisfaction } from './map';
import type { FieldIssue, PlatformRecord, TimeFormat, UpwardProfile } from './types';

const REVIEW_FIELDS = [
  'projectNo',
  'assessNumber',
  'taskCode',
  'taskName',
  'deptCode',
  'areaCode',
  'proStatus',
  'pf',
  'satisfaction',
  'evalDetail',
  'writingEvaluation',
  'assessTime',
  'userProp',
  'promiseTime',
  'acceptDate',
  'dataSource',
  'version',
] as const;
const STEP_ONLY_FIELDS = ['rectifyStatus', 'rectifyAction', 'rectifyContent', 'reviewAssessNumber', 'returnVisitSatisfied'] as const;

const TIME_PATTERNS: Readonly<Record<TimeFormat, RegExp>> = {
  yyyyMMddHHmmss: /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/,
  'yyyy-MM-dd HH:mm:ss': /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/,
};

function isRealTime(format: TimeFormat, value: string): boolean {
  const m = TIME_PATTERNS[format].exec(value);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
}

function knownFields(profile: UpwardProfile): ReadonlySet<string> {
  const fields = new Set<string>([...REVIEW_FIELDS, ...STEP_ONLY_FIELDS]);
  if (profile.defaultMark.kind === 'flag') fields.add(profile.defaultMark.field);
  return fields;
}

function pfCodes(profile: UpwardProfile): ReadonlySet<string> {
  const codes = new Set(Object.values(profile.channels));
  if (profile.defaultMark.kind === 'channel') codes.add(profile.defaultMark.pf);
  return codes;
}

/** Checks a field only when it is present and not empty: presence is the business of `required`. */
function check(issues: FieldIssue[], record: PlatformRecord, field: string, ok: (value: string) => boolean, message: string): void {
  const value = record[field];
  if (value !== undefined && value !== '' && !ok(value)) issues.push({ field, message: `${message}; got ${JSON.stringify(value)}` });
}

function oneOf(values: Iterable<string>): (value: string) => boolean {
  const set = new Set(values);
  return (value) => set.has(value);
}

function checkShape(issues: FieldIssue[], profile: UpwardProfile, record: PlatformRecord, step: boolean): void {
  const known = knownFields(profile);
  for (const field of Object.keys(record)) {
    if (!known.has(field)) issues.push({ field, message: `is not a field of the ${profile.name} interface` });
  }
  for (const field of step ? profile.requiredStepFields : profile.requiredReviewFields) {
    if ((record[field] ?? '') === '') issues.push({ field, message: 'is required' });
  }
  for (const [field, max] of Object.entries(profile.maxLengths)) {
    const value = record[field];
    if (value !== undefined && [...value].length > max) issues.push({ field, message: `must be at most ${max} characters` });
  }
  for (const [field, value] of Object.entries(record)) {
    // deptCode is an agency's credit code, checked as one; an all-digit one would look like an ID number.
    if (field !== 'deptCode' && maskSensitive(value) !== value) {
      issues.push({ field, message: 'must not contain an unmasked ID number or phone number' });
    }
  }
}

function checkCodes(issues: FieldIssue[], profile: UpwardProfile, record: PlatformRecord): void {
  check(issues, record, 'projectNo', (v) => /^[0-9A-Za-z_-]+$/.test(v), 'must be letters, digits, "-" or "_"');
  check(issues, record, 'assessNumber', (v) => /^[1-9]\d*$/.test(v) && Number(v) <= profile.maxAssessNumber, `must be a number from 1 to ${profile.maxAssessNumber}`);
  check(issues, record, 'deptCode', (v) => isValidCreditCode(v), 'must be an 18-character unified social credit code');
  check(issues, record, 'areaCode', (v) => new RegExp(`^\\d{${profile.areaCodeLength}}$`).test(v), `must be ${profile.areaCodeLength} digits`);
  check(issues, record, 'proStatus', (v) => v === profile.proStatusCompleted, `must be ${profile.proStatusCompleted} (已完结)`);
  check(issues, record, 'pf', oneOf(pfCodes(profile)), `must be one of ${[...pfCodes(profile)].join(', ')}`);
  check(issues, record, 'satisfaction', (v) => levelOfSatisfaction(profile, v) !== undefined, 'must be 1 to 5');
  check(issues, record, 'evalDetail', (v) => /^\d{3}(,\d{3})*$/.test(v), 'must be three-digit codes separated by commas');
  check(issues, record, 'userProp', oneOf(Object.values(profile.userProps)), `must be one of ${Object.values(profile.userProps).join(', ')}`);
  const promise = Object.values(profile.promiseTypes).filter((v): v is string => v !== undefined);
  check(issues, record, 'promiseTime', oneOf(promise), `must be one of ${promise.join(', ')}`);
  check(issues, record, 'dataSource', (v) => /^\d{3}$/.test(v), 'must be three digits');
  check(issues, record, 'version', (v) => v === profile.version, `must be ${profile.version}`);
  for (const field of ['assessTime', 'acceptDate']) {
    check(issues, record, field, (v) => isRealTime(profile.timeFormat, v), `must be a real time written ${profile.timeFormat}`);
  }
  const mark = profile.defaultMark;
  if (mark.kind === 'flag') check(issues, record, mark.field, oneOf([mark.value, mark.realValue]), `must be ${mark.value} or ${mark.realValue}`);
}

function checkStep(issues: FieldIssue[], profile: UpwardProfile, record: PlatformRecord): void {
  check(issues, record, 'rectifyStatus', oneOf(Object.values(profile.rectifyStatuses)), 'is not a rectification status code');
  check(issues, record, 'rectifyAction', oneOf(Object.values(profile.stepCodes)), 'is not a rectification step code');
  check(issues, record, 'reviewAssessNumber', (v) => v === '1' || v === '2', 'must be 1 or 2');
  check(issues, record, 'returnVisitSatisfied', (v) => v === '0' || v === '1', 'must be 0 or 1');
  const isReturnVisit = record.rectifyAction === profile.stepCodes.returnVisit;
  if (isReturnVisit !== (record.returnVisitSatisfied !== undefined)) {
    issues.push({ field: 'returnVisitSatisfied', message: 'is required on a return visit and only there' });
  }
}

function isDefaultRecord(profile: UpwardProfile, record: PlatformRecord): boolean {
  const mark = profile.defaultMark;
  if (mark.kind === 'flag') return record[mark.field] === mark.value;
  if (mark.kind === 'channel') return record.pf === mark.pf;
  return (record.evalDetail ?? '').split(',').includes(mark.code);
}

/** Everything the profile's platform would refuse in the record; empty when it would take it. */
export function validateRecord(profile: UpwardProfile, record: PlatformRecord): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const step = record.rectifyStatus !== undefined;
  checkShape(issues, profile, record, step);
  checkCodes(issues, profile, record);
  if (step) {
    checkStep(issues, profile, record);
    return issues;
  }
  const level = levelOfSatisfaction(profile, record.satisfaction ?? '');
  const negative = level !== undefined && level <= 2;
  if (profile.negativeNeedsDetail && negative && !record.evalDetail && !record.writingEvaluation) {
    issues.push({ field: 'evalDetail', message: '差评必须勾选详情或填写文字评价: a 差评 needs evalDetail or writingEvaluation' });
  }
  if (isDefaultRecord(profile, record) && level !== 3) {
    issues.push({ field: 'satisfaction', message: 'a default review is 基本满意' });
  }
  // A default carries its evalDetail mark and nothing else: with other codes the record is neither.
  const mark = profile.defaultMark;
  if (mark.kind === 'evalDetail' && isDefaultRecord(profile, record) && record.evalDetail !== mark.code) {
    issues.push({ field: 'evalDetail', message: `${mark.code} marks a default review and stands alone` });
  }
  return issues;
}
