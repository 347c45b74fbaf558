import { mapRectificationStep, mapReview } from '#review/domain/upward/map';
import { GUANGDONG, NATIONAL, ZHEJIANG } from '#review/domain/upward/profiles';
import type { PlatformRecord, UpwardProfile } from '#review/domain/upward/types';
import { validateRecord } from '#review/domain/upward/validate';
import type { Review } from '#review/domain/types';
import { APPLICATION_CASE, BAD_REVIEW, DEFAULT_REVIEW, EXTERNAL_CASE, GOOD_REVIEW, SETTINGS, calendar, stepOccurrences } from './fixtures';

function recordOf(profile: UpwardProfile, review: Review = GOOD_REVIEW): PlatformRecord {
  const result = mapReview({ profile, settings: SETTINGS, kase: review === BAD_REVIEW ? EXTERNAL_CASE : APPLICATION_CASE, review, supersedesDefault: false }, calendar);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.record;
}

function stepOf(profile: UpwardProfile, kind: 'returnVisit' | 'rectify'): PlatformRecord {
  const { rect, index } = stepOccurrences().get(kind)!;
  const result = mapRectificationStep(
    { profile, settings: SETTINGS, kase: EXTERNAL_CASE, rectification: rect, historyIndex: index, review: BAD_REVIEW, reviewSupersededDefault: false },
    calendar,
  );
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.record;
}

function fields(profile: UpwardProfile, record: PlatformRecord): string[] {
  return validateRecord(profile, record).map((i) => i.field);
}

describe('validateRecord', () => {
  it('accepts what the mapping builds for the same profile', () => {
    for (const profile of [NATIONAL, ZHEJIANG, GUANGDONG]) {
      expect(validateRecord(profile, recordOf(profile))).toEqual([]);
      expect(validateRecord(profile, stepOf(profile, 'returnVisit'))).toEqual([]);
    }
  });

  it('refuses a record written for another platform: times, area code, version and codes differ', () => {
    expect(fields(NATIONAL, recordOf(ZHEJIANG)).sort()).toEqual(['acceptDate', 'areaCode', 'assessTime', 'version']);
    expect(fields(ZHEJIANG, recordOf(NATIONAL)).sort()).toEqual(['acceptDate', 'areaCode', 'assessTime', 'isDefault', 'version']);
  });

  it('requires each profile’s required fields, non-empty', () => {
    const { taskName: _t, userProp: _u, ...rest } = recordOf(ZHEJIANG);
    expect(fields(ZHEJIANG, rest)).toEqual(['taskName', 'userProp']);
    expect(fields(NATIONAL, { ...recordOf(NATIONAL), pf: '' })).toEqual(['pf']);
    const { taskName: _n, ...national } = recordOf(NATIONAL);
    expect(fields(NATIONAL, national)).toEqual([]);
  });

  it('checks code tables: pf, satisfaction, userProp, promiseTime, proStatus, evalDetail', () => {
    const bad = { ...recordOf(ZHEJIANG), pf: '8', satisfaction: '6', userProp: '3', promiseTime: '9', proStatus: '1', evalDetail: '501;502' };
    expect(fields(ZHEJIANG, bad).sort()).toEqual(['evalDetail', 'pf', 'proStatus', 'promiseTime', 'satisfaction', 'userProp']);
    expect(validateRecord(ZHEJIANG, { ...recordOf(ZHEJIANG), pf: '8' })).toEqual([
      { field: 'pf', message: 'must be one of 1, 2, 3, 4, 5, 6, 7; got "8"' },
    ]);
  });

  it('checks formats: real times in the profile’s format, digits, credit codes, lengths', () => {
    const record = {
      ...recordOf(ZHEJIANG),
      assessTime: '2026-02-30 10:00:00',
      acceptDate: '20260910091205',
      dataSource: '14',
      deptCode: '11440305007497265Y',
      projectNo: 'BJ 2026/1',
      assessNumber: '0',
      taskName: '办'.repeat(201),
    };
    expect(fields(ZHEJIANG, record).sort()).toEqual(['acceptDate', 'assessNumber', 'assessTime', 'dataSource', 'deptCode', 'projectNo', 'taskName']);
  });

  it('refuses a 差评 with neither evalDetail nor writingEvaluation (差评必须勾选详情或填写文字评价)', () => {
    for (const profile of [NATIONAL, ZHEJIANG, GUANGDONG]) {
      const bare = { ...recordOf(profile, BAD_REVIEW), evalDetail: '', writingEvaluation: '' };
      expect(fields(profile, bare)).toEqual(['evalDetail']);
      expect(fields(profile, { ...bare, writingEvaluation: '太慢' })).toEqual([]);
    }
  });

  it('refuses an unmasked ID or phone number in any field', () => {
    const record = { ...recordOf(NATIONAL), writingEvaluation: '请回电 13812345678' };
    expect(validateRecord(NATIONAL, record)).toEqual([{ field: 'writingEvaluation', message: 'must not contain an unmasked ID number or phone number' }]);
    expect(fields(NATIONAL, { ...recordOf(NATIONAL), taskName: `代${APPLICATION_CASE.applicantId}办理` })).toEqual(['taskName']);
  });

  it('refuses fields the interface does not have, and a default that is not 基本满意', () => {
    expect(fields(NATIONAL, { ...recordOf(NATIONAL), certKey: 'x' })).toEqual(['certKey']);
    expect(fields(NATIONAL, { ...recordOf(NATIONAL, DEFAULT_REVIEW), satisfaction: '1' })).toEqual(['satisfaction']);
    expect(fields(ZHEJIANG, { ...recordOf(ZHEJIANG, DEFAULT_REVIEW), satisfaction: '5' })).toEqual(['satisfaction']);
    expect(fields(GUANGDONG, { ...recordOf(GUANGDONG, DEFAULT_REVIEW), satisfaction: '2' })).toEqual(['satisfaction']);
    expect(fields(NATIONAL, { ...recordOf(NATIONAL), isDefault: 'Y' })).toEqual(['isDefault']);
    expect(validateRecord(GUANGDONG, { ...recordOf(GUANGDONG), evalDetail: '501,000', satisfaction: '3' })).toEqual([
      { field: 'evalDetail', message: '000 marks a default review and stands alone' },
    ]);
  });

  it('checks step records: status and action codes, and satisfaction only on a return visit', () => {
    const visit = stepOf(NATIONAL, 'returnVisit');
    // An unknown action is not a return visit, so its answer is out of place too.
    expect(fields(NATIONAL, { ...visit, rectifyStatus: '9', rectifyAction: '99' }).sort()).toEqual(['rectifyAction', 'rectifyStatus', 'returnVisitSatisfied']);
    const { returnVisitSatisfied: _s, ...withoutAnswer } = visit;
    expect(fields(NATIONAL, withoutAnswer)).toEqual(['returnVisitSatisfied']);
    expect(fields(NATIONAL, { ...stepOf(NATIONAL, 'rectify'), returnVisitSatisfied: '1' })).toEqual(['returnVisitSatisfied']);
    const { rectifyAction: _a, ...noAction } = stepOf(NATIONAL, 'rectify');
    expect(fields(NATIONAL, noAction)).toEqual(['rectifyAction']);
  });
});
