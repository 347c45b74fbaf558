/**
 * 公示 and 异议 end to end through the local runtime: an export-insurance grant policy with a 5-working-day
 * publicity window over a handful of enterprises. The eligible are listed (PUBLICIZED, the list published
 * outbound) and nobody is notified; a third-party objection is upheld (the pair REMOVED, its budget
 * returned); a self-objection with declared facts adds an enterprise to the open window; the clock is moved
 * past the window and the schedule fires: every listed pair is notified (and granted) once; an objection
 * after the window is refused with its receipt and counted as filed; every event redelivered and the schedule fired again change
 * nothing. The figures include the days from becoming eligible to the push.
 *
 * The functions' clock starts on Mon 2025-09-29 09:00 (Shanghai). National Day 2025 is Oct 1–8 (holidays)
 * with Sat Oct 11 a make-up working day, so the 5 working days after Sep 29 are Sep 30, Oct 9, 10, 11, 13:
 * the window closes at the end of Mon 2025-10-13 local (15:59:59.999Z).
 */
import { makeCreditCode } from '#contract/identifiers';
import { callsOn } from '#support/calls';
import { redeliver, useLocal } from '#support/runtime';

const CLOSES_AT = '2025-10-13T15:59:59.999Z';
const POLICY_ID = 'POL-IT-EXPORT-INS-PUB';
const AMOUNT = 20_000;

const code = (n: number) => makeCreditCode(`91440300MA5PUB${String(n).padStart(3, '0')}`);
/** A, B, C eligible; D too large; E without its export figure (needs info until it declares it). */
const A = code(1);
const B = code(2);
const C = code(3);
const D = code(4);
const E = code(5);

const rt = useLocal('2025-09-29T09:00:00+08:00');
let serial = 0;
function event(source: string, type: string, data: unknown, id = `pub-it-${++serial}`): any {
  return { specversion: '1.0', id, source, type, time: '2025-09-29T09:00:00+08:00', datacontenttype: 'application/json', data };
}
const profile = (creditCode: string, name: string, extra: Record<string, unknown>) =>
  event('/systems/data-sharing', 'gov.enterprise.profile.updated', { creditCode, name, asOf: '2025-09-01', status: 'active', ...extra });

const POLICY = {
  policyId: POLICY_ID,
  name: '小微出口企业出口信用保险统保（公示）',
  departmentCode: '440305-SWJ',
  kind: 'grant',
  criteria: {
    all: [
      { id: 'C-SIZE', description: '企业规模为小型或微型', fact: 'enterprise.size', op: 'in', value: ['small', 'micro'] },
      { id: 'C-EXPORT', description: '上一年度出口额不超过600万美元', fact: 'enterprise.exportValueUsd', op: 'lte', value: 6_000_000 },
    ],
  },
  benefit: { type: 'premium-subsidy', amount: AMOUNT, description: '由财政统一投保出口信用保险' },
  validFrom: '2025-01-01',
  validTo: '2025-12-31',
  budget: 4 * AMOUNT,
  channels: ['sms'],
  version: 1,
  publicity: { workingDays: 5 },
};

const { postDrained, receiptOf: receipt, policyOf, pairsOf } = callsOn(() => rt);
/** Every event posted, to deliver them all again. */
const posted: any[] = [];
async function post(e: any): Promise<void> {
  await postDrained(e);
  posted.push(e);
}
const objection = (data: Record<string, unknown>) => event('/systems/policy', 'gov.policy.objection.filed', { policyId: POLICY_ID, ...data });

async function states(): Promise<Record<string, string>> {
  return Object.fromEntries((await pairsOf(POLICY_ID)).map((e) => [e.creditCode, e.state]));
}
const policy = () => policyOf(POLICY_ID);
async function outbound(type: string): Promise<any[]> {
  const res = await rt.dev('GET', `/_dev/outbound?type=${type}`);
  return (res.body.events as any[]).filter((e) => String(e.subject).startsWith(`${POLICY_ID}/`));
}

describe('公示 and 异议 through the local runtime', () => {
  const thirdParty = objection({ objectionId: 'OBJ-IT-1', creditCode: A, by: 'thirdParty', reason: '举报出口额不实' });
  const self = objection({ objectionId: 'OBJ-IT-2', creditCode: E, by: 'self', reason: '本企业符合条件', facts: { 'enterprise.exportValueUsd': 4_200_000 } });
  const upheld = event('/systems/policy', 'gov.policy.objection.resolved', { objectionId: 'OBJ-IT-1', upheld: true, note: '经核查海关数据，出口额超标' });

  it('lists the eligible (PUBLICIZED, counted as eligible, the list outbound) and notifies nobody', async () => {
    for (const [c, n, extra] of [
      [A, '深圳市甲出口贸易有限公司', { size: 'small', exportValueUsd: 1_000_000 }],
      [B, '深圳市乙电子有限公司', { size: 'micro', exportValueUsd: 300_000 }],
      [C, '深圳市丙科技有限公司', { size: 'small', exportValueUsd: 5_000_000 }],
      [D, '深圳市丁制造有限公司', { size: 'large', exportValueUsd: 90_000_000 }],
      [E, '深圳市戊供应链有限公司', { size: 'small' }],
    ] as const) {
      await post(profile(c, n, extra));
    }
    await post(event('/systems/policy', 'gov.policy.published', POLICY));

    expect(await states()).toEqual({ [A]: 'PUBLICIZED', [B]: 'PUBLICIZED', [C]: 'PUBLICIZED', [E]: 'NEEDS_INFO' });
    const p = await policy();
    expect(p.publicity).toEqual({ workingDays: 5, window: { windowId: '2025-09-29', openedAt: expect.any(String), closesAt: CLOSES_AT } });
    expect(p.figures).toMatchObject({ eligible: 3, publicized: 3, needsInfo: 1, notified: 0, granted: 0, amountReserved: 3 * AMOUNT });
    expect(p.budget).toEqual({ total: 4 * AMOUNT, remaining: AMOUNT });

    const lists = await outbound('gov.policy.publicity.listed');
    const entries = lists.flatMap((e) => e.data.entries).sort((x: any, y: any) => (x.creditCode < y.creditCode ? -1 : 1));
    expect(entries).toEqual([
      { creditCode: A, name: '深圳市甲出口贸易有限公司' },
      { creditCode: B, name: '深圳市乙电子有限公司' },
      { creditCode: C, name: '深圳市丙科技有限公司' },
    ]);
    expect(lists.every((e) => e.data.closesAt === CLOSES_AT)).toBe(true);
    expect(await outbound('gov.entitlement.notified')).toEqual([]);
  }, 120_000);

  it('holds a pair on a third-party objection and removes it when upheld, returning its budget', async () => {
    await post(thirdParty);
    expect((await states())[A]).toBe('OBJECTED');
    expect(await receipt(thirdParty)).toMatchObject({ outcome: 'applied', effect: { resource: 'objection', id: 'OBJ-IT-1', state: 'OPEN' } });

    await rt.dev('POST', '/_dev/clock', { set: '2025-10-09T10:00:00+08:00' });
    await post(upheld);
    expect((await states())[A]).toBe('REMOVED');
    const p = await policy();
    expect(p.budget.remaining).toBe(2 * AMOUNT);
    expect(p.figures).toMatchObject({ eligible: 2, removed: 1, objectionsFiled: 1, objectionsUpheld: 1, objectionsDismissed: 0, amountReserved: 2 * AMOUNT });
  }, 60_000);

  it('refuses a self-objection declaring facts of the other subject kind, naming the path', async () => {
    // The export figure alone lists E (below): the person fact was dropped before, and E listed on it.
    const mixed = objection({ objectionId: 'OBJ-IT-2X', creditCode: E, by: 'self', reason: '本企业符合条件', facts: { 'enterprise.exportValueUsd': 4_200_000, 'person.residenceDistrict': '440305' } });
    await post(mixed);
    expect(await receipt(mixed)).toMatchObject({
      outcome: 'refused',
      kind: 'DECLARED_FACT_MISMATCH',
      reason: `facts.person.residenceDistrict: policy ${POLICY_ID} is for enterprises: declared facts must be under enterprise.* (e.g. enterprise.exportValueUsd)`,
    });
    const refusals = await rt.get(`/refusals?since=2025-09-29`, { as: '/systems/policy' });
    expect((refusals.body.refusals as any[]).find((r: any) => r.id === mixed.id)).toMatchObject({ kind: 'DECLARED_FACT_MISMATCH' });
    expect((await states())[E]).toBe('NEEDS_INFO');
    expect((await policy()).figures).toMatchObject({ objectionsFiled: 1 });
  }, 60_000);

  it('adds an enterprise on a self-objection with declared facts, in the open window', async () => {
    await post(self);
    expect((await states())[E]).toBe('PUBLICIZED');
    const calc = await rt.get(`/enterprises/${E}/policies`);
    const mine = (calc.body.policies as any[]).find((x) => x.policyId === POLICY_ID);
    expect(mine.entitlement).toMatchObject({ state: 'PUBLICIZED', publicity: { windowId: '2025-09-29', closesAt: CLOSES_AT } });
    expect(await receipt(self)).toMatchObject({
      outcome: 'applied',
      effect: { resource: 'objection', id: 'OBJ-IT-2', state: 'ADDED' },
      details: { outcome: 'eligible', declared: ['enterprise.exportValueUsd'], explanation: { declared: ['enterprise.exportValueUsd'] } },
    });
    const p = await policy();
    expect(p.figures).toMatchObject({ eligible: 3, publicized: 4, objectionsFiled: 2, addedBySelfObjection: 1, objectionsUpheld: 1 });
    expect(p.budget.remaining).toBe(AMOUNT);
    // The shared profile is unchanged: the declared figure was for that one evaluation.
    const entries = (await outbound('gov.policy.publicity.listed')).flatMap((e) => e.data.entries);
    expect(entries.filter((x: any) => x.creditCode === E)).toEqual([{ creditCode: E, name: '深圳市戊供应链有限公司' }]);
    expect(await outbound('gov.entitlement.notified')).toEqual([]);
  }, 60_000);

  it('notifies and grants the listed once the window closed and the schedule fired, exactly once each', async () => {
    await rt.dev('POST', '/_dev/clock', { set: '2025-10-13T23:00:00+08:00' });
    expect((await rt.dev('POST', '/_dev/schedules/entitlement-schedule')).status).toBe(200);
    await rt.drain();
    expect(await states()).toEqual({ [A]: 'REMOVED', [B]: 'PUBLICIZED', [C]: 'PUBLICIZED', [E]: 'PUBLICIZED' });
    // Ten minutes after the end the close still waits: objections received in time may still be queued
    // (the grace is the policy queue's visibility timeout × its receives, 30 minutes).
    await rt.dev('POST', '/_dev/clock', { set: '2025-10-14T00:10:00+08:00' });
    const early = await rt.dev('POST', '/_dev/schedules/entitlement-schedule');
    expect(early.body.result).toMatchObject({ windows: 0, released: 0 });
    await rt.drain();
    expect(await states()).toEqual({ [A]: 'REMOVED', [B]: 'PUBLICIZED', [C]: 'PUBLICIZED', [E]: 'PUBLICIZED' });

    await rt.dev('POST', '/_dev/clock', { set: '2025-10-14T09:00:00+08:00' });
    expect((await rt.dev('POST', '/_dev/schedules/entitlement-schedule')).status).toBe(200);
    await rt.drain();
    expect(await states()).toEqual({ [A]: 'REMOVED', [B]: 'GRANTED', [C]: 'GRANTED', [E]: 'GRANTED' });
    const notified = (await outbound('gov.entitlement.notified')).map((e) => e.subject).sort();
    expect(notified).toEqual([B, C, E].map((c) => `${POLICY_ID}/${c}`).sort());
    const p = await policy();
    expect(p.figures).toMatchObject({ eligible: 3, notified: 3, granted: 3, removed: 1, amountReserved: 3 * AMOUNT });
    expect(p.budget.remaining).toBe(AMOUNT);
    // Days from becoming eligible to the push (local dates): B and C listed Sep 29, E added Oct 9, all
    // granted Oct 14 — 15 + 15 + 5 days over 3 pushes.
    expect(p.figures).toMatchObject({ pushedAfterEligible: 3, eligibleToPushDays: 35 });
    expect(p.figures.eligibleToPushDaysMean).toBeCloseTo(35 / 3);
  }, 60_000);

  it('refuses an objection received after the window, with its receipt, and counts it as filed', async () => {
    const late = objection({ objectionId: 'OBJ-IT-3', creditCode: B, by: 'thirdParty', reason: '逾期异议' });
    await post(late);
    expect(await receipt(late)).toMatchObject({ outcome: 'refused', kind: 'OBJECTION_OUT_OF_WINDOW' });
    const refusals = await rt.get(`/refusals?since=2025-10-01T00:00:00Z`, { as: '/systems/policy' });
    expect(refusals.status).toBe(200);
    expect((refusals.body.refusals as any[]).map((r: any) => r.id)).toContain(late.id);
    expect((await states())[B]).toBe('GRANTED');
    // Refused, and recorded: filed, and apart as out of the window (never upheld nor dismissed).
    expect((await policy()).figures).toMatchObject({ objectionsFiled: 3, objectionsOutOfWindow: 1, objectionsUpheld: 1, objectionsDismissed: 0 });
  }, 60_000);

  it('changes nothing when every event is redelivered and the schedule fires again', async () => {
    const before = await policy();
    for (const e of [...posted]) {
      const out = await rt.post(e);
      expect(out.status).toBe(202);
    }
    await rt.drain();
    expect((await rt.dev('POST', '/_dev/schedules/entitlement-schedule')).status).toBe(200);
    await rt.drain();
    const after = await policy();
    expect(after.figures).toEqual(before.figures);
    expect(after.budget).toEqual(before.budget);
    expect(await states()).toEqual({ [A]: 'REMOVED', [B]: 'GRANTED', [C]: 'GRANTED', [E]: 'GRANTED' });
    const notified = (await outbound('gov.entitlement.notified')).map((e) => e.subject);
    expect(notified.length).toBe(3);
    expect(await receipt(thirdParty)).toMatchObject({ outcome: 'applied' });
  }, 120_000);

  // Received in time by ingest, processed only after the close released the window (a redrive from the
  // dead-letter queue): put on the policy queue as ingest queued it, with its receipt time.
  const IN_TIME = '2025-10-13T15:00:00.000Z';
  const queueAsIngested = (e: any) => redeliver(rt, 'policy', e, { ...e, receivedat: IN_TIME });

  it('files, not refuses, a third-party objection received in time and processed after its pair was granted', async () => {
    const redriven = objection({ objectionId: 'OBJ-IT-4', creditCode: C, by: 'thirdParty', reason: '举报材料不实' });
    await queueAsIngested(redriven);
    expect((await states())[C]).toBe('GRANTED');
    expect((await policy()).figures).toMatchObject({ objectionsFiled: 4, granted: 3 });
    const refusals = await rt.get(`/refusals?since=2025-10-01T00:00:00Z`, { as: '/systems/policy' });
    expect((refusals.body.refusals as any[]).map((r: any) => r.id)).not.toContain(redriven.id);
    // Redelivered: filed once.
    await queueAsIngested(redriven);
    expect((await policy()).figures.objectionsFiled).toBe(4);
    // Upheld: recorded and counted as upheld, and apart as upheld after the release; the granted pair is not
    // removed (taking the benefit back is a recovery), and the receipt says so.
    const resolved = event('/systems/policy', 'gov.policy.objection.resolved', { objectionId: 'OBJ-IT-4', upheld: true, note: '经核查属实' });
    await post(resolved);
    expect((await states())[C]).toBe('GRANTED');
    expect(await receipt(resolved)).toMatchObject({
      outcome: 'applied',
      effect: { resource: 'objection', id: 'OBJ-IT-4', state: 'UPHELD' },
      details: { outcome: 'UPHELD_AFTER_RELEASE', removed: false, entitlementState: 'GRANTED' },
    });
    expect((await policy()).figures).toMatchObject({ objectionsUpheld: 2, upheldAfterRelease: 1, removed: 1, granted: 3, amountReserved: 3 * AMOUNT });
  }, 60_000);

  it('grants at once a pair a self-objection received in time adds after the close, notified once', async () => {
    const late = objection({ objectionId: 'OBJ-IT-5', creditCode: D, by: 'self', reason: '本企业符合条件', facts: { 'enterprise.size': 'small', 'enterprise.exportValueUsd': 2_000_000 } });
    await queueAsIngested(late);
    expect((await states())[D]).toBe('GRANTED');
    // On the publicity list, in the window it joined at its receipt, before it was notified.
    const lists = (await outbound('gov.policy.publicity.listed')).filter((e) => e.data.entries.some((x: any) => x.creditCode === D));
    expect(lists.map((e) => [e.data.windowId, e.data.closesAt])).toEqual([['2025-09-29', CLOSES_AT]]);
    const p = await policy();
    expect(p.figures).toMatchObject({ objectionsFiled: 5, addedBySelfObjection: 2, notified: 4, granted: 4, amountReserved: 4 * AMOUNT });
    expect(p.budget.remaining).toBe(0);
    expect((await outbound('gov.entitlement.notified')).filter((e) => e.subject === `${POLICY_ID}/${D}`)).toHaveLength(1);
    // Redelivered, and the schedule fired again: nothing more.
    await queueAsIngested(late);
    expect((await rt.dev('POST', '/_dev/schedules/entitlement-schedule')).status).toBe(200);
    await rt.drain();
    expect((await policy()).figures).toEqual(p.figures);
    expect((await outbound('gov.entitlement.notified')).filter((e) => e.subject === `${POLICY_ID}/${D}`)).toHaveLength(1);
  }, 60_000);
});

/**
 * The grace between a window's end and its close, through the handlers: a policy listing one micro
 * enterprise for one working day. A dismissal in the grace leaves the pair on the list, so an objection
 * received in time and processed later still holds it; a self-objection processed in the grace lists its
 * pair (published) for the close to release.
 */
describe('公示: the grace after a window ends, before the close', () => {
  const GRACE_POLICY = 'POL-IT-PUB-GRACE';
  const GRACE_CLOSES = '2025-10-15T15:59:59.999Z';
  const F = code(6);
  async function graceStates(): Promise<Record<string, string>> {
    return Object.fromEntries((await pairsOf(GRACE_POLICY)).map((e) => [e.creditCode, e.state]));
  }
  async function graceOutbound(type: string): Promise<any[]> {
    const res = await rt.dev('GET', `/_dev/outbound?type=${type}`);
    return (res.body.events as any[]).filter((e) => String(e.subject).startsWith(`${GRACE_POLICY}/`));
  }
  const queueAt = (e: any, receivedAt: string) => redeliver(rt, 'policy', e, { ...e, receivedat: receivedAt });
  const graceObjection = (data: Record<string, unknown>) => event('/systems/policy', 'gov.policy.objection.filed', { policyId: GRACE_POLICY, ...data });
  const resolution = (objectionId: string, upheld: boolean) => event('/systems/policy', 'gov.policy.objection.resolved', { objectionId, upheld, note: upheld ? '核查属实' : '核查不属实' });
  /** A minute before the window's end: in time, whenever it is processed. */
  const IN_TIME = '2025-10-15T15:59:00.000Z';

  it('lists the micro enterprises in a window of one working day', async () => {
    // Tue 2025-10-14 09:00 Shanghai: the window ends at the end of Wed 2025-10-15.
    await rt.dev('POST', '/_dev/clock', { set: '2025-10-14T09:00:00+08:00' });
    await post(profile(F, '深圳市己微电子有限公司', { size: 'micro', exportValueUsd: 100_000 }));
    await post(event('/systems/policy', 'gov.policy.published', {
      ...POLICY,
      policyId: GRACE_POLICY,
      criteria: { all: [{ id: 'C-MICRO', description: '企业规模为微型', fact: 'enterprise.size', op: 'in', value: ['micro'] }] },
      budget: 10 * AMOUNT,
      publicity: { workingDays: 1 },
    }));
    expect(await graceStates()).toEqual({ [B]: 'PUBLICIZED', [F]: 'PUBLICIZED' });
    expect((await rt.get(`/policies/${GRACE_POLICY}`)).body.publicity.window).toMatchObject({ windowId: '2025-10-14', closesAt: GRACE_CLOSES });
  }, 60_000);

  it('leaves a pair dismissed in the grace on the list: an objection received in time and processed later holds it', async () => {
    await rt.dev('POST', '/_dev/clock', { set: '2025-10-15T10:00:00+08:00' });
    await post(graceObjection({ objectionId: 'OBJ-G-1', creditCode: B, by: 'thirdParty', reason: '举报规模不实' }));
    expect((await graceStates())[B]).toBe('OBJECTED');
    // Ten minutes after the end, before the close (it waits 30 minutes): dismissed, back on the list.
    await rt.dev('POST', '/_dev/clock', { set: '2025-10-16T00:10:00+08:00' });
    const dismissed = resolution('OBJ-G-1', false);
    await post(dismissed);
    expect((await graceStates())[B]).toBe('PUBLICIZED');
    expect(await receipt(dismissed)).toMatchObject({ outcome: 'applied', effect: { resource: 'objection', id: 'OBJ-G-1', state: 'DISMISSED' } });
    expect(await graceOutbound('gov.entitlement.notified')).toEqual([]);
    // A second objection, received a minute before the end and still queued: it holds the pair.
    const second = graceObjection({ objectionId: 'OBJ-G-2', creditCode: B, by: 'thirdParty', reason: '再次举报' });
    await queueAt(second, IN_TIME);
    expect((await graceStates())[B]).toBe('OBJECTED');
  }, 60_000);

  it('lists a pair a self-objection adds in the grace, publishes it and leaves its release to the close', async () => {
    const self = graceObjection({ objectionId: 'OBJ-G-3', creditCode: D, by: 'self', reason: '本企业为微型企业', facts: { 'enterprise.size': 'micro' } });
    await queueAt(self, IN_TIME);
    expect((await graceStates())[D]).toBe('PUBLICIZED');
    const lists = (await graceOutbound('gov.policy.publicity.listed')).filter((e) => e.data.entries.some((x: any) => x.creditCode === D));
    expect(lists.map((e) => [e.data.windowId, e.data.closesAt])).toEqual([['2025-10-14', GRACE_CLOSES]]);
    expect(await graceOutbound('gov.entitlement.notified')).toEqual([]);
  }, 60_000);

  it('releases the listed at the close, keeps the held one held, and removes it when upheld', async () => {
    await rt.dev('POST', '/_dev/clock', { set: '2025-10-16T09:00:00+08:00' });
    expect((await rt.dev('POST', '/_dev/schedules/entitlement-schedule')).status).toBe(200);
    await rt.drain();
    expect(await graceStates()).toEqual({ [B]: 'OBJECTED', [D]: 'GRANTED', [F]: 'GRANTED' });
    await post(resolution('OBJ-G-2', true));
    expect(await graceStates()).toEqual({ [B]: 'REMOVED', [D]: 'GRANTED', [F]: 'GRANTED' });
    const notified = (await graceOutbound('gov.entitlement.notified')).map((e) => e.subject).sort();
    expect(notified).toEqual([D, F].map((c) => `${GRACE_POLICY}/${c}`).sort());
    const figures = (await rt.get(`/policies/${GRACE_POLICY}`)).body.figures;
    expect(figures).toMatchObject({ objectionsFiled: 3, objectionsUpheld: 1, objectionsDismissed: 1, upheldAfterRelease: 0, addedBySelfObjection: 1, removed: 1, granted: 2 });
  }, 60_000);
});
