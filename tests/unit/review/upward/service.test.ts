/**
 * The upward sync wired to the review use cases, on in-memory ports: each real review, default and
 * rectification step writes its record in the same write as the change (alone and in a batch's group
 * commit), once under redelivery; and the sender (shared/review/sync.ts) acks, retries on backoff, parks,
 * re-pushes, and never sends an ACKED record again.
 */
import { makeCreditCode } from '#contract/identifiers';
import { GUANGDONG, NATIONAL } from '#review/domain/upward/profiles';
import { DEFAULT_SYNC_CONFIG } from '#review/domain/upward/sync';
import type { EventRef } from '#platform/receipts';
import { runSchedule } from '#review/schedule';
import { createReviewService, type ReviewService } from '#review/service';
import { REPUSH_TIME_RESERVE_MS, repushRecords, runSync, SYNC_TIME_RESERVE_MS, upwardFigures, type SyncPorts } from '#review/sync';
import type { CatalogueItem, UpwardPorts } from '#review/ports';
import { catalogueEntry } from '#review/service/upward';
import { memoryReview, MemoryPlatform, MemorySyncStore, shanghai, type MemoryReview } from '#support/memory/review';
import { makeCase, makeReview } from '../fixtures';

const CREDIT = makeCreditCode('11440305007497265');
const ITEM: CatalogueItem = { name: '气象证明出具', promisedDays: 0, departmentCode: 'D-QX', departmentCreditCode: CREDIT };
const OWNER = { departmentCode: 'D-QX', staffId: 'S9' };
let serial = 0;
const ref = (type: string): EventRef => ({ source: '/systems/test', id: `ev-${++serial}`, type });

let m: MemoryReview;
let reviews: ReviewService;
let catalogue: Map<string, CatalogueItem>;
let sync: MemorySyncStore;
let platform: MemoryPlatform;
let syncPorts: SyncPorts;

beforeEach(() => {
  m = memoryReview({ now: '2026-09-10T02:05:00.000Z' });
  catalogue = new Map([['ITEM-QX-01', ITEM]]);
  const upward: UpwardPorts = {
    profile: NATIONAL,
    settings: { areaCode: '440305', dataSource: '144', departmentCreditCodes: {} },
    calendar: shanghai,
    item: async (code) => catalogue.get(code),
  };
  (m.ports as { upward?: UpwardPorts }).upward = upward;
  reviews = createReviewService(m.ports);
  sync = new MemorySyncStore(m.store.syncRecords, DEFAULT_SYNC_CONFIG.sentTimeoutMs);
  platform = new MemoryPlatform();
  syncPorts = {
    store: sync,
    platform,
    now: m.ports.now,
    config: DEFAULT_SYNC_CONFIG,
    calendar: shanghai,
    metrics: m.metrics,
    log: m.log,
    remap: { upward, loadCase: (id) => m.store.loadCase(id) },
  };
});

/**
 * Counts sequential round trips: every call made while a round is open joins it, and the round ends on the
 * next turn of the event loop (the in-memory ports answer within the same turn). So calls issued together
 * share a round and calls awaited one after another take one round each, however busy the machine is.
 */
function roundTrips() {
  let open: Promise<void> | undefined;
  let count = 0;
  return {
    get count() {
      return count;
    },
    wait(): Promise<void> {
      if (open === undefined) {
        count++;
        open = new Promise((resolve) => setImmediate(() => ((open = undefined), resolve())));
      }
      return open;
    },
  };
}

const states = () => Object.fromEntries([...m.store.syncRecords.values()].map((r) => [r.recordId, r.state]));

async function badReviewWithSteps(): Promise<void> {
  await reviews.completeCase(makeCase(), ref('gov.case.completed'));
  await reviews.submitReview({ ...makeReview(makeCase(), 1, { comment: '太慢了' }), event: ref('gov.review.submitted') });
  await reviews.applyStep({ caseId: 'C1', input: { action: 'acknowledge', actor: OWNER, at: '2026-09-11T03:00:00.000Z' }, event: ref('gov.rectification.updated') });
}

describe('records written with the review change', () => {
  it('writes a record for a 差评, its opening and each step, in the write of the change that records them', async () => {
    await reviews.completeCase(makeCase(), ref('gov.case.completed'));
    expect(m.store.syncRecords.size).toBe(0); // a completed case alone is not reported
    const writes = m.store.writes.length;
    await reviews.submitReview({ ...makeReview(makeCase(), 1, { comment: '太慢了' }), event: ref('gov.review.submitted') });
    expect(m.store.writes.length).toBe(writes + 1);
    expect(states()).toEqual({ 'C1#1': 'PENDING', 'C1#10': 'PENDING' });
    const step = { caseId: 'C1', input: { action: 'acknowledge', actor: OWNER, at: '2026-09-11T03:00:00.000Z' }, event: ref('gov.rectification.updated') };
    await reviews.applyStep(step);
    await reviews.applyStep(step); // redelivered: no second record, the first unchanged
    expect(states()).toEqual({ 'C1#1': 'PENDING', 'C1#10': 'PENDING', 'C1#11': 'PENDING' });
    expect(m.store.syncRecords.get('C1#1')?.payload).toMatchObject({ projectNo: 'C1', deptCode: CREDIT, satisfaction: '5', taskName: '气象证明出具', promiseTime: '1' });
    expect(m.store.syncRecords.get('C1#11')?.payload).toMatchObject({ rectifyAction: NATIONAL.stepCodes.acknowledge });
  });

  it('reports when the case was received (acceptDate) when its sender said, and leaves the field out otherwise', async () => {
    // 09:30 on 9 September in Shanghai.
    await reviews.completeCase(makeCase({ acceptedAt: '2026-09-09T01:30:00.000Z' }), ref('gov.case.completed'));
    await reviews.submitReview({ ...makeReview(makeCase(), 5), event: ref('gov.review.submitted') });
    expect(m.store.syncRecords.get('C1#1')?.payload).toMatchObject({ acceptDate: '20260909093000' });
    await reviews.completeCase(makeCase({ caseId: 'C2' }), ref('gov.case.completed'));
    await reviews.submitReview({ ...makeReview(makeCase({ caseId: 'C2' }), 5), event: ref('gov.review.submitted') });
    expect(m.store.syncRecords.get('C2#1')?.payload).not.toHaveProperty('acceptDate');
  });

  it('writes the records of a batch with the batch (group commit) and none for a change that is refused', async () => {
    const c2 = makeCase({ caseId: 'C2' });
    await reviews.completeCase(makeCase(), ref('gov.case.completed'));
    await reviews.completeCase(c2, ref('gov.case.completed'));
    const unit = reviews.unitOfWork();
    await unit.run('m1', async () => void (await reviews.submitReview(makeReview(makeCase(), 5))));
    await unit.run('m2', async () => void (await reviews.submitReview(makeReview(c2, 1, { comment: '差' }))));
    expect(m.store.syncRecords.size).toBe(0); // deferred with the batch's changes
    await unit.commit();
    expect(states()).toEqual({ 'C1#1': 'PENDING', 'C2#1': 'PENDING', 'C2#10': 'PENDING' });
    expect(await reviews.submitReview(makeReview(makeCase(), 1, { reviewId: 'R-second' }))).toMatchObject({ outcome: 'rejected' });
    expect(m.store.syncRecords.size).toBe(3);
  });

  it('reports the default 基本满意 (assessNumber 1) and a real review that replaces it as the second evaluation', async () => {
    await reviews.completeCase(makeCase(), ref('gov.case.completed'));
    m.setNow('2026-09-18T02:05:00.000Z');
    await runSchedule(m.ports);
    expect(m.store.syncRecords.get('C1#1')).toMatchObject({ kind: 'default', state: 'PENDING', payload: { isDefault: '1', satisfaction: '3' } });
    await reviews.submitReview(makeReview(makeCase(), 4, { submittedAt: '2026-09-18T03:00:00.000Z' }));
    expect(m.store.syncRecords.get('C1#2')).toMatchObject({ kind: 'review', payload: { isDefault: '0', satisfaction: '2' } });
  });

  it('keeps a record it cannot map as REJECTED with the reasons, without spending an attempt', async () => {
    catalogue.clear();
    await reviews.completeCase(makeCase(), ref('gov.case.completed'));
    await reviews.submitReview(makeReview(makeCase(), 5));
    expect(m.store.syncRecords.get('C1#1')).toMatchObject({ state: 'REJECTED', payload: null, rejection: { code: 'MAPPING', message: expect.stringContaining('deptCode') } });
    expect((await runSync(syncPorts)).attempted).toBe(0);
    expect(platform.sent).toEqual([]);
  });

  // The upward-rejected alarm reads this count, as it reads the sender's count of the platform's refusals.
  it('counts a record refused as it is created for the alarm, once under redelivery', async () => {
    catalogue.clear();
    await reviews.completeCase(makeCase(), ref('gov.case.completed'));
    const review = { ...makeReview(makeCase(), 5), event: ref('gov.review.submitted') };
    await reviews.submitReview(review);
    await reviews.submitReview(review);
    expect(m.metrics.total('UpwardRejected')).toBe(1);
    expect(m.log.lines.filter((l) => l.message === 'upward record refused before sending')).toEqual([
      expect.objectContaining({ attributes: expect.objectContaining({ recordId: 'C1#1', caseId: 'C1', code: 'MAPPING' }) }),
    ]);
  });

  it('keeps the real review of a profile whose default mark it would carry, and refuses its record as unmappable', async () => {
    // In Guangdong evalDetail 000 marks a default: sent, this 基本满意 would be read as one.
    (m.ports as { upward?: UpwardPorts }).upward = { ...m.ports.upward!, profile: GUANGDONG };
    reviews = createReviewService(m.ports);
    await reviews.completeCase(makeCase(), ref('gov.case.completed'));
    const review = { ...makeReview(makeCase(), 3, { indicators: ['000'] }), event: ref('gov.review.submitted') };
    expect(await reviews.submitReview(review)).toMatchObject({ outcome: 'accepted' });
    await reviews.submitReview(review);
    expect(m.store.syncRecords.get('C1#1')).toMatchObject({
      kind: 'review',
      state: 'REJECTED',
      payload: null,
      rejection: { code: 'MAPPING', message: 'evalDetail: indicator "000" has code 000, which profile guangdong reserves for default reviews' },
    });
    expect(m.metrics.total('UpwardRejected')).toBe(1);
    expect((await runSync(syncPorts)).attempted).toBe(0);
    expect(platform.sent).toEqual([]);
  });

  it('writes nothing when the stage does not report upward', async () => {
    delete (m.ports as { upward?: UpwardPorts }).upward;
    reviews = createReviewService(m.ports);
    await badReviewWithSteps();
    expect(m.store.syncRecords.size).toBe(0);
  });
});

describe('the sender', () => {
  it('sends each due record once and never again once acknowledged', async () => {
    await badReviewWithSteps();
    expect(await runSync(syncPorts)).toMatchObject({ attempted: 3, acked: 3 });
    expect(Object.values(states())).toEqual(['ACKED', 'ACKED', 'ACKED']);
    m.setNow('2026-09-30T00:00:00.000Z');
    expect((await runSync(syncPorts)).attempted).toBe(0);
    const again = await repushRecords(syncPorts, { by: 'state', states: ['ACKED'] }, { remap: true, actor: 'op' });
    expect(again.repushed).toEqual([]);
    expect(again.skipped).toHaveLength(3);
    expect(platform.sentIds().sort()).toEqual(['C1#1', 'C1#10', 'C1#11']);
    expect(sync.audits.map((a) => a.action)).toEqual(['sync:SENT->ACKED', 'sync:SENT->ACKED', 'sync:SENT->ACKED']);
  });

  it('logs and counts a record that fails, leaves it due and sends the others', async () => {
    await badReviewWithSteps();
    const writeRecord = sync.writeRecord.bind(sync);
    sync.writeRecord = async (w) => {
      if (w.next.recordId === 'C1#10') throw new Error('table unreachable');
      return writeRecord(w);
    };
    expect(await runSync(syncPorts)).toMatchObject({ attempted: 2, acked: 2, failed: 1 });
    expect(m.log.lines.filter((l) => l.message === 'upward sync: record failed; it stays due')).toEqual([
      expect.objectContaining({ attributes: expect.objectContaining({ recordId: 'C1#10' }) }),
    ]);
    // The run's line says so, for a run whose every record failed too.
    expect(m.log.lines.find((l) => l.message === 'upward sync ran')).toMatchObject({ attributes: expect.objectContaining({ failed: 1 }) });
    expect(m.metrics.total('ItemsFailed')).toBe(1);
    sync.writeRecord = writeRecord;
    expect(await runSync(syncPorts)).toMatchObject({ attempted: 1, acked: 1, failed: 0 });
    expect(Object.values(states())).toEqual(['ACKED', 'ACKED', 'ACKED']);
  });

  // Its counts are written when the run returns: a run the function's timeout cut short would lose the
  // parks and rejections of records it had moved, for good (the alarms read them).
  it('starts no more records once the time left falls below the reserve, counts what it did, and the next run sends the rest', async () => {
    await badReviewWithSteps();
    const left = [60_000, SYNC_TIME_RESERVE_MS - 1];
    const timeLeftMs = () => left.shift() ?? SYNC_TIME_RESERVE_MS - 1;
    expect(await runSync(syncPorts, { timeLeftMs })).toMatchObject({ attempted: 1, acked: 1, deferred: 2 });
    expect(Object.values(states()).sort()).toEqual(['ACKED', 'PENDING', 'PENDING']);
    expect(m.metrics.total('UpwardAcked')).toBe(1);
    expect(m.log.lines.find((l) => l.message === 'upward sync ran')).toMatchObject({ attributes: expect.objectContaining({ deferred: 2 }) });
    // The items-deferred alarm reads it.
    expect(m.metrics.total('ItemsDeferred')).toBe(2);
    expect(await runSync(syncPorts, { timeLeftMs: () => 60_000 })).toMatchObject({ attempted: 2, acked: 2, deferred: 0 });
    expect(platform.sentIds().sort()).toEqual(['C1#1', 'C1#10', 'C1#11']);
  });

  it('reports the age of the oldest record on its way as a gauge on every run, under the function\'s own dimension, 0 once drained', async () => {
    const gauges = () => m.metrics.singles.filter((s) => s.values.some((v) => v.name === 'UpwardOldestPendingSeconds'));
    await reviews.completeCase(makeCase(), ref('gov.case.completed'));
    await reviews.submitReview(makeReview(makeCase(), 5));
    const since = Date.parse(m.store.syncRecords.get('C1#1')!.sourceEventAt);
    platform.fallback = { kind: 'failed', message: 'platform answered 503' };
    const at = since + 47 * 60_000;
    m.setNow(new Date(at).toISOString());
    await runSync(syncPorts);
    expect(gauges().at(-1)).toEqual({ dimensions: {}, values: [{ name: 'UpwardOldestPendingSeconds', unit: 'None', value: 47 * 60 }] });
    platform.fallback = { kind: 'ack' };
    m.setNow(new Date(at + DEFAULT_SYNC_CONFIG.baseDelayMs).toISOString());
    expect(await runSync(syncPorts)).toMatchObject({ acked: 1 });
    expect(gauges().at(-1)!.values).toEqual([{ name: 'UpwardOldestPendingSeconds', unit: 'None', value: 0 }]);
    expect(gauges()).toHaveLength(2);
  });

  it('retries a failure on the backoff schedule and parks the record after the last attempt', async () => {
    await reviews.completeCase(makeCase(), ref('gov.case.completed'));
    await reviews.submitReview(makeReview(makeCase(), 5));
    platform.fallback = { kind: 'failed', message: 'platform answered 503' };
    let now = Date.parse('2026-09-10T02:05:00.000Z');
    for (let attempt = 1; attempt <= DEFAULT_SYNC_CONFIG.maxAttempts; attempt++) {
      expect((await runSync(syncPorts)).attempted).toBe(1);
      expect((await runSync(syncPorts)).attempted).toBe(0); // not due before its backoff
      now += DEFAULT_SYNC_CONFIG.baseDelayMs * 2 ** (attempt - 1);
      m.setNow(new Date(now).toISOString());
      if (attempt < DEFAULT_SYNC_CONFIG.maxAttempts) expect(m.store.syncRecords.get('C1#1')).toMatchObject({ state: 'PENDING', attempt });
    }
    expect(m.store.syncRecords.get('C1#1')).toMatchObject({ state: 'PARKED', attempt: DEFAULT_SYNC_CONFIG.maxAttempts, lastError: { message: 'platform answered 503' } });
    expect(sync.audits.map((a) => a.action)).toEqual(['sync:SENT->PARKED']);
    expect(m.metrics.total('UpwardParked')).toBe(1);

    platform.fallback = { kind: 'ack' };
    const repushed = await repushRecords(syncPorts, { by: 'state', states: ['PARKED'] }, { remap: false, actor: 'operator:li' });
    expect(repushed.repushed).toEqual(['C1#1']);
    expect(sync.audits.at(-1)).toMatchObject({ action: 'sync:PARKED->PENDING', actor: 'operator:li' });
    expect(await runSync(syncPorts)).toMatchObject({ attempted: 1, acked: 1 });
    expect(m.store.syncRecords.get('C1#1')).toMatchObject({ state: 'ACKED', round: 2 });
  });

  it('takes a rejection with its reason, and re-pushes it mapped again after the fix', async () => {
    catalogue.set('ITEM-QX-01', { ...ITEM, departmentCreditCode: undefined });
    await reviews.completeCase(makeCase(), ref('gov.case.completed'));
    await reviews.submitReview(makeReview(makeCase(), 5));
    expect(m.store.syncRecords.get('C1#1')).toMatchObject({ state: 'REJECTED', rejection: { code: 'MAPPING' } });
    // Without a new mapping a record refused before sending stays refused.
    const asIs = await repushRecords(syncPorts, { by: 'record', recordIds: ['C1#1', 'C9#1'] }, { remap: false, actor: 'op' });
    expect(asIs).toMatchObject({ repushed: [], missing: ['C9#1'], skipped: [expect.objectContaining({ recordId: 'C1#1' })] });
    // Still not fixed: refused again, with the reasons.
    const early = await repushRecords(syncPorts, { by: 'day', day: '2026-09-11' }, { remap: true, actor: 'op' });
    expect(early.refusedAgain).toEqual([expect.objectContaining({ recordId: 'C1#1', reason: expect.stringContaining('deptCode') })]);
    catalogue.set('ITEM-QX-01', ITEM);
    const fixed = await repushRecords(syncPorts, { by: 'day', day: '2026-09-11' }, { remap: true, actor: 'op' });
    expect(fixed.repushed).toEqual(['C1#1']);

    platform.script.push({ kind: 'rejected', code: 'E_AREA', message: '区划代码不存在' });
    expect(await runSync(syncPorts)).toMatchObject({ attempted: 1, rejected: 1 });
    const figures = await upwardFigures(syncPorts, '2026-09', m.ports.now());
    expect(figures).toMatchObject({ records: 1, rejectionsByReason: [{ code: 'E_AREA', count: 1 }], oldestUnacked: { recordId: 'C1#1' }, oldestPending: null });
    // The platform's own "already have it" is an ack.
    await repushRecords(syncPorts, { by: 'record', recordIds: ['C1#1'] }, { remap: false, actor: 'op' });
    platform.script.push({ kind: 'rejected', code: 'DUPLICATE', message: '评价数据不可重复' });
    expect(await runSync(syncPorts)).toMatchObject({ acked: 1 });
  });

  // An operator's re-push of a long outage's records could reach the function's timeout: the answer saying
  // what was re-pushed would be lost, and the sender's counts with it.
  it('re-pushes no more records once the time left falls below the reserve, and names the rest to re-push next', async () => {
    catalogue.set('ITEM-QX-01', { ...ITEM, departmentCreditCode: undefined });
    for (const caseId of ['C1', 'C2', 'C3']) {
      await reviews.completeCase(makeCase({ caseId }), ref('gov.case.completed'));
      await reviews.submitReview(makeReview(makeCase({ caseId }), 5));
    }
    expect(states()).toEqual({ 'C1#1': 'REJECTED', 'C2#1': 'REJECTED', 'C3#1': 'REJECTED' });
    catalogue.set('ITEM-QX-01', ITEM);
    const left = [60_000, REPUSH_TIME_RESERVE_MS - 1];
    const timeLeftMs = () => left.shift() ?? REPUSH_TIME_RESERVE_MS - 1;
    const cut = await repushRecords(syncPorts, { by: 'state', states: ['REJECTED'] }, { remap: true, actor: 'op', timeLeftMs });
    expect(cut).toMatchObject({ repushed: ['C1#1'], deferred: ['C2#1', 'C3#1'], continueWith: { by: 'record', recordIds: ['C2#1', 'C3#1'] } });
    // The deferred records are untouched: still REJECTED, no audit line.
    expect(states()).toEqual({ 'C1#1': 'PENDING', 'C2#1': 'REJECTED', 'C3#1': 'REJECTED' });
    expect(sync.audits.map((a) => a.subject)).toEqual(['upward:C1#1']);
    expect(m.log.lines.find((l) => l.message === 'upward sync: re-push')).toMatchObject({ attributes: expect.objectContaining({ repushed: 1, deferred: 2 }) });
    // Counted as every run over a list counts them, once (the items-deferred alarm reads it), not only in the answer.
    const itemCounts = () => m.metrics.counts.filter((c) => c.name === 'ItemsFailed' || c.name === 'ItemsDeferred');
    expect(itemCounts()).toEqual([
      { name: 'ItemsFailed', value: 0 },
      { name: 'ItemsDeferred', value: 2 },
    ]);
    // The selector it gives re-pushes the rest, and nothing is left over.
    const rest = await repushRecords(syncPorts, cut.continueWith!, { remap: true, actor: 'op', timeLeftMs: () => 60_000 });
    expect(rest).toMatchObject({ repushed: ['C2#1', 'C3#1'], deferred: [] });
    expect(rest.continueWith).toBeUndefined();
    expect(await runSync(syncPorts)).toMatchObject({ attempted: 3, acked: 3 });
  });

  // One record whose case could not be read threw out of the whole re-push: the operator got an error, not
  // the answer, and did not learn which records had been re-pushed before it.
  it('goes on past a record whose re-push fails, leaves it as it was and names it to re-push again', async () => {
    catalogue.set('ITEM-QX-01', { ...ITEM, departmentCreditCode: undefined });
    for (const caseId of ['C1', 'C2', 'C3']) {
      await reviews.completeCase(makeCase({ caseId }), ref('gov.case.completed'));
      await reviews.submitReview(makeReview(makeCase({ caseId }), 5));
    }
    catalogue.set('ITEM-QX-01', ITEM);
    const flaky: SyncPorts = {
      ...syncPorts,
      remap: {
        ...syncPorts.remap!,
        loadCase: async (id) => {
          if (id === 'C2') throw new Error('ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput');
          return syncPorts.remap!.loadCase(id);
        },
      },
    };
    const answer = await repushRecords(flaky, { by: 'state', states: ['REJECTED'] }, { remap: true, actor: 'op' });
    expect(answer).toMatchObject({
      repushed: ['C1#1', 'C3#1'],
      failed: [{ recordId: 'C2#1', reason: expect.stringContaining('ProvisionedThroughputExceededException') }],
      deferred: [],
      continueWith: { by: 'record', recordIds: ['C2#1'] },
    });
    expect(states()).toEqual({ 'C1#1': 'PENDING', 'C2#1': 'REJECTED', 'C3#1': 'PENDING' });
    expect(m.log.lines.find((l) => l.message === 'upward sync: re-push')).toMatchObject({ attributes: expect.objectContaining({ repushed: 2, failed: 1 }) });
    // Counted as every run over a list counts them, once (the items-failed alarm reads it), not only in the answer.
    expect(m.metrics.counts.filter((c) => c.name === 'ItemsFailed' || c.name === 'ItemsDeferred')).toEqual([
      { name: 'ItemsFailed', value: 1 },
      { name: 'ItemsDeferred', value: 0 },
    ]);
    const rest = await repushRecords(syncPorts, answer.continueWith!, { remap: true, actor: 'op' });
    expect(rest).toMatchObject({ repushed: ['C2#1'], failed: [] });
    expect(rest.continueWith).toBeUndefined();
  });

  // A run whose first read threw (the due records, the records a re-push names) wrote no counts at all: the
  // items-failed and items-deferred alarms saw missing data for the period, not a run that did no items.
  it('writes its ItemsFailed and ItemsDeferred (0 and 0) when its first read fails, the sender and a re-push alike', async () => {
    sync.dueRecords = async () => {
      throw new Error('table unreachable');
    };
    sync.getRecord = async () => {
      throw new Error('table unreachable');
    };
    await expect(runSync(syncPorts)).rejects.toThrow('table unreachable');
    await expect(repushRecords(syncPorts, { by: 'record', recordIds: ['C1#1'] }, { remap: true, actor: 'op' })).rejects.toThrow('table unreachable');
    expect(m.metrics.counts.filter((c) => c.name === 'ItemsFailed' || c.name === 'ItemsDeferred')).toEqual([
      { name: 'ItemsFailed', value: 0 },
      { name: 'ItemsDeferred', value: 0 },
      { name: 'ItemsFailed', value: 0 },
      { name: 'ItemsDeferred', value: 0 },
    ]);
  });

  // Each record read, then its case, then its catalogue entry, one record after another: a re-push of a long
  // outage's records took four round trips per record in a row.
  it('reads the records and their cases together, not one round trip after another, and answers in the selection\'s order', async () => {
    catalogue.set('ITEM-QX-01', { ...ITEM, departmentCreditCode: undefined });
    const cases = ['C1', 'C2', 'C3', 'C4', 'C5'];
    for (const caseId of cases) {
      await reviews.completeCase(makeCase({ caseId }), ref('gov.case.completed'));
      await reviews.submitReview(makeReview(makeCase({ caseId }), 5));
    }
    catalogue.set('ITEM-QX-01', ITEM);
    const trips = roundTrips();
    const reads: string[] = [];
    const counted: SyncPorts = {
      ...syncPorts,
      store: Object.assign(Object.create(sync) as MemorySyncStore, {
        getRecord: async (id: string) => (reads.push(`record:${id}`), await trips.wait(), sync.getRecord(id)),
      }),
      remap: {
        upward: { ...syncPorts.remap!.upward, item: async (code) => (reads.push(`item:${code}`), await trips.wait(), catalogue.get(code)) },
        loadCase: async (id) => {
          reads.push(`case:${id}`);
          await trips.wait();
          // C1's case answers a round late: it finishes last, and is still listed first.
          if (id === 'C1') await trips.wait();
          return syncPorts.remap!.loadCase(id);
        },
      },
    };
    const answer = await repushRecords(counted, { by: 'state', states: ['REJECTED'] }, { remap: true, actor: 'op' });
    expect(answer).toMatchObject({ repushed: cases.map((c) => `${c}#1`), refusedAgain: [], failed: [], deferred: [] });
    expect(sync.audits.map((a) => a.subject).sort()).toEqual(cases.map((c) => `upward:${c}#1`));
    // The record and its case read once a record, in one round, and the catalogue entry once for the run in
    // the next (C1's case, a round late, finds it read), instead of 3 rounds a record in a row.
    expect(reads.filter((r) => r.startsWith('record:')).sort()).toEqual(cases.map((c) => `record:${c}#1`));
    expect(reads.filter((r) => r.startsWith('case:')).sort()).toEqual(cases.map((c) => `case:${c}`));
    expect(reads.filter((r) => r.startsWith('item:'))).toEqual(['item:ITEM-QX-01']);
    expect(trips.count).toBe(2);
  });

  it('reads the catalogue entry again after a read of it failed, for the records started after', async () => {
    catalogue.set('ITEM-QX-01', { ...ITEM, departmentCreditCode: undefined });
    const cases = Array.from({ length: 10 }, (_, i) => `CF${i}`);
    for (const caseId of cases) {
      await reviews.completeCase(makeCase({ caseId }), ref('gov.case.completed'));
      await reviews.submitReview(makeReview(makeCase({ caseId }), 5));
    }
    catalogue.set('ITEM-QX-01', ITEM);
    let reads = 0;
    const flaky: SyncPorts = {
      ...syncPorts,
      remap: {
        ...syncPorts.remap!,
        upward: {
          ...syncPorts.remap!.upward,
          item: async (code) => {
            // The first read fails (the table throttled); those after it answer.
            if (++reads === 1) throw new Error('throttled');
            return catalogue.get(code);
          },
        },
      },
    };
    const answer = await repushRecords(flaky, { by: 'state', states: ['REJECTED'] }, { remap: true, actor: 'op' });
    // The records in flight with the failed read fail with it (8 at once); the two started after read again.
    expect(answer.failed).toHaveLength(8);
    expect(answer.repushed).toHaveLength(2);
    expect(reads).toBe(2);
  });

  // The sender read each due record again before its conditional write: a round trip and a read a record
  // on every run, for a version the index had already listed and the condition checks anyway.
  it('sends the records as the index listed them: no read before the write, four round trips in all', async () => {
    await badReviewWithSteps();
    const trips = roundTrips();
    const calls: string[] = [];
    const counted = <A extends unknown[], R>(name: string, f: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
      calls.push(name);
      await trips.wait();
      return f(...a);
    };
    const ports: SyncPorts = {
      ...syncPorts,
      store: Object.assign(Object.create(sync) as MemorySyncStore, {
        getRecord: counted('getRecord', (id: string) => sync.getRecord(id)),
        writeRecord: counted('writeRecord', (w: Parameters<MemorySyncStore['writeRecord']>[0]) => sync.writeRecord(w)),
        dueRecords: counted('dueRecords', (now: string, limit: number) => sync.dueRecords(now, limit)),
      }),
      platform: { send: counted('send', (r: Parameters<MemoryPlatform['send']>[0]) => platform.send(r)) },
    };
    expect(await runSync(ports)).toMatchObject({ attempted: 3, acked: 3, skipped: 0 });
    expect(calls.filter((c) => c === 'getRecord')).toEqual([]);
    expect(calls.filter((c) => c === 'writeRecord')).toHaveLength(6);
    // Listed (1), then the three together: started (2), sent (3), answered (4).
    expect(trips.count).toBe(4);
    expect(Object.values(states())).toEqual(['ACKED', 'ACKED', 'ACKED']);
  });

  it('skips a record changed since the index listed it, as a lost race, and leaves it as the other writer left it', async () => {
    await badReviewWithSteps();
    // Between the listing and this run's writes: another sender starts C1#1 and has it acknowledged, a third
    // starts C1#10 and is still waiting for the platform's answer.
    const ports: SyncPorts = {
      ...syncPorts,
      store: Object.assign(Object.create(sync) as MemorySyncStore, {
        dueRecords: async (now: string, limit: number) => {
          const listed = await sync.dueRecords(now, limit);
          const [acked, inFlight] = [sync.records.get('C1#1')!, sync.records.get('C1#10')!];
          expect(await sync.writeRecord({ next: { ...acked, state: 'ACKED', ackedAt: now, version: acked.version + 2 }, expectedVersion: acked.version, sentTimeoutMs: 0 })).toBe(true);
          expect(await sync.writeRecord({ next: { ...inFlight, state: 'SENT', sentAt: now, attemptNo: 1, version: inFlight.version + 1 }, expectedVersion: inFlight.version, sentTimeoutMs: 0 })).toBe(true);
          return listed;
        },
      }),
    };
    expect(await runSync(ports)).toMatchObject({ attempted: 1, acked: 1, skipped: 2, failed: 0 });
    expect(platform.sentIds()).toEqual(['C1#11']);
    expect(states()).toEqual({ 'C1#1': 'ACKED', 'C1#10': 'SENT', 'C1#11': 'ACKED' });
    expect(sync.audits.map((a) => a.subject)).toEqual(['upward:C1#11']);
    // The attempt the other sender left without an answer is expired by a later run and sent again, once.
    m.setNow('2026-09-10T02:20:00.000Z');
    expect(await runSync(syncPorts)).toMatchObject({ expired: 1 });
    m.setNow('2026-09-10T03:20:00.000Z');
    expect(await runSync(syncPorts)).toMatchObject({ attempted: 1, acked: 1 });
    expect(states()).toEqual({ 'C1#1': 'ACKED', 'C1#10': 'ACKED', 'C1#11': 'ACKED' });
    expect(platform.sentIds()).toEqual(['C1#11', 'C1#10']);
  });

  it('counts an attempt without an answer past the timeout as failed, and an answer that comes later as stale', async () => {
    await reviews.completeCase(makeCase(), ref('gov.case.completed'));
    await reviews.submitReview(makeReview(makeCase(), 5));
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    platform.send = async (record) => {
      platform.sent.push(record);
      await slow;
      return { kind: 'failed', message: 'late' };
    };
    const first = runSync(syncPorts);
    await new Promise((r) => setTimeout(r, 10));
    m.setNow('2026-09-10T02:20:00.000Z'); // past the 10-minute timeout
    expect(await runSync(syncPorts)).toMatchObject({ expired: 1 });
    release();
    await first;
    // The late answer to attempt 1 changes nothing: the record waits for attempt 2.
    expect(m.store.syncRecords.get('C1#1')).toMatchObject({ state: 'PENDING', attempt: 1, lastError: { message: expect.stringContaining('no answer') } });
  });
});

describe('the catalogue entry of a 一件事 case', () => {
  // A bundle application opens one review case, named by the bundle code, owned by the lead department.
  const BUNDLE = { name: '开店一件事', promisedDays: 5, leadDepartmentCode: 'D-QX', items: [{ itemCode: 'ITEM-SC-02' }, { itemCode: 'ITEM-QX-01' }] };
  const lookups = (bundles: Record<string, typeof BUNDLE>) => ({
    item: async (code: string) => catalogue.get(code),
    bundle: async (code: string) => bundles[code],
  });

  it('is the bundle: its name, its promised days and its lead department, whose credit code its own item gives', async () => {
    catalogue.set('ITEM-SC-02', { name: '食品经营许可', promisedDays: 3, departmentCode: 'D-SC', departmentCreditCode: makeCreditCode('11440305MB2C41587') });
    expect(await catalogueEntry('YJS-KD', lookups({ 'YJS-KD': BUNDLE }))).toEqual({ name: '开店一件事', promisedDays: 5, departmentCode: 'D-QX', departmentCreditCode: CREDIT });
    // An item is itself; a code that is neither is unknown.
    expect(await catalogueEntry('ITEM-QX-01', lookups({}))).toEqual(ITEM);
    expect(await catalogueEntry('NOPE', lookups({}))).toBeUndefined();
  });

  it('reads the bundle\'s items together, and takes the credit code of the first of its lead department', async () => {
    const trips = roundTrips();
    const read: string[] = [];
    const counting = (bundles: Record<string, typeof BUNDLE>) => ({
      item: async (code: string) => (read.push(code), await trips.wait(), catalogue.get(code)),
      bundle: async (code: string) => (await trips.wait(), bundles[code]),
    });
    const other = makeCreditCode('11440305MB2C41587');
    catalogue.set('ITEM-SC-02', { name: '食品经营许可', promisedDays: 3, departmentCode: 'D-SC', departmentCreditCode: other });
    catalogue.set('ITEM-QX-02', { name: '气象台站备案', promisedDays: 2, departmentCode: 'D-QX', departmentCreditCode: makeCreditCode('11440305MB2C4159X') });
    const bundle = { ...BUNDLE, items: [{ itemCode: 'ITEM-SC-02' }, { itemCode: 'ITEM-QX-01' }, { itemCode: 'ITEM-QX-02' }] };
    expect(await catalogueEntry('YJS-KD', counting({ 'YJS-KD': bundle }))).toEqual({ name: '开店一件事', promisedDays: 5, departmentCode: 'D-QX', departmentCreditCode: CREDIT });
    // The code as an item, the bundle, then its three items in one round: not one round an item.
    expect(read).toEqual(['YJS-KD', 'ITEM-SC-02', 'ITEM-QX-01', 'ITEM-QX-02']);
    expect(trips.count).toBe(3);
  });

  it('lets the review of a bundle case reach the platform instead of being refused for an unknown item', async () => {
    const upward = (m.ports as { upward?: UpwardPorts }).upward!;
    (m.ports as { upward?: UpwardPorts }).upward = { ...upward, item: (code) => catalogueEntry(code, lookups({ 'YJS-KD': BUNDLE })) };
    const kase = makeCase({ caseId: 'B1', itemCode: 'YJS-KD' });
    await reviews.completeCase(kase, ref('gov.case.completed'));
    await reviews.submitReview({ ...makeReview(kase, 4), event: ref('gov.review.submitted') });
    expect(states()).toEqual({ 'B1#1': 'PENDING' });
    expect(m.store.syncRecords.get('B1#1')?.payload).toMatchObject({ taskCode: 'YJS-KD', taskName: '开店一件事', deptCode: CREDIT, promiseTime: '2' });
  });
});
