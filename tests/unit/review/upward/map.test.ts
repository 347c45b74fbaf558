import {
  CHANNEL_ALIASES,
  channelKindOf,
  formatTime,
  levelOfSatisfaction,
  mapRectificationStep,
  mapReview,
  satisfactionCode,
} from '#review/domain/upward/map';
import { GUANGDONG, NATIONAL, PROFILES, ZHEJIANG, profileNamed } from '#review/domain/upward/profiles';
import type { MapResult, UpwardCase, UpwardProfile } from '#review/domain/upward/types';
import { REVIEW_LEVELS, type Rectification, type Review } from '#review/domain/types';
import {
  APPLICATION_CASE,
  BAD_REVIEW,
  DEFAULT_REVIEW,
  EXTERNAL_CASE,
  GOOD_REVIEW,
  RECTIFICATIONS,
  SETTINGS,
  calendar,
  stepOccurrences,
} from './fixtures';

function map(profile: UpwardProfile, review: Review, kase: UpwardCase = APPLICATION_CASE, supersedesDefault = false, settings = SETTINGS): MapResult {
  return mapReview({ profile, settings, kase, review, supersedesDefault }, calendar);
}

function record(result: MapResult): Readonly<Record<string, string>> {
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.record;
}

function issues(result: MapResult): string[] {
  return result.ok ? [] : result.issues.map((i) => i.field);
}

describe('satisfaction scale', () => {
  it('writes 非常满意 as 1 on the national (GB/T 39046 A.8) and Guangdong scales and as 5 in Zhejiang', () => {
    expect(REVIEW_LEVELS.map((l) => satisfactionCode(NATIONAL, l))).toEqual(['5', '4', '3', '2', '1']);
    expect(REVIEW_LEVELS.map((l) => satisfactionCode(GUANGDONG, l))).toEqual(['5', '4', '3', '2', '1']);
    expect(REVIEW_LEVELS.map((l) => satisfactionCode(ZHEJIANG, l))).toEqual(['1', '2', '3', '4', '5']);
  });

  it('reads a code back to the level on either scale, and nothing outside 1..5', () => {
    for (const profile of Object.values(PROFILES)) {
      for (const level of REVIEW_LEVELS) expect(levelOfSatisfaction(profile, satisfactionCode(profile, level))).toBe(level);
      expect(levelOfSatisfaction(profile, '0')).toBeUndefined();
      expect(levelOfSatisfaction(profile, '6')).toBeUndefined();
    }
  });
});

describe('channels', () => {
  it('knows the names upstream systems use for the same channel', () => {
    expect(['window', '窗口评价器', 'tablet'].map(channelKindOf)).toEqual(['tablet', 'tablet', 'tablet']);
    expect(['12345', 'hotline', '电话'].map(channelKindOf)).toEqual(['phone', 'phone', 'phone']);
    expect(channelKindOf('fax')).toBeUndefined();
    expect(channelKindOf('toString')).toBeUndefined();
  });

  it('codes SMS as 7 nationally and in Guangdong but 6 in Zhejiang', () => {
    const sms = { ...GOOD_REVIEW, channel: 'sms' };
    expect([NATIONAL, GUANGDONG, ZHEJIANG].map((p) => record(map(p, sms)).pf)).toEqual(['7', '7', '6']);
  });

  it('cannot send a 12345 review to Zhejiang, whose table has no telephone code, and says so', () => {
    const result = map(ZHEJIANG, { ...GOOD_REVIEW, channel: '12345' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues).toEqual([{ field: 'pf', message: 'channel "12345" (phone) has no pf code in profile zhejiang' }]);
    expect(result.key).toEqual({ projectNo: APPLICATION_CASE.caseId, assessNumber: '1' });
    expect(record(map({ ...ZHEJIANG, channels: { ...ZHEJIANG.channels, phone: '8' } }, { ...GOOD_REVIEW, channel: '12345' })).pf).toBe('8');
  });

  it('gives each channel of a profile a code of its own, none its default reviews\' mark', () => {
    // Two channels on one code would report one as the other; the default mark is checked in map.ts too.
    for (const profile of Object.values(PROFILES)) {
      const codes = Object.values(profile.channels);
      expect([profile.name, new Set(codes).size]).toEqual([profile.name, codes.length]);
      const mark = profile.defaultMark.kind === 'channel' ? profile.defaultMark.pf : undefined;
      expect([profile.name, codes.filter((c) => c === mark)]).toEqual([profile.name, []]);
    }
  });

  it('refuses a channel nobody knows', () => {
    expect(map(NATIONAL, { ...GOOD_REVIEW, channel: 'fax' })).toMatchObject({ ok: false, issues: [{ field: 'pf', message: 'channel "fax" is not a known review channel' }] });
  });
});

describe('default reviews', () => {
  it('are marked by a flag nationally, by pf 7 in Zhejiang and by evalDetail 000 in Guangdong', () => {
    const national = record(map(NATIONAL, DEFAULT_REVIEW));
    expect([national.isDefault, national.pf, national.evalDetail]).toEqual(['1', '4', '']);
    expect(record(map(NATIONAL, GOOD_REVIEW)).isDefault).toBe('0');
    const zhejiang = record(map(ZHEJIANG, DEFAULT_REVIEW));
    expect([zhejiang.isDefault, zhejiang.pf]).toEqual([undefined, '7']);
    const guangdong = record(map(GUANGDONG, DEFAULT_REVIEW));
    expect([guangdong.isDefault, guangdong.pf, guangdong.evalDetail]).toEqual([undefined, '4', '000']);
  });

  it('carry the applicant kind in userProp, never an identifier', () => {
    const enterpriseCase = { ...APPLICATION_CASE, applicantId: EXTERNAL_CASE.applicantId };
    expect(record(map(NATIONAL, DEFAULT_REVIEW, enterpriseCase)).userProp).toBe('2');
    const text = JSON.stringify(record(map(NATIONAL, DEFAULT_REVIEW)));
    expect(text).not.toContain(APPLICATION_CASE.applicantId);
  });
});

describe('a real review never carries the mark of a default', () => {
  /** Whether the platform of the profile would read the record as a default review. */
  function markedDefault(profile: UpwardProfile, rec: Readonly<Record<string, string>>): boolean {
    const mark = profile.defaultMark;
    if (mark.kind === 'flag') return rec[mark.field] === mark.value;
    if (mark.kind === 'channel') return rec.pf === mark.pf;
    return (rec.evalDetail ?? '').split(',').includes(mark.code);
  }

  it('refuses an indicator "000" in Guangdong, where evalDetail 000 marks a default, and says why', () => {
    for (const indicators of [['000'], ['EFFICIENT', '000']]) {
      const result = map(GUANGDONG, { ...GOOD_REVIEW, level: 3, indicators });
      expect(result).toMatchObject({
        ok: false,
        kind: 'review',
        issues: [{ field: 'evalDetail', message: 'indicator "000" has code 000, which profile guangdong reserves for default reviews' }],
      });
    }
    // A stage's own indicator table cannot give the mark either.
    const own = { ...GUANGDONG, indicatorCodes: { ...GUANGDONG.indicatorCodes, NO_OPINION: '000' } };
    expect(map(own, { ...GOOD_REVIEW, indicators: ['NO_OPINION'] })).toMatchObject({
      ok: false,
      issues: [{ field: 'evalDetail', message: 'indicator "NO_OPINION" has code 000, which profile guangdong reserves for default reviews' }],
    });
    // Where 000 marks nothing it is an indicator code like any other.
    expect([NATIONAL, ZHEJIANG].map((p) => record(map(p, { ...GOOD_REVIEW, indicators: ['000'] })).evalDetail)).toEqual(['000', '000']);
  });

  it('refuses a channel a stage coded with pf 7 in Zhejiang, where pf 7 marks a default, for the review and its steps', () => {
    const own = { ...ZHEJIANG, channels: { ...ZHEJIANG.channels, phone: '7' } };
    const message = 'channel "12345" (phone) has pf code 7, which profile zhejiang reserves for default reviews';
    expect(map(own, { ...BAD_REVIEW, channel: '12345' }, EXTERNAL_CASE)).toMatchObject({ ok: false, issues: [{ field: 'pf', message }] });
    const { rect, index } = stepOccurrences().get('acknowledge')!;
    const step = mapRectificationStep(
      { profile: own, settings: SETTINGS, kase: EXTERNAL_CASE, rectification: rect, historyIndex: index, review: { ...BAD_REVIEW, channel: '12345' }, reviewSupersededDefault: false },
      calendar,
    );
    expect(step).toMatchObject({ ok: false, kind: 'step', issues: [{ field: 'pf', message }] });
  });

  it('holds in every profile for every channel and for the three-digit codes a reviewer could send', () => {
    for (const profile of Object.values(PROFILES)) {
      for (const channel of Object.keys(CHANNEL_ALIASES)) {
        for (const indicators of [['000'], ['001'], ['999'], ['EFFICIENT', '000']]) {
          const result = map(profile, { ...GOOD_REVIEW, level: 3, channel, indicators });
          if (result.ok) expect([profile.name, channel, indicators, markedDefault(profile, result.record)]).toEqual([profile.name, channel, indicators, false]);
        }
      }
      expect(markedDefault(profile, record(map(profile, DEFAULT_REVIEW)))).toBe(true);
    }
  });
});

describe('keys', () => {
  it('numbers a default 1, a first real review 1 and a real review replacing a default 2', () => {
    expect(map(NATIONAL, DEFAULT_REVIEW).key.assessNumber).toBe('1');
    expect(map(NATIONAL, GOOD_REVIEW).key.assessNumber).toBe('1');
    expect(map(NATIONAL, GOOD_REVIEW, APPLICATION_CASE, true).key.assessNumber).toBe('2');
    expect(map(NATIONAL, DEFAULT_REVIEW, APPLICATION_CASE, true).key.assessNumber).toBe('1');
  });

  it('numbers step i of the history 10 + i, the same again when mapped again (a redelivery)', () => {
    const rect = RECTIFICATIONS[0]!;
    const step = (historyIndex: number, r: Rectification = rect) =>
      mapRectificationStep(
        { profile: NATIONAL, settings: SETTINGS, kase: EXTERNAL_CASE, rectification: r, historyIndex, review: BAD_REVIEW, reviewSupersededDefault: true },
        calendar,
      );
    expect(rect.history.map((_, i) => step(i).key.assessNumber)).toEqual(rect.history.map((_, i) => String(10 + i)));
    expect(step(3)).toEqual(step(3));
    expect(record(step(3)).reviewAssessNumber).toBe('2');
    const overdue: Rectification = {
      ...rect,
      history: [...rect.history, { key: 'k', action: 'overdue', from: 'OPEN', to: 'OPEN', actor: rect.history[0]!.actor, at: '2026-09-30T00:00:00.000Z' }],
    };
    expect(issues(step(rect.history.length, overdue))).toEqual(['rectifyAction']);
    expect(issues(step(rect.history.length + 5))).toEqual(['rectifyAction']);
    const long: Rectification = { ...rect, history: Array.from({ length: 95 }, () => rect.history[1]!) };
    expect(issues(step(90, long))).toEqual(['assessNumber']);
  });

  it('uses the case id as projectNo, with the profile prefix when it has one', () => {
    expect(record(map({ ...NATIONAL, projectNoPrefix: '44' }, GOOD_REVIEW)).projectNo).toBe(`44${APPLICATION_CASE.caseId}`);
  });
});

describe('fields that depend on the stage and the catalogue', () => {
  it('names deptCode when the department has no credit code configured, and keeps the rest of the record', () => {
    const result = map(NATIONAL, GOOD_REVIEW, APPLICATION_CASE, false, { ...SETTINGS, departmentCreditCodes: {} });
    expect(result).toMatchObject({ ok: false, issues: [{ field: 'deptCode', message: 'no unified social credit code configured for department 440305-SJJ' }] });
  });

  it('writes the area code in the profile’s digits and refuses to cut a street-level code', () => {
    expect(record(map(ZHEJIANG, GOOD_REVIEW)).areaCode).toBe('440305000000');
    expect(record(map(NATIONAL, GOOD_REVIEW, APPLICATION_CASE, false, { ...SETTINGS, areaCode: '440305000000' })).areaCode).toBe('440305');
    expect(issues(map(NATIONAL, GOOD_REVIEW, APPLICATION_CASE, false, { ...SETTINGS, areaCode: '440305001000' }))).toEqual(['areaCode']);
    expect(issues(map(NATIONAL, GOOD_REVIEW, APPLICATION_CASE, false, { ...SETTINGS, areaCode: '4403' }))).toEqual(['areaCode']);
  });

  it('sends 即办件 / 承诺件 in each profile’s codes, and "other" only where the platform has one', () => {
    const unknown = { ...APPLICATION_CASE, promise: undefined };
    expect([NATIONAL, ZHEJIANG].map((p) => record(map(p, GOOD_REVIEW)).promiseTime)).toEqual(['1', '2']);
    expect([NATIONAL, ZHEJIANG].map((p) => record(map(p, GOOD_REVIEW, EXTERNAL_CASE)).promiseTime)).toEqual(['2', '1']);
    expect(record(map(NATIONAL, GOOD_REVIEW, unknown)).promiseTime).toBe('9');
    expect(issues(map(ZHEJIANG, GOOD_REVIEW, unknown))).toEqual(['promiseTime']);
    expect(issues(map(NATIONAL, GOOD_REVIEW, { ...APPLICATION_CASE, itemName: undefined }))).toEqual(['taskName']);
  });

  it('omits acceptDate when the acceptance time is unknown', () => {
    expect(record(map(NATIONAL, BAD_REVIEW, EXTERNAL_CASE)).acceptDate).toBeUndefined();
  });

  it('turns indicators into codes once each, passes three-digit codes through and names unknown ones', () => {
    expect(record(map(NATIONAL, { ...GOOD_REVIEW, indicators: ['EFFICIENT', '510', 'EFFICIENT'] })).evalDetail).toBe('501,510');
    expect(map(NATIONAL, { ...GOOD_REVIEW, indicators: ['FRIENDLY_DOG'] })).toMatchObject({
      ok: false,
      issues: [{ field: 'evalDetail', message: 'indicator "FRIENDLY_DOG" has no code in profile national' }],
    });
  });

  it('masks ID and phone numbers a reviewer typed into the comment', () => {
    const comment = `我的身份证 ${APPLICATION_CASE.applicantId}，电话 13812345678`;
    const text = record(map(NATIONAL, { ...GOOD_REVIEW, comment })).writingEvaluation!;
    expect(text).not.toContain('13812345678');
    expect(text).not.toContain(APPLICATION_CASE.applicantId);
    expect(text).toContain('138****5678');
  });
});

describe('formatTime', () => {
  it('writes local wall time in Shanghai, across midnight UTC', () => {
    expect(formatTime('yyyyMMddHHmmss', '2026-09-30T16:30:05.000Z', calendar)).toBe('20261001003005');
    expect(formatTime('yyyy-MM-dd HH:mm:ss', '2026-09-30T16:30:05.000Z', calendar)).toBe('2026-10-01 00:30:05');
  });

  it('is what every profile is built on', () => {
    expect(profileNamed('guangdong')).toBe(GUANGDONG);
    expect(() => profileNamed('mars')).toThrow('unknown 好差评 profile "mars"; known: national, zhejiang, guangdong');
    expect(() => profileNamed('toString')).toThrow('unknown 好差评 profile');
  });
});
