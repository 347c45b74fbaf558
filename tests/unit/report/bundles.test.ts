/**
 * The 一件事 section of the monthly report against figures counted by hand. Calendar Asia/Shanghai;
 * November 2026 has no public holiday: Tue 11-03 → Thu 11-05 is 2 working days, Fri 11-06 → Mon 11-09 is 1,
 * Mon 11-16 → Fri 11-20 is 4.
 */
import type { BundleSummary } from '#approval';
import { createCalendar } from '#calendar';
import { hardCaseFigures } from '#hardcase';
import { buildMonthlyReport, REPORT_VERSION, type MonthlyReport, type ReportInput } from '#report/domain/build';
import { bundleChart, renderHtml } from '#report/html';
import { renderText } from '#report/render';
import { bundleTables } from '#report/section-tables';

const calendar = createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true });

function bundle(applicationId: string, over: Partial<BundleSummary>): BundleSummary {
  return {
    applicationId,
    bundleCode: 'YJS-QYKB',
    status: 'APPROVED',
    noPerson: true,
    materialsSaved: 0,
    legalDaysSum: 0,
    submittedAt: '2026-11-03T10:00:00+08:00',
    decidedAt: '2026-11-03T10:00:01+08:00',
    ...over,
  };
}

const summaries: BundleSummary[] = [
  bundle('A', { status: 'APPROVED', noPerson: true, materialsSaved: 4, legalDaysSum: 20, decidedAt: '2026-11-05T10:00:00+08:00' }),
  bundle('B', { status: 'REJECTED', noPerson: false, materialsSaved: 3, legalDaysSum: 20, submittedAt: '2026-11-06T10:00:00+08:00', decidedAt: '2026-11-09T16:00:00+08:00' }),
  bundle('C', { bundleCode: 'YJS-CS', status: 'IN_PROGRESS', noPerson: false, materialsSaved: 2, legalDaysSum: 30, submittedAt: '2026-11-10T10:00:00+08:00', decidedAt: '2026-11-10T10:00:01+08:00' }),
  bundle('D', { bundleCode: 'YJS-CS', status: 'PARTIALLY_APPROVED', noPerson: true, materialsSaved: 5, legalDaysSum: 30, submittedAt: '2026-11-16T09:00:00+08:00', decidedAt: '2026-11-20T11:00:00+08:00' }),
  // Sunday 11-01 01:30 local, though October in UTC: November's.
  bundle('F', { bundleCode: 'YJS-CS', status: 'NEEDS_ANSWER', noPerson: false, submittedAt: '2026-10-31T17:30:00.000Z', decidedAt: '2026-10-31T17:30:01.000Z' }),
  // October 31st 23:00 local and December 1st 01:00 local: not November's.
  bundle('X', { submittedAt: '2026-10-31T23:00:00+08:00', materialsSaved: 9, legalDaysSum: 9 }),
  bundle('Y', { bundleCode: 'YJS-OTHER', submittedAt: '2026-11-30T17:00:00.000Z', materialsSaved: 9, legalDaysSum: 9 }),
];

function input(bundles?: ReportInput['bundles']): ReportInput {
  const generatedAt = '2026-12-01T00:05:00.000Z';
  return {
    district: { code: '440305', name: '南山区' },
    month: '2026-11',
    timeZone: 'Asia/Shanghai',
    generatedAt,
    decisions: [],
    policies: [],
    reviewDepartments: [],
    reviewDays: [],
    hardCases: hardCaseFigures([], { granularity: 'month', value: '2026-11' }, generatedAt, calendar),
    upwardSync: null,
    ...(bundles === undefined ? {} : { bundles }),
  };
}

describe('the 一件事 section of the monthly report', () => {
  const report = buildMonthlyReport(input({ summaries, calendar }));

  it('counts the month’s bundle applications per bundle code as by hand', () => {
    expect(report.version).toBe(REPORT_VERSION);
    expect(REPORT_VERSION).toBe(7);
    expect(report.bundles!.byBundle).toEqual([
      { bundleCode: 'YJS-CS', bundles: 3, byStatus: { IN_PROGRESS: 1, PARTIALLY_APPROVED: 1, NEEDS_ANSWER: 1 }, final: 1, noPersonShare: 1, materialsSaved: 5, workingDays: 4, legalDays: 30, timeAgainstLegal: 4 / 30 },
      { bundleCode: 'YJS-QYKB', bundles: 2, byStatus: { APPROVED: 1, REJECTED: 1 }, final: 2, noPersonShare: 0.5, materialsSaved: 7, workingDays: 3, legalDays: 40, timeAgainstLegal: 3 / 40 },
    ]);
    expect(report.bundles!.total).toEqual({
      bundles: 5,
      byStatus: { APPROVED: 1, REJECTED: 1, IN_PROGRESS: 1, PARTIALLY_APPROVED: 1, NEEDS_ANSWER: 1 },
      final: 3,
      noPersonShare: 2 / 3,
      materialsSaved: 12,
      workingDays: 7,
      legalDays: 70,
      timeAgainstLegal: 0.1,
    });
  });

  it('draws one table with the month’s total, the same in the terminal and on the page', () => {
    const [table] = bundleTables(report);
    expect(table!.header.slice(0, 9)).toEqual(['一件事', '申请数', '全部办结', '部分办结', '不予办理', '终止办理', '办理中', '容缺受理', '待回答情形问题']);
    expect(table!.rows).toEqual([
      ['YJS-CS', '3', '0', '1', '0', '0', '1', '0', '1', '100.0%', '5', '4', '30', '13.3%'],
      ['YJS-QYKB', '2', '1', '0', '1', '0', '0', '0', '0', '50.0%', '7', '3', '40', '7.5%'],
      ['合计', '5', '1', '1', '1', '0', '1', '0', '1', '66.7%', '12', '7', '70', '10.0%'],
    ]);
    const html = renderHtml(report);
    expect(html).toContain('<h2>八、一件事</h2>');
    expect(html).toContain('<td>合计</td><td class="num">5</td><td class="num">1</td>');
    expect(html).toContain('data-chart="bundle-time-against-legal"');
    const text = renderText(report);
    expect(text).toContain('【一件事】');
    expect(text).toContain('│ 合计');
    expect(text).toContain('一件事——本月提交的一件事申请');
  });

  it('charts each bundle’s working days against its legal days, the whole plot being the legal limit', () => {
    const chart = bundleChart(report);
    // Two bars on a plot of 330 for 100%: YJS-CS 4/30 of it (44.0), YJS-QYKB 3/40 (24.75).
    expect(chart.match(/<rect /g)).toHaveLength(2);
    expect(chart).toContain('width="44.0"');
    expect(chart).toContain('width="24.8"');
    // Past the legal limit the scale grows to the longest: 12 days against 8 is the whole plot.
    const late = bundleChart({ ...report, bundles: { ...report.bundles!, byBundle: [{ ...report.bundles!.byBundle[0]!, workingDays: 12, legalDays: 8, timeAgainstLegal: 1.5 }] } });
    expect(late).toContain('width="330.0"');
    expect(late).toContain('150.0%（12/8）');
    expect(chart).toContain('13.3%（4/30）');
    expect(chart).toContain('7.5%（3/40）');
  });

  it('counts each bundle child whose verification was flagged overdue once in 告知承诺核查逾期数, by its department', () => {
    const flaggedSingle = {
      decision: {
        applicationId: 'S-1', itemCode: 'I-1', itemMode: 'commitment', departmentCode: 'D1', outcome: 'APPROVED_ON_COMMITMENT', materialsWaived: [], reasons: [],
        submittedAt: '2026-11-10T10:00:00+08:00', decidedAt: '2026-11-10T10:00:01+08:00', latencyMs: 1000, timeLimitCompression: 1, sequence: 1,
      },
      verificationOverdue: true,
    } as unknown as ReportInput['decisions'][number];
    const flagged: BundleSummary[] = [
      // Two children flagged, of two departments; the bundle's current version keeps both, each once.
      bundle('P', { overdueVerifications: [{ itemCode: 'I-2', departmentCode: 'D1' }, { itemCode: 'I-3', departmentCode: 'D2' }] }),
      bundle('Q', { overdueVerifications: [{ itemCode: 'I-2', departmentCode: 'D1' }] }),
      // Submitted in October (local): not November's.
      bundle('R', { submittedAt: '2026-10-31T23:00:00+08:00', overdueVerifications: [{ itemCode: 'I-2', departmentCode: 'D1' }] }),
      // Stored before the children's flags were kept in the summary: none.
      bundle('T', {}),
    ];
    const built = buildMonthlyReport({ ...input({ summaries: flagged, calendar }), decisions: [flaggedSingle] });
    const overdue = (code: string) => built.departments.find((d) => d.departmentCode === code)?.approval.overdueVerifications;
    expect(built.total.approval.overdueVerifications).toBe(4);
    expect(overdue('D1')).toBe(3);
    // A department with a flagged child and no single-item application is listed too.
    expect(overdue('D2')).toBe(1);
    // Without the 一件事 input the figure is the single-item applications' alone, as before.
    expect(buildMonthlyReport({ ...input(), decisions: [flaggedSingle] }).total.approval.overdueVerifications).toBe(1);
  });

  it('says a month without bundle applications had none, and a report stored before version 4 did not count them', () => {
    const none = buildMonthlyReport(input({ summaries: [], calendar }));
    expect(bundleTables(none).map((t) => [t.rows.length, t.empty])).toEqual([[0, '本月无一件事申请。']]);
    expect(bundleChart(none)).toContain('本月无数据');
    const { bundles: _b, ...rest } = report;
    const old = { ...rest, version: 3 } as MonthlyReport;
    expect(bundleTables(old).map((t) => [t.rows.length, t.empty])).toEqual([[0, '本报告生成时尚未统计此项。']]);
    expect(renderHtml(old)).not.toContain('data-chart="bundle-time-against-legal"');
    expect(buildMonthlyReport(input()).bundles).toBeUndefined();
  });
});
