import type { Decision } from '#approval';
import { createCalendar, daysOfMonth } from '#calendar';
import { hardCaseFigures } from '#hardcase';
import { syncFigures } from '#review/domain/upward/sync-figures';
import type { emptyCounters as emptyPolicyCounters, Policy } from '#entitlement';
import { emptyCounters } from '#review';
import type { Counters } from '#review';
import {
  buildMonthlyReport,
  LABELS,
  localDay,
  previousMonth,
  type DecisionInput,
  type PolicyInput,
  type ReportInput,
} from '#report/domain/build';
import { displayWidth, escapeHtml, formatValue, renderHtml, renderText, SECTIONS, textTable } from '#report/render';
import { policyInput, reportPolicy } from './fixtures';

const TZ = 'Asia/Shanghai';

function decision(over: Partial<Decision>): DecisionInput {
  const d = {
    applicationId: 'A',
    itemCode: 'I-1',
    itemVersion: 1,
    itemMode: 'instant',
    departmentCode: 'D1',
    applicantKind: 'enterprise',
    applicantId: 'x',
    channel: 'web',
    outcome: 'APPROVED',
    reasons: [],
    trace: { steps: [], materials: [], rules: null },
    licencesUsed: [],
    materialsWaived: [],
    materialsMissing: [],
    materialsPending: [],
    materialsUnverifiable: [],
    unknownFacts: [],
    failedRules: [],
    unknownRules: [],
    submittedAt: '2026-11-10T10:00:00+08:00',
    decidedAt: '2026-11-10T10:00:01+08:00',
    updatedAt: '2026-11-10T10:00:01+08:00',
    latencyMs: 1000,
    legalDue: null,
    timeLimitCompression: 1,
    actualWorkingDays: 0,
    sequence: 1,
    applicationHash: 'h',
    effects: [],
    ...over,
  } as Decision;
  return { decision: d, verificationOverdue: false };
}

function policy(over: Partial<Policy>, counters: Partial<ReturnType<typeof emptyPolicyCounters>>, delivered = 0): PolicyInput {
  return policyInput(reportPolicy({ policyId: 'P1', name: '政策一', departmentCode: 'D2', kind: 'confirm', ...over }), counters, delivered);
}

const counters = (c: Partial<Record<keyof Counters, number>>): Counters => ({ ...emptyCounters(), ...c });

function input(over: Partial<ReportInput> = {}): ReportInput {
  const month = over.month ?? '2026-11';
  const generatedAt = '2026-12-01T00:05:00.000Z';
  return {
    hardCases: hardCaseFigures([], { granularity: 'month', value: month }, generatedAt, createCalendar({ timeZone: TZ, useChineseDays: true })),
    upwardSync: syncFigures([], generatedAt),
    district: { code: '440305', name: '南山区' },
    month: '2026-11',
    timeZone: TZ,
    generatedAt: '2026-12-01T00:05:00.000Z',
    decisions: [],
    policies: [],
    reviewDepartments: [],
    reviewDays: [],
    ...over,
  };
}

describe('month arithmetic in the bureau time zone', () => {
  it.each([
    ['2026-11-30T16:30:00.000Z', '2026-12-01'],
    ['2026-11-30T15:59:59.000Z', '2026-11-30'],
    ['2026-11-03', '2026-11-03'],
  ])('localDay(%s) = %s', (at, day) => expect(localDay(at, TZ)).toBe(day));

  it.each([
    ['2026-12-01T00:05:00+08:00', '2026-11'],
    ['2026-01-01T00:05:00+08:00', '2025-12'],
    ['2026-11-30T17:00:00.000Z', '2026-11'], // already 12-01 in Shanghai
  ])('previousMonth(%s) = %s', (now, month) => expect(previousMonth(now, TZ)).toBe(month));

  it('lists every day of a month, leap February too', () => {
    expect(daysOfMonth('2026-11')).toHaveLength(30);
    expect(daysOfMonth('2028-02').at(-1)).toBe('2028-02-29');
  });
});

describe('buildMonthlyReport', () => {
  it('counts applications submitted in the month (local date), per department and in total', () => {
    const report = buildMonthlyReport(
      input({
        decisions: [
          decision({ applicationId: 'A1', outcome: 'APPROVED', materialsWaived: ['M1', 'M2'] }),
          decision({ applicationId: 'A2', outcome: 'REJECTED', timeLimitCompression: 0.5 }),
          { ...decision({ applicationId: 'A3', departmentCode: 'D3', itemMode: 'commitment', outcome: 'APPROVED_ON_COMMITMENT' }), verificationOverdue: true },
          // 2026-10-31 23:30 in Shanghai: October.
          decision({ applicationId: 'A4', submittedAt: '2026-10-31T15:30:00.000Z' }),
          // 2026-12-01 00:10 in Shanghai: December.
          decision({ applicationId: 'A5', submittedAt: '2026-11-30T16:10:00.000Z' }),
          // Unknown item: no department, in the total only.
          decision({ applicationId: 'A6', departmentCode: null, itemMode: null, outcome: 'REJECTED', timeLimitCompression: null }),
        ],
      }),
    );
    expect(report.departments.map((d) => d.departmentCode)).toEqual(['D1', 'D3']);
    const d1 = report.departments[0]!.approval;
    expect([d1.decisions, d1.instantItemDecisions, d1.instantApprovals, d1.instantApprovalRate, d1.materialsWaived]).toEqual([2, 2, 1, 0.5, 2]);
    expect(d1.timeLimitCompression).toEqual({ count: 2, mean: 0.75 });
    expect(report.departments[1]!.approval).toMatchObject({ decisions: 1, instantApprovalRate: null, overdueVerifications: 1 });
    expect(report.total.approval).toMatchObject({ decisions: 4, overdueVerifications: 1, byOutcome: { APPROVED: 1, REJECTED: 2, APPROVED_ON_COMMITMENT: 1 } });
  });

  it('takes the policies valid in the month and published by its end, with coverage over their sum', () => {
    const report = buildMonthlyReport(
      input({
        policies: [
          policy({ policyId: 'P1' }, { eligible: 10, notified: 10, confirmed: 3, granted: 0 }, 9),
          policy({ policyId: 'P2', departmentCode: 'D2', kind: 'grant' }, { eligible: 5, notified: 5, granted: 4 }, 5),
          policy({ policyId: 'P-LATER', publishedAt: '2026-12-02T09:00:00+08:00' }, { eligible: 1 }),
          policy({ policyId: 'P-EXPIRED', validTo: '2026-10-31' }, { eligible: 1 }),
          policy({ policyId: 'P-WITHDRAWN', status: 'withdrawn', withdrawnAt: '2026-10-15T09:00:00+08:00' }, { eligible: 1 }),
          policy({ policyId: 'P-WITHDRAWN-IN-MONTH', status: 'withdrawn', withdrawnAt: '2026-11-15T09:00:00+08:00' }, {}),
        ],
      }),
    );
    // Sorted by department, then policy id.
    expect(report.policies.map((p) => p.policyId)).toEqual(['P-WITHDRAWN-IN-MONTH', 'P1', 'P2']);
    expect(report.policies[0]!.status).toBe('withdrawn');
    expect(report.total.entitlement).toMatchObject({ policies: 3, eligible: 15, notified: 15, delivered: 14, confirmed: 3, granted: 4 });
    expect(report.total.entitlement.coverage).toBeCloseTo(7 / 15, 12);
    expect(report.departments.map((d) => d.departmentCode)).toEqual(['D2']);
  });

  it('shows recoveries (追回) per policy and in the section, the recovered still counted as disbursed', () => {
    const p = policy({ policyId: 'P-REC', kind: 'grant' }, { eligible: 3, notified: 3, granted: 3, disbursed: 2, recovered: 1 });
    const withAmount = { ...p, figures: { ...p.figures, amountDisbursed: 20000, amountRecovered: 4000 } };
    const report = buildMonthlyReport(input({ policies: [withAmount] }));
    expect(report.policies[0]).toMatchObject({ disbursed: 2, recovered: 1, amountDisbursed: 20000, amountRecovered: 4000 });
    expect(report.total.entitlement).toMatchObject({ disbursed: 2, recovered: 1, amountRecovered: 4000 });
    const text = renderText(report);
    expect(text).toMatch(/已追回数[^\n]*1/);
    expect(text).toMatch(/已追回金额（元）[^\n]*4,?000/);
    expect(text).toMatch(/│ 拨付 │ 追回 │/);
  });

  it('turns the month\'s review counters into figures, ranks departments and draws the 差评 trend', () => {
    const report = buildMonthlyReport(
      input({
        reviewDepartments: [
          { key: 'D1', counters: counters({ completedCases: 4, level5: 2, level1: 1, points: 20, defaulted: 1, rectified: 1 }) },
          { key: 'D2', counters: counters({ completedCases: 2, level4: 2, points: 16 }) },
          { key: 'D3', counters: counters({ completedCases: 1, defaulted: 1 }) },
        ],
        reviewDays: [{ day: '2026-11-02', counters: counters({ level5: 2, level1: 1, level4: 2 }) }],
      }),
    );
    const review = (code: string) => report.departments.find((d) => d.departmentCode === code)!.review;
    expect(review('D1')).toMatchObject({ realReviews: 3, negative: 1, compositeScore: 20 / 3, rectificationRate: 1, coverage: 1, rank: 2 });
    expect(review('D2')).toMatchObject({ compositeScore: 8, rank: 1 });
    expect(review('D3')).toMatchObject({ compositeScore: null, rank: null });
    expect(report.total.review).toMatchObject({ completedCases: 7, realReviews: 5, points: 36, defaulted: 2 });
    expect(report.ranking.map((r) => r.departmentCode)).toEqual(['D2', 'D1']);
    expect(report.badReviewTrend.find((d) => d.day === '2026-11-02')).toEqual({ day: '2026-11-02', realReviews: 5, negative: 1 });
    expect(report.badReviewTrend.filter((d) => d.realReviews > 0)).toHaveLength(1);
  });

  it('gives tied departments a shared rank (1, 1, 3), listed by department code inside the tie', () => {
    // D2 16 / 2 and D1 24 / 3 both score 8 (equal fractions, different counts); D3 6 / 1 comes third.
    const report = buildMonthlyReport(
      input({
        reviewDepartments: [
          { key: 'D3', counters: counters({ completedCases: 1, level3: 1, points: 6 }) },
          { key: 'D2', counters: counters({ completedCases: 2, level4: 2, points: 16 }) },
          { key: 'D1', counters: counters({ completedCases: 3, level4: 3, points: 24 }) },
        ],
      }),
    );
    expect(report.ranking.map((r) => [r.rank, r.departmentCode, r.compositeScore])).toEqual([
      [1, 'D1', 8],
      [1, 'D2', 8],
      [3, 'D3', 6],
    ]);
    const rankOf = (code: string) => report.departments.find((d) => d.departmentCode === code)!.review.rank;
    expect([rankOf('D1'), rankOf('D2'), rankOf('D3')]).toEqual([1, 1, 3]);
    // The tables say the place is shared, the lone third place reads plainly.
    const rankCells = (html: string) => [...html.matchAll(/<tr><td class="num">([^<]+)<\/td><td>(D\d)</g)].map((m) => `${m[2]}:${m[1]}`);
    expect(rankCells(renderHtml(report))).toEqual(['D1:并列1', 'D2:并列1', 'D3:3']);
    expect(renderText(report)).toMatch(/并列1 │\s+D1 │[\s\S]*并列1 │\s+D2 │[\s\S]*│ 3\s+│\s+D3 │/);
  });

  it('labels every figure it renders in Chinese', () => {
    for (const section of SECTIONS) for (const row of section.rows) expect([row.key, LABELS[row.key]]).toEqual([row.key, expect.stringMatching(/[\u4e00-\u9fff]/)]);
  });

  it('refuses a malformed month', () => {
    expect(() => buildMonthlyReport(input({ month: '2026-13' }))).toThrow(/YYYY-MM/);
  });
});

describe('rendering', () => {
  const report = buildMonthlyReport(
    input({
      decisions: [decision({ applicationId: 'A1' })],
      policies: [policy({ name: '<script>alert(1)</script>' }, { eligible: 4, confirmed: 1 })],
      reviewDepartments: [{ key: 'D1', counters: counters({ completedCases: 2, level5: 1, level2: 1, points: 13 }) }],
    }),
  );

  it.each([
    [null, 'rate', '—'],
    [0.5, 'rate', '50.0%'],
    [6.5, 'score', '6.50'],
    [250, 'ms', '250 毫秒'],
    [2500, 'ms', '2.5 秒'],
    [90_000, 'ms', '1.5 分钟'],
    [18650.5, 'yuan', '18,650.5'],
    [2, 'rank', '第2名'],
  ] as const)('formats %s as %s: %s', (value, format, text) => expect(formatValue(value, format)).toBe(text));

  it('aligns CJK text in the terminal by display width', () => {
    expect(displayWidth('差评ab')).toBe(6);
    const table = textTable(['指标', 'D1'], [['差评整改率', '1'], ['x', '22']]);
    const widths = table.split('\n').map(displayWidth);
    expect(new Set(widths).size).toBe(1);
  });

  it('renders every figure row in the terminal, one column per department plus the total', () => {
    const text = renderText(report);
    expect(text).toContain('南山区（440305）政务服务月度报告 2026-11');
    expect(text).toMatch(/│ 综合评分（满分10分）\s+│\s+6\.50\s+│\s+—\s+│\s+6\.50\s+│/);
    for (const section of SECTIONS) for (const row of section.rows) expect(text).toContain(LABELS[row.key]!);
  });

  it('renders a self-contained HTML page with four SVG charts and escaped text', () => {
    const html = renderHtml(report);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect([...html.matchAll(/<figure class="chart" data-chart="([a-z-]+)"><svg /g)].map((m) => m[1])).toEqual([
      'score-by-department',
      'bad-review-trend',
      'policy-coverage',
      'instant-approval-rate',
    ]);
    expect(html).not.toMatch(/(src|href)=|<script|<link|@import|url\(|https?:/);
    expect(html).toContain(escapeHtml('<script>alert(1)</script>'));
    expect(html).toContain('差评整改率');
  });

  it('scales its charts to the page and prints on A4 under a masthead', () => {
    const html = renderHtml(report);
    const svgs = [...html.matchAll(/<svg [^>]*>/g)].map((m) => m[0]);
    expect(svgs).toHaveLength(4);
    for (const svg of svgs) {
      expect(svg).toMatch(/viewBox="0 0 \d+ \d+"/);
      expect(svg).not.toMatch(/ (width|height)="/); // sized by CSS to its box, not fixed pixels
    }
    expect(html).toMatch(/@page\{size:A4/);
    expect(html).toMatch(/@media print\{/);
    expect(html).toContain('<div class="issuer">南山区政务服务数据管理局</div>');
  });
});
