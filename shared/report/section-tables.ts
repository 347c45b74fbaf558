/**
 * The 办不成事 and upward-sync sections as tables of text cells, drawn the same way in the terminal
 * (./render.ts) and on the page (./html.ts), so the two can never show different numbers; so is the
 * 缺数清单 and 一件事. A report of version 1 has none of them, one of version 2 no 缺数清单, one of
 * version 1 to 3 no 一件事: their tables say so instead of showing zeros.
 */
import type { HardCaseCounts } from '#hardcase';
import type { OldestRecord } from '#review';
import { LABELS, type MonthlyReport } from './domain/build';
import { BUNDLE_STATUS_LABELS, type BundleFigures } from './domain/bundles';
import { GAP_CAUSE_LABELS, GAP_CAUSES, UNOWNED } from './domain/gaps';
import { SYNC_STATE_LABELS, UNCLASSIFIED_CAUSE } from './domain/sections';

export interface SectionTable {
  /** Names the table on the page (`data-table`) for the layout check and tests. */
  readonly id: string;
  readonly caption: string;
  readonly header: readonly string[];
  /**
   * Per column, the key of its field in the report's `labels` (`hardCase.received`, `dataGaps.owner`, …); null
   * for the column that names a row whose key is in `rowKeys` (a table of figures, one per row).
   */
  readonly fields: readonly (string | null)[];
  /** The `labels` key of each row, for a table whose rows are figures. */
  readonly rowKeys?: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Leading columns of text, aligned left; the rest are figures (default 1). */
  readonly textColumns?: number;
  /** Said instead of an empty table. */
  readonly empty: string;
}

const count = (v: number) => String(v);

/**
 * A place in a ranking, as the reports write it: a place several rows share reads 并列 (并列1, 并列1, 3).
 * The department ranking and the 缺数清单 both print their places with it; `ranking` is every ranked row,
 * not only those shown, so a tie that runs past the table's last row still reads 并列.
 */
export function rankLabel(rank: number, ranking: readonly { readonly rank: number }[]): string {
  return ranking.filter((r) => r.rank === rank).length > 1 ? `并列${rank}` : String(rank);
}
const rate = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

/** A duration as people read a backlog: seconds to hours, then days. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} 毫秒`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} 秒`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} 分钟`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} 小时`;
  return `${(ms / 86_400_000).toFixed(1)} 天`;
}

/** The figures of a 办不成事 row: its header, and its field of the counts (labelled `hardCase.<field>`). */
const HARDCASE_COLUMNS: readonly (readonly [header: string, field: keyof HardCaseCounts])[] = [
  ['登记', 'received'],
  ['系统提供', 'offered'],
  ['已联系', 'contacted'],
  ['已解决', 'resolved'],
  ['已解释说明', 'explained'],
  ['提级处理', 'escalated'],
  ['已回访', 'returnVisited'],
  ['已办结', 'closed'],
  ['解决率', 'resolutionRate'],
  ['回访满意率', 'satisfactionRate'],
  ['逾期未联系', 'overdueContact'],
  ['逾期未办结', 'overdueResolve'],
  ['逾期', 'overdue'],
];
const HARDCASE_HEADER = HARDCASE_COLUMNS.map(([header]) => header);
const HARDCASE_FIELDS = HARDCASE_COLUMNS.map(([, field]) => `hardCase.${field}`);
const isRate = (field: keyof HardCaseCounts) => field === 'resolutionRate' || field === 'satisfactionRate';

function hardCaseCells(c: HardCaseCounts): string[] {
  return HARDCASE_COLUMNS.map(([, field]) => (isRate(field) ? rate(c[field]) : count(c[field])));
}

const label = (key: string, fallback: string) => LABELS[key] ?? fallback;
const NOT_IN_VERSION_1 = '本报告生成时尚未统计此项。';
const NOT_REPORTING_UPWARD = '本区未开启向省级（国家）好差评平台的数据上报。';

/** 办不成事: by channel with the month's total, by cause, by item. */
export function hardCaseTables(report: MonthlyReport): SectionTable[] {
  const h = report.hardCases;
  const none = h === undefined ? NOT_IN_VERSION_1 : '本月无办不成事案件。';
  return [
    {
      id: 'hardcase-by-channel',
      caption: '按反映渠道',
      header: ['渠道', ...HARDCASE_HEADER],
      fields: ['hardCase.channel', ...HARDCASE_FIELDS],
      rows:
        h === undefined || h.all.received === 0
          ? []
          : [...h.byChannel.map((r) => [label(`hardCase.channel.${r.channel}`, r.channel), ...hardCaseCells(r.counts)]), ['合计', ...hardCaseCells(h.all)]],
      empty: none,
    },
    {
      id: 'hardcase-by-cause',
      caption: '按原因',
      header: ['原因', ...HARDCASE_HEADER],
      fields: ['hardCase.cause', ...HARDCASE_FIELDS],
      rows: (h?.byCause ?? []).map((r) => [label(`hardCase.cause.${r.cause}`, r.cause === UNCLASSIFIED_CAUSE ? '尚未认定原因' : r.cause), ...hardCaseCells(r.counts)]),
      empty: none,
    },
    {
      id: 'hardcase-by-item',
      caption: '按事项',
      header: ['事项', ...HARDCASE_HEADER],
      fields: ['hardCase.itemCode', ...HARDCASE_FIELDS],
      rows: (h?.byItem ?? []).map((r) => [r.itemCode, ...hardCaseCells(r.counts)]),
      empty: h === undefined ? NOT_IN_VERSION_1 : '本月无关联事项的办不成事案件。',
    },
  ];
}

/** "YYYY-MM-DD HH:mm" in the report's time zone. */
export function localMinute(instant: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(
    new Date(instant),
  );
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

function oldest(record: OldestRecord | null, timeZone: string): string {
  if (record === null) return '无';
  return `${record.recordId}（${SYNC_STATE_LABELS[record.state]}，发生于 ${localMinute(record.sourceEventAt, timeZone)}，已等待 ${formatDuration(record.ageMs)}）`;
}

const LAG_ROWS = ['upward.lag.count', 'upward.lag.p50Ms', 'upward.lag.p99Ms', 'upward.lag.maxMs', 'upward.oldestPending', 'upward.oldestUnacked'];

/** Upward sync: records by state, rejections by reason, lag and the oldest records waiting. */
export function upwardTables(report: MonthlyReport): SectionTable[] {
  const u = report.upwardSync ?? undefined;
  const absent = report.upwardSync === null ? NOT_REPORTING_UPWARD : NOT_IN_VERSION_1;
  return [
    {
      id: 'upward-by-state',
      caption: '上报记录状态',
      header: ['状态', '记录数'],
      fields: ['upward.byState', 'upward.records'],
      rows: u === undefined ? [] : [...Object.entries(u.byState).map(([state, n]) => [label(`upward.byState.${state}`, state), count(n)]), ['合计', count(u.records)]],
      empty: absent,
    },
    {
      id: 'upward-rejections',
      caption: '退回原因',
      header: ['原因', '代码', '记录数'],
      fields: ['upward.rejectionsByReason.code', 'upward.rejectionsByReason.code', 'upward.rejectionsByReason.count'],
      textColumns: 2,
      rows: (u?.rejectionsByReason ?? []).map((r) => [label(`upward.rejection.${r.code}`, '平台退回'), r.code, count(r.count)]),
      empty: u === undefined ? absent : '本月无被退回的记录。',
    },
    {
      id: 'upward-lag',
      caption: '上报时延与积压',
      header: ['指标', '值'],
      fields: [null, null],
      rowKeys: LAG_ROWS,
      textColumns: 2,
      rows:
        u === undefined
          ? []
          : [
              count(u.lag.count),
              formatDuration(u.lag.p50Ms),
              formatDuration(u.lag.p99Ms),
              formatDuration(u.lag.maxMs),
              oldest(u.oldestPending, report.timeZone),
              oldest(u.oldestUnacked, report.timeZone),
            ].map((value, i) => [label(LAG_ROWS[i]!, LAG_ROWS[i]!), value]),
      empty: absent,
    },
  ];
}

/** Rows of the ledger the page and the terminal show; the stored JSON keeps every row. */
export const GAP_TABLE_ROWS = 20;
const ownerLabel = (owner: string) => (owner === UNOWNED ? '未明确责任部门' : owner);
const yuan = (v: number) => v.toLocaleString('en-US');

/** 缺数清单: the month's missing data ranked by the cases it would unlock, and each owner's totals. */
export function gapTables(report: MonthlyReport): SectionTable[] {
  const g = report.dataGaps;
  const none = g === undefined ? NOT_IN_VERSION_1 : '本月没有因缺少数据而不能自动办理的申请或企业。';
  const ranked = g?.rows ?? [];
  const rows = ranked.slice(0, GAP_TABLE_ROWS);
  const more = g !== undefined && g.rows.length > GAP_TABLE_ROWS ? `（共 ${g.rows.length} 项，列出前 ${GAP_TABLE_ROWS} 项）` : '';
  return [
    {
      id: 'gaps-ranking',
      caption: `缺数排名${more}`,
      header: ['名次', '缺失数据', '数据责任部门', '原因', '申请数', '企业数', '涉及惠企金额（元）'],
      fields: ['dataGaps.rank', 'dataGaps.key', 'dataGaps.owner', 'dataGaps.byCause', 'dataGaps.applications', 'dataGaps.enterprises', 'dataGaps.benefitAmount'],
      textColumns: 4,
      rows: rows.map((r) => [
        rankLabel(r.rank, ranked),
        r.kind === 'material' ? `材料 ${r.key}${r.name === undefined ? '' : ` ${r.name}`}` : r.key,
        ownerLabel(r.owner),
        GAP_CAUSES.filter((c) => r.byCause[c] > 0).map((c) => `${GAP_CAUSE_LABELS[c]} ${r.byCause[c]}`).join('；'),
        count(r.applications),
        count(r.enterprises),
        yuan(r.benefitAmount),
      ]),
      empty: none,
    },
    {
      id: 'gaps-by-owner',
      caption: '按数据责任部门',
      header: ['部门', '缺失数据项', '申请数', '企业数', '涉及惠企金额（元）'],
      fields: ['dataGaps.owner', 'dataGaps.gaps', 'dataGaps.applications', 'dataGaps.enterprises', 'dataGaps.benefitAmount'],
      rows:
        g === undefined || g.owners.length === 0
          ? []
          : [
              ...g.owners.map((o) => [ownerLabel(o.owner), count(o.gaps), count(o.applications), count(o.enterprises), yuan(o.benefitAmount)]),
              ['合计', count(g.totals.gaps), count(g.totals.applications), count(g.totals.enterprises), yuan(g.totals.benefitAmount)],
            ],
      empty: none,
    },
  ];
}

export { BUNDLE_STATUS_LABELS };
const BUNDLE_STATUSES = Object.keys(BUNDLE_STATUS_LABELS) as (keyof typeof BUNDLE_STATUS_LABELS)[];

function bundleCells(f: BundleFigures): string[] {
  return [
    count(f.bundles),
    ...BUNDLE_STATUSES.map((st) => count(f.byStatus[st] ?? 0)),
    rate(f.noPersonShare),
    count(f.materialsSaved),
    count(f.workingDays),
    count(f.legalDays),
    rate(f.timeAgainstLegal),
  ];
}

/** 一件事: per bundle code with the month's total — by outcome, decided with no person, materials saved, time against the legal days. */
export function bundleTables(report: MonthlyReport): SectionTable[] {
  const b = report.bundles;
  return [
    {
      id: 'bundles-by-code',
      caption: '按一件事',
      header: ['一件事', '申请数', ...BUNDLE_STATUSES.map((st) => BUNDLE_STATUS_LABELS[st]), '全程无人工占比', '节省材料数', '实际用时（工作日）', '法定时限合计（工作日）', '用时占法定时限'],
      fields: [
        'bundles.bundleCode',
        'bundles.bundles',
        ...BUNDLE_STATUSES.map((st) => `bundles.byStatus.${st}`),
        'bundles.noPersonShare',
        'bundles.materialsSaved',
        'bundles.workingDays',
        'bundles.legalDays',
        'bundles.timeAgainstLegal',
      ],
      rows: b === undefined || b.total.bundles === 0 ? [] : [...b.byBundle.map((r) => [r.bundleCode, ...bundleCells(r)]), ['合计', ...bundleCells(b.total)]],
      empty: b === undefined ? NOT_IN_VERSION_1 : '本月无一件事申请。',
    },
  ];
}
