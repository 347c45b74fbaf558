import { compileCondition } from '#rules';
import {
  matchEnterprise,
  onConfirmed,
  onDisbursed,
  onMatched,
  onWithdrawn,
  planGrant,
  planNotification,
  planPublish,
  reserve,
  type Entitlement,
  type EntitlementState,
  type MatchResult,
  type Policy,
} from '#entitlement/domain/index';
import { NOW, credit, entitlement, policy, profile, transitionOf } from './fixtures';

const LATER = '2025-06-02T10:00:00+08:00';
const CODE = profile().creditCode;

function match(p: Policy, over: object = {}, c = undefined as Parameters<typeof matchEnterprise>[3], now = NOW): MatchResult {
  return matchEnterprise(p, compileCondition(p.criteria), profile(over), c, now);
}

describe('onMatched', () => {
  const p = policy();

  it('creates ELIGIBLE or NEEDS_INFO for a new pair, nothing for an ineligible or dishonest one', () => {
    const e = transitionOf(onMatched(undefined, p, match(p), NOW));
    expect(e).toMatchObject({ from: null, fromRevision: null, to: 'ELIGIBLE', reason: 'MATCHED_ELIGIBLE', newlyReached: ['ELIGIBLE'] });
    expect(e.next).toMatchObject({ state: 'ELIGIBLE', reached: ['ELIGIBLE'], revision: 1, policyVersion: 1, createdAt: NOW });
    expect(e.next.explanation).toEqual({ held: ['T-SIZE', 'T-EXP'], failed: [], unknown: [] });
    expect(e.next.history).toEqual([{ from: null, to: 'ELIGIBLE', at: NOW, reason: 'MATCHED_ELIGIBLE' }]);
    expect(e.notification).toBeUndefined();

    const n = transitionOf(onMatched(undefined, p, match(p, { exportValueUsd: undefined }), NOW));
    expect(n).toMatchObject({ to: 'NEEDS_INFO', newlyReached: ['NEEDS_INFO'] });
    expect(n.next.explanation?.unknown).toEqual(['T-EXP']);

    expect(onMatched(undefined, p, match(p, { size: 'large' }), NOW)).toEqual({ kind: 'unchanged', reason: 'NOT_MATCHED' });
    expect(onMatched(undefined, p, match(p, {}, credit({ dishonest: true })), NOW)).toEqual({ kind: 'unchanged', reason: 'NOT_MATCHED' });
  });

  it('moves NEEDS_INFO to ELIGIBLE when the information arrives', () => {
    const needs = transitionOf(onMatched(undefined, p, match(p, { exportValueUsd: undefined }), NOW)).next;
    const t = transitionOf(onMatched(needs, p, match(p), LATER));
    expect(t).toMatchObject({ from: 'NEEDS_INFO', fromRevision: 1, to: 'ELIGIBLE', reason: 'INFO_ARRIVED', newlyReached: ['ELIGIBLE'] });
    expect(t.next).toMatchObject({ revision: 2, reached: ['NEEDS_INFO', 'ELIGIBLE'], createdAt: NOW, updatedAt: LATER });
  });

  it.each([
    ['ELIGIBLE', { size: 'large' }, undefined, 'INELIGIBLE', 'NO_LONGER_MATCHED'],
    ['ELIGIBLE', {}, credit({ dishonest: true }), 'INELIGIBLE', 'DISHONEST'],
    ['ELIGIBLE', { exportValueUsd: undefined }, undefined, 'NEEDS_INFO', 'MATCHED_NEEDS_INFO'],
    ['NEEDS_INFO', { size: 'large' }, undefined, 'INELIGIBLE', 'NO_LONGER_MATCHED'],
    ['INELIGIBLE', {}, undefined, 'ELIGIBLE', 'MATCHED_ELIGIBLE'],
    ['INELIGIBLE', { exportValueUsd: undefined }, undefined, 'NEEDS_INFO', 'MATCHED_NEEDS_INFO'],
  ] as const)('before any push, %s moves with the data (%j) to %s', (state, over, c, to, reason) => {
    const existing = entitlement({ state, reached: [state] });
    expect(transitionOf(onMatched(existing, p, match(p, over, c), LATER))).toMatchObject({ from: state, to, reason });
  });

  it.each(['NOTIFIED', 'GRANTED', 'CONFIRMED', 'DISBURSED', 'EXHAUSTED'] as const)(
    'never regresses a %s entitlement, whatever the match says',
    (state) => {
      const existing = entitlement({ state, reached: ['ELIGIBLE', 'NOTIFIED', state], notifiedAt: NOW });
      for (const [over, c] of [[{}, undefined], [{ size: 'large' }, undefined], [{ exportValueUsd: undefined }, undefined], [{}, credit({ dishonest: true })]] as const) {
        expect(onMatched(existing, p, match(p, over, c), LATER)).toEqual({ kind: 'unchanged', reason: 'ALREADY_PUSHED' });
      }
      const v2 = { ...p, version: 2 };
      expect(onMatched(existing, v2, match(v2), LATER)).toEqual({ kind: 'unchanged', reason: 'ALREADY_PUSHED' });
    },
  );

  it('moves an EXHAUSTED pair never notified (it waits for returned budget) when it no longer matches', () => {
    // Not pushed: the budget could not pay it. Returned budget must not go to a pair that no longer qualifies.
    const waiting = entitlement({ state: 'EXHAUSTED', reached: ['ELIGIBLE', 'EXHAUSTED'] });
    expect(transitionOf(onMatched(waiting, p, match(p, {}, credit({ dishonest: true })), LATER))).toMatchObject({ from: 'EXHAUSTED', to: 'INELIGIBLE', reason: 'DISHONEST' });
    expect(transitionOf(onMatched(waiting, p, match(p, { size: 'large' }), LATER))).toMatchObject({ from: 'EXHAUSTED', to: 'INELIGIBLE', reason: 'NO_LONGER_MATCHED' });
    expect(transitionOf(onMatched(waiting, p, match(p, { exportValueUsd: undefined }), LATER))).toMatchObject({ from: 'EXHAUSTED', to: 'NEEDS_INFO', reason: 'MATCHED_NEEDS_INFO' });
    // Still eligible: it keeps its place in the queue for returned budget.
    expect(onMatched(waiting, p, match(p), LATER)).toEqual({ kind: 'unchanged', reason: 'ALREADY_PUSHED' });
  });

  it('ignores a match of an older policy version, and a match while the policy is inactive', () => {
    const existing = entitlement({ policyVersion: 2 });
    expect(onMatched(existing, p, match(p, { size: 'large' }), LATER)).toEqual({ kind: 'unchanged', reason: 'STALE_POLICY_VERSION' });
    const withdrawn = policy({ status: 'withdrawn' });
    expect(onMatched(undefined, withdrawn, match(withdrawn), NOW)).toEqual({ kind: 'unchanged', reason: 'POLICY_WITHDRAWN' });
    expect(onMatched(undefined, p, match(p, {}, undefined, '2026-03-01T00:00:00+08:00'), NOW)).toEqual({ kind: 'unchanged', reason: 'POLICY_EXPIRED' });
  });

  it('re-matching an unchanged pair writes nothing; a new version or explanation refreshes without a state change', () => {
    const e = transitionOf(onMatched(undefined, p, match(p), NOW)).next;
    expect(onMatched(e, p, match(p), LATER)).toEqual({ kind: 'unchanged', reason: 'ALREADY_IN_STATE' });
    const v2 = { ...p, version: 2 };
    const r = transitionOf(onMatched(e, v2, match(v2), LATER));
    expect(r).toMatchObject({ from: 'ELIGIBLE', to: 'ELIGIBLE', steps: [], newlyReached: [], reason: 'REMATCHED' });
    expect(r.next).toMatchObject({ policyVersion: 2, revision: 2, history: e.history });
  });

  it('refuses to apply a match of another policy (a programming error)', () => {
    expect(() => onMatched(undefined, policy({ policyId: 'OTHER' }), match(p), NOW)).toThrow(/OTHER/);
  });
});

describe('planNotification', () => {
  it('confirm policy: ELIGIBLE → NOTIFIED with an invitation to confirm, reserving nothing yet', () => {
    const p = policy({ kind: 'confirm', budget: 5000 });
    const t = transitionOf(planNotification(entitlement(), p, NOW, 5000));
    expect(t).toMatchObject({ from: 'ELIGIBLE', fromRevision: 1, to: 'NOTIFIED', newlyReached: ['NOTIFIED'], reason: 'PUSHED' });
    expect(t.reservation).toBeUndefined();
    expect(t.notification).toMatchObject({ purpose: 'confirm', creditCode: CODE, channels: ['短信'], notificationId: `P-TEST#${CODE}`, at: NOW });
    expect(t.next).toMatchObject({ state: 'NOTIFIED', notifiedAt: NOW, revision: 2 });
  });

  it('grant policy: ELIGIBLE → NOTIFIED → GRANTED in one write, reserving the amount, announcing the grant', () => {
    const p = policy({ kind: 'grant', budget: 5000 });
    const t = transitionOf(planNotification(entitlement(), p, NOW, 5000));
    expect(t).toMatchObject({ from: 'ELIGIBLE', to: 'GRANTED', newlyReached: ['NOTIFIED', 'GRANTED'], reservation: { amount: 1000 } });
    expect(t.steps.map((s) => [s.from, s.to])).toEqual([['ELIGIBLE', 'NOTIFIED'], ['NOTIFIED', 'GRANTED']]);
    expect(t.notification?.purpose).toBe('granted');
    expect(t.next).toMatchObject({ state: 'GRANTED', notifiedAt: NOW, grantedAt: NOW, amountReserved: 1000, reached: ['ELIGIBLE', 'NOTIFIED', 'GRANTED'] });
  });

  it('grant policy without a budget or an amount reserves nothing', () => {
    const noBudget = transitionOf(planNotification(entitlement(), policy({ kind: 'grant' }), NOW));
    expect(noBudget.reservation).toBeUndefined();
    expect(noBudget.to).toBe('GRANTED');
    const noAmount = policy({ kind: 'grant', budget: 100, benefit: { type: 'exemption', description: '免征' } });
    expect(transitionOf(planNotification(entitlement(), noAmount, NOW)).reservation).toBeUndefined();
  });

  it.each([
    [1000, 'GRANTED'],
    [1000.5, 'GRANTED'],
    [999.99, 'EXHAUSTED'],
    [0, 'EXHAUSTED'],
  ] as const)('grant with %d remaining of an amount of 1000 → %s', (remaining, to) => {
    const t = transitionOf(planNotification(entitlement(), policy({ kind: 'grant', budget: 5000 }), NOW, remaining));
    expect(t.to).toBe(to);
    if (to === 'EXHAUSTED') {
      expect(t).toMatchObject({ newlyReached: ['EXHAUSTED'], reason: 'BUDGET_EXHAUSTED' });
      expect(t.notification).toBeUndefined();
      expect(t.reservation).toBeUndefined();
      expect(t.next.notifiedAt).toBeUndefined();
    }
  });

  it('throws when a budgeted grant is planned without the remaining budget', () => {
    expect(() => planNotification(entitlement(), policy({ kind: 'grant', budget: 5000 }), NOW)).toThrow(/remaining budget/);
  });

  it.each([
    ['already notified', entitlement({ state: 'NOTIFIED', reached: ['ELIGIBLE', 'NOTIFIED'], notifiedAt: NOW }), policy(), NOW, 'ALREADY_NOTIFIED'],
    ['disbursed', entitlement({ state: 'DISBURSED', reached: ['ELIGIBLE', 'NOTIFIED', 'GRANTED', 'DISBURSED'], notifiedAt: NOW }), policy(), NOW, 'ALREADY_NOTIFIED'],
    ['needs info', entitlement({ state: 'NEEDS_INFO', reached: ['NEEDS_INFO'] }), policy(), NOW, 'NOT_ELIGIBLE'],
    ['ineligible', entitlement({ state: 'INELIGIBLE', reached: ['ELIGIBLE', 'INELIGIBLE'] }), policy(), NOW, 'NOT_ELIGIBLE'],
    ['exhausted before any push', entitlement({ state: 'EXHAUSTED', reached: ['ELIGIBLE', 'EXHAUSTED'] }), policy(), NOW, 'NOT_ELIGIBLE'],
    ['withdrawn policy', entitlement(), policy({ status: 'withdrawn' }), NOW, 'POLICY_WITHDRAWN'],
    ['expired policy', entitlement(), policy(), '2026-01-01T00:00:00+08:00', 'POLICY_EXPIRED'],
    ['policy not yet valid', entitlement(), policy({ validFrom: '2025-07-01' }), NOW, 'POLICY_NOT_YET_VALID'],
    ['no channel', entitlement(), policy({ channels: [] }), NOW, 'NO_CHANNELS'],
  ] as const)('pushes nothing when %s', (_name, e, p, now, reason) => {
    expect(planNotification(e, p, now, 10_000)).toEqual({ kind: 'unchanged', reason });
  });
});

describe('planGrant', () => {
  const notified = entitlement({ state: 'NOTIFIED', reached: ['ELIGIBLE', 'NOTIFIED'], notifiedAt: NOW });
  it('completes a NOTIFIED grant without pushing again', () => {
    const t = transitionOf(planGrant(notified, policy({ kind: 'grant', budget: 10 }), LATER, 10_000));
    expect(t).toMatchObject({ from: 'NOTIFIED', to: 'GRANTED', newlyReached: ['GRANTED'] });
    expect(t.notification).toBeUndefined();
    expect(transitionOf(planGrant(notified, policy({ kind: 'grant', budget: 10 }), LATER, 999)).to).toBe('EXHAUSTED');
  });
  it('does nothing for a confirm policy, an unpushed or an already granted entitlement', () => {
    expect(planGrant(notified, policy({ kind: 'confirm' }), LATER).kind).toBe('unchanged');
    expect(planGrant(entitlement(), policy({ kind: 'grant' }), LATER)).toEqual({ kind: 'unchanged', reason: 'NOT_ELIGIBLE' });
    const granted = entitlement({ state: 'GRANTED', reached: ['ELIGIBLE', 'NOTIFIED', 'GRANTED'] });
    expect(planGrant(granted, policy({ kind: 'grant' }), LATER)).toEqual({ kind: 'unchanged', reason: 'ALREADY_IN_STATE' });
  });
});

describe('reserve', () => {
  it.each([
    [5000, 1000, true, 4000],
    [1000, 1000, true, 0],
    [999, 1000, false, undefined],
    [0, 1, false, undefined],
  ] as const)('remaining %d, amount %d → ok %s', (remaining, amount, ok, after) => {
    const r = reserve(remaining, amount);
    expect(r.ok).toBe(ok);
    if (r.ok) expect(r.remainingAfter).toBe(after);
    else expect(r).toEqual({ ok: false, reason: 'BUDGET_EXHAUSTED', remaining, amount });
  });
});

describe('onConfirmed', () => {
  const p = policy({ kind: 'confirm', budget: 5000 });
  const notified = entitlement({ state: 'NOTIFIED', reached: ['ELIGIBLE', 'NOTIFIED'], notifiedAt: NOW, revision: 2 });

  it('NOTIFIED → CONFIRMED, reserving the amount', () => {
    const t = transitionOf(onConfirmed(notified, p, LATER, 5000));
    expect(t).toMatchObject({ from: 'NOTIFIED', fromRevision: 2, to: 'CONFIRMED', reservation: { amount: 1000 }, newlyReached: ['CONFIRMED'] });
    expect(t.next).toMatchObject({ confirmedAt: LATER, amountReserved: 1000 });
  });

  it('remaining == amount confirms; remaining < amount exhausts', () => {
    expect(transitionOf(onConfirmed(notified, p, LATER, 1000)).to).toBe('CONFIRMED');
    const t = transitionOf(onConfirmed(notified, p, LATER, 999));
    expect(t).toMatchObject({ to: 'EXHAUSTED', reason: 'BUDGET_EXHAUSTED' });
    expect(t.reservation).toBeUndefined();
  });

  it('a repeated confirmation changes nothing', () => {
    const confirmed = transitionOf(onConfirmed(notified, p, LATER, 5000)).next;
    expect(onConfirmed(confirmed, p, LATER, 4000)).toEqual({ kind: 'unchanged', reason: 'ALREADY_CONFIRMED' });
    const disbursed = transitionOf(onDisbursed(confirmed, 1000, LATER)).next;
    expect(onConfirmed(disbursed, p, LATER, 4000)).toEqual({ kind: 'unchanged', reason: 'ALREADY_CONFIRMED' });
  });

  const refusals: [string, Entitlement | undefined, Policy | undefined, string, string][] = [
    ['unknown entitlement', undefined, p, LATER, 'ENTITLEMENT_UNKNOWN'],
    ['unknown policy', notified, undefined, LATER, 'POLICY_UNKNOWN'],
    ['a grant policy', notified, policy({ kind: 'grant' }), LATER, 'NOT_A_CONFIRM_POLICY'],
    ['not yet notified', entitlement(), p, LATER, 'NOT_NOTIFIED'],
    ['needs info', entitlement({ state: 'NEEDS_INFO', reached: ['NEEDS_INFO'] }), p, LATER, 'NOT_ELIGIBLE'],
    ['ineligible', entitlement({ state: 'INELIGIBLE', reached: ['ELIGIBLE', 'INELIGIBLE'] }), p, LATER, 'NOT_ELIGIBLE'],
    ['exhausted', entitlement({ state: 'EXHAUSTED', reached: ['ELIGIBLE', 'NOTIFIED', 'EXHAUSTED'] }), p, LATER, 'BUDGET_EXHAUSTED'],
    ['withdrawn policy', notified, { ...p, status: 'withdrawn' }, LATER, 'POLICY_WITHDRAWN'],
    ['expired policy', notified, p, '2026-01-01T08:00:00+08:00', 'POLICY_EXPIRED'],
  ];
  it.each(refusals)('refuses with a reason: %s', (_name, e, pol, at, reason) => {
    const plan = onConfirmed(e, pol, at, 5000);
    expect(plan).toMatchObject({ kind: 'refused', reason });
    if (plan.kind === 'refused') expect(plan.message.length).toBeGreaterThan(0);
  });

  it('refuses a budgeted confirmation planned without the remaining budget', () => {
    expect(onConfirmed(notified, p, LATER)).toMatchObject({ kind: 'refused', reason: 'BUDGET_UNKNOWN' });
  });
});

describe('onDisbursed', () => {
  it.each(['GRANTED', 'CONFIRMED'] as const)('%s → DISBURSED, idempotent on repeat', (state) => {
    const e = entitlement({ state, reached: ['ELIGIBLE', 'NOTIFIED', state], revision: 3 });
    const t = transitionOf(onDisbursed(e, 1000, LATER));
    expect(t).toMatchObject({ from: state, fromRevision: 3, to: 'DISBURSED', newlyReached: ['DISBURSED'] });
    expect(t.next).toMatchObject({ amountDisbursed: 1000, disbursedAt: LATER, reached: ['ELIGIBLE', 'NOTIFIED', state, 'DISBURSED'] });
    expect(onDisbursed(t.next, 1000, LATER)).toEqual({ kind: 'unchanged', reason: 'ALREADY_DISBURSED' });
    expect(onDisbursed(t.next, 900, LATER)).toMatchObject({ kind: 'refused', reason: 'DISBURSEMENT_CONFLICT' });
  });

  it.each([
    [undefined, 'ENTITLEMENT_UNKNOWN'],
    ['ELIGIBLE', 'NOT_ELIGIBLE'],
    ['NEEDS_INFO', 'NOT_ELIGIBLE'],
    ['INELIGIBLE', 'NOT_ELIGIBLE'],
    ['NOTIFIED', 'NOT_GRANTED_OR_CONFIRMED'],
    ['EXHAUSTED', 'NOT_GRANTED_OR_CONFIRMED'],
  ] as const)('refuses from %s: %s', (state, reason) => {
    const e = state === undefined ? undefined : entitlement({ state: state as EntitlementState, reached: [state] });
    expect(onDisbursed(e, 1000, LATER)).toMatchObject({ kind: 'refused', reason });
  });

  it('refuses a negative or non-numeric amount', () => {
    const e = entitlement({ state: 'GRANTED', reached: ['GRANTED'] });
    expect(onDisbursed(e, -1, LATER)).toMatchObject({ kind: 'refused', reason: 'INVALID_AMOUNT' });
    expect(onDisbursed(e, Number.NaN, LATER)).toMatchObject({ kind: 'refused', reason: 'INVALID_AMOUNT' });
  });
});

describe('policy lifecycle', () => {
  const p = policy();

  it('withdrawal marks the policy withdrawn once; nothing more is pushed', () => {
    const w = onWithdrawn(p, LATER);
    expect(w).toMatchObject({ kind: 'withdraw', fromStatus: 'active', policy: { status: 'withdrawn', withdrawnAt: LATER } });
    if (w.kind !== 'withdraw') throw new Error('unreachable');
    expect(onWithdrawn(w.policy, LATER)).toEqual({ kind: 'unchanged', reason: 'ALREADY_WITHDRAWN' });
    expect(planNotification(entitlement(), w.policy, LATER)).toEqual({ kind: 'unchanged', reason: 'POLICY_WITHDRAWN' });
    expect(onWithdrawn(undefined, LATER)).toMatchObject({ kind: 'refused', reason: 'POLICY_UNKNOWN' });
  });

  it('first publication is stored active with its publication time', () => {
    expect(planPublish(undefined, p, NOW)).toMatchObject({ kind: 'publish', fromVersion: null, rematch: true, policy: { status: 'active', publishedAt: NOW } });
  });

  it('a newer version replaces the stored one and keeps the first publication time', () => {
    const stored = { ...p, status: 'active' as const, publishedAt: NOW };
    const plan = planPublish(stored, { ...p, version: 2, name: '测试政策（修订）' }, LATER);
    expect(plan).toMatchObject({ kind: 'publish', fromVersion: 1, policy: { version: 2, publishedAt: NOW, name: '测试政策（修订）' } });
  });

  it('a replay is ignored, an older version is stale, the same version with other content is a conflict', () => {
    const stored = { ...p, status: 'active' as const, publishedAt: NOW };
    expect(planPublish(stored, p, LATER)).toEqual({ kind: 'unchanged', reason: 'SAME_VERSION' });
    expect(planPublish({ ...stored, version: 3 }, { ...p, version: 2 }, LATER)).toEqual({ kind: 'unchanged', reason: 'STALE_VERSION' });
    expect(planPublish(stored, { ...p, name: '别的政策' }, LATER)).toMatchObject({ kind: 'refused', reason: 'VERSION_CONFLICT' });
  });

  it('a withdrawn policy stays withdrawn', () => {
    const withdrawn = { ...p, status: 'withdrawn' as const, withdrawnAt: NOW };
    expect(planPublish(withdrawn, { ...p, version: 2 }, LATER)).toMatchObject({ kind: 'refused', reason: 'POLICY_WITHDRAWN' });
  });

  it('republishing a new version keeps every entitlement state and never notifies twice', () => {
    const v2 = { ...p, version: 2 };
    const notified = transitionOf(planNotification(entitlement(), p, NOW)).next;
    expect(onMatched(notified, v2, match(v2), LATER)).toEqual({ kind: 'unchanged', reason: 'ALREADY_PUSHED' });
    expect(planNotification(notified, v2, LATER)).toEqual({ kind: 'unchanged', reason: 'ALREADY_NOTIFIED' });
  });
});
