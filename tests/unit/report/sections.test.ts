/**
 * The monthly report's 办不成事 and upward-sync sections: a November of hard cases and sync records counted
 * by hand below, through the same figure functions the query routes use, into the built report and its
 * terminal and HTML tables. November 2026 has no public holiday (Mon 11-02 … Fri 11-06, Mon 11-09 …).
 */
import { createCalendar } from '#calendar';
import { makeIdNumber } from '#contract/identifiers';
import { hardCaseFigures, type HardCase } from '#hardcase';
import type { SyncRecord, SyncState } from '#review';
import { syncFigures } from '#review/domain/upward/sync-figures';
import { buildMonthlyReport, REPORT_VERSION, type MonthlyReport, type ReportInput } from '#report/domain/build';
import { formatDuration, hardCaseTables, upwardTables } from '#report/section-tables';
import { renderHtml, renderText } from '#report/render';
import { hardCaseMaker } from '#support/hardcases';
import { reportInput } from './fixtures';

const TZ = 'Asia/Shanghai';
const calendar = createCalendar({ timeZone: TZ, useChineseDays: true });
const local = (s: string) => new Date(Date.parse(`${s}+08:00`)).toISOString();
const GENERATED_AT = local('2026-12-01T00:05:00');
const APPLICANT_ID = makeIdNumber('440305', '19900307', '123');
const PHONE = '13812345678';

const hardCase = hardCaseMaker({ departmentCode: '440305-ZWFWJ', staffId: 'W-1' });

const CASES: HardCase[] = [
  // H1: contacted the same day, resolved, return-visited (satisfied), closed.
  hardCase(
    { caseId: 'H1', channel: 'window', itemCode: 'I-A', reportedAt: '2026-11-02T09:00:00' },
    ['contact', '2026-11-02T10:00:00'],
    ['resolve', '2026-11-03T10:00:00', { cause: 'policyGap' }],
    ['returnVisit', '2026-11-04T10:00:00', { satisfied: true }],
    ['close', '2026-11-04T11:00:00'],
  ),
  // H2: contacted a day late (contact is due the same working day), explained, return-visited (not satisfied).
  hardCase(
    { caseId: 'H2', channel: 'hotline', itemCode: 'I-A', reportedAt: '2026-11-02T10:00:00' },
    ['contact', '2026-11-03T09:00:00'],
    ['explain', '2026-11-05T10:00:00', { cause: 'policyGap' }],
    ['returnVisit', '2026-11-06T10:00:00', { satisfied: false }],
  ),
  // H3: escalated to a task force, then resolved within its 5 working days (due Tue 11-10).
  hardCase(
    { caseId: 'H3', channel: 'online', itemCode: 'I-B', reportedAt: '2026-11-03T10:00:00' },
    ['contact', '2026-11-03T11:00:00'],
    ['escalate', '2026-11-04T10:00:00', { cause: 'crossDepartment', escalatedTo: '区专班' }],
    ['resolve', '2026-11-09T10:00:00'],
  ),
  // H4: offered for an overdue manual review on Mon 11-16 and never touched: late to contact and to resolve (due 11-23).
  hardCase({ caseId: 'H4', channel: 'system', origin: 'offered', itemCode: 'I-B', cause: 'reviewOverdue', reportedAt: '2026-11-16T10:00:00' }),
  // H5: no item, no cause yet; contacted, not resolved by Fri 11-27. The applicant's numbers are in it.
  hardCase(
    { caseId: 'H5', channel: 'window', reportedAt: '2026-11-20T10:00:00', contactPhone: PHONE, description: `身份证 ${APPLICANT_ID} 办不了` },
    ['contact', '2026-11-20T11:00:00'],
  ),
  // Other months (local dates): October 30, and December 1 at 00:30 in Shanghai (still November in UTC).
  hardCase({ caseId: 'H6', channel: 'window', itemCode: 'I-A', reportedAt: '2026-10-30T10:00:00' }),
  hardCase({ caseId: 'H7', channel: 'hotline', itemCode: 'I-C', reportedAt: '2026-12-01T00:30:00' }),
];

function syncRecord(recordId: string, state: SyncState, sourceEventAt: string, over: Partial<SyncRecord> = {}): SyncRecord {
  const [projectNo, assessNumber] = recordId.split('#') as [string, string];
  return {
    recordId,
    key: { projectNo, assessNumber },
    kind: 'review',
    caseId: projectNo,
    sourceEventAt: local(sourceEventAt),
    createdAt: local(sourceEventAt),
    payload: null,
    state,
    attempt: 1,
    attemptNo: 1,
    round: 1,
    version: 2,
    ...over,
  } as SyncRecord;
}

// A case number from a source system that carries the applicant's ID number: masked in the report.
const LEAKY = `SQ-${APPLICANT_ID}`;
const RECORDS: SyncRecord[] = [
  // Lags 1 min, 2 min, 10 min, 3 h: nearest-rank p50 is the 2nd (2 min), p99 the 4th (3 h).
  syncRecord('C1#1', 'ACKED', '2026-11-02T10:00:00', { ackedAt: local('2026-11-02T10:01:00') }),
  syncRecord('C2#1', 'ACKED', '2026-11-02T11:00:00', { ackedAt: local('2026-11-02T11:02:00') }),
  syncRecord('C2#10', 'ACKED', '2026-11-03T09:00:00', { ackedAt: local('2026-11-03T09:10:00') }),
  syncRecord('C3#1', 'ACKED', '2026-11-05T09:00:00', { ackedAt: local('2026-11-05T12:00:00') }),
  syncRecord('C4#1', 'REJECTED', '2026-11-02T09:00:00', { rejection: { code: 'E_DEPT_UNKNOWN', message: '部门未在平台注册', at: local('2026-11-02T09:01:00') } }),
  syncRecord('C5#1', 'REJECTED', '2026-11-06T09:00:00', { rejection: { code: 'E_DEPT_UNKNOWN', message: '部门未在平台注册', at: local('2026-11-06T09:01:00') } }),
  syncRecord('C6#1', 'REJECTED', '2026-11-07T09:00:00', { rejection: { code: 'MAPPING', message: 'taskName: no item CG-0107', at: local('2026-11-07T09:00:00') } }),
  // The oldest on its way: 11-28 10:00 to 12-01 00:05 is 2 days 14 h 5 min (2.6 days).
  syncRecord(`${LEAKY}#1`, 'PENDING', '2026-11-28T10:00:00', { nextAttemptAt: local('2026-11-28T10:00:00') }),
  syncRecord('C8#1', 'PARKED', '2026-11-20T10:00:00'),
  syncRecord('C9#1', 'SENT', '2026-11-29T10:00:00', { sentAt: local('2026-11-29T10:00:00') }),
];

function input(over: Partial<ReportInput> = {}): ReportInput {
  return reportInput({
    generatedAt: GENERATED_AT,
    hardCases: hardCaseFigures(CASES, { granularity: 'month', value: '2026-11' }, GENERATED_AT, calendar),
    upwardSync: syncFigures(RECORDS, GENERATED_AT),
    ...over,
  });
}

const report = buildMonthlyReport(input());

/** The cells of the page's table named `id`, header first, unescaped. */
function htmlTable(html: string, id: string): string[][] {
  const table = new RegExp(`<table class="section" data-table="${id}">(.*?)</table>`).exec(html);
  if (!table) throw new Error(`no table ${id}`);
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  return [...table[1]!.matchAll(/<tr>(.*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((c) => unescape(c[1]!)));
}

describe('the 办不成事 section', () => {
  it('has the month\'s cases counted as by hand: five reported in November (local dates), overdue as of generation', () => {
    expect(report.version).toBe(REPORT_VERSION);
    expect(report.hardCases!.period).toEqual({ granularity: 'month', value: '2026-11' });
    expect(report.hardCases!.all).toEqual({
      received: 5,
      offered: 1,
      contacted: 4,
      resolved: 2,
      explained: 1,
      escalated: 1,
      returnVisited: 2,
      satisfied: 1,
      closed: 1,
      overdueContact: 2, // H2 (contacted a day late), H4
      overdueResolve: 2, // H4, H5
      overdue: 3,
      resolutionRate: 0.4,
      satisfactionRate: 0.5,
    });
    const rows = <K extends string>(list: readonly ({ counts: { received: number; resolved: number; overdue: number } } & Record<K, string>)[], key: K) =>
      list.map((r) => [r[key], r.counts.received, r.counts.resolved, r.counts.overdue]);
    expect(rows(report.hardCases!.byChannel, 'channel')).toEqual([
      ['hotline', 1, 0, 1],
      ['online', 1, 1, 0],
      ['system', 1, 0, 1],
      ['window', 2, 1, 1],
    ]);
    expect(rows(report.hardCases!.byCause, 'cause')).toEqual([
      ['crossDepartment', 1, 1, 0],
      ['policyGap', 2, 1, 1],
      ['reviewOverdue', 1, 0, 1],
      ['unclassified', 1, 0, 1],
    ]);
    expect(rows(report.hardCases!.byItem, 'itemCode')).toEqual([
      ['I-A', 2, 1, 1],
      ['I-B', 2, 1, 1],
    ]);
  });

  it('draws the same rows on the page and in the terminal, in Chinese, with the month\'s total', () => {
    const html = renderHtml(report);
    const byChannel = htmlTable(html, 'hardcase-by-channel');
    expect(byChannel[0]).toEqual(['渠道', '登记', '系统提供', '已联系', '已解决', '已解释说明', '提级处理', '已回访', '已办结', '解决率', '回访满意率', '逾期未联系', '逾期未办结', '逾期']);
    expect(byChannel.slice(1)).toEqual([
      ['12345热线', '1', '0', '1', '0', '1', '0', '1', '0', '0.0%', '0.0%', '1', '0', '1'],
      ['网上反映', '1', '0', '1', '1', '0', '1', '0', '0', '100.0%', '—', '0', '0', '0'],
      ['系统主动提供', '1', '1', '0', '0', '0', '0', '0', '0', '0.0%', '—', '1', '1', '1'],
      ['办不成事窗口', '2', '0', '2', '1', '0', '0', '1', '1', '50.0%', '100.0%', '0', '1', '1'],
      ['合计', '5', '1', '4', '2', '1', '1', '2', '1', '40.0%', '50.0%', '2', '2', '3'],
    ]);
    expect(htmlTable(html, 'hardcase-by-cause').map((r) => [r[0], r[1], r[9]])).toEqual([
      ['原因', '登记', '解决率'],
      ['跨部门协同不畅', '1', '100.0%'],
      ['政策空白或依据不明确', '2', '50.0%'],
      ['人工审核超过承诺时限', '1', '0.0%'],
      ['尚未认定原因', '1', '0.0%'],
    ]);
    expect(htmlTable(html, 'hardcase-by-item').map((r) => r.slice(0, 2))).toEqual([['事项', '登记'], ['I-A', '2'], ['I-B', '2']]);
    expect(html).toContain('<h2>五、办不成事</h2>');

    const text = renderText(report);
    expect(text).toContain('【办不成事】');
    expect(text).toMatch(/│ 合计\s+│\s+5 │\s+1 │\s+4 │\s+2 │\s+1 │\s+1 │\s+2 │\s+1 │\s+40\.0% │\s+50\.0% │\s+2 │\s+2 │\s+3 │/);
    expect(text).toContain('办不成事——本月登记');
  });

  it('refuses figures of another period, and says a month without cases has none', () => {
    const october = hardCaseFigures(CASES, { granularity: 'month', value: '2026-10' }, GENERATED_AT, calendar);
    expect(() => buildMonthlyReport(input({ hardCases: october }))).toThrow(/month 2026-10, not of the month 2026-11/);
    const day = hardCaseFigures(CASES, { granularity: 'day', value: '2026-11-02' }, GENERATED_AT, calendar);
    expect(() => buildMonthlyReport(input({ hardCases: day }))).toThrow(/day 2026-11-02/);
    const empty = buildMonthlyReport(input({ hardCases: hardCaseFigures([], { granularity: 'month', value: '2026-11' }, GENERATED_AT, calendar) }));
    expect(hardCaseTables(empty).map((t) => [t.id, t.rows.length, t.empty])).toEqual([
      ['hardcase-by-channel', 0, '本月无办不成事案件。'],
      ['hardcase-by-cause', 0, '本月无办不成事案件。'],
      ['hardcase-by-item', 0, '本月无关联事项的办不成事案件。'],
    ]);
    expect(renderHtml(empty)).toContain('<p class="none" data-table="hardcase-by-channel">本月无办不成事案件。</p>');
  });
});

describe('the upward-sync section', () => {
  it('has the month\'s records by state, rejections by reason, lag p50 / p99 and the oldest records, as by hand', () => {
    const u = report.upwardSync!;
    expect(u.records).toBe(10);
    expect(u.byState).toEqual({ PENDING: 1, SENT: 1, ACKED: 4, REJECTED: 3, PARKED: 1 });
    expect(u.rejectionsByReason).toEqual([
      { code: 'E_DEPT_UNKNOWN', count: 2 },
      { code: 'MAPPING', count: 1 },
    ]);
    expect(u.lag).toEqual({ count: 4, p50Ms: 120_000, p99Ms: 10_800_000, maxMs: 10_800_000 });
    expect(u.oldestPending).toMatchObject({ state: 'PENDING', sourceEventAt: local('2026-11-28T10:00:00'), ageMs: (2 * 24 + 14) * 3_600_000 + 5 * 60_000 });
    expect(u.oldestUnacked).toMatchObject({ recordId: 'C4#1', state: 'REJECTED' });
  });

  it('draws the states, the reasons and the lag as tables', () => {
    const html = renderHtml(report);
    expect(htmlTable(html, 'upward-by-state')).toEqual([
      ['状态', '记录数'],
      ['待推送', '1'],
      ['已推送待回执', '1'],
      ['平台已接收', '4'],
      ['被退回', '3'],
      ['多次失败暂停（待人工重推）', '1'],
      ['合计', '10'],
    ]);
    expect(htmlTable(html, 'upward-rejections')).toEqual([
      ['原因', '代码', '记录数'],
      ['平台退回', 'E_DEPT_UNKNOWN', '2'],
      ['无法转换为平台格式', 'MAPPING', '1'],
    ]);
    const lag = htmlTable(html, 'upward-lag');
    expect(lag.slice(0, 5)).toEqual([
      ['指标', '值'],
      ['已接收记录数', '4'],
      ['上报时延（中位数）', '2.0 分钟'],
      ['上报时延（99%分位）', '3.0 小时'],
      ['最长上报时延', '3.0 小时'],
    ]);
    expect(lag[5]![1]).toMatch(/^SQ-440305\S*#1（待推送，发生于 2026-11-28 10:00，已等待 2\.6 天）$/);
    expect(lag[6]![1]).toMatch(/^C4#1（被退回，/);
    expect(renderText(report)).toMatch(/│ 上报时延（99%分位） │ 3\.0 小时\s+│\n[\s\S]*│ 最早未送达记录\s+│ SQ-440305/);
  });

  it.each([
    [null, '—'],
    [450, '450 毫秒'],
    [90_000, '1.5 分钟'],
    [7_200_000, '2.0 小时'],
    [3 * 86_400_000, '3.0 天'],
  ] as const)('formats a duration of %s ms as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('person data', () => {
  it('reaches neither the stored report nor its pages: no ID number, no phone number', () => {
    const outputs = [JSON.stringify(report), renderHtml(report), renderText(report)];
    for (const out of outputs) {
      expect(out).not.toContain(APPLICANT_ID);
      expect(out).not.toContain(PHONE);
    }
    // The record is still named, with the number masked.
    expect(report.upwardSync!.oldestPending!.recordId).toMatch(/^SQ-440305\d*\*+\d*#1$|^SQ-\S+\*\S*#1$/);
  });
});

describe('a stage that does not report upward', () => {
  it('says so instead of showing a month of zeros', () => {
    const quiet = buildMonthlyReport(input({ upwardSync: null }));
    expect(quiet.upwardSync).toBeNull();
    expect(upwardTables(quiet).map((t) => [t.rows.length, t.empty])).toEqual(Array(3).fill([0, '本区未开启向省级（国家）好差评平台的数据上报。']));
    expect(renderHtml(quiet)).toContain('<p class="none" data-table="upward-by-state">本区未开启向省级（国家）好差评平台的数据上报。</p>');
    expect(renderText(quiet)).toContain('（本区未开启向省级（国家）好差评平台的数据上报）');
  });
});

describe('a report stored before these sections (version 1)', () => {
  it('renders with the sections saying they were not counted yet, not with zeros', () => {
    const { hardCases: _h, upwardSync: _u, ...rest } = report;
    const old = { ...rest, version: 1, basis: { approval: 'a', entitlement: 'e', review: 'r' } } as MonthlyReport;
    const html = renderHtml(old);
    expect(html).toContain('<h2>五、办不成事</h2>');
    expect(html).toContain('<p class="none" data-table="hardcase-by-channel">本报告生成时尚未统计此项。</p>');
    expect(html).toContain('<p class="none" data-table="upward-by-state">本报告生成时尚未统计此项。</p>');
    expect(html).not.toContain('data-table="upward-lag"><thead>');
    expect(upwardTables(old).every((t) => t.rows.length === 0)).toBe(true);
    expect(renderText(old)).toContain('口径：秒批——a；免申即享——e；好差评——r。');
  });
});
