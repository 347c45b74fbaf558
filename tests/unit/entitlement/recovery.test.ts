/**
 * 追回 (recovery): the planner (only after disbursement, never more than disbursed, one recovery per pair),
 * the budget credited back and passed on to the EXHAUSTED first (a grant without publicity is pushed and
 * granted, one with publicity is listed), the figures, and the use case on in-memory ports: receipts and
 * audit lines of refusals, the fraud mark sent to the registry and published, and redeliveries that change
 * nothing twice.
 */
import { makeCreditCode, makeIdNumber } from '#contract/identifiers';
import { computeFigures, counterDeltas, onRecovered, planReturnedGrant } from '#entitlement/domain/index';
import { createEntitlementService, type Cause } from '#entitlement/service';
import { memoryEntitlementPorts, type MemoryWorld } from '#support/memory/entitlement';
import { entitlement, figureMetrics, policy, profile, transitionOf } from './fixtures';

const AT = '2025-09-29T01:00:00.000Z';
const PAID_AT = '2025-10-20T02:00:00.000Z';
const RECOVERED_AT = '2025-11-03T02:00:00.000Z';
const [A, B, C] = [1, 2, 3].map((n) => makeCreditCode(`91440106MA59REC0${n}`)) as [string, string, string];
let serial = 0;
const cause = (type: string, id = `evt-${++serial}`): Cause => ({ id, source: '/systems/policy', type });

const disbursed = (over = {}) =>
  entitlement({ state: 'DISBURSED', reached: ['ELIGIBLE', 'NOTIFIED', 'GRANTED', 'DISBURSED'], amountReserved: 1000, amountDisbursed: 1000, revision: 3, ...over });

describe('onRecovered', () => {
  it('moves DISBURSED to RECOVERED, credits back what it recovers, at most what the pair took from the budget', () => {
    const t = transitionOf(onRecovered(disbursed(), { amount: 400, reason: 'overpayment', at: RECOVERED_AT }));
    expect([t.from, t.to, t.release, t.next.amountReserved, t.next.amountRecovered, t.next.recoveredAt]).toEqual(['DISBURSED', 'RECOVERED', { amount: 400 }, 600, 400, RECOVERED_AT]);
    expect(t.next.recovery).toEqual({ amount: 400, reason: 'overpayment', at: RECOVERED_AT, credited: 400 });
    const above = transitionOf(onRecovered(disbursed({ amountReserved: 1000, amountDisbursed: 1500 }), { amount: 1500, reason: 'fraud', at: RECOVERED_AT }));
    expect([above.release, above.next.amountReserved, above.next.recovery?.credited]).toEqual([{ amount: 1000 }, 0, 1000]);
    const unbudgeted = transitionOf(onRecovered(disbursed({ amountReserved: undefined }), { amount: 1000, reason: 'other', at: RECOVERED_AT }));
    expect(unbudgeted.release).toBeUndefined();
  });

  it('refuses before disbursement, above the disbursed amount, a second recovery that differs, and nothing', () => {
    const r = (e: Parameters<typeof onRecovered>[0], amount = 1000) => onRecovered(e, { amount, reason: 'overpayment', at: RECOVERED_AT });
    expect(r(entitlement({ state: 'GRANTED', reached: ['ELIGIBLE', 'NOTIFIED', 'GRANTED'] }))).toMatchObject({ kind: 'refused', reason: 'NOT_DISBURSED' });
    expect(r(disbursed(), 1000.01)).toMatchObject({ kind: 'refused', reason: 'RECOVERY_EXCEEDS_DISBURSED' });
    expect(r(undefined)).toMatchObject({ kind: 'refused', reason: 'ENTITLEMENT_UNKNOWN' });
    expect(r(disbursed(), 0)).toMatchObject({ kind: 'refused', reason: 'INVALID_AMOUNT' });
    const recovered = transitionOf(r(disbursed(), 300)).next;
    expect(r(recovered, 300)).toEqual({ kind: 'unchanged', reason: 'ALREADY_RECOVERED' });
    expect(r(recovered, 200)).toMatchObject({ kind: 'refused', reason: 'RECOVERY_CONFLICT' });
    expect(onRecovered(recovered, { amount: 300, reason: 'fraud', at: RECOVERED_AT })).toMatchObject({ kind: 'refused', reason: 'RECOVERY_CONFLICT' });
  });

  it('counts the recovery once and keeps every state the entitlement reached', () => {
    const t = transitionOf(onRecovered(disbursed(), { amount: 1000, reason: 'fraud', at: RECOVERED_AT }));
    expect(counterDeltas(t)).toEqual({ counts: { recovered: 1 }, amountReserved: -1000, amountDisbursed: 0, amountRecovered: 1000 });
    const f = computeFigures('P-TEST', [t.next]);
    expect(f).toMatchObject({ eligible: 1, notified: 1, granted: 1, disbursed: 1, recovered: 1, amountDisbursed: 1000, amountRecovered: 1000, amountReserved: 0 });
  });
});

describe('planReturnedGrant', () => {
  const grant = policy({ kind: 'grant', budget: 3000 });
  const exhausted = entitlement({ state: 'EXHAUSTED', reached: ['ELIGIBLE', 'EXHAUSTED'] });
  it('pushes and grants an exhausted pair never notified while the budget pays it', () => {
    const t = transitionOf(planReturnedGrant(exhausted, grant, AT, 1000));
    expect([t.to, t.steps.map((s) => s.reason), t.reservation, t.notification?.purpose]).toEqual(['GRANTED', ['BUDGET_RETURNED', 'GRANTED_AT_ONCE'], { amount: 1000 }, 'granted']);
  });
  it('leaves it when the budget is short, the policy withdrawn or a confirm policy, or the pair was notified', () => {
    expect(planReturnedGrant(exhausted, grant, AT, 999)).toMatchObject({ kind: 'unchanged' });
    expect(planReturnedGrant(exhausted, { ...grant, status: 'withdrawn' }, AT, 1000)).toMatchObject({ kind: 'unchanged', reason: 'POLICY_WITHDRAWN' });
    expect(planReturnedGrant(exhausted, { ...grant, kind: 'confirm' }, AT, 1000)).toMatchObject({ kind: 'unchanged', reason: 'NOT_A_GRANT_POLICY' });
    const notified = entitlement({ state: 'EXHAUSTED', reached: ['ELIGIBLE', 'NOTIFIED', 'EXHAUSTED'] });
    expect(planReturnedGrant(notified, grant, AT, 1000)).toMatchObject({ kind: 'unchanged', reason: 'NOT_ELIGIBLE' });
  });
});

/** A grant policy (amount 1000, budget 2000): A and B granted and paid, C exhausted. */
async function paid(publicity?: { workingDays: number }): Promise<{ w: MemoryWorld; service: ReturnType<typeof createEntitlementService> }> {
  const w = memoryEntitlementPorts({ now: AT, shards: 1 });
  const service = createEntitlementService(w.ports);
  for (const c of [A, B, C]) w.profiles.set(c, profile({ creditCode: c, name: `企业${c.slice(-3)}` }));
  await service.publishPolicy(policy({ policyId: 'P-REC', kind: 'grant', budget: 2000, ...(publicity ? { publicity } : {}) }), cause('gov.policy.published'));
  for (const s of w.sent.slices) await service.runMatchSlice(s.data);
  if (publicity) {
    w.now = PAID_AT;
    await service.closePublicityWindows();
  }
  for (const c of [A, B]) await service.recordProgress({ kind: 'disbursed', policyId: 'P-REC', creditCode: c, amount: 1000, at: PAID_AT }, cause('gov.policy.disbursed'));
  w.now = RECOVERED_AT;
  return { w, service };
}
const state = (w: MemoryWorld, code: string) => w.store.entitlements.get(`P-REC/${code}`)?.state;
const recovery = (subjectId: string, amount: number, reason: 'fraud' | 'overpayment' | 'other') => ({ policyId: 'P-REC', subjectId, amount, reason, at: RECOVERED_AT });

describe('recordRecovery (service)', () => {
  it('recovers an overpayment: RECOVERED, the budget back and granted to the EXHAUSTED pair, figures; a redelivery changes nothing', async () => {
    const { w, service } = await paid();
    expect([A, B, C].map((c) => state(w, c))).toEqual(['DISBURSED', 'DISBURSED', 'EXHAUSTED']);
    const evt = cause('gov.policy.recovered');
    expect(await service.recordRecovery(recovery(A, 1000, 'overpayment'), evt)).toBe('DISBURSED->RECOVERED');
    expect([A, B, C].map((c) => state(w, c))).toEqual(['RECOVERED', 'DISBURSED', 'GRANTED']);
    expect(w.store.budgets.get('P-REC')).toBe(0);
    expect(w.sent.notifications.map((n) => n.data.creditCode)).toEqual([A, B, C]);
    expect(w.store.receipts.find((r) => r.id === evt.id)).toMatchObject({ outcome: 'applied', effect: { state: 'RECOVERED' }, details: { amount: 1000, reason: 'overpayment', creditedToBudget: 1000 } });
    expect(w.sent.outbound.filter((e) => e.type === 'gov.entitlement.recovered').map((e) => e.data)).toEqual([
      { policyId: 'P-REC', creditCode: A, state: 'RECOVERED', amount: 1000, reason: 'overpayment', creditedToBudget: 1000 },
    ]);
    expect(w.sent.creditMarks).toEqual([]);
    const before = { figures: await w.store.readFigures('P-REC'), audit: w.store.audit.length, notifications: w.sent.notifications.length };
    expect(before.figures.counters).toMatchObject({ eligible: 3, granted: 3, disbursed: 2, recovered: 1, exhausted: 1 });
    expect([before.figures.amountRecovered, before.figures.amountDisbursed, before.figures.amountReserved]).toEqual([1000, 2000, 2000]);

    expect(await service.recordRecovery(recovery(A, 1000, 'overpayment'), evt)).toBe('unchanged:ALREADY_RECOVERED');
    expect(await w.store.readFigures('P-REC')).toEqual(before.figures);
    expect([w.store.audit.length, w.sent.notifications.length, w.store.budgets.get('P-REC')]).toEqual([before.audit, before.notifications, 0]);
    // The metrics behind the dashboard: once, the redelivery counting nothing; no publicity, so no listed pair paid.
    expect(figureMetrics(w.sent.metrics)).toEqual({ EntitlementsRecovered: 1, RecoveredAmount: 1000 });
    expect(w.store.receipts.at(-1)).toMatchObject({ outcome: 'noEffect', kind: 'DUPLICATE' });
    // A late redelivery of the disbursement is still a duplicate.
    expect(await service.recordProgress({ kind: 'disbursed', policyId: 'P-REC', creditCode: A, amount: 1000, at: PAID_AT }, cause('gov.policy.disbursed'))).toBe('unchanged:ALREADY_DISBURSED');
  });

  it('recovers for fraud: the registry is asked to mark the credit record and the mark is published, both once per pair', async () => {
    const { w, service } = await paid();
    const evt = cause('gov.policy.recovered');
    expect(await service.recordRecovery(recovery(B, 400, 'fraud'), evt)).toBe('DISBURSED->RECOVERED');
    // 400 back: less than one grant, so the EXHAUSTED pair waits.
    expect([state(w, B), state(w, C), w.store.budgets.get('P-REC')]).toEqual(['RECOVERED', 'EXHAUSTED', 400]);
    expect(w.sent.creditMarks).toEqual([
      expect.objectContaining({ id: `credit-marked:benefitFraud:P-REC:${B}`, type: 'civicflow.credit.marked', data: { kind: 'benefitFraud', subjectId: B, policyId: 'P-REC', amount: 400, at: RECOVERED_AT } }),
    ]);
    const marks = w.sent.outbound.filter((e) => e.type === 'gov.credit.marked');
    expect(marks).toEqual([expect.objectContaining({ id: `credit-marked:benefitFraud:P-REC:${B}`, data: expect.objectContaining({ subjectId: B, kind: 'benefitFraud', amount: 400 }) })]);
    await service.recordRecovery(recovery(B, 400, 'fraud'), evt);
    // Re-sent with the same ids (receivers de-duplicate); nothing else moved.
    expect(new Set(w.sent.creditMarks.map((m) => m.id)).size).toBe(1);
    expect([state(w, C), w.store.budgets.get('P-REC'), (await w.store.readFigures('P-REC')).counters.recovered]).toEqual(['EXHAUSTED', 400, 1]);
  });

  it('gives returned budget to no EXHAUSTED pair that has since become dishonest or stopped matching', async () => {
    // C waits for budget (EXHAUSTED, never notified), then is marked dishonest: the budget A's recovery
    // returns must not grant it (dishonest enterprises are excluded), nor list or notify it.
    const { w, service } = await paid();
    w.credits.set(C, { subjectId: C, asOf: '2025-10-01', rating: 'D', dishonest: true, falseCommitment: false });
    await service.rematchEnterprise(C);
    expect(state(w, C)).toBe('INELIGIBLE');
    expect(await service.recordRecovery(recovery(A, 1000, 'overpayment'), cause('gov.policy.recovered'))).toBe('DISBURSED->RECOVERED');
    expect([state(w, C), w.store.budgets.get('P-REC')]).toEqual(['INELIGIBLE', 1000]);
    expect(w.sent.notifications.map((n) => n.data.creditCode)).toEqual([A, B]);
    // Honest again and still matching: it takes the budget waiting for it.
    w.credits.set(C, { subjectId: C, asOf: '2025-11-10', rating: 'B', dishonest: false, falseCommitment: false });
    await service.rematchEnterprise(C);
    expect([state(w, C), w.store.budgets.get('P-REC')]).toEqual(['GRANTED', 0]);
    expect((await w.store.readFigures('P-REC')).counters).toMatchObject({ eligible: 3, exhausted: 1, granted: 3, ineligible: 0 });
  });

  it('refuses what cannot be recovered, each with its receipt and audit line', async () => {
    const { w, service } = await paid();
    await service.recordRecovery(recovery(A, 1000, 'other'), cause('gov.policy.recovered'));
    const refusals: Array<[ReturnType<typeof recovery>, string]> = [
      [recovery(C, 1000, 'overpayment'), 'NOT_DISBURSED'],
      [recovery(B, 1200, 'overpayment'), 'RECOVERY_EXCEEDS_DISBURSED'],
      [recovery(A, 500, 'other'), 'RECOVERY_CONFLICT'],
      [{ ...recovery(B, 100, 'other'), policyId: 'P-NONE' }, 'POLICY_UNKNOWN'],
      [recovery(makeIdNumber('440305', '19900307', '123'), 100, 'other'), 'SUBJECT_KIND_MISMATCH'],
      [recovery(makeCreditCode('91440106MA59REC09'), 100, 'other'), 'ENTITLEMENT_UNKNOWN'],
    ];
    for (const [input, reason] of refusals) {
      const evt = cause('gov.policy.recovered');
      expect(await service.recordRecovery(input, evt)).toBe(`refused:${reason}`);
      expect(w.store.receipts.find((r) => r.id === evt.id)).toMatchObject({ outcome: 'refused', kind: reason });
      expect(w.store.audit.at(-1)).toMatchObject({ action: 'refused:gov.policy.recovered', causeId: evt.id });
    }
    expect([state(w, A), state(w, B), state(w, C)]).toEqual(['RECOVERED', 'DISBURSED', 'GRANTED']);
    expect((await w.store.readFigures('P-REC')).counters.recovered).toBe(1);
  });

  it('names the system that posted the recovery on the line of the pair its returned budget moved, granted or listed', async () => {
    for (const publicity of [undefined, { workingDays: 5 }]) {
      const { w, service } = await paid(publicity);
      const evt: Cause = { id: `evt-recovery-src-${publicity ? 'listed' : 'granted'}`, source: '/systems/policy-recovery', type: 'gov.policy.recovered' };
      await service.recordRecovery(recovery(A, 1000, 'overpayment'), evt);
      const moved = w.store.audit.filter((a) => a.subject === `entitlement:P-REC/${C}`).at(-1)!;
      expect([state(w, C), moved.action, moved.actor, moved.details?.source]).toEqual([
        publicity ? 'PUBLICIZED' : 'GRANTED',
        publicity ? 'state:EXHAUSTED->PUBLICIZED' : 'state:EXHAUSTED->GRANTED',
        '/civicflow/policy',
        '/systems/policy-recovery',
      ]);
    }
  });

  it('lists the EXHAUSTED pair in a publicity window when the policy has one', async () => {
    const { w, service } = await paid({ workingDays: 5 });
    expect([A, B, C].map((c) => state(w, c))).toEqual(['DISBURSED', 'DISBURSED', 'EXHAUSTED']);
    // Both paid after their listing: the days from listing to payment, summed (the figure rows' mean × 2).
    const { counters } = await w.store.readFigures('P-REC');
    expect(figureMetrics(w.sent.metrics)).toEqual({ PaidAfterPublicity: 2, PublicityToPaymentDays: counters.publicityToPaymentDays });
    expect(counters.publicityToPaymentDays).toBeGreaterThan(0);
    // A redelivered disbursement, under the same event id or another, pays no listed pair again.
    const again = { kind: 'disbursed' as const, policyId: 'P-REC', creditCode: A, amount: 1000, at: PAID_AT };
    expect(await service.recordProgress(again, cause('gov.policy.disbursed'))).toBe('unchanged:ALREADY_DISBURSED');
    expect(await service.recordProgress(again, cause('gov.policy.disbursed', 'evt-paid-again'))).toBe('unchanged:ALREADY_DISBURSED');
    expect(figureMetrics(w.sent.metrics)).toEqual({ PaidAfterPublicity: 2, PublicityToPaymentDays: counters.publicityToPaymentDays });
    expect(await service.recordRecovery(recovery(A, 1000, 'overpayment'), cause('gov.policy.recovered'))).toBe('DISBURSED->RECOVERED');
    expect([state(w, C), w.store.budgets.get('P-REC')]).toEqual(['PUBLICIZED', 0]);
    const listed = w.sent.outbound.filter((e) => e.type === 'gov.policy.publicity.listed').at(-1)!;
    expect(listed.data.entries).toEqual([{ name: `企业${C.slice(-3)}`, creditCode: C }]);
  });
});
