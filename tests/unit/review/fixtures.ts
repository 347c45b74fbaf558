import { createCalendar } from '#calendar';
import type { Case, Review, ReviewLevel } from '#review/domain/types';

export const calendar = createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true });

export function makeCase(overrides: Partial<Case> = {}): Case {
  return {
    caseId: 'C1',
    itemCode: 'ITEM-QX-01',
    departmentCode: 'D-QX',
    staffId: 'S1',
    applicantId: 'P1',
    channel: '窗口评价器',
    // 2026-09-10 10:00 in Shanghai
    completedAt: '2026-09-10T02:00:00.000Z',
    district: 'DIST-1',
    source: 'external',
    ...overrides,
  };
}

export function makeReview(kase: Case, level: ReviewLevel, overrides: Partial<Review> = {}): Review {
  return {
    reviewId: `R-${kase.caseId}`,
    caseId: kase.caseId,
    itemCode: kase.itemCode,
    departmentCode: kase.departmentCode,
    ...(kase.staffId !== undefined ? { staffId: kase.staffId } : {}),
    channel: '政务服务网',
    level,
    reviewerId: kase.applicantId,
    submittedAt: '2026-09-11T02:00:00.000Z',
    defaulted: false,
    ...overrides,
  };
}
