/**
 * Property: whatever arrives — publications, profile and credit updates, pushes, confirmations,
 * disbursements, withdrawal, expiry — in any order, duplicated, or planned from a stale read, no pair is
 * ever notified twice, nothing is pushed by a withdrawn or expired policy, the budget never goes
 * negative, and counters kept from counterDeltas equal the figures recomputed from the final states.
 *
 * The store below applies transitions exactly as the DynamoDB adapter must: one conditional write on
 * `state = from AND revision = fromRevision` (or not-exists), with `remaining >= amount` on the budget.
 */
import fc from 'fast-check';
import { compileCondition } from '#rules';
import {
  applyDeltas,
  computeFigures,
  counterDeltas,
  emptyCounters,
  isPolicyActive,
  matchEnterprise,
  onConfirmed,
  onDisbursed,
  onMatched,
  onWithdrawn,
  planNotification,
  planPublish,
  PUSHED_STATES,
  type CounterValues,
  type CreditRecord,
  type Entitlement,
  type Plan,
  type Policy,
  type Transition,
} from '#entitlement/domain/index';
import { credit, policy, profile } from './fixtures';

const CODES = ['91440106MA59C00011', '91440106MA59C00022', '91440106MA59C00033'];
const VARIANTS = [{}, { exportValueUsd: undefined }, { size: 'large' }] as const;
const DAY = 86_400_000;
const START = Date.parse('2025-06-01T02:00:00Z');
const at = (day: number) => new Date(START + day * DAY).toISOString();

type Event =
  | { type: 'publish'; version: number }
  | { type: 'profile'; who: number; variant: number }
  | { type: 'credit'; who: number; dishonest: boolean }
  | { type: 'push'; who: number }
  | { type: 'confirm'; who: number }
  | { type: 'disburse'; who: number; amount: number }
  | { type: 'withdraw' }
  | { type: 'tick' }
  | { type: 'redeliver'; index: number }
  | { type: 'stale'; index: number };

const who = fc.integer({ min: 0, max: CODES.length - 1 });
const event: fc.Arbitrary<Event> = fc.oneof(
  fc.record({ type: fc.constant('publish' as const), version: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ type: fc.constant('profile' as const), who, variant: fc.integer({ min: 0, max: VARIANTS.length - 1 }) }),
  fc.record({ type: fc.constant('credit' as const), who, dishonest: fc.boolean() }),
  fc.record({ type: fc.constant('push' as const), who }),
  fc.record({ type: fc.constant('push' as const), who }),
  fc.record({ type: fc.constant('confirm' as const), who }),
  fc.record({ type: fc.constant('confirm' as const), who }),
  fc.record({ type: fc.constant('disburse' as const), who, amount: fc.constantFrom(1000, 500) }),
  fc.record({ type: fc.constant('withdraw' as const) }),
  fc.record({ type: fc.constant('tick' as const) }),
  fc.record({ type: fc.constant('redeliver' as const), index: fc.nat() }),
  fc.record({ type: fc.constant('stale' as const), index: fc.nat() }),
);

class Store {
  policy: Policy | undefined;
  remaining = 0;
  readonly entitlements = new Map<string, Entitlement>();
  readonly profiles = new Map<string, object>();
  readonly credits = new Map<string, CreditRecord>();
  readonly notifications: { creditCode: string; at: string; policy: Policy }[] = [];
  readonly planned: Transition[] = [];
  counters: CounterValues = emptyCounters();
  refusals = 0;

  constructor(readonly budget: number) {}

  apply(plan: Plan): void {
    if (plan.kind === 'refused') this.refusals++;
    if (plan.kind !== 'transition') return;
    this.planned.push(plan.transition);
    this.write(plan.transition);
  }

  /** The adapter's conditional write: all or nothing. */
  write(t: Transition): boolean {
    const current = this.entitlements.get(t.creditCode);
    const ok = t.from === null ? current === undefined : current?.state === t.from && current.revision === t.fromRevision;
    if (!ok) return false;
    if (t.reservation !== undefined && this.remaining < t.reservation.amount) return false;
    if (t.reservation !== undefined) this.remaining -= t.reservation.amount;
    this.entitlements.set(t.creditCode, t.next);
    this.counters = applyDeltas(this.counters, counterDeltas(t));
    if (t.notification !== undefined) this.notifications.push({ creditCode: t.creditCode, at: t.at, policy: this.policy! });
    return true;
  }
}

function run(kind: 'grant' | 'confirm', events: Event[]): Store {
  const base = policy({ kind, budget: 2500, validFrom: '2025-06-01', validTo: '2025-06-05' });
  const store = new Store(2500);
  store.remaining = 2500;
  let day = 0;
  const handle = (e: Event, depth: number): void => {
    const now = at(day);
    const p = store.policy;
    const rematch = (code: string) => {
      const prof = store.profiles.get(code);
      if (p === undefined || prof === undefined) return;
      const m = matchEnterprise(p, compileCondition(p.criteria), profile({ ...prof, creditCode: code }), store.credits.get(code), now);
      store.apply(onMatched(store.entitlements.get(code), p, m, now));
    };
    switch (e.type) {
      case 'publish': {
        const plan = planPublish(p, { ...base, version: e.version }, now);
        if (plan.kind === 'publish') {
          store.policy = plan.policy;
          CODES.forEach(rematch);
        }
        return;
      }
      case 'profile':
        store.profiles.set(CODES[e.who]!, VARIANTS[e.variant]!);
        rematch(CODES[e.who]!);
        return;
      case 'credit':
        store.credits.set(CODES[e.who]!, credit({ subjectId: CODES[e.who]!, dishonest: e.dishonest }));
        rematch(CODES[e.who]!);
        return;
      case 'push': {
        const ent = store.entitlements.get(CODES[e.who]!);
        if (p !== undefined && ent !== undefined) store.apply(planNotification(ent, p, now, store.remaining));
        return;
      }
      case 'confirm':
        store.apply(onConfirmed(store.entitlements.get(CODES[e.who]!), p, now, store.remaining));
        return;
      case 'disburse':
        store.apply(onDisbursed(store.entitlements.get(CODES[e.who]!), e.amount, now));
        return;
      case 'withdraw': {
        const plan = onWithdrawn(p, now);
        if (plan.kind === 'withdraw') store.policy = plan.policy;
        return;
      }
      case 'tick':
        day += 1;
        return;
      case 'redeliver': {
        const earlier = events[e.index % Math.max(1, events.length)];
        if (earlier !== undefined && depth === 0 && earlier.type !== 'tick') handle(earlier, 1);
        return;
      }
      case 'stale': {
        // A plan made by a concurrent worker from an older read, applied late.
        const old = store.planned[e.index % Math.max(1, store.planned.length)];
        if (old !== undefined) store.write(old);
        return;
      }
    }
  };
  // Start from a published policy and known profiles so most sequences reach the interesting states.
  handle({ type: 'publish', version: 1 }, 1);
  CODES.forEach((_, i) => handle({ type: 'profile', who: i, variant: 0 }, 1));
  for (const e of events) handle(e, 0);
  return store;
}

describe('never twice (property)', () => {
  it.each(['grant', 'confirm'] as const)('%s policy: at most one notification per pair, exact figures, no overspend', (kind) => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        const store = run(kind, events);
        const perPair = new Map<string, number>();
        for (const n of store.notifications) {
          perPair.set(n.creditCode, (perPair.get(n.creditCode) ?? 0) + 1);
          expect(isPolicyActive(n.policy, n.at)).toBe(true);
        }
        for (const count of perPair.values()) expect(count).toBe(1);
        for (const e of store.entitlements.values()) {
          if (e.reached.includes('NOTIFIED')) {
            expect(PUSHED_STATES.has(e.state)).toBe(true);
            expect(perPair.get(e.creditCode)).toBe(1);
          }
          expect(new Set(e.reached).size).toBe(e.reached.length);
        }
        const figures = computeFigures('P-TEST', store.entitlements.values());
        for (const k of Object.keys(store.counters) as (keyof CounterValues)[]) expect(store.counters[k]).toBe(figures[k]);
        expect(store.remaining).toBeGreaterThanOrEqual(0);
        expect(2500 - store.remaining).toBe(figures.amountReserved);
      }),
      { numRuns: 400, seed: 20250601 },
    );
  });

  it('the generator of events reaches every state, so the property is not vacuous', () => {
    const seen = new Set<string>();
    let notifications = 0;
    for (const kind of ['grant', 'confirm'] as const) {
      fc.assert(
        fc.property(fc.array(event, { maxLength: 60 }), (events) => {
          const store = run(kind, events);
          notifications += store.notifications.length;
          for (const e of store.entitlements.values()) seen.add(e.state);
        }),
        { numRuns: 400, seed: 7 },
      );
    }
    expect([...seen].sort()).toEqual(['CONFIRMED', 'DISBURSED', 'ELIGIBLE', 'EXHAUSTED', 'GRANTED', 'INELIGIBLE', 'NEEDS_INFO', 'NOTIFIED']);
    expect(notifications).toBeGreaterThan(100);
  });
});
