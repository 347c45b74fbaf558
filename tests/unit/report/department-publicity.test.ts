/**
 * A department's 免申即享 figures in the monthly report are the sums of its policy rows: the 公示 and 异议 counts
 * (公示失效, removed by an upheld objection, objections filed / upheld / upheld after release / dismissed, added by self-objection) as well as
 * eligible, pushed, paid and recovered, so a department row never says less than its policies do. The terminal and
 * the page draw them in the figures by department; a stored report of version 1 to 6 has none and shows "—".
 */
import type { emptyCounters } from '#entitlement';
import { buildMonthlyReport, LABELS, type MonthlyReport, type PolicyRow, type ReportInput } from '#report/domain/build';
import { renderHtml, renderText } from '#report/render';
import { policyInput, reportInput, reportPolicy } from './fixtures';

/** The policy rows' 公示 and 异议 counts a department row lacked before version 7. */
const PUBLICITY = ['lapsed', 'removed', 'objectionsFiled', 'objectionsUpheld', 'upheldAfterRelease', 'objectionsDismissed', 'addedBySelfObjection'];

function policy(policyId: string, departmentCode: string, counters: Partial<ReturnType<typeof emptyCounters>>): ReportInput['policies'][number] {
  const p = reportPolicy({ policyId, name: `政策 ${policyId}`, departmentCode });
  return policyInput(p, counters, counters.notified ?? 0, { amountReserved: 1000, amountDisbursed: 500, amountRecovered: 100 });
}

const input = reportInput({
  policies: [
    // D-A: two policies with publicity, one with lapsed pairs, objections of every kind between them.
    policy('P-DEPT-A1', 'D-A', {
      eligible: 4, publicized: 7, removed: 1, lapsed: 2, notified: 4, granted: 4, disbursed: 3, recovered: 1,
      objectionsFiled: 4, objectionsUpheld: 2, upheldAfterRelease: 1, objectionsDismissed: 1, addedBySelfObjection: 1,
    }),
    policy('P-DEPT-A2', 'D-A', { eligible: 3, publicized: 3, lapsed: 3, objectionsFiled: 2, objectionsDismissed: 2, addedBySelfObjection: 0 }),
    // D-B: one policy with no publicity at all.
    policy('P-DEPT-B1', 'D-B', { eligible: 5, notified: 5, granted: 5, exhausted: 1, needsInfo: 2 }),
  ],
});
const report = buildMonthlyReport(input);

/** The policy-row figures a department sums: every count (not a rate, a duration or a mean). */
const NOT_SUMMED = new Set(['coverage', 'publishToLastPushMs', 'publicityToPaymentDaysMean', 'eligibleToPushDaysMean']);
function summedKeys(row: PolicyRow): string[] {
  return Object.entries(row)
    .filter(([k, v]) => typeof v === 'number' && !NOT_SUMMED.has(k))
    .map(([k]) => k);
}

describe('a department\'s 免申即享 figures in the monthly report', () => {
  it('carry every count its policy rows carry, each the sum of its policies\' rows', () => {
    const keys = summedKeys(report.policies[0]!);
    expect(keys).toEqual(expect.arrayContaining(['eligible', 'lapsed', ...PUBLICITY]));
    for (const column of [...report.departments, report.total]) {
      const rows = report.policies.filter((p) => column === report.total || p.departmentCode === column.departmentCode);
      const sums = Object.fromEntries(keys.map((k) => [k, rows.reduce((s, r) => s + (r[k as keyof PolicyRow] as number), 0)]));
      const section = column.entitlement as unknown as Record<string, unknown>;
      expect([column.departmentCode, Object.fromEntries(keys.map((k) => [k, section[k]]))]).toEqual([column.departmentCode, sums]);
    }
  });

  it('count the lapsed and the objections by hand', () => {
    const dept = (code: string) => report.departments.find((d) => d.departmentCode === code)!.entitlement;
    expect(dept('D-A')).toMatchObject({ policies: 2, eligible: 7, lapsed: 5, removed: 1, objectionsFiled: 6, objectionsUpheld: 2, upheldAfterRelease: 1, objectionsDismissed: 3, addedBySelfObjection: 1 });
    expect(dept('D-B')).toMatchObject({ policies: 1, eligible: 5, lapsed: 0, removed: 0, objectionsFiled: 0, objectionsUpheld: 0, upheldAfterRelease: 0, objectionsDismissed: 0, addedBySelfObjection: 0 });
    expect(report.total.entitlement).toMatchObject({ policies: 3, eligible: 12, lapsed: 5, objectionsFiled: 6, objectionsDismissed: 3 });
  });

  /** The 免申即享 figure rows of the terminal's table and of the page's, by label: the cells D-A, D-B, 合计. */
  function figureRows(r: MonthlyReport): { text: Record<string, string[]>; html: Record<string, string[]> } {
    const keys = PUBLICITY.map((k) => (LABELS[`entitlement.${k}`] ?? k));
    const text: Record<string, string[]> = {};
    for (const line of renderText(r).split('\n')) {
      const cells = line.split('│').slice(1, -1).map((c) => c.trim());
      if (keys.includes(cells[0]!)) text[cells[0]!] = cells.slice(1);
    }
    const html: Record<string, string[]> = {};
    for (const m of renderHtml(r).matchAll(/<tr><td>([^<]*)<\/td>((?:<td class="num">[^<]*<\/td>)+)<\/tr>/g)) {
      if (keys.includes(m[1]!)) html[m[1]!] = [...m[2]!.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((c) => c[1]!);
    }
    return { text, html };
  }

  it('are drawn in the terminal and on the page, per department and in total', () => {
    const { text, html } = figureRows(report);
    const expected = {
      公示失效数: ['5', '0', '5'],
      异议成立移出数: ['1', '0', '1'],
      异议提出数: ['6', '0', '6'],
      异议成立数: ['2', '0', '2'],
      公示结束后成立的异议数: ['1', '0', '1'],
      异议不成立数: ['3', '0', '3'],
      本人异议后新增数: ['1', '0', '1'],
    };
    expect(text).toEqual(expected);
    expect(html).toEqual(expected);
  });

  it('draw "—" for a stored report of version 6, which did not sum them', () => {
    const strip = <T extends object>(section: T): T =>
      Object.fromEntries(Object.entries(section).filter(([k]) => !PUBLICITY.includes(k))) as T;
    const stored: MonthlyReport = {
      ...report,
      version: 6,
      departments: report.departments.map((d) => ({ ...d, entitlement: strip(d.entitlement) })),
      total: { ...report.total, entitlement: strip(report.total.entitlement) },
    };
    const { text, html } = figureRows(stored);
    const dashes = Object.fromEntries(PUBLICITY.map((k) => [(LABELS[`entitlement.${k}`] ?? k), ['—', '—', '—']]));
    expect(text).toEqual(dashes);
    expect(html).toEqual(dashes);
    expect(renderText(stored)).toMatch(/│ 符合条件企业数\s+│\s+7 │\s+5 │\s+12 │/);
  });

  it('is report version 7', () => {
    expect(report.version).toBe(7);
  });
});
