/**
 * 公示 that outlives its policy, end to end through the local runtime: three grant policies with a
 * 5-working-day publicity window list the same enterprises on Mon 2025-09-29 09:00 (Shanghai); the window
 * closes at the end of Mon 2025-10-13 local (National Day Oct 1–8, Sat Oct 11 a make-up working day).
 *
 * - WITHDRAWN is withdrawn during the window (Oct 9);
 * - EXPIRED is valid to Fri 2025-10-10, before the window ends;
 * - LAST_DAY is valid to Mon 2025-10-13, the window's last day: its pairs are granted, though the close runs
 *   after the grace, past validTo.
 *
 * The clock is moved past the window and the schedule fires: the pairs of the first two lapse (LAPSED,
 * nobody notified, the reservation back in the budget, no longer counted as eligible); the schedule fired
 * again and the events redelivered change nothing; an objection to a lapsed pair is refused. October's monthly
 * report shows the lapsed pairs in each policy's row.
 */
import { makeCreditCode } from '#contract/identifiers';
import { callsOn } from '#support/calls';
import { useLocal } from '#support/runtime';

const AMOUNT = 10_000;
const WITHDRAWN = 'POL-IT-LAPSE-WITHDRAWN';
const EXPIRED = 'POL-IT-LAPSE-EXPIRED';
const LAST_DAY = 'POL-IT-LAPSE-LASTDAY';

const code = (n: number) => makeCreditCode(`91440300MA5LAP${String(n).padStart(3, '0')}`);
/** Three eligible; the budget pays two of them (which two, the matching's order decides), the third exhausted. */
const A = code(1);
const B = code(2);
const C = code(3);
const ALL = [A, B, C].sort();
/** Per policy: its listed pairs and its exhausted one, as the publication left them. */
const listedOf = new Map<string, { listed: string[]; exhausted: string }>();
/** The states expected of a policy's pairs: `listed` for the two listed, EXHAUSTED for the third. */
function expected(policyId: string, listed: string): Record<string, string> {
  const { listed: two, exhausted } = listedOf.get(policyId)!;
  return { ...Object.fromEntries(two.map((c) => [c, listed])), [exhausted]: 'EXHAUSTED' };
}

const rt = useLocal('2025-09-29T09:00:00+08:00');
let serial = 0;
function event(source: string, type: string, data: unknown, id = `lapse-it-${++serial}`): any {
  return { specversion: '1.0', id, source, type, time: '2025-09-29T09:00:00+08:00', datacontenttype: 'application/json', data };
}
const grantPolicy = (policyId: string, validTo: string) => ({
  policyId,
  name: `小微企业补贴（公示）${policyId}`,
  departmentCode: '440305-SWJ',
  kind: 'grant',
  criteria: { all: [{ id: 'C-REGION', description: '注册地为试点区', fact: 'enterprise.region', op: 'in', value: ['440399'] }] },
  benefit: { type: 'subsidy', amount: AMOUNT, description: '补贴一万元' },
  validFrom: '2025-01-01',
  validTo,
  budget: 2 * AMOUNT,
  channels: ['sms'],
  version: 1,
  publicity: { workingDays: 5 },
});

const { postDrained, receiptOf: receipt, policyOf: policy, pairsOf, fireSchedule: fire } = callsOn(() => rt);
/** Every event posted, to deliver them all again. */
const posted: any[] = [];
async function post(e: any): Promise<void> {
  await postDrained(e);
  posted.push(e);
}
async function entitlements(policyId: string): Promise<Record<string, any>> {
  return Object.fromEntries((await pairsOf(policyId)).map((e) => [e.creditCode, e]));
}
async function states(policyId: string): Promise<Record<string, string>> {
  return Object.fromEntries(Object.entries(await entitlements(policyId)).map(([c, e]) => [c, e.state]));
}
async function notified(policyId: string): Promise<any[]> {
  const res = await rt.dev('GET', '/_dev/outbound?type=gov.entitlement.notified');
  return (res.body.events as any[]).filter((e) => String(e.subject).startsWith(`${policyId}/`));
}
async function fireSchedule(): Promise<any> {
  const result = await fire('entitlement-schedule');
  await rt.drain();
  return result;
}

describe('公示 that outlives its policy, through the local runtime', () => {
  const withdrawal = event('/systems/policy', 'gov.policy.withdrawn', { policyId: WITHDRAWN });

  it('lists the eligible of the three policies, the budget reserved for two of each', async () => {
    for (const [c, n] of [[A, '深圳市甲科技有限公司'], [B, '深圳市乙科技有限公司'], [C, '深圳市丙科技有限公司']] as const) {
      await post(event('/systems/data-sharing', 'gov.enterprise.profile.updated', { creditCode: c, name: n, asOf: '2025-09-01', status: 'active', region: '440399' }));
    }
    for (const [id, validTo] of [[WITHDRAWN, '2025-12-31'], [EXPIRED, '2025-10-10'], [LAST_DAY, '2025-10-13']] as const) {
      await post(event('/systems/policy', 'gov.policy.published', grantPolicy(id, validTo)));
      const st = await states(id);
      expect(Object.keys(st).sort()).toEqual(ALL);
      const listed = ALL.filter((c) => st[c] === 'PUBLICIZED');
      const exhausted = ALL.filter((c) => st[c] === 'EXHAUSTED');
      expect([listed.length, exhausted.length]).toEqual([2, 1]);
      listedOf.set(id, { listed, exhausted: exhausted[0]! });
      const p = await policy(id);
      expect(p.publicity.window).toMatchObject({ windowId: '2025-09-29', closesAt: '2025-10-13T15:59:59.999Z' });
      expect(p.budget).toEqual({ total: 2 * AMOUNT, remaining: 0 });
      expect(p.figures).toMatchObject({ eligible: 3, publicized: 2, exhausted: 1, amountReserved: 2 * AMOUNT });
    }
  }, 120_000);

  it('leaves the listed pairs as they are when their policy is withdrawn during the window', async () => {
    await rt.dev('POST', '/_dev/clock', { set: '2025-10-09T10:00:00+08:00' });
    await post(withdrawal);
    expect(await receipt(withdrawal)).toMatchObject({ outcome: 'applied' });
    expect(await states(WITHDRAWN)).toEqual(expected(WITHDRAWN, 'PUBLICIZED'));
  }, 60_000);

  it('lapses at the close the pairs of the withdrawn and the expired policy, returning their budget; grants the others', async () => {
    await rt.dev('POST', '/_dev/clock', { set: '2025-10-14T09:00:00+08:00' });
    expect(await fireSchedule()).toMatchObject({ windows: 3, released: 6, lapsed: 4 });

    for (const [id, reason] of [[WITHDRAWN, 'POLICY_WITHDRAWN'], [EXPIRED, 'POLICY_EXPIRED']] as const) {
      const es = await entitlements(id);
      expect(Object.fromEntries(Object.entries(es).map(([c, e]) => [c, e.state]))).toEqual(expected(id, 'LAPSED'));
      const [first] = listedOf.get(id)!.listed;
      expect(es[first!].history.at(-1)).toMatchObject({ from: 'PUBLICIZED', to: 'LAPSED', reason });
      expect((await rt.get(`/policies/${id}/entitlements?state=LAPSED&limit=100`)).body.items.map((e: any) => e.creditCode).sort()).toEqual(listedOf.get(id)!.listed);
      const p = await policy(id);
      // The reservations are back, and stay unspent: the exhausted pair of an ended policy is not listed.
      expect(p.budget).toEqual({ total: 2 * AMOUNT, remaining: 2 * AMOUNT });
      expect(p.figures).toMatchObject({ eligible: 1, publicized: 2, lapsed: 2, exhausted: 1, notified: 0, granted: 0, amountReserved: 0 });
      expect(await notified(id)).toEqual([]);
    }
    // Valid through the window's last day: the close (after the grace, past validTo) still grants.
    expect(await states(LAST_DAY)).toEqual(expected(LAST_DAY, 'GRANTED'));
    expect((await policy(LAST_DAY)).figures).toMatchObject({ eligible: 3, lapsed: 0, granted: 2, amountReserved: 2 * AMOUNT });
    expect((await notified(LAST_DAY)).map((e) => e.subject).sort()).toEqual(listedOf.get(LAST_DAY)!.listed.map((c) => `${LAST_DAY}/${c}`));
  }, 120_000);

  it('changes nothing when the schedule fires again and every event is redelivered', async () => {
    const before = await Promise.all([WITHDRAWN, EXPIRED].map(policy));
    expect(await fireSchedule()).toMatchObject({ windows: 0, released: 0, lapsed: 0 });
    for (const e of [...posted]) expect((await rt.post(e)).status).toBe(202);
    await rt.drain();
    // A second withdrawal under a new id: already withdrawn.
    await post(event('/systems/policy', 'gov.policy.withdrawn', { policyId: WITHDRAWN }));
    await fireSchedule();
    const after = await Promise.all([WITHDRAWN, EXPIRED].map(policy));
    expect(after.map((p) => [p.figures, p.budget])).toEqual(before.map((p) => [p.figures, p.budget]));
    for (const id of [WITHDRAWN, EXPIRED]) {
      expect(await states(id)).toEqual(expected(id, 'LAPSED'));
      expect(await notified(id)).toEqual([]);
    }
  }, 120_000);

  it('refuses an objection to a lapsed pair, with its receipt', async () => {
    const [lapsed] = listedOf.get(EXPIRED)!.listed;
    const late = event('/systems/policy', 'gov.policy.objection.filed', { objectionId: 'OBJ-LAPSE-1', policyId: EXPIRED, creditCode: lapsed, by: 'thirdParty', reason: '举报不实' });
    await post(late);
    expect(await receipt(late)).toMatchObject({ outcome: 'refused', kind: 'OBJECTION_OUT_OF_WINDOW' });
    expect((await states(EXPIRED))[lapsed!]).toBe('LAPSED');
  }, 60_000);

  it('shows the lapsed pairs in the policy rows of the month\'s report, out of eligible', async () => {
    await rt.dev('POST', '/_dev/clock', { set: '2025-11-03T09:00:00+08:00' });
    const out = await rt.dev('POST', '/_dev/schedules/monthly-report');
    expect(out.body.result).toMatchObject({ month: '2025-10', outcome: 'generated' });
    const res = await rt.get(`/reports/${out.body.result.district}/2025-10`);
    expect(res.status).toBe(200);
    const rows = Object.fromEntries((res.body.policies as any[]).map((p) => [p.policyId, { status: p.status, eligible: p.eligible, granted: p.granted, lapsed: p.lapsed }]));
    expect(rows).toEqual({
      [WITHDRAWN]: { status: 'withdrawn', eligible: 1, granted: 0, lapsed: 2 },
      [EXPIRED]: { status: 'active', eligible: 1, granted: 0, lapsed: 2 },
      [LAST_DAY]: { status: 'active', eligible: 3, granted: 2, lapsed: 0 },
    });
  }, 120_000);
});
