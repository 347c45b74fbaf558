/**
 * 秒批 tells 办不成事 about the decision versions that concern hard cases (civicflow.application.decided),
 * through the version's outbox: a MANUAL_REVIEW (watched until its promised days run out), a TERMINATED
 * (offered at once, also when the schedule made it), never a plain approval. Every notice parses with the
 * contract's schema, the one the hard-case consumer reads it with.
 */
import { applicationDecidedSchema } from '#contract/internal-schemas';
import { withHardCaseNotice } from '#approval/domain/hardcase-notice';
import { decide } from '#approval/domain/decide';
import { inputFor, outdoorAdItem, outdoorApp, posterApp, posterItem, SUBMITTED, weatherApp } from './fixtures';
import { approvalWorld, portal } from './service-fixtures';

let w: ReturnType<typeof approvalWorld>;
beforeEach(() => {
  w = approvalWorld();
  w.registry.putItem(outdoorAdItem);
});

const notices = () => w.messenger.internal.filter((e) => e.type === 'civicflow.application.decided');

describe('civicflow.application.decided from the outbox', () => {
  it('tells of a MANUAL_REVIEW with the item promised, and parses with the contract schema', async () => {
    await w.approval.submitApplication(outdoorApp(), portal('s-1'));
    const sent = notices();
    expect(sent.map((e) => e.id)).toEqual(['application-decided:APP-CG-2:1']);
    expect(applicationDecidedSchema.parse(sent[0]!.data)).toEqual({
      applicationId: 'APP-CG-2',
      itemCode: 'CG-021',
      departmentCode: 'CGJ',
      outcome: 'MANUAL_REVIEW',
      reasons: expect.arrayContaining([expect.objectContaining({ code: 'MANUAL_ITEM' })]),
      submittedAt: SUBMITTED,
      updatedAt: w.clock.now(),
      sequence: 1,
      item: { name: '户外广告设施设置审批', promisedDays: 10 },
    });
    // Among the stored version's effects, so a redelivery after a crash before the send derives it again.
    expect(w.store.cases.get('APP-CG-2')!.versions[0]!.decision.effects.map((e) => e.kind)).toContain('tellHardCase');
  });

  it('tells nothing of a plain approval or a 容缺 acceptance', async () => {
    await w.approval.submitApplication(weatherApp(), portal('s-2'));
    await w.approval.submitApplication(posterApp({ materials: [{ code: 'APPLY', provided: true }] }), portal('s-3'));
    expect(notices()).toEqual([]);
  });

  it('tells of a TERMINATED version the deadlines schedule made, with its final sequence', async () => {
    await w.approval.submitApplication(posterApp({ materials: [{ code: 'APPLY', provided: true }] }), portal('s-1'));
    w.clock.set('2026-11-23T16:00:00.000Z');
    expect(await w.deadlines.runDeadlines()).toMatchObject({ terminated: 1 });
    expect(notices().map((e) => [e.id, e.data.outcome, e.data.sequence, e.data.item])).toEqual([
      ['application-decided:APP-CG-1:2', 'TERMINATED', 2, { name: posterItem.name, promisedDays: 3 }],
    ]);
    expect(notices()[0]!.data.reasons.map((r) => r.code)).toEqual(['SUPPLEMENT_DEADLINE_MISSED']);
  });

  it('the schedule resends a TERMINATED outbox a crash left, its notice included', async () => {
    await w.approval.submitApplication(posterApp({ materials: [{ code: 'APPLY', provided: true }] }), portal('s-1'));
    w.clock.set('2026-11-23T16:00:00.000Z');
    w.messenger.failNext('sendInternal', new Error('hardcase queue unreachable'));
    // The send fails: the run logs and counts it, and goes on; the change stays pending for a later run.
    expect(await w.deadlines.runDeadlines()).toMatchObject({ failed: 1 });
    expect(w.telemetry.lines.filter((l) => l.level === 'error').map((l) => (l.fields.error as Error).message)).toEqual(['hardcase queue unreachable']);
    expect(notices()).toEqual([]);
    w.clock.set('2026-11-23T16:02:00.001Z');
    expect(await w.deadlines.runDeadlines()).toMatchObject({ terminated: 0, resent: 1 });
    expect(notices().map((e) => e.id)).toEqual(['application-decided:APP-CG-1:2']);
    expect(w.store.pending('APP-CG-1', 2)).toBe(false);
  });
});

describe('withHardCaseNotice (which versions owe a notice)', () => {
  const manual = decide(inputFor(outdoorApp(), outdoorAdItem));
  const unknownItem = decide(inputFor(weatherApp(), undefined));

  it('a version after a MANUAL_REVIEW owes one, whatever its outcome; others do not', () => {
    const next = { ...manual, outcome: 'APPROVED' as const, sequence: 2, effects: [] };
    expect(withHardCaseNotice(next, manual).effects).toEqual([
      { kind: 'tellHardCase', decided: expect.objectContaining({ outcome: 'APPROVED', sequence: 2 }) },
    ]);
    expect(withHardCaseNotice(next, { ...manual, outcome: 'ACCEPTED_PENDING_MATERIALS' }).effects).toEqual([]);
  });

  it('omits the item and department when the item is unknown', () => {
    expect(unknownItem.outcome).toBe('REJECTED');
    const terminated = withHardCaseNotice({ ...unknownItem, outcome: 'TERMINATED' }, undefined);
    const notice = terminated.effects.find((e) => e.kind === 'tellHardCase');
    expect(notice).toBeDefined();
    expect(applicationDecidedSchema.parse(notice!.kind === 'tellHardCase' ? notice!.decided : {})).not.toHaveProperty('item');
    expect(notice!.kind === 'tellHardCase' && notice!.decided).not.toHaveProperty('departmentCode');
  });
});
