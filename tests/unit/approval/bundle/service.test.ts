/**
 * The bundle use case over in-memory ports, through the approval service the consumer calls: a crash
 * between the write and the send decides nothing twice (the redelivered event sends what the stored
 * version owes); a resubmission under another id is a duplicate, with other content a conflict; a person's decision by itemCode and a
 * supplement reach the bundle application; a late supplement is refused once.
 */
import { createApprovalService } from '#approval/service';
import type { ServiceItem } from '#approval/domain/types';
import { memoryApproval } from '#support/memory/approval';
import { MemoryBundleStore, MemoryCatalogue } from '#support/memory/bundle';
import { calendar } from '../fixtures';
import { FOUNDER, cause, item, startUp, startUpApplication } from './fixtures';

const NOW = '2026-11-18T02:00:00.000Z';
const ARTICLES = { code: 'M-ARTICLES', name: '公司章程', declared: true };
const items: ServiceItem[] = [
  ...['QYKB-SLDJ', 'QYKB-YZKZ', 'QYKB-FPSL', 'QYKB-YHKH'].map((code) => item(code, `证照-${code}`, [ARTICLES])),
  item('QYKB-SBDJ', '社保登记证', [ARTICLES], { mode: 'manual' }),
];
const app = startUpApplication('YJS-U-1', NOW);

/** The 一件事 counters sent, as "Name[dims]=value". */
const bundlePoints = (w: ReturnType<typeof world>) =>
  w.telemetry.points
    .filter((p) => p.name.startsWith('Bundle'))
    .map((p) => `${p.name}${p.dimensions ? `[${Object.entries(p.dimensions).map(([k, v]) => `${k}:${v}`).join(',')}]` : ''}=${p.value}`);

function world(catalogueItems: ServiceItem[] = items) {
  const w = memoryApproval({ now: NOW, calendar });
  const bundles = new MemoryBundleStore();
  const approval = createApprovalService(w.ports, { bundles, catalogue: new MemoryCatalogue([startUp], catalogueItems) });
  return { ...w, bundles, approval };
}

describe('the bundle use case', () => {
  it('decides nothing twice when it crashed between the write and the send', async () => {
    const w = world();
    const publish = w.messenger.publish.bind(w.messenger);
    let fail = true;
    w.messenger.publish = async (events) => {
      if (fail) throw new Error('queue down');
      return publish(events);
    };
    await expect(w.approval.submitBundle(app, cause('s-1'))).rejects.toThrow('queue down');
    expect((await w.bundles.loadBundle('YJS-U-1')).versions).toEqual([expect.objectContaining({ sequence: 1, marked: false })]);
    fail = false;
    await w.approval.submitBundle(app, cause('s-1'));
    const known = await w.bundles.loadBundle('YJS-U-1');
    expect(known.versions).toEqual([expect.objectContaining({ sequence: 1 })]);
    // Four children decided (invoice not applicable), each sent once, and the bundle's roll-up once.
    expect(w.messenger.outbound.map((e) => e.id).sort()).toEqual(
      [...['QYKB-SBDJ', 'QYKB-SLDJ', 'QYKB-YHKH', 'QYKB-YZKZ'].map((c) => `decision:YJS-U-1:${c}:1`), 'bundle-decision:YJS-U-1:1'].sort(),
    );
    // The same application under another event id: a duplicate, nothing sent.
    await w.approval.submitBundle(app, cause('s-2'));
    expect(w.messenger.outbound).toHaveLength(5);
    expect([...w.store.receipts.values()]).toEqual([expect.objectContaining({ id: 's-2', outcome: 'noEffect', kind: 'DUPLICATE' })]);
  });

  it('records a resubmission with other content as a conflict once, with its audit line and receipt, and decides nothing', async () => {
    const w = world();
    await w.approval.submitBundle(app, cause('s-1'));
    const other = { ...app, form: { ...app.form, enterpriseName: '另一家公司' } };
    await w.approval.submitBundle(other, cause('s-2'));
    await w.approval.submitBundle(other, cause('s-2')); // redelivered
    const known = await w.bundles.loadBundle('YJS-U-1');
    expect(known.conflicts).toEqual([expect.objectContaining({ cause: cause('s-2'), applicationHash: expect.any(String), storedHash: known.application!.applicationHash })]);
    expect(known.conflicts[0]!.applicationHash).not.toBe(known.application!.applicationHash);
    expect(known.versions).toHaveLength(1);
    expect(known.state?.applicationId).toBe('YJS-U-1');
    expect(w.bundles.audit.filter((a: any) => a.action === 'conflict')).toEqual([expect.objectContaining({ subject: 'application:YJS-U-1', causeId: expect.stringContaining('s-2') })]);
    // The bundle's line and the conflict's name the system that posted their event.
    expect(w.bundles.audit.map((a: any) => [a.action, a.details?.source])).toEqual([
      [expect.stringMatching(/^decided:/), '/gov/portal'],
      ['conflict', '/gov/portal'],
    ]);
    expect(w.bundles.receipts.filter((r) => r.id === 's-2')).toEqual([expect.objectContaining({ outcome: 'refused', kind: 'APPLICATION_CONFLICT' })]);
    // Warned once: the redelivery found its conflict recorded.
    expect(w.telemetry.lines.filter((l) => l.message === 'application conflict')).toEqual([expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ eventId: 's-2' }) })]);
  });

  it('takes a person\'s decision by itemCode, then refuses a supplement to the final bundle once', async () => {
    const w = world();
    await w.approval.submitBundle(app, cause('s-1'));
    expect((await w.bundles.loadBundle('YJS-U-1')).state?.status).toBe('IN_PROGRESS');
    await w.approval.reviewApplication('YJS-U-1', { outcome: 'APPROVED', reasons: [], staffId: 'S-1', at: NOW, itemCode: 'QYKB-SBDJ' }, cause('r-1', 'gov.application.reviewed'), 1);
    const reviewed = await w.bundles.loadBundle('YJS-U-1');
    expect(reviewed.state).toMatchObject({ status: 'APPROVED', sequence: 2, changedChildren: ['QYKB-SBDJ'] });
    // 办不成事 heard of the child in manual review, then of its decision (which ends that watch); then the case.
    expect(w.messenger.internal.map((e) => [e.type, (e.data as { outcome?: string }).outcome])).toEqual([
      ['civicflow.application.decided', 'MANUAL_REVIEW'],
      ['civicflow.application.decided', 'APPROVED'],
      ['civicflow.case.opened', undefined],
    ]);
    const late = cause('l-1', 'gov.application.materials.supplemented');
    await w.approval.supplementMaterials('YJS-U-1', [], late, 1, { answers: { needsInvoice: true } });
    await w.approval.supplementMaterials('YJS-U-1', [], late, 1, { answers: { needsInvoice: true } });
    const after = await w.bundles.loadBundle('YJS-U-1');
    expect(after.refusals).toEqual([expect.objectContaining({ code: 'NOT_PENDING_MATERIALS' })]);
    expect(after.state?.sequence).toBe(2);
    // A redelivered person's decision finds its version: nothing decided again.
    await w.approval.reviewApplication('YJS-U-1', { outcome: 'APPROVED', reasons: [], staffId: 'S-1', at: NOW, itemCode: 'QYKB-SBDJ' }, cause('r-1', 'gov.application.reviewed'), 2);
    expect((await w.bundles.loadBundle('YJS-U-1')).versions).toHaveLength(2);
    // Counted once, when the person's decision finished it: a person took part, decided the same day.
    expect(bundlePoints(w)).toEqual([
      'BundlesDecided[Outcome:APPROVED]=1',
      ...(reviewed.state!.materialsSaved > 0 ? [`BundleMaterialsSaved=${reviewed.state!.materialsSaved}`] : []),
      'BundleTimeAgainstLegal=0',
    ]);
  });

  it('counts a bundle finished with no person once, though the event is redelivered after a crash', async () => {
    const w = world();
    const publish = w.messenger.publish.bind(w.messenger);
    let fail = true;
    w.messenger.publish = async (events) => {
      if (fail) throw new Error('queue down');
      return publish(events);
    };
    const machineOnly = { ...app, applicationId: 'YJS-U-2', answers: { needsInvoice: false, hiresStaff: false } };
    await expect(w.approval.submitBundle(machineOnly, cause('s-1'))).rejects.toThrow('queue down');
    fail = false;
    await w.approval.submitBundle(machineOnly, cause('s-1'));
    await w.approval.submitBundle(machineOnly, cause('s-2'));
    const state = (await w.bundles.loadBundle('YJS-U-2')).state!;
    expect(state).toMatchObject({ status: 'APPROVED', noPerson: true });
    expect(bundlePoints(w)).toEqual([
      'BundlesDecided[Outcome:APPROVED]=1',
      'BundlesDecidedWithNoPerson=1',
      ...(state.materialsSaved > 0 ? [`BundleMaterialsSaved=${state.materialsSaved}`] : []),
      'BundleTimeAgainstLegal=0',
    ]);
  });

  it('takes a person\'s decision on a child of a final bundle: the child\'s event and the next roll-up, counted once', async () => {
    // The seal is refused by its rule, so the bundle is REJECTED while social insurance waits for a person.
    const sealRefused = items.map((i) => (i.itemCode === 'QYKB-YZKZ' ? { ...i, version: 2, rules: { id: 'R-SEAL', description: '刻制印章不超过5枚', fact: 'form.seals', op: 'lte' as const, value: 5 } } : i));
    const w = world(sealRefused);
    const { approval, bundles } = w;
    const final = { ...app, applicationId: 'YJS-U-3', form: { ...app.form, seals: 9 } };
    await approval.submitBundle(final, cause('s-1'));
    expect((await bundles.loadBundle('YJS-U-3')).state).toMatchObject({ status: 'REJECTED', sequence: 1 });
    const sent = w.messenger.outbound.length;
    await approval.reviewApplication('YJS-U-3', { outcome: 'REJECTED', reasons: ['未招用员工'], staffId: 'S-1', at: NOW, itemCode: 'QYKB-SBDJ' }, cause('r-1', 'gov.application.reviewed'), 1);
    const known = await bundles.loadBundle('YJS-U-3');
    expect(known.refusals).toEqual([]);
    expect(known.versions.map((v) => v.sequence)).toEqual([1, 2]);
    expect(known.state).toMatchObject({ status: 'REJECTED', sequence: 2, changedChildren: ['QYKB-SBDJ'] });
    expect(known.state!.children.find((c) => c.itemCode === 'QYKB-SBDJ')?.decision).toMatchObject({ outcome: 'REJECTED', sequence: 2 });
    // The child's decision and the bundle's version 2, which is still REJECTED; no review case.
    expect(w.messenger.outbound.slice(sent).map((e) => e.id)).toEqual(['decision:YJS-U-3:QYKB-SBDJ:2', 'bundle-decision:YJS-U-3:2']);
    expect(w.messenger.outbound.at(-1)).toMatchObject({ data: { status: 'REJECTED', sequence: 2 } });
    expect(w.messenger.internal.filter((e) => e.type === 'civicflow.case.opened')).toEqual([]);
    // Counted as decided once, when it became final.
    expect(bundlePoints(w).filter((p) => p.startsWith('BundlesDecided'))).toEqual(['BundlesDecided[Outcome:REJECTED]=1']);
  });

  it('refuses answers, or no materials, in a supplement to a single-item application', async () => {
    const w = world();
    const single = items[0]!;
    w.registry.putItem(single);
    const application = { applicationId: 'SQ-U-1', itemCode: single.itemCode, applicant: FOUNDER, form: { enterpriseName: '某某公司' }, materials: [{ code: 'M-ARTICLES', provided: true }], channel: 'online', submittedAt: NOW };
    await w.approval.submitApplication(application, cause('s-9'));
    await w.approval.supplementMaterials('SQ-U-1', [], cause('l-9', 'gov.application.materials.supplemented'), 1, { answers: { needsInvoice: true } });
    const known = await w.store.loadCase('SQ-U-1');
    expect(known.refusals).toEqual([expect.objectContaining({ code: 'NOT_A_BUNDLE' })]);
    expect(known.versions).toHaveLength(1);
  });
});
