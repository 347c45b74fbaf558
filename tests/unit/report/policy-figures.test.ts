/**
 * The monthly report's policy rows carry the 公示, 异议 and push figures of each policy: objections filed / upheld /
 * dismissed, added by self-objection, publicity-to-payment and eligible-to-push days (means from the counters).
 */
import { createCalendar } from '#calendar';
import { hardCaseFigures } from '#hardcase';
import { syncFigures } from '#review/domain/upward/sync-figures';
import { figuresFromCounters, emptyCounters, type Policy } from '#entitlement';
import { buildMonthlyReport, type ReportInput } from '#report/domain/build';

const TZ = 'Asia/Shanghai';
const POLICY = {
  policyId: 'P-PUB',
  name: '出口信用保险（公示）',
  departmentCode: 'D2',
  kind: 'grant',
  criteria: { all: [] },
  benefit: { type: 't', description: 'd' },
  validFrom: '2026-01-01',
  validTo: '2026-12-31',
  channels: ['sms'],
  version: 1,
  publishedAt: '2026-11-01T09:00:00+08:00',
} as Policy;

function input(counters: Partial<ReturnType<typeof emptyCounters>>): ReportInput {
  const generatedAt = '2026-12-01T00:05:00.000Z';
  const figures = figuresFromCounters(POLICY.policyId, { ...emptyCounters(), ...counters }, {}, POLICY.publishedAt);
  return {
    hardCases: hardCaseFigures([], { granularity: 'month', value: '2026-11' }, generatedAt, createCalendar({ timeZone: TZ, useChineseDays: true })),
    upwardSync: syncFigures([], generatedAt),
    district: { code: '440305', name: '南山区' },
    month: '2026-11',
    timeZone: TZ,
    generatedAt,
    decisions: [],
    policies: [{ policy: POLICY, figures: { ...figures, delivered: 0 } }],
    reviewDepartments: [],
    reviewDays: [],
  };
}

describe('the report\'s policy rows', () => {
  it('carry the objection figures and the mean days of the policy', () => {
    const report = buildMonthlyReport(input({
      eligible: 3, publicized: 4, removed: 1, notified: 3, granted: 3, disbursed: 2,
      objectionsFiled: 3, objectionsUpheld: 2, upheldAfterRelease: 1, objectionsDismissed: 1, addedBySelfObjection: 1,
      paidAfterPublicity: 2, publicityToPaymentDays: 41, pushedAfterEligible: 3, eligibleToPushDays: 35,
    }));
    expect(report.policies[0]).toMatchObject({
      objectionsFiled: 3, objectionsUpheld: 2, upheldAfterRelease: 1, objectionsDismissed: 1, addedBySelfObjection: 1,
      publicityToPaymentDaysMean: 20.5,
    });
    expect(report.policies[0]!.eligibleToPushDaysMean).toBeCloseTo(35 / 3);
  });

  it('has no mean before anything was pushed or paid', () => {
    const report = buildMonthlyReport(input({ eligible: 2, publicized: 2 }));
    expect(report.policies[0]).toMatchObject({ objectionsFiled: 0, publicityToPaymentDaysMean: null, eligibleToPushDaysMean: null });
  });
});
