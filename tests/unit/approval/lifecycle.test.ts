import { decide } from '#approval/domain/decide';
import {
  isVerificationOverdue,
  onSupplementDeadline,
  onVerification,
  supplement,
  supplementMissed,
  dueBeforeGrace,
} from '#approval/domain/lifecycle';
import type { Decision, Transition } from '#approval/domain/decision';
import {
  ENTERPRISE,
  PERSON,
  businessLicence,
  credit,
  criminalApp,
  criminalRecordItem,
  inputFor,
  posterApp,
  posterItem,
  weatherApp,
  weatherItem,
} from './fixtures';

function ok(t: Transition): Decision {
  if (!t.ok) throw new Error(`refused: ${t.refusal.code}`);
  return t.decision;
}

// Accepted on Wed 2026-09-30 with the sample missing; due by the end of Sat 2026-10-10 (调休).
const ACCEPTED_AT = '2026-09-30T02:00:00Z';
const pendingApp = posterApp({ materials: [{ code: 'APPLY', provided: true }], submittedAt: '2026-09-30T01:00:00Z' });
const pending = decide(inputFor(pendingApp, posterItem, { now: ACCEPTED_AT }));
const later = (now: string) => {
  const { application: _a, ...rest } = inputFor(pendingApp, posterItem, { now });
  return rest;
};

describe('supplement (容缺 → re-decision)', () => {
  it('starts from a pending decision due on the make-up Saturday', () => {
    expect(pending.outcome).toBe('ACCEPTED_PENDING_MATERIALS');
    expect(pending.supplementDue?.date).toBe('2026-10-10');
  });

  it('a complete supplement is decided again: APPROVED, next sequence, review case at the new decision time', () => {
    const at = '2026-10-09T03:00:00Z';
    const d = ok(supplement(pending, pendingApp, [{ code: 'SAMPLE', provided: true }], later(at)));
    expect(d.outcome).toBe('APPROVED');
    expect(d.certificateNo).toBe('宣传品设置许可-APP-CG-1');
    expect(d.sequence).toBe(2);
    expect(d.decidedAt).toBe(at);
    expect(d.materialsPending).toEqual([]);
    expect(d.supplementDue).toBeUndefined();
    expect(d.applicationHash).toBe(pending.applicationHash);
    expect(d.effects).toEqual([
      expect.objectContaining({ kind: 'openReviewCase', caseId: 'APP-CG-1', departmentCode: 'CGJ', completedAt: at }),
    ]);
    // The earlier steps stay in the trace, then the supplement, then the new decision's steps.
    const names = d.trace.steps.map((s) => s.step);
    expect(names.slice(0, 5)).toEqual(['item', 'credit', 'materials', 'rules', 'mode']);
    expect(names[5]).toBe('supplement');
    expect(names.slice(6)).toEqual(['item', 'credit', 'materials', 'rules', 'mode']);
    // Elapsed working days from submission: Oct 8 and 9 (1–7 are holidays).
    expect(d.actualWorkingDays).toBe(2);
  });

  it('is accepted until the end of the deadline day in local time', () => {
    // 23:59 local on 2026-10-10.
    const d = supplement(pending, pendingApp, [{ code: 'SAMPLE', provided: true }], later('2026-10-10T15:59:00Z'));
    expect(d.ok).toBe(true);
  });

  it('after the deadline it is refused and nothing changes', () => {
    const t = supplement(pending, pendingApp, [{ code: 'SAMPLE', provided: true }], later('2026-10-10T16:00:00.000Z'));
    expect(t).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'SUPPLEMENT_TOO_LATE' }) });
  });

  it('is refused unless the decision is pending materials', () => {
    const approved = decide(inputFor(weatherApp(), weatherItem));
    const t = supplement(approved, weatherApp(), [{ code: 'APPLY', provided: true }], later('2026-10-09T03:00:00Z'));
    expect(t).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'NOT_PENDING_MATERIALS' }) });
  });

  it('is refused for another application', () => {
    const t = supplement(pending, posterApp({ applicationId: 'OTHER' }), [], later('2026-10-09T03:00:00Z'));
    expect(t.ok).toBe(false);
    expect(!t.ok && t.refusal.code).toBe('APPLICATION_MISMATCH');
  });

  it('a partial supplement stays pending and keeps the original deadline', () => {
    const twoMissing = posterApp({ materials: [{ code: 'APPLY', provided: true }], submittedAt: '2026-09-30T01:00:00Z' });
    const first = decide(inputFor(twoMissing, posterItem, { now: ACCEPTED_AT, licences: [businessLicence] }));
    expect(first.materialsPending.map((m) => m.code)).toEqual(['SAMPLE', 'SITE']);
    const { application: _a, ...rest } = inputFor(twoMissing, posterItem, {
      now: '2026-10-09T03:00:00Z',
      licences: [businessLicence],
    });
    const second = ok(supplement(first, twoMissing, [{ code: 'SAMPLE', provided: true }], rest));
    expect(second.outcome).toBe('ACCEPTED_PENDING_MATERIALS');
    expect(second.materialsPending.map((m) => m.code)).toEqual(['SITE']);
    expect(second.supplementDue).toEqual(first.supplementDue);
    expect(second.sequence).toBe(2);
  });

  it('is decided on the facts of the moment: a subject now dishonest loses the pending materials', () => {
    const { application: _a, ...rest } = inputFor(pendingApp, posterItem, {
      now: '2026-10-09T03:00:00Z',
      credit: credit({ subjectId: ENTERPRISE.id, dishonest: true }),
    });
    const d = ok(supplement(pending, pendingApp, [], rest));
    expect(d.outcome).toBe('REJECTED');
    expect(d.materialsMissing.map((m) => m.code)).toEqual(['SAMPLE']);
  });
});

describe('supplement: in time by its receipt at ingest, not by when it is processed', () => {
  const DUE_END = '2026-10-10T16:00:00.000Z';
  const RECEIVED = '2026-10-10T15:50:00.000Z';

  it('received before the deadline and processed after it (a backlog, a redrive): decided on its materials', () => {
    const processedAt = '2026-10-11T09:00:00.000Z';
    const d = ok(supplement(pending, pendingApp, [{ code: 'SAMPLE', provided: true }], later(processedAt), RECEIVED));
    expect(d).toMatchObject({ outcome: 'APPROVED', sequence: 2, decidedAt: processedAt });
    // The trace says when it was received as well as when it was processed.
    expect(d.trace.steps.find((s) => s.step === 'supplement')?.notes[0]).toContain(`（${RECEIVED} 收到）`);
  });

  it('received after the deadline: refused SUPPLEMENT_TOO_LATE, whenever processed', () => {
    const t = supplement(pending, pendingApp, [{ code: 'SAMPLE', provided: true }], later('2026-10-11T09:00:00.000Z'), DUE_END);
    expect(t).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'SUPPLEMENT_TOO_LATE' }) });
  });

  it('without a receipt, judged when processed', () => {
    const t = supplement(pending, pendingApp, [{ code: 'SAMPLE', provided: true }], later('2026-10-11T09:00:00.000Z'));
    expect(t).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'SUPPLEMENT_TOO_LATE' }) });
  });

  it('received in time for a case terminated since (held up past the grace): its own refusal code, nothing changes', () => {
    const terminated = onSupplementDeadline(pending, '2026-10-11T09:00:00.000Z', 0)!;
    const t = supplement(terminated, pendingApp, [{ code: 'SAMPLE', provided: true }], later('2026-10-12T09:00:00.000Z'), RECEIVED);
    expect(t).toEqual({ ok: false, refusal: { code: 'SUPPLEMENT_IN_TIME_AFTER_TERMINATION', message: expect.stringContaining(RECEIVED) } });
    // Received after the deadline, or with no receipt: the case is simply not pending.
    const late = supplement(terminated, pendingApp, [{ code: 'SAMPLE', provided: true }], later('2026-10-12T09:00:00.000Z'), DUE_END);
    expect(late).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'NOT_PENDING_MATERIALS' }) });
    const unknown = supplement(terminated, pendingApp, [{ code: 'SAMPLE', provided: true }], later('2026-10-12T09:00:00.000Z'));
    expect(unknown).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'NOT_PENDING_MATERIALS' }) });
  });
});

describe('the supplement deadline\'s grace', () => {
  const GRACE = 75 * 60_000;

  it('terminates a pending case only the grace after its deadline, naming the deadline, not the grace', () => {
    expect(onSupplementDeadline(pending, '2026-10-10T16:00:00.000Z', GRACE)).toBeUndefined();
    // Due by 2026-10-10T15:59:59.999Z (the end of the day in Shanghai).
    expect(onSupplementDeadline(pending, '2026-10-10T17:14:59.999Z', GRACE)).toBeUndefined();
    const d = onSupplementDeadline(pending, '2026-10-10T17:15:00.000Z', GRACE);
    expect(d?.outcome).toBe('TERMINATED');
    expect(d?.supplementDue).toEqual(pending.supplementDue);
    expect(d?.reasons[0]).toMatchObject({ code: 'SUPPLEMENT_DEADLINE_MISSED', details: { supplementDue: pending.supplementDue } });
    expect(d?.trace.steps.at(-1)?.notes[0]).toContain('2026-10-10');
  });

  it('a supplement is too late from the deadline itself: the grace is only the schedule\'s', () => {
    expect(supplementMissed(pending, '2026-10-10T15:59:59.999Z')).toBe(false);
    expect(supplementMissed(pending, '2026-10-10T16:00:00.000Z')).toBe(true);
    expect(supplementMissed(pending, '2026-10-10T16:00:00.000Z', GRACE)).toBe(false);
  });

  it('the schedule looks up deadlines the grace before now; a bad grace is an error naming it', () => {
    expect(dueBeforeGrace('2026-10-10T17:15:00.000Z', GRACE)).toBe('2026-10-10T16:00:00.000Z');
    expect(() => dueBeforeGrace('2026-10-10T17:15:00.000Z', -1)).toThrow(/deadline grace/);
  });
});

describe('onSupplementDeadline', () => {
  it.each([
    ['before the deadline', '2026-10-09T03:00:00Z'],
    ['at the last millisecond of the deadline day', '2026-10-10T15:59:59.999Z'],
  ])('%s: nothing to do', (_name, now) => {
    expect(onSupplementDeadline(pending, now)).toBeUndefined();
  });

  it('after the deadline a still-pending case is TERMINATED', () => {
    const now = '2026-10-10T16:00:00.000Z';
    const d = onSupplementDeadline(pending, now);
    expect(d?.outcome).toBe('TERMINATED');
    expect(d?.reasons.map((r) => r.code)).toEqual(['SUPPLEMENT_DEADLINE_MISSED']);
    expect(d?.reasons[0]?.message).toContain('宣传品样稿');
    expect(d?.sequence).toBe(2);
    expect(d?.updatedAt).toBe(now);
    // Not a decision on the merits: the decision time stays the acceptance.
    expect(d?.decidedAt).toBe(ACCEPTED_AT);
    expect(d?.trace.steps.at(-1)).toMatchObject({ step: 'supplementDeadline', result: 'reject' });
    expect(d?.effects).toEqual([]);
  });

  it('a case no longer pending is left alone', () => {
    const approved = ok(supplement(pending, pendingApp, [{ code: 'SAMPLE', provided: true }], later('2026-10-09T03:00:00Z')));
    expect(onSupplementDeadline(approved, '2026-11-01T00:00:00Z')).toBeUndefined();
  });
});

describe('verification of an approval on commitment', () => {
  const approved = decide(inputFor(criminalApp(), criminalRecordItem));
  // Due 2026-12-02 (10 working days after Wed 2026-11-18), i.e. until 2026-12-02T15:59:59.999Z.

  it('truthful: the approval stands, closed with the verification recorded', () => {
    const d = ok(onVerification(approved, { truthful: true, note: '经核查属实' }, '2026-11-25T02:00:00Z'));
    expect(d.outcome).toBe('APPROVED_ON_COMMITMENT');
    expect(d.verification).toEqual({ truthful: true, note: '经核查属实', reportedAt: '2026-11-25T02:00:00Z', late: false });
    expect(d.effects).toEqual([]);
    expect(d.sequence).toBe(2);
    expect(isVerificationOverdue(d, '2026-12-10T00:00:00Z')).toBe(false);
  });

  it('untruthful: REVOKED, and the subject must be marked falseCommitment', () => {
    const now = '2026-11-25T02:00:00Z';
    const d = ok(onVerification(approved, { truthful: false, note: '用途说明与事实不符' }, now));
    expect(d.outcome).toBe('REVOKED');
    expect(d.reasons.map((r) => r.code)).toEqual(['COMMITMENT_UNTRUTHFUL']);
    expect(d.reasons[0]?.message).toContain('用途说明与事实不符');
    expect(d.effects).toEqual([
      { kind: 'markFalseCommitment', subjectId: PERSON.id, applicationId: 'APP-GA-1', at: now },
    ]);
    // The review case opened by the approval is not withdrawn: no effect undoes it.
    expect(d.effects.some((e) => e.kind === 'openReviewCase')).toBe(false);
  });

  it('the false-commitment mark then excludes the subject from commitment and pending materials', () => {
    const marked = credit({ subjectId: PERSON.id, falseCommitment: true });
    const next = decide(inputFor(criminalApp({ applicationId: 'APP-GA-2' }), criminalRecordItem, { credit: marked }));
    expect(next.outcome).toBe('MANUAL_REVIEW');
    expect(next.reasons.map((r) => r.code)).toEqual(['COMMITMENT_EXCLUDED']);
  });

  it('a second report is refused, and so is one on a decision that is not an approval on commitment', () => {
    const verified = ok(onVerification(approved, { truthful: true, note: '属实' }, '2026-11-25T02:00:00Z'));
    const again = onVerification(verified, { truthful: false, note: '不实' }, '2026-11-26T02:00:00Z');
    expect(!again.ok && again.refusal.code).toBe('ALREADY_VERIFIED');
    const instant = decide(inputFor(weatherApp(), weatherItem));
    const wrong = onVerification(instant, { truthful: true, note: '属实' }, '2026-11-25T02:00:00Z');
    expect(!wrong.ok && wrong.refusal.code).toBe('NOT_APPROVED_ON_COMMITMENT');
  });

  it.each([
    ['before the due day ends', '2026-12-02T15:59:59.999Z', false],
    ['after the due day', '2026-12-02T16:00:00.000Z', true],
  ])('overdue %s: %s', (_name, now, overdue) => {
    expect(isVerificationOverdue(approved, now)).toBe(overdue);
  });

  it('an instant approval never has an overdue verification', () => {
    expect(isVerificationOverdue(decide(inputFor(weatherApp(), weatherItem)), '2030-01-01T00:00:00Z')).toBe(false);
  });

  it('a late report is still taken, and marked late', () => {
    const d = ok(onVerification(approved, { truthful: true, note: '属实' }, '2026-12-03T02:00:00Z'));
    expect(d.verification?.late).toBe(true);
  });
});

describe('verification: late or not by its receipt at ingest, not by when it is processed', () => {
  const approved = decide(inputFor(criminalApp(), criminalRecordItem));
  // Due until 2026-12-02T15:59:59.999Z.
  const RECEIVED = '2026-12-02T15:50:00.000Z';
  const PROCESSED = '2026-12-03T09:00:00.000Z';
  const GRACE = 75 * 60_000;

  it('received by the due date and processed after it (a backlog, a redrive): not late, the receipt in its trace', () => {
    const d = ok(onVerification(approved, { truthful: true, note: '属实', receivedAt: RECEIVED }, PROCESSED));
    expect(d.verification).toEqual({ truthful: true, note: '属实', reportedAt: PROCESSED, late: false });
    expect(d.trace.steps.at(-1)?.notes[0]).toContain(`（${RECEIVED} 收到）`);
    // Untruthful and in time: revoked, not late either.
    const revoked = ok(onVerification(approved, { truthful: false, note: '不实', receivedAt: RECEIVED }, PROCESSED));
    expect(revoked).toMatchObject({ outcome: 'REVOKED', verification: { late: false } });
  });

  it('received after the due date: late, whenever processed; without a receipt, judged when processed', () => {
    expect(ok(onVerification(approved, { truthful: true, note: '属实', receivedAt: '2026-12-02T16:00:00.000Z' }, PROCESSED)).verification?.late).toBe(true);
    expect(ok(onVerification(approved, { truthful: true, note: '属实' }, PROCESSED)).verification?.late).toBe(true);
  });

  it('received in time, processed after the schedule flagged it overdue: not late, the flag kept and named in the trace', () => {
    const flaggedAt = '2026-12-02T17:15:00.000Z';
    const d = ok(onVerification(approved, { truthful: true, note: '属实', receivedAt: RECEIVED }, PROCESSED, undefined, flaggedAt));
    expect(d.verification?.late).toBe(false);
    expect(d.trace.steps.at(-1)?.notes[0]).toContain(`已于 ${flaggedAt} 标记核查逾期，标记保留`);
    // A late report says it was late, not that it was in time.
    const late = ok(onVerification(approved, { truthful: true, note: '属实' }, PROCESSED, undefined, flaggedAt));
    expect(late.trace.steps.at(-1)?.notes[0]).toContain('超过核查期限 2026-12-02');
  });

  it('the schedule flags it overdue only the grace after its due date', () => {
    expect(isVerificationOverdue(approved, '2026-12-02T16:00:00.000Z', GRACE)).toBe(false);
    expect(isVerificationOverdue(approved, '2026-12-02T17:14:59.999Z', GRACE)).toBe(false);
    expect(isVerificationOverdue(approved, '2026-12-02T17:15:00.000Z', GRACE)).toBe(true);
  });
});
