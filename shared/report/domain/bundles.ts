/**
 * 一件事 in the monthly report: the bundle applications submitted in the month (local date in the bureau's
 * time zone), each with its current version at generation time, per bundle code and in total — by outcome,
 * the share of the finished ones decided with no person at all, the materials saved, and the time from
 * submission to the final outcome in working days against the sum of the applicable items' legal days.
 * The figures are those of `GET /approval/bundle-figures` (the approval capability's `bundleFigures`) over
 * the month's applications. Pure: the calendar is passed in.
 */
import { bundleFigures, type BundleSummary } from '#approval';
import type { WorkingCalendar } from '#calendar/types';

export type BundleFigures = ReturnType<typeof bundleFigures>;

export interface BundleRow extends BundleFigures {
  readonly bundleCode: string;
}

export interface BundleSection {
  /** Per bundle code, in code order. */
  readonly byBundle: readonly BundleRow[];
  readonly total: BundleFigures;
}

export interface BundleInput {
  /** Every bundle application's current version (the report keeps those submitted in the month). */
  readonly summaries: readonly BundleSummary[];
  readonly calendar: WorkingCalendar;
}

/** A bundle application's outcome, in the report's words. */
export const BUNDLE_STATUS_LABELS = {
  APPROVED: '全部办结',
  PARTIALLY_APPROVED: '部分办结',
  REJECTED: '不予办理',
  TERMINATED: '终止办理',
  IN_PROGRESS: '办理中',
  ACCEPTED_PENDING_MATERIALS: '容缺受理',
  NEEDS_ANSWER: '待回答情形问题',
} as const;

export const BUNDLE_BASIS =
  '本月提交的一件事申请（按办理地时区的提交日期），以报告生成时的最新状态计；全程无人工占比、节省材料数与用时只计已办结的申请，用时为提交至办结的工作日数，与各适用事项法定办结时限之和相比';

/** The section over the summaries already kept for the month. */
export function bundleSection(summaries: readonly BundleSummary[], calendar: WorkingCalendar): BundleSection {
  const codes = [...new Set(summaries.map((s) => s.bundleCode))].sort();
  return {
    byBundle: codes.map((bundleCode) => ({ bundleCode, ...bundleFigures(summaries.filter((s) => s.bundleCode === bundleCode), calendar) })),
    total: bundleFigures(summaries, calendar),
  };
}
