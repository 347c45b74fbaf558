/**
 * The monthly report of a district: every figure of 秒批, 免申即享 and 好差评 per department, with Chinese labels.
 * Pure: the report's sources (../sources.ts) read the decisions, policies and review counters; this module
 * decides what belongs to the month and aggregates.
 *
 * What "the month" means for each capability (the product fixes it only for reviews):
 * - 秒批: applications submitted in the month (local date in the bureau's time zone), each with its current
 *   decision at generation time (a 容缺 case re-decided in the next month counts with its final outcome).
 * - 免申即享: policies whose validity overlaps the month and that were published by its end (and not withdrawn
 *   before it began); their figures are cumulative at generation time, as the policy route shows them.
 * - 好差评: cases completed in the month, from the same counters as `GET /reviews/figures`.
 * - 办不成事: cases reported in the month, the figures of `GET /hardcases/figures?period=YYYY-MM`.
 * - Upward sync: records of the month's reviews, defaults and steps, the figures of
 *   `GET /reviews/sync/figures?period=YYYY-MM` (./sections.ts).
 */
import { daysOfMonth } from '#calendar';
import { approvalFigures, OUTCOMES, type ApprovalFigures, type CurrentDecision, type Outcome } from '#approval';
import type { Policy, PolicyFigures } from '#entitlement';
import type { HardCaseFigures } from '#hardcase';
import { addCounters, emptyCounters, figuresFromCounters, LEVEL_LABELS, rankDepartments, type Counters, type Figures, type RankingEntry, type SyncFigures } from '#review';
import { sumDecimals } from '#util/decimal';
import { BUNDLE_BASIS, BUNDLE_STATUS_LABELS, bundleSection, type BundleInput, type BundleSection } from './bundles';
import { buildGapLedger, GAP_CAUSE_LABELS, type GapInput, type GapLedger } from './gaps';
import { hardCaseSection, SECTION_BASIS, SECTION_LABELS, upwardSyncSection, type HardCaseSection, type UpwardSyncSection } from './sections';

export const REPORT_KIND = 'civicflow.monthly-report';
/**
 * 2: the 办不成事 and upward-sync sections; a stored report of version 1 has neither.
 * 3: the 缺数清单 (data-gap ledger); a stored report of version 1 or 2 has none.
 * 4: the 一件事 section (./bundles.ts); a stored report of version 1 to 3 has none.
 * 5: 告知承诺核查逾期数 (`approval.overdueVerifications`) counts the 一件事 children whose verification was
 *    flagged overdue too, by the child's department; in a stored report of version 1 to 4 it counts
 *    single-item applications only. A policy row carries `upheldAfterRelease`.
 * 6: a policy row carries `lapsed` (listed pairs whose policy ended before their release, no longer in
 *    `eligible`); a stored report of version 1 to 5 has none, and is drawn with "—" there.
 * 7: a policy row carries `removed` (pairs an upheld objection took off the list, no longer in
 *    `eligible`). A department's (and the total's) entitlement section carries the sums of its policy rows'
 *    `lapsed`, `removed`, `objectionsFiled`, `objectionsUpheld`, `upheldAfterRelease`, `objectionsDismissed` and
 *    `addedBySelfObjection`; a stored report of version 1 to 6 has none, and is drawn with "—" there.
 *    Its `labels` name every field of a department's figures and of a policy row (`policy.<field>`) and every
 *    column of its tables; a stored report of version 1 to 6 labels fewer (the page draws with LABELS anyway).
 */
export const REPORT_VERSION = 7;
export const TOTAL_KEY = 'all';

export interface DecisionInput {
  /** The application's current decision (highest sequence). */
  readonly decision: CurrentDecision;
  /** Its commitment verification was flagged overdue. */
  readonly verificationOverdue: boolean;
}

export interface PolicyInput {
  readonly policy: Policy;
  readonly figures: PolicyFigures & { readonly delivered: number };
}

export interface ReportInput {
  readonly district: { readonly code: string; readonly name: string };
  /** "YYYY-MM". */
  readonly month: string;
  readonly timeZone: string;
  readonly generatedAt: string;
  readonly decisions: readonly DecisionInput[];
  readonly policies: readonly PolicyInput[];
  /** The month's review counters per department (dimension `department`). */
  readonly reviewDepartments: readonly { readonly key: string; readonly counters: Counters }[];
  /** The district's review counters per day of the month (dimension `all`), for the 差评 trend. */
  readonly reviewDays: readonly { readonly day: string; readonly counters: Counters }[];
  /** The hard-case figures of the month (period `month`), overdue as of `generatedAt`. */
  readonly hardCases: HardCaseFigures;
  /** The upward-sync figures of the month, the oldest records as of `generatedAt`; null when the stage reports nothing upward. */
  readonly upwardSync: SyncFigures | null;
  /** What the month's data-gap ledger is built from (absent: the report has no ledger). */
  readonly dataGaps?: GapInput;
  /** The bundle applications and the calendar their working days are counted on (absent: no 一件事 section). */
  readonly bundles?: BundleInput;
}

export interface ApprovalSection extends ApprovalFigures {
  /**
   * Commitment verifications flagged overdue: single-item applications, and (from version 5) the children
   * of 一件事 applications, each child once.
   */
  readonly overdueVerifications: number;
}

/** A 一件事 child of the month whose verification was flagged overdue, by the department that owns it. */
interface OverdueChild {
  readonly departmentCode: string | null;
}

/** The entitlement figures of one policy, or summed over a section's policies. */
export interface EntitlementCounts {
  readonly eligible: number;
  readonly needsInfo: number;
  readonly notified: number;
  readonly delivered: number;
  readonly confirmed: number;
  readonly granted: number;
  readonly disbursed: number;
  readonly exhausted: number;
  /** (confirmed + granted) / eligible; null when nobody was eligible. */
  readonly coverage: number | null;
  /** Publish to last push (for a section: the longest of its policies). */
  readonly publishToLastPushMs: number | null;
  readonly amountReserved: number;
  readonly amountDisbursed: number;
  /** 追回: entitlements whose money was taken back after disbursement (still counted as disbursed), and the yuan. */
  readonly recovered: number;
  readonly amountRecovered: number;
}

export interface PolicyRow extends EntitlementCounts {
  readonly policyId: string;
  readonly name: string;
  readonly departmentCode: string;
  readonly kind: Policy['kind'];
  readonly status: 'active' | 'withdrawn';
  /** 公示 and 异议 (self-objections are never upheld or dismissed), and the mean natural days of the policy. */
  readonly objectionsFiled: number;
  readonly objectionsUpheld: number;
  /**
   * Of the upheld, those resolved after their pair had been released (not removed: taking the benefit back is
   * a recovery). From version 5; absent in a stored report of version 1 to 4.
   */
  readonly upheldAfterRelease?: number;
  readonly objectionsDismissed: number;
  readonly addedBySelfObjection: number;
  /**
   * 公示失效: listed pairs whose policy was withdrawn, or past its validTo when their window ended, before
   * their release (LAPSED): never pushed, their reservation returned, no longer counted in `eligible`. From
   * version 6; absent in a stored report of version 1 to 5.
   */
  readonly lapsed?: number;
  /**
   * Listed pairs taken off the list by an upheld third-party objection before their release (REMOVED): not
   * counted in `eligible`. From version 7; absent in a stored report of version 1 to 6.
   */
  readonly removed?: number;
  readonly publicityToPaymentDaysMean: number | null;
  readonly eligibleToPushDaysMean: number | null;
}

/** The 公示 and 异议 counts of a section: the sums of its policy rows' (from version 7; absent before). */
export const SECTION_PUBLICITY_COUNTS = ['lapsed', 'removed', 'objectionsFiled', 'objectionsUpheld', 'upheldAfterRelease', 'objectionsDismissed', 'addedBySelfObjection'] as const;
export type SectionPublicityCount = (typeof SECTION_PUBLICITY_COUNTS)[number];

export interface EntitlementSection extends EntitlementCounts, Partial<Readonly<Record<SectionPublicityCount, number>>> {
  readonly policies: number;
}

export interface ReviewSection extends Figures {
  /** Place in the month's ranking by composite score; null when not ranked (no real review). */
  readonly rank: number | null;
}

export interface DepartmentReport {
  /** A department code, or `all` for the district total. */
  readonly departmentCode: string;
  readonly approval: ApprovalSection;
  readonly entitlement: EntitlementSection;
  readonly review: ReviewSection;
}

export interface MonthlyReport {
  readonly kind: typeof REPORT_KIND;
  /** Reports are stored once and kept, so older versions are still read and rendered. */
  readonly version: 1 | 2 | 3 | 4 | 5 | 6 | typeof REPORT_VERSION;
  readonly district: { readonly code: string; readonly name: string };
  readonly month: string;
  readonly timeZone: string;
  readonly generatedAt: string;
  readonly departments: readonly DepartmentReport[];
  readonly total: DepartmentReport;
  readonly policies: readonly PolicyRow[];
  readonly ranking: readonly RankingEntry[];
  /** Per day of the month: real reviews and 差评 of cases completed that day. */
  readonly badReviewTrend: readonly { readonly day: string; readonly realReviews: number; readonly negative: number }[];
  /** 办不成事 (absent in a report of version 1). */
  readonly hardCases?: HardCaseSection;
  /** 好差评 upward sync: null when the stage does not report upward (absent in a report of version 1). */
  readonly upwardSync?: UpwardSyncSection | null;
  /** 缺数清单, ranked by cases (absent in a report of version 1 or 2). */
  readonly dataGaps?: GapLedger;
  /** 一件事, per bundle code (absent in a report of version 1 to 3). */
  readonly bundles?: BundleSection;
  /**
   * Figure key → Chinese label, so a reader of the stored JSON has the labels too: `approval.*`, `entitlement.*`
   * and `review.*` for a department's figures, `policy.*` for a policy row's fields, then `ranking.*`,
   * `badReviewTrend.*`, `hardCase.*`, `upward.*`, `dataGaps.*` and `bundles.*`.
   */
  readonly labels: Readonly<Record<string, string>>;
  /** How each capability's month is delimited, in Chinese. */
  readonly basis: Readonly<Record<'approval' | 'entitlement' | 'review', string>> & Partial<Readonly<Record<'hardCase' | 'upwardSync' | 'dataGaps' | 'bundles', string>>>;
}

export const OUTCOME_LABELS: Readonly<Record<Outcome, string>> = {
  APPROVED: '批准（秒批）',
  APPROVED_ON_COMMITMENT: '告知承诺批准',
  ACCEPTED_PENDING_MATERIALS: '容缺受理',
  MANUAL_REVIEW: '转人工审核',
  REJECTED: '不予批准',
  TERMINATED: '终止办理',
  REVOKED: '撤销',
};

/** The 免申即享 figures of a department (`departments[].entitlement`, `total.entitlement`). */
export const ENTITLEMENT_LABELS: Readonly<Record<keyof EntitlementSection, string>> = {
  policies: '政策数',
  eligible: '符合条件企业数',
  needsInfo: '待补充信息数',
  notified: '已推送数',
  delivered: '推送送达数',
  confirmed: '已确认数（一键确认）',
  granted: '已兑现数',
  disbursed: '已拨付数',
  exhausted: '额度用完数',
  coverage: '政策覆盖率',
  publishToLastPushMs: '发布至最后推送用时',
  amountReserved: '已预留金额（元）',
  amountDisbursed: '已拨付金额（元）',
  recovered: '已追回数',
  amountRecovered: '已追回金额（元）',
  lapsed: '公示失效数',
  removed: '异议成立移出数',
  objectionsFiled: '异议提出数',
  objectionsUpheld: '异议成立数',
  upheldAfterRelease: '公示结束后成立的异议数',
  objectionsDismissed: '异议不成立数',
  addedBySelfObjection: '本人异议后新增数',
};

/** Every field of a policy row (`policies[]`): the section's figures of one policy, and its own. */
export const POLICY_ROW_LABELS: Readonly<Record<keyof PolicyRow, string>> = {
  policyId: '政策编号',
  name: '政策名称',
  departmentCode: '主管部门',
  kind: '政策类型（grant 直接兑现，confirm 一键确认）',
  status: '政策状态（active 有效，withdrawn 已撤回）',
  ...(({ policies: _policies, ...counts }) => counts)(ENTITLEMENT_LABELS),
  coverage: '政策覆盖率',
  publishToLastPushMs: '发布至最后推送用时',
  publicityToPaymentDaysMean: '公示至拨付平均天数（自然日）',
  eligibleToPushDaysMean: '符合条件至推送平均天数（自然日）',
};

const prefixed = (prefix: string, labels: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(labels).map(([k, v]) => [`${prefix}.${k}`, v]));

/**
 * Every figure in the report and every field its tables show, by its key (`section.field`, as in the JSON), with
 * its Chinese label.
 */
export const LABELS: Readonly<Record<string, string>> = {
  // 秒批
  'approval.decisions': '审批决定数',
  ...Object.fromEntries(OUTCOMES.map((o) => [`approval.byOutcome.${o}`, OUTCOME_LABELS[o]])),
  'approval.instantItemDecisions': '秒批事项决定数',
  'approval.instantApprovals': '秒批通过数',
  'approval.instantApprovalRate': '秒批率',
  'approval.materialsWaived': '免提交材料数',
  'approval.latencyMs.mean': '平均审批用时',
  'approval.latencyMs.p95': '审批用时（95%分位）',
  'approval.latencyMs.max': '最长审批用时',
  'approval.timeLimitCompression.mean': '承诺时限压缩率',
  'approval.overdueVerifications': '告知承诺核查逾期数',
  'approval.latencyMs.count': '计入审批用时的决定数',
  'approval.timeLimitCompression.count': '计入时限压缩率的决定数',
  // 免申即享
  ...prefixed('entitlement', ENTITLEMENT_LABELS),
  // 好差评
  'review.completedCases': '办件数',
  'review.realReviews': '主动评价数',
  'review.byLevel.5': LEVEL_LABELS[5],
  'review.byLevel.4': LEVEL_LABELS[4],
  'review.byLevel.3': LEVEL_LABELS[3],
  'review.byLevel.2': LEVEL_LABELS[2],
  'review.byLevel.1': LEVEL_LABELS[1],
  'review.positive': '好评数',
  'review.negative': '差评数',
  'review.defaulted': '默认评价数（基本满意）',
  'review.positiveRate': '好评率',
  'review.negativeRate': '差评率',
  'review.compositeScore': '综合评分（满分10分）',
  'review.activeReviewRate': '主动评价率',
  'review.unreviewedRate': '未评率',
  'review.coverage': '评价覆盖率',
  'review.rectified': '差评已整改数',
  'review.rectificationRate': '差评整改率',
  'review.returnVisited': '已回访数',
  'review.returnVisitRate': '回访率',
  'review.returnVisitSatisfied': '回访满意数',
  'review.satisfactionRate': '整改满意率',
  'review.overdue': '整改逾期数',
  'review.overdueAcknowledge': '逾期未签收数',
  'review.overdueRectify': '逾期未整改数',
  'review.invalidated': '无效差评数',
  'review.unfixable': '无法整改数',
  'review.rank': '综合评分排名',
  'review.points': '真实评价得分合计',
  'department.departmentCode': '部门（all 为全区合计）',
  // 政策明细 (`policies`), 排名 (`ranking`), 差评趋势 (`badReviewTrend`)
  ...prefixed('policy', POLICY_ROW_LABELS),
  'ranking.rank': '名次',
  'ranking.departmentCode': '部门',
  'ranking.compositeScore': '综合评分（满分10分）',
  'ranking.realReviews': '主动评价数',
  'badReviewTrend.day': '日期（按办结日）',
  'badReviewTrend.realReviews': '真实评价数',
  'badReviewTrend.negative': '差评数',
  // 办不成事 and upward sync
  ...SECTION_LABELS,
  // 缺数清单 (`dataGaps`): a ranked row's fields (`rows[]`) and an owner's totals (`owners[]`, `totals`)
  'dataGaps.from': '统计起始日',
  'dataGaps.to': '统计截止日',
  'dataGaps.rankedBy': '排名依据',
  'dataGaps.rank': '名次',
  'dataGaps.kind': '缺失数据类型（fact 数据项，material 材料）',
  'dataGaps.key': '缺失数据（数据项路径或材料编码）',
  'dataGaps.name': '材料名称',
  'dataGaps.owner': '数据责任部门',
  'dataGaps.byCause': '原因（按申请或企业计）',
  ...prefixed('dataGaps.byCause', GAP_CAUSE_LABELS),
  'dataGaps.applications': '申请数',
  'dataGaps.enterprises': '企业数',
  'dataGaps.entitlements': '待补充信息的政策与企业对数',
  'dataGaps.benefitAmount': '涉及惠企金额（元）',
  'dataGaps.itemCodes': '涉及事项',
  'dataGaps.policyIds': '涉及政策',
  'dataGaps.gaps': '缺失数据项',
  // 一件事 (`bundles`): a bundle code's figures (`byBundle[]`) and the month's (`total`)
  'bundles.bundleCode': '一件事',
  'bundles.bundles': '申请数',
  ...prefixed('bundles.byStatus', BUNDLE_STATUS_LABELS),
  'bundles.final': '已办结数',
  'bundles.noPersonShare': '全程无人工占比',
  'bundles.materialsSaved': '节省材料数',
  'bundles.workingDays': '实际用时（工作日）',
  'bundles.legalDays': '法定时限合计（工作日）',
  'bundles.timeAgainstLegal': '用时占法定时限',
};

export const BASIS = {
  approval: '本月提交的申请（按办理地时区的提交日期），以报告生成时的最新审批结果计',
  entitlement: '有效期与本月重叠、且本月底前已发布的政策；数字为截至报告生成时的累计值',
  review: '本月办结的办件（按办结日期），与“好差评”统计口径一致',
  ...SECTION_BASIS,
  dataGaps:
    '本月提交的申请按其最近一次实质审批所缺的数据计（规则无法判断的信息、无法核验的手工上传材料），政策按报告生成时仍“待补充信息”的企业计；同一申请或企业缺多项数据时在每项中各计一次',
  bundles: BUNDLE_BASIS,
} as const;

/** The local "YYYY-MM-DD" of an instant (or a date string as it is). */
export function localDay(value: string, timeZone: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(
    new Date(value),
  );
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** "YYYY-MM" of the month before the local month of `now`. */
export function previousMonth(now: string, timeZone: string): string {
  const [y, m] = localDay(now, timeZone).split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

function policyInMonth(p: Policy, month: string, timeZone: string): boolean {
  const first = `${month}-01`;
  const last = daysOfMonth(month).at(-1)!;
  if (localDay(p.validFrom, timeZone) > last || localDay(p.validTo, timeZone) < first) return false;
  if (p.publishedAt !== undefined && localDay(p.publishedAt, timeZone) > last) return false;
  if (p.withdrawnAt !== undefined && localDay(p.withdrawnAt, timeZone) < first) return false;
  return true;
}

function policyRow({ policy, figures }: PolicyInput): PolicyRow {
  return {
    policyId: policy.policyId,
    name: policy.name,
    departmentCode: policy.departmentCode,
    kind: policy.kind,
    status: policy.status ?? 'active',
    eligible: figures.eligible,
    needsInfo: figures.needsInfo,
    notified: figures.notified,
    delivered: figures.delivered,
    confirmed: figures.confirmed,
    granted: figures.granted,
    disbursed: figures.disbursed,
    exhausted: figures.exhausted,
    coverage: figures.coverage,
    publishToLastPushMs: figures.publishToLastPushMs,
    amountReserved: figures.amountReserved,
    amountDisbursed: figures.amountDisbursed,
    recovered: figures.recovered,
    amountRecovered: figures.amountRecovered,
    objectionsFiled: figures.objectionsFiled,
    objectionsUpheld: figures.objectionsUpheld,
    upheldAfterRelease: figures.upheldAfterRelease,
    objectionsDismissed: figures.objectionsDismissed,
    addedBySelfObjection: figures.addedBySelfObjection,
    lapsed: figures.lapsed,
    removed: figures.removed,
    publicityToPaymentDaysMean: figures.publicityToPaymentDaysMean,
    eligibleToPushDaysMean: figures.eligibleToPushDaysMean,
  };
}

export function entitlementSection(rows: readonly PolicyRow[]): EntitlementSection {
  // A row built now has every count; `?? 0` only satisfies the type of a stored row's optional ones.
  const sum = (k: keyof PolicyRow) => rows.reduce((s, r) => s + ((r[k] as number | undefined) ?? 0), 0);
  // Yuan add up as exact decimals, as the store keeps each policy's (100.1 + 200.2 is 300.3).
  const yuan = (k: 'amountReserved' | 'amountDisbursed' | 'amountRecovered') => sumDecimals(rows.map((r) => r[k]));
  const eligible = sum('eligible');
  const pushTimes = rows.map((r) => r.publishToLastPushMs).filter((v): v is number => v !== null);
  return {
    policies: rows.length,
    eligible,
    needsInfo: sum('needsInfo'),
    notified: sum('notified'),
    delivered: sum('delivered'),
    confirmed: sum('confirmed'),
    granted: sum('granted'),
    disbursed: sum('disbursed'),
    exhausted: sum('exhausted'),
    coverage: eligible === 0 ? null : (sum('confirmed') + sum('granted')) / eligible,
    publishToLastPushMs: pushTimes.length === 0 ? null : Math.max(...pushTimes),
    amountReserved: yuan('amountReserved'),
    amountDisbursed: yuan('amountDisbursed'),
    recovered: sum('recovered'),
    amountRecovered: yuan('amountRecovered'),
    ...(Object.fromEntries(SECTION_PUBLICITY_COUNTS.map((k) => [k, sum(k)])) as Record<SectionPublicityCount, number>),
  };
}

function approvalSection(inputs: readonly DecisionInput[], overdueChildren: readonly OverdueChild[]): ApprovalSection {
  return {
    ...approvalFigures(inputs.map((i) => i.decision)),
    overdueVerifications: inputs.filter((i) => i.verificationOverdue).length + overdueChildren.length,
  };
}

export function buildMonthlyReport(input: ReportInput): MonthlyReport {
  const { month, timeZone } = input;
  if (!MONTH_PATTERN.test(month)) throw new Error(`month must be YYYY-MM; got "${month}"`);

  const decisions = input.decisions.filter((d) => localDay(d.decision.submittedAt, timeZone).slice(0, 7) === month);
  // A bundle's children are not among the decisions (they live in the bundle's versions): their flagged
  // verifications come from the month's bundle applications, each child once.
  const bundles = input.bundles === undefined ? undefined : input.bundles.summaries.filter((b) => localDay(b.submittedAt, timeZone).slice(0, 7) === month);
  const overdueChildren: OverdueChild[] = (bundles ?? []).flatMap((b) => b.overdueVerifications ?? []);
  const policies = input.policies
    .filter((p) => policyInMonth(p.policy, month, timeZone))
    .map(policyRow)
    .sort((a, b) => (a.departmentCode < b.departmentCode ? -1 : a.departmentCode > b.departmentCode ? 1 : a.policyId < b.policyId ? -1 : 1));
  const reviewRows = new Map(input.reviewDepartments.map((r) => [r.key, r.counters]));

  const ranking = rankDepartments(
    input.reviewDepartments.map((r) => ({
      dimension: 'department' as const,
      key: r.key,
      period: { granularity: 'month' as const, value: month },
      ...figuresFromCounters(r.counters),
    })),
    month,
  );
  const rankOf = new Map(ranking.map((r) => [r.departmentCode, r.rank]));

  // A decision on an unknown item has no department; it is in the district total only.
  const codes = new Set<string>([
    ...decisions.flatMap((d) => (d.decision.departmentCode ? [d.decision.departmentCode] : [])),
    ...overdueChildren.flatMap((c) => (c.departmentCode ? [c.departmentCode] : [])),
    ...policies.map((p) => p.departmentCode),
    ...reviewRows.keys(),
  ]);
  const departments = [...codes].sort().map(
    (code): DepartmentReport => ({
      departmentCode: code,
      approval: approvalSection(
        decisions.filter((d) => d.decision.departmentCode === code),
        overdueChildren.filter((c) => c.departmentCode === code),
      ),
      entitlement: entitlementSection(policies.filter((p) => p.departmentCode === code)),
      review: { ...figuresFromCounters(reviewRows.get(code) ?? emptyCounters()), rank: rankOf.get(code) ?? null },
    }),
  );
  const allCounters = emptyCounters();
  for (const counters of reviewRows.values()) addCounters(allCounters, counters);
  const total: DepartmentReport = {
    departmentCode: TOTAL_KEY,
    approval: approvalSection(decisions, overdueChildren),
    entitlement: entitlementSection(policies),
    review: { ...figuresFromCounters(allCounters), rank: null },
  };

  const byDay = new Map(input.reviewDays.map((d) => [d.day, figuresFromCounters(d.counters)]));
  return {
    kind: REPORT_KIND,
    version: REPORT_VERSION,
    district: input.district,
    month,
    timeZone,
    generatedAt: input.generatedAt,
    departments,
    total,
    policies,
    ranking,
    badReviewTrend: daysOfMonth(month).map((day) => ({
      day,
      realReviews: byDay.get(day)?.realReviews ?? 0,
      negative: byDay.get(day)?.negative ?? 0,
    })),
    hardCases: hardCaseSection(input.hardCases, month),
    upwardSync: input.upwardSync === null ? null : upwardSyncSection(input.upwardSync),
    ...(input.dataGaps === undefined ? {} : { dataGaps: buildGapLedger(input.dataGaps) }),
    ...(input.bundles === undefined || bundles === undefined ? {} : { bundles: bundleSection(bundles, input.bundles.calendar) }),
    labels: LABELS,
    basis: BASIS,
  };
}
