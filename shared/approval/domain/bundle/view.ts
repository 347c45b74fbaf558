/**
 * What the query shows of a bundle application and the bundle figures. Pure: the route
 * passes the stored state, the clock's reading and the calendar (overdue is computed at read time).
 */
import type { WorkingCalendar } from '#calendar/types';
import type { BundleState } from './application';
import { FINAL_BUNDLE_STATUSES, isFinalBundleStatus, type BundleStatus } from './types';

/** The bundle application: its children, which items applied and why, the merged materials and what was waived. */
export function bundleView(s: BundleState, now: string) {
  const open = !isFinalBundleStatus(s.status);
  return {
    kind: 'bundle' as const,
    applicationId: s.applicationId,
    bundleCode: s.bundleCode,
    bundleVersion: s.bundleVersion,
    bundleName: s.bundleName,
    leadDepartmentCode: s.leadDepartmentCode,
    channel: s.channel,
    status: s.status,
    reasons: s.reasons,
    reasonCodes: s.reasons.map((r) => r.code),
    questions: s.questions,
    unknownFacts: s.unknownFacts,
    // Which items applied, and why: each appliesWhen with its trace (null: the item always applies).
    applicability: s.applicability.map((a) => ({ itemCode: a.itemCode, required: a.required, applies: a.applies, explanation: a.explanation })),
    children: s.children.map((c) => ({
      itemCode: c.itemCode,
      required: c.required,
      departmentCode: c.departmentCode,
      state: c.state.kind === 'decided' ? 'decided' : c.state.kind,
      outcome: c.state.kind === 'decided' ? c.state.outcome : null,
      ...(c.state.kind === 'notStarted' ? { predecessor: c.state.predecessor, predecessorState: c.state.predecessorState } : {}),
      ...(c.state.kind === 'waiting' ? { waitingFor: c.state.for } : {}),
      decision: c.decision === undefined ? null : (({ effects: _e, ...d }) => d)(c.decision),
      // Its verification (告知承诺核查) flagged overdue by the schedule, as a single application's is shown.
      verificationOverdue: c.verificationOverdueAt === undefined ? null : { flaggedAt: c.verificationOverdueAt },
    })),
    // The merged material set: each material with the items it served.
    materials: s.materials.map((m) => ({ ...m, servesItems: m.servesItems })),
    notice: s.notice,
    materialsWaived: s.materialsWaived,
    materialsSaved: s.materialsSaved,
    legalDaysSum: s.legalDaysSum,
    dueAt: s.dueAt,
    overdue: open && s.dueAt !== null && Date.parse(now) > Date.parse(s.dueAt),
    submittedAt: s.submittedAt,
    decidedAt: s.decidedAt,
    updatedAt: s.updatedAt,
    sequence: s.sequence,
  };
}

export interface BundleFigureInput {
  readonly status: BundleStatus;
  readonly noPerson: boolean;
  readonly materialsSaved: number;
  readonly legalDaysSum: number;
  readonly submittedAt: string;
  readonly decidedAt: string;
}

/**
 * Bundles by outcome; over bundles in a final state: the share decided with no person at all, the
 * materials saved, and the time from submission to the final outcome in working days against the sum of
 * the applicable items' legal days.
 */
export function bundleFigures(bundles: readonly BundleFigureInput[], calendar: WorkingCalendar) {
  const byStatus: Record<string, number> = {};
  for (const b of bundles) byStatus[b.status] = (byStatus[b.status] ?? 0) + 1;
  const final = bundles.filter((b) => (FINAL_BUNDLE_STATUSES as readonly BundleStatus[]).includes(b.status));
  const workingDays = final.reduce((sum, b) => sum + calendar.workingDaysBetween(b.submittedAt, b.decidedAt), 0);
  const legalDays = final.reduce((sum, b) => sum + b.legalDaysSum, 0);
  return {
    bundles: bundles.length,
    byStatus,
    final: final.length,
    noPersonShare: final.length === 0 ? null : final.filter((b) => b.noPerson).length / final.length,
    materialsSaved: final.reduce((sum, b) => sum + b.materialsSaved, 0),
    workingDays,
    legalDays,
    timeAgainstLegal: legalDays === 0 ? null : workingDays / legalDays,
  };
}
