// The entitlement figures' yuan add up as exact decimals, as DynamoDB's ADD keeps the stored totals:
// 100.1 + 200.2 is 300.3 here too, not 300.29999999999995.
import {
  budgetDelta,
  chainDeltas,
  computeFigures,
  counterDeltas,
  onRecovered,
  reserve,
  type Entitlement,
  type EntitlementState,
  type Transition,
} from '#entitlement/domain/index';
import type { EntitlementMetric } from '#entitlement/ports';
import { countCommitted } from '#entitlement/service/telemetry';
import { NOW, entitlement, policy, transitionOf } from './fixtures';

const disbursed = (creditCode: string, amount: number, over: Partial<Entitlement> = {}): Entitlement =>
  entitlement({
    creditCode,
    state: 'DISBURSED',
    reached: ['ELIGIBLE', 'NOTIFIED', 'GRANTED', 'DISBURSED'],
    amountReserved: amount,
    amountDisbursed: amount,
    ...over,
  });

function fake(newlyReached: EntitlementState[], over: Partial<Transition>, next: Partial<Entitlement> = {}): Transition {
  return {
    policyId: 'P-TEST', creditCode: 'X', from: null, fromRevision: null, to: 'ELIGIBLE', steps: [], reason: 'REMATCHED', at: NOW,
    newlyReached, next: entitlement(next), ...over,
  };
}

describe('figures recomputed from the entitlements', () => {
  it('sum the reserved, disbursed and recovered yuan exactly', () => {
    const figures = computeFigures('P-TEST', [
      disbursed('A', 100.1),
      disbursed('B', 200.2),
      disbursed('C', 0.1, { state: 'RECOVERED', reached: ['ELIGIBLE', 'NOTIFIED', 'GRANTED', 'DISBURSED', 'RECOVERED'], amountReserved: 0, amountRecovered: 0.1 }),
      disbursed('D', 0.2, { state: 'RECOVERED', reached: ['ELIGIBLE', 'NOTIFIED', 'GRANTED', 'DISBURSED', 'RECOVERED'], amountReserved: 0, amountRecovered: 0.2 }),
    ]);
    expect([figures.amountReserved, figures.amountDisbursed, figures.amountRecovered]).toEqual([300.3, 300.6, 0.3]);
  });
});

describe('counter deltas', () => {
  it('of a chain written as one add its transitions exactly', () => {
    const chain = [
      fake(['DISBURSED'], { reservation: { amount: 0.3 } }, { amountDisbursed: 0.1 }),
      fake(['DISBURSED'], { release: { amount: 0.1 } }, { amountDisbursed: 0.2 }),
      fake(['RECOVERED'], {}, { amountRecovered: 99.9 }),
      fake(['RECOVERED'], {}, { amountRecovered: 0.2 }),
    ];
    expect(chainDeltas(chain)).toMatchObject({ amountReserved: 0.2, amountDisbursed: 0.3, amountRecovered: 100.1 });
  });

  it('of one transition that reserves and releases take the exact difference', () => {
    expect(counterDeltas(fake([], { reservation: { amount: 0.3 }, release: { amount: 0.1 } })).amountReserved).toBe(0.2);
  });
});

describe('the budget', () => {
  it('what remains after a reservation is the exact difference', () => {
    expect(reserve(0.3, 0.1)).toEqual({ ok: true, amount: 0.1, remainingAfter: 0.2 });
  });

  it('a new version moves what remains by the exact difference of the totals', () => {
    // 300.3 − 100.1 in floating point is 200.20000000000002: the store would ADD that for good.
    expect(budgetDelta(policy({ budget: 100.1 }), policy({ budget: 300.3, version: 2 }))).toBe(200.2);
  });

  it('a recovery leaves the pair holding the exact rest of its reservation', () => {
    const t = transitionOf(onRecovered(disbursed('A', 99.9), { amount: 0.3, reason: 'overpayment', at: NOW }));
    expect([t.release, t.next.amountReserved]).toEqual([{ amount: 0.3 }, 99.6]);
  });
});

describe('the recovered amount metric', () => {
  it('adds the recoveries committed together exactly', () => {
    const counted: Array<[EntitlementMetric, number]> = [];
    countCommitted({ count: (metric, value) => counted.push([metric, value]), publishToLastPush: () => undefined }, [
      fake(['RECOVERED'], {}, { amountRecovered: 0.1 }),
      fake(['RECOVERED'], {}, { amountRecovered: 0.2 }),
    ]);
    expect(counted).toContainEqual(['RecoveredAmount', 0.3]);
  });
});
