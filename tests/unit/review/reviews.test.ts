import { acceptReview, invalidateReview, onCaseCompleted, subjectOf } from '#review/domain/reviews';
import { planInvitations } from '#review/domain/invitations';
import { DEFAULT_REVIEW_CONFIG, type CaseReviewState } from '#review/domain/types';
import { calendar, makeCase, makeReview } from './fixtures';

function completed(kase = makeCase()): CaseReviewState {
  const result = onCaseCompleted(kase, [], calendar);
  if (result.outcome !== 'completed') throw new Error('expected completed');
  return result.next;
}

describe('subjectOf', () => {
  it('puts a case in the day and month of its completion in Shanghai, not UTC', () => {
    // 2026-09-30T16:30Z is 2026-10-01 00:30 in Shanghai.
    const subject = subjectOf(makeCase({ completedAt: '2026-09-30T16:30:00.000Z' }), calendar);
    expect(subject.completedDay).toBe('2026-10-01');
    expect(subject.completedMonth).toBe('2026-10');
  });
});

describe('onCaseCompleted', () => {
  it('records the case with one completed-case delta and no review', () => {
    const result = onCaseCompleted(makeCase(), [], calendar);
    expect(result.outcome).toBe('completed');
    if (result.outcome !== 'completed') return;
    expect(result.next.review).toBeUndefined();
    expect(result.next.version).toBe(1);
    expect(result.figureDeltas).toHaveLength(1);
    expect(result.figureDeltas[0]!.add).toEqual({ completedCases: 1 });
  });

  it('is a no-op for a case already recorded', () => {
    const state = completed();
    expect(onCaseCompleted(makeCase(), [], calendar, state)).toEqual({ outcome: 'duplicate', caseId: 'C1' });
  });

  it('applies parked reviews: the earliest real review wins, a later one and a mismatched one are refused', () => {
    const kase = makeCase();
    const early = makeReview(kase, 2, { reviewId: 'R-early', submittedAt: '2026-09-10T03:00:00.000Z' });
    const late = makeReview(kase, 5, { reviewId: 'R-late', submittedAt: '2026-09-10T04:00:00.000Z' });
    const stranger = makeReview(kase, 5, { reviewId: 'R-stranger', reviewerId: 'P-other' });
    const result = onCaseCompleted(kase, [late, stranger, early, early], calendar);
    if (result.outcome !== 'completed') throw new Error('expected completed');
    expect(result.next.review?.reviewId).toBe('R-early');
    expect(result.applied.map((r) => r.reviewId)).toEqual(['R-early']);
    expect(result.rejected.map((r) => [r.review.reviewId, r.code]).sort()).toEqual([
      ['R-late', 'DUPLICATE_REVIEW'],
      ['R-stranger', 'REVIEWER_MISMATCH'],
    ]);
    // One merged delta: the case, and the 差评 at level 2 (3 points).
    expect(result.figureDeltas).toEqual([
      { subject: result.next.subject, add: { completedCases: 1, level2: 1, points: 3 } },
    ]);
    expect(result.effects).toEqual([{ type: 'openRectification', review: early, subject: result.next.subject }]);
  });
});

describe('acceptReview', () => {
  const kase = makeCase();

  it('parks a review whose case is not known yet', () => {
    const review = makeReview(kase, 4);
    expect(acceptReview(undefined, review)).toEqual({ outcome: 'parked', review });
  });

  it.each([
    [5, { level5: 1, points: 10 }, false],
    [4, { level4: 1, points: 8 }, false],
    [3, { level3: 1, points: 6 }, false],
    [2, { level2: 1, points: 3 }, true],
    [1, { level1: 1 }, true], // 0 points: the zero entry is dropped
  ] as const)('accepts a first real review at level %i with its counters; 差评 opens rectification: %s', (level, add, opens) => {
    const state = completed(kase);
    const result = acceptReview(state, makeReview(kase, level));
    if (result.outcome !== 'accepted') throw new Error(`expected accepted, got ${result.outcome}`);
    expect(result.next.review?.level).toBe(level);
    expect(result.next.version).toBe(state.version + 1);
    expect(result.figureDeltas).toEqual([{ subject: state.subject, add }]);
    expect(result.effects.length).toBe(opens ? 1 : 0);
    expect(result.next.rectification !== undefined).toBe(opens);
  });

  it('treats the same reviewId again as an idempotent no-op', () => {
    const first = acceptReview(completed(kase), makeReview(kase, 5));
    if (first.outcome !== 'accepted') throw new Error('expected accepted');
    expect(acceptReview(first.next, makeReview(kase, 5))).toEqual({ outcome: 'duplicate', reviewId: 'R-C1' });
  });

  it('refuses the same reviewId sent again with other content (a 好评 turned 差评), keeping the first', () => {
    const first = acceptReview(completed(kase), makeReview(kase, 5));
    if (first.outcome !== 'accepted') throw new Error('expected accepted');
    // The same content under another event, its time written with an offset: a redelivery.
    expect(acceptReview(first.next, makeReview(kase, 5, { submittedAt: '2026-09-11T10:00:00+08:00' }))).toEqual({ outcome: 'duplicate', reviewId: 'R-C1' });
    for (const other of [makeReview(kase, 1), makeReview(kase, 5, { comment: '改了' }), makeReview(kase, 5, { indicators: ['POOR_ATTITUDE'] })]) {
      expect(acceptReview(first.next, other)).toEqual({
        outcome: 'rejected',
        code: 'DUPLICATE_REVIEW',
        reason: 'review R-C1 of case C1 was recorded before with other content; one review per case (一事一评), the first is kept',
      });
    }
  });

  it('rejects a second real review with DUPLICATE_REVIEW and keeps the first', () => {
    const first = acceptReview(completed(kase), makeReview(kase, 5));
    if (first.outcome !== 'accepted') throw new Error('expected accepted');
    const second = acceptReview(first.next, makeReview(kase, 1, { reviewId: 'R-second' }));
    expect(second.outcome).toBe('rejected');
    if (second.outcome !== 'rejected') return;
    expect(second.code).toBe('DUPLICATE_REVIEW');
    expect(second.reason).toMatch(/already has review R-C1/);
    expect(first.next.review?.reviewId).toBe('R-C1');
  });

  it.each([
    ['REVIEWER_MISMATCH', { reviewerId: 'P-other' }],
    ['ITEM_MISMATCH', { itemCode: 'ITEM-OTHER' }],
    ['DEPARTMENT_MISMATCH', { departmentCode: 'D-OTHER' }],
    ['CASE_MISMATCH', { caseId: 'C-OTHER' }],
    ['INVALID_REVIEW', { defaulted: true }],
    ['INVALID_REVIEW', { level: 6 as never }],
  ] as const)('rejects with %s when %j', (code, overrides) => {
    const result = acceptReview(completed(kase), makeReview(kase, 4, overrides));
    expect(result.outcome).toBe('rejected');
    if (result.outcome === 'rejected') expect(result.code).toBe(code);
  });

  it('replaces a default with a real review: the default leaves its counter, the real one enters', () => {
    const plan = planInvitations(completed(kase), '2026-09-17T02:00:00.000Z', DEFAULT_REVIEW_CONFIG);
    expect(plan.actions).toContain('default');
    const result = acceptReview(plan.next, makeReview(kase, 4, { submittedAt: '2026-09-18T00:00:00.000Z' }));
    if (result.outcome !== 'accepted') throw new Error('expected accepted');
    expect(result.replacedDefault?.defaulted).toBe(true);
    expect(result.next.review?.defaulted).toBe(false);
    expect(result.next.defaultedAt).toBe('2026-09-17T02:00:00.000Z');
    expect(result.figureDeltas[0]!.add).toEqual({ level4: 1, points: 8, defaulted: -1 });
  });

  it('refuses a new review after the 差评 was approved invalid (the case had its one review)', () => {
    const first = acceptReview(completed(kase), makeReview(kase, 1));
    if (first.outcome !== 'accepted') throw new Error('expected accepted');
    const invalidated = invalidateReview(first.next, 'R-C1');
    expect(invalidated?.invalidated).toBe(true);
    expect(invalidateReview(invalidated!, 'R-C1')).toBeUndefined();
    const again = acceptReview(invalidated, makeReview(kase, 5, { reviewId: 'R-again' }));
    expect(again.outcome === 'rejected' && again.code).toBe('DUPLICATE_REVIEW');
  });
});
