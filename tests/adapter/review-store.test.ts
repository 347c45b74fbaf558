/**
 * The reviews table (shared/review/store.ts) against DynamoDB Local: a change written all together or not
 * at all, on the version it was decided on; the group commit's transactions (each counter row added once
 * per transaction, split at 100 items, a failed condition pinned on the change that owns it); the outbox;
 * refusals and receipts recorded once; the sparse byDue index the schedule reads; and a 差评 through the
 * use cases on the real table.
 */
import { jest } from '@jest/globals';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { OutboundEvent } from '#contract/outbound';
import type { Receipt } from '#platform/receipts';
import type { FigureSubject } from '#review/domain/types';
import type { ReviewChange } from '#review/ports';
import { useTestDynamo } from '#support/dynamo';
import { MemoryLog, MemoryMetrics, MemoryOutbound, shanghai } from '#support/memory/review';

const db = useTestDynamo();
let reviewStore: typeof import('#review/store');
let aws: typeof import('#platform/aws');
let ports: typeof import('#review/ports');
let service: typeof import('#review/service');
beforeAll(async () => {
  reviewStore = await import('#review/store');
  aws = await import('#platform/aws');
  ports = await import('#review/ports');
  service = await import('#review/service');
});
afterEach(() => jest.restoreAllMocks());

const store = () => reviewStore.dynamoReviewStore;
const NOVEMBER = { granularity: 'month', value: '2026-11' } as const;

const subject = (caseId: string, departmentCode: string): FigureSubject => ({
  caseId,
  departmentCode,
  itemCode: 'SJ-0001',
  channel: 'window',
  completedDay: '2026-11-02',
  completedMonth: '2026-11',
});

/** A case completed: created once (no version yet), one completed case in every row of its subject. */
function completion(caseId: string, department: string, extra: Partial<ReviewChange> = {}): ReviewChange {
  return {
    caseId,
    caseWrite: { expectedVersion: undefined, version: 1 },
    figureDeltas: [{ subject: subject(caseId, department), add: { completedCases: 1 } }],
    audits: [{ subject: `case:${caseId}`, action: 'case:completed', actor: 'test', at: '2026-11-02T01:00:00.000Z', why: 'completed', causeId: `completed:${caseId}` }],
    ...extra,
  };
}

const event = (caseId: string, n: number): OutboundEvent => ({
  type: 'gov.review.invited',
  id: `gov.review.invited:${caseId}:${n}`,
  subject: caseId,
  time: '2026-11-02T01:00:00.000Z',
  data: { caseId },
});

let serial = 0;
const receipt = (): Receipt => ({ source: '/systems/adapter-test', id: `rv-${++serial}`, type: 'gov.case.completed', outcome: 'applied', at: '2026-11-02T01:00:00.000Z' });

type Sent = { input: { TransactItems?: { Put?: { Item: Record<string, unknown> }; Update?: { Key: Record<string, string>; UpdateExpression: string; ExpressionAttributeValues: Record<string, unknown> } }[] } };
/** The TransactWriteItems requests sent while `fn` ran (they still reach DynamoDB Local). */
async function transactions<T>(fn: () => Promise<T>, fail: Array<(items: NonNullable<Sent['input']['TransactItems']>) => void> = []): Promise<{ result: T; sent: NonNullable<Sent['input']['TransactItems']>[] }> {
  const sent: NonNullable<Sent['input']['TransactItems']>[] = [];
  const send = aws.ddb.send.bind(aws.ddb);
  jest.spyOn(aws.ddb, 'send').mockImplementation((async (command: Sent) => {
    const items = command.input.TransactItems;
    if (items) {
      sent.push(items);
      fail.shift()?.(items);
    }
    return send(command as never);
  }) as never);
  const result = await fn();
  jest.restoreAllMocks();
  return { result, sent };
}

function cancelled(codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });
}

const casePuts = (items: NonNullable<Sent['input']['TransactItems']>) => items.filter((i) => i.Put?.Item.sk === 'STATE').map((i) => i.Put!.Item.caseId);
const counterRows = (items: NonNullable<Sent['input']['TransactItems']>) => items.filter((i) => i.Update);
const completedIn = async (department: string) => (await reviewStore.getCounters('department', department, NOVEMBER)).completedCases;

describe('review store: one change', () => {
  it('writes state, counters, audit line, refusal, outbox and receipt together, and loads them back', async () => {
    const rcpt = receipt();
    await store().commit(
      completion('ADP-C1', 'ADP-D1', {
        rejections: [{ kind: 'review', ref: 'R-X', code: 'ITEM_MISMATCH', reason: 'r', at: '2026-11-02T01:00:00.000Z', recordedAt: '2026-11-02T01:00:01.000Z', details: {} }],
        outbound: [event('ADP-C1', 1)],
        receipts: [rcpt],
      }),
    );
    const bundle = await store().loadCase('ADP-C1');
    expect(bundle).toMatchObject({ caseId: 'ADP-C1', record: { version: 1, parked: [] }, rejections: [{ ref: 'R-X', code: 'ITEM_MISMATCH' }], outbox: [event('ADP-C1', 1)] });
    expect(await completedIn('ADP-D1')).toBe(1);
    expect((await db().partition('audit', 'AUDIT#case:ADP-C1')).map((a) => a.action)).toEqual(['case:completed']);
    expect(await db().get('receipts', { pk: `RCPT#${rcpt.source}#${rcpt.id}`, sk: 'RECEIPT' })).toMatchObject({ outcome: 'applied' });
  });

  it('refuses a change decided on a version that moved on, and writes none of it', async () => {
    await store().commit(completion('ADP-C2', 'ADP-D2'));
    await expect(store().commit(completion('ADP-C2', 'ADP-D2', { outbound: [event('ADP-C2', 1)] }))).rejects.toBeInstanceOf(ports.VersionConflict);
    await expect(store().commit({ caseId: 'ADP-C2', caseWrite: { expectedVersion: 7, version: 8 } })).rejects.toBeInstanceOf(ports.VersionConflict);
    expect(await completedIn('ADP-D2')).toBe(1);
    expect((await store().loadCase('ADP-C2')).outbox).toEqual([]);
    // On the version it loaded, the next change is written.
    await store().commit({ caseId: 'ADP-C2', caseWrite: { expectedVersion: 1, version: 2, parked: [] } });
    expect((await store().loadCase('ADP-C2')).record?.version).toBe(2);
  });

  it('clears published events from the outbox, and only those', async () => {
    await store().commit(completion('ADP-C3', 'ADP-D3', { outbound: [event('ADP-C3', 1), event('ADP-C3', 2)] }));
    await store().clearOutbox([{ caseId: 'ADP-C3', outbound: [event('ADP-C3', 1)] }]);
    expect((await store().loadCase('ADP-C3')).outbox).toEqual([event('ADP-C3', 2)]);
  });
});

describe('review store: a batch\'s cases read ahead (loadCases)', () => {
  it('reads many cases, a SELECT per 50, each as loadCase reads it: state, rectification, refusals and outbox in order', async () => {
    const refusal = (ref: string) => ({ kind: 'review' as const, ref, code: 'ITEM_MISMATCH', reason: ref, at: '2026-11-02T01:00:00.000Z', recordedAt: '2026-11-02T01:00:01.000Z', details: {} });
    // One case with more items than a page of a SELECT holds in AWS (ten), refusals and events out of key order.
    await store().commit(
      completion('ADP-LC1', 'ADP-DL', {
        rejections: ['R-9', 'R-10', 'R-1', '评-1'].map(refusal),
        outbound: [12, 3, 7, 1, 11, 2, 10, 4, 9, 5, 8, 6].map((n) => event('ADP-LC1', n)),
      }),
    );
    await store().commit(completion('ADP-LC2', 'ADP-DL', { rectWrite: { expectedVersion: undefined, rect: { caseId: 'ADP-LC2', version: 1 } as never } }));
    for (let n = 3; n <= 55; n++) await store().commit(completion(`ADP-LC${n}`, 'ADP-DL'));
    const ids = [...Array.from({ length: 55 }, (_, i) => `ADP-LC${i + 1}`), 'ADP-LC-NONE'];
    const selects: unknown[] = [];
    const send = aws.ddb.send.bind(aws.ddb);
    jest.spyOn(aws.ddb, 'send').mockImplementation((async (command: { constructor: { name: string }; input: unknown }) => {
      selects.push(command.constructor.name);
      return send(command as never);
    }) as never);
    const ahead = await store().loadCases!(ids);
    jest.restoreAllMocks();
    // 56 cases: two SELECTs (50 keys each at the most) where loadCase would send 56 Queries.
    expect(selects).toEqual(['ExecuteStatementCommand', 'ExecuteStatementCommand']);
    expect([...ahead.keys()]).toEqual(ids);
    for (const id of ids) expect([id, ahead.get(id)]).toEqual([id, await store().loadCase(id)]);
    expect(ahead.get('ADP-LC1')!.outbox).toHaveLength(12);
    expect(ahead.get('ADP-LC2')!.rectification).toEqual({ caseId: 'ADP-LC2', version: 1 });
    expect(ahead.get('ADP-LC-NONE')).toEqual({ caseId: 'ADP-LC-NONE', rejections: [], outbox: [] });
  });
});

describe('review store: the group commit (commitMany)', () => {
  it('writes ten cases in one transaction with each counter row once, summed', async () => {
    const changes = Array.from({ length: 10 }, (_, i) => completion(`ADP-G${i}`, 'ADP-DG'));
    const { result, sent } = await transactions(() => store().commitMany(changes));
    expect(result).toEqual(Array(10).fill('committed'));
    expect(sent).toHaveLength(1);
    expect(casePuts(sent[0]!)).toEqual(changes.map((c) => c.caseId));
    const rows = counterRows(sent[0]!);
    for (const row of rows) expect(row.Update!.ExpressionAttributeValues[':c0']).toBe(10);
    // As many rows as one case alone writes: every case of the batch shares them.
    const alone = await transactions(() => store().commitMany([completion('ADP-G-alone', 'ADP-DG')]));
    expect(counterRows(alone.sent[0]!).length).toBe(rows.length);
    // The row department, channel and district share, and the item's, on the day of completion (no staff member).
    expect(rows).toHaveLength(2);
    expect(await completedIn('ADP-DG')).toBe(11);
    // A row is its key and its counters: dimension, period and key are in pk and sk, and nothing else is set.
    for (const row of rows) expect(row.Update!.UpdateExpression).toMatch(/^ADD #c0 :c0(, #c\d+ :c\d+)*$/);
    const shared = 'FIG#departmentChannelDistrict#day#2026-11-02';
    expect(await db().partition('reviews', shared)).toContainEqual({ pk: shared, sk: '["ADP-DG","window",""]', completedCases: 11 });
  });

  it('splits at 100 items per transaction and still adds each case once', async () => {
    const changes = Array.from({ length: 60 }, (_, i) => completion(`ADP-S${i}`, 'ADP-DS'));
    const { result, sent } = await transactions(() => store().commitMany(changes));
    expect(result).toEqual(Array(60).fill('committed'));
    expect(sent.length).toBeGreaterThan(1);
    for (const items of sent) expect(items.length).toBeLessThanOrEqual(100);
    expect(sent.flatMap(casePuts)).toEqual(changes.map((c) => c.caseId));
    expect(await completedIn('ADP-DS')).toBe(60);
  });

  it('pins a failed condition on the change that owns the item and writes the others without it', async () => {
    await store().commit({ caseId: 'ADP-PB', caseWrite: { expectedVersion: undefined, version: 1 } });
    const changes = [completion('ADP-PA', 'ADP-DP'), completion('ADP-PB', 'ADP-DP'), completion('ADP-PC', 'ADP-DP')];
    const { result, sent } = await transactions(() => store().commitMany(changes));
    expect(result).toEqual(['committed', 'conflict', 'committed']);
    expect(sent).toHaveLength(2);
    expect(casePuts(sent[1]!)).toEqual(['ADP-PA', 'ADP-PC']);
    expect(await completedIn('ADP-DP')).toBe(2);
    expect((await db().partition('audit', 'AUDIT#case:ADP-PB'))).toEqual([]);
  });

  it('tries a transaction conflict again, then leaves the changes to their own reload-and-decide', async () => {
    const conflict = (items: NonNullable<Sent['input']['TransactItems']>) => {
      throw cancelled(items.map((i) => (i.Update ? 'TransactionConflict' : 'None')));
    };
    const once = await transactions(() => store().commitMany([completion('ADP-T1', 'ADP-DT')]), [conflict]);
    expect(once.result).toEqual(['committed']);
    expect(once.sent).toHaveLength(2);
    const always = await transactions(() => store().commitMany([completion('ADP-T2', 'ADP-DT'), completion('ADP-T3', 'ADP-DT')]), [conflict, conflict, conflict]);
    expect(always.result).toEqual(['conflict', 'conflict']);
    expect(always.sent).toHaveLength(3);
    expect(await completedIn('ADP-DT')).toBe(1);
  });

  it('fails the changes of a transaction DynamoDB did not take (not a cancellation), and only those', async () => {
    const changes = Array.from({ length: 60 }, (_, i) => completion(`ADP-F${i}`, 'ADP-DF'));
    const down = () => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' });
    };
    const { result, sent } = await transactions(() => store().commitMany(changes), [down]);
    const firstSize = casePuts(sent[0]!).length;
    expect(result.slice(0, firstSize)).toEqual(Array(firstSize).fill('failed'));
    expect(result.slice(firstSize)).toEqual(Array(60 - firstSize).fill('committed'));
    expect(await completedIn('ADP-DF')).toBe(60 - firstSize);
  });
});

describe('review store: refusals and receipts', () => {
  it('records a refusal with its audit line and receipt once; a second time keeps the first', async () => {
    const rejection = { kind: 'step' as const, ref: 'ADP-R1|rectify|2026-11-02T01:00:00.000Z', code: 'ACTION_NOT_ALLOWED', reason: 'first', at: '2026-11-02T01:00:00.000Z', recordedAt: '2026-11-02T01:00:01.000Z', details: {} };
    const audit = { subject: 'rectification:ADP-R1', action: 'refused:rectify', actor: 'D/S', at: '2026-11-02T01:00:01.000Z', why: 'first', causeId: rejection.ref };
    const first = receipt();
    expect(await store().recordRejection('ADP-R1', rejection, audit, first)).toBe(true);
    expect(await store().recordRejection('ADP-R1', { ...rejection, reason: 'second' }, { ...audit, at: '2026-11-02T01:00:02.000Z' }, receipt())).toBe(false);
    expect((await store().loadCase('ADP-R1')).rejections).toEqual([rejection]);
    expect(await db().partition('audit', 'AUDIT#rectification:ADP-R1')).toHaveLength(1);
    expect(await db().get('receipts', { pk: `RCPT#${first.source}#${first.id}`, sk: 'RECEIPT' })).toBeDefined();
  });

  it('records a receipt of an event that changed nothing once: the first outcome stands', async () => {
    const r = { ...receipt(), outcome: 'noEffect' as const, kind: 'DUPLICATE' as const, reason: 'first' };
    await store().recordReceipt(r);
    await store().recordReceipt({ ...r, reason: 'second' });
    expect(await db().get('receipts', { pk: `RCPT#${r.source}#${r.id}`, sk: 'RECEIPT' })).toMatchObject({ reason: 'first' });
  });
});

describe('review store: the byDue index and figure rows', () => {
  it('lists the cases and rectifications whose due instant has come, and drops what is no longer due', async () => {
    const rect = (caseId: string, dueAt?: string) => ({ caseId, rectWrite: { expectedVersion: undefined, rect: { caseId, version: 1 } as never, ...(dueAt ? { dueAt } : {}) } });
    await store().commit({ caseId: 'ADP-DUE1', caseWrite: { expectedVersion: undefined, version: 1, dueAt: '2031-01-01T00:00:00.000Z' } });
    await store().commit({ caseId: 'ADP-DUE2', caseWrite: { expectedVersion: undefined, version: 1, dueAt: '2031-01-03T00:00:00.000Z' } });
    await store().commit(rect('ADP-DUE3', '2031-01-01T12:00:00.000Z'));
    const due = (queue: 'invite' | 'rectification', now: string) => store().dueCaseIds(queue, now).then((ids) => ids.filter((id) => id.startsWith('ADP-DUE')).sort());
    expect(await due('invite', '2031-01-02T00:00:00.000Z')).toEqual(['ADP-DUE1']);
    expect(await due('invite', '2031-01-03T00:00:00.000Z')).toEqual(['ADP-DUE1', 'ADP-DUE2']);
    expect(await due('rectification', '2031-01-02T00:00:00.000Z')).toEqual(['ADP-DUE3']);
    // Written again with nothing left to fall due: out of the index.
    await store().commit({ caseId: 'ADP-DUE1', caseWrite: { expectedVersion: 1, version: 2 } });
    expect(await due('invite', '2031-01-03T00:00:00.000Z')).toEqual(['ADP-DUE2']);
  });

  it('lists a dimension\'s rows of a period by key, and reads a row never counted as zeros', async () => {
    await store().commitMany([completion('ADP-L1', 'ADP-LB'), completion('ADP-L2', 'ADP-LA'), completion('ADP-L3', 'ADP-LB')]);
    const rows = (await store().listCounters('department', NOVEMBER)).filter((r) => r.key.startsWith('ADP-L'));
    expect(rows.map((r) => [r.key, r.counters.completedCases])).toEqual([['ADP-LA', 1], ['ADP-LB', 2]]);
    expect(await reviewStore.getCounters('department', 'ADP-NEVER', NOVEMBER)).toMatchObject({ completedCases: 0, points: 0 });
  });

  it('keeps a row per day only, and reads a month as the sum of its days, the last day and no other month\'s included', async () => {
    const on = (caseId: string, department: string, completedDay: string): ReviewChange => ({
      ...completion(caseId, department),
      figureDeltas: [{ subject: { ...subject(caseId, department), completedDay, completedMonth: completedDay.slice(0, 7) }, add: { completedCases: 1, level5: 1, points: 10 } }],
    });
    const { sent } = await transactions(() =>
      store().commitMany([on('ADP-M1', 'ADP-MA', '2026-11-01'), on('ADP-M2', 'ADP-MA', '2026-11-30'), on('ADP-M3', 'ADP-MB', '2026-11-30'), on('ADP-M4', 'ADP-MA', '2026-12-01')]),
    );
    // Rows of a day only (the shared row and the item's); none for a month, and none of the dimensions read from the shared rows.
    const keys = sent.flatMap(counterRows).map((i) => i.Update!.Key.pk!);
    expect(new Set(keys.map((pk) => pk.split('#')[1]))).toEqual(new Set(['departmentChannelDistrict', 'item']));
    expect(keys.filter((pk) => pk.includes('#month#'))).toEqual([]);
    expect(new Set(keys.filter((pk) => pk.startsWith('FIG#departmentChannelDistrict#')))).toEqual(
      new Set(['FIG#departmentChannelDistrict#day#2026-11-01', 'FIG#departmentChannelDistrict#day#2026-11-30', 'FIG#departmentChannelDistrict#day#2026-12-01']),
    );

    expect(await reviewStore.getCounters('department', 'ADP-MA', NOVEMBER)).toMatchObject({ completedCases: 2, level5: 2, points: 20 });
    expect(await reviewStore.getCounters('department', 'ADP-MA', { granularity: 'day', value: '2026-11-30' })).toMatchObject({ completedCases: 1 });
    expect(await reviewStore.getCounters('department', 'ADP-MA', { granularity: 'month', value: '2026-12' })).toMatchObject({ completedCases: 1 });
    const rows = (await store().listCounters('department', NOVEMBER)).filter((r) => r.key.startsWith('ADP-M'));
    expect(rows.map((r) => [r.key, r.counters.completedCases, r.counters.points])).toEqual([['ADP-MA', 2, 20], ['ADP-MB', 1, 10]]);
    const day = (await store().listCounters('department', { granularity: 'day', value: '2026-11-30' })).filter((r) => r.key.startsWith('ADP-M'));
    expect(day.map((r) => [r.key, r.counters.completedCases])).toEqual([['ADP-MA', 1], ['ADP-MB', 1]]);
  });

  it('reads all and channel from the shared rows, of a day and of a month', async () => {
    const via = (caseId: string, channel: string, completedDay: string): ReviewChange => ({
      ...completion(caseId, 'ADP-AD'),
      figureDeltas: [{ subject: { ...subject(caseId, 'ADP-AD'), channel, completedDay, completedMonth: completedDay.slice(0, 7) }, add: { completedCases: 1, level1: channel === 'web' ? 1 : 0 } }],
    });
    await store().commitMany([via('ADP-A1', 'window', '2027-03-01'), via('ADP-A2', 'web', '2027-03-01'), via('ADP-A3', 'web', '2027-03-31'), via('ADP-A4', 'window', '2027-04-01')]);
    const march = { granularity: 'month', value: '2027-03' } as const;
    expect(await store().listCounters('all', march)).toEqual([{ key: 'all', counters: expect.objectContaining({ completedCases: 3, level1: 2 }) }]);
    expect(await reviewStore.getCounters('all', 'all', march)).toMatchObject({ completedCases: 3, level1: 2 });
    expect(await reviewStore.getCounters('all', 'all', { granularity: 'day', value: '2027-03-01' })).toMatchObject({ completedCases: 2, level1: 1 });
    expect(await reviewStore.getCounters('all', 'all', { granularity: 'day', value: '2027-03-02' })).toMatchObject({ completedCases: 0 });
    expect((await store().listCounters('channel', march)).map((r) => [r.key, r.counters.completedCases])).toEqual([['web', 2], ['window', 1]]);
  });

  it('reads one department\'s figures from its own shared rows only, by their key\'s prefix', async () => {
    const on = (caseId: string, department: string, channel: string): ReviewChange => ({
      ...completion(caseId, department),
      figureDeltas: [{ subject: { ...subject(caseId, department), channel, completedDay: '2027-06-01', completedMonth: '2027-06' }, add: { completedCases: 1 } }],
    });
    await store().commitMany([on('ADP-P1', 'ADP-P', 'window'), on('ADP-P2', 'ADP-P', 'web'), on('ADP-P3', 'ADP-P0', 'window'), on('ADP-P4', 'ADP-PX', 'web')]);
    const queries: string[] = [];
    const send = aws.ddb.send.bind(aws.ddb);
    jest.spyOn(aws.ddb, 'send').mockImplementation((async (command: { input: { KeyConditionExpression?: string; ExpressionAttributeValues?: Record<string, unknown> } }) => {
      const { KeyConditionExpression: condition, ExpressionAttributeValues: values } = command.input;
      if (condition !== undefined) queries.push(`${condition} ${JSON.stringify(values)}`);
      return send(command as never);
    }) as never);
    expect(await reviewStore.getCounters('department', 'ADP-P', { granularity: 'day', value: '2027-06-01' })).toMatchObject({ completedCases: 2 });
    expect(queries).toEqual([
      'pk = :pk AND begins_with(sk, :sk) {":pk":"FIG#departmentChannelDistrict#day#2027-06-01",":sk":"[\\"ADP-P\\","}',
      'pk = :pk AND sk = :sk {":pk":"FIG#department#day#2027-06-01",":sk":"ADP-P"}',
    ]);
    jest.restoreAllMocks();
    expect(await reviewStore.getCounters('department', 'ADP-P0', { granularity: 'month', value: '2027-06' })).toMatchObject({ completedCases: 1 });
    expect(await reviewStore.getCounters('channel', 'web', { granularity: 'day', value: '2027-06-01' })).toMatchObject({ completedCases: 2 });
  });

  it('adds the rows department, channel, district and all had of their own, as days stored before the shared rows have them', async () => {
    const day = '2027-05-10';
    const put = (dimension: string, key: string, completedCases: number, level1 = 0) =>
      db().doc.send(new PutCommand({ TableName: db().tables.reviews, Item: { pk: `FIG#${dimension}#day#${day}`, sk: key, completedCases, level1 } }));
    // Counted before the shared rows: each dimension's own rows (all was read from the channel rows).
    await put('department', 'ADP-OLD', 2, 1);
    await put('channel', 'window', 2, 1);
    await put('district', '440399', 2, 1);
    // Counted after: the same department, channel and district, and another district.
    const later = (caseId: string, district: string): ReviewChange => ({
      ...completion(caseId, 'ADP-OLD'),
      figureDeltas: [{ subject: { ...subject(caseId, 'ADP-OLD'), district, completedDay: day, completedMonth: day.slice(0, 7) }, add: { completedCases: 1 } }],
    });
    await store().commitMany([later('ADP-OLD1', '440399'), later('ADP-OLD2', '440388')]);
    const may = { granularity: 'month', value: '2027-05' } as const;
    for (const period of [may, { granularity: 'day', value: day } as const]) {
      expect(await reviewStore.getCounters('department', 'ADP-OLD', period)).toMatchObject({ completedCases: 4, level1: 1 });
      expect(await reviewStore.getCounters('all', 'all', period)).toMatchObject({ completedCases: 4, level1: 1 });
      expect((await store().listCounters('channel', period)).map((r) => [r.key, r.counters.completedCases])).toEqual([['window', 4]]);
      expect((await store().listCounters('district', period)).map((r) => [r.key, r.counters.completedCases])).toEqual([['440388', 1], ['440399', 3]]);
    }
  });
});

describe('review store under the use cases', () => {
  it('a 差评 on the real table: case and rectification in their items and indexes, counters, the outbox published and cleared', async () => {
    const outbound = new MemoryOutbound();
    const reviews = service.createReviewService({
      store: store(),
      outbound,
      now: () => '2026-11-02T02:00:00.000Z',
      calendar: shanghai,
      config: { reminderNaturalDays: 3, defaultReviewNaturalDays: 7, acknowledgeWorkingDays: 1, rectifyWorkingDays: 5, extensionWorkingDays: 5 },
      district: 'ADP-DIST',
      metrics: new MemoryMetrics(),
      log: new MemoryLog(),
    });
    const kase = { caseId: 'ADP-UC1', itemCode: 'SJ-0001', departmentCode: 'ADP-DU', applicantId: 'P1', channel: 'window', completedAt: '2026-11-02T01:00:00.000Z', source: 'external' as const };
    await reviews.completeCase(kase, { source: '/systems/adapter-test', id: 'uc-1', type: 'gov.case.completed' });
    const review = { reviewId: 'ADP-R-UC1', caseId: 'ADP-UC1', itemCode: 'SJ-0001', departmentCode: 'ADP-DU', channel: 'web', level: 1 as const, reviewerId: 'P1', submittedAt: '2026-11-02T01:30:00.000Z', defaulted: false };
    expect(await reviews.submitReview(review)).toEqual({ outcome: 'accepted', level: 1 });
    // Again: a redelivery changes nothing.
    expect(await reviews.submitReview(review)).toEqual({ outcome: 'duplicate' });

    const items = await db().partition('reviews', 'CASE#ADP-UC1');
    expect(items.map((i) => i.sk)).toEqual(['RECT', 'STATE']);
    const state = items.find((i) => i.sk === 'STATE')!;
    const rect = items.find((i) => i.sk === 'RECT')!;
    // The case has its review: nothing more to invite; the rectification waits for its acknowledgement.
    expect(state).toMatchObject({ version: 2, state: { case: { district: 'ADP-DIST' }, review: { reviewId: 'ADP-R-UC1' } } });
    expect(state.duePk).toBeUndefined();
    expect(rect).toMatchObject({ duePk: 'DUE#RECT', dueAt: '2026-11-03T15:59:59.999Z', rect: { state: 'OPEN' } });
    expect(outbound.published.map((e) => e.id)).toEqual(['gov.rectification.opened:ADP-UC1']);
    expect(await reviewStore.getCounters('department', 'ADP-DU', NOVEMBER)).toMatchObject({ completedCases: 1, level1: 1, points: 0 });
  });
});
