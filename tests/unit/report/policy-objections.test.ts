/**
 * The policy tables of the terminal and the page show each policy's third-party objections (filed / upheld /
 * dismissed) and the pairs an upheld one took off the list (异议移出), beside 公示失效; a stored report of
 * version 1 to 6, which did not count `removed`, shows "—" there.
 */
import { buildMonthlyReport, type MonthlyReport, type PolicyRow } from '#report/domain/build';
import { PAGE_POLICY_COLUMNS } from '#report/html';
import { renderHtml, renderText, TEXT_POLICY_COLUMNS } from '#report/render';
import { policyInput, reportInput, reportPolicy } from './fixtures';

const POLICY = reportPolicy({ policyId: 'P-OBJECTION-CELLS', name: '异议政策', departmentCode: 'D-O' });
const built = buildMonthlyReport(reportInput({ policies: [policyInput(POLICY, { eligible: 4, notified: 4, granted: 4 }, 4)] }));
const withRow = (over: Partial<PolicyRow>, drop: (keyof PolicyRow)[] = []): MonthlyReport => {
  const row: Record<string, unknown> = { ...built.policies[0]!, ...over };
  for (const k of drop) delete row[k];
  return { ...built, policies: [row as unknown as PolicyRow] };
};

/** The terminal's policy row as cells under their headers. */
function textCells(report: MonthlyReport): Record<string, string> {
  const lines = renderText(report).split('\n');
  const at = lines.indexOf('【政策明细】');
  const header = lines[at + 2]!.split('│').slice(1, -1).map((c) => c.trim());
  const row = lines[at + 4]!.split('│').slice(1, -1).map((c) => c.trim());
  expect(header).toEqual(TEXT_POLICY_COLUMNS.map((c) => c.header));
  return Object.fromEntries(header.map((h, i) => [h, row[i]!]));
}

/** The page's policy row as cells under their headers. */
function pageCells(report: MonthlyReport): Record<string, string> {
  const page = /<h2>三、政策明细<\/h2>[\s\S]*?<thead><tr>([\s\S]*?)<\/tr><\/thead><tbody><tr>([\s\S]*?)<\/tr>/.exec(renderHtml(report))!;
  const header = [...page[1]!.matchAll(/<th>(.*?)<\/th>/g)].map((m) => m[1]!);
  const cells = [...page[2]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]!);
  expect(header).toEqual(PAGE_POLICY_COLUMNS.map((c) => c.header));
  return Object.fromEntries(header.map((h, i) => [h, cells[i]!]));
}

describe('the policy tables\' objection columns', () => {
  const report = withRow({ objectionsFiled: 3, objectionsUpheld: 1, objectionsDismissed: 2, removed: 1, lapsed: 2 });

  it('show filed / upheld / dismissed and the pairs removed, in the terminal', () => {
    expect(textCells(report)).toMatchObject({ '公示失效': '2', '异议 提出/成立/驳回': '3/1/2', '异议移出': '1' });
  });

  it('show them on the page', () => {
    expect(pageCells(report)).toMatchObject({ '公示失效': '2', '异议 提出/成立/驳回': '3/1/2', '异议移出': '1' });
  });

  it('show "—" for 异议移出 in a stored report of version 6, which did not count it', () => {
    const v6 = { ...withRow({ objectionsFiled: 1, objectionsUpheld: 0, objectionsDismissed: 0 }, ['removed']), version: 6 as const };
    expect(textCells(v6)).toMatchObject({ '异议 提出/成立/驳回': '1/0/0', '异议移出': '—' });
    expect(pageCells(v6)).toMatchObject({ '异议 提出/成立/驳回': '1/0/0', '异议移出': '—' });
  });
});
