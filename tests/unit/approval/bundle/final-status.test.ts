/**
 * When a bundle application's final status comes. The roll-up is recomputed in the version of every change of
 * a child, so the person's decision on the last open child sends `gov.application.bundle.decided` with the
 * final status at once (once: its redelivery makes no version, and the schedule nothing). The schedule decides
 * a bundle only for a child still pending materials: the first run after the grace past its deadline,
 * however long before its siblings were decided.
 */
import { createApprovalService, createDeadlinesService } from '#approval/service';
import type { ServiceItem } from '#approval/domain/types';
import { memoryApproval } from '#support/memory/approval';
import { MemoryBundleStore, MemoryCatalogue } from '#support/memory/bundle';
import { calendar } from '../fixtures';
import { cause, item, startUp, startUpApplication } from './fixtures';

const NOW = '2026-11-18T02:00:00.000Z';
const LATER = '2026-12-30T02:00:00.000Z';
const GRACE_MS = 75 * 60_000;
const ARTICLES = { code: 'M-ARTICLES', name: '公司章程', declared: true };
const INVOICE_FORM = { code: 'M-INVOICE-FORM', name: '发票领用申请表', declared: true, tolerable: true };
const items: ServiceItem[] = [
  item('QYKB-FPSL', '发票领用', [ARTICLES, INVOICE_FORM]),
  item('QYKB-SBDJ', '社保登记证', [ARTICLES], { mode: 'manual' }),
  ...['QYKB-SLDJ', 'QYKB-YZKZ', 'QYKB-YHKH'].map((code) => item(code, `证照-${code}`, [ARTICLES])),
];
const app = startUpApplication('YJS-F-1', NOW);

function world() {
  const w = memoryApproval({ now: NOW, calendar });
  const bundles = new MemoryBundleStore();
  const extras = { bundles, catalogue: new MemoryCatalogue([startUp], items) };
  const approval = createApprovalService(w.ports, extras);
  const deadlines = createDeadlinesService({ ...w.ports, receiptGraceMs: GRACE_MS }, { ...extras, registry: w.ports.registry, calendar: w.ports.calendar });
  return { ...w, bundles, approval, deadlines };
}

const bundleEvents = (w: ReturnType<typeof world>) =>
  w.messenger.outbound.filter((e) => e.type === 'gov.application.bundle.decided').map((e) => [e.id, (e.data as { status: string }).status]);

describe('when a bundle application\'s final status comes', () => {
  it('with the person\'s decision on its last open child, sent once, and the schedule adds nothing', async () => {
    const w = world();
    await w.approval.submitBundle(app, cause('s-1'));
    expect((await w.bundles.loadBundle('YJS-F-1')).state).toMatchObject({ status: 'IN_PROGRESS', sequence: 1 });
    const review = { outcome: 'APPROVED' as const, reasons: [], staffId: 'S-1', at: NOW, itemCode: 'QYKB-SBDJ' };
    await w.approval.reviewApplication('YJS-F-1', review, cause('r-1', 'gov.application.reviewed'), 1);
    await w.approval.reviewApplication('YJS-F-1', review, cause('r-1', 'gov.application.reviewed'), 2);
    w.clock.set(LATER);
    expect(await w.deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 0, flagged: 0 });
    const known = await w.bundles.loadBundle('YJS-F-1');
    expect(known.versions.map((v) => [v.sequence, v.causeKind, v.state.status])).toEqual([
      [1, 'submitted', 'IN_PROGRESS'],
      [2, 'reviewed', 'APPROVED'],
    ]);
    expect(known.state?.decidedAt).toBe(NOW);
    // The redelivery sends its version again under the same id (receivers de-duplicate); nothing else is sent.
    expect([...new Set(bundleEvents(w).map(([id, status]) => `${id}=${status}`))]).toEqual(['bundle-decision:YJS-F-1:1=IN_PROGRESS', 'bundle-decision:YJS-F-1:2=APPROVED']);
  });

  it('for a child pending materials, with the first schedule run after the grace past its deadline', async () => {
    const w = world();
    await w.approval.submitBundle({ ...app, answers: { needsInvoice: true, hiresStaff: false } }, cause('s-1'));
    const first = (await w.bundles.loadBundle('YJS-F-1')).state!;
    expect(first.status).toBe('ACCEPTED_PENDING_MATERIALS');
    // Every other applicable child is decided, approved, in the first version.
    expect(first.children.filter((c) => c.state.kind !== 'notApplicable').map((c) => [c.itemCode, c.decision?.outcome])).toEqual([
      ['QYKB-SLDJ', 'APPROVED'],
      ['QYKB-YZKZ', 'APPROVED'],
      ['QYKB-FPSL', 'ACCEPTED_PENDING_MATERIALS'],
      ['QYKB-YHKH', 'APPROVED'],
    ]);
    const dueAt = first.children.find((c) => c.itemCode === 'QYKB-FPSL')!.decision!.supplementDue!.dueAt;
    w.clock.set(new Date(Date.parse(dueAt) + GRACE_MS - 60_000).toISOString());
    expect(await w.deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 0 });
    expect((await w.bundles.loadBundle('YJS-F-1')).state).toMatchObject({ status: 'ACCEPTED_PENDING_MATERIALS', sequence: 1 });
    const run = new Date(Date.parse(dueAt) + GRACE_MS + 60_000).toISOString();
    w.clock.set(run);
    expect(await w.deadlines.runDeadlines()).toMatchObject({ bundlesTerminated: 1 });
    expect((await w.bundles.loadBundle('YJS-F-1')).state).toMatchObject({ status: 'PARTIALLY_APPROVED', sequence: 2, decidedAt: run, changedChildren: ['QYKB-FPSL'] });
    expect(bundleEvents(w)).toEqual([
      ['bundle-decision:YJS-F-1:1', 'ACCEPTED_PENDING_MATERIALS'],
      ['bundle-decision:YJS-F-1:2', 'PARTIALLY_APPROVED'],
    ]);
  });
});
