/**
 * 公示 and 异议 use cases on in-memory ports: listing instead of pushing, the publicity list outbound, a
 * third-party objection held and upheld (budget returned to the EXHAUSTED first, in order), a
 * self-objection on declared facts, refusals out of the window with receipt and audit line, the close by the
 * schedule, and redeliveries that apply nothing twice.
 */
import { makeCreditCode } from '#contract/identifiers';
import { createEntitlementService, type Cause } from '#entitlement/service';
import { PUBLICITY_TIME_RESERVE_MS } from '#entitlement/service/publicity';
import { memoryEntitlementPorts, type MemoryWorld } from '#support/memory/entitlement';
import { figureMetrics, policy, profile } from './fixtures';

const LISTED_AT = '2025-09-29T01:00:00.000Z';
const IN_WINDOW = '2025-10-09T02:00:00.000Z';
const AFTER = '2025-10-14T01:00:00.000Z';
/** The window's end (the end of Mon 2025-10-13, Shanghai). */
const CLOSES = '2025-10-13T15:59:59.999Z';
const minutesAfterClose = (m: number) => new Date(Date.parse(CLOSES) + m * 60_000).toISOString();
const [A, B, C, D] = [1, 2, 3, 4].map((n) => makeCreditCode(`91440106MA59PUB0${n}`));
const GRANT = policy({ policyId: 'P-PUB', kind: 'grant', budget: 2000, publicity: { workingDays: 5 } });
let serial = 0;
const cause = (type: string): Cause => ({ id: `evt-${++serial}`, source: '/systems/policy', type });

async function listed(graceMs = 0): Promise<{ w: MemoryWorld; service: ReturnType<typeof createEntitlementService> }> {
  const w = memoryEntitlementPorts({ now: LISTED_AT, shards: 1, settings: { publicityCloseGraceMs: graceMs } });
  const service = createEntitlementService(w.ports);
  for (const c of [A!, B!, C!]) w.profiles.set(c, profile({ creditCode: c, name: `企业${c.slice(-3)}` }));
  w.profiles.set(D!, profile({ creditCode: D!, exportValueUsd: undefined }));
  await service.publishPolicy(GRANT, cause('gov.policy.published'));
  for (const s of w.sent.slices) await service.runMatchSlice(s.data);
  return { w, service };
}
const state = (w: MemoryWorld, code: string) => w.store.entitlements.get(`P-PUB/${code}`)?.state;
const objection = (code: string, by: 'self' | 'thirdParty', id: string, receivedAt = IN_WINDOW, facts?: Record<string, unknown>) => ({
  objectionId: id,
  policyId: 'P-PUB',
  subjectId: code,
  by,
  reason: '异议',
  receivedAt,
  ...(facts ? { facts } : {}),
});

describe('publicity and objections (service)', () => {
  it('lists the eligible in code order while the budget lasts, publishes the list, notifies nobody', async () => {
    const { w } = await listed();
    expect([A, B, C, D].map((c) => state(w, c!))).toEqual(['PUBLICIZED', 'PUBLICIZED', 'EXHAUSTED', 'NEEDS_INFO']);
    expect(w.store.budgets.get('P-PUB')).toBe(0);
    const lists = w.sent.outbound.filter((e) => e.type === 'gov.policy.publicity.listed');
    expect(lists.flatMap((e) => e.data.entries as unknown[])).toEqual([
      { name: `企业${A!.slice(-3)}`, creditCode: A },
      { name: `企业${B!.slice(-3)}`, creditCode: B },
    ]);
    expect([w.sent.notifications, w.store.outbox.size]).toEqual([[], 0]);
    expect(w.store.due.size).toBe(1);
  });

  it('masks the list when the stage asks', async () => {
    const w = memoryEntitlementPorts({ now: LISTED_AT, shards: 1, settings: { maskPublicityList: true } });
    const service = createEntitlementService(w.ports);
    w.profiles.set(A!, profile({ creditCode: A!, name: '广州天河华信贸易有限公司' }));
    await service.publishPolicy(GRANT, cause('gov.policy.published'));
    for (const s of w.sent.slices) await service.runMatchSlice(s.data);
    const entry = w.sent.outbound.find((e) => e.type === 'gov.policy.publicity.listed')!.data.entries as Array<{ name: string; creditCode: string }>;
    expect(entry).toEqual([{ name: '广州******有限公司', creditCode: `${A!.slice(0, 6)}********${A!.slice(-4)}` }]);
  });

  it('holds on a third-party objection, removes when upheld and passes the budget to the EXHAUSTED first, once', async () => {
    const { w, service } = await listed();
    w.now = IN_WINDOW;
    expect(await service.fileObjection(objection(B!, 'thirdParty', 'O-1'), cause('gov.policy.objection.filed'))).toBe('PUBLICIZED->OBJECTED');
    // Redelivered: the objection is there; nothing more.
    expect(await service.fileObjection(objection(B!, 'thirdParty', 'O-1'), cause('gov.policy.objection.filed'))).toBe('unchanged:OPEN');
    expect(w.store.receipts.at(-1)).toMatchObject({ outcome: 'noEffect', kind: 'DUPLICATE' });
    const resolved: Cause = { ...cause('gov.policy.objection.resolved'), source: '/systems/policy-objections' };
    expect(await service.resolveObjection({ objectionId: 'O-1', upheld: true, note: '核查属实' }, resolved)).toBe('UPHELD:OBJECTED->REMOVED');
    expect([A, B, C].map((c) => state(w, c!))).toEqual(['PUBLICIZED', 'REMOVED', 'PUBLICIZED']);
    // The pair the returned budget listed names the system that posted the resolution.
    const moved = w.store.audit.filter((a) => a.subject === `entitlement:P-PUB/${C}`).at(-1)!;
    expect([moved.action, moved.actor, moved.details?.source]).toEqual(['state:EXHAUSTED->PUBLICIZED', '/civicflow/policy', '/systems/policy-objections']);
    expect(w.store.budgets.get('P-PUB')).toBe(0);
    expect(await service.resolveObjection({ objectionId: 'O-1', upheld: false, note: '重复' }, resolved)).toBe('unchanged:UPHELD');
    expect(state(w, C!)).toBe('PUBLICIZED');
    const figures = await w.store.readFigures('P-PUB');
    expect(figures.counters).toMatchObject({ eligible: 2, publicized: 3, removed: 1, exhausted: 1, objectionsFiled: 1, objectionsUpheld: 1, objectionsDismissed: 0 });
    expect(figures.amountReserved).toBe(2000);
    // The dashboard's metrics say the same, the redeliveries counting nothing.
    expect(figureMetrics(w.sent.metrics)).toEqual({ ObjectionsFiled: 1, ObjectionsUpheld: 1 });
  });

  it('refuses objections out of the window, for a pair not listed, and a resolution of nothing, with receipts and audit lines', async () => {
    const { w, service } = await listed();
    w.now = AFTER;
    expect(await service.fileObjection(objection(A!, 'thirdParty', 'O-late', AFTER), cause('gov.policy.objection.filed'))).toBe('refused:OBJECTION_OUT_OF_WINDOW');
    expect(await service.fileObjection(objection(D!, 'self', 'O-late-self', AFTER), cause('gov.policy.objection.filed'))).toBe('refused:OBJECTION_OUT_OF_WINDOW');
    expect(await service.fileObjection(objection(D!, 'thirdParty', 'O-nl', IN_WINDOW), cause('gov.policy.objection.filed'))).toBe('refused:NOT_LISTED');
    expect(await service.resolveObjection({ objectionId: 'O-none', upheld: true, note: 'x' }, cause('gov.policy.objection.resolved'))).toBe('refused:OBJECTION_UNKNOWN');
    expect(w.store.receipts.slice(-4).map((r) => [r.outcome, r.kind])).toEqual([
      ['refused', 'OBJECTION_OUT_OF_WINDOW'],
      ['refused', 'OBJECTION_OUT_OF_WINDOW'],
      ['refused', 'NOT_LISTED'],
      ['refused', 'OBJECTION_UNKNOWN'],
    ]);
    expect(w.store.audit.filter((a) => a.action === 'refused:gov.policy.objection.filed')).toHaveLength(3);
    expect(state(w, A!)).toBe('PUBLICIZED');
  });

  it('records and counts an objection out of the window as filed, once, the refusal still answered', async () => {
    const { w, service } = await listed();
    w.now = AFTER;
    const late = cause('gov.policy.objection.filed');
    expect(await service.fileObjection(objection(A!, 'thirdParty', 'O-late', AFTER), late)).toBe('refused:OBJECTION_OUT_OF_WINDOW');
    expect(await service.fileObjection(objection(D!, 'self', 'O-late-self', AFTER, { 'enterprise.exportValueUsd': 500_000 }), cause('gov.policy.objection.filed'))).toBe('refused:OBJECTION_OUT_OF_WINDOW');
    // Filed (pinned: "refused, and recorded"), and apart as out of the window; never upheld or dismissed.
    expect((await w.store.readFigures('P-PUB')).counters).toMatchObject({ objectionsFiled: 2, objectionsOutOfWindow: 2, objectionsUpheld: 0, objectionsDismissed: 0 });
    expect(figureMetrics(w.sent.metrics)).toEqual({ ObjectionsFiled: 2 });
    expect(await w.store.getObjection('O-late')).toMatchObject({ state: 'REFUSED', by: 'thirdParty', creditCode: A });
    // Nothing was evaluated with the declared facts: they are not kept.
    expect(await w.store.getObjection('O-late-self')).not.toHaveProperty('facts');
    // The refusal is answered as before: one refused receipt each, readable with GET /refusals, and audited.
    expect(w.store.receipts.filter((r) => r.id === late.id)).toEqual([expect.objectContaining({ outcome: 'refused', kind: 'OBJECTION_OUT_OF_WINDOW', reason: expect.stringContaining(CLOSES) })]);
    expect(w.store.refusals.get(`P-PUB#${late.id}`)).toMatchObject({ reason: 'OBJECTION_OUT_OF_WINDOW', creditCode: A });
    expect(w.store.audit.filter((a) => a.causeId === late.id).map((a) => a.action)).toEqual(['refused:gov.policy.objection.filed', 'objection:REFUSED']);
    expect(state(w, A!)).toBe('PUBLICIZED');
    // Redelivered: nothing counted twice.
    expect(await service.fileObjection(objection(A!, 'thirdParty', 'O-late', AFTER), late)).toBe('unchanged:REFUSED');
    expect((await w.store.readFigures('P-PUB')).counters).toMatchObject({ objectionsFiled: 2, objectionsOutOfWindow: 2 });
    // A refused objection holds nothing: there is nothing to resolve.
    expect(await service.resolveObjection({ objectionId: 'O-late', upheld: true, note: '核查属实' }, cause('gov.policy.objection.resolved'))).toBe('refused:OBJECTION_UNKNOWN');
    expect(w.store.receipts.at(-1)).toMatchObject({ outcome: 'refused', kind: 'OBJECTION_UNKNOWN', reason: expect.stringContaining('received outside its publicity window') });
    expect((await w.store.readFigures('P-PUB')).counters).toMatchObject({ objectionsUpheld: 0, removed: 0 });
  });

  it('counts an objection out of the window once when the first delivery stopped after its refusal', async () => {
    const { w, service } = await listed();
    w.now = AFTER;
    const late = cause('gov.policy.objection.filed');
    const save = w.store.saveObjection.bind(w.store);
    w.store.saveObjection = async () => {
      throw new Error('the table is unavailable');
    };
    await expect(service.fileObjection(objection(A!, 'thirdParty', 'O-crash', AFTER), late)).rejects.toThrow('unavailable');
    w.store.saveObjection = save;
    expect(await service.fileObjection(objection(A!, 'thirdParty', 'O-crash', AFTER), late)).toBe('refused:OBJECTION_OUT_OF_WINDOW');
    expect(await service.fileObjection(objection(A!, 'thirdParty', 'O-crash', AFTER), late)).toBe('unchanged:REFUSED');
    expect((await w.store.readFigures('P-PUB')).counters).toMatchObject({ objectionsFiled: 1, objectionsOutOfWindow: 1 });
    expect(w.store.receipts.filter((r) => r.id === late.id && r.outcome === 'refused')).toHaveLength(1);
  });

  it('answers a self-objection out of the window as late before looking at its declared facts', async () => {
    const { w, service } = await listed();
    w.now = AFTER;
    // Facts it could not use (a person fact on an enterprise policy): nothing sent again would be accepted, so
    // the sender is told the window is closed rather than asked to correct a fact.
    const facts = { 'enterprise.exportValueUsd': 500_000, 'person.residenceDistrict': '440305' };
    expect(await service.fileObjection(objection(D!, 'self', 'O-late-kind', AFTER, facts), cause('gov.policy.objection.filed'))).toBe('refused:OBJECTION_OUT_OF_WINDOW');
    expect(w.store.receipts.at(-1)).toMatchObject({ outcome: 'refused', kind: 'OBJECTION_OUT_OF_WINDOW' });
    expect(state(w, D!)).toBe('NEEDS_INFO');
    // In the window the same facts are refused for the fact, as before.
    const inTime = cause('gov.policy.objection.filed');
    expect(await service.fileObjection(objection(D!, 'self', 'O-kind', IN_WINDOW, facts), inTime)).toBe('refused:DECLARED_FACT_MISMATCH');
    const filed = (await w.store.readFigures('P-PUB')).counters.objectionsFiled;
    // Posted again after the window (queued again with the new post's receipt time): its first refusal
    // stands, and it is not counted as an objection filed out of the window.
    expect(await service.fileObjection(objection(D!, 'self', 'O-kind', AFTER, facts), inTime)).toBe('unchanged:DECLARED_FACT_MISMATCH');
    expect(w.store.receipts.filter((r) => r.id === inTime.id)).toEqual([expect.objectContaining({ outcome: 'refused', kind: 'DECLARED_FACT_MISMATCH' })]);
    expect((await w.store.readFigures('P-PUB')).counters.objectionsFiled).toBe(filed);
    expect(await w.store.getObjection('O-kind')).toBeUndefined();
  });

  it('refuses a self-objection declaring facts it cannot use, naming the path, with receipt and audit line', async () => {
    const { w, service } = await listed();
    w.store.budgets.set('P-PUB', 1000);
    w.now = IN_WINDOW;
    // The export figure alone would list D: the person fact was left out before, and D listed ADDED.
    const facts = { 'enterprise.exportValueUsd': 500_000, 'person.residenceDistrict': '440305' };
    expect(await service.fileObjection(objection(D!, 'self', 'O-kind', IN_WINDOW, facts), cause('gov.policy.objection.filed'))).toBe('refused:DECLARED_FACT_MISMATCH');
    expect(await service.fileObjection(objection(D!, 'self', 'O-id', IN_WINDOW, { 'enterprise.exportValueUsd': 500_000, 'enterprise.creditCode': A }), cause('gov.policy.objection.filed'))).toBe('refused:DECLARED_FACT_MISMATCH');
    expect(w.store.receipts.slice(-2)).toEqual([
      expect.objectContaining({ outcome: 'refused', kind: 'DECLARED_FACT_MISMATCH', reason: 'facts.person.residenceDistrict: policy P-PUB is for enterprises: declared facts must be under enterprise.* (e.g. enterprise.exportValueUsd)' }),
      expect.objectContaining({ outcome: 'refused', kind: 'DECLARED_FACT_MISMATCH', reason: expect.stringMatching(/^facts\.enterprise\.creditCode: the subject's credit code cannot be declared/) }),
    ]);
    expect(w.store.audit.filter((a) => a.action === 'refused:gov.policy.objection.filed')).toHaveLength(2);
    expect(state(w, D!)).toBe('NEEDS_INFO');
    expect(await w.store.getObjection('O-kind')).toBeUndefined();
    expect((await w.store.readFigures('P-PUB')).counters.objectionsFiled ?? 0).toBe(0);
    // The same facts under enterprise alone list it.
    expect(await service.fileObjection(objection(D!, 'self', 'O-ok', IN_WINDOW, { 'enterprise.exportValueUsd': 500_000 }), cause('gov.policy.objection.filed'))).toBe('ADDED');
  });

  it('re-evaluates a self-objection on its declared facts: added when they make it eligible and the budget pays', async () => {
    const { w, service } = await listed();
    w.store.budgets.set('P-PUB', 1000);
    w.now = IN_WINDOW;
    const filed = cause('gov.policy.objection.filed');
    expect(await service.fileObjection(objection(D!, 'self', 'O-2', IN_WINDOW, { 'enterprise.exportValueUsd': 10_000_000 }), filed)).toBe('UNCHANGED');
    expect(state(w, D!)).toBe('NEEDS_INFO');
    // Redelivered, the objection that changed nothing is not filed or counted again.
    expect(await service.fileObjection(objection(D!, 'self', 'O-2', IN_WINDOW, { 'enterprise.exportValueUsd': 10_000_000 }), filed)).toMatch(/^unchanged:/);
    expect(figureMetrics(w.sent.metrics)).toEqual({ ObjectionsFiled: 1 });
    expect(await service.fileObjection(objection(D!, 'self', 'O-3', IN_WINDOW, { 'enterprise.exportValueUsd': 500_000 }), filed)).toBe('ADDED');
    const e = w.store.entitlements.get(`P-PUB/${D}`)!;
    expect([e.state, e.publicity?.windowId, e.explanation?.declared]).toEqual(['PUBLICIZED', '2025-09-29', ['enterprise.exportValueUsd']]);
    expect(w.profiles.get(D!)?.exportValueUsd).toBeUndefined();
    expect(await service.fileObjection(objection(D!, 'self', 'O-3', IN_WINDOW, { 'enterprise.exportValueUsd': 500_000 }), filed)).toBe('unchanged:ADDED');
    expect((await w.store.readFigures('P-PUB')).counters).toMatchObject({ objectionsFiled: 2, addedBySelfObjection: 1, selfObjectionsUnchanged: 1, objectionsUpheld: 0 });
    expect(figureMetrics(w.sent.metrics)).toEqual({ ObjectionsFiled: 2, EntitlementsAddedBySelfObjection: 1 });
  });

  it('lists a pair a self-objection added under its registry name, never a declared one, on every delivery', async () => {
    const { w, service } = await listed();
    w.store.budgets.set('P-PUB', 1000);
    w.now = IN_WINDOW;
    const filed = cause('gov.policy.objection.filed');
    // Declared facts serve the one re-evaluation; what the public list shows is the shared profile's.
    const declared = objection(D!, 'self', 'O-name', IN_WINDOW, { 'enterprise.exportValueUsd': 500_000, 'enterprise.name': '冒名企业' });
    expect(await service.fileObjection(declared, filed)).toBe('ADDED');
    expect(await service.fileObjection(declared, filed)).toBe('unchanged:ADDED');
    const lists = w.sent.outbound.filter((e) => e.type === 'gov.policy.publicity.listed' && (e.data.entries as { creditCode: string }[]).some((x) => x.creditCode === D));
    expect(lists).toHaveLength(2);
    // The redelivery publishes the same event again (same id): the same entry too.
    expect(lists[1]!.id).toBe(lists[0]!.id);
    for (const list of lists) expect(list.data.entries).toEqual([{ name: w.profiles.get(D!)!.name, creditCode: D }]);
  });

  it('closes the window by the schedule: the listed are notified and granted once, the held stay held', async () => {
    const { w, service } = await listed();
    w.now = IN_WINDOW;
    await service.fileObjection(objection(B!, 'thirdParty', 'O-4'), cause('gov.policy.objection.filed'));
    expect(await service.closePublicityWindows()).toEqual({ windows: 0, released: 0, lapsed: 0, failed: 0, deferred: 0 });
    w.now = AFTER;
    expect(await service.closePublicityWindows()).toEqual({ windows: 1, released: 1, lapsed: 0, failed: 0, deferred: 0 });
    expect([A, B].map((c) => state(w, c!))).toEqual(['GRANTED', 'OBJECTED']);
    expect(w.sent.notifications.map((n) => n.data.creditCode)).toEqual([A]);
    expect(await service.closePublicityWindows()).toEqual({ windows: 0, released: 0, lapsed: 0, failed: 0, deferred: 0 });
    // The window is counted by the close that finished it, once (the handler counts it no more).
    const closed = w.sent.metrics.filter((m) => m.metric === 'PublicityWindowsClosed');
    expect(closed.reduce((n, m) => n + m.value, 0)).toBe(1);
    // Dismissed after the close: it proceeds at once.
    expect(await service.resolveObjection({ objectionId: 'O-4', upheld: false, note: '不属实' }, cause('gov.policy.objection.resolved'))).toBe('DISMISSED:OBJECTED->GRANTED');
    expect(await service.resolveObjection({ objectionId: 'O-4', upheld: false, note: '不属实' }, cause('gov.policy.objection.resolved'))).toBe('unchanged:DISMISSED');
    expect(w.sent.notifications.map((n) => n.data.creditCode)).toEqual([A, B]);
    expect((await w.store.readFigures('P-PUB')).counters).toMatchObject({ notified: 2, granted: 2, objectionsDismissed: 1 });
    expect(figureMetrics(w.sent.metrics)).toEqual({ ObjectionsFiled: 1, ObjectionsDismissed: 1 });
  });
});

describe('a second objection on a pair another one removed', () => {
  it.each([
    [false, 'DISMISSED', 'ObjectionsDismissed'],
    [true, 'UPHELD', 'ObjectionsUpheld'],
  ] as const)('is resolved (upheld: %s) and counted once, the removed pair left as it is', async (upheld, outcome, metric) => {
    const { w, service } = await listed();
    w.now = IN_WINDOW;
    expect(await service.fileObjection(objection(B!, 'thirdParty', 'O-1'), cause('gov.policy.objection.filed'))).toBe('PUBLICIZED->OBJECTED');
    expect(await service.fileObjection(objection(B!, 'thirdParty', 'O-2'), cause('gov.policy.objection.filed'))).toBe('OBJECTED->OBJECTED');
    expect(await service.resolveObjection({ objectionId: 'O-1', upheld: true, note: '核查属实' }, cause('gov.policy.objection.resolved'))).toBe('UPHELD:OBJECTED->REMOVED');
    const before = { entitlement: w.store.entitlements.get(`P-PUB/${B}`), budget: w.store.budgets.get('P-PUB'), reserved: (await w.store.readFigures('P-PUB')).amountReserved };

    const second = cause('gov.policy.objection.resolved');
    expect(await service.resolveObjection({ objectionId: 'O-2', upheld, note: '同一企业' }, second)).toBe(`${outcome}:REMOVED`);
    expect(w.store.objections.get('O-2')).toMatchObject({ state: outcome, resolvedAt: IN_WINDOW, note: '同一企业' });
    expect(w.store.receipts.at(-1)).toMatchObject({ id: second.id, outcome: 'applied', effect: { resource: 'objection', id: 'O-2', state: outcome } });
    expect(w.store.audit.at(-1)).toMatchObject({ subject: 'objection:O-2', action: `objection:${outcome}`, causeId: second.id, actor: '/systems/policy', details: { source: '/systems/policy' } });
    // Redelivered: already resolved, nothing counted twice.
    expect(await service.resolveObjection({ objectionId: 'O-2', upheld, note: '同一企业' }, second)).toBe(`unchanged:${outcome}`);
    expect(w.store.receipts.at(-1)).toMatchObject({ outcome: 'noEffect', kind: 'DUPLICATE' });

    expect({ entitlement: w.store.entitlements.get(`P-PUB/${B}`), budget: w.store.budgets.get('P-PUB'), reserved: (await w.store.readFigures('P-PUB')).amountReserved }).toEqual(before);
    const counters = (await w.store.readFigures('P-PUB')).counters;
    expect(counters).toMatchObject({ objectionsFiled: 2, removed: 1, objectionsUpheld: upheld ? 2 : 1, objectionsDismissed: upheld ? 0 : 1 });
    expect(figureMetrics(w.sent.metrics)).toEqual({ ObjectionsFiled: 2, ObjectionsUpheld: 1, [metric]: upheld ? 2 : 1 });
  });
});

describe('objections received in time, processed after the window closed', () => {
  it('waits the grace after the window before the close, so a third-party objection received in time still holds its pair', async () => {
    const { w, service } = await listed(30 * 60_000);
    w.now = minutesAfterClose(10);
    expect(await service.closePublicityWindows()).toEqual({ windows: 0, released: 0, lapsed: 0, failed: 0, deferred: 0 });
    expect(state(w, A!)).toBe('PUBLICIZED');
    // Received a minute before the end, processed ten minutes after it: in time, it holds the pair.
    expect(await service.fileObjection(objection(A!, 'thirdParty', 'O-q', minutesAfterClose(-1)), cause('gov.policy.objection.filed'))).toBe('PUBLICIZED->OBJECTED');
    w.now = minutesAfterClose(31);
    expect(await service.closePublicityWindows()).toEqual({ windows: 1, released: 1, lapsed: 0, failed: 0, deferred: 0 });
    expect([A, B].map((c) => state(w, c!))).toEqual(['OBJECTED', 'GRANTED']);
    expect(w.sent.notifications.map((n) => n.data.creditCode)).toEqual([B]);
  });

  it('files a third-party objection processed after its pair was released (a redrive), holding nothing, counted once', async () => {
    const { w, service } = await listed();
    w.now = AFTER;
    expect(await service.closePublicityWindows()).toEqual({ windows: 1, released: 2, lapsed: 0, failed: 0, deferred: 0 });
    const filed = cause('gov.policy.objection.filed');
    expect(await service.fileObjection(objection(A!, 'thirdParty', 'O-r', IN_WINDOW), filed)).toBe('filed:ALREADY_RELEASED');
    expect(state(w, A!)).toBe('GRANTED');
    expect(w.store.objections.get('O-r')).toMatchObject({ state: 'OPEN', receivedAt: IN_WINDOW, by: 'thirdParty' });
    expect(w.store.receipts.at(-1)).toMatchObject({
      id: filed.id,
      outcome: 'applied',
      effect: { resource: 'objection', id: 'O-r', state: 'OPEN' },
      details: { outcome: 'ALREADY_RELEASED', held: false, entitlementState: 'GRANTED', closesAt: CLOSES },
    });
    expect(w.store.audit.at(-1)).toMatchObject({ subject: 'objection:O-r', action: 'objection:OPEN', causeId: filed.id });
    // Redelivered: filed before, nothing counted twice.
    expect(await service.fileObjection(objection(A!, 'thirdParty', 'O-r', IN_WINDOW), filed)).toBe('unchanged:OPEN');
    // Its resolution is recorded and counted as upheld, and apart as upheld after the release: the released
    // pair is left as it is (not removed; taking the benefit back is a recovery), and the receipt says so.
    const resolved = cause('gov.policy.objection.resolved');
    expect(await service.resolveObjection({ objectionId: 'O-r', upheld: true, note: '核查属实' }, resolved)).toBe('UPHELD_AFTER_RELEASE:GRANTED');
    expect(state(w, A!)).toBe('GRANTED');
    expect(w.store.objections.get('O-r')).toMatchObject({ state: 'UPHELD', note: '核查属实' });
    expect(w.store.receipts.at(-1)).toMatchObject({
      id: resolved.id,
      outcome: 'applied',
      effect: { resource: 'objection', id: 'O-r', state: 'UPHELD' },
      details: { outcome: 'UPHELD_AFTER_RELEASE', removed: false, entitlementState: 'GRANTED' },
    });
    expect(w.store.audit.at(-1)).toMatchObject({ subject: 'objection:O-r', action: 'objection:UPHELD', why: expect.stringContaining('recovery') });
    expect((await w.store.readFigures('P-PUB')).counters).toMatchObject({ objectionsFiled: 1, objectionsUpheld: 1, upheldAfterRelease: 1, granted: 2, removed: 0 });
    expect(figureMetrics(w.sent.metrics)).toEqual({ ObjectionsFiled: 1, ObjectionsUpheld: 1, ObjectionsUpheldAfterRelease: 1 });
    // Redelivered: nothing counted twice.
    expect(await service.resolveObjection({ objectionId: 'O-r', upheld: true, note: '核查属实' }, resolved)).toBe('unchanged:UPHELD');
    expect((await w.store.readFigures('P-PUB')).counters).toMatchObject({ objectionsUpheld: 1, upheldAfterRelease: 1 });
    expect(figureMetrics(w.sent.metrics)).toEqual({ ObjectionsFiled: 1, ObjectionsUpheld: 1, ObjectionsUpheldAfterRelease: 1 });
    // Received after the window, it is still refused.
    expect(await service.fileObjection(objection(B!, 'thirdParty', 'O-late', AFTER), cause('gov.policy.objection.filed'))).toBe('refused:OBJECTION_OUT_OF_WINDOW');
  });

  it('leaves a pair dismissed in the grace on the list, so an objection received in time and still queued holds it', async () => {
    const { w, service } = await listed(30 * 60_000);
    w.now = IN_WINDOW;
    expect(await service.fileObjection(objection(A!, 'thirdParty', 'O-g1'), cause('gov.policy.objection.filed'))).toBe('PUBLICIZED->OBJECTED');
    // Dismissed ten minutes after the end, before the close: back on the list, nobody notified.
    w.now = minutesAfterClose(10);
    expect(await service.resolveObjection({ objectionId: 'O-g1', upheld: false, note: '不属实' }, cause('gov.policy.objection.resolved'))).toBe('DISMISSED:OBJECTED->PUBLICIZED');
    expect(state(w, A!)).toBe('PUBLICIZED');
    expect(w.sent.notifications).toEqual([]);
    // Another objection received a minute before the end, processed now: in time, it holds the pair.
    w.now = minutesAfterClose(12);
    expect(await service.fileObjection(objection(A!, 'thirdParty', 'O-g2', minutesAfterClose(-1)), cause('gov.policy.objection.filed'))).toBe('PUBLICIZED->OBJECTED');
    w.now = minutesAfterClose(31);
    expect(await service.closePublicityWindows()).toEqual({ windows: 1, released: 1, lapsed: 0, failed: 0, deferred: 0 });
    expect([A, B].map((c) => state(w, c!))).toEqual(['OBJECTED', 'GRANTED']);
    // Dismissed after the close released the window: on to the push at once.
    w.now = minutesAfterClose(40);
    expect(await service.resolveObjection({ objectionId: 'O-g2', upheld: false, note: '不属实' }, cause('gov.policy.objection.resolved'))).toBe('DISMISSED:OBJECTED->GRANTED');
    expect(w.sent.notifications.map((n) => n.data.creditCode)).toEqual([B, A]);
    expect((await w.store.readFigures('P-PUB')).counters).toMatchObject({ objectionsFiled: 2, objectionsDismissed: 2, granted: 2 });
  });

  it('releases a pair dismissed in the grace when the close finished the window meanwhile, either side of the race', async () => {
    const { w, service } = await listed(30 * 60_000);
    w.now = IN_WINDOW;
    await service.fileObjection(objection(A!, 'thirdParty', 'O-x1'), cause('gov.policy.objection.filed'));
    await service.fileObjection(objection(B!, 'thirdParty', 'O-x2'), cause('gov.policy.objection.filed'));
    w.now = minutesAfterClose(31);
    // The close reads the window's pairs while A is held, and the dismissal commits before it finishes the
    // window: the close's second look releases A.
    const listInWindow = w.store.listInWindow.bind(w.store);
    let raced = false;
    w.store.listInWindow = async (policyId: string, windowId: string) => {
      const pairs = await listInWindow(policyId, windowId);
      if (!raced) {
        raced = true;
        expect(await service.resolveObjection({ objectionId: 'O-x1', upheld: false, note: '不属实' }, cause('gov.policy.objection.resolved'))).toBe('DISMISSED:OBJECTED->PUBLICIZED');
      }
      return pairs;
    };
    expect(await service.closePublicityWindows()).toEqual({ windows: 1, released: 1, lapsed: 0, failed: 0, deferred: 0 });
    expect([A, B].map((c) => state(w, c!))).toEqual(['GRANTED', 'OBJECTED']);
    // The dismissal saw the window not yet released, and the close released and finished it before the
    // dismissal's commit: the dismissal's second look releases B.
    w.store.due.set('P-PUB#2025-09-29', { policyId: 'P-PUB', windowId: '2025-09-29', closesAt: CLOSES });
    const isWindowReleased = w.store.isWindowReleased.bind(w.store);
    let first = true;
    w.store.isWindowReleased = async (d) => {
      const released = await isWindowReleased(d);
      if (first) {
        first = false;
        w.store.due.clear();
      }
      return released;
    };
    expect(await service.resolveObjection({ objectionId: 'O-x2', upheld: false, note: '不属实' }, cause('gov.policy.objection.resolved'))).toBe('DISMISSED:OBJECTED->PUBLICIZED:RELEASED');
    expect([A, B].map((c) => state(w, c!))).toEqual(['GRANTED', 'GRANTED']);
    // Released as the close would have, late because of the dismissal: the line names the close and the
    // system whose dismissal it was.
    expect(w.store.audit.filter((a) => a.subject === `entitlement:P-PUB/${B}`).at(-1)).toMatchObject({
      action: 'state:PUBLICIZED->GRANTED',
      actor: '/civicflow/schedule',
      details: expect.objectContaining({ source: '/systems/policy' }),
    });
    expect(w.sent.notifications.map((n) => n.data.creditCode)).toEqual([A, B]);
  });

  it('releases at once a pair dismissed after the close marked its window released, before it finished it', async () => {
    const { w, service } = await listed(30 * 60_000);
    w.now = IN_WINDOW;
    await service.fileObjection(objection(A!, 'thirdParty', 'O-m1'), cause('gov.policy.objection.filed'));
    w.now = minutesAfterClose(31);
    // The dismissal runs while the close takes its second look (the window is marked released by then).
    const listInWindow = w.store.listInWindow.bind(w.store);
    let calls = 0;
    let outcome = '';
    w.store.listInWindow = async (policyId: string, windowId: string) => {
      const pairs = await listInWindow(policyId, windowId);
      if (++calls === 2) outcome = await service.resolveObjection({ objectionId: 'O-m1', upheld: false, note: '不属实' }, cause('gov.policy.objection.resolved'));
      return pairs;
    };
    expect(await service.closePublicityWindows()).toEqual({ windows: 1, released: 1, lapsed: 0, failed: 0, deferred: 0 });
    expect(outcome).toBe('DISMISSED:OBJECTED->GRANTED');
    expect([A, B].map((c) => state(w, c!))).toEqual(['GRANTED', 'GRANTED']);
    expect(w.store.due.size).toBe(0);
  });

  it('finishes on its next run a window whose close crashed after marking it released', async () => {
    const { w, service } = await listed(30 * 60_000);
    w.now = IN_WINDOW;
    await service.fileObjection(objection(A!, 'thirdParty', 'O-k1'), cause('gov.policy.objection.filed'));
    w.now = minutesAfterClose(31);
    // A is dismissed while the close's first look runs (back on the list: not yet released); the close
    // crashes on its second look.
    const listInWindow = w.store.listInWindow.bind(w.store);
    let calls = 0;
    w.store.listInWindow = async (policyId: string, windowId: string) => {
      if (++calls === 2) throw new Error('crash');
      const pairs = await listInWindow(policyId, windowId);
      expect(await service.resolveObjection({ objectionId: 'O-k1', upheld: false, note: '不属实' }, cause('gov.policy.objection.resolved'))).toBe('DISMISSED:OBJECTED->PUBLICIZED');
      return pairs;
    };
    // The close fails: logged and counted, the window left due.
    expect(await service.closePublicityWindows()).toMatchObject({ windows: 0, failed: 1 });
    expect(state(w, A!)).toBe('PUBLICIZED');
    expect(w.store.due.size).toBe(1);
    w.store.listInWindow = listInWindow;
    expect(await service.closePublicityWindows()).toEqual({ windows: 1, released: 1, lapsed: 0, failed: 0, deferred: 0 });
    expect([A, B].map((c) => state(w, c!))).toEqual(['GRANTED', 'GRANTED']);
    expect(w.store.due.size).toBe(0);
  });

  it('releases a pair dismissed in the grace on the redelivery, when a crash came between the commit and its release', async () => {
    const { w, service } = await listed(30 * 60_000);
    w.now = IN_WINDOW;
    await service.fileObjection(objection(A!, 'thirdParty', 'O-c1'), cause('gov.policy.objection.filed'));
    w.now = minutesAfterClose(31);
    // The close released the window (marked) and crashed before finishing it; the dismissal read the window
    // before the mark and crashed after its commit.
    const isWindowReleased = w.store.isWindowReleased.bind(w.store);
    w.store.isWindowReleased = async () => false;
    const resolved = cause('gov.policy.objection.resolved');
    expect(await service.resolveObjection({ objectionId: 'O-c1', upheld: false, note: '不属实' }, resolved)).toBe('DISMISSED:OBJECTED->PUBLICIZED');
    w.store.isWindowReleased = isWindowReleased;
    await w.store.markWindowReleased({ policyId: 'P-PUB', windowId: '2025-09-29', closesAt: CLOSES }, CLOSES);
    expect(state(w, A!)).toBe('PUBLICIZED');
    // Redelivered: already resolved, and the pair is released now, once.
    expect(await service.resolveObjection({ objectionId: 'O-c1', upheld: false, note: '不属实' }, resolved)).toBe('unchanged:DISMISSED');
    expect(state(w, A!)).toBe('GRANTED');
    // The close's next run releases B and finishes the window; A is not released twice (its undelivered
    // notification is queued again with the same id, which the outbox sends once).
    expect(await service.closePublicityWindows()).toEqual({ windows: 1, released: 1, lapsed: 0, failed: 0, deferred: 0 });
    expect(w.store.due.size).toBe(0);
    expect(new Set(w.sent.notifications.map((n) => `${n.id}:${n.data.creditCode}`)).size).toBe(2);
    expect([...new Set(w.sent.notifications.map((n) => n.data.creditCode))].sort()).toEqual([A, B].sort());
    expect((await w.store.readFigures('P-PUB')).counters).toMatchObject({ objectionsDismissed: 1, granted: 2 });
  });

  it('lists a pair a self-objection adds in the grace, publishes it, and leaves its release to the close', async () => {
    const { w, service } = await listed(30 * 60_000);
    w.store.budgets.set('P-PUB', 1000);
    w.now = minutesAfterClose(10);
    const self = objection(D!, 'self', 'O-sg', minutesAfterClose(-1), { 'enterprise.exportValueUsd': 500_000 });
    expect(await service.fileObjection(self, cause('gov.policy.objection.filed'))).toBe('ADDED');
    expect(state(w, D!)).toBe('PUBLICIZED');
    expect(w.store.entitlements.get(`P-PUB/${D}`)?.publicity).toMatchObject({ windowId: '2025-09-29', closesAt: CLOSES });
    const lists = w.sent.outbound.filter((e) => e.type === 'gov.policy.publicity.listed');
    expect(lists.at(-1)?.data).toMatchObject({ windowId: '2025-09-29', closesAt: CLOSES, entries: [{ creditCode: D }] });
    expect(w.sent.notifications).toEqual([]);
    // An objection received in time and processed now holds it, like any listed pair.
    expect(await service.fileObjection(objection(D!, 'thirdParty', 'O-sg2', minutesAfterClose(-1)), cause('gov.policy.objection.filed'))).toBe('PUBLICIZED->OBJECTED');
    w.now = minutesAfterClose(31);
    expect(await service.closePublicityWindows()).toEqual({ windows: 1, released: 2, lapsed: 0, failed: 0, deferred: 0 });
    expect([A, B, D].map((c) => state(w, c!))).toEqual(['GRANTED', 'GRANTED', 'OBJECTED']);
  });

  it('releases at once a pair a self-objection received in time lists after the close ran, notified once', async () => {
    const { w, service } = await listed();
    w.store.budgets.set('P-PUB', 1000);
    w.now = AFTER;
    expect(await service.closePublicityWindows()).toEqual({ windows: 1, released: 2, lapsed: 0, failed: 0, deferred: 0 });
    const filed = cause('gov.policy.objection.filed');
    const self = objection(D!, 'self', 'O-s', IN_WINDOW, { 'enterprise.exportValueUsd': 500_000 });
    const outboundBefore = w.sent.outbound.length;
    expect(await service.fileObjection(self, filed)).toBe('ADDED:RELEASED');
    const e = w.store.entitlements.get(`P-PUB/${D}`)!;
    expect([e.state, e.reached, e.publicity?.closesAt]).toEqual(['GRANTED', ['NEEDS_INFO', 'ELIGIBLE', 'PUBLICIZED', 'NOTIFIED', 'GRANTED'], CLOSES]);
    // On the publicity list (of the window it joined at the receipt) before it is notified.
    const listedNow = w.sent.outbound.slice(outboundBefore).filter((o) => o.type === 'gov.policy.publicity.listed');
    expect(listedNow.map((o) => o.data)).toEqual([expect.objectContaining({ windowId: '2025-09-29', closesAt: CLOSES, entries: [{ name: expect.any(String), creditCode: D }] })]);
    expect(w.store.budgets.get('P-PUB')).toBe(0);
    expect(w.sent.notifications.map((n) => n.data.creditCode)).toEqual([A, B, D]);
    expect(w.store.objections.get('O-s')?.state).toBe('ADDED');
    // Nothing is left for a close, and a redelivery adds, counts and sends nothing more once delivered.
    expect(await service.closePublicityWindows()).toEqual({ windows: 0, released: 0, lapsed: 0, failed: 0, deferred: 0 });
    await service.deliverNotification({ policyId: 'P-PUB', creditCode: D!, eventId: w.sent.notifications[2]!.id, receiveCount: 1 });
    expect(await service.fileObjection(self, filed)).toBe('unchanged:ADDED');
    expect(w.sent.notifications).toHaveLength(3);
    expect(w.sent.channel.filter((m) => m.creditCode === D)).toHaveLength(1);
    expect((await w.store.readFigures('P-PUB')).counters).toMatchObject({ objectionsFiled: 1, addedBySelfObjection: 1, notified: 3, granted: 3 });
    expect(figureMetrics(w.sent.metrics)).toEqual({ ObjectionsFiled: 1, EntitlementsAddedBySelfObjection: 1 });
  });

  it('queues again on redelivery the notification of a self-objection added after the close whose send was lost', async () => {
    const { w, service } = await listed();
    w.store.budgets.set('P-PUB', 1000);
    w.now = AFTER;
    await service.closePublicityWindows();
    const self = objection(D!, 'self', 'O-s2', IN_WINDOW, { 'enterprise.exportValueUsd': 500_000 });
    expect(await service.fileObjection(self, cause('gov.policy.objection.filed'))).toBe('ADDED:RELEASED');
    // The list and the send after the commit were lost (a crash): the redelivery publishes and queues them
    // again, with the same ids.
    const first = w.sent.notifications.pop()!;
    const list = w.sent.outbound.splice(w.sent.outbound.findLastIndex((o) => o.type === 'gov.policy.publicity.listed'), 1)[0]!;
    expect(list.data).toMatchObject({ windowId: '2025-09-29', entries: [{ creditCode: D }] });
    expect(await service.fileObjection(self, cause('gov.policy.objection.filed'))).toBe('unchanged:ADDED');
    expect(w.sent.notifications.at(-1)?.id).toBe(first.id);
    expect(w.sent.outbound.filter((o) => o.type === 'gov.policy.publicity.listed').at(-1)).toEqual(list);
    expect((await w.store.readFigures('P-PUB')).counters).toMatchObject({ objectionsFiled: 1, notified: 3 });
  });
});

describe('a listing that outlives its policy', () => {
  /** A, B listed (the budget reserved for both), C exhausted, D needs info; each case its own policy id. */
  async function listedUnder(policyId: string, over: Record<string, unknown> = {}, graceMs = 0) {
    const w = memoryEntitlementPorts({ now: LISTED_AT, shards: 1, settings: { publicityCloseGraceMs: graceMs } });
    const service = createEntitlementService(w.ports);
    for (const c of [A!, B!, C!]) w.profiles.set(c, profile({ creditCode: c, name: `企业${c.slice(-3)}` }));
    w.profiles.set(D!, profile({ creditCode: D!, exportValueUsd: undefined }));
    await service.publishPolicy({ ...GRANT, policyId, ...over }, cause('gov.policy.published'));
    for (const s of w.sent.slices) await service.runMatchSlice(s.data);
    const st = (code: string) => w.store.entitlements.get(`${policyId}/${code}`)?.state;
    expect([A, B, C].map((c) => st(c!))).toEqual(['PUBLICIZED', 'PUBLICIZED', 'EXHAUSTED']);
    expect(w.store.budgets.get(policyId)).toBe(0);
    return { w, service, st };
  }

  it('closes the other windows when one window\'s close fails every run, and counts it failed', async () => {
    const { w, service, st } = await listedUnder('P-PUB-POISON-1');
    await service.publishPolicy({ ...GRANT, policyId: 'P-PUB-POISON-2' }, cause('gov.policy.published'));
    for (const s of w.sent.slices.filter((x) => x.data.policyId === 'P-PUB-POISON-2')) await service.runMatchSlice(s.data);
    const st2 = (code: string) => w.store.entitlements.get(`P-PUB-POISON-2/${code}`)?.state;
    expect([A, B].map((c) => st2(c!))).toEqual(['PUBLICIZED', 'PUBLICIZED']);
    w.now = AFTER;
    // The first policy's window cannot be read, run after run (a defect, say): the second's closes all the same.
    const listInWindow = w.store.listInWindow.bind(w.store);
    w.store.listInWindow = async (policyId: string, windowId: string) => {
      if (policyId === 'P-PUB-POISON-1') throw new Error('window cannot be read');
      return listInWindow(policyId, windowId);
    };
    expect(await service.closePublicityWindows()).toEqual({ windows: 1, released: 2, lapsed: 0, failed: 1, deferred: 0 });
    expect([A, B].map((c) => st2(c!))).toEqual(['GRANTED', 'GRANTED']);
    expect([A, B].map((c) => st(c!))).toEqual(['PUBLICIZED', 'PUBLICIZED']);
    expect(await service.closePublicityWindows()).toEqual({ windows: 0, released: 0, lapsed: 0, failed: 1, deferred: 0 });
    w.store.listInWindow = listInWindow;
    expect(await service.closePublicityWindows()).toEqual({ windows: 1, released: 2, lapsed: 0, failed: 0, deferred: 0 });
    expect([A, B].map((c) => st(c!))).toEqual(['GRANTED', 'GRANTED']);
  });

  it('starts no more windows once its time falls below the reserve, and leaves them due', async () => {
    const { w, service, st } = await listedUnder('P-PUB-TIME-1');
    await service.publishPolicy({ ...GRANT, policyId: 'P-PUB-TIME-2' }, cause('gov.policy.published'));
    for (const s of w.sent.slices.filter((x) => x.data.policyId === 'P-PUB-TIME-2')) await service.runMatchSlice(s.data);
    w.now = AFTER;
    const left = [60_000, PUBLICITY_TIME_RESERVE_MS - 1];
    const timeLeftMs = () => left.shift() ?? PUBLICITY_TIME_RESERVE_MS - 1;
    expect(await service.closePublicityWindows({ timeLeftMs })).toEqual({ windows: 1, released: 2, lapsed: 0, failed: 0, deferred: 1 });
    expect(await service.closePublicityWindows({ timeLeftMs: () => 60_000 })).toEqual({ windows: 1, released: 2, lapsed: 0, failed: 0, deferred: 0 });
    const st2 = (code: string) => w.store.entitlements.get(`P-PUB-TIME-2/${code}`)?.state;
    expect([A, B].map((c) => [st(c!), st2(c!)])).toEqual([['GRANTED', 'GRANTED'], ['GRANTED', 'GRANTED']]);
  });

  it('lapses at the close the pairs of a policy withdrawn during the window: nobody notified, the budget returned, once', async () => {
    const { w, service, st } = await listedUnder('P-PUB-LAPSE-W');
    w.now = IN_WINDOW;
    expect(await service.fileObjection({ ...objection(B!, 'thirdParty', 'O-lw'), policyId: 'P-PUB-LAPSE-W' }, cause('gov.policy.objection.filed'))).toBe('PUBLICIZED->OBJECTED');
    expect(await service.withdrawPolicy('P-PUB-LAPSE-W', cause('gov.policy.withdrawn'))).toBe('withdrawn');
    // The withdrawal touches no pair (as for every other state): the close decides the listed ones.
    expect([A, B].map((c) => st(c!))).toEqual(['PUBLICIZED', 'OBJECTED']);
    w.now = AFTER;
    expect(await service.closePublicityWindows()).toEqual({ windows: 1, released: 1, lapsed: 1, failed: 0, deferred: 0 });
    expect([A, B, C].map((c) => st(c!))).toEqual(['LAPSED', 'OBJECTED', 'EXHAUSTED']);
    expect([w.sent.notifications, w.store.outbox.size]).toEqual([[], 0]);
    expect(figureMetrics(w.sent.metrics)).toEqual({ ObjectionsFiled: 1, PublicityPairsLapsed: 1 });
    // A's reservation is back, and stays unspent: the exhausted pair of a withdrawn policy is not listed.
    expect(w.store.budgets.get('P-PUB-LAPSE-W')).toBe(1000);
    const lapsedA = w.store.audit.filter((a) => a.subject === `entitlement:P-PUB-LAPSE-W/${A}` && a.action === 'state:PUBLICIZED->LAPSED');
    expect(lapsedA).toEqual([expect.objectContaining({ actor: '/civicflow/schedule', why: 'POLICY_WITHDRAWN' })]);
    // Dismissed after the close: the held pair lapses too, its reservation returned.
    expect(await service.resolveObjection({ objectionId: 'O-lw', upheld: false, note: '不属实' }, cause('gov.policy.objection.resolved'))).toBe('DISMISSED:OBJECTED->LAPSED');
    expect(st(B!)).toBe('LAPSED');
    expect(w.store.budgets.get('P-PUB-LAPSE-W')).toBe(2000);
    expect(figureMetrics(w.sent.metrics)).toEqual({ ObjectionsFiled: 1, ObjectionsDismissed: 1, PublicityPairsLapsed: 2 });
    const figures = await w.store.readFigures('P-PUB-LAPSE-W');
    expect(figures.counters).toMatchObject({ eligible: 1, publicized: 2, lapsed: 2, exhausted: 1, notified: 0, granted: 0, objectionsDismissed: 1 });
    expect(figures.amountReserved).toBe(0);
    // The schedule again, the withdrawal and the resolution redelivered: nothing more, nothing counted twice.
    w.store.due.set('P-PUB-LAPSE-W#2025-09-29', { policyId: 'P-PUB-LAPSE-W', windowId: '2025-09-29', closesAt: CLOSES });
    expect(await service.closePublicityWindows()).toEqual({ windows: 1, released: 0, lapsed: 0, failed: 0, deferred: 0 });
    expect(await service.withdrawPolicy('P-PUB-LAPSE-W', cause('gov.policy.withdrawn'))).toBe('unchanged:ALREADY_WITHDRAWN');
    expect(await service.resolveObjection({ objectionId: 'O-lw', upheld: false, note: '不属实' }, cause('gov.policy.objection.resolved'))).toBe('unchanged:DISMISSED');
    expect((await w.store.readFigures('P-PUB-LAPSE-W')).counters).toEqual(figures.counters);
    expect(w.store.budgets.get('P-PUB-LAPSE-W')).toBe(2000);
    expect(w.store.audit.filter((a) => a.action.endsWith('->LAPSED'))).toHaveLength(2);
    // The dashboard's lapse metric says the same as the lapsed figure: each pair once.
    expect(figureMetrics(w.sent.metrics)).toEqual({ ObjectionsFiled: 1, ObjectionsDismissed: 1, PublicityPairsLapsed: 2 });
    // An objection against a lapsed pair is refused, as for any pair off the list.
    expect(await service.fileObjection({ ...objection(A!, 'thirdParty', 'O-lw2'), policyId: 'P-PUB-LAPSE-W' }, cause('gov.policy.objection.filed'))).toBe('refused:NOT_LISTED');
    expect(await service.fileObjection({ ...objection(A!, 'thirdParty', 'O-lw3', AFTER), policyId: 'P-PUB-LAPSE-W' }, cause('gov.policy.objection.filed'))).toBe('refused:OBJECTION_OUT_OF_WINDOW');
  });

  it('lapses a pair dismissed in the grace on the redelivery, after a crash, counting it once with the close\'s', async () => {
    const { w, service, st } = await listedUnder('P-PUB-LAPSE-R', {}, 30 * 60_000);
    w.now = IN_WINDOW;
    await service.fileObjection({ ...objection(A!, 'thirdParty', 'O-lr'), policyId: 'P-PUB-LAPSE-R' }, cause('gov.policy.objection.filed'));
    expect(await service.withdrawPolicy('P-PUB-LAPSE-R', cause('gov.policy.withdrawn'))).toBe('withdrawn');
    w.now = minutesAfterClose(31);
    // The dismissal read the window before the close marked it released, and crashed after its commit.
    const isWindowReleased = w.store.isWindowReleased.bind(w.store);
    w.store.isWindowReleased = async () => false;
    const resolved = cause('gov.policy.objection.resolved');
    expect(await service.resolveObjection({ objectionId: 'O-lr', upheld: false, note: '不属实' }, resolved)).toBe('DISMISSED:OBJECTED->PUBLICIZED');
    w.store.isWindowReleased = isWindowReleased;
    await w.store.markWindowReleased({ policyId: 'P-PUB-LAPSE-R', windowId: '2025-09-29', closesAt: CLOSES }, CLOSES);
    expect(figureMetrics(w.sent.metrics)).toEqual({ ObjectionsFiled: 1, ObjectionsDismissed: 1 });
    // Redelivered: the pair is released now — it lapses, counted once; the close lapses the other one.
    expect(await service.resolveObjection({ objectionId: 'O-lr', upheld: false, note: '不属实' }, resolved)).toBe('unchanged:DISMISSED');
    expect(st(A!)).toBe('LAPSED');
    expect(figureMetrics(w.sent.metrics)).toEqual({ ObjectionsFiled: 1, ObjectionsDismissed: 1, PublicityPairsLapsed: 1 });
    expect(await service.closePublicityWindows()).toEqual({ windows: 1, released: 1, lapsed: 1, failed: 0, deferred: 0 });
    expect(await service.resolveObjection({ objectionId: 'O-lr', upheld: false, note: '不属实' }, resolved)).toBe('unchanged:DISMISSED');
    expect([A, B].map((c) => st(c!))).toEqual(['LAPSED', 'LAPSED']);
    expect((await w.store.readFigures('P-PUB-LAPSE-R')).counters).toMatchObject({ lapsed: 2, notified: 0 });
    expect(figureMetrics(w.sent.metrics)).toEqual({ ObjectionsFiled: 1, ObjectionsDismissed: 1, PublicityPairsLapsed: 2 });
  });

  it('counts the pairs a failed close lapsed before it failed, and the rest on its rerun: each once', async () => {
    const { w, service, st } = await listedUnder('P-PUB-LAPSE-F', { validTo: '2025-10-10' });
    w.now = AFTER;
    // B's write fails once (the table throttled); A's commits in the same run.
    const apply = w.store.applyTransitions.bind(w.store);
    let fail = true;
    w.store.applyTransitions = async (chain, audit, receipt, objectionWrite) => {
      if (fail && chain[0]!.creditCode === B) {
        fail = false;
        throw new Error('ProvisionedThroughputExceededException');
      }
      return apply(chain, audit, receipt, objectionWrite);
    };
    expect(await service.closePublicityWindows()).toMatchObject({ windows: 0, failed: 1 });
    expect([A, B].map((c) => st(c!))).toEqual(['LAPSED', 'PUBLICIZED']);
    expect(figureMetrics(w.sent.metrics)).toEqual({ PublicityPairsLapsed: 1 });
    // The next run lapses B; A, already lapsed, counts nothing more.
    expect(await service.closePublicityWindows()).toEqual({ windows: 1, released: 1, lapsed: 1, failed: 0, deferred: 0 });
    expect([A, B].map((c) => st(c!))).toEqual(['LAPSED', 'LAPSED']);
    expect((await w.store.readFigures('P-PUB-LAPSE-F')).counters).toMatchObject({ lapsed: 2 });
    expect(figureMetrics(w.sent.metrics)).toEqual({ PublicityPairsLapsed: 2 });
  });

  it('lapses at the close the pairs of a window that ends after the policy\'s validTo', async () => {
    // The window ends at the end of Mon Oct 13 (Shanghai); the policy is valid to Fri Oct 10.
    const { w, service, st } = await listedUnder('P-PUB-LAPSE-E', { validTo: '2025-10-10' });
    w.now = AFTER;
    expect(await service.closePublicityWindows()).toEqual({ windows: 1, released: 2, lapsed: 2, failed: 0, deferred: 0 });
    expect([A, B, C].map((c) => st(c!))).toEqual(['LAPSED', 'LAPSED', 'EXHAUSTED']);
    expect(w.store.entitlements.get(`P-PUB-LAPSE-E/${A}`)!.history.at(-1)).toMatchObject({ from: 'PUBLICIZED', to: 'LAPSED', reason: 'POLICY_EXPIRED', at: AFTER });
    expect(w.sent.notifications).toEqual([]);
    expect(w.store.budgets.get('P-PUB-LAPSE-E')).toBe(2000);
    expect((await w.store.readFigures('P-PUB-LAPSE-E')).counters).toMatchObject({ eligible: 1, lapsed: 2, notified: 0, granted: 0 });
    expect(await service.closePublicityWindows()).toEqual({ windows: 0, released: 0, lapsed: 0, failed: 0, deferred: 0 });
    // The window finished: a crash that left it due would run the close again, lapsing and counting nothing more.
    w.store.due.set('P-PUB-LAPSE-E#2025-09-29', { policyId: 'P-PUB-LAPSE-E', windowId: '2025-09-29', closesAt: CLOSES });
    expect(await service.closePublicityWindows()).toEqual({ windows: 1, released: 0, lapsed: 0, failed: 0, deferred: 0 });
    expect(figureMetrics(w.sent.metrics)).toEqual({ PublicityPairsLapsed: 2 });
    // A self-objection received in time, processed after that close: listed and lapsed in one write, as the
    // close would have done — nobody notified, the budget as it was.
    const late = { ...objection(D!, 'self', 'O-le', IN_WINDOW, { 'enterprise.exportValueUsd': 500_000 }), policyId: 'P-PUB-LAPSE-E' };
    expect(await service.fileObjection(late, cause('gov.policy.objection.filed'))).toBe('ADDED');
    expect(st(D!)).toBe('LAPSED');
    expect(w.store.budgets.get('P-PUB-LAPSE-E')).toBe(2000);
    expect(w.sent.notifications).toEqual([]);
    expect(figureMetrics(w.sent.metrics)).toEqual({ ObjectionsFiled: 1, EntitlementsAddedBySelfObjection: 1, PublicityPairsLapsed: 3 });
    // Redelivered: filed once, lapsed once, counted once.
    expect(await service.fileObjection(late, cause('gov.policy.objection.filed'))).toBe('unchanged:ADDED');
    expect(figureMetrics(w.sent.metrics)).toEqual({ ObjectionsFiled: 1, EntitlementsAddedBySelfObjection: 1, PublicityPairsLapsed: 3 });
    const figures = await w.store.readFigures('P-PUB-LAPSE-E');
    expect(figures.counters).toMatchObject({ eligible: 1, publicized: 3, lapsed: 3, addedBySelfObjection: 1, needsInfo: 0 });
    expect(figures.amountReserved).toBe(0);
  });
});
