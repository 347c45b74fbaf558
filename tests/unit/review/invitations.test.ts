import { planInvitations, type InvitationAction } from '#review/domain/invitations';
import { acceptReview, onCaseCompleted } from '#review/domain/reviews';
import { invitationEvents } from '#review/messages';
import { DEFAULT_REVIEW_CONFIG, type CaseReviewState } from '#review/domain/types';
import { calendar, makeCase, makeReview } from './fixtures';

// The case completes 2026-09-10T02:00Z; reminder at +72 h, default at +168 h (natural days).
const COMPLETED = '2026-09-10T02:00:00.000Z';
const REMIND_AT = '2026-09-13T02:00:00.000Z';
const DEFAULT_AT = '2026-09-17T02:00:00.000Z';

function fresh(completedAt = COMPLETED): CaseReviewState {
  const result = onCaseCompleted(makeCase({ completedAt }), [], calendar);
  if (result.outcome !== 'completed') throw new Error('expected completed');
  return result.next;
}

/** Runs the scheduler at each moment in turn, carrying the state, and lists what each run did. */
function run(state: CaseReviewState, moments: readonly string[]): InvitationAction[][] {
  const done: InvitationAction[][] = [];
  for (const now of moments) {
    const plan = planInvitations(state, now, DEFAULT_REVIEW_CONFIG);
    done.push([...plan.actions]);
    state = plan.next;
  }
  return done;
}

describe('planInvitations', () => {
  it.each([
    ['invitation at completion, then nothing until the reminder', [COMPLETED, '2026-09-13T01:59:59.999Z'], [['invite'], []]],
    ['each action exactly once however often the scheduler runs', [COMPLETED, COMPLETED, REMIND_AT, REMIND_AT, '2026-09-15T00:00:00.000Z', DEFAULT_AT, DEFAULT_AT, '2026-10-01T00:00:00.000Z'], [['invite'], [], ['remind'], [], [], ['default'], [], []]],
    ['default due exactly at 7 × 24 h, not a millisecond before', [COMPLETED, REMIND_AT, '2026-09-17T01:59:59.999Z', DEFAULT_AT], [['invite'], ['remind'], [], ['default']]],
    ['a late scheduler still invites and records the default, but does not remind after the default is due', ['2026-09-20T00:00:00.000Z'], [['invite', 'default']]],
  ] as const)('%s', (_name, moments, expected) => {
    expect(run(fresh(), moments)).toEqual(expected);
  });

  it('records the default as 基本满意, marked defaulted, with its own counter and event', () => {
    let state = fresh();
    state = planInvitations(state, COMPLETED, DEFAULT_REVIEW_CONFIG).next;
    const plan = planInvitations(state, '2026-09-18T00:00:00.000Z', DEFAULT_REVIEW_CONFIG);
    expect(plan.actions).toEqual(['default']);
    expect(plan.next.review).toMatchObject({
      reviewId: 'C1#default',
      level: 3,
      defaulted: true,
      reviewerId: 'system:default',
      submittedAt: DEFAULT_AT,
    });
    expect(plan.next.defaultedAt).toBe('2026-09-18T00:00:00.000Z');
    expect(plan.next.version).toBe(state.version + 1);
    expect(plan.figureDeltas).toEqual([{ subject: state.subject, add: { defaulted: 1 } }]);
    expect(invitationEvents(state.case, plan.actions, '2026-09-18T00:00:00.000Z').map((e) => e.type)).toEqual(['gov.review.defaulted']);
    expect(plan.nextCheckAt).toBeUndefined();
  });

  it('counts natural days across the National Day holiday (72 h, not 3 working days)', () => {
    // Completed 2026-09-30 10:00 Shanghai; the reminder falls on 2026-10-03, a holiday.
    const state = planInvitations(fresh('2026-09-30T02:00:00.000Z'), '2026-09-30T02:00:00.000Z', DEFAULT_REVIEW_CONFIG);
    expect(state.nextCheckAt).toBe('2026-10-03T02:00:00.000Z');
    expect(planInvitations(state.next, '2026-10-03T02:00:00.000Z', DEFAULT_REVIEW_CONFIG).actions).toEqual(['remind']);
  });

  it('tells the scheduler when to come back', () => {
    const invited = planInvitations(fresh(), COMPLETED, DEFAULT_REVIEW_CONFIG);
    expect(invited.nextCheckAt).toBe(REMIND_AT);
    const reminded = planInvitations(invited.next, REMIND_AT, DEFAULT_REVIEW_CONFIG);
    expect(reminded.nextCheckAt).toBe(DEFAULT_AT);
    const idle = planInvitations(reminded.next, '2026-09-14T00:00:00.000Z', DEFAULT_REVIEW_CONFIG);
    expect(idle.next).toBe(reminded.next);
    expect(idle.nextCheckAt).toBe(DEFAULT_AT);
  });

  it('does nothing for a case that already has a real review', () => {
    const kase = makeCase();
    const accepted = acceptReview(fresh(), makeReview(kase, 5));
    if (accepted.outcome !== 'accepted') throw new Error('expected accepted');
    const plan = planInvitations(accepted.next, '2026-10-01T00:00:00.000Z', DEFAULT_REVIEW_CONFIG);
    expect(plan.actions).toEqual([]);
    expect(plan.next).toBe(accepted.next);
    expect(plan.figureDeltas).toEqual([]);
  });

  it('honours configured periods', () => {
    const config = { ...DEFAULT_REVIEW_CONFIG, reminderNaturalDays: 1, defaultReviewNaturalDays: 2 };
    let state = planInvitations(fresh(), COMPLETED, config).next;
    expect(planInvitations(state, '2026-09-11T02:00:00.000Z', config).actions).toEqual(['remind']);
    state = planInvitations(state, '2026-09-11T02:00:00.000Z', config).next;
    expect(planInvitations(state, '2026-09-12T02:00:00.000Z', config).actions).toEqual(['default']);
  });
});
