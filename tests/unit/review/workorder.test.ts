import { buildWorkOrder } from '#review/domain/workorder';
import { openRectification } from '#review/domain/rectification';
import { subjectOf } from '#review/domain/reviews';
import { DEFAULT_REVIEW_CONFIG, type Rectification, type Review } from '#review/domain/types';
import { calendar, makeCase, makeReview } from './fixtures';

const config = DEFAULT_REVIEW_CONFIG;
const kase = makeCase();
// A 差评 by SMS on Thu 2026-09-10 10:00 Shanghai: acknowledge due Fri 09-11, rectify due Thu 09-17.
const REVIEW: Review = makeReview(kase, 1, {
  channel: 'sms',
  reviewerId: '13812345678',
  indicators: ['WAIT_TOO_LONG'],
  comment: '等了两个小时，回电13812345678',
  submittedAt: '2026-09-10T02:00:00.000Z',
});
function opened(): Rectification {
  return openRectification(REVIEW, subjectOf(kase, calendar), calendar, config).rectification;
}

describe('buildWorkOrder', () => {
  it('forwards the 差评 with its deadlines, masked text and the reviewer’s number for the call back', () => {
    const order = buildWorkOrder(REVIEW, opened());
    expect(order).toEqual({
      orderNo: 'HCP-C1',
      caseId: 'C1',
      reviewId: 'R-C1',
      itemCode: 'ITEM-QX-01',
      departmentCode: 'D-QX',
      level: 1,
      levelLabel: '非常不满意',
      channel: 'sms',
      indicators: ['WAIT_TOO_LONG'],
      content: '办件 C1 收到差评（非常不满意）：等了两个小时，回电138****5678',
      callbackPhone: '13812345678',
      reviewedAt: REVIEW.submittedAt,
      acknowledgeDue: { date: '2026-09-11', dueAt: '2026-09-11T15:59:59.999Z' },
      rectifyDue: { date: '2026-09-17', dueAt: '2026-09-17T15:59:59.999Z' },
    });
  });

  it('has no call-back number when the reviewer is known by an ID number, and the same order number again', () => {
    const byId = { ...REVIEW, reviewerId: '440306200002290711' };
    expect(buildWorkOrder(byId, opened()).callbackPhone).toBeUndefined();
    expect(buildWorkOrder(byId, opened()).orderNo).toBe(buildWorkOrder(REVIEW, opened()).orderNo);
  });
});
