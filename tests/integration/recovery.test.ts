/**
 * 追回 end to end through the local runtime: a grant policy without publicity (amount 10 000, budget for two)
 * over three enterprises — two granted and paid (A, B), one exhausted (C; which one depends on the order in
 * which the parallel match slices reach the budget). A is recovered for overpayment: RECOVERED, the amount
 * back in the budget and granted on to C (notified once); B is partly recovered for fraud: the benefit-fraud
 * mark is on B's credit record (read through the registry's route) and published outbound for the credit
 * system; a recovery of C (granted, not paid) is refused with its receipt. Then every event is redelivered —
 * the same ids, and the same content under new ids — and nothing changes twice.
 */
import { makeCreditCode } from '#contract/identifiers';
import { callsOn } from '#support/calls';
import { useLocal } from '#support/runtime';

const POLICY_ID = 'POL-IT-RECOVERY';
const AMOUNT = 10_000;
const code = (n: number) => makeCreditCode(`91440300MA5REC${String(n).padStart(3, '0')}`);
const CODES = [code(1), code(2), code(3)];
/** Assigned once matching has run: A and B granted, C exhausted. */
let A: string;
let B: string;
let C: string;

const rt = useLocal('2025-10-20T09:00:00+08:00');
let serial = 0;
function event(source: string, type: string, data: unknown, id = `rec-it-${++serial}`): any {
  return { specversion: '1.0', id, source, type, time: '2025-10-20T09:00:00+08:00', datacontenttype: 'application/json', data };
}
const profile = (creditCode: string, name: string) =>
  event('/systems/data-sharing', 'gov.enterprise.profile.updated', { creditCode, name, asOf: '2025-09-01', status: 'active', size: 'small', exportValueUsd: 1_000_000 });

const POLICY = {
  policyId: POLICY_ID,
  name: '小微出口企业出口信用保险保费补贴',
  departmentCode: '440305-SWJ',
  kind: 'grant',
  criteria: {
    all: [
      { id: 'C-SIZE', description: '企业规模为小型或微型', fact: 'enterprise.size', op: 'in', value: ['small', 'micro'] },
      { id: 'C-EXPORT', description: '上一年度出口额不超过600万美元', fact: 'enterprise.exportValueUsd', op: 'lte', value: 6_000_000 },
    ],
  },
  benefit: { type: 'premium-subsidy', amount: AMOUNT, description: '出口信用保险保费补贴' },
  validFrom: '2025-01-01',
  validTo: '2025-12-31',
  budget: 2 * AMOUNT,
  channels: ['sms'],
  version: 1,
};

const { postDrained, receiptOf: receipt, policyOf, pairsOf } = callsOn(() => rt);
/** Every event posted, to deliver them all again. */
const posted: any[] = [];
async function post(e: any): Promise<void> {
  await postDrained(e);
  posted.push(e);
}
// Paid at 09:00, when the clock is set: an event may not say it happened after its receipt.
const disbursed = (creditCode: string) => event('/systems/policy', 'gov.policy.disbursed', { policyId: POLICY_ID, creditCode, amount: AMOUNT, at: '2025-10-20T09:00:00+08:00' });
const recovered = (subject: Record<string, string>, amount: number, reason: string) =>
  event('/systems/policy', 'gov.policy.recovered', { policyId: POLICY_ID, ...subject, amount, reason, at: '2025-11-03T10:00:00+08:00' });

async function states(): Promise<Record<string, string>> {
  return Object.fromEntries((await pairsOf(POLICY_ID)).map((e) => [e.creditCode, e.state]));
}
const policy = () => policyOf(POLICY_ID);
async function outbound(type: string, subjectPrefix: string): Promise<any[]> {
  const res = await rt.dev('GET', `/_dev/outbound?type=${type}`);
  return (res.body.events as any[]).filter((e) => String(e.subject).startsWith(subjectPrefix));
}

describe('追回 through the local runtime', () => {
  let overpaid: any;
  let fraud: any;
  let notPaid: any;

  it('grants two within the budget, exhausts the third, and pays the two', async () => {
    for (const [c, n] of [[CODES[0]!, '深圳市甲贸易有限公司'], [CODES[1]!, '深圳市乙电子有限公司'], [CODES[2]!, '深圳市丙科技有限公司']] as const) await post(profile(c, n));
    await post(event('/systems/policy', 'gov.policy.published', POLICY));
    const matched = await states();
    const granted = CODES.filter((c) => matched[c] === 'GRANTED');
    expect([granted.length, CODES.filter((c) => matched[c] === 'EXHAUSTED').length]).toEqual([2, 1]);
    [A, B] = granted as [string, string];
    C = CODES.find((c) => matched[c] === 'EXHAUSTED')!;
    overpaid = recovered({ creditCode: A }, AMOUNT, 'overpayment');
    fraud = recovered({ subjectId: B }, 4_000, 'fraud');
    notPaid = recovered({ creditCode: C }, AMOUNT, 'other');
    await post(disbursed(A));
    await post(disbursed(B));
    expect(await states()).toEqual({ [A]: 'DISBURSED', [B]: 'DISBURSED', [C]: 'EXHAUSTED' });
    expect((await policy()).budget).toEqual({ total: 2 * AMOUNT, remaining: 0 });
  }, 120_000);

  it('recovers an overpayment: RECOVERED, the budget back and granted on to the exhausted C', async () => {
    await rt.dev('POST', '/_dev/clock', { set: '2025-11-03T10:05:00+08:00' });
    await post(overpaid);
    expect(await states()).toEqual({ [A]: 'RECOVERED', [B]: 'DISBURSED', [C]: 'GRANTED' });
    expect(await receipt(overpaid)).toMatchObject({
      outcome: 'applied',
      effect: { resource: 'entitlement', id: `${POLICY_ID}/${A}`, state: 'RECOVERED' },
      details: { amount: AMOUNT, reason: 'overpayment', creditedToBudget: AMOUNT },
    });
    const p = await policy();
    expect(p.budget.remaining).toBe(0);
    expect(p.figures).toMatchObject({ eligible: 3, granted: 3, disbursed: 2, recovered: 1, amountRecovered: AMOUNT, amountDisbursed: 2 * AMOUNT, amountReserved: 2 * AMOUNT });
    expect((await outbound('gov.entitlement.notified', `${POLICY_ID}/${C}`)).length).toBe(1);
    const events = await outbound('gov.entitlement.recovered', `${POLICY_ID}/${A}`);
    expect(events.map((e) => e.data)).toEqual([{ policyId: POLICY_ID, creditCode: A, state: 'RECOVERED', amount: AMOUNT, reason: 'overpayment', creditedToBudget: AMOUNT }]);
    const calc = await rt.get(`/enterprises/${A}/policies`);
    const mine = (calc.body.policies as any[]).find((x) => x.policyId === POLICY_ID);
    expect(mine.entitlement).toMatchObject({ state: 'RECOVERED', stateLabel: '已追回', amountDisbursed: AMOUNT, amountRecovered: AMOUNT, recoveryReason: 'overpayment' });
    expect(mine.entitlement.reached).toEqual(['ELIGIBLE', 'NOTIFIED', 'GRANTED', 'DISBURSED', 'RECOVERED']);
  }, 60_000);

  it('recovers for fraud: the benefit-fraud mark is on the credit record and published for the credit system', async () => {
    await post(fraud);
    expect((await states())[B]).toBe('RECOVERED');
    const credit = await rt.get(`/credit/${B}`, { as: '/systems/credit' });
    expect(credit.status).toBe(200);
    expect(credit.body.marks).toEqual([
      { kind: 'benefitFraud', setBy: 'civicflow', at: '2025-11-03T10:00:00+08:00', cause: { reason: 'BENEFIT_RECOVERED_FOR_FRAUD', policyId: POLICY_ID, amount: 4_000, href: `/policies/${POLICY_ID}` } },
    ]);
    // The mark excludes nobody by itself: the credit system decides.
    expect(credit.body.effective).toMatchObject({ dishonest: false, falseCommitment: false });
    const marks = await outbound('gov.credit.marked', B);
    expect(marks.map((e) => [e.id, e.data])).toEqual([
      [`credit-marked:benefitFraud:${POLICY_ID}:${B}`, { subjectId: B, kind: 'benefitFraud', policyId: POLICY_ID, amount: 4_000, at: '2025-11-03T10:00:00+08:00', setBy: 'civicflow' }],
    ]);
    const p = await policy();
    // 4 000 back: less than one grant, so nothing more is granted.
    expect(p.budget.remaining).toBe(4_000);
    expect(p.figures).toMatchObject({ recovered: 2, amountRecovered: AMOUNT + 4_000, disbursed: 2, granted: 3 });
  }, 60_000);

  it('refuses a recovery of an entitlement never paid, with its receipt and in the source\'s refusals', async () => {
    await post(notPaid);
    expect(await receipt(notPaid)).toMatchObject({ outcome: 'refused', kind: 'NOT_DISBURSED' });
    const refusals = await rt.get('/refusals?since=2025-11-01T00:00:00Z', { as: '/systems/policy' });
    expect(refusals.status).toBe(200);
    expect((refusals.body.refusals as any[]).find((r: any) => r.id === notPaid.id)).toMatchObject({ kind: 'NOT_DISBURSED' });
    expect((await states())[C]).toBe('GRANTED');
    expect((await policy()).figures.recovered).toBe(2);
  }, 60_000);

  it('changes nothing when every event is redelivered, under the same ids and under new ones', async () => {
    const before = { policy: await policy(), states: await states(), credit: (await rt.get(`/credit/${B}`, { as: '/systems/credit' })).body };
    for (const e of [...posted]) expect((await rt.post(e)).status).toBe(202);
    await rt.drain();
    const again = [overpaid, fraud, disbursed(A), disbursed(B)].map((e) => ({ ...e, id: `${e.id}-again` }));
    for (const e of again) expect((await rt.post(e)).status).toBe(202);
    await rt.drain();
    const after = await policy();
    expect(after.figures).toEqual(before.policy.figures);
    expect(after.budget).toEqual(before.policy.budget);
    expect(await states()).toEqual(before.states);
    expect((await rt.get(`/credit/${B}`, { as: '/systems/credit' })).body).toEqual(before.credit);
    expect((await outbound('gov.entitlement.notified', `${POLICY_ID}/${C}`)).length).toBe(1);
    expect(new Set((await outbound('gov.credit.marked', B)).map((e) => e.id)).size).toBe(1);
    expect(await receipt(again[0])).toMatchObject({ outcome: 'noEffect', kind: 'DUPLICATE' });
    expect(await receipt(again[1])).toMatchObject({ outcome: 'noEffect', kind: 'DUPLICATE' });
    expect(await receipt(overpaid)).toMatchObject({ outcome: 'applied' });
  }, 120_000);
});
