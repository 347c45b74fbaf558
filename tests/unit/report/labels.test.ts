/**
 * The monthly report's JSON `labels` name every field a reader meets: each field of a department's figures and of
 * a policy row, and each column any of its tables draws (the figures by department, the policy tables of the
 * terminal and the page, the ranking, 办不成事, upward sync, 缺数清单 and 一件事). The columns are read from the
 * code that draws them, so a column added without a label fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildMonthlyReport, LABELS, type MonthlyReport } from '#report/domain/build';
import { PAGE_POLICY_COLUMNS } from '#report/html';
import { RANKING_COLUMNS, renderHtml, renderText, SECTIONS, TEXT_POLICY_COLUMNS } from '#report/render';
import { bundleTables, gapTables, hardCaseTables, upwardTables } from '#report/section-tables';
import { policyInput, reportInput, reportPolicy } from './fixtures';

const POLICY = reportPolicy({ policyId: 'P-LABELS', name: '标签政策', departmentCode: 'D-L' });
const built = buildMonthlyReport(reportInput({ policies: [policyInput(POLICY, { eligible: 2, notified: 2, granted: 2 }, 2)] }));
/** A report with every section filled: the sample the page is checked on. */
const sample = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/monthly-report-2026-11.json'), 'utf8')) as MonthlyReport;

/** The dotted paths of an object's leaves (`latencyMs.mean`, `byOutcome.APPROVED`). */
function leaves(value: unknown, prefix: string): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, `${prefix}.${k}`));
}
const unlabelled = (keys: readonly string[]) => keys.filter((k) => !(k in built.labels));

describe('the monthly report\'s labels', () => {
  it('are the ones the report carries', () => {
    expect(built.labels).toEqual(LABELS);
  });

  it('name every field of a department\'s figures', () => {
    for (const column of [...built.departments, built.total]) {
      const { departmentCode: _code, ...sections } = column;
      expect(unlabelled(['department.departmentCode', ...leaves(sections, '').map((k) => k.slice(1))])).toEqual([]);
    }
  });

  it('name every field of a policy row', () => {
    const fields = Object.keys(built.policies[0]!);
    expect(fields).toEqual(expect.arrayContaining(['eligible', 'lapsed', 'objectionsFiled', 'publicityToPaymentDaysMean']));
    expect(unlabelled(fields.map((f) => `policy.${f}`))).toEqual([]);
  });

  it('name every figure row of the figures by department', () => {
    expect(unlabelled(SECTIONS.flatMap((s) => s.rows.map((r) => r.key)))).toEqual([]);
  });

  it('name every column of the policy tables, the terminal\'s and the page\'s', () => {
    for (const columns of [TEXT_POLICY_COLUMNS, PAGE_POLICY_COLUMNS]) {
      for (const c of columns) expect([c.header, c.fields.length > 0, unlabelled(c.fields.map((f) => `policy.${f}`))]).toEqual([c.header, true, []]);
    }
    // The tables draw those columns and no other.
    const lines = renderText(built).split('\n');
    const header = lines[lines.indexOf('【政策明细】') + 2]!.split('│').slice(1, -1).map((c) => c.trim());
    expect(header).toEqual(TEXT_POLICY_COLUMNS.map((c) => c.header));
    const page = /<h2>三、政策明细<\/h2>[\s\S]*?<thead><tr>([\s\S]*?)<\/tr><\/thead><tbody><tr>([\s\S]*?)<\/tr>/.exec(renderHtml(built))!;
    expect([...page[1]!.matchAll(/<th>(.*?)<\/th>/g)].map((m) => m[1])).toEqual(PAGE_POLICY_COLUMNS.map((c) => c.header));
    expect(page[2]!.match(/<td[ >]/g)).toHaveLength(PAGE_POLICY_COLUMNS.length);
  });

  it('name every column of the ranking', () => {
    expect(unlabelled(RANKING_COLUMNS.map((c) => c.field))).toEqual([]);
    const page = /<table class="ranking"><thead><tr>([\s\S]*?)<\/tr>/.exec(renderHtml(sample))!;
    expect([...page[1]!.matchAll(/<th>(.*?)<\/th>/g)].map((m) => m[1])).toEqual(RANKING_COLUMNS.map((c) => c.header));
  });

  it('name every column of the 办不成事, upward-sync, 缺数清单 and 一件事 tables', () => {
    const tables = [hardCaseTables, upwardTables, gapTables, bundleTables].flatMap((t) => t(sample));
    expect(tables).toHaveLength(9);
    for (const t of tables) {
      expect([t.id, t.fields.length]).toEqual([t.id, t.header.length]);
      for (const row of t.rows) expect([t.id, row.length]).toEqual([t.id, t.header.length]);
      const named = t.fields.filter((f): f is string => f !== null);
      expect([t.id, unlabelled(named)]).toEqual([t.id, []]);
      // A column with no field of its own names rows that are figures, each labelled.
      if (named.length < t.fields.length) {
        expect([t.id, t.rowKeys?.length]).toEqual([t.id, t.rows.length]);
        expect([t.id, unlabelled(t.rowKeys!)]).toEqual([t.id, []]);
      }
    }
  });
});
