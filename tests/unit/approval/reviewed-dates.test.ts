/**
 * A person's decision (gov.application.reviewed) dated before the application's submission — a mistyped year,
 * a wrong clock — is refused (BEFORE_SUBMITTED) and changes nothing: taken, it would report a negative
 * processing time and an audit trail deciding before the submission. The times are compared as instants,
 * whatever offset each is written in: a decision at the very instant of the submission is taken, one a
 * millisecond (or less) before it is not. The same for one child of a bundle (一件事). Over in-memory ports:
 * recorded once (refusal, audit line, receipt) however often the event is redelivered, then a correctly dated
 * decision applies.
 */
import { decideBundle, type BundleContext } from '#approval/domain/bundle/application';
import { reviewBundleChild } from '#approval/domain/bundle/later';
import { decide } from '#approval/domain/decide';
import type { Cause } from '#approval/domain/decision';
import { onReview, reviewRefusal, type PersonReview } from '#approval/domain/reviewed';
import { createApprovalService } from '#approval/service';
import type { ServiceItem } from '#approval/domain/types';
import { memoryApproval } from '#support/memory/approval';
import { MemoryBundleStore, MemoryCatalogue } from '#support/memory/bundle';
import { item, startUp, startUpApplication } from './bundle/fixtures';
import { calendar, inputFor, outdoorAdItem, outdoorApp, SUBMITTED } from './fixtures';
import { approvalWorld, portal } from './service-fixtures';

const REVIEWED = 'gov.application.reviewed';
const LATER = '2026-11-20T03:00:05.000Z';
/** SUBMITTED (2026-11-18T01:59:58.500Z) minus 1 ms, and the same two instants written in Shanghai time. */
const MS_BEFORE = '2026-11-18T01:59:58.499Z';
const SUBMITTED_SHANGHAI = '2026-11-18T09:59:58.500+08:00';
const MS_BEFORE_SHANGHAI = '2026-11-18T09:59:58.499+08:00';
const manual = decide(inputFor(outdoorApp(), outdoorAdItem));
const person = (at: string, extra: Partial<PersonReview> = {}): PersonReview => ({ outcome: 'APPROVED', reasons: ['现场核查设施安全'], staffId: 'CGJ-007', at, ...extra });
const ctx = { item: outdoorAdItem, now: LATER, calendar };

describe('a person\'s decision dated before the submission (domain)', () => {
  it('is refused on a single-item application, naming both times; nothing changes', () => {
    expect(manual).toMatchObject({ outcome: 'MANUAL_REVIEW', submittedAt: SUBMITTED });
    const typo = person('2025-11-20T11:00:00+08:00'); // the year mistyped
    const t = onReview(manual, typo, ctx);
    expect(t).toEqual({ ok: false, refusal: { code: 'BEFORE_SUBMITTED', message: expect.stringContaining('2025-11-20T11:00:00+08:00') } });
    if (!t.ok) expect(t.refusal.message).toContain(SUBMITTED);
    expect(reviewRefusal(manual, typo)).toMatchObject({ code: 'BEFORE_SUBMITTED' });
    expect(reviewRefusal(manual, person(MS_BEFORE))).toMatchObject({ code: 'BEFORE_SUBMITTED' });
    expect(onReview(manual, person(MS_BEFORE, { outcome: 'REJECTED' }), ctx)).toMatchObject({ ok: false, refusal: { code: 'BEFORE_SUBMITTED' } });
    // With the application's own item code, the same.
    expect(reviewRefusal(manual, person(MS_BEFORE, { itemCode: outdoorAdItem.itemCode }))).toMatchObject({ code: 'BEFORE_SUBMITTED' });
  });

  it('is taken at the very instant of the submission, with no negative processing time', () => {
    for (const at of [SUBMITTED, SUBMITTED_SHANGHAI, '2026-11-18T01:59:58.5Z']) {
      expect([at, reviewRefusal(manual, person(at))]).toEqual([at, undefined]);
      const t = onReview(manual, person(at), ctx);
      if (!t.ok) throw new Error(t.refusal.message);
      expect(t.decision).toMatchObject({ outcome: 'APPROVED', sequence: 2, latencyMs: 0, actualWorkingDays: 0 });
    }
  });

  it('compares as instants, not strings: an offset that sorts later may still be before', () => {
    // 09:59:58.499 in Shanghai is 01:59:58.499Z, a millisecond before; as a string it sorts after SUBMITTED.
    expect(MS_BEFORE_SHANGHAI > SUBMITTED).toBe(true);
    expect(reviewRefusal(manual, person(MS_BEFORE_SHANGHAI))).toMatchObject({ code: 'BEFORE_SUBMITTED' });
    // And one written in UTC that sorts before a Shanghai submission may be after it.
    const inShanghai = { ...manual, submittedAt: SUBMITTED_SHANGHAI };
    expect('2026-11-18T02:00:00Z' < SUBMITTED_SHANGHAI).toBe(true);
    expect(reviewRefusal(inShanghai, person('2026-11-18T02:00:00Z'))).toBeUndefined();
    expect(reviewRefusal(inShanghai, person('2026-11-18T01:59:58.499Z'))).toMatchObject({ code: 'BEFORE_SUBMITTED' });
    // Below the millisecond, which Date.parse drops: within one millisecond, still before.
    expect(reviewRefusal(manual, person('2026-11-18T01:59:58.4999999Z'))).toMatchObject({ code: 'BEFORE_SUBMITTED' });
    const fine = { ...manual, submittedAt: '2026-11-18T01:59:58.5005Z' };
    expect(reviewRefusal(fine, person('2026-11-18T01:59:58.5001Z'))).toMatchObject({ code: 'BEFORE_SUBMITTED' });
    expect(reviewRefusal(fine, person('2026-11-18T09:59:58.5005+08:00'))).toBeUndefined();
  });

  it('leaves the state refusals first: a decided application is NOT_IN_MANUAL_REVIEW whatever the date', () => {
    const approved = onReview(manual, person(LATER), ctx);
    if (!approved.ok) throw new Error(approved.refusal.message);
    expect(reviewRefusal(approved.decision, person(MS_BEFORE))).toMatchObject({ code: 'NOT_IN_MANUAL_REVIEW' });
  });
});

describe('a person\'s decision on a bundle child dated before the bundle\'s submission (domain)', () => {
  const NOW = '2026-11-18T02:00:00.000Z';
  const ARTICLES = { code: 'M-ARTICLES', name: '公司章程', declared: true };
  const items = new Map<string, ServiceItem>(
    [...['QYKB-SLDJ', 'QYKB-YZKZ', 'QYKB-FPSL', 'QYKB-YHKH'].map((code) => item(code, `证照-${code}`, [ARTICLES])), item('QYKB-SBDJ', '社保登记证', [ARTICLES], { mode: 'manual' })].map((i) => [i.itemCode, i]),
  );
  const application = startUpApplication('YJS-DATE-1', '2026-11-18T10:00:00+08:00'); // submitted at NOW, written in Shanghai time
  const context = (now: string): BundleContext => ({ bundle: startUp, items, licences: [], now, calendar });
  const s = decideBundle(application, context(NOW));
  const child = (at: string) => person(at, { itemCode: 'QYKB-SBDJ' });

  it('is refused, naming the child, and the child stays in manual review', () => {
    expect(s.status).toBe('IN_PROGRESS');
    expect(s.children.find((c) => c.itemCode === 'QYKB-SBDJ')?.decision?.outcome).toBe('MANUAL_REVIEW');
    for (const at of ['2026-11-18T01:59:59.999Z', '2026-11-18T09:59:59.999+08:00', '2025-11-18T10:30:00+08:00']) {
      const t = reviewBundleChild(s, child(at), context(LATER));
      expect([at, t]).toEqual([at, { ok: false, refusal: { code: 'BEFORE_SUBMITTED', message: expect.stringContaining('QYKB-SBDJ') } }]);
    }
  });

  it('is taken at the very instant of the submission, in any offset', () => {
    for (const at of [NOW, '2026-11-18T10:00:00+08:00', '2026-11-17T20:00:00-06:00']) {
      const t = reviewBundleChild(s, child(at), context(LATER));
      if (!t.ok) throw new Error(`${at}: ${t.refusal.message}`);
      expect(t.state.status).toBe('APPROVED');
      expect(t.state.children.find((c) => c.itemCode === 'QYKB-SBDJ')?.decision).toMatchObject({ outcome: 'APPROVED', latencyMs: 0 });
    }
  });
});

describe('a person\'s decision dated before the submission (use case over in-memory ports)', () => {
  const ID = 'APP-CG-2';
  const TYPO = person('2025-11-20T11:00:00+08:00');

  it('records one refusal, one audit line and one receipt however often it comes; then a correct decision applies', async () => {
    const w = approvalWorld();
    w.registry.putItem(outdoorAdItem);
    await w.approval.submitApplication(outdoorApp(), portal('s-1'));
    w.clock.set(LATER);
    for (const receives of [1, 2, 3]) await w.approval.reviewApplication(ID, TYPO, portal('r-typo', REVIEWED), receives);
    const known = w.store.cases.get(ID)!;
    expect(known.refusals.map((r) => [r.cause.id, r.code])).toEqual([['r-typo', 'BEFORE_SUBMITTED']]);
    expect(known.versions.map((v) => v.decision.outcome)).toEqual(['MANUAL_REVIEW']);
    expect(w.store.audit.filter((a) => a.action === 'refused:BEFORE_SUBMITTED')).toHaveLength(1);
    expect(w.store.receipts.get('/gov/portal#r-typo')).toMatchObject({ outcome: 'refused', kind: 'BEFORE_SUBMITTED' });
    expect(w.telemetry.lines.filter((l) => l.message === 'event refused')).toHaveLength(1);
    // Nothing sent for it: only the first decision's event.
    expect(w.messenger.outbound.map((e) => e.id)).toEqual([`decision:${ID}:1`]);

    const fixed = person('2026-11-20T11:00:00+08:00');
    await w.approval.reviewApplication(ID, fixed, portal('r-fixed', REVIEWED), 1);
    const d = w.store.cases.get(ID)!.versions.at(-1)!.decision;
    expect(d).toMatchObject({ outcome: 'APPROVED', sequence: 2, decidedAt: '2026-11-20T11:00:00+08:00', latencyMs: Date.parse('2026-11-20T03:00:00Z') - Date.parse(SUBMITTED) });
    expect(d.latencyMs).toBeGreaterThan(0);
    expect(w.store.cases.get(ID)!.refusals).toHaveLength(1);
  });

  it('on a bundle child: one refusal however often it comes, the bundle unchanged; then a correct decision applies', async () => {
    const NOW = '2026-11-18T02:00:00.000Z';
    const ARTICLES = { code: 'M-ARTICLES', name: '公司章程', declared: true };
    const items: ServiceItem[] = [
      ...['QYKB-SLDJ', 'QYKB-YZKZ', 'QYKB-FPSL', 'QYKB-YHKH'].map((code) => item(code, `证照-${code}`, [ARTICLES])),
      item('QYKB-SBDJ', '社保登记证', [ARTICLES], { mode: 'manual' }),
    ];
    const w = memoryApproval({ now: NOW, calendar });
    const bundles = new MemoryBundleStore();
    const approval = createApprovalService(w.ports, { bundles, catalogue: new MemoryCatalogue([startUp], items) });
    const cause = (id: string, type = REVIEWED): Cause => ({ source: '/gov/portal', id, type });
    const app = startUpApplication('YJS-DATE-2', NOW);
    await approval.submitBundle(app, cause('s-1', 'gov.application.submitted'));
    const typo = person('2025-11-18T10:30:00+08:00', { itemCode: 'QYKB-SBDJ' });
    for (const receives of [1, 2]) await approval.reviewApplication('YJS-DATE-2', typo, cause('r-typo'), receives);
    const refused = await bundles.loadBundle('YJS-DATE-2');
    expect(refused.refusals.map((r) => [r.cause.id, r.code])).toEqual([['r-typo', 'BEFORE_SUBMITTED']]);
    expect(refused.versions).toHaveLength(1);
    expect(refused.state?.status).toBe('IN_PROGRESS');
    expect(bundles.receipts.filter((r) => r.id === 'r-typo')).toEqual([expect.objectContaining({ outcome: 'refused', kind: 'BEFORE_SUBMITTED' })]);

    await approval.reviewApplication('YJS-DATE-2', person('2026-11-18T10:30:00+08:00', { itemCode: 'QYKB-SBDJ' }), cause('r-fixed'), 1);
    const after = await bundles.loadBundle('YJS-DATE-2');
    expect(after.state).toMatchObject({ status: 'APPROVED', sequence: 2 });
    expect(after.refusals).toHaveLength(1);
  });
});
