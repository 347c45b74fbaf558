/**
 * An applicationId is decided once, whichever kind it was submitted as: a single-item application under a
 * bundle application's id, or a bundle under a single item's, is a conflicting resubmission, recorded
 * against the application that holds the id with an APPLICATION_CONFLICT receipt naming both kinds, never
 * decided and opening no second review case; its redelivery keeps the first receipt; the application that
 * holds the id is untouched and later events still reach it. Alone, in one batch (both orders), and with
 * the batch's read-ahead. Over in-memory ports.
 */
import { classifyAgainstHolder } from '#approval/domain/conflict';
import type { ServiceItem } from '#approval/domain/types';
import { createApprovalService } from '#approval/service';
import { MemoryBundleStore, MemoryCatalogue } from '#support/memory/bundle';
import { weatherApp } from '../fixtures';
import { approvalWorld } from '../service-fixtures';
import { cause, item, startUp, startUpApplication } from './fixtures';

const NOW = '2026-11-18T02:00:00.000Z';
const LATER = '2026-11-18T05:00:00.000Z';
const ARTICLES = { code: 'M-ARTICLES', name: '公司章程', declared: true };
const items: ServiceItem[] = [
  ...['QYKB-SLDJ', 'QYKB-YZKZ', 'QYKB-FPSL', 'QYKB-YHKH'].map((code) => item(code, `证照-${code}`, [ARTICLES])),
  item('QYKB-SBDJ', '社保登记证', [ARTICLES], { mode: 'manual' }),
];
const bundleApp = (applicationId: string) => startUpApplication(applicationId, NOW);

function world() {
  const w = approvalWorld(NOW);
  const bundles = new MemoryBundleStore();
  const approval = createApprovalService(w.ports, { bundles, catalogue: new MemoryCatalogue([startUp], items) });
  return { ...w, bundles, approval };
}
type World = ReturnType<typeof world>;

const casesOpened = (w: World, id: string) => w.messenger.internal.filter((e) => e.type === 'civicflow.case.opened' && (e.data as { caseId: string }).caseId === id);
const singleDecided = (w: World, id: string) => w.store.cases.get(id)?.versions ?? [];
const bundleReceipts = (w: World, eventId: string) => w.bundles.receipts.filter((r) => r.id === eventId);
const conflictWarnings = (w: World) => w.telemetry.lines.filter((l) => l.message === 'application conflict');

describe('one decision per applicationId, whichever kind it was submitted as', () => {
  it('tells a submission of the other kind from one the id is free for', () => {
    expect(classifyAgainstHolder('item', 'bundle')).toBe('conflict');
    expect(classifyAgainstHolder('bundle', 'item')).toBe('conflict');
    expect(classifyAgainstHolder('item', undefined)).toBe('decide');
    expect(classifyAgainstHolder('bundle', 'bundle')).toBe('decide');
  });

  it('bundle first: refuses a single item under its id (recorded on the bundle), decides nothing, and a person\'s decision still reaches the bundle', async () => {
    const w = world();
    const ID = 'ONE-ID-B1';
    await w.approval.submitBundle(bundleApp(ID), cause('b-1'));
    const before = await w.bundles.loadBundle(ID);
    expect(before.state).toMatchObject({ status: 'IN_PROGRESS', sequence: 1 });

    const single = weatherApp({ applicationId: ID });
    await w.approval.submitApplication(single, cause('s-1'));
    w.clock.set(LATER);
    await w.approval.submitApplication(single, cause('s-1')); // redelivered

    // Never decided as a single item: nothing in its partition, nothing sent for it, no review case.
    expect(singleDecided(w, ID)).toEqual([]);
    expect(w.messenger.outbound.map((e) => e.id)).not.toContain(`decision:${ID}:1`);
    expect(casesOpened(w, ID)).toEqual([]);
    // Recorded once against the bundle, with one receipt (the redelivery's clock did not replace it).
    const after = await w.bundles.loadBundle(ID);
    expect(after.conflicts).toEqual([expect.objectContaining({ cause: cause('s-1'), storedHash: before.application!.applicationHash, receivedAt: NOW })]);
    expect(bundleReceipts(w, 's-1')).toEqual([
      expect.objectContaining({
        outcome: 'refused',
        kind: 'APPLICATION_CONFLICT',
        at: NOW,
        reason: expect.stringContaining('一件事申请'),
        details: expect.objectContaining({ submittedAs: 'item', heldAs: 'bundle', storedHash: before.application!.applicationHash }),
      }),
    ]);
    expect(w.store.receipts.get('/gov/portal#s-1')).toBeUndefined();
    expect(conflictWarnings(w)).toEqual([expect.objectContaining({ fields: expect.objectContaining({ eventId: 's-1', submittedAs: 'item', heldAs: 'bundle' }) })]);
    // The bundle is untouched, and the department's decision on its child reaches it (not a shadowing single item).
    expect(after.versions).toEqual(before.versions);
    expect(after.state).toEqual(before.state);
    await w.approval.reviewApplication(ID, { outcome: 'APPROVED', reasons: [], staffId: 'S-1', at: LATER, itemCode: 'QYKB-SBDJ' }, cause('r-1', 'gov.application.reviewed'), 1);
    expect((await w.bundles.loadBundle(ID)).state).toMatchObject({ status: 'APPROVED', sequence: 2 });
    expect(casesOpened(w, ID)).toHaveLength(1);
  });

  it('single item first: refuses a bundle under its id (recorded on the single item), decides nothing, and opens no second review case', async () => {
    const w = world();
    const ID = 'ONE-ID-S1';
    const single = weatherApp({ applicationId: ID });
    await w.approval.submitApplication(single, cause('s-1'));
    const decided = structuredClone(singleDecided(w, ID));
    expect(decided.map((v) => v.decision.outcome)).toEqual(['APPROVED']);
    expect(casesOpened(w, ID)).toHaveLength(1);

    await w.approval.submitBundle(bundleApp(ID), cause('b-1'));
    w.clock.set(LATER);
    await w.approval.submitBundle(bundleApp(ID), cause('b-1')); // redelivered

    // Never decided as a bundle: no bundle state, no child decision, no second case.
    expect(await w.bundles.loadBundle(ID)).toEqual({ versions: [], refusals: [], conflicts: [] });
    expect(w.messenger.outbound.map((e) => e.id)).toEqual([`decision:${ID}:1`]);
    expect(casesOpened(w, ID)).toHaveLength(1);
    // Recorded once against the single item, with one receipt; the single item's decision is unchanged.
    const known = await w.store.loadCase(ID);
    expect(known.conflicts).toEqual([expect.objectContaining({ cause: cause('b-1'), storedHash: known.application!.applicationHash, receivedAt: NOW })]);
    expect(w.store.receipts.get('/gov/portal#b-1')).toMatchObject({
      outcome: 'refused',
      kind: 'APPLICATION_CONFLICT',
      at: NOW,
      reason: expect.stringContaining('单项申请'),
      details: { submittedAs: 'bundle', heldAs: 'item', storedHash: known.application!.applicationHash, applicationHash: expect.any(String) },
    });
    expect(bundleReceipts(w, 'b-1')).toEqual([]);
    expect(conflictWarnings(w)).toHaveLength(1);
    expect(singleDecided(w, ID)).toEqual(decided);
  });

  it('leaves an id both kinds already hold (decided twice before the check) to each kind\'s own path: a redelivery is no conflict', async () => {
    const w = world();
    const ID = 'ONE-ID-BOTH';
    await w.approval.submitBundle(bundleApp(ID), cause('b-1'));
    // Decided as a single item too, as before the check (a service without bundles does not look).
    await createApprovalService(w.ports).submitApplication(weatherApp({ applicationId: ID }), cause('s-1'));
    expect(singleDecided(w, ID)).toHaveLength(1);

    await w.approval.submitApplication(weatherApp({ applicationId: ID }), cause('s-1'));
    await w.approval.submitBundle(bundleApp(ID), cause('b-1'));
    expect((await w.bundles.loadBundle(ID)).conflicts).toEqual([]);
    expect((await w.store.loadCase(ID)).conflicts).toEqual([]);
    expect(w.store.receipts.get('/gov/portal#s-1')).toMatchObject({ outcome: 'applied' });
    expect(bundleReceipts(w, 's-1')).toEqual([]);
    expect(conflictWarnings(w)).toEqual([]);
  });

  it('in one batch, a single item then a bundle of one id: the single item\'s waiting decision is written first, and the bundle refused', async () => {
    const w = world();
    const ID = 'ONE-ID-BATCH-1';
    const unit = w.approval.batch(() => [], () => [{ applicationId: ID, kind: 'item' }, { applicationId: ID, kind: 'bundle' }]);
    await unit.prepare!([]);
    await unit.run('m1', () => w.approval.submitApplication(weatherApp({ applicationId: ID }), cause('s-1')));
    await unit.run('m2', () => w.approval.submitBundle(bundleApp(ID), cause('b-1')));
    expect((await unit.commit()).size).toBe(0);

    expect(singleDecided(w, ID)).toHaveLength(1);
    expect((await w.bundles.loadBundle(ID)).state).toBeUndefined();
    expect(w.store.receipts.get('/gov/portal#b-1')).toMatchObject({ kind: 'APPLICATION_CONFLICT', details: expect.objectContaining({ heldAs: 'item' }) });
    expect(casesOpened(w, ID)).toHaveLength(1);
  });

  it('in one batch, a bundle then a single item of one id: the id read ahead is not trusted for two submissions, and the single item is refused', async () => {
    const w = world();
    const ID = 'ONE-ID-BATCH-2';
    const unit = w.approval.batch(() => [], () => [{ applicationId: ID, kind: 'bundle' }, { applicationId: ID, kind: 'item' }]);
    await unit.prepare!([]);
    await unit.run('m1', () => w.approval.submitBundle(bundleApp(ID), cause('b-1')));
    await unit.run('m2', () => w.approval.submitApplication(weatherApp({ applicationId: ID }), cause('s-1')));
    expect((await unit.commit()).size).toBe(0);

    expect(singleDecided(w, ID)).toEqual([]);
    expect((await w.bundles.loadBundle(ID)).state).toMatchObject({ sequence: 1 });
    expect(bundleReceipts(w, 's-1')).toEqual([expect.objectContaining({ kind: 'APPLICATION_CONFLICT', details: expect.objectContaining({ heldAs: 'bundle' }) })]);
  });

  it('reads the batch\'s submissions ahead in one request a kind, and a record then reads nothing more to refuse', async () => {
    const w = world();
    const ID = 'ONE-ID-AHEAD';
    await w.approval.submitBundle(bundleApp(ID), cause('b-1'));
    w.store.calls.length = 0;
    const reads = w.bundles.heldReads;
    const unit = w.approval.batch(() => [], () => [{ applicationId: ID, kind: 'item' }, { applicationId: 'ONE-ID-OTHER', kind: 'item' }]);
    await unit.prepare!([]);
    expect(w.bundles.heldReads).toBe(reads + 1);
    await unit.run('m1', () => w.approval.submitApplication(weatherApp({ applicationId: ID }), cause('s-1')));
    await unit.run('m2', () => w.approval.submitApplication(weatherApp({ applicationId: 'ONE-ID-OTHER' }), cause('s-2')));
    expect((await unit.commit()).size).toBe(0);

    expect(w.bundles.heldReads).toBe(reads + 1);
    expect(singleDecided(w, ID)).toEqual([]);
    expect(bundleReceipts(w, 's-1')).toEqual([expect.objectContaining({ kind: 'APPLICATION_CONFLICT' })]);
    expect(singleDecided(w, 'ONE-ID-OTHER')).toHaveLength(1);
    // The free id's decision was group-committed, with no read of its own.
    expect(w.store.calls).toEqual(['loadCase', 'writeFirstDecisions']);
  });
});
