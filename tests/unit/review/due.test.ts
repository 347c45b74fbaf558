/**
 * The due index (shared/review/due.ts) must agree with the domain: a record leaves the index exactly when
 * the scheduler could do nothing more for it, and its due instant is when the domain next acts.
 */
import { invitationDueAt, rectificationDueAt } from '#review/domain/due';
import { planInvitations } from '#review/domain/invitations';
import { acceptReview, onCaseCompleted, reviewerComparable } from '#review/domain/reviews';
import { applyAction, openRectification, overdueCheck } from '#review/domain/rectification';
import { DEFAULT_REVIEW_CONFIG as cfg, type CaseReviewState } from '#review/domain/types';
import { calendar, makeCase, makeReview } from './fixtures';

function completed(overrides = {}): CaseReviewState {
  const out = onCaseCompleted(makeCase(overrides), [], calendar);
  if (out.outcome !== 'completed') throw new Error('expected a completion');
  return out.next;
}

describe('invitationDueAt', () => {
  it('follows the invitation, the reminder at +3 days and the default at +7 days, then leaves the index', () => {
    let state = completed();
    const steps: [string | undefined, string[]][] = [];
    for (let i = 0; i < 4; i++) {
      const due = invitationDueAt(state, cfg);
      if (due === undefined) break;
      const plan = planInvitations(state, due, cfg);
      steps.push([due, [...plan.actions]]);
      // Just before the due instant nothing is due: the index never wakes the scheduler early.
      expect(planInvitations(state, new Date(Date.parse(due) - 1).toISOString(), cfg).actions).toEqual([]);
      state = plan.next;
    }
    expect(steps).toEqual([
      ['2026-09-10T02:00:00.000Z', ['invite']],
      ['2026-09-13T02:00:00.000Z', ['remind']],
      ['2026-09-17T02:00:00.000Z', ['default']],
    ]);
    expect(invitationDueAt(state, cfg)).toBeUndefined();
  });

  it('is undefined once a real review is recorded', () => {
    const state = completed();
    const out = acceptReview(state, makeReview(state.case, 4));
    if (out.outcome !== 'accepted') throw new Error(out.outcome);
    expect(invitationDueAt(out.next, cfg)).toBeUndefined();
  });
});

describe('rectificationDueAt', () => {
  const state = completed();
  const review = makeReview(state.case, 1);
  const { rectification } = openRectification(review, state.subject, calendar, cfg);
  const actor = { departmentCode: state.case.departmentCode, staffId: 'S9' };

  it('is the acknowledgement deadline while OPEN, then the rectification deadline, then nothing', () => {
    expect(rectificationDueAt(rectification)).toBe(rectification.deadlines.acknowledgeDue.dueAt);
    const flagged = overdueCheck(rectification, new Date(Date.parse(rectification.deadlines.acknowledgeDue.dueAt) + 1).toISOString());
    expect(flagged.flagged).toEqual(['acknowledge']);
    expect(rectificationDueAt(flagged.next)).toBe(rectification.deadlines.rectifyDue.dueAt);

    const ack = applyAction(rectification, { action: 'acknowledge', actor, at: review.submittedAt }, calendar, cfg);
    if (!ack.ok) throw new Error(ack.reason);
    expect(rectificationDueAt(ack.next)).toBe(rectification.deadlines.rectifyDue.dueAt);
    const fixed = applyAction(ack.next, { action: 'rectify', actor, at: review.submittedAt.replace('02:00', '03:00') }, calendar, cfg);
    if (!fixed.ok) throw new Error(fixed.reason);
    expect(rectificationDueAt(fixed.next)).toBeUndefined();
  });
});

describe('reviewerComparable', () => {
  it.each([
    ['440305199003071236', '440304198506122460', true],
    ['13812345678', '440304198506122460', false],
    ['13812345678', '13912345678', true],
    ['91440300MA5G2K8L1P', '440304198506122460', true],
  ])('%s vs %s → %s', (reviewer, applicant, comparable) => {
    expect(reviewerComparable(reviewer, applicant)).toBe(comparable);
  });
});
