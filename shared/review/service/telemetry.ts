/**
 * What the review use cases say about their outcomes: metrics for the dashboard and alarms, and the log
 * lines the saved Logs Insights queries read (infra/stacks/observability.ts). Called only once the change
 * is written (`afterCommit` in a group commit), so a record redone after a conflict counts once. No
 * reviewer id and no comment in a log line.
 */
import type { EventRef } from '#platform/receipts';
import { countsOnce } from '#platform/refusals';
import type { OverdueKind, Rectification, Review } from '../domain/types';
import type { SyncRecord } from '../domain/upward/sync';
import type { LogSink, MetricsSink } from '../ports';
import type { OverdueFlags, Outcome } from './decision';
import type { ScheduleSummary } from './schedule';
import type { Step } from './steps';

export interface Telemetry {
  readonly metrics: MetricsSink;
  readonly log: LogSink;
}

const refusal = (out: Outcome) => (out.code !== undefined ? { code: out.code, reason: out.reason } : {});

function countWith(t: Telemetry, name: string, dimensions: Record<string, string>): void {
  t.metrics.single(dimensions, [{ name, unit: 'Count', value: 1 }]);
}

/** A refused event, by its id and type (read by the saved query of refusals). */
function logRefused(t: Telemetry, ref: EventRef | undefined, out: Outcome): void {
  if ((out.outcome === 'rejected' || out.outcome === 'refused') && ref) {
    t.log.info('refused', { eventId: ref.id, eventType: ref.type, code: out.code, reason: out.reason });
  }
}

/**
 * Upward-sync records written with a change: those the profile refused as they were created (a mapping or
 * validation failure, REJECTED before any attempt) count for the upward-rejected alarm, as the sender counts
 * the platform's refusals. Called once the change is written.
 */
export function syncRecordsWritten(t: Telemetry, records: readonly SyncRecord[]): void {
  const rejected = records.filter((r) => r.state === 'REJECTED');
  if (rejected.length === 0) return;
  t.metrics.count('UpwardRejected', rejected.length);
  for (const r of rejected) t.log.info('upward record refused before sending', { recordId: r.recordId, caseId: r.caseId, code: r.rejection?.code, reason: r.rejection?.message });
}

/** Counts a review accepted for its case, by level, and a 差评 among them. */
function countAccepted(t: Telemetry, level: number): void {
  countWith(t, 'ReviewsReceived', { Level: String(level) });
  if (level <= 2) t.metrics.count('BadReviews');
}

export function caseCompleted(t: Telemetry, out: Outcome): void {
  if (out.outcome !== 'completed') return;
  t.metrics.count('CasesCompleted');
  // Reviews parked before their case are counted now, when they are applied or refused (once: the case
  // is completed once, and a redelivery is a duplicate).
  for (const level of out.parked?.applied ?? []) countAccepted(t, level);
  for (const refused of out.parked?.refused ?? []) {
    t.metrics.count('ReviewsRejected');
    logRefused(t, refused.event, { outcome: 'rejected', code: refused.code, reason: refused.reason });
  }
}

export function reviewSubmitted(t: Telemetry, review: Review, out: Outcome): void {
  // Read by the saved query "every action on a rectification case".
  t.log.info('review.submitted', {
    caseId: review.caseId,
    reviewId: review.reviewId,
    departmentCode: review.departmentCode,
    itemCode: review.itemCode,
    channel: review.channel,
    // `level` is the log level in Powertools' lines.
    reviewLevel: review.level,
    outcome: out.outcome,
    ...refusal(out),
  });
  if (out.outcome === 'accepted') countAccepted(t, out.level ?? 5);
  else if (out.outcome === 'rejected' && countsOnce(out)) t.metrics.count('ReviewsRejected');
  else if (out.outcome === 'parked') t.metrics.count('ReviewsParked');
  logRefused(t, review.event, out);
}

export function stepTaken(t: Telemetry, step: Step, out: Outcome): void {
  const { input } = step;
  t.log.info('rectification.step', {
    caseId: step.caseId,
    action: input.action,
    actorDepartment: input.actor.departmentCode,
    actorStaff: input.actor.staffId,
    at: input.at,
    ...(input.satisfied !== undefined ? { satisfied: input.satisfied } : {}),
    outcome: out.outcome,
    ...refusal(out),
  });
  if (out.outcome === 'applied') t.metrics.count('RectificationSteps');
  // A refusal counts once, when it is first recorded: a redelivery finds it recorded and counts nothing.
  else if (out.outcome === 'refused' && countsOnce(out)) t.metrics.count('RectificationStepsRefused');
  logRefused(t, step.event, out);
  // A step taken after a deadline that passed unflagged raises the flag itself: counted for the overdue
  // alarm and logged as the schedule's flags are. Only an applied step has flags (a redelivery is a
  // duplicate), and this runs once its change is written, so each flag is counted once.
  if (out.overdue && out.overdue.kinds.length > 0) {
    t.metrics.count('OverdueRectifications', out.overdue.kinds.length);
    overdueFlagged(t, out.overdue, input.at);
  }
  // A step taken by a deadline whose flag was raised before it arrived withdraws the flag (once: a redelivery
  // is a duplicate): logged so that the saved query subtracts it.
  if (out.withdrawn && out.withdrawn.kinds.length > 0) overdueWithdrawn(t, out.withdrawn, input.at);
}

/** The fields of both overdue lines, and `flagChange`: +n for n flags raised, -n for n withdrawn. */
function overdueLine(rect: Rectification, kinds: readonly OverdueKind[], flagChange: number, at: string): Record<string, unknown> {
  return {
    caseId: rect.caseId,
    reviewId: rect.reviewId,
    departmentCode: rect.departmentCode,
    itemCode: rect.subject.itemCode,
    reviewLevel: rect.level,
    kinds: [...kinds],
    flagChange,
    state: rect.state,
    at,
  };
}

/**
 * Read by the saved Logs Insights query "overdue 差评 this month" (which sums `flagChange` per case);
 * `now` when the flags carry no moment.
 */
export function overdueFlagged(t: Telemetry, flags: OverdueFlags, now: string): void {
  const rect = flags.rect;
  if (!rect || flags.kinds.length === 0) return;
  t.log.info('rectification.overdue', overdueLine(rect, flags.kinds, flags.kinds.length, flags.at ?? now));
}

/**
 * Flags withdrawn by a step taken by their deadline (the step's moment, the case as the step left it): the
 * saved query "overdue 差评 this month" subtracts them, so a case whose every flag was withdrawn is not listed.
 */
export function overdueWithdrawn(t: Telemetry, flags: OverdueFlags, now: string): void {
  const rect = flags.rect;
  if (!rect || flags.kinds.length === 0) return;
  t.log.info('rectification.overdue.withdrawn', overdueLine(rect, flags.kinds, -flags.kinds.length, flags.at ?? now));
}

export function scheduleRan(t: Telemetry, summary: ScheduleSummary, now: string): void {
  t.metrics.count('ReviewInvitations', summary.invited);
  t.metrics.count('ReviewReminders', summary.reminded);
  t.metrics.count('DefaultReviews', summary.defaulted);
  t.metrics.count('OverdueRectifications', summary.overdue);
  t.log.info('review schedule', { ...summary, now });
}

