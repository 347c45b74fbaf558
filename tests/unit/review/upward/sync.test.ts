import { mapReview } from '#review/domain/upward/map';
import { NATIONAL } from '#review/domain/upward/profiles';
import {
  DEFAULT_SYNC_CONFIG,
  applyAnswer,
  backoffDelayMs,
  createSyncRecord,
  expireAttempt,
  repush,
  repushEligibility,
  startAttempt,
  type PlatformAnswer,
  type SyncChange,
  type SyncRecord,
} from '#review/domain/upward/sync';
import type { MapResult } from '#review/domain/upward/types';
import { APPLICATION_CASE, GOOD_REVIEW, SETTINGS, calendar } from './fixtures';

const config = DEFAULT_SYNC_CONFIG;
const T0 = '2026-09-10T03:30:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

function mapping(settings = SETTINGS): MapResult {
  return mapReview({ profile: NATIONAL, settings, kase: APPLICATION_CASE, review: GOOD_REVIEW, supersedesDefault: false }, calendar);
}

function fresh(m: MapResult = mapping()): SyncRecord {
  return createSyncRecord({ mapping: m, caseId: APPLICATION_CASE.caseId, sourceEventAt: GOOD_REVIEW.submittedAt, profile: NATIONAL }, T0).record;
}

function applied(c: SyncChange): SyncRecord {
  if (!c.changed) throw new Error(`expected a change, got: ${c.ignored}`);
  return c.next;
}

function send(record: SyncRecord, when: string, answer: PlatformAnswer): SyncRecord {
  const sent = applied(startAttempt(record, when));
  return applied(applyAnswer(sent, sent.attemptNo, answer, when, config));
}

const FAIL: PlatformAnswer = { kind: 'failed', message: 'HTTP 503' };

describe('createSyncRecord', () => {
  it('creates a PENDING record due at once, keyed by (projectNo, assessNumber)', () => {
    const { record, transition } = createSyncRecord({ mapping: mapping(), caseId: 'BJ-20260910-004518', sourceEventAt: GOOD_REVIEW.submittedAt, profile: NATIONAL }, T0);
    expect(record).toMatchObject({ recordId: 'BJ-20260910-004518#1', state: 'PENDING', nextAttemptAt: T0, attempt: 0, attemptNo: 0, round: 1, version: 1 });
    expect(transition).toEqual({ from: null, to: 'PENDING', at: T0 });
  });

  it('starts REJECTED, with the reasons, a record that cannot be mapped or that the platform would refuse', () => {
    const unmapped = fresh(mapping({ ...SETTINGS, departmentCreditCodes: {} }));
    expect(unmapped).toMatchObject({ state: 'REJECTED', payload: null, rejection: { code: 'MAPPING', message: 'deptCode: no unified social credit code configured for department 440305-SJJ' } });
    const m = mapping();
    const invalid = fresh(m.ok ? { ...m, record: { ...m.record, version: '1' } } : m);
    expect(invalid).toMatchObject({ state: 'REJECTED', rejection: { code: 'INVALID_FIELDS', message: 'version: must be 2; got "1"' } });
  });
});

describe('attempts and answers', () => {
  it('sends a due record once: a second start (a redelivered tick) changes nothing', () => {
    const sent = applied(startAttempt(fresh(), T0));
    expect(sent).toMatchObject({ state: 'SENT', attempt: 1, attemptNo: 1, sentAt: T0, version: 2 });
    expect(sent.nextAttemptAt).toBeUndefined();
    expect(startAttempt(sent, T0)).toMatchObject({ changed: false, ignored: 'record is SENT, not PENDING' });
  });

  it('acks; a second ack is a no-op; a duplicate rejection (评价数据不可重复) is an ack', () => {
    const acked = send(fresh(), T0, { kind: 'ack' });
    expect(acked).toMatchObject({ state: 'ACKED', ackedAt: T0 });
    expect(applyAnswer(acked, 1, { kind: 'ack' }, at(1), config)).toMatchObject({ changed: false, ignored: 'already acknowledged' });
    expect(send(fresh(), T0, { kind: 'rejected', code: 'DUPLICATE', message: '评价数据不可重复' }).state).toBe('ACKED');
  });

  it('records a rejection with its code and reason', () => {
    const rejected = send(fresh(), T0, { kind: 'rejected', code: 'UNKNOWN_PROJECT', message: '没有对应的服务数据' });
    expect(rejected).toMatchObject({ state: 'REJECTED', rejection: { code: 'UNKNOWN_PROJECT', message: '没有对应的服务数据', at: T0 } });
  });

  it('retries on the deterministic schedule 1, 2, 4, 8, 16, 32, 60 (capped) minutes, then parks', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelayMs(n, config) / 60_000)).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
    let record = fresh();
    let when = T0;
    const due: string[] = [];
    for (let n = 1; n <= 7; n += 1) {
      record = send(record, when, FAIL);
      expect(record.state).toBe('PENDING');
      due.push(record.nextAttemptAt!);
      expect(startAttempt(record, new Date(Date.parse(record.nextAttemptAt!) - 1).toISOString()).changed).toBe(false);
      when = record.nextAttemptAt!;
    }
    expect(due).toEqual([at(1), at(3), at(7), at(15), at(31), at(63), at(123)]);
    record = send(record, when, FAIL);
    expect(record).toMatchObject({ state: 'PARKED', attempt: 8, lastError: { message: 'HTTP 503', at: at(123) } });
    expect(startAttempt(record, at(500)).changed).toBe(false);
  });

  it('ignores a stale failure or rejection but takes a stale ack', () => {
    const first = applied(startAttempt(fresh(), T0));
    const expired = applied(expireAttempt(first, at(11), config));
    const second = applied(startAttempt(expired, at(12)));
    expect(second.attemptNo).toBe(2);
    expect(applyAnswer(second, 1, FAIL, at(12), config)).toMatchObject({ changed: false });
    expect(applyAnswer(second, 1, { kind: 'rejected', code: 'X', message: 'late' }, at(12), config).changed).toBe(false);
    expect(applied(applyAnswer(second, 1, { kind: 'ack' }, at(12), config)).state).toBe('ACKED');
  });

  it('expires an unanswered attempt only after the timeout, as a failure', () => {
    const sent = applied(startAttempt(fresh(), T0));
    expect(expireAttempt(sent, at(10), config)).toMatchObject({ changed: false, ignored: 'attempt still within its timeout' });
    expect(applied(expireAttempt(sent, at(11), config))).toMatchObject({ state: 'PENDING', nextAttemptAt: at(12), lastError: { message: 'no answer within 600 s' } });
  });
});

describe('re-push', () => {
  it('takes REJECTED, PARKED and stuck records, never ACKED or records on their way', () => {
    const rejected = send(fresh(), T0, { kind: 'rejected', code: 'UNKNOWN_PROJECT', message: '没有对应的服务数据' });
    const acked = send(fresh(), T0, { kind: 'ack' });
    const sent = applied(startAttempt(fresh(), T0));
    const pending = fresh();
    expect(repushEligibility(rejected, at(1), config)).toEqual({ eligible: true, reason: 'rejected: UNKNOWN_PROJECT' });
    expect(repushEligibility(acked, at(1), config)).toEqual({ eligible: false, reason: 'acknowledged by the platform' });
    expect(repushEligibility(sent, at(10), config).eligible).toBe(false);
    expect(repushEligibility(sent, at(11), config)).toEqual({ eligible: true, reason: 'sent without an answer past the timeout' });
    expect(repushEligibility(pending, at(15), config).eligible).toBe(false);
    expect(repushEligibility(pending, at(16), config)).toEqual({ eligible: true, reason: 'pending past its due time' });
  });

  it('starts a new round due now, and refuses an acked record', () => {
    const rejected = send(fresh(), T0, { kind: 'rejected', code: 'UNKNOWN_PROJECT', message: '没有对应的服务数据' });
    const again = applied(repush(rejected, at(60), config));
    expect(again).toMatchObject({ state: 'PENDING', nextAttemptAt: at(60), attempt: 0, attemptNo: 1, round: 2 });
    expect(again.rejection).toBeUndefined();
    expect(send(again, at(60), { kind: 'ack' }).state).toBe('ACKED');
    expect(repush(send(fresh(), T0, { kind: 'ack' }), at(60), config)).toMatchObject({ changed: false, ignored: 'not re-pushed: acknowledged by the platform' });
  });

  it('re-pushes a record refused before sending only with a new mapping, which may fix it', () => {
    const unmapped = fresh(mapping({ ...SETTINGS, departmentCreditCodes: {} }));
    expect(repush(unmapped, at(5), config).changed).toBe(false);
    const stillBroken = applied(repush(unmapped, at(5), config, { mapping: mapping({ ...SETTINGS, departmentCreditCodes: {} }), profile: NATIONAL }));
    expect(stillBroken).toMatchObject({ state: 'REJECTED', round: 2, rejection: { code: 'MAPPING' } });
    const fixed = applied(repush(stillBroken, at(6), config, { mapping: mapping(), profile: NATIONAL }));
    expect(fixed).toMatchObject({ state: 'PENDING', round: 3 });
    expect(fixed.payload?.deptCode).toBe(SETTINGS.departmentCreditCodes['440305-SJJ']);
    const other = mapReview({ profile: NATIONAL, settings: SETTINGS, kase: APPLICATION_CASE, review: GOOD_REVIEW, supersedesDefault: true }, calendar);
    expect(repush(stillBroken, at(6), config, { mapping: other, profile: NATIONAL })).toMatchObject({ changed: false, ignored: 'the remapped record has another key' });
  });
});

describe('a platform that is down for a while, answers twice and late', () => {
  it('sends nothing twice at once, acks once, and never sends an acked record again', () => {
    let record = fresh();
    let sends = 0;
    const answers: Array<{ attemptNo: number; answer: PlatformAnswer }> = [];
    for (let minute = 0; minute <= 180; minute += 1) {
      const now = at(minute);
      const platformUp = minute >= 40;
      // Every answer is delivered twice (at-least-once), the second one a minute late.
      for (const late of answers.splice(0)) record = applyAnswer(record, late.attemptNo, late.answer, now, config).next;
      record = expireAttempt(record, now, config).next;
      const started = startAttempt(record, now);
      if (started.changed) {
        sends += 1;
        record = started.next;
        const answer: PlatformAnswer = platformUp ? { kind: 'ack' } : FAIL;
        record = applyAnswer(record, record.attemptNo, answer, now, config).next;
        answers.push({ attemptNo: record.attemptNo, answer });
      }
    }
    // Down until minute 40: attempts at 0, 1, 3, 7, 15, 31 fail; the one at 63 is acked.
    expect(record).toMatchObject({ state: 'ACKED', ackedAt: at(63), attemptNo: 7 });
    expect(sends).toBe(7);
  });
});
