/**
 * The monthly report's policy rows carry the 公示, 异议 and push figures of each policy: objections filed / upheld /
 * dismissed, added by self-objection, listed pairs lapsed with their policy (公示失效), publicity-to-payment and
 * eligible-to-push days (means from the counters). The terminal table and the page show the lapsed too.
 */
import type { emptyCounters } from '#entitlement';
import { buildMonthlyReport, type MonthlyReport, type ReportInput } from '#report/domain/build';
import { renderHtml, renderText } from '#report/render';
import { policyInput, reportInput, reportPolicy } from './fixtures';

const POLICY = reportPolicy({ policyId: 'P-PUB', name: '出口信用保险（公示）', departmentCode: 'D2' });

function input(counters: Partial<ReturnType<typeof emptyCounters>>): ReportInput {
  return reportInput({ policies: [policyInput(POLICY, counters)] });
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

  it('carry the listed pairs that lapsed with their policy, which left eligible', () => {
    // Five listed and one exhausted; the policy withdrawn before the close: one listed pair removed by an upheld
    // objection, three lapsed (two at the close, a held one dismissed after it). Eligible counts neither: 6 − 1 − 3.
    const report = buildMonthlyReport(input({ eligible: 2, publicized: 5, removed: 1, lapsed: 3, exhausted: 1, objectionsFiled: 2, objectionsUpheld: 1, objectionsDismissed: 1 }));
    expect(report.policies[0]).toMatchObject({ eligible: 2, lapsed: 3, objectionsDismissed: 1 });
    expect(report.version).toBe(7);
  });

  /** The cells of the terminal's 政策明细 row and of the page's policy table row, by header. */
  function policyCells(report: MonthlyReport): { text: Record<string, string>; html: Record<string, string> } {
    const lines = renderText(report).split('\n');
    const at = lines.indexOf('【政策明细】');
    const cells = (line: string) => line.split('│').slice(1, -1).map((c) => c.trim());
    const textHeader = cells(lines[at + 2]!);
    const textRow = cells(lines[at + 4]!);
    const table = /<h2>三、政策明细<\/h2>[\s\S]*?<table><thead><tr>([\s\S]*?)<\/tr><\/thead><tbody><tr>([\s\S]*?)<\/tr>/.exec(renderHtml(report))!;
    const htmlHeader = [...table[1]!.matchAll(/<th>(.*?)<\/th>/g)].map((m) => m[1]!);
    const htmlRow = [...table[2]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]!);
    return {
      text: Object.fromEntries(textHeader.map((h, i) => [h, textRow[i]!])),
      html: Object.fromEntries(htmlHeader.map((h, i) => [h, htmlRow[i]!])),
    };
  }

  it('show the lapsed in the terminal table and on the page, next to the figures they left', () => {
    const report = buildMonthlyReport(input({ eligible: 1, publicized: 4, lapsed: 3, exhausted: 1 }));
    const { text, html } = policyCells(report);
    expect(text).toMatchObject({ 符合: '1', 公示失效: '3' });
    expect(html).toMatchObject({ 符合条件: '1', 额度用完: '1', 公示失效: '3' });
  });

  it('draw "—" for the lapsed of a stored report of version 5, which did not count them', () => {
    const built = buildMonthlyReport(input({ eligible: 2, publicized: 2 }));
    const { lapsed: _dropped, ...row } = built.policies[0]!;
    const stored: MonthlyReport = { ...built, version: 5, policies: [row] };
    const { text, html } = policyCells(stored);
    expect([text['公示失效'], html['公示失效']]).toEqual(['—', '—']);
    expect([text['符合'], html['符合条件']]).toEqual(['2', '2']);
  });

  it('has no mean before anything was pushed or paid', () => {
    const report = buildMonthlyReport(input({ eligible: 2, publicized: 2 }));
    expect(report.policies[0]).toMatchObject({ objectionsFiled: 0, publicityToPaymentDaysMean: null, eligibleToPushDaysMean: null });
  });
});
