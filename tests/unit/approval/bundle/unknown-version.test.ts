/**
 * A bundle application and the bundle version it was decided on. A submission for a bundle the catalogue does
 * not know (not yet published, or its catalogue event late) or no longer offers (inactive) is REJECTED at
 * once with the reason, no child and no bundle version; every later event on it is refused, and a version
 * published since changes nothing. A bundle decided on a version the catalogue then does not give back (a
 * read that lags the write, a restored table) is never rejected for it: a later event, or the deadlines
 * schedule, stores nothing, records no refusal, sends nothing and is retried, and decides as usual once the
 * version reads again. The same holds for the item version a child was decided on.
 */
import { createApprovalService, createDeadlinesService } from '#approval/service';
import type { Bundle } from '#approval/domain/bundle/types';
import type { ServiceItem } from '#approval/domain/types';
import { memoryApproval } from '#support/memory/approval';
import { MemoryBundleStore, MemoryCatalogue } from '#support/memory/bundle';
import { calendar } from '../fixtures';
import { ARTICLES, SEAL_FORM, cause, item, startUp, startUpApplication, startUpItems } from './fixtures';

const NOW = '2026-11-18T02:00:00.000Z';
const LATER = '2026-11-30T02:00:00.000Z';
// The seal item waits for its form, which the application does not give; social insurance is decided by hand.
const items = startUpItems(item('QYKB-YZKZ', '印章备案', [ARTICLES, SEAL_FORM]), item('QYKB-SBDJ', '社保登记证', [ARTICLES], { mode: 'manual' }));
const reviewed = (id: string) => cause(id, 'gov.application.reviewed');
const supplemented = (id: string) => cause(id, 'gov.application.materials.supplemented');
const app = startUpApplication('YJS-V-1', NOW);

function world(bundles: Bundle[] = [startUp], catalogueItems: ServiceItem[] = items) {
  const w = memoryApproval({ now: NOW, calendar });
  const store = new MemoryBundleStore();
  const catalogue = new MemoryCatalogue([...bundles], [...catalogueItems]);
  const extras = { bundles: store, catalogue };
  const approval = createApprovalService(w.ports, extras);
  const deadlines = createDeadlinesService({ ...w.ports, receiptGraceMs: 0 }, { ...extras, registry: w.ports.registry, calendar: w.ports.calendar });
  return { ...w, store, catalogue, approval, deadlines };
}

/** The catalogue reads no bundle version (or item version) for a while: `restore` puts them back. */
function lose<T>(list: T[], which: (t: T) => boolean): () => void {
  const gone = list.filter(which);
  list.splice(0, list.length, ...list.filter((t) => !which(t)));
  return () => list.push(...gone);
}

describe('a bundle application and the bundle version it was decided on', () => {
  it('rejects a submission for a bundle the catalogue does not know, and refuses every later event on it', async () => {
    const w = world([]);
    await w.approval.submitBundle(app, cause('s-1'));
    const first = (await w.store.loadBundle('YJS-V-1')).state!;
    expect(first).toMatchObject({ status: 'REJECTED', bundleVersion: null, children: [], sequence: 1 });
    expect(first.reasons).toEqual([expect.objectContaining({ code: 'BUNDLE_UNKNOWN' })]);
    // The catalogue's event comes late: the bundle is published after the application was decided.
    w.catalogue.bundles.push(startUp);
    await w.approval.supplementMaterials('YJS-V-1', [{ code: 'M-SEAL-FORM', provided: true }], supplemented('l-1'), 1, { answers: { hiresStaff: false } });
    await w.approval.reviewApplication('YJS-V-1', { outcome: 'APPROVED', reasons: [], staffId: 'S-1', at: NOW, itemCode: 'QYKB-SBDJ' }, reviewed('r-1'), 1);
    await w.approval.reviewApplication('YJS-V-1', { outcome: 'APPROVED', reasons: [], staffId: 'S-1', at: NOW }, reviewed('r-2'), 1);
    await w.approval.reportVerification('YJS-V-1', { truthful: true, note: '核查属实' }, cause('v-1', 'gov.application.verification.reported'), 1);
    w.clock.set(LATER);
    expect(await w.deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 0, flagged: 0, failed: 0 });
    const known = await w.store.loadBundle('YJS-V-1');
    expect(known.refusals.map((r) => [r.cause.id, r.code])).toEqual([
      ['l-1', 'NOT_PENDING_MATERIALS'],
      ['r-1', 'ITEM_NOT_IN_APPLICATION'],
      ['r-2', 'ITEM_CODE_REQUIRED'],
      ['v-1', 'NOT_APPROVED_ON_COMMITMENT'],
    ]);
    expect(known.versions.map((v) => v.sequence)).toEqual([1]);
    expect(known.state).toEqual(first);
  });

  it('rejects a submission for an inactive bundle BUNDLE_INACTIVE, with no bundle version', async () => {
    const w = world([{ ...startUp, version: startUp.version + 1, active: false }]);
    await w.approval.submitBundle(app, cause('s-1'));
    const state = (await w.store.loadBundle('YJS-V-1')).state!;
    expect(state).toMatchObject({ status: 'REJECTED', bundleVersion: null, children: [] });
    expect(state.reasons).toEqual([expect.objectContaining({ code: 'BUNDLE_INACTIVE' })]);
  });

  it('never rejects a bundle for a version the catalogue does not give back: a person\'s decision is retried, then decides', async () => {
    const w = world();
    await w.approval.submitBundle({ ...app, materials: [...app.materials, { code: 'M-SEAL-FORM', provided: true }] }, cause('s-1'));
    expect((await w.store.loadBundle('YJS-V-1')).state).toMatchObject({ status: 'IN_PROGRESS', bundleVersion: startUp.version, sequence: 1 });
    const sent = w.messenger.outbound.length;
    const restore = lose(w.catalogue.bundles, (b) => b.bundleCode === startUp.bundleCode);
    const review = { outcome: 'APPROVED' as const, reasons: [], staffId: 'S-1', at: NOW, itemCode: 'QYKB-SBDJ' };
    await expect(w.approval.reviewApplication('YJS-V-1', review, reviewed('r-1'), 1)).rejects.toThrow(/not in the catalogue/);
    const meanwhile = await w.store.loadBundle('YJS-V-1');
    expect(meanwhile.versions.map((v) => v.sequence)).toEqual([1]);
    expect(meanwhile.refusals).toEqual([]);
    expect(meanwhile.state).toMatchObject({ status: 'IN_PROGRESS', bundleVersion: startUp.version });
    expect(w.messenger.outbound.length).toBe(sent);
    // The redelivery, once the catalogue reads it again, decides the child and the roll-up at once.
    restore();
    await w.approval.reviewApplication('YJS-V-1', review, reviewed('r-1'), 2);
    expect((await w.store.loadBundle('YJS-V-1')).state).toMatchObject({ status: 'APPROVED', sequence: 2, changedChildren: ['QYKB-SBDJ'] });
  });

  it('never rejects a bundle for a version the catalogue does not give back: a supplement and the schedule decide nothing until it does', async () => {
    const w = world();
    const pending = { ...app, answers: { needsInvoice: false, hiresStaff: false } };
    await w.approval.submitBundle(pending, cause('s-1'));
    expect((await w.store.loadBundle('YJS-V-1')).state).toMatchObject({ status: 'ACCEPTED_PENDING_MATERIALS', sequence: 1 });
    const restore = lose(w.catalogue.bundles, (b) => b.bundleCode === startUp.bundleCode);
    await expect(w.approval.supplementMaterials('YJS-V-1', [{ code: 'M-SEAL-FORM', provided: true }], supplemented('l-1'), 1)).rejects.toThrow(/not in the catalogue/);
    w.clock.set(LATER);
    // The schedule logs the bundle as failed, leaves it due and goes on.
    expect(await w.deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 0, failed: 1 });
    const meanwhile = await w.store.loadBundle('YJS-V-1');
    expect(meanwhile.versions.map((v) => v.sequence)).toEqual([1]);
    expect(meanwhile.refusals).toEqual([]);
    restore();
    expect(await w.deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 1, failed: 0 });
    const known = await w.store.loadBundle('YJS-V-1');
    expect(known.state).toMatchObject({ status: 'TERMINATED', sequence: 2, bundleVersion: startUp.version });
    expect(known.state?.reasons[0]).toMatchObject({ code: 'REQUIRED_CHILD_TERMINATED' });
  });

  it('never rejects a bundle for a version the catalogue does not give back: a verification is retried, then recorded', async () => {
    // The business licence on commitment (distinct item versions: compiled conditions are cached by version).
    const onCommitment = items.map((i) => ({ ...i, version: 57, ...(i.itemCode === 'QYKB-SLDJ' ? { mode: 'commitment' as const, verificationDays: 5 } : {}) }));
    const w = world([startUp], onCommitment);
    await w.approval.submitBundle({ ...app, answers: { needsInvoice: false, hiresStaff: false }, materials: [...app.materials, { code: 'M-SEAL-FORM', provided: true }], commitment: { signedAt: NOW } }, cause('s-1'));
    const first = (await w.store.loadBundle('YJS-V-1')).state!;
    expect(first.status).toBe('APPROVED');
    expect(first.children.find((c) => c.itemCode === 'QYKB-SLDJ')?.decision?.outcome).toBe('APPROVED_ON_COMMITMENT');
    const sent = w.messenger.outbound.length;
    const restore = lose(w.catalogue.bundles, (b) => b.bundleCode === startUp.bundleCode);
    const report = { truthful: true, note: '核查属实', itemCode: 'QYKB-SLDJ' };
    const verified = cause('v-1', 'gov.application.verification.reported');
    await expect(w.approval.reportVerification('YJS-V-1', report, verified, 1)).rejects.toThrow(/not in the catalogue/);
    const meanwhile = await w.store.loadBundle('YJS-V-1');
    expect(meanwhile.versions.map((v) => v.sequence)).toEqual([1]);
    expect(meanwhile.state).toEqual(first);
    expect(w.messenger.outbound.length).toBe(sent);
    restore();
    await w.approval.reportVerification('YJS-V-1', report, verified, 2);
    const known = (await w.store.loadBundle('YJS-V-1')).state!;
    expect(known).toMatchObject({ status: 'APPROVED', sequence: 2, decidedAt: first.decidedAt });
    expect(known.children.find((c) => c.itemCode === 'QYKB-SLDJ')?.decision?.verification).toMatchObject({ truthful: true });
  });

  it('never rejects a child for an item version the catalogue does not give back: the supplement is retried, then serves it', async () => {
    const w = world();
    const pending = { ...app, answers: { needsInvoice: false, hiresStaff: false } };
    await w.approval.submitBundle(pending, cause('s-1'));
    const restore = lose(w.catalogue.items, (i) => i.itemCode === 'QYKB-YZKZ');
    const supplement = [{ code: 'M-SEAL-FORM', provided: true }];
    await expect(w.approval.supplementMaterials('YJS-V-1', supplement, supplemented('l-1'), 1)).rejects.toThrow(/not in the catalogue/);
    expect((await w.store.loadBundle('YJS-V-1')).versions.map((v) => v.sequence)).toEqual([1]);
    restore();
    await w.approval.supplementMaterials('YJS-V-1', supplement, supplemented('l-1'), 2);
    const known = await w.store.loadBundle('YJS-V-1');
    expect(known.state?.children.find((c) => c.itemCode === 'QYKB-YZKZ')?.decision).toMatchObject({ outcome: 'APPROVED', sequence: 2 });
    expect(known.state?.status).toBe('APPROVED');
  });
});
