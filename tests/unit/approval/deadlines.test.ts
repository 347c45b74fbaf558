/**
 * The deadlines schedule over in-memory ports: missed supplement deadlines terminate, overdue
 * verifications are flagged once, and the outboxes of its own changes a crash left unsent are sent again
 * (not those of changes an event made, which that event's redelivery sends).
 */
import { outboundFor } from '#approval/messages';
import { DEADLINES_TIME_RESERVE_MS } from '#approval/service/deadlines';
import { criminalApp, posterApp } from './fixtures';
import { approvalWorld, portal } from './service-fixtures';

let w: ReturnType<typeof approvalWorld>;
beforeEach(() => {
  w = approvalWorld();
});

const types = () => w.messenger.outbound.map((e) => e.type);

describe('runDeadlines', () => {
  it('terminates a 容缺 case after its supplement deadline, once', async () => {
    await w.approval.submitApplication(posterApp({ materials: [{ code: 'APPLY', provided: true }] }), portal('s-1'));
    w.clock.set('2026-11-23T15:59:59.999Z'); // the last moment of the deadline day
    expect(await w.deadlines.runDeadlines()).toEqual({ terminated: 0, bundlesTerminated: 0, flagged: 0, resent: 0, deferred: 0, failed: 0 });
    w.clock.set('2026-11-23T16:00:00.000Z');
    expect(await w.deadlines.runDeadlines()).toEqual({ terminated: 1, bundlesTerminated: 0, flagged: 0, resent: 0, deferred: 0, failed: 0 });
    expect(await w.deadlines.runDeadlines()).toEqual({ terminated: 0, bundlesTerminated: 0, flagged: 0, resent: 0, deferred: 0, failed: 0 });

    expect(w.store.cases.get('APP-CG-1')!.versions.map((v) => [v.decision.outcome, v.causeKind])).toEqual([
      ['ACCEPTED_PENDING_MATERIALS', 'submitted'],
      ['TERMINATED', 'supplementDeadline'],
    ]);
    // The submission's line names the system that posted it; the schedule's, made by CivicFlow itself, none.
    expect(w.store.audit.map((a) => [a.action, a.details?.source])).toEqual([
      ['decided:ACCEPTED_PENDING_MATERIALS', '/gov/portal'],
      ['supplementDeadline:TERMINATED', undefined],
    ]);
    expect(types()).toEqual(['gov.application.decided', 'gov.application.terminated']);
    // A schedule run is no inbound event: no receipt of its own.
    expect([...w.store.receipts.keys()]).toEqual(['/gov/portal#s-1']);
    expect(w.telemetry.lines.at(-1)).toMatchObject({ message: 'approval deadlines', fields: { terminated: 0 } });
  });

  it('waits its grace after the deadline: a supplement received in time and processed after the deadline is decided on its materials', async () => {
    const GRACE = 75 * 60_000;
    w = approvalWorld(undefined, GRACE);
    const supplied = (id: string) => portal(id, 'gov.application.materials.supplemented');
    await w.approval.submitApplication(posterApp({ materials: [{ code: 'APPLY', provided: true }] }), portal('g-1'));
    await w.approval.submitApplication(posterApp({ applicationId: 'APP-CG-G2', materials: [{ code: 'APPLY', provided: true }] }), portal('g-2'));
    // Both due by 2026-11-23T15:59:59.999Z; supplements received at ingest a minute before, still queued.
    const receivedAt = '2026-11-23T15:59:00.000Z';
    w.clock.set('2026-11-23T17:14:59.999Z'); // the last moment of the grace
    expect(await w.deadlines.runDeadlines()).toMatchObject({ terminated: 0 });

    w.clock.set('2026-11-23T17:00:00.000Z');
    await w.approval.supplementMaterials('APP-CG-1', [{ code: 'SAMPLE', provided: true }], supplied('g-3'), 1, {}, receivedAt);
    expect(w.store.cases.get('APP-CG-1')!.versions.map((v) => [v.decision.outcome, v.causeKind])).toEqual([
      ['ACCEPTED_PENDING_MATERIALS', 'submitted'],
      ['APPROVED', 'supplemented'],
    ]);
    expect(w.store.receipts.get('/gov/portal#g-3')).toMatchObject({ outcome: 'applied', effect: { version: 2, state: 'APPROVED' } });

    // The other one's supplement is held up past the grace (a redrive after a long outage): the case is
    // terminated, and the supplement refused with its own code, on the record for staff to act on.
    w.clock.set('2026-11-23T17:15:00.000Z');
    expect(await w.deadlines.runDeadlines()).toMatchObject({ terminated: 1 });
    w.clock.set('2026-11-24T09:00:00.000Z');
    await w.approval.supplementMaterials('APP-CG-G2', [{ code: 'SAMPLE', provided: true }], supplied('g-4'), 1, {}, receivedAt);
    const g2 = w.store.cases.get('APP-CG-G2')!;
    expect(g2.versions.map((v) => v.decision.outcome)).toEqual(['ACCEPTED_PENDING_MATERIALS', 'TERMINATED']);
    expect(g2.refusals.map((r) => r.code)).toEqual(['SUPPLEMENT_IN_TIME_AFTER_TERMINATION']);
    expect(w.store.receipts.get('/gov/portal#g-4')).toMatchObject({ outcome: 'refused', kind: 'SUPPLEMENT_IN_TIME_AFTER_TERMINATION' });
    expect(w.store.audit.at(-1)).toMatchObject({ subject: expect.stringContaining('APP-CG-G2'), action: 'refused:SUPPLEMENT_IN_TIME_AFTER_TERMINATION', why: expect.stringContaining(receivedAt) });
  });

  it('starts no more cases once its time falls below the reserve, and leaves them due for the next run', async () => {
    for (const [i, id] of ['APP-CG-T1', 'APP-CG-T2', 'APP-CG-T3'].entries()) {
      await w.approval.submitApplication(posterApp({ applicationId: id, materials: [{ code: 'APPLY', provided: true }] }), portal(`t-${i}`));
    }
    w.clock.set('2026-11-23T16:00:00.000Z');
    // The function's clock: plenty of time for the first case, then less than the reserve.
    const left = [60_000, DEADLINES_TIME_RESERVE_MS - 1];
    const timeLeftMs = () => left.shift() ?? DEADLINES_TIME_RESERVE_MS - 1;
    expect(await w.deadlines.runDeadlines({ timeLeftMs })).toEqual({ terminated: 1, bundlesTerminated: 0, flagged: 0, resent: 0, deferred: 2, failed: 0 });
    expect(w.telemetry.lines.at(-1)).toMatchObject({ message: 'approval deadlines', fields: { terminated: 1, deferred: 2 } });
    // The next run, with time, takes the two left due; nothing is done twice.
    expect(await w.deadlines.runDeadlines({ timeLeftMs: () => 60_000 })).toEqual({ terminated: 2, bundlesTerminated: 0, flagged: 0, resent: 0, deferred: 0, failed: 0 });
    expect(['APP-CG-T1', 'APP-CG-T2', 'APP-CG-T3'].map((id) => w.store.cases.get(id)!.versions.at(-1)!.decision.outcome)).toEqual(['TERMINATED', 'TERMINATED', 'TERMINATED']);
  });

  it('logs and counts a case that fails and goes on with the cases due after it', async () => {
    for (const [i, id] of ['APP-CG-P1', 'APP-CG-P2', 'APP-CG-P3'].entries()) {
      await w.approval.submitApplication(posterApp({ applicationId: id, materials: [{ code: 'APPLY', provided: true }] }), portal(`p-${i}`));
    }
    w.clock.set('2026-11-23T16:00:00.000Z');
    // The first case due cannot be read (a stored version the code cannot take, say), run after run.
    const loadCase = w.store.loadCase.bind(w.store);
    w.store.loadCase = async (id) => {
      if (id === 'APP-CG-P1') throw new Error('stored case APP-CG-P1 cannot be read');
      return loadCase(id);
    };
    expect(await w.deadlines.runDeadlines()).toEqual({ terminated: 2, bundlesTerminated: 0, flagged: 0, resent: 0, deferred: 0, failed: 1 });
    expect(w.telemetry.lines.filter((l) => l.level === 'error')).toEqual([
      {
        level: 'error',
        message: 'approval deadlines: supplement deadline failed; it stays due and is tried again next run',
        fields: { applicationId: 'APP-CG-P1', error: new Error('stored case APP-CG-P1 cannot be read') },
      },
    ]);
    expect(w.telemetry.lines.at(-1)).toMatchObject({ message: 'approval deadlines', fields: { terminated: 2, failed: 1 } });
    // It stays due; the others are not done again.
    expect(await w.deadlines.runDeadlines()).toEqual({ terminated: 0, bundlesTerminated: 0, flagged: 0, resent: 0, deferred: 0, failed: 1 });
    w.store.loadCase = loadCase;
    expect(await w.deadlines.runDeadlines()).toEqual({ terminated: 1, bundlesTerminated: 0, flagged: 0, resent: 0, deferred: 0, failed: 0 });
    expect(['APP-CG-P1', 'APP-CG-P2', 'APP-CG-P3'].map((id) => w.store.cases.get(id)!.versions.at(-1)!.decision.outcome)).toEqual(['TERMINATED', 'TERMINATED', 'TERMINATED']);
  });

  it('writes its failed and deferred counts once, even when a later pass throws after its cases were counted', async () => {
    for (const [i, id] of ['APP-CG-L1', 'APP-CG-L2', 'APP-CG-L3'].entries()) {
      await w.approval.submitApplication(posterApp({ applicationId: id, materials: [{ code: 'APPLY', provided: true }] }), portal(`l-${i}`));
    }
    w.clock.set('2026-11-23T16:00:00.000Z');
    const loadCase = w.store.loadCase.bind(w.store);
    w.store.loadCase = async (id) => {
      if (id === 'APP-CG-L1') throw new Error('stored case APP-CG-L1 cannot be read');
      return loadCase(id);
    };
    // The verification pass cannot read its list, after the supplement pass failed one case and deferred one.
    const overdue = w.store.overdue.bind(w.store);
    w.store.overdue = async (kind, now) => {
      if (kind === 'VERIFICATION') throw new Error('verification index unreachable');
      return overdue(kind, now);
    };
    const left = [60_000, 60_000, DEADLINES_TIME_RESERVE_MS - 1];
    const counted: unknown[] = [];
    await expect(
      w.deadlines.runDeadlines({ timeLeftMs: () => left.shift() ?? DEADLINES_TIME_RESERVE_MS - 1, counted: (counts) => counted.push(counts) }),
    ).rejects.toThrow('verification index unreachable');
    expect(counted).toEqual([{ failed: 1, deferred: 1 }]);
  });

  it('flags an approval on commitment whose verification is overdue, once', async () => {
    await w.approval.submitApplication(criminalApp(), portal('s-2'));
    w.clock.set('2026-12-02T16:00:00.000Z');
    expect(await w.deadlines.runDeadlines()).toMatchObject({ flagged: 1 });
    expect(await w.deadlines.runDeadlines()).toMatchObject({ flagged: 0 });

    expect(w.store.cases.get('APP-GA-1')!.flag).toMatchObject({ flaggedAt: '2026-12-02T16:00:00.000Z', sequence: 1 });
    expect(w.messenger.outbound.at(-1)).toMatchObject({ type: 'gov.application.verification.overdue', id: 'verification-overdue:APP-GA-1:1' });
    expect(w.telemetry.points.filter((p) => p.name === 'OverdueVerifications')).toHaveLength(1);
    expect(w.store.audit.filter((a) => a.action === 'verification-overdue')).toHaveLength(1);
  });

  it('flags a verification only the grace after its due date; a report received in time is not late, flagged or not', async () => {
    const GRACE = 75 * 60_000;
    w = approvalWorld(undefined, GRACE);
    const reported = (id: string) => portal(id, 'gov.application.verification.reported');
    await w.approval.submitApplication(criminalApp(), portal('v-1'));
    await w.approval.submitApplication(criminalApp({ applicationId: 'APP-GA-2' }), portal('v-2'));
    // Both due by 2026-12-02T15:59:59.999Z; reports received at ingest a minute before, still queued.
    const receivedAt = '2026-12-02T15:59:00.000Z';
    w.clock.set('2026-12-02T17:14:59.999Z'); // the last moment of the grace
    expect(await w.deadlines.runDeadlines()).toMatchObject({ flagged: 0 });
    await w.approval.reportVerification('APP-GA-1', { truthful: true, note: '属实', receivedAt }, reported('v-3'), 1);
    expect(w.store.cases.get('APP-GA-1')!.versions.at(-1)!.decision.verification).toMatchObject({ late: false });

    // The other report is held up past the grace: flagged; processed afterwards, not late, the flag kept.
    w.clock.set('2026-12-02T17:15:00.000Z');
    expect(await w.deadlines.runDeadlines()).toMatchObject({ flagged: 1 });
    w.clock.set('2026-12-03T09:00:00.000Z');
    await w.approval.reportVerification('APP-GA-2', { truthful: true, note: '属实', receivedAt }, reported('v-4'), 1);
    const g2 = w.store.cases.get('APP-GA-2')!;
    expect(g2.flag).toMatchObject({ flaggedAt: '2026-12-02T17:15:00.000Z' });
    expect(g2.versions.at(-1)!.decision.verification).toMatchObject({ late: false, reportedAt: '2026-12-03T09:00:00.000Z' });
    expect(g2.versions.at(-1)!.decision.trace.steps.at(-1)?.notes[0]).toContain('已于 2026-12-02T17:15:00.000Z 标记核查逾期，标记保留');
    expect(w.store.cases.get('APP-GA-1')!.flag).toBeUndefined();
  });

  it('sends an outbox of its own a crash left unsent once it is older than the grace period, not an event\'s', async () => {
    await w.approval.submitApplication(posterApp({ materials: [{ code: 'APPLY', provided: true }] }), portal('s-1'));
    w.clock.set('2026-11-23T16:00:00.000Z');
    w.messenger.failNext('publish', new Error('outbound queue unreachable'));
    // The send fails: the run logs and counts it, and goes on; the change stays pending for a later run.
    expect(await w.deadlines.runDeadlines()).toMatchObject({ failed: 1 });
    expect(w.telemetry.lines.filter((l) => l.level === 'error').map((l) => (l.fields.error as Error).message)).toEqual(['outbound queue unreachable']);
    // An approval whose first send crashed: its outbox opens a review case, which the schedule may not send.
    w.messenger.failNext('publish', new Error('outbound queue unreachable'));
    await expect(w.approval.submitApplication(criminalApp(), portal('s-2'))).rejects.toThrow();

    w.clock.set('2026-11-23T16:01:00.000Z');
    expect(await w.deadlines.runDeadlines()).toEqual({ terminated: 0, bundlesTerminated: 0, flagged: 0, resent: 0, deferred: 0, failed: 0 });
    w.clock.set('2026-11-23T16:02:00.001Z');
    expect(await w.deadlines.runDeadlines()).toEqual({ terminated: 0, bundlesTerminated: 0, flagged: 0, resent: 1, deferred: 0, failed: 0 });
    expect(types().filter((t) => t === 'gov.application.terminated')).toHaveLength(1);
    expect(w.store.pending('APP-CG-1', 2)).toBe(false);
    expect(w.store.pending('APP-GA-1', 1)).toBeUndefined(); // an event's version keeps no outbox item
    expect(types().filter((t) => t === 'gov.application.decided')).toHaveLength(1); // APP-CG-1's, not APP-GA-1's
  });

  it('leaves an event\'s unsent messages to that event\'s redelivery, which sends them once', async () => {
    // A 容缺 acceptance sends an outbound event only; its send crashed, so its record failed.
    w.messenger.failNext('publish', new Error('outbound queue unreachable'));
    await expect(w.approval.submitApplication(posterApp({ materials: [{ code: 'APPLY', provided: true }] }), portal('s-1'))).rejects.toThrow();
    w.clock.set('2026-11-18T02:05:00.000Z');
    expect(await w.deadlines.runDeadlines()).toEqual({ terminated: 0, bundlesTerminated: 0, flagged: 0, resent: 0, deferred: 0, failed: 0 });
    expect(types().filter((t) => t === 'gov.application.decided')).toHaveLength(0);
    // SQS redelivers the event: the change is there, and what its version owes is sent.
    await w.approval.submitApplication(posterApp({ materials: [{ code: 'APPLY', provided: true }] }), portal('s-1'));
    expect(types().filter((t) => t === 'gov.application.decided')).toHaveLength(1);
  });

  it('leaves a pending outbox item of an event\'s version, as stored before, to that event\'s redelivery', async () => {
    w.messenger.failNext('publish', new Error('outbound queue unreachable'));
    await expect(w.approval.submitApplication(posterApp({ materials: [{ code: 'APPLY', provided: true }] }), portal('s-1'))).rejects.toThrow();
    const decision = w.store.cases.get('APP-CG-1')!.versions[0]!.decision;
    w.store.legacyOutbox('APP-CG-1', 1, { outbound: [outboundFor(decision, 'submitted')], effects: decision.effects });
    w.clock.set('2026-11-18T02:05:00.000Z');
    expect(await w.deadlines.runDeadlines()).toEqual({ terminated: 0, bundlesTerminated: 0, flagged: 0, resent: 0, deferred: 0, failed: 0 });
    expect(w.store.pending('APP-CG-1', 1)).toBe(true);
    await w.approval.submitApplication(posterApp({ materials: [{ code: 'APPLY', provided: true }] }), portal('s-1'));
    expect(w.store.pending('APP-CG-1', 1)).toBe(false);
    expect(types().filter((t) => t === 'gov.application.decided')).toHaveLength(1);
  });
});
