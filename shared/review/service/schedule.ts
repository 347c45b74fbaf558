/**
 * The review schedule's decisions (好差评, every 15 minutes): the invitation, 3-day reminder and 7-day
 * default 基本满意 of a completed case, and the overdue flags of a rectification. Each is recorded on the
 * case and happens once, so re-running the schedule changes nothing. Also the figures it emits per
 * department for the dashboard.
 */
import { invitationDueAt, rectificationDueAt } from '../domain/due';
import { figuresFromCounters, type Figures } from '../domain/figures';
import { planInvitations, type InvitationAction } from '../domain/invitations';
import { overdueCheck } from '../domain/rectification';
import { invitationEvents, overdueEvents } from '../messages';
import type { CaseBundle, FigureRow, MetricValue } from '../ports';
import { nothing, type DecideContext, type Decision, type OverdueFlags } from './decision';
import { caseAudit, rectAudit } from './records';

export interface ScheduleSummary {
  readonly invited: number;
  readonly reminded: number;
  readonly defaulted: number;
  readonly overdue: number;
  readonly failed: number;
  /** Due cases not started because the run's time was running out: still due, the next run takes them. */
  readonly deferred: number;
}

/** The invitation, reminder and default due for one case; the actions taken. */
export function decideInvitations(bundle: CaseBundle, ctx: DecideContext): Decision<InvitationAction[]> {
  const state = bundle.record?.state;
  if (!state) return { effect: nothing, result: [] };
  const { now, config } = ctx;
  const plan = planInvitations(state, now, config);
  if (plan.actions.length === 0) return { effect: nothing, result: [] };
  const caseId = state.case.caseId;
  const audits = plan.actions.map((action) =>
    caseAudit(
      caseId,
      `review:${action}`,
      'system:review-schedule',
      now,
      action === 'default' ? 'no review after the silence period: default 基本满意' : `review ${action}`,
      `${action}:${caseId}`,
    ),
  );
  return {
    effect: {
      kind: 'write',
      change: {
        caseId,
        caseWrite: { expectedVersion: state.version, version: plan.next.version, state: plan.next, dueAt: invitationDueAt(plan.next, config) },
        figureDeltas: plan.figureDeltas,
        audits,
        outbound: invitationEvents(state.case, plan.actions, now),
      },
    },
    result: [...plan.actions],
  };
}

export type { OverdueFlags } from './decision';

/** The overdue check of one rectification; the kinds flagged now. */
export function decideOverdue(bundle: CaseBundle, ctx: DecideContext): Decision<OverdueFlags> {
  const rect = bundle.rectification;
  if (!rect) return { effect: nothing, result: { kinds: [] } };
  const result = overdueCheck(rect, ctx.now);
  if (result.flagged.length === 0) return { effect: nothing, result: { kinds: [] } };
  return {
    effect: {
      kind: 'write',
      change: {
        caseId: rect.caseId,
        rectWrite: { expectedVersion: rect.version, rect: result.next, dueAt: rectificationDueAt(result.next) },
        figureDeltas: result.figureDeltas,
        audits: result.auditEntries.map((entry) => rectAudit(entry, rect.caseId)),
        outbound: overdueEvents(rect, result.flagged, ctx.now),
      },
    },
    result: { kinds: [...result.flagged], rect: result.next, at: ctx.now },
  };
}

const FIGURE_METRICS: ReadonlyArray<readonly [string, (f: Figures) => number | null, MetricValue['unit']]> = [
  ['CompositeScore', (f) => f.compositeScore, 'None'],
  ['PositiveRate', (f) => f.positiveRate, 'None'],
  ['NegativeRate', (f) => f.negativeRate, 'None'],
  ['ActiveReviewRate', (f) => f.activeReviewRate, 'None'],
  ['Coverage', (f) => f.coverage, 'None'],
  ['RectificationRate', (f) => f.rectificationRate, 'None'],
  ['OverdueRectificationCases', (f) => f.overdue, 'Count'],
];

/** A department's figures of the month as dashboard metrics; a ratio without data is left out, not 0. */
export function figureMetrics(row: FigureRow): MetricValue[] {
  const figures = figuresFromCounters(row.counters);
  const values: MetricValue[] = [];
  for (const [name, pick, unit] of FIGURE_METRICS) {
    const value = pick(figures);
    if (value !== null) values.push({ name, unit, value });
  }
  return values;
}
