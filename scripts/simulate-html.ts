/**
 * A finished simulation as a page in the monthly report's style (`npm run simulate -- … --html FILE`): the
 * masthead, the key figures, a chart of the outcome transitions and one of the facts blocking the most
 * instant approvals, and the regressions with the rule that flipped each. SVG drawn by the report's own
 * chart function: no script, no external font or image; it opens offline.
 */
import { barChart, escapeHtml, STYLE } from '#report/html';
import type { ItemSimulationView } from '#simulation';

const BLUE = '#1d4e89';
const RED = '#c8102e';
const GREY = '#8a8f98';
const APPROVALS = new Set(['APPROVED', 'APPROVED_ON_COMMITMENT']);
const MAX_REGRESSIONS = 200;

/** Outcomes by their Chinese names, so a transition fits the chart's label column. */
const OUTCOME_NAMES: Readonly<Record<string, string>> = {
  APPROVED: '批准',
  APPROVED_ON_COMMITMENT: '承诺批准',
  ACCEPTED_PENDING_MATERIALS: '容缺受理',
  MANUAL_REVIEW: '人工审核',
  REJECTED: '不予批准',
  TERMINATED: '终止',
  REVOKED: '撤销',
};
const named = (outcome: string) => OUTCOME_NAMES[outcome] ?? outcome;

const rate = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const count = (n: number) => n.toLocaleString('en');

export function simulationHtml(view: ItemSimulationView): string {
  const r = view.result;
  if (r === undefined) throw new Error(`simulation ${view.simulationId} is not done`);
  const title = `沙盘推演：${view.itemCode} 草案第${view.draftVersion}版`;
  const kpi = (label: string, value: string) => `<div class="kpi"><b>${escapeHtml(value)}</b><span>${escapeHtml(label)}</span></div>`;
  const maxTransition = Math.max(1, ...r.transitions.map((t) => t.count));
  // Changed outcomes first (a regression in red, a conversion to approval in blue), unchanged ones in grey.
  const changed = r.transitions.filter((t) => t.from !== t.to);
  const same = r.transitions.filter((t) => t.from === t.to);
  const transitionBars = (list: typeof r.transitions) =>
    list.map((t) => ({ label: `${named(t.from)} → ${named(t.to)}`, value: t.count, display: count(t.count) }));
  const regressionsOf = changed.filter((t) => APPROVALS.has(t.from) && !APPROVALS.has(t.to));
  const others = changed.filter((t) => !regressionsOf.includes(t));
  const maxBlocking = Math.max(1, ...r.blockingFacts.map((f) => f.applications));
  const rows = r.regressions
    .slice(0, MAX_REGRESSIONS)
    .map(
      (g) =>
        `<tr><td>${escapeHtml(g.applicationId)}</td><td>${escapeHtml(`${named(g.to)} ${g.to}`)}</td><td>${escapeHtml(g.reasons.join(', '))}</td>` +
        `<td>${escapeHtml(g.rules.map((x) => `${x.id} ${x.description}`).join('；'))}</td></tr>`,
    )
    .join('');
  const tick = (v: number) => String(Math.round(v));
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><div class="page">
<header class="masthead"><div class="issuer">政务服务数据管理局</div><div class="docno">沙盘推演 · ${escapeHtml(view.simulationId)}</div></header>
<h1>${escapeHtml(title)}</h1>
<div class="meta">申请提交时间 ${escapeHtml(view.window.from)} 至 ${escapeHtml(view.window.to)} · 发起 ${escapeHtml(view.requestedBy)} · ${escapeHtml(view.createdAt)} · 由 CivicFlow 自动生成；推演不改变任何决定、统计或对外事件</div>
<section class="kpis">
${kpi('重放申请数', count(r.replayed))}
${kpi('秒批率（现行）', rate(r.instantApprovalRate.baseline))}
${kpi('秒批率（草案）', rate(r.instantApprovalRate.projected))}
${kpi('免提交材料（现行→草案）', `${count(r.materialsWaived.baseline)}→${count(r.materialsWaived.projected)}`)}
${kpi('倒退（原批准将不再批准）', count(r.regressions.length))}
${kpi('未能重放', count(r.notReplayable))}
${r.notReplayableBy?.factsOverBudget ? kpi('其中：事实超出存储上限', count(r.notReplayableBy.factsOverBudget)) : ''}
${r.bundleChildrenNotReplayed ? kpi('一件事子项（未重放）', count(r.bundleChildrenNotReplayed)) : ''}
</section>
<h2>一、图表</h2>
<div class="charts">
${barChart('regressions', '倒退：原批准的申请将变为', transitionBars(regressionsOf), maxTransition, RED, tick)}
${barChart('changes', '其他变化的决定', transitionBars(others), maxTransition, BLUE, tick)}
${barChart('unchanged', '不变的决定', transitionBars(same), maxTransition, GREY, tick)}
${barChart('blocking-facts', '阻碍秒批最多的未知信息（申请数）', r.blockingFacts.map((f) => ({ label: f.fact, value: f.applications, display: count(f.applications) })), maxBlocking, RED, tick)}
</div>
<h2>二、阻碍秒批的未知信息</h2>
${r.blockingFacts.length === 0 ? '<p class="none">没有仅因信息未知而转人工的申请。</p>' : `<div class="scroll"><table><thead><tr><th>事实路径</th><th>仅因其未知而转人工的申请</th></tr></thead><tbody>${r.blockingFacts.map((f) => `<tr><td>${escapeHtml(f.fact)}</td><td class="num">${count(f.applications)}</td></tr>`).join('')}</tbody></table></div>`}
<h2>三、倒退明细${r.regressions.length > MAX_REGRESSIONS ? `（前 ${MAX_REGRESSIONS} 条，共 ${count(r.regressions.length)} 条）` : ''}</h2>
${r.regressions.length === 0 ? '<p class="none">没有原批准的申请会被拒绝或转人工。</p>' : `<div class="scroll"><table><thead><tr><th>申请</th><th>草案结果</th><th>原因代码</th><th>导致变化的规则</th></tr></thead><tbody>${rows}</tbody></table></div>`}
<div class="basis">口径：每一件申请以其首次决定时所见的事实（申请、共享档案、电子证照、信用记录、决定时刻）按草案重新决定；秒批率为即办事项中秒批（APPROVED）的申请占比。一件事申请中按本事项决定的子项未保存各自所见的事实，暂不重放，只计数，不计入其他数字。</div>
</div></body></html>
`;
}
