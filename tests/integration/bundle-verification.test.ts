/**
 * Verifications (告知承诺核查) of a 一件事 bundle's children approved on commitment, end to end through the
 * local runtime: a bundle of its own with a required and an optional item on commitment and an instant one;
 * a report without itemCode refused while two children await one; an untruthful report on the required
 * child revoking it and terminating the bundle, its redelivery changing nothing, the applicant's
 * false-commitment mark then excluding him from 告知承诺 in his next bundle; a report on the instant child
 * refused and recorded; and the deadlines schedule flagging the overdue verification of another bundle's
 * child once, the bundle shown with the flag.
 */
import { sample, useLocal } from '#support/runtime';
import { getOk, ID, itemEvent, PERSON, postAllTo } from './bundle-fixtures';

const CLOCK = '2026-11-05T06:30:00.000Z';
const rt = useLocal(CLOCK);

let serial = 0;
const BUNDLE = 'YJS-GZCN';
const ITEMS = [
  itemEvent('GZ-KY', '开业许可', [ID], { mode: 'commitment', verificationDays: 5 }),
  itemEvent('GZ-ZP', '招牌备案', [ID], { mode: 'commitment', verificationDays: 10 }),
  itemEvent('GZ-DJ', '登记证明', [ID]),
];
const bundleEvent = {
  ...sample('gov.catalog.bundle.published', 'business-start-up'),
  id: 'catalog-bundle-verification-1',
  data: {
    bundleCode: BUNDLE,
    name: '告知承诺一件事',
    leadDepartmentCode: '440305-SJJ',
    promisedDays: 1,
    items: [
      { itemCode: 'GZ-KY', required: true },
      { itemCode: 'GZ-ZP', required: false },
      { itemCode: 'GZ-DJ', required: true },
    ],
    version: 1,
    active: true,
  },
};

function application(applicationId: string): any {
  const s = sample('gov.application.submitted', 'commitment-no-criminal-record');
  const { itemCode: _itemCode, ...data } = s.data;
  return {
    ...s,
    id: `bundle-verify-app-${++serial}`,
    data: { ...data, applicationId, bundleCode: BUNDLE, answers: {}, applicant: PERSON, form: {}, materials: [], commitment: { signedAt: '2026-11-05T13:59:00+08:00' }, submittedAt: '2026-11-05T14:00:00+08:00' },
  };
}

function verification(applicationId: string, truthful: boolean, itemCode?: string): any {
  const s = sample('gov.application.verification.reported', truthful ? 'truthful' : 'untruthful');
  return { ...s, id: `bundle-verify-report-${++serial}`, data: { ...s.data, applicationId, ...(itemCode === undefined ? {} : { itemCode }) } };
}

const postAll = (events: unknown[]) => postAllTo(rt, events);
const get = (path: string, as?: string) => getOk(rt, path, as);

const bundleOf = (id: string) => get(`/applications/${encodeURIComponent(id)}`);
const outcomes = (view: any) => Object.fromEntries(view.children.map((c: any) => [c.itemCode, c.outcome ?? c.state]));
const outbound = async (type: string, subject: string): Promise<any[]> =>
  (await rt.dev('GET', `/_dev/outbound?type=${encodeURIComponent(type)}&subject=${encodeURIComponent(subject)}`)).body.events;
const receiptOf = (event: any) => get(`/events/${encodeURIComponent(event.id)}/receipt`, event.source);

const REVOKED = 'YJS-20261105-100001';
const FLAGGED = 'YJS-20261105-100002';
const EXCLUDED = 'YJS-20261105-100003';

describe('verifications of 一件事 children approved on commitment, through the running runtime', () => {
  it('takes in the applicant, the items and the bundle, and approves the commitment children on commitment', async () => {
    await postAll([sample('gov.person.profile.updated', 'resident')]);
    await postAll([sample('gov.licence.issued', 'resident-id-card')]);
    await postAll(ITEMS);
    await postAll([bundleEvent]);
    await postAll([application(REVOKED), application(FLAGGED)]);
    const view = await bundleOf(REVOKED);
    expect(view).toMatchObject({ status: 'APPROVED', sequence: 1 });
    expect(outcomes(view)).toEqual({ 'GZ-KY': 'APPROVED_ON_COMMITMENT', 'GZ-ZP': 'APPROVED_ON_COMMITMENT', 'GZ-DJ': 'APPROVED' });
    expect(view.children.find((c: any) => c.itemCode === 'GZ-KY')).toMatchObject({ verificationOverdue: null, decision: { verificationDue: { date: expect.any(String) } } });
  });

  it('refuses a report without itemCode while two children await one, naming the field', async () => {
    const unnamed = verification(REVOKED, true);
    await postAll([unnamed]);
    expect(await receiptOf(unnamed)).toMatchObject({ outcome: 'refused', kind: 'ITEM_CODE_REQUIRED' });
    const view = await bundleOf(REVOKED);
    expect(view.sequence).toBe(1);
    expect(view.refusals).toEqual([expect.objectContaining({ code: 'ITEM_CODE_REQUIRED', message: expect.stringContaining('itemCode') })]);
  });

  it('revokes the required child found untruthful, once however often the report comes, and terminates the bundle', async () => {
    const report = verification(REVOKED, false, 'GZ-KY');
    await postAll([report]);
    await postAll([report]);
    expect(await receiptOf(report)).toMatchObject({ outcome: 'applied' });
    const view = await bundleOf(REVOKED);
    expect(view).toMatchObject({ status: 'TERMINATED', sequence: 2 });
    expect(view.reasonCodes).toContain('REQUIRED_CHILD_TERMINATED');
    const child = view.children.find((c: any) => c.itemCode === 'GZ-KY');
    expect(child.decision).toMatchObject({ outcome: 'REVOKED', verification: { truthful: false } });
    expect(child.decision.reasons.map((r: any) => r.code)).toEqual(['COMMITMENT_UNTRUTHFUL']);
    expect(new Set((await outbound('gov.application.revoked', REVOKED)).map((e) => e.id))).toEqual(new Set([`revoked:${REVOKED}:GZ-KY:2`]));
    // One false-commitment mark, naming the child, however often the report came.
    const credit = await get(`/credit/${PERSON.id}`, '/systems/credit');
    expect(credit.marks.filter((m: any) => m.kind === 'falseCommitment')).toEqual([
      expect.objectContaining({ cause: expect.objectContaining({ reason: 'COMMITMENT_UNTRUTHFUL', applicationId: `${REVOKED}:GZ-KY` }) }),
    ]);
    expect(credit.effective.falseCommitment).toBe(true);
    expect((await outbound('gov.application.bundle.decided', REVOKED)).map((e) => [e.data.sequence, e.data.status])).toEqual([
      [1, 'APPROVED'],
      [2, 'TERMINATED'],
    ]);
  });

  it('refuses, and records, a report on a child not on commitment', async () => {
    const instant = verification(REVOKED, true, 'GZ-DJ');
    await postAll([instant]);
    expect(await receiptOf(instant)).toMatchObject({ outcome: 'refused', kind: 'NOT_APPROVED_ON_COMMITMENT' });
    expect((await bundleOf(REVOKED)).sequence).toBe(2);
  });

  it('excludes the applicant from 告知承诺 in his next bundle: the false-commitment mark was recorded', async () => {
    await postAll([application(EXCLUDED)]);
    const view = await bundleOf(EXCLUDED);
    expect(outcomes(view)).toMatchObject({ 'GZ-KY': 'MANUAL_REVIEW', 'GZ-ZP': 'MANUAL_REVIEW' });
    expect(view.children.find((c: any) => c.itemCode === 'GZ-KY').decision.reasons.map((r: any) => r.code)).toContain('COMMITMENT_EXCLUDED');
  });

  it('flags a child\'s overdue verification once, and shows it on the bundle', async () => {
    let fired: any;
    let again: any;
    try {
      await rt.dev('POST', '/_dev/clock', { advance: '9d' });
      fired = await rt.dev('POST', '/_dev/schedules/approval-deadlines');
      again = await rt.dev('POST', '/_dev/schedules/approval-deadlines');
      await rt.drain();
    } finally {
      await rt.dev('POST', '/_dev/clock', { set: CLOCK });
    }
    expect(fired.status).toBe(200);
    // GZ-KY of the untouched bundle is overdue (5 working days); GZ-ZP (10) is not yet; the revoked one is closed.
    expect(fired.body.result).toMatchObject({ flagged: 1 });
    expect(again.body.result).toMatchObject({ flagged: 0 });
    const view = await bundleOf(FLAGGED);
    expect(view).toMatchObject({ status: 'APPROVED', sequence: 2 });
    expect(view.children.find((c: any) => c.itemCode === 'GZ-KY').verificationOverdue).toEqual({ flaggedAt: expect.any(String) });
    expect(view.children.find((c: any) => c.itemCode === 'GZ-ZP').verificationOverdue).toBeNull();
    expect((await outbound('gov.application.verification.overdue', FLAGGED)).map((e) => [e.id, e.data.itemCode, e.data.bundleApplicationId])).toEqual([
      [`verification-overdue:${FLAGGED}:GZ-KY:1`, 'GZ-KY', FLAGGED],
    ]);
    // The flag's version is announced like every other, once: no gap in the version numbers.
    expect((await outbound('gov.application.bundle.decided', FLAGGED)).map((e) => [e.id, e.data.sequence, e.data.status])).toEqual([
      [`bundle-decision:${FLAGGED}:1`, 1, 'APPROVED'],
      [`bundle-decision:${FLAGGED}:2`, 2, 'APPROVED'],
    ]);
    // Flagged is not verified: both children still await one, so a report must name the item.
    const late = verification(FLAGGED, true);
    await postAll([late]);
    expect(await receiptOf(late)).toMatchObject({ outcome: 'refused', kind: 'ITEM_CODE_REQUIRED' });
    const named = verification(FLAGGED, true, 'GZ-ZP');
    await postAll([named]);
    const closed = await bundleOf(FLAGGED);
    expect(closed.children.find((c: any) => c.itemCode === 'GZ-ZP').decision.verification).toMatchObject({ truthful: true });
    expect(closed).toMatchObject({ status: 'APPROVED', sequence: 3 });
  });
});
