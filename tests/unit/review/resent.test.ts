/**
 * A review sent again under its id with other content while its case is unknown is refused at once; the
 * review kept under that id is refused or applied when the case arrives, with an audit line of its own, even
 * in the same instant (the two lines once shared a key, so the completion conflicted until its clock moved).
 */
import { ReviewDriver } from './driver';
import { makeCase, makeReview } from './fixtures';

const K = makeCase({ caseId: 'K-RESENT', departmentCode: 'D-B', itemCode: 'I-B', applicantId: 'P3', completedAt: '2026-10-05T02:00:00.000Z' });

it('refuses a parked review sent again with other content, and completes its case in the same instant', async () => {
  const d = new ReviewDriver();
  const now = '2026-09-10T00:00:00.000Z';
  d.memory.setNow(now);
  await d.submitReview(makeReview(K, 1, { reviewId: 'R-RESENT', submittedAt: now, reviewerId: 'P-stranger' }));
  await d.submitReview(makeReview(K, 1, { reviewId: 'R-RESENT', submittedAt: now }));
  await d.completeCase(K);
  expect(d.log).toEqual(['review R-RESENT: parked', 'review R-RESENT: rejected', 'case K-RESENT: completed']);
});
