/**
 * Verifications (告知承诺核查) of a bundle application's children approved on commitment: the domain
 * (verifyBundleChild, flagOverdueVerifications, bundleNextDue) and the use case over in-memory ports
 * (gov.application.verification.reported routed to the bundle, the deadlines schedule flagging a child's
 * overdue verification once). Hand-computed on the 企业开办 sample bundle with the business licence
 * (required) and the invoice (optional) decided on commitment.
 */
import { childApplicationId, decideBundle, type BundleApplication, type BundleContext, type BundleState } from '#approval/domain/bundle/application';
import { bundleNextDue, flagOverdueVerifications, verifyBundleChild } from '#approval/domain/bundle/later';
import { onVerification } from '#approval/domain/lifecycle';
import type { Cause } from '#approval/domain/decision';
import type { ServiceItem } from '#approval/domain/types';
import { createApprovalService, createDeadlinesService } from '#approval/service';
import { summaryOf } from '#approval/store/bundle';
import { memoryApproval } from '#support/memory/approval';
import { MemoryBundleStore, MemoryCatalogue } from '#support/memory/bundle';
import { calendar } from '../fixtures';
import { FOUNDER, item, startUp } from './fixtures';

const ID = 'YJS-V-1';
const NOW = '2026-11-18T02:00:00.000Z';
const LATER = '2026-11-19T02:00:00.000Z';
/** After the licence's verification due date (5 working days), before the invoice's (10). */
const PAST_FIRST_DUE = '2026-11-27T02:00:00.000Z';
const PAST_BOTH_DUES = '2026-12-10T02:00:00.000Z';
const ARTICLES = { code: 'M-ARTICLES', name: '公司章程', declared: true };
const items: ServiceItem[] = [
  // Distinct versions: compiled conditions are cached by item version.
  item('QYKB-SLDJ', '营业执照', [ARTICLES], { mode: 'commitment', verificationDays: 5, version: 41 }),
  item('QYKB-YZKZ', '印章备案', [ARTICLES], { version: 41 }),
  item('QYKB-FPSL', '发票领用', [ARTICLES], { mode: 'commitment', verificationDays: 10, version: 41 }),
  ...['QYKB-SBDJ', 'QYKB-YHKH'].map((code) => item(code, `证照-${code}`, [ARTICLES], { version: 41 })),
];
const application: BundleApplication = {
  applicationId: ID,
  bundleCode: startUp.bundleCode,
  applicant: FOUNDER,
  form: { enterpriseName: '某某公司', employees: 0 },
  answers: { needsInvoice: true, hiresStaff: false },
  materials: [{ code: 'M-ARTICLES', provided: true }],
  commitment: { signedAt: NOW },
  channel: 'online',
  submittedAt: NOW,
};
const context = (now = LATER): BundleContext => ({ bundle: startUp, items: new Map(items.map((i) => [i.itemCode, i])), licences: [], now, calendar });
const child = (s: BundleState, code: string) => s.children.find((c) => c.itemCode === code);
const outcome = (s: BundleState, code: string) => child(s, code)?.decision?.outcome;
const ok = (t: ReturnType<typeof verifyBundleChild>): BundleState => {
  if (!t.ok) throw new Error(`refused: ${t.refusal.message}`);
  return t.state;
};

describe('a verification of a bundle child approved on commitment', () => {
  const first = decideBundle(application, context(NOW));

  it('starts from a bundle approved with two children on commitment, each with its own verification due date', () => {
    expect(first.status).toBe('APPROVED');
    expect(outcome(first, 'QYKB-SLDJ')).toBe('APPROVED_ON_COMMITMENT');
    expect(outcome(first, 'QYKB-FPSL')).toBe('APPROVED_ON_COMMITMENT');
    expect(outcome(first, 'QYKB-YZKZ')).toBe('APPROVED');
    expect(child(first, 'QYKB-SLDJ')?.decision?.verificationDue?.date).toBe('2026-11-25');
    expect(child(first, 'QYKB-FPSL')?.decision?.verificationDue?.date).toBe('2026-12-02');
    expect(bundleNextDue(first)).toBe(child(first, 'QYKB-SLDJ')?.decision?.verificationDue?.dueAt);
  });

  it('revokes a required child found untruthful, marks the applicant once, and terminates the bundle', () => {
    const s = ok(verifyBundleChild(first, { truthful: false, note: '经营场所不实', itemCode: 'QYKB-SLDJ' }, context()));
    const licence = child(s, 'QYKB-SLDJ')?.decision;
    expect(licence).toMatchObject({ outcome: 'REVOKED', sequence: 2, verification: { truthful: false, note: '经营场所不实', reportedAt: LATER, late: false } });
    expect(licence?.reasons.map((r) => r.code)).toEqual(['COMMITMENT_UNTRUTHFUL']);
    expect(s.status).toBe('TERMINATED');
    expect(s.reasons[0]).toMatchObject({ code: 'REQUIRED_CHILD_TERMINATED' });
    expect(s).toMatchObject({ sequence: 2, decidedAt: LATER, changedChildren: ['QYKB-SLDJ'] });
    // Followers decided already keep their decisions; no second review case is opened.
    expect(outcome(s, 'QYKB-YZKZ')).toBe('APPROVED');
    expect(s.effects.filter((e) => e.kind === 'openReviewCase')).toEqual([]);
    expect(s.effects.filter((e) => e.kind === 'markFalseCommitment')).toEqual([
      { kind: 'markFalseCommitment', subjectId: FOUNDER.id, applicationId: childApplicationId(ID, 'QYKB-SLDJ'), at: LATER },
    ]);
    // Revoked: a second report on it is refused, and the other child still awaits its own.
    expect(verifyBundleChild(s, { truthful: true, note: 'x', itemCode: 'QYKB-SLDJ' }, context())).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'NOT_APPROVED_ON_COMMITMENT' }) });
    expect(bundleNextDue(s)).toBe(child(s, 'QYKB-FPSL')?.decision?.verificationDue?.dueAt);
  });

  it('makes the bundle PARTIALLY_APPROVED when an optional child is found untruthful', () => {
    const s = ok(verifyBundleChild(first, { truthful: false, note: '不实', itemCode: 'QYKB-FPSL' }, context()));
    expect(outcome(s, 'QYKB-FPSL')).toBe('REVOKED');
    expect(s.status).toBe('PARTIALLY_APPROVED');
  });

  it('closes a truthful child\'s verification and leaves the bundle as it was', () => {
    const s = ok(verifyBundleChild(first, { truthful: true, note: '核查属实', itemCode: 'QYKB-FPSL' }, context()));
    expect(child(s, 'QYKB-FPSL')?.decision).toMatchObject({ outcome: 'APPROVED_ON_COMMITMENT', verification: { truthful: true, reportedAt: LATER } });
    expect(s).toMatchObject({ status: 'APPROVED', decidedAt: first.decidedAt, sequence: 2, changedChildren: ['QYKB-FPSL'], effects: [] });
    expect(verifyBundleChild(s, { truthful: true, note: 'again', itemCode: 'QYKB-FPSL' }, context())).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'ALREADY_VERIFIED' }) });
  });

  it('without itemCode: refused naming the field while two children await one, then applied to the only one left', () => {
    const refused = verifyBundleChild(first, { truthful: true, note: '属实' }, context());
    // The item is ambiguous, not absent: a code of its own, not ITEM_NOT_IN_APPLICATION.
    expect(refused).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'ITEM_CODE_REQUIRED', message: expect.stringContaining('itemCode') }) });
    expect(!refused.ok && refused.refusal.message).toContain('QYKB-SLDJ、QYKB-FPSL');
    const one = ok(verifyBundleChild(first, { truthful: true, note: '属实', itemCode: 'QYKB-SLDJ' }, context()));
    const other = ok(verifyBundleChild(one, { truthful: false, note: '不实' }, context()));
    expect(outcome(other, 'QYKB-FPSL')).toBe('REVOKED');
    expect(verifyBundleChild(other, { truthful: true, note: '属实' }, context())).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'NOT_APPROVED_ON_COMMITMENT' }) });
  });

  it('refuses a child not on commitment, an item not in the bundle, and a child not applicable', () => {
    expect(verifyBundleChild(first, { truthful: true, note: 'x', itemCode: 'QYKB-YZKZ' }, context())).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'NOT_APPROVED_ON_COMMITMENT' }) });
    expect(verifyBundleChild(first, { truthful: true, note: 'x', itemCode: 'NOPE' }, context())).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'ITEM_NOT_IN_APPLICATION' }) });
    expect(verifyBundleChild(first, { truthful: true, note: 'x', itemCode: 'QYKB-SBDJ' }, context())).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'NOT_APPROVED_ON_COMMITMENT' }) });
  });

  it('flags each child\'s overdue verification once, in a version changing no decision, and keeps the flag afterwards', () => {
    expect(flagOverdueVerifications(first, LATER, 0)).toBeUndefined();
    const flagged = flagOverdueVerifications(first, PAST_FIRST_DUE, 0);
    expect(flagged).toMatchObject({ sequence: 2, status: 'APPROVED', decidedAt: first.decidedAt, changedChildren: [], effects: [] });
    expect(child(flagged!, 'QYKB-SLDJ')?.verificationOverdueAt).toBe(PAST_FIRST_DUE);
    expect(child(flagged!, 'QYKB-FPSL')?.verificationOverdueAt).toBeUndefined();
    expect(child(flagged!, 'QYKB-SLDJ')?.decision).toBe(child(first, 'QYKB-SLDJ')?.decision);
    // Flagged: no longer due; the other child's date is next.
    expect(bundleNextDue(flagged!)).toBe(child(first, 'QYKB-FPSL')?.decision?.verificationDue?.dueAt);
    expect(flagOverdueVerifications(flagged!, PAST_FIRST_DUE, 0)).toBeUndefined();
    // A late verification is still taken, and the flag stays with the child.
    const late = ok(verifyBundleChild(flagged!, { truthful: true, note: '属实', itemCode: 'QYKB-SLDJ' }, context(PAST_FIRST_DUE)));
    expect(child(late, 'QYKB-SLDJ')).toMatchObject({ verificationOverdueAt: PAST_FIRST_DUE, decision: { verification: { late: true } } });
    // The figures' summary (what the monthly report counts) names the flagged child once, in every later version.
    const dept = child(first, 'QYKB-SLDJ')!.departmentCode;
    expect(summaryOf(first).overdueVerifications).toEqual([]);
    expect(summaryOf(flagged!).overdueVerifications).toEqual([{ itemCode: 'QYKB-SLDJ', departmentCode: dept }]);
    expect(summaryOf(late).overdueVerifications).toEqual([{ itemCode: 'QYKB-SLDJ', departmentCode: dept }]);
  });

  it('flags a child only the grace after its due date; a report received in time is not late, even after the flag', () => {
    const GRACE = 75 * 60_000;
    const dueAt = child(first, 'QYKB-SLDJ')!.decision!.verificationDue!.dueAt;
    const at = (ms: number) => new Date(Date.parse(dueAt) + ms).toISOString();
    expect(flagOverdueVerifications(first, at(GRACE), GRACE)).toBeUndefined();
    const receivedAt = at(-60_000);
    // Received a minute before the due date, processed during the grace: not late, nothing flagged.
    const inGrace = ok(verifyBundleChild(first, { truthful: true, note: '属实', itemCode: 'QYKB-SLDJ', receivedAt }, context(at(GRACE))));
    expect(child(inGrace, 'QYKB-SLDJ')).toMatchObject({ decision: { verification: { late: false } } });
    expect(child(inGrace, 'QYKB-SLDJ')?.verificationOverdueAt).toBeUndefined();
    // Held up past the grace: flagged; processed afterwards it is still not late, and the flag stays.
    const flagged = flagOverdueVerifications(first, at(GRACE + 1), GRACE)!;
    expect(child(flagged, 'QYKB-SLDJ')?.verificationOverdueAt).toBe(at(GRACE + 1));
    const after = ok(verifyBundleChild(flagged, { truthful: true, note: '属实', itemCode: 'QYKB-SLDJ', receivedAt }, context(at(GRACE + 60_000))));
    expect(child(after, 'QYKB-SLDJ')).toMatchObject({ verificationOverdueAt: at(GRACE + 1), decision: { verification: { late: false } } });
    expect(child(after, 'QYKB-SLDJ')?.decision?.trace.steps.at(-1)?.notes[0]).toContain('标记保留');
  });

  it('keeps no supplement deadline due in a final bundle, which takes no supplement', () => {
    // The seal (required) is rejected by its rule; the invoice (optional) waits for a tolerable material.
    const pendingItems = new Map(context().items);
    pendingItems.set('QYKB-YZKZ', { ...pendingItems.get('QYKB-YZKZ')!, version: 42, rules: { id: 'R-V-SEAL', description: '刻制印章不超过5枚', fact: 'form.seals', op: 'lte', value: 5 } });
    pendingItems.set('QYKB-FPSL', { ...pendingItems.get('QYKB-FPSL')!, version: 42, materials: [ARTICLES, { code: 'M-TAX', name: '税务登记表', declared: true, tolerable: true }] });
    const s = decideBundle({ ...application, form: { ...application.form, seals: 9 } }, { ...context(NOW), items: pendingItems });
    expect(s.status).toBe('REJECTED');
    expect(outcome(s, 'QYKB-FPSL')).toBe('ACCEPTED_PENDING_MATERIALS');
    // Only the licence's verification remains to look at.
    expect(bundleNextDue(s)).toBe(child(s, 'QYKB-SLDJ')?.decision?.verificationDue?.dueAt);
  });
});

describe('a verification report on a single-item application', () => {
  const decided = decideBundle(application, context(NOW));
  const single = { ...child(decided, 'QYKB-SLDJ')!.decision!, applicationId: 'SQ-V-1' };

  it('may name the application\'s own item, and no other', () => {
    expect(onVerification(single, { truthful: true, note: '属实', itemCode: 'QYKB-SLDJ' }, LATER)).toMatchObject({ ok: true, decision: { verification: { truthful: true } } });
    expect(onVerification(single, { truthful: true, note: '属实', itemCode: 'QYKB-FPSL' }, LATER)).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'ITEM_NOT_IN_APPLICATION' }) });
  });
});

describe('the use case: gov.application.verification.reported on a bundle, and the deadlines schedule', () => {
  const cause = (id: string, type = 'gov.application.verification.reported'): Cause => ({ source: '/dept/verify', id, type });

  function world() {
    const w = memoryApproval({ now: NOW, calendar });
    const bundles = new MemoryBundleStore();
    const extras = { bundles, catalogue: new MemoryCatalogue([startUp], items) };
    const approval = createApprovalService(w.ports, extras);
    const deadlines = createDeadlinesService({ ...w.ports, receiptGraceMs: 0 }, { ...extras, registry: w.ports.registry, calendar: w.ports.calendar });
    return { ...w, bundles, approval, deadlines };
  }

  it('revokes the child named, marks the applicant once however often the report comes, and records a refusal once', async () => {
    const w = world();
    await w.approval.submitBundle(application, cause('s-1', 'gov.application.submitted'));
    w.clock.set(LATER);
    const report = { truthful: false, note: '经营场所不实', itemCode: 'QYKB-SLDJ' };
    await w.approval.reportVerification(ID, report, cause('v-1'), 1);
    await w.approval.reportVerification(ID, report, cause('v-1'), 2);
    const known = await w.bundles.loadBundle(ID);
    expect(known.state).toMatchObject({ status: 'TERMINATED', sequence: 2 });
    expect(known.versions.map((v) => v.causeKind)).toEqual(['submitted', 'verification']);
    expect(w.store.cases.size).toBe(0);
    // The redelivery sends the same messages again (same ids): receivers de-duplicate; nothing is decided or counted twice.
    const marks = w.messenger.internal.filter((e) => e.type === 'civicflow.credit.marked');
    expect(new Set(marks.map((e) => e.id))).toEqual(new Set([`credit-marked:falseCommitment:${childApplicationId(ID, 'QYKB-SLDJ')}`]));
    // Each names the report that found the child's commitment untruthful (the re-match names its system).
    expect(marks.map((e) => (e.data as { cause?: { id: string } }).cause?.id)).toEqual(marks.map(() => 'v-1'));
    expect(new Set(w.messenger.outbound.filter((e) => e.type === 'gov.application.revoked').map((e) => e.id))).toEqual(new Set([`revoked:${childApplicationId(ID, 'QYKB-SLDJ')}:2`]));
    expect(w.telemetry.points.filter((p) => p.name === 'BundlesDecided').map((p) => p.dimensions?.Outcome)).toEqual(['APPROVED', 'TERMINATED']);

    // On the instant child: refused, recorded once.
    await w.approval.reportVerification(ID, { truthful: true, note: 'x', itemCode: 'QYKB-YZKZ' }, cause('v-2'), 1);
    await w.approval.reportVerification(ID, { truthful: true, note: 'x', itemCode: 'QYKB-YZKZ' }, cause('v-2'), 2);
    const after = await w.bundles.loadBundle(ID);
    expect(after.refusals).toEqual([expect.objectContaining({ code: 'NOT_APPROVED_ON_COMMITMENT' })]);
    expect(after.state?.sequence).toBe(2);
  });

  it('puts back, or takes out, an index entry with nothing due: the schedule does not meet it on every run', async () => {
    const w = world();
    await w.approval.submitBundle(application, cause('s-1', 'gov.application.submitted'));
    w.clock.set(LATER);
    // An entry the index still lists (a final bundle's pending child, or one written before) though nothing is due yet.
    w.bundles.overdueBundles = async () => [ID];
    const moved: unknown[][] = [];
    w.bundles.reindexBundleDue = async (...args: unknown[]) => void moved.push(args);
    expect(await w.deadlines.runDeadlines()).toMatchObject({ flagged: 0, bundlesTerminated: 0 });
    const state = (await w.bundles.loadBundle(ID)).state!;
    expect(state.sequence).toBe(1);
    expect(moved).toEqual([[ID, 1, child(state, 'QYKB-SLDJ')?.decision?.verificationDue?.dueAt]]);
  });

  it('sends an overdue flag a crash left unsent from the schedule\'s sweep, once', async () => {
    const w = world();
    await w.approval.submitBundle(application, cause('s-1', 'gov.application.submitted'));
    w.clock.set(PAST_FIRST_DUE);
    const publish = w.messenger.publish.bind(w.messenger);
    const down = { fail: true };
    w.messenger.publish = async (events) => {
      if (down.fail) throw new Error('queue down');
      return publish(events);
    };
    // The send fails: the run logs and counts it, and goes on; the change stays pending for a later run.
    expect(await w.deadlines.runDeadlines()).toMatchObject({ failed: 1 });
    expect(w.telemetry.lines.filter((l) => l.level === 'error').map((l) => (l.fields.error as Error).message)).toEqual(['queue down']);
    expect((await w.bundles.loadBundle(ID)).versions[1]).toMatchObject({ causeKind: 'overdueFlag', marked: true, pending: true });
    down.fail = false;
    w.clock.set('2026-11-27T02:10:00.000Z');
    // Flagged already: the run sends what the stored flag owes and flags nothing again.
    expect(await w.deadlines.runDeadlines()).toMatchObject({ flagged: 0, resent: 1 });
    expect(await w.deadlines.runDeadlines()).toMatchObject({ flagged: 0, resent: 0 });
    expect(w.messenger.outbound.filter((e) => e.type === 'gov.application.verification.overdue').map((e) => e.id)).toEqual([`verification-overdue:${childApplicationId(ID, 'QYKB-SLDJ')}:1`]);
    // The flag version's roll-up, sent late by the sweep, once, with the id the first try had.
    expect(w.messenger.outbound.filter((e) => e.type === 'gov.application.bundle.decided').map((e) => e.id)).toEqual([`bundle-decision:${ID}:1`, `bundle-decision:${ID}:2`]);
    expect((await w.bundles.loadBundle(ID)).versions.map((v) => v.sequence)).toEqual([1, 2]);
  });

  it('flags a child\'s overdue verification once across runs, with one event naming the bundle', async () => {
    const w = world();
    await w.approval.submitBundle(application, cause('s-1', 'gov.application.submitted'));
    expect(await w.deadlines.runDeadlines()).toMatchObject({ flagged: 0 });
    const decidedBefore = w.messenger.outbound.filter((e) => e.type === 'gov.application.decided').length;
    w.clock.set(PAST_FIRST_DUE);
    expect(await w.deadlines.runDeadlines()).toMatchObject({ flagged: 1, bundlesTerminated: 0 });
    expect(await w.deadlines.runDeadlines()).toMatchObject({ flagged: 0 });
    const known = await w.bundles.loadBundle(ID);
    expect(known.state).toMatchObject({ status: 'APPROVED', sequence: 2 });
    expect(known.versions[1]).toMatchObject({ causeKind: 'overdueFlag', pending: false });
    const flags = w.messenger.outbound.filter((e) => e.type === 'gov.application.verification.overdue');
    expect(flags).toEqual([
      expect.objectContaining({
        id: `verification-overdue:${childApplicationId(ID, 'QYKB-SLDJ')}:1`,
        subject: ID,
        data: expect.objectContaining({ itemCode: 'QYKB-SLDJ', bundleApplicationId: ID, bundleCode: startUp.bundleCode, flaggedAt: PAST_FIRST_DUE }),
      }),
    ]);
    // No child decided, no roll-up changed, but the version is announced like every other: no gap in the
    // numbers a consumer of gov.application.bundle.decided sees, and the flag shown on the child.
    const rollUps = w.messenger.outbound.filter((e) => e.type === 'gov.application.bundle.decided');
    expect(rollUps.map((e) => [e.id, e.data.sequence, e.data.status])).toEqual([
      [`bundle-decision:${ID}:1`, 1, 'APPROVED'],
      [`bundle-decision:${ID}:2`, 2, 'APPROVED'],
    ]);
    const flaggedChildren = (rollUps[1]!.data.children as { itemCode: string; verificationOverdue?: unknown }[]).filter((c) => c.verificationOverdue !== undefined);
    expect(flaggedChildren).toEqual([expect.objectContaining({ itemCode: 'QYKB-SLDJ', verificationOverdue: { flaggedAt: PAST_FIRST_DUE } })]);
    // No child decided: no gov.application.decided of version 2.
    expect(decidedBefore).toBeGreaterThan(0);
    expect(w.messenger.outbound.filter((e) => e.type === 'gov.application.decided')).toHaveLength(decidedBefore);
    expect(w.telemetry.points.filter((p) => p.name === 'OverdueVerifications')).toHaveLength(1);

    w.clock.set(PAST_BOTH_DUES);
    expect(await w.deadlines.runDeadlines()).toMatchObject({ flagged: 1 });
    expect((await w.bundles.loadBundle(ID)).state?.children.filter((c) => c.verificationOverdueAt !== undefined).map((c) => c.itemCode)).toEqual(['QYKB-SLDJ', 'QYKB-FPSL']);
    // A late report still revokes; the flags stay.
    await w.approval.reportVerification(ID, { truthful: false, note: '不实', itemCode: 'QYKB-FPSL' }, cause('v-late'), 1);
    const last = (await w.bundles.loadBundle(ID)).state;
    expect(last).toMatchObject({ status: 'PARTIALLY_APPROVED', sequence: 4 });
    expect(last?.children.find((c) => c.itemCode === 'QYKB-FPSL')).toMatchObject({ verificationOverdueAt: PAST_BOTH_DUES, decision: { outcome: 'REVOKED' } });
  });
});
