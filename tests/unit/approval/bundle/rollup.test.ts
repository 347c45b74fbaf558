/**
 * A bundle's outcome rolled up from its children (first match wins, in the pinned order), its deadline and
 * overdue flag on the working-day calendar, and what a supplement merges and decides again.
 */
import { bundleFacts, whichItemsApply } from '#approval/domain/bundle/applicability';
import { bundleDeadline, checkBundle, rollUp } from '#approval/domain/bundle/rollup';
import { mergeSupplement, planSupplement } from '#approval/domain/bundle/supplement';
import type { Child, ChildState } from '#approval/domain/bundle/types';
import type { Outcome } from '#approval/domain/decision';
import { calendar } from '../fixtures';
import { newborn } from './fixtures';

const AT = '2026-11-18T02:00:00.000Z';
const d = (outcome: Outcome): ChildState => ({ kind: 'decided', outcome, decidedAt: AT });
const req = (code: string, state: ChildState): Child => ({ itemCode: code, required: true, state });
const opt = (code: string, state: ChildState): Child => ({ itemCode: code, required: false, state });
const NA: ChildState = { kind: 'notApplicable' };

describe('the roll-up of a bundle\'s children, first match wins', () => {
  it.each<[string, Child[], string]>([
    ['a required child rejected, even with another terminated and one pending', [req('A', d('REJECTED')), req('B', d('TERMINATED')), opt('C', d('ACCEPTED_PENDING_MATERIALS'))], 'REJECTED'],
    ['a required child terminated, before any pending materials', [req('A', d('TERMINATED')), opt('C', d('ACCEPTED_PENDING_MATERIALS'))], 'TERMINATED'],
    ['a required child revoked', [req('A', d('REVOKED')), req('B', d('APPROVED'))], 'TERMINATED'],
    ['an optional child pending materials, before one with a person', [req('A', d('MANUAL_REVIEW')), opt('B', d('ACCEPTED_PENDING_MATERIALS'))], 'ACCEPTED_PENDING_MATERIALS'],
    ['an optional child with a person', [req('A', d('APPROVED')), opt('B', d('MANUAL_REVIEW'))], 'IN_PROGRESS'],
    ['a child waiting for a predecessor with a person', [req('A', d('MANUAL_REVIEW')), req('B', { kind: 'waiting', for: ['A'] })], 'IN_PROGRESS'],
    ['every applicable child approved, on commitment counting', [req('A', d('APPROVED')), opt('B', d('APPROVED_ON_COMMITMENT')), opt('C', NA)], 'APPROVED'],
    ['a required child approved and an optional one rejected', [req('A', d('APPROVED')), opt('B', d('REJECTED'))], 'PARTIALLY_APPROVED'],
    ['an optional child terminated', [req('A', d('APPROVED')), opt('B', d('TERMINATED'))], 'PARTIALLY_APPROVED'],
    ['an optional child not started after its rejected optional predecessor', [req('A', d('APPROVED')), opt('B', d('REJECTED')), opt('C', { kind: 'notStarted', predecessor: 'B', predecessorState: 'REJECTED' })], 'PARTIALLY_APPROVED'],
    ['a required child that does not apply, rejected or not', [req('A', NA), opt('B', d('APPROVED'))], 'APPROVED'],
  ])('%s', (_name, children, expected) => {
    expect(rollUp('known', children)).toBe(expected);
  });

  it('is NEEDS_ANSWER while an applicability is unknown, unless the children decided make it final', () => {
    expect(rollUp('NEEDS_ANSWER', [])).toBe('NEEDS_ANSWER');
    expect(rollUp('NEEDS_ANSWER', [req('A', d('APPROVED'))])).toBe('NEEDS_ANSWER');
    expect(rollUp('NEEDS_ANSWER', [req('A', d('APPROVED')), opt('B', d('ACCEPTED_PENDING_MATERIALS')), opt('C', d('MANUAL_REVIEW'))])).toBe('NEEDS_ANSWER');
    expect(rollUp('NEEDS_ANSWER', [req('A', d('REJECTED')), opt('B', d('MANUAL_REVIEW'))])).toBe('REJECTED');
    expect(rollUp('NEEDS_ANSWER', [req('A', d('TERMINATED')), opt('B', d('APPROVED'))])).toBe('TERMINATED');
    expect(rollUp('NEEDS_ANSWER', [opt('A', d('REJECTED'))])).toBe('NEEDS_ANSWER');
  });

  it('rejects an unknown or inactive bundle', () => {
    expect(checkBundle('YJS-NONE', undefined)).toMatchObject({ ok: false, code: 'BUNDLE_UNKNOWN' });
    expect(checkBundle(newborn.bundleCode, { ...newborn, active: false })).toMatchObject({ ok: false, code: 'BUNDLE_INACTIVE', message: expect.stringContaining('出生一件事') });
    expect(checkBundle(newborn.bundleCode, newborn)).toMatchObject({ ok: true });
  });
});

describe('the bundle\'s deadline', () => {
  // Submitted Friday 2026-11-20 in Shanghai; 5 working days: 23, 24, 25, 26, 27 November.
  const submittedAt = '2026-11-20T03:00:00.000Z';
  const bundle = { promisedDays: 5 };

  it('is promisedDays working days after submission, the day of submission not counted', () => {
    expect(bundleDeadline(bundle, submittedAt, 'IN_PROGRESS', submittedAt, calendar).due).toEqual({ date: '2026-11-27', dueAt: '2026-11-27T15:59:59.999Z' });
  });

  it('counts working days on the holiday calendar (国庆 2026)', () => {
    // Submitted Wednesday 30 September: 1–7 October are holidays; 8, 9 and 10 (a 调休 Saturday), 12, 13 October work.
    expect(bundleDeadline(bundle, '2026-09-30T02:00:00.000Z', 'IN_PROGRESS', AT, calendar).due.date).toBe('2026-10-13');
  });

  it('is overdue only while open after the due moment', () => {
    const justBefore = '2026-11-27T15:59:59.000Z';
    const after = '2026-11-27T16:00:00.000Z';
    expect(bundleDeadline(bundle, submittedAt, 'IN_PROGRESS', justBefore, calendar).overdue).toBe(false);
    for (const status of ['NEEDS_ANSWER', 'IN_PROGRESS', 'ACCEPTED_PENDING_MATERIALS'] as const) {
      expect([status, bundleDeadline(bundle, submittedAt, status, after, calendar).overdue]).toEqual([status, true]);
    }
    for (const status of ['APPROVED', 'PARTIALLY_APPROVED', 'REJECTED', 'TERMINATED'] as const) {
      expect([status, bundleDeadline(bundle, submittedAt, status, after, calendar).overdue]).toEqual([status, false]);
    }
  });
});

describe('a supplement to a bundle application', () => {
  it('merges answers and form, new keys winning, and resolves a NEEDS_ANSWER', () => {
    const stored = { answers: { hukouHere: true }, form: { babyName: '小明', hospital: '市妇幼' } };
    const facts = (answers: Record<string, unknown>) => bundleFacts({ form: {}, applicant: {}, licence: {}, credit: {}, now: AT }, answers);
    const before = whichItemsApply(newborn, facts(stored.answers), 'Asia/Shanghai');
    expect(before.status === 'NEEDS_ANSWER' && before.questions.map((q) => q.id)).toEqual(['insuredElsewhere', 'wantsCard']);
    expect(planSupplement('NEEDS_ANSWER', newborn.items.map((i) => req(i.itemCode, NA)))).toEqual({ kind: 'redecide', redecide: newborn.items.map((i) => i.itemCode), keep: [] });

    const merged = mergeSupplement(stored, { answers: { insuredElsewhere: false, wantsCard: true, hukouHere: false }, form: { hospital: '区人民医院' } });
    expect(merged).toEqual({ answers: { hukouHere: false, insuredElsewhere: false, wantsCard: true }, form: { babyName: '小明', hospital: '区人民医院' } });
    const after = whichItemsApply(newborn, facts(merged.answers), 'Asia/Shanghai');
    expect(after.status).toBe('known');
    expect(after.items.map((i) => i.applies)).toEqual([true, false, true, true]);
  });

  it('decides again the children pending materials, not started or waiting, and keeps the decided ones', () => {
    const children = [
      req('A', d('APPROVED')),
      req('B', d('ACCEPTED_PENDING_MATERIALS')),
      opt('C', d('REJECTED')),
      opt('D', { kind: 'notStarted', predecessor: 'C', predecessorState: 'REJECTED' }),
      opt('E', { kind: 'waiting', for: ['B'] }),
      opt('F', d('MANUAL_REVIEW')),
      opt('G', NA),
    ];
    expect(planSupplement('ACCEPTED_PENDING_MATERIALS', children)).toEqual({ kind: 'redecide', redecide: ['B', 'D', 'E'], keep: ['A', 'C', 'F', 'G'] });
  });

  it('keeps the decided children of an application that needs answers, deciding again only one pending materials', () => {
    const children = [req('A', d('APPROVED')), req('B', d('ACCEPTED_PENDING_MATERIALS')), opt('C', d('MANUAL_REVIEW')), opt('D', d('REJECTED'))];
    expect(planSupplement('NEEDS_ANSWER', children)).toEqual({ kind: 'redecide', redecide: ['B'], keep: ['A', 'C', 'D'] });
  });

  it('is refused for a bundle in a final state', () => {
    for (const status of ['APPROVED', 'PARTIALLY_APPROVED', 'REJECTED', 'TERMINATED'] as const) {
      expect(planSupplement(status, [req('A', d('APPROVED'))])).toEqual({ kind: 'refused', status });
    }
  });
});
