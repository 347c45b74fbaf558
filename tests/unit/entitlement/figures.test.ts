import {
  applyDeltas,
  computeFigures,
  counterDeltas,
  emptyCounters,
  figuresFromCounters,
  onConfirmed,
  onDisbursed,
  onMatched,
  planNotification,
  type Entitlement,
  type EntitlementState,
  type Transition,
} from '#entitlement/domain/index';
import { compileCondition } from '#rules';
import { matchEnterprise } from '#entitlement/domain/index';
import { NOW, entitlement, policy, profile, transitionOf } from './fixtures';

function fake(from: EntitlementState | null, to: EntitlementState, newlyReached: EntitlementState[]): Transition {
  return {
    policyId: 'P-TEST', creditCode: 'X', from, fromRevision: null, to, steps: [], reason: 'REMATCHED', at: NOW,
    newlyReached, next: entitlement({ state: to }),
  };
}

describe('counterDeltas', () => {
  it.each([
    [null, 'ELIGIBLE', ['ELIGIBLE'], { eligible: 1 }],
    [null, 'NEEDS_INFO', ['NEEDS_INFO'], { needsInfo: 1 }],
    ['NEEDS_INFO', 'ELIGIBLE', ['ELIGIBLE'], { needsInfo: -1, eligible: 1 }],
    ['ELIGIBLE', 'NEEDS_INFO', [], { needsInfo: 1 }],
    ['ELIGIBLE', 'NEEDS_INFO', ['NEEDS_INFO'], { needsInfo: 1 }],
    ['ELIGIBLE', 'INELIGIBLE', ['INELIGIBLE'], { ineligible: 1 }],
    ['INELIGIBLE', 'ELIGIBLE', [], { ineligible: -1 }],
    ['ELIGIBLE', 'NOTIFIED', ['NOTIFIED'], { notified: 1 }],
    ['ELIGIBLE', 'GRANTED', ['NOTIFIED', 'GRANTED'], { notified: 1, granted: 1 }],
    ['NOTIFIED', 'CONFIRMED', ['CONFIRMED'], { confirmed: 1 }],
    ['CONFIRMED', 'DISBURSED', ['DISBURSED'], { disbursed: 1 }],
    ['NOTIFIED', 'EXHAUSTED', ['EXHAUSTED'], { exhausted: 1 }],
    ['ELIGIBLE', 'ELIGIBLE', [], {}],
    ['NEEDS_INFO', 'NEEDS_INFO', [], {}],
  ] as const)('%s → %s (newly reached %j): %j', (from, to, reached, counts) => {
    expect(counterDeltas(fake(from, to, [...reached])).counts).toEqual(counts);
  });

  it('carries the push time and the amounts', () => {
    const p = policy({ kind: 'grant', budget: 10_000 });
    const grant = transitionOf(planNotification(entitlement(), p, NOW, 10_000));
    expect(counterDeltas(grant)).toMatchObject({ pushedAt: NOW, amountReserved: 1000, amountDisbursed: 0 });
    const paid = transitionOf(onDisbursed(grant.next, 800, NOW));
    expect(counterDeltas(paid)).toMatchObject({ amountReserved: 0, amountDisbursed: 800 });
    expect(counterDeltas(paid).pushedAt).toBeUndefined();
  });
});

describe('computeFigures', () => {
  const e = (state: EntitlementState, reached: EntitlementState[], over: Partial<Entitlement> = {}) =>
    entitlement({ state, reached, ...over });

  it('counts every state reached, needs-info by current state, and coverage over everyone ever eligible', () => {
    const list = [
      e('NEEDS_INFO', ['NEEDS_INFO']),
      e('ELIGIBLE', ['NEEDS_INFO', 'ELIGIBLE']),
      e('NOTIFIED', ['ELIGIBLE', 'NOTIFIED'], { notifiedAt: '2025-06-01T10:05:00+08:00' }),
      e('DISBURSED', ['ELIGIBLE', 'NOTIFIED', 'CONFIRMED', 'DISBURSED'], { notifiedAt: '2025-06-01T10:01:00+08:00', amountReserved: 1000, amountDisbursed: 1000 }),
      e('GRANTED', ['ELIGIBLE', 'NOTIFIED', 'GRANTED'], { notifiedAt: '2025-06-01T10:09:00+08:00', amountReserved: 1000 }),
      e('EXHAUSTED', ['ELIGIBLE', 'EXHAUSTED']),
      e('INELIGIBLE', ['ELIGIBLE', 'INELIGIBLE']),
      e('ELIGIBLE', ['ELIGIBLE'], { policyId: 'OTHER' }),
    ];
    const f = computeFigures('P-TEST', list, '2025-06-01T10:00:00+08:00');
    expect(f).toMatchObject({
      eligible: 6, needsInfo: 1, ineligible: 1, notified: 3, confirmed: 1, granted: 1, disbursed: 1, exhausted: 1,
      amountReserved: 2000, amountDisbursed: 1000,
      firstPushAt: '2025-06-01T10:01:00+08:00', lastPushAt: '2025-06-01T10:09:00+08:00', publishToLastPushMs: 9 * 60_000,
    });
    expect(f.coverage).toBeCloseTo(2 / 6);
  });

  it('has no coverage and no push time when nothing happened', () => {
    expect(computeFigures('P-TEST', [])).toMatchObject({ eligible: 0, coverage: null, publishToLastPushMs: null });
  });
});

describe('counters from deltas equal figures from final states', () => {
  it('over a realistic run of matches, pushes, confirmations and disbursements', () => {
    const p = policy({ kind: 'confirm', budget: 2000 });
    const compiled = compileCondition(p.criteria);
    const store = new Map<string, Entitlement>();
    let counters = emptyCounters();
    let remaining = 2000;
    const apply = (plan: ReturnType<typeof onMatched>) => {
      if (plan.kind !== 'transition') return;
      const t = plan.transition;
      store.set(t.creditCode, t.next);
      counters = applyDeltas(counters, counterDeltas(t));
      remaining -= t.reservation?.amount ?? 0;
    };
    const variants = [{}, { exportValueUsd: undefined }, { size: 'large' }];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 12; i++) {
        const code = `C${i}`;
        const m = matchEnterprise(p, compiled, profile({ creditCode: code, ...variants[(i + round) % 3] }), undefined, NOW);
        apply(onMatched(store.get(code), p, m, NOW));
        const ent = store.get(code);
        if (ent !== undefined) apply(planNotification(ent, p, NOW));
        if (i % 2 === 0) apply(onConfirmed(store.get(code), p, NOW, remaining));
        if (i % 4 === 0) apply(onDisbursed(store.get(code), 1000, NOW));
      }
    }
    apply(onMatched(undefined, p, matchEnterprise(p, compiled, profile({ creditCode: 'CN', exportValueUsd: undefined }), undefined, NOW), NOW));
    const fromStates = computeFigures('P-TEST', store.values());
    const fromCounters = figuresFromCounters('P-TEST', counters);
    for (const k of ['eligible', 'needsInfo', 'ineligible', 'notified', 'confirmed', 'granted', 'disbursed', 'exhausted'] as const) {
      expect(fromCounters[k]).toBe(fromStates[k]);
    }
    expect(fromCounters.coverage).toBe(fromStates.coverage);
    expect(fromStates.confirmed).toBe(2);
    expect(fromStates.exhausted).toBeGreaterThan(0);
    expect(fromStates.needsInfo).toBeGreaterThan(0);
  });
});
