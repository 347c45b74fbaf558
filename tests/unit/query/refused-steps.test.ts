/**
 * The refused rectification steps `GET /cases/{caseId}` and `GET /rectifications/{caseId}` list, and the refused
 * reviews `GET /cases/{caseId}` lists: a source sees those it posted itself, a reader that is no source (an
 * auditor) sees every one with its source, and one recorded before its source was kept is shown to those
 * readers only.
 */
import type { Rejection, Review } from '#review';
import { stages } from '#topology/stages';

process.env.CIVICFLOW_CONFIG = JSON.stringify(stages.local);
const { parkedReviewsFor, refusedReviewsFor, refusedStepsFor } = await import('#query/review');

const DEPARTMENT = '/systems/department';
const HOTLINE = '/systems/hotline-12345';
const AUDITOR = '/auditors/district';
const REVIEW_CHANNEL = '/systems/review-channel';
const PORTAL = '/systems/online-portal';

function refusedStep(ref: string, source: string | undefined, staffId: string): Rejection {
  return {
    kind: 'step',
    ref,
    code: 'ACTION_NOT_ALLOWED',
    reason: 'close is not allowed in state OPEN',
    at: '2026-11-03T02:00:00.000Z',
    recordedAt: '2026-11-03T02:00:01.000Z',
    ...(source !== undefined ? { source } : {}),
    details: { action: 'close', actor: { departmentCode: '440305-SJJ', staffId }, note: `note of ${staffId}` },
  };
}

const rejections: Rejection[] = [
  { kind: 'review', ref: 'R-2', code: 'DUPLICATE_REVIEW', reason: 'a second review', at: '2026-11-03T01:00:00.000Z', recordedAt: '2026-11-03T01:00:01.000Z', details: {} },
  refusedStep('dept', DEPARTMENT, 'S-0317'),
  refusedStep('hotline', HOTLINE, '12345/KF-0088'),
  refusedStep('old', undefined, 'S-0001'),
];

const refs = (principal: string) => refusedStepsFor(principal, rejections).map((r) => [r.ref, r.source]);

describe('refusedStepsFor', () => {
  it('shows a source only the refused steps it posted itself', () => {
    expect(refs(DEPARTMENT)).toEqual([['dept', DEPARTMENT]]);
    expect(refs(HOTLINE)).toEqual([['hotline', HOTLINE]]);
    expect(refs('/systems/review-channel')).toEqual([]);
  });

  it('shows a reader that is no source every refused step, with the source that posted it', () => {
    expect(refs(AUDITOR)).toEqual([
      ['dept', DEPARTMENT],
      ['hotline', HOTLINE],
      ['old', null],
    ]);
  });

  it('shows a step recorded without its source to no source, only to the readers that see every source', () => {
    for (const source of [DEPARTMENT, HOTLINE]) expect(refs(source).map(([ref]) => ref)).not.toContain('old');
    expect(refs(AUDITOR).map(([ref]) => ref)).toContain('old');
  });

  it('keeps what a step carries (its note and staff id) for the readers that see it', () => {
    expect(refusedStepsFor(HOTLINE, rejections)).toEqual([{ ...refusedStep('hotline', HOTLINE, '12345/KF-0088'), source: HOTLINE }]);
  });
});

function refusedReview(ref: string, source: string | undefined, code = 'DUPLICATE_REVIEW'): Rejection {
  return {
    kind: 'review',
    ref,
    code,
    reason: 'case C-9 already has review R-1; one review per case (一事一评), the first is kept',
    at: '2026-11-03T01:00:00.000Z',
    recordedAt: '2026-11-03T01:00:01.000Z',
    ...(source !== undefined ? { source } : {}),
    details: { channel: `channel of ${ref}`, level: 1 },
  };
}

describe('refusedReviewsFor', () => {
  // A stage whose online portal posts reviews too, besides the review channel.
  const reviewed: Rejection[] = [
    refusedReview('R-channel', REVIEW_CHANNEL),
    refusedStep('step', REVIEW_CHANNEL, 'S-0317'),
    refusedReview('R-portal', PORTAL, 'REVIEWER_MISMATCH'),
    refusedReview('R-old', undefined),
  ];
  const reviewRefs = (principal: string) => refusedReviewsFor(principal, reviewed).map((r) => [r.ref, r.source]);

  it('shows a source only the refused reviews it posted itself', () => {
    expect(reviewRefs(REVIEW_CHANNEL)).toEqual([['R-channel', REVIEW_CHANNEL]]);
    expect(reviewRefs(DEPARTMENT)).toEqual([]);
    expect(reviewRefs(HOTLINE)).toEqual([]);
  });

  it('shows a reader that is no source every refused review, with the source that posted it (null when not recorded)', () => {
    expect(reviewRefs(AUDITOR)).toEqual([
      ['R-channel', REVIEW_CHANNEL],
      ['R-portal', PORTAL],
      ['R-old', null],
    ]);
  });

  it('shows a review recorded without its source to no source, only to the readers that see every source', () => {
    for (const source of [REVIEW_CHANNEL, DEPARTMENT, HOTLINE]) expect(reviewRefs(source).map(([ref]) => ref)).not.toContain('R-old');
  });

  it('keeps what a refused review carries (its channel, level and reason) for the readers that see it', () => {
    expect(refusedReviewsFor(REVIEW_CHANNEL, reviewed)).toEqual([{ ...refusedReview('R-channel', REVIEW_CHANNEL), source: REVIEW_CHANNEL }]);
  });
});

describe('parkedReviewsFor', () => {
  function parkedReview(reviewId: string, source: string | undefined): Review {
    return {
      reviewId,
      caseId: 'C-early',
      itemCode: 'SJ-0001',
      departmentCode: '440305-SJJ',
      channel: 'web',
      level: 1,
      comment: `comment of ${reviewId}`,
      reviewerId: '13912345678',
      submittedAt: '2026-11-03T01:00:00.000Z',
      defaulted: false,
      ...(source !== undefined ? { event: { source, id: `ev-${reviewId}`, type: 'gov.review.submitted' } } : {}),
    };
  }
  const parked = [parkedReview('R-channel', REVIEW_CHANNEL), parkedReview('R-portal', PORTAL), parkedReview('R-none', undefined)];
  const ids = (principal: string) => parkedReviewsFor(principal, parked).map((r) => r.reviewId);

  it('shows a source only the reviews it sent that wait for their case', () => {
    expect(ids(REVIEW_CHANNEL)).toEqual(['R-channel']);
    expect(ids(DEPARTMENT)).toEqual([]);
  });

  it('shows a reader that is no source every one, one without its event included', () => {
    expect(ids(AUDITOR)).toEqual(['R-channel', 'R-portal', 'R-none']);
  });
});
