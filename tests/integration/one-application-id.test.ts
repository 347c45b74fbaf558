/**
 * An applicationId is decided once, whichever kind it was submitted as, end to end through the local
 * runtime: a single-item application posted under a bundle application's id, and a bundle under a single
 * item's, is refused in its receipt (APPLICATION_CONFLICT, naming both kinds), listed among the conflicts
 * of the application that holds the id, and never decided; that application's decision is unchanged, a
 * person's decision on its child still reaches the bundle, and the id has one review case, the holder's.
 * The refused events delivered again stay refused with the same receipt.
 */
import { sample, useLocal } from '#support/runtime';
import { application, DEPARTMENT, getOk, ITEMS, nextSerial, PERSON, postAllTo } from './bundle-fixtures';

const CLOCK = '2026-11-05T06:30:00.000Z';
const rt = useLocal(CLOCK);

const postAll = (events: unknown[]) => postAllTo(rt, events);
const get = (path: string, as?: string) => getOk(rt, path, as);

/** The same event posted again (the front door queues a repeat: the consumer sees it again) a little later. */
async function postAgainLater(event: unknown): Promise<void> {
  await rt.dev('POST', '/_dev/clock', { set: '2026-11-05T06:45:00.000Z' });
  await postAll([event]);
  await rt.dev('POST', '/_dev/clock', { set: CLOCK });
}

const receiptOf = (event: any) => get(`/events/${encodeURIComponent(event.id)}/receipt`, event.source);
const outbound = async (type: string, subject: string): Promise<any[]> =>
  (await rt.dev('GET', `/_dev/outbound?type=${encodeURIComponent(type)}&subject=${encodeURIComponent(subject)}`)).body.events;

/** A single-item application of the applicant, for the bundle's first item (instant: approved at once). */
function singleItem(applicationId: string): any {
  const base = application(applicationId, 'unused', {});
  const { bundleCode: _bundleCode, answers: _answers, ...data } = base.data;
  return { ...base, id: `single-app-${nextSerial()}`, data: { ...data, itemCode: 'QYKB-SLDJ', applicant: PERSON, form: { enterpriseName: '深圳市某某贸易有限公司' } } };
}

const BUNDLE_FIRST = 'ONE-ID-20261105-000001';
const SINGLE_FIRST = 'ONE-ID-20261105-000002';

describe('one decision per applicationId, single item or bundle, through the running runtime', () => {
  it('takes in the applicant, the items and the 企业开办 bundle', async () => {
    await postAll([sample('gov.person.profile.updated', 'resident')]);
    await postAll([sample('gov.licence.issued', 'resident-id-card')]);
    await postAll(ITEMS);
    await postAll([sample('gov.catalog.bundle.published', 'business-start-up')]);
    expect((await get('/bundles/YJS-QYKB')).version).toBe(1);
  });

  it('bundle first: refuses a single item under its id, and the bundle stays the one application of that id', async () => {
    const bundle = application(BUNDLE_FIRST, 'YJS-QYKB', { needsInvoice: false, hiresStaff: true }, { enterpriseName: '深圳市某某科技有限公司', seals: 2 });
    await postAll([bundle]);
    const before = await get(`/applications/${BUNDLE_FIRST}`);
    expect(before).toMatchObject({ kind: 'bundle', status: 'IN_PROGRESS', sequence: 1 });

    const single = singleItem(BUNDLE_FIRST);
    await postAll([single]);
    const refused = await receiptOf(single);
    expect(refused).toMatchObject({ outcome: 'refused', kind: 'APPLICATION_CONFLICT', reason: expect.stringContaining('一件事申请'), details: { submittedAs: 'item', heldAs: 'bundle' } });
    // Delivered again, later: still refused, with the same receipt.
    await postAgainLater(single);
    expect(await receiptOf(single)).toEqual(refused);

    const after = await get(`/applications/${BUNDLE_FIRST}`);
    expect(after.conflicts).toEqual([expect.objectContaining({ cause: expect.objectContaining({ id: single.id }), message: expect.stringContaining('冲突') })]);
    expect({ ...after, conflicts: [] }).toEqual(before);
    // No single item's decision went out, and no review case: the bundle waits for a person.
    expect((await outbound('gov.application.decided', BUNDLE_FIRST)).map((e) => e.id)).not.toContain(`decision:${BUNDLE_FIRST}:1`);
    expect((await rt.get(`/cases/${BUNDLE_FIRST}`, { as: DEPARTMENT })).status).toBe(404);

    // The department's decision on the bundle's child reaches the bundle (no single item shadows it).
    const review = { ...sample('gov.application.reviewed', 'approved'), id: `one-id-review-${nextSerial()}` };
    review.data = { applicationId: BUNDLE_FIRST, itemCode: 'QYKB-SBDJ', outcome: 'APPROVED', reasons: ['材料齐全'], staffId: 'RS-01', at: '2026-11-05T14:20:00+08:00' };
    await postAll([review]);
    expect(await get(`/events/${encodeURIComponent(review.id)}/receipt`, review.source)).toMatchObject({ outcome: 'applied', effect: { id: BUNDLE_FIRST, version: 2, state: 'APPROVED' } });
    expect(await get(`/cases/${BUNDLE_FIRST}`, DEPARTMENT)).toMatchObject({ case: { caseId: BUNDLE_FIRST, itemCode: 'YJS-QYKB', departmentCode: '440305-SJJ' } });
  });

  it('single item first: refuses a bundle under its id, and the single item\'s decision and review case are the only ones', async () => {
    const single = singleItem(SINGLE_FIRST);
    await postAll([single]);
    const before = await get(`/applications/${SINGLE_FIRST}`);
    expect(before).toMatchObject({ applicationId: SINGLE_FIRST, itemCode: 'QYKB-SLDJ', outcome: 'APPROVED', sequence: 1, conflicts: [] });
    const reviewCase = await get(`/cases/${SINGLE_FIRST}`, DEPARTMENT);
    expect(reviewCase).toMatchObject({ case: { caseId: SINGLE_FIRST, itemCode: 'QYKB-SLDJ' } });

    const bundle = application(SINGLE_FIRST, 'YJS-QYKB', { needsInvoice: false, hiresStaff: false }, { enterpriseName: '深圳市某某科技有限公司', seals: 2 });
    await postAll([bundle]);
    const refused = await receiptOf(bundle);
    expect(refused).toMatchObject({ outcome: 'refused', kind: 'APPLICATION_CONFLICT', reason: expect.stringContaining('单项申请'), details: { submittedAs: 'bundle', heldAs: 'item' } });
    await postAgainLater(bundle);
    expect(await receiptOf(bundle)).toEqual(refused);

    const after = await get(`/applications/${SINGLE_FIRST}`);
    expect(after.conflicts).toEqual([expect.objectContaining({ cause: expect.objectContaining({ id: bundle.id }), message: expect.stringContaining('冲突') })]);
    expect({ ...after, conflicts: [] }).toEqual(before);
    // No bundle decided: no child's decision, no roll-up, and the one review case is the single item's, unchanged.
    expect(await outbound('gov.application.bundle.decided', SINGLE_FIRST)).toEqual([]);
    expect((await outbound('gov.application.decided', SINGLE_FIRST)).map((e) => e.id)).toEqual([`decision:${SINGLE_FIRST}:1`]);
    expect(await get(`/cases/${SINGLE_FIRST}`, DEPARTMENT)).toEqual(reviewCase);
  });
});
