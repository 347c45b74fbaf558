/**
 * A person's decision (gov.application.reviewed) on an application in MANUAL_REVIEW: the domain's next
 * version (certificate and review case on approval, the reviewer's reasons marked as a person's, no
 * deadline left open), refusals in any other state or for another item's code; and the use case
 * over in-memory ports (one version however often the event arrives, its audit line, receipt, outbound
 * event and hard-case notice; figures that do not count a person's approval as 秒批).
 */
import { decide } from '#approval/domain/decide';
import { decisionMetrics } from '#approval/domain/metrics';
import { approvalFigures } from '#approval/domain/figures';
import { currentOf } from '#approval/store';
import { onReview, reviewRefusal, type PersonReview } from '#approval/domain/reviewed';
import { calendar, inputFor, NOW, outdoorAdItem, outdoorApp, posterApp, posterItem, SUBMITTED } from './fixtures';
import { approvalWorld, portal } from './service-fixtures';

const REVIEWED = 'gov.application.reviewed';
const AT = '2026-11-20T03:00:00.000Z'; // Fri 20 Nov, 11:00 in Shanghai: 2 working days after submission
const LATER = '2026-11-20T03:00:05.000Z';
const manual = decide(inputFor(outdoorApp(), outdoorAdItem));
const approve: PersonReview = { outcome: 'APPROVED', reasons: ['现场核查设施安全'], staffId: 'CGJ-007', at: AT };
const reject: PersonReview = { outcome: 'REJECTED', reasons: ['设置地点位于禁设区域', '请另选地点'], staffId: 'CGJ-007', at: AT };
const ctx = { item: outdoorAdItem, now: LATER, calendar };

describe('onReview (domain)', () => {
  it('an approval: next version with the certificate, the review case, the person in the trace and reasons', () => {
    expect(manual.outcome).toBe('MANUAL_REVIEW');
    const t = onReview(manual, approve, ctx);
    if (!t.ok) throw new Error(t.refusal.message);
    const d = t.decision;
    expect(d).toMatchObject({
      outcome: 'APPROVED',
      sequence: 2,
      certificateNo: `户外广告设施设置许可-${manual.applicationId}`,
      decidedAt: AT,
      updatedAt: LATER,
      latencyMs: Date.parse(AT) - Date.parse(SUBMITTED),
      actualWorkingDays: 2,
      timeLimitCompression: 1 - 2 / 20,
      review: { outcome: 'APPROVED', reasons: ['现场核查设施安全'], staffId: 'CGJ-007', at: AT, recordedAt: LATER },
      reasons: [{ code: 'REVIEWED_BY_PERSON', message: '现场核查设施安全', details: { staffId: 'CGJ-007', at: AT } }],
    });
    expect(d.trace.steps.at(-1)).toEqual({ step: 'review', result: 'pass', notes: [`人工审核：工作人员 CGJ-007 于 ${AT} 决定准予办理`, '理由：现场核查设施安全'] });
    // The machine's pre-check stays in the trace before the person's step.
    expect(d.trace.steps.map((s) => s.step)).toEqual([...manual.trace.steps.map((s) => s.step), 'review']);
    expect(d.effects).toEqual([
      { kind: 'openReviewCase', caseId: manual.applicationId, itemCode: 'CG-021', departmentCode: 'CGJ', applicantId: manual.applicantId, channel: '窗口', completedAt: AT, acceptedAt: manual.submittedAt },
    ]);
  });

  it('a rejection: the reviewer\'s reasons, no certificate, no review case, no deadline left open', () => {
    const withDue = { ...manual, supplementDue: calendar.addWorkingDays(NOW, 3), certificateNo: 'X' };
    const t = onReview(withDue, reject, ctx);
    if (!t.ok) throw new Error(t.refusal.message);
    expect(t.decision.outcome).toBe('REJECTED');
    expect(t.decision.reasons.map((r) => [r.code, r.message])).toEqual([
      ['REVIEWED_BY_PERSON', '设置地点位于禁设区域'],
      ['REVIEWED_BY_PERSON', '请另选地点'],
    ]);
    expect(t.decision.trace.steps.at(-1)).toMatchObject({ step: 'review', result: 'reject' });
    expect(t.decision).not.toHaveProperty('certificateNo');
    expect(t.decision).not.toHaveProperty('supplementDue');
    expect(t.decision.effects).toEqual([]);
  });

  it('refuses in any other state, and an itemCode that is not the application\'s item', () => {
    const approved = onReview(manual, approve, ctx);
    if (!approved.ok) throw new Error('expected a version');
    expect(onReview(approved.decision, reject, ctx)).toEqual({ ok: false, refusal: { code: 'NOT_IN_MANUAL_REVIEW', message: expect.stringContaining('APPROVED') } });
    expect(onReview(approved.decision, { ...reject, itemCode: 'CG-021' }, ctx)).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'NOT_IN_MANUAL_REVIEW' }) });
    expect(reviewRefusal(manual, { ...approve, itemCode: 'CG-999' })).toEqual({ code: 'ITEM_NOT_IN_APPLICATION', message: expect.stringContaining('CG-999') });
    expect(reviewRefusal(manual, approve)).toBeUndefined();
  });

  it('takes a decision naming the application\'s own item as one naming none', () => {
    expect(reviewRefusal(manual, { ...approve, itemCode: 'CG-021' })).toBeUndefined();
    const named = onReview(manual, { ...approve, itemCode: 'CG-021' }, ctx);
    const unnamed = onReview(manual, approve, ctx);
    if (!named.ok) throw new Error(named.refusal.message);
    expect(named.decision).toMatchObject({ outcome: 'APPROVED', sequence: 2 });
    expect(named).toEqual(unnamed);
  });

  it('a person\'s approval is no instant approval (metrics and figures), but its latency counts', () => {
    const t = onReview({ ...manual, itemMode: 'instant' }, approve, ctx);
    if (!t.ok) throw new Error('expected a version');
    const names = decisionMetrics(t.decision, manual, 'reviewed').map((p) => p.name);
    expect(names).not.toContain('InstantApprovals');
    expect(names).toEqual(expect.arrayContaining(['DecisionLatency', 'TimeLimitCompression']));
    const machine = { ...t.decision, review: undefined };
    expect(approvalFigures([currentOf(t.decision), currentOf(machine)])).toMatchObject({ instantItemDecisions: 2, instantApprovals: 1 });
  });
});

describe('reviewApplication (use case over in-memory ports)', () => {
  let w: ReturnType<typeof approvalWorld>;
  const ID = 'APP-CG-2';
  const current = (id = ID) => w.store.cases.get(id)?.versions.at(-1)?.decision;
  beforeEach(async () => {
    w = approvalWorld();
    w.registry.putItem(outdoorAdItem);
    await w.approval.submitApplication(outdoorApp(), portal('s-1'));
    expect(current()?.outcome).toBe('MANUAL_REVIEW');
    w.clock.set(LATER);
    w.store.calls.length = 0;
    w.registry.calls.length = 0;
  });

  it('stores the approval once, with its audit line and receipt, and sends its events', async () => {
    await w.approval.reviewApplication(ID, approve, portal('r-1', REVIEWED), 1);
    expect(current()).toMatchObject({ outcome: 'APPROVED', sequence: 2, certificateNo: `户外广告设施设置许可-${ID}` });
    expect(w.registry.calls).toEqual(['itemVersion']);
    expect(w.store.calls).toEqual(['loadCase', 'storeTransition']);
    expect(w.store.cases.get(ID)!.versions.map((v) => v.causeKind)).toEqual(['submitted', 'reviewed']);
    expect(w.messenger.outbound.map((e) => e.id)).toEqual([`decision:${ID}:1`, `decision:${ID}:2`]);
    expect(w.messenger.outbound.at(-1)).toMatchObject({ type: 'gov.application.decided', data: { outcome: 'APPROVED', review: { staffId: 'CGJ-007' } } });
    expect(w.messenger.internal.map((e) => e.id)).toEqual([`application-decided:${ID}:1`, `case-opened:${ID}`, `application-decided:${ID}:2`]);
    expect(w.store.receipts.get('/gov/portal#r-1')).toMatchObject({ outcome: 'applied', effect: { version: 2, state: 'APPROVED' } });
    const audit = w.store.audit.filter((a) => a.action === 'reviewed:APPROVED');
    expect(audit).toEqual([expect.objectContaining({ actor: '/gov/portal/CGJ-007', why: "a person's decision: APPROVED; 现场核查设施安全" })]);
  });

  it('stores a decision that names the application\'s own item', async () => {
    await w.approval.reviewApplication(ID, { ...reject, itemCode: outdoorAdItem.itemCode }, portal('r-7', REVIEWED), 1);
    expect(current()).toMatchObject({ outcome: 'REJECTED', sequence: 2 });
    expect(w.store.cases.get(ID)!.refusals).toEqual([]);
    expect(w.store.receipts.get('/gov/portal#r-7')).toMatchObject({ outcome: 'applied', effect: { version: 2, state: 'REJECTED' } });
  });

  it('a redelivery, or a second decision under a new id, makes no second version', async () => {
    await w.approval.reviewApplication(ID, approve, portal('r-1', REVIEWED), 1);
    await w.approval.reviewApplication(ID, approve, portal('r-1', REVIEWED), 2);
    await w.approval.reviewApplication(ID, reject, portal('r-2', REVIEWED), 1);
    await w.approval.reviewApplication(ID, reject, portal('r-2', REVIEWED), 2);
    expect(w.store.cases.get(ID)!.versions).toHaveLength(2);
    expect(current()?.outcome).toBe('APPROVED');
    expect(w.store.calls.filter((c) => c === 'storeTransition')).toHaveLength(1);
    expect(w.store.cases.get(ID)!.refusals.map((r) => [r.cause.id, r.code])).toEqual([['r-2', 'NOT_IN_MANUAL_REVIEW']]);
    expect(w.store.receipts.get('/gov/portal#r-2')).toMatchObject({ outcome: 'refused', kind: 'NOT_IN_MANUAL_REVIEW' });
    // r-1's redelivery sent version 2's event again, with the same id; r-2 sent nothing.
    expect(w.messenger.outbound.map((e) => e.id)).toEqual([`decision:${ID}:1`, `decision:${ID}:2`, `decision:${ID}:2`]);
  });

  it('sends what a crashed first attempt did not when the event comes again', async () => {
    w.messenger.failNext('publish', new Error('outbound queue unreachable'));
    await expect(w.approval.reviewApplication(ID, reject, portal('r-3', REVIEWED), 1)).rejects.toThrow();
    expect(w.messenger.outbound.map((e) => e.id)).toEqual([`decision:${ID}:1`]);
    await w.approval.reviewApplication(ID, reject, portal('r-3', REVIEWED), 2);
    expect(w.messenger.outbound.map((e) => e.id)).toEqual([`decision:${ID}:1`, `decision:${ID}:2`]);
    expect(w.store.pending(ID, 2)).toBeUndefined(); // no outbox item: an event's version
    expect(current()).toMatchObject({ outcome: 'REJECTED', sequence: 2 });
    expect(w.messenger.internal.filter((e) => e.type === 'civicflow.case.opened')).toEqual([]);
  });

  it('refuses an application in another state without reading the catalogue, and an unknown one after retries', async () => {
    await w.approval.submitApplication(posterApp(), portal('s-2'));
    expect(current('APP-CG-1')?.outcome).toBe('APPROVED');
    await w.approval.reviewApplication('APP-CG-1', approve, portal('r-4', REVIEWED), 1);
    expect(w.store.cases.get('APP-CG-1')!.refusals.map((r) => r.code)).toEqual(['NOT_IN_MANUAL_REVIEW']);
    expect(w.registry.calls).not.toContain('itemVersion');
    expect(w.store.audit.filter((a) => a.action === 'refused:NOT_IN_MANUAL_REVIEW')).toHaveLength(1);

    await w.approval.reviewApplication(ID, { ...approve, itemCode: posterItem.itemCode }, portal('r-5', REVIEWED), 1);
    expect(w.store.receipts.get('/gov/portal#r-5')).toMatchObject({ outcome: 'refused', kind: 'ITEM_NOT_IN_APPLICATION' });
    expect(current()?.outcome).toBe('MANUAL_REVIEW');

    await expect(w.approval.reviewApplication('APP-NONE', approve, portal('r-6', REVIEWED), 1)).rejects.toThrow(/not known yet/);
    await w.approval.reviewApplication('APP-NONE', approve, portal('r-6', REVIEWED), 3);
    expect(w.store.cases.get('APP-NONE')!.refusals.map((r) => r.code)).toEqual(['APPLICATION_UNKNOWN']);
  });
});
