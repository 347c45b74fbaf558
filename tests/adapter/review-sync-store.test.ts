/**
 * The upward-sync outbox (shared/review/store/sync.ts) against DynamoDB Local: a record created in the
 * transaction of its review change (and not without it), writes conditional on the version read, the due
 * records from the sparse byDue index (PENDING at its next attempt, SENT at its timeout, none once
 * answered), and the records of a state from bySync in the order their events happened.
 */
import type { SyncRecord } from '#review/domain/upward/sync';
import type { ReviewChange } from '#review/ports';
import { useTestDynamo } from '#support/dynamo';

useTestDynamo();
let reviewStore: typeof import('#review/store');
let syncStore: typeof import('#review/store/sync');
let domain: typeof import('#review/domain/upward/sync');
beforeAll(async () => {
  reviewStore = await import('#review/store');
  syncStore = await import('#review/store/sync');
  domain = await import('#review/domain/upward/sync');
});

const TIMEOUT = 600_000;

function record(caseId: string, assessNumber: number, sourceEventAt: string): SyncRecord {
  return {
    recordId: `${caseId}#${assessNumber}`,
    key: { projectNo: caseId, assessNumber: String(assessNumber) },
    kind: 'review',
    caseId,
    sourceEventAt,
    createdAt: '2026-11-02T02:00:00.000Z',
    payload: { projectNo: caseId, assessNumber: String(assessNumber), satisfaction: '1', writingEvaluation: '' },
    state: 'PENDING',
    attempt: 0,
    attemptNo: 0,
    round: 1,
    nextAttemptAt: '2026-11-02T02:00:00.000Z',
    version: 1,
  };
}

function change(caseId: string, records: SyncRecord[], expectedVersion: number | undefined = undefined): ReviewChange {
  return { caseId, caseWrite: { expectedVersion, version: (expectedVersion ?? 0) + 1 }, syncRecords: records };
}

describe('upward-sync records on the reviews table', () => {
  it('creates a record with its review change, and not when the change is refused', async () => {
    const store = reviewStore.dynamoReviewStore;
    await store.commit(change('S1', [record('S1', 1, '2026-11-02T01:00:00.000Z')]));
    expect(await syncStore.dynamoSyncStore.getRecord('S1#1')).toMatchObject({ state: 'PENDING', payload: { writingEvaluation: '' } });
    // A redelivered change fails its version condition: its record is not written again (or changed).
    await expect(store.commit(change('S1', [{ ...record('S1', 2, '2026-11-02T01:00:00.000Z') }]))).rejects.toThrow(/changed while/);
    expect(await syncStore.dynamoSyncStore.getRecord('S1#2')).toBeUndefined();
    // In a group commit too.
    const results = await store.commitMany([change('S2', [record('S2', 1, '2026-11-02T01:05:00.000Z')]), change('S1', [record('S1', 3, '2026-11-02T01:00:00.000Z')])]);
    expect(results).toEqual(['committed', 'conflict']);
    expect(await syncStore.dynamoSyncStore.getRecord('S2#1')).toMatchObject({ state: 'PENDING' });
    expect(await syncStore.dynamoSyncStore.getRecord('S1#3')).toBeUndefined();
  });

  it('writes on the version read, lists due and stuck records, and drops answered ones from the due index', async () => {
    const sync = syncStore.dynamoSyncStore;
    const config = domain.DEFAULT_SYNC_CONFIG;
    const now = '2026-11-02T03:00:00.000Z';
    const due = (at: string) => sync.dueRecords(at, 100).then((rs) => rs.map((r) => r.recordId).sort());
    expect(await due(now)).toEqual(['S1#1', 'S2#1']);

    const s1 = (await sync.getRecord('S1#1'))!;
    const started = domain.startAttempt(s1, now);
    expect(started.changed).toBe(true);
    expect(await sync.writeRecord({ next: started.next, expectedVersion: s1.version, sentTimeoutMs: TIMEOUT })).toBe(true);
    // A second sender that read the same version loses.
    expect(await sync.writeRecord({ next: started.next, expectedVersion: s1.version, sentTimeoutMs: TIMEOUT })).toBe(false);
    // SENT: due again only when its attempt is stuck.
    expect(await due(now)).toEqual(['S2#1']);
    expect(await due('2026-11-02T03:10:01.000Z')).toEqual(['S1#1', 'S2#1']);

    const acked = domain.applyAnswer(started.next, started.next.attemptNo, { kind: 'ack' }, now, config);
    const audit = { subject: 'upward:S1#1', action: 'sync:SENT->ACKED', actor: 'test', at: now, why: 'ACKED', causeId: 'v3' };
    expect(await sync.writeRecord({ next: acked.next, expectedVersion: started.next.version, sentTimeoutMs: TIMEOUT, audit })).toBe(true);
    expect(await due('2026-11-03T00:00:00.000Z')).toEqual(['S2#1']);
    expect(await sync.getRecord('S1#1')).toMatchObject({ state: 'ACKED', ackedAt: now, version: 3 });

    expect((await sync.recordsInState('ACKED')).map((r) => r.recordId)).toEqual(['S1#1']);
    expect((await sync.recordsInState('PENDING', { from: '2026-11-02T01:01:00.000Z', to: '2026-11-03T00:00:00.000Z' })).map((r) => r.recordId)).toEqual(['S2#1']);
    expect((await sync.recordsInState('PENDING', { from: '2026-11-03T00:00:00.000Z', to: '2026-11-04T00:00:00.000Z' }))).toEqual([]);
    expect((await sync.oldestInState('PENDING'))?.recordId).toBe('S2#1');
    expect(await sync.oldestInState('PARKED')).toBeUndefined();
  });

  it('pages a state\'s records in the order their events happened, with a next key only while more follow', async () => {
    const parked = (n: number, at: string): SyncRecord => {
      const { nextAttemptAt: _next, ...r } = record('P1', n, at);
      return { ...r, state: 'PARKED' };
    };
    // Written with offsets and in UTC; in event order: #3, #1, #5, #2, #4.
    await reviewStore.dynamoReviewStore.commit(
      change('P1', [
        parked(1, '2026-11-05T09:00:00+08:00'),
        parked(2, '2026-11-05T03:00:00.000Z'),
        parked(3, '2026-11-04T23:30:00+08:00'),
        parked(4, '2026-11-06T00:00:00.000Z'),
        parked(5, '2026-11-05T02:00:00Z'),
      ]),
    );
    const ids = (page: { records: readonly SyncRecord[] }) => page.records.map((r) => r.recordId);
    const pages: string[][] = [];
    let start: import('#review/store/sync').SyncPageKey | undefined;
    do {
      const page = await syncStore.syncRecordsPage('PARKED', { limit: 2, ...(start ? { start } : {}) });
      pages.push(ids(page));
      start = page.next;
    } while (start !== undefined && pages.length < 5);
    expect(pages).toEqual([['P1#3', 'P1#1'], ['P1#5', 'P1#2'], ['P1#4']]);
    // A page that holds the rest exactly has no next key (no empty page after it).
    expect(await syncStore.syncRecordsPage('PARKED', { limit: 5 })).toEqual({ records: expect.any(Array), next: undefined });
    // Only what `keep` keeps, in a range, a page at a time across the table's pages.
    const keep = (r: SyncRecord) => r.recordId !== 'P1#5' && r.recordId !== 'P1#1';
    const range = { from: '2026-11-04T00:00:00.000Z', to: '2026-11-05T16:00:00.000Z' };
    const first = await syncStore.syncRecordsPage('PARKED', { limit: 1, range, keep });
    expect([ids(first), first.next?.syncAt]).toEqual([['P1#3'], '2026-11-04T15:30:00.000Z#P1#3']);
    const second = await syncStore.syncRecordsPage('PARKED', { limit: 1, range, keep, start: first.next! });
    expect([ids(second), second.next]).toEqual([['P1#2'], undefined]);
  });
});
