/**
 * The hardcases table (shared/hardcase/store.ts) against DynamoDB Local: the key layout, a change and its
 * audit lines, outbox and receipt in one transaction, the version condition that keeps a redelivered or
 * concurrent write from applying twice, create-only refusals, the watch's sequence rules, and both indexes.
 */
import { createCalendar } from '#calendar';
import { DEFAULT_HARDCASE_CONFIG, openHardCase, applyHardCaseUpdate, type HardCase } from '#hardcase/domain/index';
import type { CaseWrite, Watch } from '#hardcase/ports';
import { useTestDynamo } from '#support/dynamo';

const db = useTestDynamo();
let store: (typeof import('#hardcase/store'))['dynamoHardCaseStore'];
let messages: typeof import('#hardcase/messages');
let receipts: typeof import('#platform/receipts');
beforeAll(async () => {
  store = (await import('#hardcase/store')).dynamoHardCaseStore;
  messages = await import('#hardcase/messages');
  receipts = await import('#platform/receipts');
});

const calendar = createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true });
const AT = '2026-11-09T02:00:00.000Z';
let serial = 0;
const ref = (type = 'gov.hardcase.updated') => ({ source: '/systems/adapter-test', id: `adapter-${++serial}`, type });

function opened(caseId: string, reportedAt = '2026-11-09T01:20:00.000Z'): HardCase {
  return openHardCase({ caseId, origin: 'reported', channel: 'window', description: '跨部门事项', reportedAt, contactPhone: '13800138000' }, calendar, DEFAULT_HARDCASE_CONFIG).hardCase;
}

function createWrite(hc: HardCase, over: Partial<CaseWrite> = {}): CaseWrite {
  return {
    hardCase: hc,
    month: '2026-11',
    dueAt: hc.deadlines.contactDue.dueAt,
    audits: messages.auditsOfChange(undefined, hc),
    outbound: [{ type: 'gov.hardcase.opened', id: `gov.hardcase.opened:${hc.caseId}`, subject: hc.caseId, time: hc.reportedAt, data: { caseId: hc.caseId } }],
    reportHash: 'h-1',
    receipt: receipts.applied(ref('gov.hardcase.reported'), AT, messages.caseEffect(hc)),
    ...over,
  };
}

function contacted(hc: HardCase): HardCase {
  const result = applyHardCaseUpdate(hc, { caseId: hc.caseId, action: 'contact', actor: { departmentCode: 'D', staffId: 'S' }, at: '2026-11-09T03:00:00.000Z' }, calendar, DEFAULT_HARDCASE_CONFIG);
  if (!result.ok || result.duplicate) throw new Error('contact should apply');
  return result.next;
}

describe('hard-case store', () => {
  it('creates a case once, with its audit line, outbox, receipt and index attributes in one transaction', async () => {
    const hc = opened('AD-1');
    const write = createWrite(hc);
    expect(await store.writeCase(write)).toBe('committed');
    expect(await store.writeCase({ ...write, receipt: receipts.applied(ref('gov.hardcase.reported'), AT, messages.caseEffect(hc)) })).toBe('conflict');
    const state = await db().get('hardcases', { pk: 'CASE#AD-1', sk: 'STATE' });
    expect(state).toMatchObject({ version: 1, reportHash: 'h-1', monthPk: 'MONTH#2026-11', monthSk: `${hc.reportedAt}#AD-1`, duePk: 'DUE#CASE', dueAt: hc.deadlines.contactDue.dueAt });
    expect((await db().partition('audit', 'AUDIT#hardcase:AD-1')).map((a) => a.action)).toEqual(['state:none->RECEIVED']);
    expect(await db().get('receipts', { pk: `RCPT#${write.receipt!.source}#${write.receipt!.id}`, sk: 'RECEIPT' })).toMatchObject({ outcome: 'applied' });
    const loaded = await store.loadCase('AD-1');
    expect(loaded).toMatchObject({ hardCase: { caseId: 'AD-1', contactPhone: '13800138000' }, reportHash: 'h-1', refused: [] });
    expect(loaded?.outbox.map((e) => e.id)).toEqual(['gov.hardcase.opened:AD-1']);
    await store.clearOutbox('AD-1', ['gov.hardcase.opened:AD-1']);
    expect((await store.loadCase('AD-1'))?.outbox).toEqual([]);
  });

  it('updates on the loaded version only: the second of two writes from the same version conflicts and writes nothing', async () => {
    const hc = opened('AD-2');
    await store.writeCase(createWrite(hc));
    const next = contacted(hc);
    const update: CaseWrite = { hardCase: next, expectedVersion: 1, month: '2026-11', dueAt: next.deadlines.resolveDue.dueAt, audits: messages.auditsOfChange(hc, next), outbound: [], receipt: receipts.applied(ref(), AT, messages.caseEffect(next)) };
    expect(await store.writeCase(update)).toBe('committed');
    const second = { ...update, receipt: receipts.applied(ref(), AT, messages.caseEffect(next)) };
    expect(await store.writeCase(second)).toBe('conflict');
    expect(await db().get('receipts', { pk: `RCPT#${second.receipt.source}#${second.receipt.id}`, sk: 'RECEIPT' })).toBeUndefined();
    const state = await db().get('hardcases', { pk: 'CASE#AD-2', sk: 'STATE' });
    // Contacted: the next deadline the schedule looks at is the resolution's.
    expect(state).toMatchObject({ version: 2, hardCase: { state: 'CONTACTED' }, duePk: 'DUE#CASE', dueAt: next.deadlines.resolveDue.dueAt });
    expect(await store.dueCases(hc.deadlines.contactDue.dueAt)).not.toContain('AD-2');
    expect((await db().partition('audit', 'AUDIT#hardcase:AD-2')).map((a) => a.action)).toEqual(['state:none->RECEIVED', 'state:RECEIVED->CONTACTED']);
  });

  it('records a refusal once with its audit line and receipt, and the line and receipt alone for an unknown case', async () => {
    await store.writeCase(createWrite(opened('AD-3')));
    const r = ref();
    const refused = { source: r.source, eventId: r.id, type: r.type, action: 'close', code: 'ACTION_NOT_ALLOWED', reason: 'no', recordedAt: AT };
    const receipt = receipts.withKind(r, AT, 'ACTION_NOT_ALLOWED', 'no');
    const LATER = '2026-11-09T02:05:00.000Z';
    // True when this call recorded it; a redelivery finds it recorded (so the refusal is counted once) and,
    // refused at another time (so its line has another key), still writes no second line.
    expect(await store.recordRefusal('AD-3', refused, messages.auditOfRefusal('AD-3', refused, r), receipt)).toBe(true);
    const redelivered = { ...refused, reason: 'again', recordedAt: LATER };
    expect(await store.recordRefusal('AD-3', redelivered, messages.auditOfRefusal('AD-3', redelivered, r), receipts.withKind(r, LATER, 'ACTION_NOT_ALLOWED', 'again'))).toBe(false);
    expect((await store.loadCase('AD-3'))?.refused).toEqual([refused]);
    expect(await db().get('receipts', { pk: `RCPT#${r.source}#${r.id}`, sk: 'RECEIPT' })).toMatchObject({ kind: 'ACTION_NOT_ALLOWED', reason: 'no' });
    const refusalLines = async (caseId: string) => (await db().partition('audit', `AUDIT#hardcase:${caseId}`)).filter((a) => String(a.action).startsWith('refused:'));
    expect(await refusalLines('AD-3')).toEqual([
      expect.objectContaining({ sk: `${AT}#refused:close#${r.id}`, action: 'refused:close', actor: r.source, at: AT, why: 'ACTION_NOT_ALLOWED: no', causeId: r.id, details: { code: 'ACTION_NOT_ALLOWED', reason: 'no', step: 'close', source: r.source } }),
    ]);
    const unknown = ref();
    const unknownReceipt = receipts.withKind(unknown, AT, 'HARDCASE_UNKNOWN', 'never reported');
    const unknownRefused = { ...refused, eventId: unknown.id, code: 'HARDCASE_UNKNOWN', reason: 'never reported' };
    expect(await store.recordRefusal(undefined, unknownRefused, messages.auditOfRefusal('AD-NEVER', unknownRefused, unknown), unknownReceipt)).toBe(true);
    const unknownLater = { ...unknownRefused, recordedAt: LATER };
    expect(await store.recordRefusal(undefined, unknownLater, messages.auditOfRefusal('AD-NEVER', unknownLater, unknown), receipts.withKind(unknown, LATER, 'HARDCASE_UNKNOWN', 'never reported'))).toBe(false);
    expect(await db().get('receipts', { pk: `RCPT#${unknown.source}#${unknown.id}`, sk: 'RECEIPT' })).toMatchObject({ kind: 'HARDCASE_UNKNOWN' });
    expect((await refusalLines('AD-NEVER')).map((a) => [a.at, a.action, a.causeId])).toEqual([[AT, 'refused:close', unknown.id]]);
    expect(await store.loadCase('AD-NEVER')).toBeUndefined();
  });

  it('keeps the highest sequence of a watch, lists it while due, and closes it with the offered case', async () => {
    const decision = { applicationId: 'AD-APP', itemCode: 'CG-1', departmentCode: 'CGJ', outcome: 'MANUAL_REVIEW' as const, submittedAt: AT, reasons: [] };
    const watch: Watch = { applicationId: 'AD-APP', sequence: 2, decision, item: { promisedDays: 3 }, dueAt: '2026-11-12T15:59:59.999Z' };
    expect(await store.putWatch(watch)).toBe(true);
    expect(await store.putWatch({ ...watch, sequence: 1 })).toBe(false);
    expect(await store.putWatch({ ...watch })).toBe(false);
    expect(await store.dueWatches('2026-11-12T15:59:59.998Z')).not.toContain('AD-APP');
    expect(await store.dueWatches('2026-11-12T16:00:00.000Z')).toContain('AD-APP');
    const hc = opened('offer-AD-APP', '2026-11-12T16:00:00.000Z');
    // A watch moved on (another sequence) makes the offer conflict, and nothing is created.
    expect(await store.writeCase(createWrite(hc, { receipt: undefined, closesWatch: { applicationId: 'AD-APP', sequence: 1 } }))).toBe('conflict');
    expect(await store.loadCase('offer-AD-APP')).toBeUndefined();
    expect(await store.writeCase(createWrite(hc, { receipt: undefined, closesWatch: { applicationId: 'AD-APP', sequence: 2 } }))).toBe('committed');
    expect(await store.dueWatches('2026-11-20T00:00:00.000Z')).not.toContain('AD-APP');
    expect(await store.loadWatch('AD-APP')).toMatchObject({ sequence: 2, offeredCaseId: 'offer-AD-APP' });
    expect((await store.loadWatch('AD-APP'))?.dueAt).toBeUndefined();
    expect(await store.closeWatch('AD-APP', 1, 'x')).toBe(false);
  });

  it('lists due cases by their next deadline and every case of a month by report', async () => {
    const a = opened('AD-M1', '2026-12-01T01:00:00.000Z');
    const b = opened('AD-M2', '2026-12-02T01:00:00.000Z');
    await store.writeCase(createWrite(b, { month: '2026-12', receipt: undefined }));
    await store.writeCase(createWrite(a, { month: '2026-12', receipt: undefined }));
    expect((await store.casesOfMonth('2026-12')).map((c) => c.caseId)).toEqual(['AD-M1', 'AD-M2']);
    const due = await store.dueCases(a.deadlines.contactDue.dueAt);
    expect(due).toContain('AD-M1');
    expect(due).not.toContain('AD-M2');
  });
});
