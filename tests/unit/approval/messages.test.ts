import { decide } from '#approval/domain/decide';
import { onSupplementDeadline, onVerification, openDeadline, supplement } from '#approval/domain/lifecycle';
import { caseOpenedFor, decisionSummary, outboundFor, verificationOverdueFor } from '#approval/messages';
import { criminalApp, criminalRecordItem, inputFor, NOW, PERSON, posterApp, posterItem, SUBMITTED, weatherApp, weatherItem } from './fixtures';

const approved = decide(inputFor(weatherApp(), weatherItem));
const onCommitment = decide(inputFor(criminalApp(), criminalRecordItem));
const pending = decide(inputFor(posterApp({ materials: [{ code: 'APPLY', provided: true }] }), posterItem));

describe('messages of a decision version', () => {
  it('the fixtures are what the tests below assume', () => {
    expect([approved.outcome, onCommitment.outcome, pending.outcome]).toEqual([
      'APPROVED',
      'APPROVED_ON_COMMITMENT',
      'ACCEPTED_PENDING_MATERIALS',
    ]);
  });

  it.each([
    ['submitted', approved, 'gov.application.decided', 'decision:APP-QX-1:1'],
    ['supplementDeadline', onSupplementDeadline(pending, '2026-12-31T00:00:00Z')!, 'gov.application.terminated', 'terminated:APP-CG-1:2'],
  ] as const)('%s → %s with a deterministic id', (cause, decision, type, id) => {
    const a = outboundFor(decision, cause);
    expect(a).toMatchObject({ type, id, subject: decision.applicationId, time: decision.updatedAt });
    expect(outboundFor(decision, cause)).toEqual(a);
  });

  it('a supplement re-decision is a decision; a verification is revoked or verified', () => {
    const t = supplement(pending, posterApp({ materials: [{ code: 'APPLY', provided: true }] }), [{ code: 'SAMPLE', provided: true }], {
      ...inputFor(posterApp(), posterItem),
    });
    if (!t.ok) throw new Error(t.refusal.message);
    expect(outboundFor(t.decision, 'supplemented')).toMatchObject({ type: 'gov.application.decided', id: `decision:APP-CG-1:${t.decision.sequence}` });
    const revoked = onVerification(onCommitment, { truthful: false, note: '不实' }, NOW);
    const verified = onVerification(onCommitment, { truthful: true, note: '属实' }, NOW);
    if (!revoked.ok || !verified.ok) throw new Error('refused');
    expect(outboundFor(revoked.decision, 'verification')).toMatchObject({ type: 'gov.application.revoked', id: 'revoked:APP-GA-1:2' });
    expect(outboundFor(verified.decision, 'verification')).toMatchObject({ type: 'gov.application.verified', id: 'verified:APP-GA-1:2' });
  });

  it('the summary carries outcome, reasons, certificate and due dates, but no applicant identifier or trace', () => {
    const s = decisionSummary(pending);
    expect(s).toMatchObject({ outcome: 'ACCEPTED_PENDING_MATERIALS', supplementDue: pending.supplementDue, query: '/applications/APP-CG-1' });
    expect(JSON.stringify(s)).not.toContain(pending.applicantId);
    expect(s).not.toHaveProperty('trace');
    expect(decisionSummary(approved)).toMatchObject({ certificateNo: approved.certificateNo, reasons: [] });
  });

  it('the case opened by an approval has the application as its case id and the data of gov.case.completed', () => {
    const effect = approved.effects.find((e) => e.kind === 'openReviewCase');
    if (effect?.kind !== 'openReviewCase') throw new Error('no review case');
    expect(caseOpenedFor(effect)).toEqual({
      specversion: '1.0',
      id: 'case-opened:APP-QX-1',
      source: '/civicflow/approval',
      type: 'civicflow.case.opened',
      time: NOW,
      subject: 'APP-QX-1',
      data: {
        caseId: 'APP-QX-1',
        itemCode: weatherItem.itemCode,
        departmentCode: weatherItem.departmentCode,
        applicantId: PERSON.id,
        channel: '政务服务网',
        completedAt: NOW,
        acceptedAt: SUBMITTED,
        origin: 'approval',
      },
    });
  });

  it('an overdue flag names the version it flags', () => {
    expect(verificationOverdueFor(onCommitment, '2026-12-31T00:00:00Z')).toMatchObject({
      type: 'gov.application.verification.overdue',
      id: 'verification-overdue:APP-GA-1:1',
      data: { verificationDue: onCommitment.verificationDue },
    });
  });

  it('open deadlines: pending → supplement, unverified commitment → verification, anything else none', () => {
    expect(openDeadline(pending)).toEqual({ kind: 'SUPPLEMENT', dueAt: pending.supplementDue!.dueAt });
    expect(openDeadline(onCommitment)).toEqual({ kind: 'VERIFICATION', dueAt: onCommitment.verificationDue!.dueAt });
    const verified = onVerification(onCommitment, { truthful: true, note: '属实' }, NOW);
    if (!verified.ok) throw new Error('refused');
    expect(openDeadline(verified.decision)).toBeUndefined();
    expect(openDeadline(approved)).toBeUndefined();
    expect(openDeadline(onSupplementDeadline(pending, '2026-12-31T00:00:00Z')!)).toBeUndefined();
  });
});
