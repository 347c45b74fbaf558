/**
 * 一件事 bundle applications end to end through the local runtime: both sample bundles published with
 * their items; a 企业开办 application whose children are decided in parallel and in order (the seal and the
 * bank account on the business licence just issued), one child waiting for a person until the department's
 * decision by itemCode settles the bundle and opens its one review case for the lead department (one dated
 * before the submission refused, the child left with a person); a
 * 出生一件事 application that needs answers until a supplement gives them, then decides a chain of
 * three children each on the certificate the previous one issued; a required child rejected while an
 * optional one is approved; a supplement to a final bundle refused; the same id with other content recorded as
 * a conflict; refusal notices for a rejected child and an unknown bundle; the figures; and a redelivery of the
 * same events deciding nothing twice; an optional child pending materials past its supplement deadline
 * terminated by the deadlines schedule, once, the bundle then PARTIALLY_APPROVED and a hard case offered on it;
 * a simulation of one of the items, which counts the bundle applications with a child of it apart (not
 * replayed: a bundle keeps no facts per child) and changes nothing visible.
 */
import { devKey, signedHeaders } from '#auth/signature';
import { sample, useLocal } from '#support/runtime';
import { application, DEPARTMENT, getOk, ID, itemEvent, ITEMS, nextSerial, PERSON, postAllTo } from './bundle-fixtures';

const CLOCK = '2026-11-05T06:30:00.000Z';
const rt = useLocal(CLOCK);

function event(type: string, name: string, data: Record<string, unknown>): any {
  const s = sample(type, name);
  return { ...s, id: `${s.id}-b${nextSerial()}`, data };
}

const postAll = (events: unknown[]) => postAllTo(rt, events);
const get = (path: string, as?: string) => getOk(rt, path, as);

const bundleOf = (id: string) => get(`/applications/${encodeURIComponent(id)}`);
const outcomes = (view: any) => Object.fromEntries(view.children.map((c: any) => [c.itemCode, c.outcome ?? c.state]));
const outbound = async (type: string, subject: string): Promise<any[]> =>
  (await rt.dev('GET', `/_dev/outbound?type=${encodeURIComponent(type)}&subject=${encodeURIComponent(subject)}`)).body.events;

const START_UP = 'YJS-20261105-000001';
const NEWBORN = 'YJS-20261105-000002';
const SEALS = 'YJS-20261105-000003';
let first: any;

describe('一件事 bundle applications, through the running runtime', () => {
  it('takes in the applicant, the items and both sample bundles', async () => {
    await postAll([sample('gov.person.profile.updated', 'resident')]);
    await postAll([sample('gov.licence.issued', 'resident-id-card')]);
    await postAll(ITEMS);
    await postAll([sample('gov.catalog.bundle.published', 'business-start-up'), sample('gov.catalog.bundle.published', 'newborn')]);
    expect((await get('/bundles/YJS-QYKB')).version).toBe(1);
  });

  it('decides every applicable 企业开办 child, followers on the certificates just issued, and waits for a person on one', async () => {
    first = application(START_UP, 'YJS-QYKB', { needsInvoice: true, hiresStaff: true }, { enterpriseName: '深圳市某某科技有限公司', seals: 3 });
    // The same event again, and the same application under another event id (it reaches the consumer).
    const again = { ...first, id: `${first.id}-again` };
    // And the same applicationId with other content under a third id: a conflict, recorded; the first stands.
    const other = { ...first, id: `${first.id}-other`, data: { ...first.data, form: { ...first.data.form, seals: 5 } } };
    await postAll([first, again]);
    await postAll([other]);
    expect(await get(`/events/${encodeURIComponent(again.id)}/receipt`, again.source)).toMatchObject({ outcome: 'noEffect', kind: 'DUPLICATE' });
    expect(await get(`/events/${encodeURIComponent(other.id)}/receipt`, other.source)).toMatchObject({ outcome: 'refused', kind: 'APPLICATION_CONFLICT' });
    const view = await bundleOf(START_UP);
    expect(view.conflicts).toEqual([expect.objectContaining({ cause: expect.objectContaining({ id: other.id }), message: expect.stringContaining('冲突') })]);
    expect(view).toMatchObject({ kind: 'bundle', bundleCode: 'YJS-QYKB', status: 'IN_PROGRESS', sequence: 1, overdue: false, leadDepartmentCode: '440305-SJJ' });
    expect(outcomes(view)).toEqual({ 'QYKB-SLDJ': 'APPROVED', 'QYKB-YZKZ': 'APPROVED', 'QYKB-FPSL': 'APPROVED', 'QYKB-SBDJ': 'MANUAL_REVIEW', 'QYKB-YHKH': 'APPROVED' });
    const seal = view.children.find((c: any) => c.itemCode === 'QYKB-YZKZ');
    expect(seal.departmentCode).toBe('DEPT-QYKB-YZKZ');
    expect(seal.decision.licencesUsed.map((l: any) => l.licenceNo)).toContain(`营业执照-${START_UP}:QYKB-SLDJ`);
    expect(seal.decision.trace.steps.length).toBeGreaterThan(0);
    // Which items applied and why, and the merged materials with the items each served.
    expect(view.applicability.find((a: any) => a.itemCode === 'QYKB-SBDJ')).toMatchObject({ applies: true, explanation: { result: true } });
    expect(view.materials.find((m: any) => m.code === 'M-BL')).toMatchObject({ minTrustLevel: 'A', servesItems: ['QYKB-YZKZ', 'QYKB-FPSL', 'QYKB-SBDJ', 'QYKB-YHKH'] });
    expect(view.materialsWaived).toEqual(expect.arrayContaining(['M-IDCARD', 'M-BL', 'M-SEAL']));
    // 2 + 2 + 1 + 2 + 2 materials, merged into M-IDCARD, M-ARTICLES, M-BL, M-SEAL.
    expect(view.materialsSaved).toBe(5);
    expect((await outbound('gov.application.decided', START_UP)).map((e) => e.data.applicationId).sort()).toEqual(
      ['QYKB-FPSL', 'QYKB-SBDJ', 'QYKB-SLDJ', 'QYKB-YHKH', 'QYKB-YZKZ'].map((c) => `${START_UP}:${c}`),
    );
    expect((await outbound('gov.application.bundle.decided', START_UP)).map((e) => [e.id, e.data.status])).toEqual([[`bundle-decision:${START_UP}:1`, 'IN_PROGRESS']]);
  });

  it('refuses a decision on the child dated before the application was submitted: the child stays with a person', async () => {
    // Submitted 2026-11-05T14:00:00+08:00; a millisecond before it, written in UTC, and one with the year mistyped.
    const early = [
      event('gov.application.reviewed', 'approved', { applicationId: START_UP, itemCode: 'QYKB-SBDJ', outcome: 'APPROVED', reasons: ['材料齐全'], staffId: 'RS-01', at: '2026-11-05T05:59:59.999Z' }),
      event('gov.application.reviewed', 'approved', { applicationId: START_UP, itemCode: 'QYKB-SBDJ', outcome: 'APPROVED', reasons: ['材料齐全'], staffId: 'RS-01', at: '2025-11-05T15:00:00+08:00' }),
    ];
    await postAll(early);
    for (const e of early) {
      expect([e.id, await get(`/events/${encodeURIComponent(e.id)}/receipt`, DEPARTMENT)]).toEqual([e.id, expect.objectContaining({ outcome: 'refused', kind: 'BEFORE_SUBMITTED' })]);
    }
    const listed = ((await get('/refusals?since=2026-11-05&limit=100', DEPARTMENT)).refusals as any[]).filter((r) => early.some((e) => e.id === r.id));
    expect(listed.map((r) => r.kind)).toEqual(['BEFORE_SUBMITTED', 'BEFORE_SUBMITTED']);
    const view = await bundleOf(START_UP);
    expect(view).toMatchObject({ status: 'IN_PROGRESS', sequence: 1 });
    expect(outcomes(view)['QYKB-SBDJ']).toBe('MANUAL_REVIEW');
  });

  it('takes the department\'s decision on the child by itemCode: the bundle is APPROVED and the lead department\'s case opened', async () => {
    const review = event('gov.application.reviewed', 'approved', { applicationId: START_UP, itemCode: 'QYKB-SBDJ', outcome: 'APPROVED', reasons: ['材料齐全'], staffId: 'RS-01', at: '2026-11-05T14:20:00+08:00' });
    await postAll([review]);
    const view = await bundleOf(START_UP);
    expect(view).toMatchObject({ status: 'APPROVED', sequence: 2 });
    // Every version in the history: the first left the child with a person, the department's decision made the second.
    expect(view.history.map((v: any) => [v.sequence, v.status, v.cause.kind, v.children.find((c: any) => c.itemCode === 'QYKB-SBDJ').outcome])).toEqual([
      [1, 'IN_PROGRESS', 'submitted', 'MANUAL_REVIEW'],
      [2, 'APPROVED', 'reviewed', 'APPROVED'],
    ]);
    const child = view.children.find((c: any) => c.itemCode === 'QYKB-SBDJ');
    expect(child.decision).toMatchObject({ outcome: 'APPROVED', sequence: 2, certificateNo: `社保登记证-${START_UP}:QYKB-SBDJ`, review: { staffId: 'RS-01' } });
    const reviewCase = await get(`/cases/${START_UP}`, DEPARTMENT);
    expect(reviewCase).toMatchObject({ case: { caseId: START_UP, itemCode: 'YJS-QYKB', departmentCode: '440305-SJJ' } });
    expect(await get(`/events/${encodeURIComponent(review.id)}/receipt`, DEPARTMENT)).toMatchObject({ outcome: 'applied', effect: { id: START_UP, version: 2, state: 'APPROVED' } });
    // A second decision on the same child is refused, recorded with its receipt.
    const late = event('gov.application.reviewed', 'rejected', { applicationId: START_UP, itemCode: 'QYKB-SBDJ', outcome: 'REJECTED', reasons: ['重复'], staffId: 'RS-01', at: '2026-11-05T14:25:00+08:00' });
    await postAll([late]);
    expect(await get(`/events/${encodeURIComponent(late.id)}/receipt`, DEPARTMENT)).toMatchObject({ outcome: 'refused', kind: 'NOT_IN_MANUAL_REVIEW' });
  });

  it('asks the 出生一件事 questions first, decides the chain once a supplement answers, and refuses a supplement after', async () => {
    await postAll([application(NEWBORN, 'YJS-CSYJS', { hukouHere: true })]);
    const asked = await bundleOf(NEWBORN);
    expect(asked).toMatchObject({ status: 'NEEDS_ANSWER', children: [] });
    expect(asked.questions.map((q: any) => q.id)).toEqual(['insuredElsewhere', 'wantsCard']);

    const answers = event('gov.application.materials.supplemented', 'consent-supplied', { applicationId: NEWBORN, materials: [], answers: { insuredElsewhere: false, wantsCard: false } });
    await postAll([answers]);
    const view = await bundleOf(NEWBORN);
    expect(view).toMatchObject({ status: 'APPROVED', sequence: 2 });
    expect(outcomes(view)).toEqual({ 'CS-CSYXZM': 'APPROVED', 'CS-HKDJ': 'APPROVED', 'CS-YBCB': 'APPROVED', 'CS-SBKSL': 'notApplicable' });
    const insurance = view.children.find((c: any) => c.itemCode === 'CS-YBCB');
    expect(insurance.decision.licencesUsed.map((l: any) => l.licenceNo)).toEqual([`户口登记-${NEWBORN}:CS-HKDJ`]);
    expect(await get(`/cases/${NEWBORN}`, DEPARTMENT)).toMatchObject({ case: { itemCode: 'YJS-CSYJS', departmentCode: '440305-WJJ' } });

    const late = event('gov.application.materials.supplemented', 'consent-supplied', { applicationId: NEWBORN, materials: [], answers: { wantsCard: true } });
    await postAll([late]);
    expect(await get(`/events/${encodeURIComponent(late.id)}/receipt`, late.source)).toMatchObject({ outcome: 'refused', kind: 'NOT_PENDING_MATERIALS' });
    expect((await bundleOf(NEWBORN)).sequence).toBe(2);
  });

  it('rejects the bundle when a required child is rejected, though an optional one is approved', async () => {
    // No staff and no employees: social insurance does not apply (with `employees` absent it would be unknown).
    await postAll([application(SEALS, 'YJS-QYKB', { needsInvoice: true, hiresStaff: false }, { enterpriseName: '深圳市某某科技有限公司', seals: 9, employees: 0 })]);
    const view = await bundleOf(SEALS);
    expect(view.status).toBe('REJECTED');
    expect(outcomes(view)).toMatchObject({ 'QYKB-SLDJ': 'APPROVED', 'QYKB-YZKZ': 'REJECTED', 'QYKB-FPSL': 'APPROVED', 'QYKB-SBDJ': 'notApplicable', 'QYKB-YHKH': 'notStarted' });
    expect(view.children.find((c: any) => c.itemCode === 'QYKB-YHKH')).toMatchObject({ predecessor: 'QYKB-YZKZ', predecessorState: 'REJECTED' });
    expect((await rt.get(`/cases/${SEALS}`, { as: DEPARTMENT })).status).toBe(404);
    // 否定答复: the rejected child has its refusal notice, in its department's name; the others none, nor the
    // bundle itself (its rejection is that child's).
    const seal = view.children.find((c: any) => c.itemCode === 'QYKB-YZKZ');
    expect(seal.refusalNotice).toMatchObject({ itemCode: 'QYKB-YZKZ', departmentCode: 'DEPT-QYKB-YZKZ', noticeNo: expect.stringContaining(SEALS) });
    expect(seal.refusalNotice.text).toContain('行政复议');
    expect(view.children.filter((c: any) => c.refusalNotice !== null).map((c: any) => c.itemCode)).toEqual(['QYKB-YZKZ']);
    expect(view.refusalNotice).toBeNull();
  });

  it('decides nothing twice when the same events are delivered again', async () => {
    const before = (await outbound('gov.application.decided', START_UP)).length;
    // The same event again, and the same application under another event id (it reaches the consumer).
    const again = { ...first, id: `${first.id}-again` };
    // And the conflicting resubmission again: its conflict stays recorded once.
    const other = { ...first, id: `${first.id}-other`, data: { ...first.data, form: { ...first.data.form, seals: 5 } } };
    await postAll([first, again]);
    await postAll([other]);
    expect(await get(`/events/${encodeURIComponent(again.id)}/receipt`, again.source)).toMatchObject({ outcome: 'noEffect', kind: 'DUPLICATE' });
    expect(await get(`/events/${encodeURIComponent(other.id)}/receipt`, other.source)).toMatchObject({ outcome: 'refused', kind: 'APPLICATION_CONFLICT' });
    const view = await bundleOf(START_UP);
    expect(view.conflicts).toEqual([expect.objectContaining({ cause: expect.objectContaining({ id: other.id }), message: expect.stringContaining('冲突') })]);
    expect(view).toMatchObject({ status: 'APPROVED', sequence: 2 });
    expect(await outbound('gov.application.decided', START_UP)).toHaveLength(before);
    expect((await outbound('gov.application.bundle.decided', START_UP)).map((e) => e.data.sequence)).toEqual([1, 2]);
  });

  it('counts the figures: bundles by outcome, share with no person, materials saved, time against legal days', async () => {
    const figures = await get('/approval/bundle-figures');
    expect(figures).toMatchObject({ bundles: 3, byStatus: { APPROVED: 2, REJECTED: 1 }, final: 3 });
    // The newborn and the rejected bundle were decided with no person; the start-up had one.
    expect(figures.noPersonShare).toBeCloseTo(2 / 3);
    const startUp = await get('/approval/bundle-figures?bundleCode=YJS-QYKB');
    expect(startUp).toMatchObject({ bundleCode: 'YJS-QYKB', bundles: 2, byStatus: { APPROVED: 1, REJECTED: 1 } });
    // Saved: start-up 9 − 4, newborn 4 − 3 (M-IDCARD, M-BIRTH, M-HUKOU), rejected 7 − 4.
    expect(figures.materialsSaved).toBe(5 + 1 + 3);
    // Legal days of the applicable items (10 each): 5, 3 and 4 items; all decided on the day of submission.
    expect(figures).toMatchObject({ legalDays: 120, workingDays: 0, timeAgainstLegal: 0 });
  });

  it('gives a bundle rejected before any child (an unknown bundle) its own refusal notice', async () => {
    const unknown = 'YJS-20261105-000009';
    await postAll([application(unknown, 'YJS-NO-SUCH', {})]);
    const view = await bundleOf(unknown);
    expect(view).toMatchObject({ status: 'REJECTED', reasonCodes: ['BUNDLE_UNKNOWN'] });
    expect(view.refusalNotice).toMatchObject({ applicationId: unknown, itemCode: 'YJS-NO-SUCH', noticeNo: `FDDF-${unknown}-1` });
    // The applicant's ID number is masked in the notice.
    expect(view.refusalNotice.text).not.toContain(PERSON.id);
  });

  it('terminates an optional child pending materials past its deadline: the bundle is PARTIALLY_APPROVED, once', async () => {
    const CARD = 'YJS-20261105-000004';
    // A new version of the card item: a residence proof it tolerates as missing (容缺).
    const card = itemEvent('CS-SBKSL', '社会保障卡', [ID, { code: 'M-PHOTO', name: '照片', declared: true }, { code: 'M-RESIDENCE', name: '居住证明', declared: true, tolerable: true }], { version: 2 });
    await postAll([{ ...card, id: `${card.id}-v2` }]);
    const submitted = application(CARD, 'YJS-CSYJS', { hukouHere: true, insuredElsewhere: false, wantsCard: true });
    await postAll([{ ...submitted, data: { ...submitted.data, materials: [{ code: 'M-PHOTO', provided: true }] } }]);
    const pending = await bundleOf(CARD);
    expect(pending).toMatchObject({ status: 'ACCEPTED_PENDING_MATERIALS', sequence: 1 });
    expect(outcomes(pending)).toEqual({ 'CS-CSYXZM': 'APPROVED', 'CS-HKDJ': 'APPROVED', 'CS-YBCB': 'APPROVED', 'CS-SBKSL': 'ACCEPTED_PENDING_MATERIALS' });

    let late: any;
    let final: any;
    try {
      await rt.dev('POST', '/_dev/clock', { advance: '30d' });
      // A supplement after the deadline is refused like a single item's.
      late = event('gov.application.materials.supplemented', 'consent-supplied', { applicationId: CARD, materials: [{ code: 'M-RESIDENCE', provided: true }] });
      await postAll([late]);
      const fired = await rt.dev('POST', '/_dev/schedules/approval-deadlines');
      expect(fired.status).toBe(200);
      expect(fired.body.result).toMatchObject({ bundlesTerminated: 1 });
      const again = await rt.dev('POST', '/_dev/schedules/approval-deadlines');
      expect(again.body.result).toMatchObject({ bundlesTerminated: 0 });
      await rt.drain();
      // Once the bundle is final, a supplement is refused as to any final bundle.
      final = event('gov.application.materials.supplemented', 'consent-supplied', { applicationId: CARD, materials: [{ code: 'M-RESIDENCE', provided: true }] });
      await postAll([final]);
    } finally {
      await rt.dev('POST', '/_dev/clock', { set: CLOCK });
    }
    expect(await get(`/events/${encodeURIComponent(late.id)}/receipt`, late.source)).toMatchObject({ outcome: 'refused', kind: 'SUPPLEMENT_TOO_LATE' });
    expect(await get(`/events/${encodeURIComponent(final.id)}/receipt`, final.source)).toMatchObject({ outcome: 'refused', kind: 'NOT_PENDING_MATERIALS' });

    const view = await bundleOf(CARD);
    expect(view).toMatchObject({ status: 'PARTIALLY_APPROVED', sequence: 2 });
    expect(outcomes(view)).toMatchObject({ 'CS-SBKSL': 'TERMINATED', 'CS-YBCB': 'APPROVED' });
    const child = view.children.find((c: any) => c.itemCode === 'CS-SBKSL');
    expect(child.decision.reasons.map((r: any) => r.code)).toEqual(['SUPPLEMENT_DEADLINE_MISSED']);
    expect((await outbound('gov.application.terminated', CARD)).map((e) => e.id)).toEqual([`terminated:${CARD}:CS-SBKSL:2`]);
    expect((await outbound('gov.application.bundle.decided', CARD)).map((e) => [e.data.sequence, e.data.status])).toEqual([
      [1, 'ACCEPTED_PENDING_MATERIALS'],
      [2, 'PARTIALLY_APPROVED'],
    ]);
    expect(await get(`/cases/${CARD}`, DEPARTMENT)).toMatchObject({ case: { caseId: CARD, itemCode: 'YJS-CSYJS', departmentCode: '440305-WJJ' } });
    // 办不成事 offers a case on the terminated child, as on a terminated single item, by the child's id.
    const offered = await get(`/hardcases/${encodeURIComponent(`offer-${CARD}:CS-SBKSL`)}`);
    expect(offered).toMatchObject({ origin: 'offered', applicationId: `${CARD}:CS-SBKSL`, itemCode: 'CS-SBKSL', cause: 'supplementMissed' });
    expect(offered.description).toContain('已终止');
  });

  it('lists what a child could not decide in the data-gap ledger, as a single item\'s', async () => {
    const GAPPED = 'YJS-20261105-000010';
    // No number of seals on the form: the seal child's rule is unknown, and a person decides it.
    await postAll([application(GAPPED, 'YJS-QYKB', { needsInvoice: true, hiresStaff: true }, { enterpriseName: '深圳市缺数科技有限公司' })]);
    expect(outcomes(await bundleOf(GAPPED))).toMatchObject({ 'QYKB-YZKZ': 'MANUAL_REVIEW' });
    const gaps = await get('/gaps?period=2026-11');
    expect(gaps.rows.find((r: any) => r.key === 'form.seals')).toMatchObject({ kind: 'fact', applications: 1, itemCodes: ['QYKB-YZKZ'], byCause: { RULE_UNKNOWN: 1 } });
  });

  it('counts the bundle applications with a child of a simulated item apart, not replayed, changing nothing visible', async () => {
    const AUDITOR = '/auditors/district';
    const seal = ITEMS.find((e) => e.data.itemCode === 'QYKB-YZKZ')!.data;
    const draft = { ...seal, version: seal.version + 1, rules: { ...seal.rules, description: '刻制印章不超过2枚', value: 2 } };
    const visible = async () => ({
      outbound: (await rt.dev('GET', '/_dev/outbound')).body.count,
      bundles: await Promise.all([START_UP, SEALS, 'YJS-20261105-000010'].map(bundleOf)),
      figures: await get('/approval/figures?itemCode=QYKB-YZKZ'),
    });
    const before = await visible();
    const body = JSON.stringify({ draft, from: '2026-11-01T00:00:00+08:00', to: '2026-12-01T00:00:00+08:00' });
    const res = await fetch(`${rt.url}/simulations`, { method: 'POST', headers: { 'content-type': 'application/json', ...signedHeaders(AUDITOR, devKey(AUDITOR), 'POST', '/simulations', body) }, body });
    expect(res.status).toBe(202);
    const { simulationId } = (await res.json()) as { simulationId: string };
    let sim: any;
    for (const deadline = Date.now() + 120_000; ; ) {
      await rt.drain();
      sim = await get(`/simulations/${encodeURIComponent(simulationId)}`);
      if (sim.status === 'done' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    // 企业开办 applications with the seal child decided: approved (START_UP), rejected (SEALS), with a person (the
    // one without a number of seals). No single application of the item: nothing replayed, every figure empty.
    expect(sim).toMatchObject({ status: 'done', progress: { slices: 16, slicesDone: 16, applicationsReplayed: 0 } });
    expect(sim.result).toMatchObject({ replayed: 0, notReplayable: 0, bundleChildrenNotReplayed: 3, transitions: [], regressions: [] });
    await rt.drain();
    expect(await visible()).toEqual(before);
  }, 180_000);
});
