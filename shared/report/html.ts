/**
 * The monthly report as a page a bureau hands out: a red masthead, the month's key figures, four charts,
 * the figures by department, the policies and the ranking, the 办不成事, upward-sync, 缺数清单 and 一件事
 * sections (the last with its own chart), and the basis of every figure. It fills a
 * wide screen and prints on A4 (portrait, charts two by two, tables not split inside a row).
 *
 * Charts are SVG drawn here, not Apache ECharts' server-side renderer: four bar and column charts need
 * no library, the page stays one small file with no script (it opens offline and archives as it is), the
 * layout is ours to fit A4, and `npm run report` does not pull in ~67 MB of echarts and zrender (whose
 * SSR output is static SVG too: its interactivity needs its script in the page).
 *
 * The page names its fonts and embeds none: where no CJK font is installed (Debian: fonts-noto-cjk) the
 * Chinese is drawn as boxes. `npm run report -- --html` says so when fontconfig finds none.
 */
import { LABELS, type DepartmentReport, type MonthlyReport, type PolicyRow } from './domain/build';
import { objectionsCell, OBJECTION_FIELDS } from './objection-cell';
import { basisText, columnName, columnsOf, formatValue, RANKING_COLUMNS, SECTIONS, type PolicyColumn } from './render';
import { bundleTables, gapTables, hardCaseTables, rankLabel, upwardTables, type SectionTable } from './section-tables';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const RED = '#c8102e';

export interface Bar {
  readonly label: string;
  readonly value: number | null;
  readonly display: string;
}

function figure(id: string, title: string, width: number, height: number, body: string): string {
  return (
    `<figure class="chart" data-chart="${id}"><svg role="img" aria-label="${escapeHtml(title)}" ` +
    `viewBox="0 0 ${width} ${height}" preserveAspectRatio="xMinYMin meet">${body}</svg>` +
    `<figcaption>${escapeHtml(title)}</figcaption></figure>`
  );
}

/** A label that fits the chart's label column (about 12 CJK characters); the whole one is its tooltip. */
function shortened(label: string): string {
  const chars = [...label];
  return chars.length <= 12 ? label : `${chars.slice(0, 11).join('')}…`;
}

/** Horizontal bars from 0 to `max` over a grid of quarters; a null value is drawn as "—" with no bar. */
export function barChart(id: string, title: string, bars: readonly Bar[], max: number, color: string, tick: (v: number) => string): string {
  const left = 170;
  const plot = 330;
  const rowHeight = 34;
  const top = 12;
  const height = top + Math.max(1, bars.length) * rowHeight + 28;
  const width = left + plot + 70;
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const x = left + f * plot;
    return (
      `<line x1="${x}" y1="${top}" x2="${x}" y2="${height - 24}" class="grid"/>` +
      `<text x="${x}" y="${height - 8}" text-anchor="middle" class="axis">${escapeHtml(tick(f * max))}</text>`
    );
  });
  const rows = bars.map((b, i) => {
    const y = top + i * rowHeight + 6;
    const w = b.value === null || max <= 0 ? 0 : Math.max(0, Math.min(1, b.value / max)) * plot;
    return (
      `<text x="${left - 10}" y="${y + 15}" text-anchor="end" class="label">${escapeHtml(shortened(b.label))}<title>${escapeHtml(b.label)}</title></text>` +
      `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="20" rx="2" fill="${color}"/>` +
      `<text x="${left + w + 6}" y="${y + 15}" class="value">${escapeHtml(b.display)}</text>`
    );
  });
  const empty = bars.length === 0 ? `<text x="${left + plot / 2}" y="${top + 22}" text-anchor="middle" class="axis">（本月无数据）</text>` : '';
  return figure(id, title, width, height, `${grid.join('')}${rows.join('')}${empty}`);
}

/** One column per day: real reviews (grey) with the 差评 among them (red), over a grid. */
function trendChart(report: MonthlyReport): string {
  const days = report.badReviewTrend;
  const left = 36;
  const step = 18;
  const plotHeight = 170;
  const top = 14;
  const width = left + Math.max(1, days.length) * step + 12;
  const height = top + plotHeight + 48;
  const max = Math.max(1, ...days.map((d) => d.realReviews));
  const y = (v: number) => top + plotHeight - (v / max) * plotHeight;
  const ticks = (max % 2 === 0 ? [0, max / 2, max] : [0, max]).map(
    (v) =>
      `<line x1="${left}" y1="${y(v).toFixed(1)}" x2="${width - 8}" y2="${y(v).toFixed(1)}" class="grid"/>` +
      `<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="axis">${v}</text>`,
  );
  const columns = days.map((d, i) => {
    const x = left + i * step + 3;
    const dayNo = Number(d.day.slice(8));
    return (
      `<rect x="${x}" y="${y(d.realReviews).toFixed(1)}" width="12" height="${((d.realReviews / max) * plotHeight).toFixed(1)}" class="total"><title>${d.day} 评价 ${d.realReviews}</title></rect>` +
      `<rect x="${x}" y="${y(d.negative).toFixed(1)}" width="12" height="${((d.negative / max) * plotHeight).toFixed(1)}" fill="${RED}"><title>${d.day} 差评 ${d.negative}</title></rect>` +
      (dayNo === 1 || dayNo % 5 === 0 ? `<text x="${x + 6}" y="${top + plotHeight + 16}" text-anchor="middle" class="axis">${dayNo}日</text>` : '')
    );
  });
  const legend =
    `<rect x="${left}" y="${height - 14}" width="10" height="10" class="total"/><text x="${left + 14}" y="${height - 5}" class="axis">真实评价</text>` +
    `<rect x="${left + 86}" y="${height - 14}" width="10" height="10" fill="${RED}"/><text x="${left + 100}" y="${height - 5}" class="axis">差评</text>`;
  const axis = `<line x1="${left}" y1="${top + plotHeight}" x2="${width - 8}" y2="${top + plotHeight}" class="axisline"/>`;
  return figure('bad-review-trend', `差评趋势（${report.month}，按办结日）`, width, height, `${ticks.join('')}${columns.join('')}${axis}${legend}`);
}

const rate = (v: number) => `${Math.round(v * 100)}%`;

function charts(report: MonthlyReport): string {
  const departments = report.departments;
  return [
    barChart(
      'score-by-department',
      '各部门综合评分（满分10分）',
      departments.map((d) => ({ label: d.departmentCode, value: d.review.compositeScore, display: formatValue(d.review.compositeScore, 'score') })),
      10,
      '#1d4e89',
      (v) => String(Math.round(v * 10) / 10),
    ),
    trendChart(report),
    barChart(
      'policy-coverage',
      '政策覆盖率（(确认+兑现)/符合条件）',
      report.policies.map((p) => ({ label: p.name, value: p.coverage, display: formatValue(p.coverage, 'rate') })),
      1,
      '#2e7d32',
      rate,
    ),
    barChart(
      'instant-approval-rate',
      '各部门秒批率',
      departments
        .filter((d) => d.approval.instantItemDecisions > 0)
        .map((d) => ({ label: d.departmentCode, value: d.approval.instantApprovalRate, display: formatValue(d.approval.instantApprovalRate, 'rate') })),
      1,
      '#b26a00',
      rate,
    ),
  ].join('\n');
}

/** 一件事: per bundle code, the finished applications' working days against the sum of their items' legal days. */
export function bundleChart(report: MonthlyReport): string {
  const rows = (report.bundles?.byBundle ?? []).filter((r) => r.legalDays > 0);
  const max = Math.max(1, ...rows.map((r) => r.timeAgainstLegal ?? 0));
  return barChart(
    'bundle-time-against-legal',
    '一件事用时占法定时限（已办结，工作日）',
    rows.map((r) => ({ label: r.bundleCode, value: r.timeAgainstLegal, display: `${formatValue(r.timeAgainstLegal, 'rate')}（${r.workingDays}/${r.legalDays}）` })),
    max,
    '#6a1b9a',
    rate,
  );
}

function figureTable(report: MonthlyReport): string {
  const columns = columnsOf(report);
  const head = `<tr><th>指标</th>${columns.map((c) => `<th>${escapeHtml(columnName(c.departmentCode))}</th>`).join('')}</tr>`;
  const body = SECTIONS.map(
    (s) =>
      `<tbody><tr class="section"><th colspan="${columns.length + 1}">${escapeHtml(s.title)}</th></tr>` +
      s.rows
        .map(
          (r) =>
            `<tr><td>${escapeHtml(LABELS[r.key] ?? r.key)}</td>${columns
              .map((c: DepartmentReport) => `<td class="num">${escapeHtml(formatValue(r.pick(c), r.format))}</td>`)
              .join('')}</tr>`,
        )
        .join('') +
      '</tbody>',
  ).join('');
  return `<div class="scroll"><table class="figures"><thead>${head}</thead>${body}</table></div>`;
}

/** A column of the page's policy table: its cell is HTML, a figure's right-aligned (`num`). */
export interface PagePolicyColumn extends PolicyColumn {
  readonly num: boolean;
}

const countCell = (field: 'eligible' | 'needsInfo' | 'notified' | 'delivered' | 'confirmed' | 'granted' | 'disbursed' | 'exhausted', header: string): PagePolicyColumn => ({
  header,
  fields: [field],
  num: true,
  cell: (p: PolicyRow) => String(p[field]),
});

/**
 * The page's 政策明细. `lapsed` is "—" in a stored report of version 1 to 5, `removed` in one of version 1 to
 * 6, which did not count them.
 */
export const PAGE_POLICY_COLUMNS: readonly PagePolicyColumn[] = [
  {
    header: '政策',
    fields: ['name', 'policyId', 'status'],
    num: false,
    cell: (p) => `${escapeHtml(p.name)}<br><small>${escapeHtml(p.policyId)}${p.status === 'withdrawn' ? '（已撤回）' : ''}</small>`,
  },
  { header: '部门', fields: ['departmentCode'], num: false, cell: (p) => escapeHtml(p.departmentCode) },
  { header: '类型', fields: ['kind'], num: false, cell: (p) => (p.kind === 'grant' ? '直接兑现' : '一键确认') },
  countCell('eligible', '符合条件'),
  countCell('needsInfo', '待补充'),
  countCell('notified', '已推送'),
  countCell('delivered', '已送达'),
  countCell('confirmed', '已确认'),
  countCell('granted', '已兑现'),
  countCell('disbursed', '已拨付'),
  countCell('exhausted', '额度用完'),
  { header: '公示失效', fields: ['lapsed'], num: true, cell: (p) => formatValue(p.lapsed ?? null, 'count') },
  { header: '异议 提出/成立/驳回', fields: OBJECTION_FIELDS, num: true, cell: objectionsCell },
  { header: '异议移出', fields: ['removed'], num: true, cell: (p) => formatValue(p.removed ?? null, 'count') },
  { header: '覆盖率', fields: ['coverage'], num: true, cell: (p) => formatValue(p.coverage, 'rate') },
  { header: '发布至最后推送', fields: ['publishToLastPushMs'], num: true, cell: (p) => escapeHtml(formatValue(p.publishToLastPushMs, 'ms')) },
];

function policyTable(report: MonthlyReport): string {
  if (report.policies.length === 0) return '<p class="none">本月无有效政策。</p>';
  const head = PAGE_POLICY_COLUMNS.map((c) => `<th>${escapeHtml(c.header)}</th>`).join('');
  const rows = report.policies
    .map((p) => `<tr>${PAGE_POLICY_COLUMNS.map((c) => (c.num ? `<td class="num">${c.cell(p)}</td>` : `<td>${c.cell(p)}</td>`)).join('')}</tr>`)
    .join('');
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

function rankingTable(report: MonthlyReport): string {
  if (report.ranking.length === 0) return '<p class="none">本月无真实评价，无排名。</p>';
  const rows = report.ranking
    .map(
      (r) =>
        `<tr><td class="num">${rankLabel(r.rank, report.ranking)}</td><td>${escapeHtml(r.departmentCode)}</td><td class="num">${formatValue(r.compositeScore, 'score')}</td><td class="num">${r.realReviews}</td></tr>`,
    )
    .join('');
  const head = RANKING_COLUMNS.map((c) => `<th>${escapeHtml(c.header)}</th>`).join('');
  return `<table class="ranking"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** A section's table: its text columns aligned left, its figures right (in tabular digits). */
function sectionTable(table: SectionTable): string {
  const caption = `<h3>${escapeHtml(table.caption)}</h3>`;
  if (table.rows.length === 0) return `${caption}<p class="none" data-table="${table.id}">${escapeHtml(table.empty)}</p>`;
  const head = table.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = table.rows
    .map((r) => `<tr>${r.map((c, i) => (i < (table.textColumns ?? 1) ? `<td>${escapeHtml(c)}</td>` : `<td class="num">${escapeHtml(c)}</td>`)).join('')}</tr>`)
    .join('');
  return `${caption}<div class="scroll"><table class="section" data-table="${table.id}"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

export const STYLE = `
:root{--red:${RED};--ink:#1f2328;--muted:#5b6470;--line:#d5d9de}
*{box-sizing:border-box}
body{margin:0;color:var(--ink);background:#f3f4f6;font:15px/1.55 "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif}
.page{background:#fff;margin:0 auto;padding:28px clamp(16px,3vw,48px) 36px;min-height:100vh}
.masthead{text-align:center;color:var(--red);border-bottom:3px double var(--red);padding-bottom:10px;margin-bottom:18px}
.masthead .issuer{font:700 clamp(24px,3.2vw,38px)/1.2 "Noto Serif CJK SC","Source Han Serif SC","Songti SC",SimSun,serif;letter-spacing:.18em}
.masthead .docno{margin-top:6px;font-size:14px;letter-spacing:.1em}
h1{text-align:center;font:700 24px/1.3 "Noto Serif CJK SC","Source Han Serif SC","Songti SC",SimSun,serif;margin:8px 0 4px}
.meta{text-align:center;color:var(--muted);font-size:13px;margin-bottom:18px}
h2{font-size:18px;margin:28px 0 12px;padding-bottom:4px;border-bottom:1px solid var(--line)}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px}
.kpi{border:1px solid var(--line);border-top:3px solid var(--red);padding:10px 14px;background:#fff}
.kpi b{display:block;font-size:26px;font-variant-numeric:tabular-nums}.kpi span{color:var(--muted);font-size:13px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,520px),1fr));gap:16px}
figure.chart{margin:0;border:1px solid var(--line);padding:12px 12px 8px;break-inside:avoid}
figure.chart svg{display:block;width:100%;height:auto}
figcaption{text-align:center;font-weight:700;font-size:14px;margin-top:4px}
svg text{font-family:inherit;font-size:12px;fill:var(--ink)}svg .value{font-weight:700}
svg .axis{font-size:11px;fill:var(--muted)}svg .grid{stroke:#e3e6ea}svg .axisline{stroke:#8c959f}svg .total{fill:#b8c1cc}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px;margin:4px 0}
th,td{border:1px solid var(--line);padding:5px 8px}thead th{background:#f6f7f9}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.section th{text-align:left;background:#fbeef0;color:var(--red)}
table.ranking{width:auto;min-width:50%}
h3{font-size:15px;margin:16px 0 6px}
table.section td:not(.num){white-space:normal}
table.section[data-table^="hardcase"]{table-layout:fixed}table.section[data-table^="hardcase"] th:first-child{width:15%}
.sync{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,420px),1fr));gap:0 24px}
.none{color:var(--muted)}
.bundle-chart{max-width:720px;margin-top:12px}
.basis{color:var(--muted);font-size:12px;margin-top:28px;border-top:1px solid var(--line);padding-top:10px}
@page{size:A4;margin:14mm 12mm}
@media print{
  body{background:#fff;font-size:10pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}
  .page{padding:0;min-height:0}
  .masthead .issuer{font-size:22pt}
  .charts{grid-template-columns:1fr 1fr;gap:8px}
  .kpis{grid-template-columns:repeat(6,1fr);gap:6px}.kpi{padding:6px 8px}.kpi b{font-size:15pt}
  table{font-size:8pt}th,td{padding:2px 4px}
  h2,h3{break-after:avoid;font-size:13pt;margin:14px 0 8px}h3{font-size:11pt;margin:10px 0 4px}
  tr,figure.chart{break-inside:avoid}thead{display:table-header-group}
  .scroll{overflow:visible}
}
`;

export function renderHtml(report: MonthlyReport): string {
  const t = report.total;
  const kpi = (label: string, value: string) => `<div class="kpi"><b>${escapeHtml(value)}</b><span>${escapeHtml(label)}</span></div>`;
  const [year, month] = report.month.split('-');
  const title = `${report.district.name}（${report.district.code}）政务服务月度报告 ${report.month}`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><div class="page">
<header class="masthead"><div class="issuer">${escapeHtml(report.district.name)}政务服务数据管理局</div>
<div class="docno">政务服务月度报告 · ${escapeHtml(`${year}年${Number(month)}月`)}</div></header>
<h1>${escapeHtml(title)}</h1>
<div class="meta">统计月份 ${escapeHtml(report.month)}（时区 ${escapeHtml(report.timeZone)}）· 生成时间 ${escapeHtml(report.generatedAt)} · 由 CivicFlow 自动生成</div>
<section class="kpis">
${kpi('审批决定数', formatValue(t.approval.decisions, 'count'))}
${kpi('秒批率', formatValue(t.approval.instantApprovalRate, 'rate'))}
${kpi('政策覆盖率', formatValue(t.entitlement.coverage, 'rate'))}
${kpi('综合评分', formatValue(t.review.compositeScore, 'score'))}
${kpi('差评整改率', formatValue(t.review.rectificationRate, 'rate'))}
${kpi('整改逾期数', formatValue(t.review.overdue, 'count'))}
</section>
<h2>一、图表</h2>
<div class="charts">
${charts(report)}
</div>
<h2>二、各部门指标</h2>
${figureTable(report)}
<h2>三、政策明细</h2>
${policyTable(report)}
<h2>四、部门综合评分排名</h2>
${rankingTable(report)}
<h2>五、办不成事</h2>
${hardCaseTables(report).map(sectionTable).join('\n')}
<h2>六、好差评数据上报</h2>
<div class="sync">
${upwardTables(report).map((t) => `<div>${sectionTable(t)}</div>`).join('\n')}
</div>
<h2>七、缺数清单</h2>
${gapTables(report).map(sectionTable).join('\n')}
<h2>八、一件事</h2>
${bundleTables(report).map(sectionTable).join('\n')}
${report.bundles === undefined ? '' : `<div class="bundle-chart">${bundleChart(report)}</div>`}
<div class="basis">口径：${escapeHtml(basisText(report))}。</div>
</div></body></html>
`;
}
