/**
 * 秒批 after the machine, end to end through the local runtime:
 *  - a 容缺 application whose supplement deadline passes is TERMINATED by the deadlines schedule, and
 *    办不成事 offers a hard case for it at once (civicflow.application.decided, sent from the outbox);
 *  - a person's decision (gov.application.reviewed, posted by /systems/department) on an application in
 *    MANUAL_REVIEW becomes its next version: APPROVED with a certificate, a review case and an outbound
 *    event; REJECTED with the reviewer's reasons; a decision on an application in another state is refused
 *    with a receipt; a redelivery (same event, or same content under a new id) changes nothing;
 *  - a person's decision dated before the submission (a mistyped year; a millisecond before, in another
 *    offset too) is refused (BEFORE_SUBMITTED), readable in GET /refusals, recorded once though the
 *    queue delivers it again; the application stays in MANUAL_REVIEW and takes a correctly dated decision.
 */
import { callsOn, variants } from '#support/calls';
import { redeliver as redeliverOn, sample, useLocal } from '#support/runtime';

// A moment after every sample's submission (2026-11-05 14:30 in Shanghai, a Thursday).
const CLOCK = '2026-11-05T06:30:00.000Z';
const rt = useLocal(CLOCK);

const DISHONEST = '92440300MA5JT4W2XW';
const DEPARTMENT = '/systems/department';

const variant = variants('r');
const { postAll, outbound } = callsOn(() => rt);

async function get(path: string, as?: string): Promise<any> {
  const out = await rt.get(path, as ? { as } : {});
  expect({ path, status: out.status }).toEqual({ path, status: 200 });
  return out.body;
}

const decisionOf = (applicationId: string) => get(`/applications/${encodeURIComponent(applicationId)}`);

describe('秒批 after the machine, through the running runtime', () => {
  it('takes in the reference data', async () => {
    await postAll([sample('gov.catalog.item.published', 'weather-certificate'), sample('gov.catalog.item.published', 'outdoor-advertising')]);
    await postAll([sample('gov.person.profile.updated', 'resident'), sample('gov.enterprise.profile.updated', 'small-exporter')]);
    await postAll([sample('gov.licence.issued', 'business-licence'), sample('gov.licence.issued', 'resident-id-card')]);
    await postAll([sample('gov.credit.updated', 'good-standing'), sample('gov.credit.updated', 'dishonest-business')]);
    await rt.drain();
    expect((await get('/items/CG-0107')).version).toBe(3);
  });

  it('offers a hard case for an application TERMINATED by its missed supplement deadline', async () => {
    const late = variant('gov.application.submitted', 'pending-materials', { applicationId: 'SQ-20261105-800001' });
    await postAll([late]);
    await rt.drain();
    expect((await decisionOf('SQ-20261105-800001')).outcome).toBe('ACCEPTED_PENDING_MATERIALS');
    // Nothing is offered while the case waits for its materials.
    expect((await rt.get('/hardcases/offer-SQ-20261105-800001')).status).toBe(404);

    try {
      await rt.dev('POST', '/_dev/clock', { advance: '30d' });
      const fired = await rt.dev('POST', '/_dev/schedules/approval-deadlines');
      expect(fired.body.result).toMatchObject({ terminated: 1 });
      await rt.drain();
    } finally {
      await rt.dev('POST', '/_dev/clock', { set: CLOCK });
    }
    expect(await decisionOf('SQ-20261105-800001')).toMatchObject({ outcome: 'TERMINATED', sequence: 2 });
    const offered = await get('/hardcases/offer-SQ-20261105-800001');
    expect(offered).toMatchObject({
      caseId: 'offer-SQ-20261105-800001',
      origin: 'offered',
      applicationId: 'SQ-20261105-800001',
      itemCode: 'CG-0107',
    });
    expect(offered.description).toContain('已终止');
    expect((await rt.dev('GET', '/_dev/queues')).body.hardcase.dlq).toBe(0);
  });

  const weather = (applicationId: string) =>
    variant('gov.application.submitted', 'instant-weather-certificate', { applicationId, applicant: { kind: 'enterprise', id: DISHONEST, name: '某个体工商户' } });
  const reviewed = (name: 'approved' | 'rejected', applicationId: string) => variant('gov.application.reviewed', name, { applicationId });
  const TO_APPROVE = 'SQ-20261105-800002';
  const TO_REJECT = 'SQ-20261105-800003';
  let approval: any;

  it('sends dishonest applicants to a person (MANUAL_REVIEW)', async () => {
    await postAll([weather(TO_APPROVE), weather(TO_REJECT)]);
    await rt.drain();
    for (const id of [TO_APPROVE, TO_REJECT]) expect(await decisionOf(id)).toMatchObject({ outcome: 'MANUAL_REVIEW', sequence: 1 });
  });

  it('a person\'s approval: next version with the certificate, the review case and the outbound event', async () => {
    // The next day at noon, after the decisions of the samples (10:18 and 11:02): none is taken dated after its receipt.
    await rt.dev('POST', '/_dev/clock', { set: '2026-11-06T04:00:00.000Z' });
    approval = reviewed('approved', TO_APPROVE);
    await postAll([approval]);
    await rt.drain();
    const d = await decisionOf(TO_APPROVE);
    expect(d).toMatchObject({
      outcome: 'APPROVED',
      sequence: 2,
      certificateNo: `气象证明-${TO_APPROVE}`,
      decidedAt: '2026-11-06T02:18:00.000Z',
      review: { outcome: 'APPROVED', staffId: 'QXJ-0312', reasons: approval.data.reasons, at: '2026-11-06T02:18:00.000Z' },
      reasons: [{ code: 'REVIEWED_BY_PERSON', message: approval.data.reasons[0] }],
    });
    expect(d.trace.steps.at(-1)).toMatchObject({ step: 'review', result: 'pass' });
    expect(d.history.map((v: any) => [v.sequence, v.outcome, v.cause.kind])).toEqual([
      [1, 'MANUAL_REVIEW', 'submitted'],
      [2, 'APPROVED', 'reviewed'],
    ]);
    expect((await outbound('gov.application.decided', TO_APPROVE)).map((e) => [e.id, e.data.outcome])).toEqual([
      [`decision:${TO_APPROVE}:1`, 'MANUAL_REVIEW'],
      [`decision:${TO_APPROVE}:2`, 'APPROVED'],
    ]);
    // The review case (好差评) the approval opened, owned by the item's department, completed when the person decided.
    const reviewCase = await get(`/cases/${TO_APPROVE}`, DEPARTMENT);
    expect(reviewCase).toMatchObject({
      status: 'completed',
      case: { caseId: TO_APPROVE, itemCode: 'QX-0001', applicantId: DISHONEST, source: 'application', completedAt: '2026-11-06T02:18:00.000Z' },
    });
    expect(await get(`/events/${encodeURIComponent(approval.id)}/receipt`, DEPARTMENT)).toMatchObject({
      outcome: 'applied',
      effect: { resource: 'application', id: TO_APPROVE, version: 2, state: 'APPROVED' },
    });
  });

  it('a person\'s rejection: the reviewer\'s reasons, no certificate, no review case', async () => {
    const rejection = reviewed('rejected', TO_REJECT);
    await postAll([rejection]);
    await rt.drain();
    const d = await decisionOf(TO_REJECT);
    expect(d).toMatchObject({ outcome: 'REJECTED', sequence: 2, review: { outcome: 'REJECTED', staffId: 'QXJ-0312' } });
    expect(d.reasons.map((r: any) => [r.code, r.message])).toEqual(rejection.data.reasons.map((m: string) => ['REVIEWED_BY_PERSON', m]));
    expect(d.certificateNo).toBeUndefined();
    expect((await rt.get(`/cases/${TO_REJECT}`, { as: DEPARTMENT })).status).toBe(404);
    expect((await outbound('gov.application.decided', TO_REJECT)).map((e) => e.data.outcome)).toEqual(['MANUAL_REVIEW', 'REJECTED']);
  });

  it('refuses a person\'s decision on an APPROVED application, with its receipt; a redelivery changes nothing', async () => {
    const late = reviewed('rejected', TO_APPROVE);
    await postAll([late]);
    // The same event again (ingest de-duplicates) and the approval under a new event id (the consumer does).
    expect((await rt.post(approval)).status).toBe(202);
    await postAll([{ ...approval, id: `${approval.id}-again` }]);
    await rt.drain();

    const receipt = await get(`/events/${encodeURIComponent(late.id)}/receipt`, DEPARTMENT);
    expect(receipt).toMatchObject({ outcome: 'refused', kind: 'NOT_IN_MANUAL_REVIEW' });
    expect(receipt.reason ?? receipt.message ?? JSON.stringify(receipt)).toContain('APPROVED');
    const d = await decisionOf(TO_APPROVE);
    expect(d).toMatchObject({ outcome: 'APPROVED', sequence: 2 });
    expect(d.history).toHaveLength(2);
    // Both recorded once; the order in which the consumer took them is not the order posted.
    expect(d.refusals.map((r: any) => `${r.cause.id} ${r.code}`).sort()).toEqual(
      [`${late.id} NOT_IN_MANUAL_REVIEW`, `${approval.id}-again NOT_IN_MANUAL_REVIEW`].sort(),
    );
    expect(await outbound('gov.application.decided', TO_APPROVE)).toHaveLength(2);
    const queues = (await rt.dev('GET', '/_dev/queues')).body;
    expect([queues.approval.dlq, queues.hardcase.dlq, queues.review.dlq]).toEqual([0, 0, 0]);
  });

  /** Puts an event on the approval queue as a redelivery would find it there (the edge accepted it once already). */
  const redeliver = (e: any) => redeliverOn(rt, 'approval', e);

  it('refuses a person\'s decision dated before the submission, once, and takes a correctly dated one', async () => {
    const EARLY = 'SQ-20261105-800004';
    await postAll([weather(EARLY)]);
    await rt.drain();
    expect(await decisionOf(EARLY)).toMatchObject({ outcome: 'MANUAL_REVIEW', sequence: 1, submittedAt: '2026-11-05T14:00:00+08:00' }); // 06:00:00Z
    // A mistyped year; a millisecond before, in UTC; and a millisecond before written at +09:00, which as a
    // string sorts after the submission's "2026-11-05T14:00:00+08:00" but is an instant before it.
    const typo = variant('gov.application.reviewed', 'approved', { applicationId: EARLY, at: '2025-11-06T10:18:00+08:00' });
    const msBefore = variant('gov.application.reviewed', 'approved', { applicationId: EARLY, at: '2026-11-05T05:59:59.999Z' });
    const sortsLater = variant('gov.application.reviewed', 'rejected', { applicationId: EARLY, at: '2026-11-05T14:59:59.999+09:00' });
    const early = [typo, msBefore, sortsLater];
    await postAll(early);
    await rt.drain();

    for (const e of early) {
      const receipt = await get(`/events/${encodeURIComponent(e.id)}/receipt`, DEPARTMENT);
      expect([e.id, receipt]).toEqual([e.id, expect.objectContaining({ outcome: 'refused', kind: 'BEFORE_SUBMITTED' })]);
    }
    // The same event delivered again by the queue (the edge took it once): recorded once.
    await redeliver(typo);
    const listed = ((await get('/refusals?since=2026-11-05&limit=100', DEPARTMENT)).refusals as any[]).filter((r) => early.some((e) => e.id === r.id));
    expect(listed.map((r) => `${r.id} ${r.kind}`).sort()).toEqual(early.map((e) => `${e.id} BEFORE_SUBMITTED`).sort());
    const refused = await decisionOf(EARLY);
    expect(refused).toMatchObject({ outcome: 'MANUAL_REVIEW', sequence: 1 });
    expect(refused.history).toHaveLength(1);
    expect(refused.refusals.map((r: any) => `${r.cause.id} ${r.code}`).sort()).toEqual(early.map((e) => `${e.id} BEFORE_SUBMITTED`).sort());
    expect(await outbound('gov.application.decided', EARLY)).toHaveLength(1);

    // A decision at the very instant of the submission, written in another offset, is taken.
    const fixed = variant('gov.application.reviewed', 'approved', { applicationId: EARLY, at: '2026-11-05T06:00:00Z' });
    await postAll([fixed]);
    await rt.drain();
    const d = await decisionOf(EARLY);
    expect(d).toMatchObject({ outcome: 'APPROVED', sequence: 2, decidedAt: '2026-11-05T06:00:00.000Z', latencyMs: 0 });
    expect(d.refusals).toHaveLength(3);
    expect(await get(`/events/${encodeURIComponent(fixed.id)}/receipt`, DEPARTMENT)).toMatchObject({ outcome: 'applied', effect: { version: 2, state: 'APPROVED' } });
    const queues = (await rt.dev('GET', '/_dev/queues')).body;
    expect([queues.approval.dlq, queues.hardcase.dlq, queues.review.dlq]).toEqual([0, 0, 0]);
  });
});
