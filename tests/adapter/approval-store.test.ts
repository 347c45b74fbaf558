/**
 * The approvals table (shared/approval/store.ts) against DynamoDB Local: a first decision created once
 * with its audit line and receipt in one transaction; the group commit's writes; later versions only over
 * the version they were computed from; the overdue flag; conflicts and refusals once; outboxes marked sent;
 * the byDue and byItem index keys the schedule and the figures read.
 */
import { deflateRawSync, gzipSync } from 'node:zlib';
import { jest } from '@jest/globals';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { decisionAudit, conflictAudit, refusalAudit, overdueAudit } from '#approval/domain/audit';
import { decide } from '#approval/domain/decide';
import type { Cause, Decision } from '#approval/domain/decision';
import { onSupplementDeadline, onVerification, supplement } from '#approval/domain/lifecycle';
import { factsOf } from '#approval/domain/replay';
import { onReview } from '#approval/domain/reviewed';
import type { Application } from '#approval/domain/types';
import { conflictReceipt, messagesOf, refusalReceipt, versionReceipt } from '#approval/messages';
import type { FirstDecisionRecord, OutboxRef } from '#approval/ports';
import { receiptKey } from '#platform/receipts';
import { useTestDynamo } from '#support/dynamo';
import { calendar, criminalApp, criminalRecordItem, inputFor, NOW, outdoorAdItem, outdoorApp, posterApp, posterItem, weatherApp, weatherItem } from '../unit/approval/fixtures';

const db = useTestDynamo();
let store: typeof import('#approval/store');
let deadlines: typeof import('#approval/store/deadlines');
let aws: typeof import('#platform/aws');
beforeAll(async () => {
  store = await import('#approval/store');
  deadlines = await import('#approval/store/deadlines');
  aws = await import('#platform/aws');
});
afterEach(() => jest.restoreAllMocks());

const cause = (id: string, type = 'gov.application.submitted'): Cause => ({ source: '/systems/window-acceptance', id, type });
const approvals = (pk: string) => db().partition('approvals', pk);
const item = async (applicationId: string, sk: string) => db().get('approvals', { pk: `APP#${applicationId}`, sk });

function first(application: Application, decision: Decision, event = `e-${application.applicationId}`): FirstDecisionRecord {
  const c = cause(event);
  return {
    application,
    decision,
    cause: c,
    receivedAt: decision.updatedAt,
    audit: decisionAudit(decision, c, `decided:${decision.outcome}`, decision.updatedAt),
    receipt: versionReceipt(decision, c),
  };
}

const firstOf = (application: Application, over: Parameters<typeof inputFor>[2] = {}) => {
  const itemFor = { 'QX-001': weatherItem, 'CG-017': posterItem, 'GA-088': criminalRecordItem }[application.itemCode];
  return first(application, decide(inputFor(application, itemFor, over)));
};

describe('approval store: a first decision', () => {
  it('is created once, with its version, audit line and receipt in one transaction, and no outbox item', async () => {
    const app = weatherApp({ applicationId: 'AD-FIRST-1' });
    const record = firstOf(app);
    expect(await store.approvalStore.createFirstDecision(record)).toBe('stored');

    const items = await approvals('APP#AD-FIRST-1');
    // The first version holds the application: no item of its own.
    expect(items.map((i) => i.sk)).toEqual(['DECISION', 'V#000001']);
    const decision = await item('AD-FIRST-1', 'DECISION');
    expect(decision).toMatchObject({ sequence: 1, outcome: 'APPROVED', itemCode: 'QX-001', itemKey: 'QX-001#AD-FIRST-1' });
    expect(decision!.itemShard).toMatch(/^DECISION#([0-9]|1[0-5])$/);
    expect(decision).not.toHaveProperty('duePk');
    expect(JSON.parse(decision!.body as string)).toEqual(store.currentOf(record.decision));
    // The trace is large: stored once, compressed.
    expect(await item('AD-FIRST-1', 'V#000001')).toMatchObject({ causeKind: 'submitted', causeKey: '/systems/window-acceptance#e-AD-FIRST-1', bodyZ: expect.anything() });

    const audit = await db().get('audit', { pk: 'AUDIT#application:AD-FIRST-1', sk: `${NOW}#decided:APPROVED#/systems/window-acceptance#e-AD-FIRST-1` });
    expect(audit?.details).toMatchObject({ reasonCodes: [], version: 'APP#AD-FIRST-1/V#000001' });
    const receipt = await db().get('receipts', receiptKey('/systems/window-acceptance', 'e-AD-FIRST-1'));
    expect(receipt).toMatchObject({ outcome: 'applied', effect: { id: 'AD-FIRST-1', version: 1, state: 'APPROVED' } });

    const known = await store.loadCase('AD-FIRST-1');
    expect(known.decision).toEqual(JSON.parse(JSON.stringify(record.decision)));
    expect(known.application).toEqual({ application: app, applicationHash: record.decision.applicationHash, cause: cause('e-AD-FIRST-1'), receivedAt: record.receivedAt });
    // An event made it: no outbox item. Its redelivery sends what the stored version derives, which is
    // exactly what the first attempt sent.
    expect(known.versions.map((v) => [v.causeKind, v.pending, v.outbox])).toEqual([['submitted', false, undefined]]);
    expect(messagesOf(known.versions[0]!.decision, 'submitted')).toEqual(JSON.parse(JSON.stringify(messagesOf(record.decision, 'submitted'))));
  });

  it('keeps the application in the facts of the first version when the decision read facts, once', async () => {
    const app = posterApp({ applicationId: 'AD-FACTS-1' });
    const input = inputFor(app, posterItem);
    const record = { ...first(app, decide(input)), facts: factsOf(input), receivedAt: '2026-11-18T02:00:00.123Z' };
    expect(await store.approvalStore.createFirstDecision(record)).toBe('stored');

    const version = await item('AD-FACTS-1', 'V#000001');
    // The decision and the facts it saw, packed in one stream (binary `bodyZ`).
    expect(version).toMatchObject({ receivedAt: '2026-11-18T02:00:00.123Z', bodyZ: expect.anything() });
    expect(version).not.toHaveProperty('application');
    expect(version).not.toHaveProperty('facts');
    const known = await store.loadCase('AD-FACTS-1');
    expect(known.application).toEqual({ application: app, applicationHash: record.decision.applicationHash, cause: cause('e-AD-FACTS-1'), receivedAt: '2026-11-18T02:00:00.123Z' });
    expect(known.versions.map((v) => v.decision.sequence)).toEqual([1]);
    // The same application again (a redelivery), or other content under its id: the first version is there.
    expect(await store.approvalStore.createFirstDecision(record)).toBe('exists');
    const other = posterApp({ applicationId: 'AD-FACTS-1', channel: '自助终端' });
    const otherInput = inputFor(other, posterItem);
    expect(await store.approvalStore.createFirstDecision({ ...first(other, decide(otherInput), 'e-other'), facts: factsOf(otherInput) })).toBe('exists');
    expect((await store.loadCase('AD-FACTS-1')).application?.application).toEqual(app);
  });

  it('reads a first version written before packing: a gzip body and the facts deflated against it', async () => {
    const app = posterApp({ applicationId: 'AD-GZ-1' });
    const input = inputFor(app, posterItem);
    const record = { ...first(app, decide(input)), facts: factsOf(input), receivedAt: '2026-11-18T02:00:00.123Z' };
    await store.approvalStore.createFirstDecision(record);
    const { bodyZ: _packed, ...rest } = (await item('AD-GZ-1', 'V#000001'))!;
    const json = JSON.stringify(record.decision);
    const facts = deflateRawSync(JSON.stringify(record.facts), { level: 9, dictionary: Buffer.from(json) });
    await db().doc.send(new PutCommand({ TableName: db().tables.approvals, Item: { ...rest, bodyGz: gzipSync(json), facts } }));

    const known = await store.loadCase('AD-GZ-1');
    expect(known.application?.application).toEqual(app);
    expect(known.versions.map((v) => v.decision)).toEqual([JSON.parse(json)]);
  });

  it('reads a partition written when the application had an item of its own', async () => {
    const app = weatherApp({ applicationId: 'AD-LEGACY-1' });
    const record = firstOf(app);
    await store.approvalStore.createFirstDecision(record);
    // The layout before: an APPLICATION item, and a first version without the application.
    const { receivedAt: _r, application: _a, ...olderVersion } = (await item('AD-LEGACY-1', 'V#000001'))!;
    await db().doc.send(new PutCommand({ TableName: db().tables.approvals, Item: olderVersion }));
    const legacy = { pk: 'APP#AD-LEGACY-1', sk: 'APPLICATION', kind: 'application', applicationHash: record.decision.applicationHash, cause: record.cause, receivedAt: '2026-11-18T01:59:59.000Z', body: JSON.stringify(app) };
    await db().doc.send(new PutCommand({ TableName: db().tables.approvals, Item: legacy }));

    const known = await store.loadCase('AD-LEGACY-1');
    expect(known.application).toEqual({ application: app, applicationHash: record.decision.applicationHash, cause: record.cause, receivedAt: '2026-11-18T01:59:59.000Z' });
    expect(known.decision).toEqual(JSON.parse(JSON.stringify(record.decision)));
    expect(await store.approvalStore.createFirstDecision(firstOf(app, { now: '2026-11-18T03:00:00.000Z' }))).toBe('exists');
  });

  it("says 'exists' when the application is there, and changes nothing", async () => {
    const app = weatherApp({ applicationId: 'AD-FIRST-2' });
    await store.approvalStore.createFirstDecision(firstOf(app));
    const before = await approvals('APP#AD-FIRST-2');
    const other = weatherApp({ applicationId: 'AD-FIRST-2', channel: '自助终端' });
    expect(await store.approvalStore.createFirstDecision(firstOf(other, { now: '2026-11-18T03:00:00.000Z' }))).toBe('exists');
    expect(await approvals('APP#AD-FIRST-2')).toEqual(before);
  });

  it('throws when another item of the transaction failed its condition (here the audit line): not an existing application', async () => {
    const record = firstOf(weatherApp({ applicationId: 'AD-FIRST-3' }));
    const Item = { pk: 'AUDIT#application:AD-FIRST-3', sk: `${NOW}#decided:APPROVED#/systems/window-acceptance#e-AD-FIRST-3` };
    await db().doc.send(new PutCommand({ TableName: db().tables.audit, Item }));
    await expect(store.approvalStore.createFirstDecision(record)).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(await approvals('APP#AD-FIRST-3')).toEqual([]);
  });

  it('throws a cancelled transaction that is no condition failure (a write conflict)', async () => {
    jest.spyOn(aws.ddb, 'send').mockRejectedValueOnce(
      new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }] }) as never,
    );
    await expect(store.approvalStore.createFirstDecision(firstOf(weatherApp({ applicationId: 'AD-FIRST-4' })))).rejects.toBeInstanceOf(TransactionCanceledException);
  });

  it('writes a group commit\'s first decisions together, a known application reported as a conflict', async () => {
    await store.approvalStore.createFirstDecision(firstOf(weatherApp({ applicationId: 'AD-GROUP-OLD' })));
    const records = ['AD-GROUP-OLD', 'AD-GROUP-1', 'AD-GROUP-2'].map((id) => firstOf(weatherApp({ applicationId: id }), { now: '2026-11-18T02:10:00.000Z' }));
    expect(await store.approvalStore.writeFirstDecisions(records)).toEqual(['conflict', 'committed', 'committed']);
    for (const id of ['AD-GROUP-1', 'AD-GROUP-2']) {
      expect((await approvals(`APP#${id}`)).map((i) => i.sk)).toEqual(['DECISION', 'V#000001']);
      expect(await db().get('receipts', receiptKey('/systems/window-acceptance', `e-${id}`))).toMatchObject({ outcome: 'applied' });
    }
    expect((await item('AD-GROUP-OLD', 'DECISION'))!.updatedAt).toBe(NOW);
  });
});

describe('approval store: later versions and deadlines', () => {
  it('stores a later version only over the one it was computed from, moving the byDue keys with the state', async () => {
    const app = posterApp({ applicationId: 'AD-LATER-1', materials: [{ code: 'APPLY', provided: true }] });
    const record = firstOf(app);
    await store.approvalStore.createFirstDecision(record);
    const pending = record.decision;
    expect(await item('AD-LATER-1', 'DECISION')).toMatchObject({ duePk: 'DUE#SUPPLEMENT', dueAt: pending.supplementDue!.dueAt });
    expect((await deadlines.deadlinesStore.overdue('SUPPLEMENT', '2026-11-23T16:00:00.000Z')).map((d) => d.applicationId)).toContain('AD-LATER-1');
    expect((await deadlines.deadlinesStore.overdue('SUPPLEMENT', pending.supplementDue!.dueAt)).map((d) => d.applicationId)).not.toContain('AD-LATER-1');

    const { application: _a, ...rest } = inputFor(app, posterItem, { now: '2026-11-19T02:00:00.000Z' });
    const t = supplement(pending, app, [{ code: 'SAMPLE', provided: true }], rest);
    if (!t.ok) throw new Error(t.refusal.message);
    const c = cause('m-AD-LATER-1', 'gov.application.materials.supplemented');
    const next = { previous: pending, decision: t.decision, cause: c, causeKind: 'supplemented' as const, outbox: messagesOf(t.decision, 'supplemented').outbox, audit: decisionAudit(t.decision, c, 'supplemented:APPROVED', t.decision.updatedAt), receipt: versionReceipt(t.decision, c) };
    expect(await store.approvalStore.storeTransition(next)).toBe('stored');
    expect(await store.approvalStore.storeTransition(next)).toBe('raced');
    await expect(store.approvalStore.storeTransition({ ...next, previous: t.decision })).rejects.toThrow(/does not follow/);

    const decision = await item('AD-LATER-1', 'DECISION');
    expect(decision).toMatchObject({ sequence: 2, outcome: 'APPROVED' });
    expect(decision).not.toHaveProperty('duePk');
    const known = await store.loadCase('AD-LATER-1');
    expect(known.decision?.sequence).toBe(2);
    expect(known.versions.map((v) => [v.decision.sequence, v.causeKind, v.pending, v.outbox])).toEqual([[1, 'submitted', false, undefined], [2, 'supplemented', false, undefined]]);
    expect((await approvals('APP#AD-LATER-1')).map((i) => i.sk)).toEqual(['DECISION', 'V#000001', 'V#000002']);
  });

  it("stores a person's decision over the manual review: the DECISION keeps who decided, the version the reasons", async () => {
    const app = outdoorApp({ applicationId: 'AD-REVIEWED-1' });
    const manual = decide(inputFor(app, outdoorAdItem));
    await store.approvalStore.createFirstDecision(first(app, manual));
    const at = '2026-11-20T03:00:00.000Z';
    const t = onReview(manual, { outcome: 'APPROVED', reasons: ['现场核查通过'], staffId: 'CGJ-007', at }, { item: outdoorAdItem, now: at, calendar });
    if (!t.ok) throw new Error(t.refusal.message);
    const c = cause('r-AD-REVIEWED-1', 'gov.application.reviewed');
    const next = { previous: manual, decision: t.decision, cause: c, causeKind: 'reviewed' as const, outbox: messagesOf(t.decision, 'reviewed').outbox, audit: decisionAudit(t.decision, c, 'reviewed:APPROVED', at), receipt: versionReceipt(t.decision, c) };
    expect(await store.approvalStore.storeTransition(next)).toBe('stored');
    expect(await store.approvalStore.storeTransition(next)).toBe('raced');

    expect(JSON.parse((await item('AD-REVIEWED-1', 'DECISION'))!.body as string)).toMatchObject({ outcome: 'APPROVED', sequence: 2, review: { staffId: 'CGJ-007', at, outcome: 'APPROVED' } });
    const known = await store.loadCase('AD-REVIEWED-1');
    expect(known.versions.map((v) => [v.decision.sequence, v.causeKind])).toEqual([[1, 'submitted'], [2, 'reviewed']]);
    expect(known.decision).toMatchObject({ review: { reasons: ['现场核查通过'] }, certificateNo: `户外广告设施设置许可-AD-REVIEWED-1` });
    const [current] = (await store.queryDecisions('CG-021')).filter((d) => d.applicationId === 'AD-REVIEWED-1');
    expect(current?.review).toEqual({ staffId: 'CGJ-007', at, outcome: 'APPROVED' });
  });

  it('flags an overdue verification once: the decision leaves DUE#VERIFICATION, the flag has its outbox', async () => {
    const record = firstOf(criminalApp({ applicationId: 'AD-FLAG-1' }));
    await store.approvalStore.createFirstDecision(record);
    const decision = record.decision;
    expect(await item('AD-FLAG-1', 'DECISION')).toMatchObject({ duePk: 'DUE#VERIFICATION', dueAt: decision.verificationDue!.dueAt });
    const at = '2026-12-02T16:00:00.000Z';
    expect((await deadlines.deadlinesStore.overdue('VERIFICATION', at)).map((d) => d.applicationId)).toContain('AD-FLAG-1');

    const flagCause = { source: '/civicflow/approval-deadlines', id: 'verification-overdue:AD-FLAG-1', type: 'civicflow.schedule.approval-deadlines' };
    const flag = { decision, flaggedAt: at, outbox: { outbound: [], effects: [] }, audit: overdueAudit(decision, flagCause, at) };
    expect(await deadlines.deadlinesStore.storeOverdueFlag(flag)).toBe('stored');
    expect(await deadlines.deadlinesStore.storeOverdueFlag(flag)).toBe('raced');
    expect(await item('AD-FLAG-1', 'DECISION')).toMatchObject({ verificationOverdueAt: at });
    expect(await item('AD-FLAG-1', 'DECISION')).not.toHaveProperty('duePk');
    expect((await deadlines.deadlinesStore.overdue('VERIFICATION', at)).map((d) => d.applicationId)).not.toContain('AD-FLAG-1');
    expect((await store.loadCase('AD-FLAG-1')).overdueFlag).toMatchObject({ flaggedAt: at, sequence: 1, pending: true });

    // Only the current version can be flagged.
    const verified = onVerification(decision, { truthful: true, note: '属实' }, '2026-12-03T02:00:00.000Z');
    if (!verified.ok) throw new Error('refused');
    expect(await deadlines.deadlinesStore.storeOverdueFlag({ ...flag, decision: verified.decision })).toBe('raced');
  });
});

describe('approval store: outboxes', () => {
  it("lists the outboxes of the schedule's own changes written before a time and not yet sent; marks any sent, once", async () => {
    // The schedule's changes: an overdue flag (AD-OUT-1) and a TERMINATED version at a supplement deadline (AD-OUT-2).
    const committed = firstOf(criminalApp({ applicationId: 'AD-OUT-1' }));
    await store.approvalStore.createFirstDecision(committed);
    const flaggedAt = '2026-12-02T16:00:00.000Z';
    const flagCause = { source: '/civicflow/approval-deadlines', id: 'verification-overdue:AD-OUT-1', type: 'civicflow.schedule.approval-deadlines' };
    const flag = { decision: committed.decision, flaggedAt, outbox: { outbound: [], effects: [] }, audit: overdueAudit(committed.decision, flagCause, flaggedAt) };
    expect(await deadlines.deadlinesStore.storeOverdueFlag(flag)).toBe('stored');
    const awaiting = firstOf(posterApp({ applicationId: 'AD-OUT-2', materials: [{ code: 'APPLY', provided: true }] }));
    await store.approvalStore.createFirstDecision(awaiting);
    const terminatedAt = '2026-11-23T16:00:00.000Z';
    const terminated = onSupplementDeadline(awaiting.decision, terminatedAt)!;
    const deadlineCause = { source: '/civicflow/approval-deadlines', id: 'supplement-deadline:AD-OUT-2:1', type: 'civicflow.schedule.approval-deadlines' };
    expect(
      await store.approvalStore.storeTransition({
        previous: awaiting.decision,
        decision: terminated,
        cause: deadlineCause,
        causeKind: 'supplementDeadline',
        outbox: messagesOf(terminated, 'supplementDeadline').outbox,
        audit: decisionAudit(terminated, deadlineCause, 'supplementDeadline:TERMINATED', terminatedAt),
      }),
    ).toBe('stored');
    // A change an event made (AD-OUT-3): no outbox item; its redelivery sends what its version derives.
    await store.approvalStore.createFirstDecision(firstOf(weatherApp({ applicationId: 'AD-OUT-3' })));

    const listed = async (before: string) => (await deadlines.deadlinesStore.unsentOutboxes(before)).filter((r) => r.applicationId.startsWith('AD-OUT-'));
    expect(await listed('2026-12-03T00:00:00.000Z')).toEqual(
      expect.arrayContaining<OutboxRef>([
        { applicationId: 'AD-OUT-1', of: 'overdueFlag' },
        { applicationId: 'AD-OUT-2', of: 'version', sequence: 2 },
      ]),
    );
    expect(await listed('2026-12-03T00:00:00.000Z')).toHaveLength(2);
    expect(await listed(flaggedAt)).toEqual([{ applicationId: 'AD-OUT-2', of: 'version', sequence: 2 }]);
    expect(await item('AD-OUT-2', 'OUTBOX#V#000002')).toMatchObject({ duePk: 'OUTBOX', dueAt: terminatedAt });
    // Only the schedule's changes have outbox items.
    for (const id of ['AD-OUT-1', 'AD-OUT-2', 'AD-OUT-3']) {
      expect((await approvals(`APP#${id}`)).filter((i) => (i.sk as string).startsWith('OUTBOX#')).map((i) => i.sk)).toEqual(
        { 'AD-OUT-1': ['OUTBOX#FLAG#VERIFICATION_OVERDUE'], 'AD-OUT-2': ['OUTBOX#V#000002'], 'AD-OUT-3': [] }[id],
      );
    }
    expect((await store.loadCase('AD-OUT-2')).versions.map((v) => [v.pending, v.outbox])).toEqual([
      [false, undefined],
      [true, JSON.parse(JSON.stringify(messagesOf(terminated, 'supplementDeadline').outbox))],
    ]);

    const flagRef: OutboxRef = { applicationId: 'AD-OUT-1', of: 'overdueFlag' };
    const terminatedRef: OutboxRef = { applicationId: 'AD-OUT-2', of: 'version', sequence: 2 };
    for (const ref of [flagRef, terminatedRef]) {
      await store.approvalStore.markSent(ref, '2026-12-03T00:00:01.000Z');
      await store.approvalStore.markSent(ref, '2026-12-03T00:00:02.000Z'); // a concurrent sender's
    }
    expect(await listed('2026-12-03T00:00:00.000Z')).toEqual([]);
    for (const [id, sk] of [
      ['AD-OUT-1', 'OUTBOX#FLAG#VERIFICATION_OVERDUE'],
      ['AD-OUT-2', 'OUTBOX#V#000002'],
    ] as const) {
      const marked = await item(id, sk);
      expect(marked).toMatchObject({ sentAt: '2026-12-03T00:00:01.000Z' });
      expect(marked).not.toHaveProperty('duePk');
      expect(marked).not.toHaveProperty('pending');
    }
    expect((await store.loadCase('AD-OUT-1')).overdueFlag).toMatchObject({ pending: false });
    expect((await store.loadCase('AD-OUT-2')).versions.map((v) => v.pending)).toEqual([false, false]);
    // Marking a version that has no item changes nothing (its condition fails, quietly).
    await store.approvalStore.markSent({ applicationId: 'AD-OUT-3', of: 'version', sequence: 1 }, '2026-12-03T00:00:01.000Z');
    expect((await approvals('APP#AD-OUT-3')).map((i) => i.sk)).toEqual(['DECISION', 'V#000001']);
  });

  // An event's outbox item as the store wrote them before: in the byDue index, then only `pending`.
  const oldOutbox = (record: ReturnType<typeof firstOf>, waiting: Record<string, unknown>) => ({
    pk: `APP#${record.application.applicationId}`,
    sk: 'OUTBOX#V#000001',
    kind: 'outbox',
    outbox: JSON.stringify(messagesOf(record.decision, 'submitted').outbox),
    ...waiting,
  });

  it('still reads, and marks sent, an outbox item an event\'s version was written with before (pending, in no index)', async () => {
    const record = firstOf(weatherApp({ applicationId: 'AD-OUT-PENDING' }));
    await store.approvalStore.createFirstDecision(record);
    await db().doc.send(new PutCommand({ TableName: db().tables.approvals, Item: oldOutbox(record, { pending: true }) }));
    const stored = JSON.parse(JSON.stringify(messagesOf(record.decision, 'submitted').outbox));
    expect((await store.loadCase('AD-OUT-PENDING')).versions[0]).toMatchObject({ pending: true, outbox: stored });
    await store.approvalStore.markSent({ applicationId: 'AD-OUT-PENDING', of: 'version', sequence: 1 }, '2026-12-03T00:00:01.000Z');
    expect((await store.loadCase('AD-OUT-PENDING')).versions[0]).toMatchObject({ pending: false, outbox: stored });
    expect(await item('AD-OUT-PENDING', 'OUTBOX#V#000001')).not.toHaveProperty('pending');
  });

  it('still lists, and marks sent, an outbox written when every outbox was in the byDue index', async () => {
    const record = firstOf(weatherApp({ applicationId: 'AD-OUT-OLD' }), { now: '2026-10-01T02:00:00.000Z' });
    await store.approvalStore.createFirstDecision(record);
    await db().doc.send(new PutCommand({ TableName: db().tables.approvals, Item: oldOutbox(record, { duePk: 'OUTBOX', dueAt: '2026-10-01T02:00:00.000Z' }) }));
    expect((await store.loadCase('AD-OUT-OLD')).versions[0]).toMatchObject({ pending: true });
    expect(await deadlines.deadlinesStore.unsentOutboxes('2026-10-01T02:00:00.001Z')).toContainEqual({ applicationId: 'AD-OUT-OLD', of: 'version', sequence: 1 });
    await store.approvalStore.markSent({ applicationId: 'AD-OUT-OLD', of: 'version', sequence: 1 }, '2026-10-01T02:00:01.000Z');
    expect(await deadlines.deadlinesStore.unsentOutboxes('2026-10-01T02:00:00.001Z')).not.toContainEqual(expect.objectContaining({ applicationId: 'AD-OUT-OLD' }));
    expect((await store.loadCase('AD-OUT-OLD')).versions[0]).toMatchObject({ pending: false });
  });
});

describe('approval store: conflicts, refusals, receipts', () => {
  it('records a conflicting resubmission once, with its audit line and a refused receipt', async () => {
    const app = weatherApp({ applicationId: 'AD-CONFLICT-1' });
    const c = cause('e-AD-CONFLICT-9');
    const conflict = {
      application: app,
      applicationHash: 'h-new',
      storedHash: 'h-old',
      cause: c,
      receivedAt: NOW,
      audit: conflictAudit(app.applicationId, 'h-new', 'h-old', c, NOW),
      receipt: conflictReceipt(app.applicationId, 'h-new', 'h-old', c, NOW),
    };
    expect(await store.approvalStore.recordConflict(conflict)).toBe(true);
    expect(await store.approvalStore.recordConflict(conflict)).toBe(false);
    expect((await store.loadCase('AD-CONFLICT-1')).conflicts).toEqual([{ cause: c, receivedAt: NOW, applicationHash: 'h-new', storedHash: 'h-old', application: app }]);
    expect(await db().get('receipts', receiptKey(c.source, c.id))).toMatchObject({ outcome: 'refused', kind: 'APPLICATION_CONFLICT', refusedBy: c.source });
  });

  it('says which ids a single-item application holds (its DECISION, read strongly consistent), not a bundle\'s', async () => {
    await store.approvalStore.createFirstDecision(firstOf(weatherApp({ applicationId: 'AD-HELD-1' })));
    await db().doc.send(new PutCommand({ TableName: db().tables.approvals, Item: { pk: 'BUNDLE#AD-HELD-2', sk: 'STATE', sequence: 1 } }));
    expect(await store.approvalStore.heldIds([])).toEqual(new Set());
    expect(await store.approvalStore.heldIds(['AD-HELD-1', 'AD-HELD-2', 'AD-HELD-NONE', 'AD-HELD-1'])).toEqual(new Set(['AD-HELD-1']));
  });

  it('records a refused later event once', async () => {
    const c = cause('v-AD-REFUSED-1', 'gov.application.verification.reported');
    const message = '申请当前状态为 APPROVED，不是告知承诺审批';
    const refusal = {
      applicationId: 'AD-REFUSED-1',
      cause: c,
      at: NOW,
      code: 'NOT_APPROVED_ON_COMMITMENT' as const,
      message,
      audit: refusalAudit('AD-REFUSED-1', c, NOW, 'NOT_APPROVED_ON_COMMITMENT', message),
      receipt: refusalReceipt('AD-REFUSED-1', c, NOW, 'NOT_APPROVED_ON_COMMITMENT', message),
    };
    expect(await store.approvalStore.recordRefusal(refusal)).toBe(true);
    expect(await store.approvalStore.recordRefusal(refusal)).toBe(false);
    expect((await store.loadCase('AD-REFUSED-1')).refusals).toEqual([{ cause: c, at: NOW, code: 'NOT_APPROVED_ON_COMMITMENT', message }]);
    expect(await db().get('receipts', receiptKey(c.source, c.id))).toMatchObject({ kind: 'NOT_APPROVED_ON_COMMITMENT' });
  });

  it('records a receipt on its own create-only: a redelivery keeps the first', async () => {
    const c = cause('e-AD-RECEIPT-1');
    const receipt = conflictReceipt('AD-RECEIPT-1', 'a', 'b', c, NOW);
    await store.approvalStore.recordReceipt(receipt);
    await store.approvalStore.recordReceipt({ ...receipt, reason: 'another', at: '2026-11-19T00:00:00.000Z' });
    expect(await db().get('receipts', receiptKey(c.source, c.id))).toMatchObject({ reason: receipt.reason, at: NOW });
  });
});

describe('approval store: current decisions (byItem)', () => {
  it('reads every current decision, or one item\'s, across the shards', async () => {
    const ids = Array.from({ length: 6 }, (_, i) => `AD-BYITEM-${i}`);
    for (const [i, id] of ids.entries()) {
      const app = i % 2 === 0 ? weatherApp({ applicationId: id }) : posterApp({ applicationId: id });
      await store.approvalStore.createFirstDecision(firstOf(app));
    }
    const weather = (await store.queryDecisions('QX-001')).filter((d) => d.applicationId.startsWith('AD-BYITEM-'));
    expect(weather.map((d) => d.applicationId).sort()).toEqual(['AD-BYITEM-0', 'AD-BYITEM-2', 'AD-BYITEM-4']);
    expect(weather[0]).not.toHaveProperty('trace');
    const all = (await store.queryDecisions()).filter((d) => d.applicationId.startsWith('AD-BYITEM-'));
    expect(all).toHaveLength(6);
    expect(new Set(all.map((d) => store.decisionIndexKeys(d.applicationId, d.itemCode).itemShard)).size).toBeGreaterThan(1);
  });
});
