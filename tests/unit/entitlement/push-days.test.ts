/**
 * "Days from becoming eligible to being pushed": natural days between local dates (Asia/Shanghai unless
 * the stage says otherwise), from the start of the pair's current stretch of eligibility to the write that
 * first reaches NOTIFIED (a grant: NOTIFIED and GRANTED at once). Counted once per pair.
 */
import {
  applyDeltas,
  chainDeltas,
  computeFigures,
  counterDeltas,
  eligibleToPushDays,
  emptyCounters,
  figuresFromCounters,
  onMatched,
  planGrant,
  planNotification,
  planRelease,
  planResolution,
  planReturnedGrant,
  type Transition,
  type Entitlement,
  type HistoryEntry,
} from '#entitlement/domain/index';
import { compileCondition } from '#rules';
import { matchEnterprise } from '#entitlement/domain/index';
import { NOW, entitlement, policy, profile, transitionOf } from './fixtures';

const step = (to: HistoryEntry['to'], at: string, from: HistoryEntry['from'] = null): HistoryEntry => ({ from, to, at, reason: 'MATCHED_ELIGIBLE' });

describe('eligibleToPushDays', () => {
  it('counts local dates, not 24-hour periods', () => {
    // Eligible at 23:30 on 1 June, pushed at 00:10 on 3 June (Shanghai): 24 h 40 min, but 2 days.
    const e = entitlement({ history: [step('ELIGIBLE', '2025-06-01T23:30:00+08:00')] });
    expect(eligibleToPushDays(e, '2025-06-03T00:10:00+08:00')).toBe(2);
    // 00:30 and 23:00 on the same Shanghai day (16:30Z on 1 June and 15:00Z on 2 June): 0 days there, 1 in UTC.
    const f = entitlement({ history: [step('ELIGIBLE', '2025-06-01T16:30:00Z')] });
    expect(eligibleToPushDays(f, '2025-06-02T15:00:00Z')).toBe(0);
    expect(eligibleToPushDays(f, '2025-06-02T15:00:00Z', 'UTC')).toBe(1);
  });

  it('starts at the current stretch of eligibility, and is undefined without an eligible step', () => {
    const e = entitlement({
      history: [
        step('ELIGIBLE', '2025-06-01T10:00:00+08:00'),
        step('NEEDS_INFO', '2025-06-05T10:00:00+08:00', 'ELIGIBLE'),
        step('ELIGIBLE', '2025-06-10T10:00:00+08:00', 'NEEDS_INFO'),
      ],
    });
    expect(eligibleToPushDays(e, '2025-06-12T09:00:00+08:00')).toBe(2);
    expect(eligibleToPushDays(entitlement({ history: [] }), NOW)).toBeUndefined();
  });
});

describe('the push carries the days, once', () => {
  const compiled = compileCondition(policy().criteria);

  it('a match pushed in the same write: 0 days, counted once; a redelivery plans nothing', () => {
    const p = policy({ kind: 'confirm' });
    const matched = transitionOf(onMatched(undefined, p, matchEnterprise(p, compiled, profile(), undefined, NOW), NOW));
    const pushed = transitionOf(planNotification(matched.next, p, NOW));
    expect(pushed.eligibleToPushDays).toBe(0);
    // Zero deltas are left out of the ADDs: the day count does not move, the count of pushes does.
    expect(chainDeltas([matched, pushed]).counts).toEqual({ eligible: 1, notified: 1, pushedAfterEligible: 1 });
    expect(planNotification(pushed.next, p, '2025-06-09T10:00:00+08:00')).toEqual({ kind: 'unchanged', reason: 'ALREADY_NOTIFIED' });
  });

  it('a grant pushed 9 local days after becoming eligible counts 9, and completing a grant later adds nothing', () => {
    const p = policy({ kind: 'grant' });
    const e = entitlement({ history: [step('ELIGIBLE', '2025-06-01T08:00:00+08:00')] });
    const granted = transitionOf(planNotification(e, p, '2025-06-10T20:00:00+08:00'));
    expect(granted.newlyReached).toEqual(['NOTIFIED', 'GRANTED']);
    expect(counterDeltas(granted).counts).toMatchObject({ pushedAfterEligible: 1, eligibleToPushDays: 9 });
    // A confirm push completed as a grant (planGrant) was counted at the push: nothing more here.
    const notified = entitlement({ state: 'NOTIFIED', reached: ['ELIGIBLE', 'NOTIFIED'], notifiedAt: NOW, history: e.history });
    const later = transitionOf(planGrant(notified, p, '2025-06-20T10:00:00+08:00'));
    expect(later.eligibleToPushDays).toBeUndefined();
    expect(counterDeltas(later).counts.pushedAfterEligible).toBeUndefined();
  });

  it('a listed pair (公示) counts from its listing day to the release after the window', () => {
    const p = policy({ kind: 'confirm', publicity: { workingDays: 5 } });
    const listedAt = '2025-09-29T09:00:00+08:00';
    const listed = entitlement({
      state: 'PUBLICIZED',
      reached: ['ELIGIBLE', 'PUBLICIZED'],
      history: [step('ELIGIBLE', listedAt), step('PUBLICIZED', listedAt, 'ELIGIBLE')],
      publicity: { windowId: '2025-09-29', listedAt, closesAt: '2025-10-13T15:59:59.999Z' },
    });
    // Released at 00:05 on 14 October (Shanghai): 29 Sep → 14 Oct is 15 natural days.
    const released = transitionOf(planRelease(listed, p, '2025-10-13T16:05:00.000Z', 'Asia/Shanghai'));
    expect(released.eligibleToPushDays).toBe(15);
    expect(counterDeltas(released).counts).toMatchObject({ notified: 1, pushedAfterEligible: 1, eligibleToPushDays: 15 });
  });

  /** The push figures kept as counters from one transition, and recomputed from the record it writes. */
  const pushFigures = (t: Transition) => {
    const counted = applyDeltas(emptyCounters(), counterDeltas(t));
    const recomputed = computeFigures(t.policyId, [t.next], undefined, 'Asia/Shanghai');
    const pick = (f: { pushedAfterEligible: number; eligibleToPushDays: number }) => ({ pushedAfterEligible: f.pushedAfterEligible, eligibleToPushDays: f.eligibleToPushDays });
    return { counted: pick(counted), recomputed: pick(recomputed) };
  };

  it('a grant paid from returned budget counts from its becoming eligible, as the records say', () => {
    const p = policy({ kind: 'grant', budget: 3000 });
    const eligibleAt = '2025-06-01T10:00:00+08:00';
    const exhausted = entitlement({
      state: 'EXHAUSTED',
      reached: ['ELIGIBLE', 'EXHAUSTED'],
      history: [step('ELIGIBLE', eligibleAt), step('EXHAUSTED', eligibleAt, 'ELIGIBLE')],
    });
    const granted = transitionOf(planReturnedGrant(exhausted, p, '2025-06-05T15:00:00+08:00', 1000, 'Asia/Shanghai'));
    expect(granted.eligibleToPushDays).toBe(4);
    expect(pushFigures(granted)).toEqual({ counted: { pushedAfterEligible: 1, eligibleToPushDays: 4 }, recomputed: { pushedAfterEligible: 1, eligibleToPushDays: 4 } });
  });

  it.each(['confirm', 'grant'] as const)('a %s pair pushed when its objection is dismissed after the close counts from its listing', (kind) => {
    const p = policy({ kind, publicity: { workingDays: 5 } });
    const listedAt = '2025-09-29T09:00:00+08:00';
    const objected = entitlement({
      state: 'OBJECTED',
      reached: ['ELIGIBLE', 'PUBLICIZED', 'OBJECTED'],
      history: [step('ELIGIBLE', listedAt), step('PUBLICIZED', listedAt, 'ELIGIBLE'), step('OBJECTED', '2025-10-09T10:00:00+08:00', 'PUBLICIZED')],
      publicity: { windowId: '2025-09-29', listedAt, closesAt: '2025-10-13T15:59:59.999Z' },
      openObjections: ['O-1'],
    });
    // Dismissed on 20 October (Shanghai), after the window closed: pushed then, 21 natural days after the listing.
    const pushed = transitionOf(planResolution(objected, p, 'O-1', false, '2025-10-20T02:00:00.000Z', 'Asia/Shanghai'));
    expect(pushed.newlyReached).toContain('NOTIFIED');
    expect(pushed.eligibleToPushDays).toBe(21);
    expect(pushFigures(pushed)).toEqual({ counted: { pushedAfterEligible: 1, eligibleToPushDays: 21 }, recomputed: { pushedAfterEligible: 1, eligibleToPushDays: 21 } });
  });

  it('the counters equal the figures recomputed from the records, and give the mean', () => {
    const p = policy({ kind: 'confirm' });
    const pairs: [string, string][] = [
      ['2025-06-01T10:00:00+08:00', '2025-06-01T11:00:00+08:00'], // 0
      ['2025-06-01T10:00:00+08:00', '2025-06-04T09:00:00+08:00'], // 3
      ['2025-06-02T23:59:00+08:00', '2025-06-08T00:01:00+08:00'], // 6
    ];
    let counters = emptyCounters();
    const records: Entitlement[] = [];
    pairs.forEach(([eligibleAt, pushAt], i) => {
      const t = transitionOf(planNotification(entitlement({ creditCode: `C${i}`, history: [step('ELIGIBLE', eligibleAt)] }), p, pushAt));
      counters = applyDeltas(counters, counterDeltas(t));
      records.push(t.next);
    });
    const fromCounters = figuresFromCounters('P-TEST', counters);
    const fromRecords = computeFigures('P-TEST', records);
    expect(fromCounters).toMatchObject({ pushedAfterEligible: 3, eligibleToPushDays: 9, eligibleToPushDaysMean: 3 });
    expect(fromRecords).toMatchObject({ pushedAfterEligible: 3, eligibleToPushDays: 9, eligibleToPushDaysMean: 3 });
    expect(figuresFromCounters('P-TEST', emptyCounters()).eligibleToPushDaysMean).toBeNull();
  });
});
