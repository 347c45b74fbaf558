/**
 * A 容缺 supplement is in time by its receipt at the front door, not by when the approval consumer gets to
 * it, end to end through the local runtime on the dev clock. A case is due by the end of Tue 2026-11-10
 * (Shanghai); its supplement is posted ten minutes before, while the pollers are held (a backlog), and is
 * still queued when the deadline passes and the deadlines schedule fires: the schedule leaves the case for
 * its grace, and the supplement, processed after the deadline, decides it on its materials. A second case's
 * supplement, also received in time, is held past the grace (a long outage): the schedule terminates the case
 * and the supplement is refused with its own code, on the record for staff to act on. A third, recorded in
 * time by a post that failed before queueing it, is re-posted by its client after the deadline and judged by
 * its first receipt.
 */
import { callsOn, variants } from '#support/calls';
import { dropQueued, postHeldInQueue, sample, useLocal } from '#support/runtime';

// A moment after the sample's submission (2026-11-05 14:30 in Shanghai, a Thursday).
const rt = useLocal('2026-11-05T06:30:00.000Z');

const variant = variants('intime-');
const { postAll, decisionOf, receiptOf, fireSchedule } = callsOn(() => rt);
const fireDeadlines = () => fireSchedule('approval-deadlines');

/** A supplement posted at `receivedAt` on the dev clock and held in the queue until the clock reads `processAt`. */
async function supplyHeld(applicationId: string, receivedAt: string, processAt: string, whileQueued: () => Promise<void>): Promise<any> {
  const supplement = variant('gov.application.materials.supplemented', 'consent-supplied', { applicationId });
  await postHeldInQueue(rt, 'approval', { receivedAt, processAt }, () => postAll([supplement]), whileQueued);
  return supplement;
}

describe('a 容缺 supplement received by its deadline, processed after it', () => {
  it('takes in the reference data the sample application reads', async () => {
    await postAll([sample('gov.catalog.item.published', 'outdoor-advertising')]);
    await postAll([sample('gov.enterprise.profile.updated', 'small-exporter')]);
    await postAll([sample('gov.licence.issued', 'business-licence')]);
    await postAll([sample('gov.credit.updated', 'good-standing')]);
    await rt.drain();
    for (const applicationId of ['SQ-20261105-910001', 'SQ-20261105-910002']) {
      await postAll([variant('gov.application.submitted', 'pending-materials', { applicationId })]);
    }
    await rt.drain();
    for (const applicationId of ['SQ-20261105-910001', 'SQ-20261105-910002']) {
      // Three working days after Thursday 2026-11-05: due by the end of Tuesday 2026-11-10 in Shanghai.
      expect(await decisionOf(applicationId)).toMatchObject({
        outcome: 'ACCEPTED_PENDING_MATERIALS',
        supplementDue: { date: '2026-11-10', dueAt: '2026-11-10T15:59:59.999Z' },
      });
    }
  }, 60_000);

  it('is decided on its materials: the schedule waits its grace after the deadline', async () => {
    let during: any;
    // Received 23:50 local on the deadline day; the schedule fires at 00:30, the supplement still queued.
    const supplement = await supplyHeld('SQ-20261105-910001', '2026-11-10T15:50:00.000Z', '2026-11-10T16:30:00.000Z', async () => {
      during = await fireDeadlines();
    });
    expect(during).toMatchObject({ terminated: 0 });

    const d = await decisionOf('SQ-20261105-910001');
    expect(d).toMatchObject({ outcome: 'APPROVED', sequence: 2, materialsPending: [] });
    expect(d.history.map((h: any) => [h.sequence, h.outcome, h.cause.kind])).toEqual([
      [1, 'ACCEPTED_PENDING_MATERIALS', 'submitted'],
      [2, 'APPROVED', 'supplemented'],
    ]);
    // The deadline shown stays the deadline: the grace only delays a termination.
    expect(d.history[0].supplementDue).toEqual({ date: '2026-11-10', dueAt: '2026-11-10T15:59:59.999Z' });
    expect(await receiptOf(supplement)).toMatchObject({ outcome: 'applied' });
  }, 90_000);

  it('held past the grace, after the case was terminated: refused SUPPLEMENT_IN_TIME_AFTER_TERMINATION, recorded', async () => {
    let during: any;
    const supplement = await supplyHeld('SQ-20261105-910002', '2026-11-10T15:50:00.000Z', '2026-11-11T02:00:00.000Z', async () => {
      during = await fireDeadlines();
    });
    expect(during).toMatchObject({ terminated: 1 });
    const d = await decisionOf('SQ-20261105-910002');
    expect(d).toMatchObject({ outcome: 'TERMINATED', sequence: 2 });
    expect(d.reasons.map((r: any) => r.code)).toEqual(['SUPPLEMENT_DEADLINE_MISSED']);
    // The first case, decided on its supplement, is left alone.
    expect((await decisionOf('SQ-20261105-910001')).outcome).toBe('APPROVED');
    expect(await receiptOf(supplement)).toMatchObject({ outcome: 'refused', kind: 'SUPPLEMENT_IN_TIME_AFTER_TERMINATION' });
    expect((await rt.dev('GET', '/_dev/queues')).body.approval.dlq).toBe(0);
  }, 90_000);

  it('takes the receipt from the front door, never from the posting system\'s own envelope', async () => {
    await rt.dev('POST', '/_dev/clock', { set: '2026-11-11T02:30:00.000Z' });
    const applicationId = 'SQ-20261105-910003';
    await postAll([variant('gov.application.submitted', 'pending-materials', { applicationId })]);
    await rt.drain();
    expect(await decisionOf(applicationId)).toMatchObject({ outcome: 'ACCEPTED_PENDING_MATERIALS', supplementDue: { date: '2026-11-16' } });
    // Posted in time, claiming a receipt of its own long after the deadline: the front door's stamp replaces it
    // (were the claim read, the supplement would be refused too late; a claim before a deadline, let in).
    const supplement = { ...variant('gov.application.materials.supplemented', 'consent-supplied', { applicationId }), receivedat: '2027-01-31T00:00:00.000Z' };
    await postAll([supplement]);
    await rt.drain();
    expect(await decisionOf(applicationId)).toMatchObject({ outcome: 'APPROVED', sequence: 2 });
    expect(await receiptOf(supplement)).toMatchObject({ outcome: 'applied' });
  }, 90_000);

  // A post that failed after recording (its queue send, or its answer, cut off at the function's timeout):
  // the event is recorded, not queued. Here the copy it queued is taken off the queue before any consumer
  // reads it, which leaves the same state.
  it("re-posted by its client after the deadline: judged by the first post's receipt, not the retry's", async () => {
    await rt.dev('POST', '/_dev/clock', { set: '2026-11-11T02:30:00.000Z' });
    const applicationId = 'SQ-20261105-910004';
    await postAll([variant('gov.application.submitted', 'pending-materials', { applicationId })]);
    await rt.drain();
    expect(await decisionOf(applicationId)).toMatchObject({ outcome: 'ACCEPTED_PENDING_MATERIALS', supplementDue: { dueAt: '2026-11-16T15:59:59.999Z' } });

    const supplement = variant('gov.application.materials.supplemented', 'consent-supplied', { applicationId });
    // Posted in time, its queued copy dropped; the client's retry after the deadline.
    await postHeldInQueue(rt, 'approval', { receivedAt: '2026-11-16T15:50:00.000Z', processAt: '2026-11-16T16:05:00.000Z' }, () => postAll([supplement]), () => dropQueued(rt, 'approval', supplement.id));
    await postAll([supplement]);
    await rt.drain();

    expect(await decisionOf(applicationId)).toMatchObject({ outcome: 'APPROVED', sequence: 2, materialsPending: [] });
    expect(await receiptOf(supplement)).toMatchObject({ outcome: 'applied' });
    // The event as recorded at the edge keeps the first receipt (the dev clock runs on from where it is set).
    const recorded = await rt.get(`/events/${encodeURIComponent(supplement.id)}`, { as: supplement.source });
    expect({ status: recorded.status, receivedAt: recorded.body.receivedAt }).toEqual({ status: 200, receivedAt: expect.stringMatching(/^2026-11-16T15:5\d:/) });
  }, 90_000);
});

