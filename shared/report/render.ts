/**
 * Renders a monthly report for people: a terminal table, and a self-contained HTML page with inline SVG
 * charts (no script, no external font, stylesheet or image), so it opens offline and can be archived.
 */
import { OUTCOMES } from '../approval/types';
import { LABELS, TOTAL_KEY, type DepartmentReport, type MonthlyReport } from './build';

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

/** The report's figures in display order, by section: SPEC §4, §5, §6. */
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

const columnName = (code: string) => (code === TOTAL_KEY ? '合计' : code);
const columnsOf = (report: MonthlyReport) => [...report.departments, report.total];

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

/** A box-drawn table; the first column is left-aligned, the others right-aligned. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (l: string, m: string, r: string) => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  const row = (cells: readonly string[]) =>
    '│' + cells.map((c, i) => ` ${i === 0 ? padEnd(c, widths[i]!) : padStart(c, widths[i]!)} `).join('│') + '│';
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
        ['政策', '部门', '符合', '待补充', '推送', '送达', '确认', '兑现', '拨付', '覆盖率'],
        report.policies.map((p) => [
          `${p.name}（${p.policyId}）`,
          p.departmentCode,
          String(p.eligible),
          String(p.needsInfo),
          String(p.notified),
          String(p.delivered),
          String(p.confirmed),
          String(p.granted),
          String(p.disbursed),
          formatValue(p.coverage, 'rate'),
        ]),
      ),
    );
    out.push('');
  }
  out.push('【部门综合评分排名】');
  out.push(
    report.ranking.length === 0
      ? '（本月无真实评价，无排名）'
      : textTable(
          ['名次', '部门', '综合评分', '主动评价数'],
          report.ranking.map((r) => [String(r.rank), r.departmentCode, formatValue(r.compositeScore, 'score'), String(r.realReviews)]),
        ),
  );
  out.push('');
  out.push(`口径：秒批——${report.basis.approval}；免申即享——${report.basis.entitlement}；好差评——${report.basis.review}。`);
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// HTML

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

interface Bar {
  readonly label: string;
  readonly value: number | null;
  readonly display: string;
}

/** Horizontal bars from 0 to `max`; a null value is drawn as "—" with no bar. */
function barChart(id: string, title: string, bars: readonly Bar[], max: number, color: string): string {
  const labelWidth = 220;
  const barWidth = 360;
  const rowHeight = 30;
  const height = 40 + Math.max(1, bars.length) * rowHeight;
  const width = labelWidth + barWidth + 90;
  const rows = bars.map((b, i) => {
    const y = 34 + i * rowHeight;
    const w = b.value === null || max <= 0 ? 0 : Math.max(0, Math.min(1, b.value / max)) * barWidth;
    return (
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" class="label">${escapeHtml(b.label)}</text>` +
      `<rect x="${labelWidth}" y="${y}" width="${barWidth}" height="20" class="track"/>` +
      `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="20" fill="${color}"/>` +
      `<text x="${labelWidth + barWidth + 8}" y="${y + 15}" class="value">${escapeHtml(b.display)}</text>`
    );
  });
  const empty = bars.length === 0 ? `<text x="${labelWidth}" y="55" class="label">（无数据）</text>` : '';
  return (
    `<figure class="chart" data-chart="${id}"><svg role="img" aria-label="${escapeHtml(title)}" ` +
    `width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<text x="0" y="18" class="title">${escapeHtml(title)}</text>${rows.join('')}${empty}</svg></figure>`
  );
}

/** One column per day: real reviews (grey) with the 差评 among them (red). */
function trendChart(report: MonthlyReport): string {
  const days = report.badReviewTrend;
  const left = 40;
  const step = 20;
  const plotHeight = 160;
  const top = 34;
  const width = left + days.length * step + 20;
  const height = top + plotHeight + 40;
  const max = Math.max(1, ...days.map((d) => d.realReviews));
  const y = (v: number) => top + plotHeight - (v / max) * plotHeight;
  const bars = days.map((d, i) => {
    const x = left + i * step + 3;
    const dayNo = Number(d.day.slice(8));
    return (
      `<rect x="${x}" y="${y(d.realReviews).toFixed(1)}" width="14" height="${((d.realReviews / max) * plotHeight).toFixed(1)}" class="total"><title>${d.day} 评价 ${d.realReviews}</title></rect>` +
      `<rect x="${x}" y="${y(d.negative).toFixed(1)}" width="14" height="${((d.negative / max) * plotHeight).toFixed(1)}" fill="#d9363e"><title>${d.day} 差评 ${d.negative}</title></rect>` +
      (dayNo === 1 || dayNo % 5 === 0 ? `<text x="${x + 7}" y="${top + plotHeight + 16}" text-anchor="middle" class="axis">${dayNo}</text>` : '')
    );
  });
  const axis =
    `<line x1="${left}" y1="${top + plotHeight}" x2="${width - 20}" y2="${top + plotHeight}" class="axisline"/>` +
    `<text x="${left - 6}" y="${top + 8}" text-anchor="end" class="axis">${max}</text>` +
    `<text x="${left - 6}" y="${top + plotHeight}" text-anchor="end" class="axis">0</text>`;
  const legend =
    `<rect x="${left}" y="${height - 16}" width="10" height="10" class="total"/><text x="${left + 14}" y="${height - 7}" class="axis">真实评价</text>` +
    `<rect x="${left + 90}" y="${height - 16}" width="10" height="10" fill="#d9363e"/><text x="${left + 104}" y="${height - 7}" class="axis">差评</text>`;
  const title = `差评趋势（${report.month}，按办结日）`;
  return (
    `<figure class="chart" data-chart="bad-review-trend"><svg role="img" aria-label="${escapeHtml(title)}" ` +
    `width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><text x="0" y="18" class="title">${escapeHtml(title)}</text>` +
    `${axis}${bars.join('')}${legend}</svg></figure>`
  );
}

function figureTable(report: MonthlyReport): string {
  const columns = columnsOf(report);
  const head = `<tr><th>指标</th>${columns.map((c) => `<th>${escapeHtml(columnName(c.departmentCode))}</th>`).join('')}</tr>`;
  const body = SECTIONS.map(
    (s) =>
      `<tr class="section"><th colspan="${columns.length + 1}">${escapeHtml(s.title)}</th></tr>` +
      s.rows
        .map(
          (r) =>
            `<tr><td>${escapeHtml(LABELS[r.key] ?? r.key)}</td>${columns
              .map((c) => `<td class="num">${escapeHtml(formatValue(r.pick(c), r.format))}</td>`)
              .join('')}</tr>`,
        )
        .join(''),
  ).join('');
  return `<table class="figures"><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

function policyTable(report: MonthlyReport): string {
  if (report.policies.length === 0) return '<p>本月无有效政策。</p>';
  const head = ['政策', '部门', '类型', '符合条件', '待补充', '已推送', '已送达', '已确认', '已兑现', '已拨付', '额度用完', '覆盖率', '发布至最后推送']
    .map((h) => `<th>${h}</th>`)
    .join('');
  const rows = report.policies
    .map(
      (p) =>
        `<tr><td>${escapeHtml(p.name)}<br><small>${escapeHtml(p.policyId)}${p.status === 'withdrawn' ? '（已撤回）' : ''}</small></td>` +
        `<td>${escapeHtml(p.departmentCode)}</td><td>${p.kind === 'grant' ? '直接兑现' : '一键确认'}</td>` +
        [p.eligible, p.needsInfo, p.notified, p.delivered, p.confirmed, p.granted, p.disbursed, p.exhausted]
          .map((v) => `<td class="num">${v}</td>`)
          .join('') +
        `<td class="num">${formatValue(p.coverage, 'rate')}</td><td class="num">${escapeHtml(formatValue(p.publishToLastPushMs, 'ms'))}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

function rankingTable(report: MonthlyReport): string {
  if (report.ranking.length === 0) return '<p>本月无真实评价，无排名。</p>';
  const rows = report.ranking
    .map(
      (r) =>
        `<tr><td class="num">${r.rank}</td><td>${escapeHtml(r.departmentCode)}</td><td class="num">${formatValue(r.compositeScore, 'score')}</td><td class="num">${r.realReviews}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>名次</th><th>部门</th><th>综合评分</th><th>主动评价数</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const STYLE = `
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;margin:24px 32px;color:#1f2328;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px;border-left:4px solid #1f6feb;padding-left:8px}
.meta{color:#57606a;font-size:13px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid #d0d7de;border-radius:6px;padding:10px 16px;min-width:150px}
.card b{display:block;font-size:22px}.card span{color:#57606a;font-size:13px}
.charts{display:flex;flex-wrap:wrap;gap:16px}
figure.chart{margin:0;border:1px solid #d0d7de;border-radius:6px;padding:10px}
svg text{font-family:inherit;font-size:12px;fill:#1f2328}svg .title{font-size:14px;font-weight:bold}
svg .track{fill:#f0f2f5}svg .total{fill:#b6c2cf}svg .axis{font-size:11px;fill:#57606a}svg .axisline{stroke:#8c959f}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
th,td{border:1px solid #d0d7de;padding:4px 8px}th{background:#f6f8fa}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.section th{text-align:left;background:#eaeef2}
.basis{color:#57606a;font-size:12px;margin-top:24px}
`;

export function renderHtml(report: MonthlyReport): string {
  const t = report.total;
  const card = (label: string, value: string) => `<div class="card"><b>${escapeHtml(value)}</b><span>${escapeHtml(label)}</span></div>`;
  const departments = report.departments;
  const charts = [
    barChart(
      'score-by-department',
      '各部门综合评分（满分10分）',
      departments.map((d) => ({ label: d.departmentCode, value: d.review.compositeScore, display: formatValue(d.review.compositeScore, 'score') })),
      10,
      '#1f6feb',
    ),
    trendChart(report),
    barChart(
      'policy-coverage',
      '政策覆盖率（(确认+兑现)/符合条件）',
      report.policies.map((p) => ({ label: p.name, value: p.coverage, display: formatValue(p.coverage, 'rate') })),
      1,
      '#2da44e',
    ),
    barChart(
      'instant-approval-rate',
      '各部门秒批率',
      departments
        .filter((d) => d.approval.instantItemDecisions > 0)
        .map((d) => ({ label: d.departmentCode, value: d.approval.instantApprovalRate, display: formatValue(d.approval.instantApprovalRate, 'rate') })),
      1,
      '#bf8700',
    ),
  ];
  const title = `${report.district.name}（${report.district.code}）政务服务月度报告 ${report.month}`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<div class="meta">生成时间 ${escapeHtml(report.generatedAt)}（时区 ${escapeHtml(report.timeZone)}）</div>
<div class="cards">
${card('审批决定数', formatValue(t.approval.decisions, 'count'))}
${card('秒批率', formatValue(t.approval.instantApprovalRate, 'rate'))}
${card('政策覆盖率', formatValue(t.entitlement.coverage, 'rate'))}
${card('综合评分', formatValue(t.review.compositeScore, 'score'))}
${card('差评整改率', formatValue(t.review.rectificationRate, 'rate'))}
${card('整改逾期数', formatValue(t.review.overdue, 'count'))}
</div>
<h2>图表</h2>
<div class="charts">
${charts.join('\n')}
</div>
<h2>各部门指标</h2>
${figureTable(report)}
<h2>政策明细</h2>
${policyTable(report)}
<h2>部门综合评分排名</h2>
${rankingTable(report)}
<div class="basis">口径：秒批——${escapeHtml(report.basis.approval)}；免申即享——${escapeHtml(report.basis.entitlement)}；好差评——${escapeHtml(report.basis.review)}。</div>
</body></html>
`;
}
