/**
 * A 告知承诺 verification report is late or not by its receipt at the front door, not by when the approval
 * consumer gets to it, end to end through the local runtime on the dev clock. Two approvals on commitment
 * share a due date; each department's report is posted ten minutes before its end, while the pollers are held
 * (a backlog). The first is still queued when the due date passes and the deadlines schedule fires: the
 * schedule leaves it for its grace, and the report, processed after the due date, is not late and nothing is
 * flagged. The second is held past the grace (a long outage): the schedule flags it overdue, and the report,
 * processed afterwards, is still not late; the flag stays, and the trace names both.
 */
import { callsOn, plus, variants } from '#support/calls';
import { postHeldInQueue, sample, useLocal } from '#support/runtime';

// A moment after the sample's submission (2026-11-04 09:30 in Shanghai).
const rt = useLocal('2026-11-04T02:00:00.000Z');

const IDS = ['SQ-20261104-920001', 'SQ-20261104-920002'];

const variant = variants('verify-intime-');
const { postAll, decisionOf, receiptOf, outbound, fireSchedule } = callsOn(() => rt);
const fireDeadlines = () => fireSchedule('approval-deadlines');

/** A truthful report posted at `receivedAt` on the dev clock and held in the queue until the clock reads `processAt`. */
async function reportHeld(applicationId: string, receivedAt: string, processAt: string, whileQueued: () => Promise<void>): Promise<any> {
  const report = variant('gov.application.verification.reported', 'truthful', { applicationId });
  await postHeldInQueue(rt, 'approval', { receivedAt, processAt }, () => postAll([report]), whileQueued);
  return report;
}

let dueAt: string;

describe('a verification report received by its due date, processed after it', () => {
  it('takes in the reference data and two approvals on commitment due the same day', async () => {
    await postAll([sample('gov.catalog.item.published', 'no-criminal-record')]);
    await postAll([sample('gov.person.profile.updated', 'resident')]);
    await postAll([sample('gov.licence.issued', 'resident-id-card')]);
    await postAll([sample('gov.credit.updated', 'person-good-standing')]);
    await rt.drain();
    await postAll(IDS.map((applicationId) => variant('gov.application.submitted', 'commitment-no-criminal-record', { applicationId })));
    await rt.drain();
    const [first, second] = await Promise.all(IDS.map(decisionOf));
    expect(first).toMatchObject({ outcome: 'APPROVED_ON_COMMITMENT', verificationOverdue: null });
    expect(second.verificationDue).toEqual(first.verificationDue);
    dueAt = first.verificationDue.dueAt;
  }, 60_000);

  it('is not late, and nothing is flagged: the schedule waits its grace after the due date', async () => {
    let during: any;
    // Received ten minutes before the due date ends; the schedule fires 30 minutes after it, the report still queued.
    const report = await reportHeld(IDS[0]!, plus(dueAt, -10 * 60_000), plus(dueAt, 30 * 60_000), async () => {
      during = await fireDeadlines();
    });
    expect(during).toMatchObject({ flagged: 0 });

    const d = await decisionOf(IDS[0]!);
    expect(d).toMatchObject({ outcome: 'APPROVED_ON_COMMITMENT', sequence: 2, verification: { truthful: true, late: false }, verificationOverdue: null });
    // The due date shown stays the due date: the grace only delays the flag.
    expect(d.verificationDue.dueAt).toBe(dueAt);
    expect(await receiptOf(report)).toMatchObject({ outcome: 'applied' });
    expect(await outbound('gov.application.verification.overdue', IDS[0]!)).toEqual([]);
  }, 90_000);

  it('held past the grace, after the flag: still not late; the flag stays, the trace names both', async () => {
    let during: any;
    // The dev clock runs on from where it is set: the flag's time is read back, not assumed.
    const report = await reportHeld(IDS[1]!, plus(dueAt, -10 * 60_000), plus(dueAt, 10 * 60 * 60_000), async () => {
      during = await fireDeadlines();
    });
    expect(during).toMatchObject({ flagged: 1 });
    const d = await decisionOf(IDS[1]!);
    expect(d).toMatchObject({ outcome: 'APPROVED_ON_COMMITMENT', sequence: 2, verification: { truthful: true, late: false } });
    const { flaggedAt } = d.verificationOverdue;
    expect(Date.parse(flaggedAt)).toBeGreaterThan(Date.parse(dueAt) + 60 * 60_000);
    expect(JSON.stringify(d.trace)).toContain(`已于 ${flaggedAt} 标记核查逾期，标记保留`);
    expect(await receiptOf(report)).toMatchObject({ outcome: 'applied' });
    expect(await outbound('gov.application.verification.overdue', IDS[1]!)).toHaveLength(1);
    // The first one, reported within the grace, is left alone.
    expect((await decisionOf(IDS[0]!)).verificationOverdue).toBeNull();
    expect((await rt.dev('GET', '/_dev/queues')).body.approval.dlq).toBe(0);
  }, 90_000);
});
