/**
 * Renders a monthly report for people: a terminal table here, and a self-contained HTML page with inline
 * SVG charts (./html.ts: no script, no external font, stylesheet or image), which opens offline, archives
 * as it is and prints on A4.
 */
import { OUTCOMES } from '#approval';
import { LABELS, SECTION_PUBLICITY_COUNTS, TOTAL_KEY, type DepartmentReport, type MonthlyReport, type PolicyRow } from './domain/build';
import { bundleTables, gapTables, hardCaseTables, rankLabel, upwardTables, type SectionTable } from './section-tables';
import { objectionsCell, OBJECTION_FIELDS } from './objection-cell';

type Format = 'count' | 'rate' | 'score' | 'ms' | 'yuan' | 'rank';

interface FigureRow {
  readonly key: string;
  readonly format: Format;
  readonly pick: (d: DepartmentReport) => number | null;
}

export interface Section {
  readonly title: string;
  readonly rows: readonly FigureRow[];
}

/** The report's figures in display order, by section: 秒批, 免申即享, 好差评. */
export const SECTIONS: readonly Section[] = [
  {
    title: '秒批（即时审批）',
    rows: [
      { key: 'approval.decisions', format: 'count', pick: (d) => d.approval.decisions },
      ...OUTCOMES.map((o): FigureRow => ({ key: `approval.byOutcome.${o}`, format: 'count', pick: (d) => d.approval.byOutcome[o] })),
      { key: 'approval.instantItemDecisions', format: 'count', pick: (d) => d.approval.instantItemDecisions },
      { key: 'approval.instantApprovals', format: 'count', pick: (d) => d.approval.instantApprovals },
      { key: 'approval.instantApprovalRate', format: 'rate', pick: (d) => d.approval.instantApprovalRate },
      { key: 'approval.materialsWaived', format: 'count', pick: (d) => d.approval.materialsWaived },
      { key: 'approval.latencyMs.mean', format: 'ms', pick: (d) => d.approval.latencyMs.mean },
      { key: 'approval.latencyMs.p95', format: 'ms', pick: (d) => d.approval.latencyMs.p95 },
      { key: 'approval.latencyMs.max', format: 'ms', pick: (d) => d.approval.latencyMs.max },
      { key: 'approval.timeLimitCompression.mean', format: 'rate', pick: (d) => d.approval.timeLimitCompression.mean },
      { key: 'approval.overdueVerifications', format: 'count', pick: (d) => d.approval.overdueVerifications },
    ],
  },
  {
    title: '免申即享（政策主动推送）',
    rows: [
      { key: 'entitlement.policies', format: 'count', pick: (d) => d.entitlement.policies },
      { key: 'entitlement.eligible', format: 'count', pick: (d) => d.entitlement.eligible },
      { key: 'entitlement.needsInfo', format: 'count', pick: (d) => d.entitlement.needsInfo },
      { key: 'entitlement.notified', format: 'count', pick: (d) => d.entitlement.notified },
      { key: 'entitlement.delivered', format: 'count', pick: (d) => d.entitlement.delivered },
      { key: 'entitlement.confirmed', format: 'count', pick: (d) => d.entitlement.confirmed },
      { key: 'entitlement.granted', format: 'count', pick: (d) => d.entitlement.granted },
      { key: 'entitlement.disbursed', format: 'count', pick: (d) => d.entitlement.disbursed },
      { key: 'entitlement.exhausted', format: 'count', pick: (d) => d.entitlement.exhausted },
      { key: 'entitlement.coverage', format: 'rate', pick: (d) => d.entitlement.coverage },
      { key: 'entitlement.publishToLastPushMs', format: 'ms', pick: (d) => d.entitlement.publishToLastPushMs },
      { key: 'entitlement.amountReserved', format: 'yuan', pick: (d) => d.entitlement.amountReserved },
      { key: 'entitlement.amountDisbursed', format: 'yuan', pick: (d) => d.entitlement.amountDisbursed },
      { key: 'entitlement.recovered', format: 'count', pick: (d) => d.entitlement.recovered },
      { key: 'entitlement.amountRecovered', format: 'yuan', pick: (d) => d.entitlement.amountRecovered },
      // 公示 and 异议, summed over the department's policies: "—" in a stored report of version 1 to 6.
      ...SECTION_PUBLICITY_COUNTS.map((k): FigureRow => ({ key: `entitlement.${k}`, format: 'count', pick: (d) => d.entitlement[k] ?? null })),
    ],
  },
  {
    title: '好差评',
    rows: [
      { key: 'review.completedCases', format: 'count', pick: (d) => d.review.completedCases },
      { key: 'review.realReviews', format: 'count', pick: (d) => d.review.realReviews },
      ...([5, 4, 3, 2, 1] as const).map((l): FigureRow => ({ key: `review.byLevel.${l}`, format: 'count', pick: (d) => d.review.byLevel[l] })),
      { key: 'review.positive', format: 'count', pick: (d) => d.review.positive },
      { key: 'review.negative', format: 'count', pick: (d) => d.review.negative },
      { key: 'review.defaulted', format: 'count', pick: (d) => d.review.defaulted },
      { key: 'review.positiveRate', format: 'rate', pick: (d) => d.review.positiveRate },
      { key: 'review.negativeRate', format: 'rate', pick: (d) => d.review.negativeRate },
      { key: 'review.compositeScore', format: 'score', pick: (d) => d.review.compositeScore },
      { key: 'review.activeReviewRate', format: 'rate', pick: (d) => d.review.activeReviewRate },
      { key: 'review.unreviewedRate', format: 'rate', pick: (d) => d.review.unreviewedRate },
      { key: 'review.coverage', format: 'rate', pick: (d) => d.review.coverage },
      { key: 'review.rectified', format: 'count', pick: (d) => d.review.rectified },
      { key: 'review.rectificationRate', format: 'rate', pick: (d) => d.review.rectificationRate },
      { key: 'review.returnVisited', format: 'count', pick: (d) => d.review.returnVisited },
      { key: 'review.returnVisitRate', format: 'rate', pick: (d) => d.review.returnVisitRate },
      { key: 'review.returnVisitSatisfied', format: 'count', pick: (d) => d.review.returnVisitSatisfied },
      { key: 'review.satisfactionRate', format: 'rate', pick: (d) => d.review.satisfactionRate },
      { key: 'review.overdue', format: 'count', pick: (d) => d.review.overdue },
      { key: 'review.overdueAcknowledge', format: 'count', pick: (d) => d.review.overdueAcknowledge },
      { key: 'review.overdueRectify', format: 'count', pick: (d) => d.review.overdueRectify },
      { key: 'review.invalidated', format: 'count', pick: (d) => d.review.invalidated },
      { key: 'review.unfixable', format: 'count', pick: (d) => d.review.unfixable },
      { key: 'review.rank', format: 'rank', pick: (d) => d.review.rank },
    ],
  },
];

export function formatValue(value: number | null, format: Format): string {
  if (value === null || !Number.isFinite(value)) return '—';
  switch (format) {
    case 'count':
      return String(value);
    case 'rate':
      return `${(value * 100).toFixed(1)}%`;
    case 'score':
      return value.toFixed(2);
    case 'rank':
      return `第${value}名`;
    case 'yuan':
      return value.toLocaleString('en-US');
    case 'ms':
      if (Math.abs(value) < 1000) return `${Math.round(value)} 毫秒`;
      if (Math.abs(value) < 60_000) return `${(value / 1000).toFixed(1)} 秒`;
      if (Math.abs(value) < 3_600_000) return `${(value / 60_000).toFixed(1)} 分钟`;
      return `${(value / 3_600_000).toFixed(1)} 小时`;
  }
}

/**
 * A column of a policy table: its header, the policy-row fields it shows (each labelled `policy.<field>` in the
 * report's `labels`) and its cell. The terminal's table is below, the page's in ./html.ts.
 */
export interface PolicyColumn {
  readonly header: string;
  readonly fields: readonly (keyof PolicyRow)[];
  readonly cell: (p: PolicyRow) => string;
}

/**
 * The terminal's 政策明细. `lapsed` is "—" in a stored report of version 1 to 5, `removed` in one of version
 * 1 to 6, which did not count them.
 */
export const TEXT_POLICY_COLUMNS: readonly PolicyColumn[] = [
  { header: '政策', fields: ['name', 'policyId'], cell: (p) => `${p.name}（${p.policyId}）` },
  { header: '部门', fields: ['departmentCode'], cell: (p) => p.departmentCode },
  { header: '符合', fields: ['eligible'], cell: (p) => String(p.eligible) },
  { header: '待补充', fields: ['needsInfo'], cell: (p) => String(p.needsInfo) },
  { header: '推送', fields: ['notified'], cell: (p) => String(p.notified) },
  { header: '送达', fields: ['delivered'], cell: (p) => String(p.delivered) },
  { header: '确认', fields: ['confirmed'], cell: (p) => String(p.confirmed) },
  { header: '兑现', fields: ['granted'], cell: (p) => String(p.granted) },
  { header: '拨付', fields: ['disbursed'], cell: (p) => String(p.disbursed) },
  { header: '追回', fields: ['recovered'], cell: (p) => String(p.recovered) },
  { header: '公示失效', fields: ['lapsed'], cell: (p) => formatValue(p.lapsed ?? null, 'count') },
  { header: '异议 提出/成立/驳回', fields: OBJECTION_FIELDS, cell: objectionsCell },
  { header: '异议移出', fields: ['removed'], cell: (p) => formatValue(p.removed ?? null, 'count') },
  { header: '覆盖率', fields: ['coverage'], cell: (p) => formatValue(p.coverage, 'rate') },
];

/** The ranking's columns (the terminal's and the page's), each with its field's key in `labels`. */
export const RANKING_COLUMNS: readonly { readonly header: string; readonly field: string }[] = [
  { header: '名次', field: 'ranking.rank' },
  { header: '部门', field: 'ranking.departmentCode' },
  { header: '综合评分', field: 'ranking.compositeScore' },
  { header: '主动评价数', field: 'ranking.realReviews' },
];

export const columnName = (code: string) => (code === TOTAL_KEY ? '合计' : code);
export const columnsOf = (report: MonthlyReport) => [...report.departments, report.total];

// ---------------------------------------------------------------------------------------------------------
// Terminal

/** Columns a string takes in a terminal: East Asian wide and fullwidth characters take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const wide =
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x20000 && cp <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

const padEnd = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - displayWidth(s)));
const padStart = (s: string, w: number) => ' '.repeat(Math.max(0, w - displayWidth(s))) + s;

/** A box-drawn table; the first `leftColumns` columns (text) are left-aligned, the others (figures) right-aligned. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], leftColumns = 1): string {
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (l: string, m: string, r: string) => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  const row = (cells: readonly string[]) =>
    '│' + cells.map((c, i) => ` ${i < leftColumns ? padEnd(c, widths[i]!) : padStart(c, widths[i]!)} `).join('│') + '│';
  return [line('┌', '┬', '┐'), row(header), line('├', '┼', '┤'), ...rows.map(row), line('└', '┴', '┘')].join('\n');
}

export function renderText(report: MonthlyReport): string {
  const columns = columnsOf(report);
  const out: string[] = [
    `${report.district.name}（${report.district.code}）政务服务月度报告 ${report.month}`,
    `生成时间 ${report.generatedAt}（时区 ${report.timeZone}）`,
    '',
  ];
  for (const section of SECTIONS) {
    out.push(`【${section.title}】`);
    out.push(
      textTable(
        ['指标', ...columns.map((c) => columnName(c.departmentCode))],
        section.rows.map((r) => [LABELS[r.key] ?? r.key, ...columns.map((c) => formatValue(r.pick(c), r.format))]),
      ),
    );
    out.push('');
  }
  if (report.policies.length > 0) {
    out.push('【政策明细】');
    out.push(
      textTable(
        TEXT_POLICY_COLUMNS.map((c) => c.header),
        report.policies.map((p) => TEXT_POLICY_COLUMNS.map((c) => c.cell(p))),
      ),
    );
    out.push('');
  }
  out.push('【部门综合评分排名】');
  out.push(
    report.ranking.length === 0
      ? '（本月无真实评价，无排名）'
      : textTable(
          RANKING_COLUMNS.map((c) => c.header),
          report.ranking.map((r) => [rankLabel(r.rank, report.ranking), r.departmentCode, formatValue(r.compositeScore, 'score'), String(r.realReviews)]),
        ),
  );
  out.push('');
  for (const [title, tables] of [['办不成事', hardCaseTables(report)], ['好差评数据上报', upwardTables(report)], ['缺数清单', gapTables(report)], ['一件事', bundleTables(report)]] as const) {
    out.push(`【${title}】`);
    for (const table of tables) out.push(`${table.caption}：`, ...textSectionTable(table), '');
  }
  out.push(`口径：${basisText(report)}。`);
  return out.join('\n');
}

function textSectionTable(table: SectionTable): string[] {
  return table.rows.length === 0 ? [`（${table.empty.replace(/。$/, '')}）`] : [textTable(table.header, table.rows, table.textColumns ?? 1)];
}

/** How every figure is delimited, in the report's words (a report of version 1 has the first three). */
export function basisText(report: MonthlyReport): string {
  const b = report.basis;
  return [
    `秒批——${b.approval}`,
    `免申即享——${b.entitlement}`,
    `好差评——${b.review}`,
    ...(b.hardCase ? [`办不成事——${b.hardCase}`] : []),
    ...(b.upwardSync ? [`数据上报——${b.upwardSync}`] : []),
    ...(b.dataGaps ? [`缺数清单——${b.dataGaps}`] : []),
    ...(b.bundles ? [`一件事——${b.bundles}`] : []),
  ].join('；');
}

export { escapeHtml, renderHtml } from './html';
