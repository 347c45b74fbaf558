/**
 * 公示 and 异议 in the pure domain: the window in working days (across a holiday and a make-up working day),
 * joining an open window, listing with the grant's reservation, the release at the close, third-party
 * objections and their resolution, declared facts, the budget's order and the figures' counters.
 */
import { createCalendar } from '#calendar';
import {
  budgetOrder,
  chainDeltas,
  closeDueBefore,
  computeFigures,
  counterDeltas,
  DEFAULT_PUBLICITY_WORKING_DAYS,
  onDisbursed,
  onMatched,
  planListing,
  planRelease,
  planResolution,
  planSettle,
  planThirdPartyObjection,
  publicityDays,
  releaseAfterClose,
  windowFor,
  withDeclaredFacts,
  declaredFactsMismatch,
  type Entitlement,
  type PublicityWindow,
} from '#entitlement/domain/index';
import { entitlement, policy, transitionOf } from './fixtures';

const calendar = createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true });
const MON_SEP_29 = '2025-09-29T01:00:00.000Z'; // 09:00 Shanghai
const CLOSES = '2025-10-13T15:59:59.999Z';
const WINDOW: PublicityWindow = { windowId: '2025-09-29', openedAt: MON_SEP_29, closesAt: CLOSES };
const listed = (over: Partial<Entitlement> = {}) =>
  entitlement({
    state: 'PUBLICIZED',
    reached: ['ELIGIBLE', 'PUBLICIZED'],
    publicity: { windowId: WINDOW.windowId, listedAt: MON_SEP_29, closesAt: CLOSES },
    ...over,
  });

describe('the publicity window', () => {
  it('ends at the end of the N-th working day after the listing day, over National Day and its make-up Saturday', () => {
    // Sep 30 (1); Oct 1–8 holidays; Oct 9 (2), 10 (3), Sat Oct 11 make-up (4), Sun Oct 12 off, Mon Oct 13 (5).
    expect(windowFor(undefined, MON_SEP_29, 5, calendar)).toEqual({ window: WINDOW, opens: true });
    // Without the make-up Saturday it would be Tue Oct 14.
    const plain = createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true, holidays: ['2025-10-11'] });
    expect(windowFor(undefined, MON_SEP_29, 5, plain).window.closesAt).toBe('2025-10-14T15:59:59.999Z');
    // Listed late on a Friday night (local): the starting day is not counted.
    expect(windowFor(undefined, '2025-11-07T15:30:00.000Z', 1, calendar).window).toMatchObject({ windowId: '2025-11-07', closesAt: '2025-11-10T15:59:59.999Z' });
  });

  it('is joined while open, through its last millisecond; a pair eligible later opens its own', () => {
    expect(windowFor(WINDOW, '2025-10-09T02:00:00.000Z', 5, calendar)).toEqual({ window: WINDOW, opens: false });
    expect(windowFor(WINDOW, CLOSES, 5, calendar)).toEqual({ window: WINDOW, opens: false });
    const later = windowFor(WINDOW, '2025-10-13T16:00:00.000Z', 5, calendar);
    expect(later).toEqual({ window: { windowId: '2025-10-14', openedAt: '2025-10-13T16:00:00.000Z', closesAt: '2025-10-21T15:59:59.999Z' }, opens: true });
  });

  it('defaults to 5 working days when a policy asks for publicity without a length', () => {
    expect(publicityDays(policy({ publicity: {} }))).toBe(DEFAULT_PUBLICITY_WORKING_DAYS);
    expect(DEFAULT_PUBLICITY_WORKING_DAYS).toBe(5);
    expect(publicityDays(policy({ publicity: { workingDays: 10 } }))).toBe(10);
    expect(publicityDays(policy())).toBeUndefined();
  });
});

describe('listing and the close', () => {
  const grant = policy({ kind: 'grant', budget: 2000, publicity: { workingDays: 5 } });
  const window = { window: WINDOW, opens: true };

  it('lists a matched pair instead of pushing it, reserving a grant now; EXHAUSTED when the budget cannot pay', () => {
    const match = { outcome: 'eligible', reason: 'CRITERIA_HELD', policyId: 'P-TEST', policyVersion: 1, creditCode: '91440106MA59C1234X', summary: { held: [], failed: [], unknown: [] } } as const;
    const plan = planSettle(undefined, grant, match, MON_SEP_29, 2000, 'Asia/Shanghai', window);
    if (plan.kind !== 'settle') throw new Error('needs budget');
    expect(plan.chain.map((t) => `${t.from}->${t.to}`)).toEqual(['null->ELIGIBLE', 'ELIGIBLE->PUBLICIZED']);
    const last = plan.chain[1]!;
    expect(last).toMatchObject({ reservation: { amount: 1000 }, window, next: { publicity: { windowId: '2025-09-29', closesAt: CLOSES } } });
    expect(last.notification).toBeUndefined();
    expect(chainDeltas(plan.chain)).toMatchObject({ counts: { eligible: 1, publicized: 1 }, amountReserved: 1000 });
    const short = transitionOf(planListing(entitlement(), grant, MON_SEP_29, window, 999));
    expect([short.to, short.reservation]).toEqual(['EXHAUSTED', undefined]);
    // A confirm policy reserves at the confirmation, not at the listing.
    expect(transitionOf(planListing(entitlement(), policy({ budget: 10, publicity: {} }), MON_SEP_29, window)).reservation).toBeUndefined();
  });

  it('does not re-evaluate a listed pair (matching leaves it alone)', () => {
    const gone = { outcome: 'ineligible', reason: 'CRITERIA_FAILED', policyId: 'P-TEST', policyVersion: 1, creditCode: '91440106MA59C1234X' } as const;
    for (const state of ['PUBLICIZED', 'OBJECTED', 'REMOVED'] as const) {
      expect(onMatched(listed({ state }), grant, gone, MON_SEP_29)).toEqual({ kind: 'unchanged', reason: 'ALREADY_LISTED' });
    }
  });

  it('releases nothing while the window is open; at the close a grant is notified and granted without a new reservation', () => {
    expect(planRelease(listed(), grant, CLOSES)).toEqual({ kind: 'unchanged', reason: 'WINDOW_OPEN' });
    const t = transitionOf(planRelease(listed({ amountReserved: 1000 }), grant, '2025-10-13T16:00:00.000Z'));
    expect(t.steps.map((s) => s.to)).toEqual(['NOTIFIED', 'GRANTED']);
    expect([t.reservation, t.notification?.purpose, t.next.amountReserved]).toEqual([undefined, 'granted', 1000]);
    expect(counterDeltas(t)).toMatchObject({ counts: { notified: 1, granted: 1 }, amountReserved: 0, pushedAt: '2025-10-13T16:00:00.000Z' });
    const confirm = transitionOf(planRelease(listed(), policy({ publicity: {} }), '2025-10-14T01:00:00.000Z'));
    expect([confirm.to, confirm.notification?.purpose]).toEqual(['NOTIFIED', 'confirm']);
    expect(transitionOf(planRelease(listed(), { ...grant, status: 'withdrawn' }, '2025-10-14T01:00:00.000Z')).to).toBe('LAPSED');
  });

  it('lapses a listed pair whose policy was withdrawn before the close: not pushed, its reservation returned, not eligible', () => {
    const withdrawn = { ...grant, status: 'withdrawn' as const, withdrawnAt: '2025-10-09T02:00:00.000Z' };
    // Nothing while the window is open, withdrawn or not: the close decides.
    expect(planRelease(listed({ amountReserved: 1000 }), withdrawn, CLOSES)).toEqual({ kind: 'unchanged', reason: 'WINDOW_OPEN' });
    const t = transitionOf(planRelease(listed({ amountReserved: 1000 }), withdrawn, '2025-10-14T01:00:00.000Z', 'Asia/Shanghai'));
    expect([t.from, t.to, t.reason, t.notification, t.release, t.next.amountReserved, t.next.lapsedAt]).toEqual([
      'PUBLICIZED', 'LAPSED', 'POLICY_WITHDRAWN', undefined, { amount: 1000 }, 0, '2025-10-14T01:00:00.000Z',
    ]);
    expect(t.next.history.at(-1)).toEqual({ from: 'PUBLICIZED', to: 'LAPSED', at: '2025-10-14T01:00:00.000Z', reason: 'POLICY_WITHDRAWN' });
    // Counted as lapsed and no longer as eligible, by the counters and by the recount alike.
    expect(counterDeltas(t)).toEqual({ counts: { lapsed: 1, eligible: -1 }, amountReserved: -1000, amountDisbursed: 0, amountRecovered: 0 });
    expect(computeFigures('P-TEST', [t.next])).toMatchObject({ eligible: 0, publicized: 1, lapsed: 1, notified: 0, amountReserved: 0, coverage: null });
    // Terminal: the close again, a re-match and a third-party objection move it no more.
    expect(planRelease(t.next, withdrawn, '2025-10-14T02:00:00.000Z')).toEqual({ kind: 'unchanged', reason: 'NOT_LISTED' });
    const again = { outcome: 'eligible', reason: 'CRITERIA_HELD', policyId: 'P-TEST', policyVersion: 1, creditCode: '91440106MA59C1234X', summary: { held: [], failed: [], unknown: [] } } as const;
    expect(onMatched(t.next, grant, again, '2025-10-14T02:00:00.000Z')).toEqual({ kind: 'unchanged', reason: 'ALREADY_LISTED' });
    expect(planThirdPartyObjection(t.next, grant, { objectionId: 'O-L', receivedAt: '2025-10-13T15:00:00.000Z' })).toMatchObject({ kind: 'refused', reason: 'NOT_LISTED' });
    expect(planThirdPartyObjection(t.next, grant, { objectionId: 'O-L', receivedAt: '2025-10-14T02:00:00.000Z' })).toMatchObject({ kind: 'refused', reason: 'OBJECTION_OUT_OF_WINDOW' });
  });

  it('lapses a listed pair whose window ends after the policy\'s validTo (a local date); one ending within it is released', () => {
    // The window ends at the end of Mon Oct 13 (Shanghai). validTo Fri Oct 10: expired before the window ended.
    const expired = transitionOf(planRelease(listed({ amountReserved: 1000 }), { ...grant, validTo: '2025-10-10' }, '2025-10-14T01:00:00.000Z', 'Asia/Shanghai'));
    expect([expired.to, expired.reason, expired.release, expired.notification]).toEqual(['LAPSED', 'POLICY_EXPIRED', { amount: 1000 }, undefined]);
    // validTo Oct 13, the window's last day: the window ended within the validity; the close runs after the
    // grace, past validTo, and still releases the pair (the close's timing does not decide it).
    const lastDay = transitionOf(planRelease(listed({ amountReserved: 1000 }), { ...grant, validTo: '2025-10-13' }, '2025-10-14T01:00:00.000Z', 'Asia/Shanghai'));
    expect([lastDay.to, lastDay.notification?.purpose]).toEqual(['GRANTED', 'granted']);
    // A policy without a budget lapses its pair with nothing to return.
    const unbudgeted = transitionOf(planRelease(listed(), { ...grant, budget: undefined, validTo: '2025-10-10' }, '2025-10-14T01:00:00.000Z', 'Asia/Shanghai'));
    expect([unbudgeted.to, unbudgeted.release]).toEqual(['LAPSED', undefined]);
  });

  it('lists nobody for a policy that pushes nothing more: returned budget after validTo or a withdrawal', () => {
    // An EXHAUSTED pair that returned budget (a recovery, say) would list: not once the policy expired, since
    // the close never releases a pair of an inactive policy (its reservation would stay taken for ever).
    const exhausted = entitlement({ state: 'EXHAUSTED', reached: ['ELIGIBLE', 'EXHAUSTED'] });
    const expiredAt = '2026-01-05T02:00:00.000Z';
    expect(planListing(exhausted, grant, expiredAt, window, 2000, 'Asia/Shanghai')).toEqual({ kind: 'unchanged', reason: 'POLICY_EXPIRED' });
    expect(planListing(exhausted, { ...grant, status: 'withdrawn' }, MON_SEP_29, window, 2000)).toEqual({ kind: 'unchanged', reason: 'POLICY_WITHDRAWN' });
    expect(planListing(entitlement(), grant, expiredAt, window, 2000, 'Asia/Shanghai')).toEqual({ kind: 'unchanged', reason: 'POLICY_EXPIRED' });
    // Within the policy's validity the same pair is listed with the returned budget.
    expect(transitionOf(planListing(exhausted, grant, MON_SEP_29, window, 2000, 'Asia/Shanghai')).to).toBe('PUBLICIZED');
  });

  it('counts the days from the listing to the payment', () => {
    const granted = listed({ state: 'GRANTED', reached: ['ELIGIBLE', 'PUBLICIZED', 'NOTIFIED', 'GRANTED'] });
    const t = transitionOf(onDisbursed(granted, 1000, '2025-10-20T02:00:00.000Z', 'Asia/Shanghai'));
    expect(t.publicityToPaymentDays).toBe(21);
    expect(counterDeltas(t).counts).toMatchObject({ disbursed: 1, paidAfterPublicity: 1, publicityToPaymentDays: 21 });
  });
});

describe('objections', () => {
  const grant = policy({ kind: 'grant', budget: 2000, publicity: {} });
  const obj = { objectionId: 'O-1', receivedAt: '2025-10-09T02:00:00.000Z' };

  it('holds a listed pair on a third-party objection in its window, and refuses one outside it or for a pair not listed', () => {
    const t = transitionOf(planThirdPartyObjection(listed(), grant, obj));
    expect([t.from, t.to, t.next.openObjections]).toEqual(['PUBLICIZED', 'OBJECTED', ['O-1']]);
    expect(planThirdPartyObjection(t.next, grant, obj)).toEqual({ kind: 'unchanged', reason: 'ALREADY_OBJECTED' });
    expect(planThirdPartyObjection(listed(), grant, { ...obj, receivedAt: '2025-10-13T16:00:00.000Z' })).toMatchObject({ kind: 'refused', reason: 'OBJECTION_OUT_OF_WINDOW' });
    expect(planThirdPartyObjection(entitlement({ state: 'NEEDS_INFO' }), grant, obj)).toMatchObject({ kind: 'refused', reason: 'NOT_LISTED' });
    expect(planThirdPartyObjection(listed(), policy(), obj)).toMatchObject({ kind: 'refused', reason: 'NO_PUBLICITY' });
  });

  it('removes the pair when upheld (its reservation returned, no longer eligible, counted removed)', () => {
    const held = listed({ state: 'OBJECTED', reached: ['ELIGIBLE', 'PUBLICIZED', 'OBJECTED'], openObjections: ['O-1'], amountReserved: 1000 });
    const t = transitionOf(planResolution(held, grant, 'O-1', true, '2025-10-10T02:00:00.000Z'));
    expect([t.to, t.release, t.next.amountReserved, t.next.openObjections]).toEqual(['REMOVED', { amount: 1000 }, 0, undefined]);
    expect(counterDeltas(t)).toMatchObject({ counts: { removed: 1, eligible: -1 }, amountReserved: -1000 });
    expect(computeFigures('P-TEST', [t.next])).toMatchObject({ eligible: 0, removed: 1, publicized: 1 });
    expect(planResolution(t.next, grant, 'O-1', true, '2025-10-10T02:00:00.000Z')).toEqual({ kind: 'unchanged', reason: 'ALREADY_RESOLVED' });
  });

  it('lets the pair proceed when dismissed: back on the list in the window, on to the push after it', () => {
    const held = listed({ state: 'OBJECTED', reached: ['ELIGIBLE', 'PUBLICIZED', 'OBJECTED'], openObjections: ['O-1'] });
    const inWindow = transitionOf(planResolution(held, grant, 'O-1', false, '2025-10-10T02:00:00.000Z'));
    expect([inWindow.to, inWindow.notification]).toEqual(['PUBLICIZED', undefined]);
    const after = transitionOf(planResolution(held, grant, 'O-1', false, '2025-10-14T02:00:00.000Z'));
    expect([after.steps.map((s) => s.to), after.notification?.purpose]).toEqual([['NOTIFIED', 'GRANTED'], 'granted']);
    // Held by two: dismissing one keeps it held.
    const two = transitionOf(planResolution({ ...held, openObjections: ['O-1', 'O-2'] }, grant, 'O-1', false, '2025-10-14T02:00:00.000Z'));
    expect([two.to, two.next.openObjections]).toEqual(['OBJECTED', ['O-2']]);
  });

  it('leaves a pair dismissed after the end of its window on the list until the close has released the window', () => {
    const held = listed({ state: 'OBJECTED', reached: ['ELIGIBLE', 'PUBLICIZED', 'OBJECTED'], openObjections: ['O-1'] });
    const grace = '2025-10-13T16:10:00.000Z';
    // In the grace (the close has not released the window): back on the list, for the close to release.
    const kept = transitionOf(planResolution(held, grant, 'O-1', false, grace, 'Asia/Shanghai', false));
    expect([kept.to, kept.notification, kept.next.openObjections]).toEqual(['PUBLICIZED', undefined, undefined]);
    expect(counterDeltas(kept).counts).toEqual({});
    // Once the close has released the window: on to the push at once.
    const released = transitionOf(planResolution(held, grant, 'O-1', false, grace, 'Asia/Shanghai', true));
    expect([released.steps.map((s) => s.to), released.notification?.purpose]).toEqual([['NOTIFIED', 'GRANTED'], 'granted']);
    // Upheld, either way: removed.
    expect(transitionOf(planResolution(held, grant, 'O-1', true, grace, 'Asia/Shanghai', false)).to).toBe('REMOVED');
  });

  it('lapses a pair dismissed after the close once its policy has ended, returning its reservation', () => {
    const held = listed({ state: 'OBJECTED', reached: ['ELIGIBLE', 'PUBLICIZED', 'OBJECTED'], openObjections: ['O-1'], amountReserved: 1000 });
    const after = '2025-10-14T02:00:00.000Z';
    for (const [ended, reason] of [
      [{ ...grant, status: 'withdrawn' as const }, 'POLICY_WITHDRAWN'],
      [{ ...grant, validTo: '2025-10-10' }, 'POLICY_EXPIRED'],
    ] as const) {
      const t = transitionOf(planResolution(held, ended, 'O-1', false, after, 'Asia/Shanghai', true));
      expect([t.from, t.to, t.reason, t.release, t.notification, t.next.openObjections, t.next.amountReserved]).toEqual(['OBJECTED', 'LAPSED', reason, { amount: 1000 }, undefined, undefined, 0]);
      expect(counterDeltas(t).counts).toEqual({ lapsed: 1, eligible: -1 });
    }
    // Dismissed in the window or the grace: back on the list, for the close to decide.
    expect(transitionOf(planResolution(held, { ...grant, status: 'withdrawn' }, 'O-1', false, '2025-10-13T16:10:00.000Z', 'Asia/Shanghai', false)).to).toBe('PUBLICIZED');
    // Upheld: removed, as for any policy.
    expect(transitionOf(planResolution(held, { ...grant, status: 'withdrawn' }, 'O-1', true, after, 'Asia/Shanghai', true)).to).toBe('REMOVED');
  });

  it("names a declared fact a self-objection cannot use: another kind's, or the subject's own id", () => {
    const person = { policyId: 'P-ELDER', subjectKind: 'person' } as const;
    const enterprise = { policyId: 'P-EXP' } as const;
    expect(declaredFactsMismatch(person, { 'person.residenceDistrict': '440305', 'enterprise.size': 'small' })).toEqual({
      reason: 'DECLARED_FACT_MISMATCH',
      message: 'facts.enterprise.size: policy P-ELDER is for persons: declared facts must be under person.* (e.g. person.residenceDistrict)',
    });
    expect(declaredFactsMismatch(person, { 'person.idNumber': 'x' })?.message).toMatch(/^facts\.person\.idNumber: the subject's ID number cannot be declared/);
    expect(declaredFactsMismatch(enterprise, { 'person.birthDate': '1940-01-01' })?.message).toMatch(/^facts\.person\.birthDate: policy P-EXP is for enterprises/);
    expect([declaredFactsMismatch(person, { 'person.residenceDistrict': '440305' }), declaredFactsMismatch(enterprise, { 'enterprise.size': 'small' }), declaredFactsMismatch(enterprise, undefined)]).toEqual([undefined, undefined, undefined]);
  });

  it('evaluates a self-objection on declared facts over the shared profile, which it does not change', () => {
    const shared = { creditCode: '91440106MA59C1234X', name: '某公司', asOf: '2025-05-01', size: 'small' };
    const out = withDeclaredFacts(shared, shared.creditCode, { 'enterprise.exportValueUsd': 4_200_000, 'enterprise.__proto__.x': 1 });
    expect(out.profile).toMatchObject({ size: 'small', exportValueUsd: 4_200_000 });
    expect(out.declared).toEqual(['enterprise.exportValueUsd']);
    expect(shared).not.toHaveProperty('exportValueUsd');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('the budget order', () => {
  it('is the first to become eligible first, ties by subject id', () => {
    const at = (code: string, eligibleAt: string) =>
      entitlement({ creditCode: code, history: [{ from: null, to: 'ELIGIBLE', at: eligibleAt, reason: 'MATCHED_ELIGIBLE' }] });
    const pairs = [at('C', '2025-10-01T00:00:00Z'), at('B', '2025-09-30T00:00:00Z'), at('A', '2025-10-01T00:00:00Z')];
    expect(pairs.sort(budgetOrder).map((e) => e.creditCode)).toEqual(['B', 'A', 'C']);
  });
});

describe('objections received in time, processed after the close', () => {
  const grant = policy({ kind: 'grant', budget: 2000, publicity: {} });
  const inTime = { objectionId: 'O-9', receivedAt: '2025-10-13T15:59:00.000Z' };
  const AFTER = '2025-10-14T01:00:00.000Z';

  it('the close waits the grace after the window before it is due', () => {
    expect(closeDueBefore(AFTER, 30 * 60_000)).toBe('2025-10-14T00:30:00.000Z');
    // Ten minutes after the end, a 30-minute grace keeps the window from being due; 31 minutes after, it is.
    expect(closeDueBefore('2025-10-13T16:10:00.000Z', 30 * 60_000) > CLOSES).toBe(false);
    expect(closeDueBefore('2025-10-13T16:31:00.000Z', 30 * 60_000) > CLOSES).toBe(true);
    expect(closeDueBefore(AFTER, 0)).toBe(AFTER);
    expect(() => closeDueBefore(AFTER, -1)).toThrow(/non-negative/);
  });

  it('a third-party objection in time on a pair already released holds nothing and is not refused as late', () => {
    const granted = listed({ state: 'GRANTED', reached: ['ELIGIBLE', 'PUBLICIZED', 'NOTIFIED', 'GRANTED'] });
    expect(planThirdPartyObjection(granted, grant, inTime)).toEqual({ kind: 'unchanged', reason: 'ALREADY_RELEASED' });
    // Received after the window: refused as before; off the list by an upheld objection: not listed.
    expect(planThirdPartyObjection(granted, grant, { ...inTime, receivedAt: '2025-10-13T16:00:00.000Z' })).toMatchObject({ kind: 'refused', reason: 'OBJECTION_OUT_OF_WINDOW' });
    expect(planThirdPartyObjection(listed({ state: 'REMOVED', reached: ['ELIGIBLE', 'PUBLICIZED', 'OBJECTED', 'REMOVED'] }), grant, inTime)).toMatchObject({ kind: 'refused', reason: 'NOT_LISTED' });
  });

  it('a pair a self-objection lists after the close is released in the same chain: notified and granted with its reservation', () => {
    const match = { outcome: 'eligible', reason: 'CRITERIA_HELD', policyId: 'P-TEST', policyVersion: 1, creditCode: '91440106MA59C1234X', summary: { held: [], failed: [], unknown: [] } } as const;
    const plan = planSettle(undefined, grant, match, inTime.receivedAt, 2000, 'Asia/Shanghai', { window: WINDOW, opens: false });
    if (plan.kind !== 'settle') throw new Error('needs budget');
    const chain = releaseAfterClose(plan.chain, grant, AFTER, 'Asia/Shanghai');
    expect(chain.map((t) => `${t.from}->${t.to}`)).toEqual(['null->ELIGIBLE', 'ELIGIBLE->PUBLICIZED', 'PUBLICIZED->GRANTED']);
    expect([chain.at(-1)!.notification?.purpose, chain.at(-1)!.next.amountReserved]).toEqual(['granted', 1000]);
    expect(chainDeltas(chain)).toMatchObject({ counts: { eligible: 1, publicized: 1, notified: 1, granted: 1 }, amountReserved: 1000 });
    // Still in the window: listed only, released by the close.
    expect(releaseAfterClose(plan.chain, grant, CLOSES, 'Asia/Shanghai')).toEqual(plan.chain);
    // After the end but before the close released the window (the grace): listed only, the close releases it.
    expect(releaseAfterClose(plan.chain, grant, AFTER, 'Asia/Shanghai', false)).toEqual(plan.chain);
  });
});
