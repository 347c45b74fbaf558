/**
 * 好差评 use cases: load a case, call the pure domain, store what it returns (`store.ts`) and publish the
 * outbound events. Shared by the review consumer and the review schedule.
 *
 * Outcomes the handlers see:
 * - a state change: committed in one transaction (state + counters + audit + outbox), then published;
 * - a redelivery: the domain calls it a duplicate and nothing is written (pending outbox is re-sent);
 * - a semantic refusal (second review, mismatch, forbidden step): recorded with its reason, not thrown;
 * - `StepBeforeRectification`: a step for a case whose 差评 is not known yet. It is thrown, so SQS retries
 *   it (the review may still be on its way or parked); after the queue's max receives it reaches the DLQ,
 *   alarms and can be redriven. Steps are not parked: a rectification cannot be acted on before the
 *   department could have seen it, so an early step is far more likely a wrong caseId than a race.
 * - `StepOutOfOrder`: a step not allowed in the case's state but allowed in a state the case can still
 *   reach (e.g. `rectify` before `acknowledge`): SQS standard queues do not keep order, so the step it depends
 *   on may still be queued. It is thrown, so SQS retries it, for fewer receives than the queue's max
 *   (`OUT_OF_ORDER_RECEIVES`); on the last of them it is refused and recorded like any forbidden step, so a
 *   wrong step never reaches the DLQ for this reason. A step allowed in no reachable state is refused at once.
 * - anything else thrown is an infrastructure error for SQS to retry.
 */
import { stageCalendar } from '#platform/calendar';
import type { AuditEntry } from '#platform/audit';
import { config } from '#platform/stage-config';
import { logger } from '#platform/powertools';
import type { OutboundEvent } from '#contract/outbound';
import { invitationDueAt, rectificationDueAt } from './due';
import { planInvitations, type InvitationAction } from './invitations';
import {
  actionKey,
  allowedLater,
  applyAction,
  isRectificationAction,
  openRectification,
  overdueCheck,
  RECTIFICATION_OVERDUE_EVENT_TYPE,
  type ActionInput,
} from './rectification';
import { acceptReview, invalidateReview, onCaseCompleted, type OpenRectificationEffect } from './reviews';
import { currentUnit, GroupCommit } from '#platform/group-commit';
import { applied, withKind, type EventRef, type Receipt } from '#platform/receipts';
import { caseHref, inbound, noEffect, rectificationHref, refuseWithReceipt } from './receipts';
import {
  commitChange,
  commitChanges,
  flushOutbox,
  flushOutboxes,
  loadCase,
  VersionConflict,
  type CaseBundle,
  type Rejection,
  type ReviewChange,
} from './store';
import {
  isNegativeLevel,
  type Case,
  type CaseReviewState,
  type FigureDelta,
  type HistoryEntry,
  type OutboundDraft,
  type OverdueKind,
  type Rectification,
  type Review,
  type ReviewConfig,
} from './types';

const MAX_ATTEMPTS = 6;

export function reviewConfig(): ReviewConfig {
  const d = config().deadlines;
  return {
    reminderNaturalDays: d.reminderNaturalDays,
    defaultReviewNaturalDays: d.defaultReviewNaturalDays,
    acknowledgeWorkingDays: d.acknowledgeWorkingDays,
    rectifyWorkingDays: d.rectifyWorkingDays,
    extensionWorkingDays: d.extensionWorkingDays,
  };
}

/** The rectification step named but not yet open (see the header): thrown so SQS retries it. */
export class StepBeforeRectification extends Error {
  constructor(caseId: string, action: string) {
    super(`rectification step ${action} for case ${caseId} arrived before the case's 差评 was recorded; retrying`);
    this.name = 'StepBeforeRectification';
  }
}

/**
 * Receives of a step that may have overtaken the step it depends on before it is refused: the retries give
 * the earlier step time to arrive, and the bound stays below the review queue's maxReceiveCount (5), so
 * the refusal is recorded rather than the message dead-lettered.
 */
export const OUT_OF_ORDER_RECEIVES = 3;

/** A step not allowed yet but allowed in a state the case can still reach (see the header): retried. */
export class StepOutOfOrder extends Error {
  constructor(caseId: string, action: string, state: string, receiveCount: number) {
    super(
      `rectification step ${action} for case ${caseId} is not allowed in ${state} but may be once an earlier step arrives; retrying (receive ${receiveCount} of ${OUT_OF_ORDER_RECEIVES})`,
    );
    this.name = 'StepOutOfOrder';
  }
}

/**
 * A deterministic id per outbound event, so a re-publish is recognisable: one invitation, reminder,
 * default and opening per case, one event per rectification step (its action key), one overdue flag per kind.
 */
export function outboundId(event: OutboundDraft): string {
  const data = event.data as { action?: string; at?: string; kind?: string };
  if (event.type === RECTIFICATION_OVERDUE_EVENT_TYPE) return `${event.type}:${event.subject}:${data.kind}`;
  if (typeof data.action === 'string' && typeof data.at === 'string') {
    return `${event.type}:${actionKey(event.subject, data.action, data.at)}`;
  }
  return `${event.type}:${event.subject}`;
}

export function toOutbound(event: OutboundDraft, now: string): OutboundEvent {
  const at = (event.data as { at?: unknown }).at;
  return {
    type: event.type,
    id: outboundId(event),
    subject: event.subject,
    time: typeof at === 'string' ? at : now,
    data: { ...event.data },
  };
}

/**
 * The review consumer's unit of work (platform/group-commit.ts): the changes of a batch's records written
 * together, one transaction for up to 100 items with each counter row added once, then their outboxes.
 */
export function reviewBatch(): GroupCommit<ReviewChange> {
  return new GroupCommit<ReviewChange>({
    keyOf: (change) => change.caseId,
    write: commitChanges,
    afterWrite: flushOutboxes,
  });
}

/** Reload-and-decide loop: a version race means someone else changed the case; decide again on fresh state. */
async function withRetries<T>(caseId: string, attempt: (bundle: CaseBundle) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    // In a batch, a change of this case may still be waiting: write it first, then load.
    await currentUnit<ReviewChange>()?.unit.beforeLoad(caseId);
    const bundle = await loadCase(caseId);
    // A change committed earlier whose publish failed: send it now (ids are deterministic).
    await flushOutbox(caseId, bundle.outbox);
    try {
      return await attempt(bundle);
    } catch (error) {
      if (!(error instanceof VersionConflict) || n >= MAX_ATTEMPTS) throw error;
      logger.info('version race: deciding again on fresh state', { caseId, attempt: n });
      await new Promise((r) => setTimeout(r, 10 * n));
    }
  }
}

async function commitAndPublish(change: ReviewChange): Promise<void> {
  const batch = currentUnit<ReviewChange>();
  if (batch) {
    // Written with the rest of the batch; a condition that fails then makes the record run again alone.
    batch.unit.defer(change);
    return;
  }
  await commitChange(change);
  await flushOutbox(change.caseId, change.outbound ?? []);
}

function caseAudit(caseId: string, action: string, actor: string, at: string, why: string, causeId: string, details?: Record<string, unknown>): AuditEntry {
  return { subject: `case:${caseId}`, action, actor, at, why, causeId, ...(details ? { details } : {}) };
}

function rectAudit(entry: HistoryEntry, caseId: string): AuditEntry {
  return {
    subject: `rectification:${caseId}`,
    action: entry.action === 'overdue' ? `overdue:${entry.note ?? ''}` : `state:${entry.from ?? 'none'}->${entry.to}`,
    actor: `${entry.actor.departmentCode}/${entry.actor.staffId}`,
    at: entry.at,
    why: entry.note ?? entry.action,
    causeId: entry.key,
    details: { step: entry.action, ...(entry.satisfied !== undefined ? { satisfied: entry.satisfied } : {}) },
  };
}

/** Opens the rectification of each 差评 effect (at most one per case), with its audit line and event. */
function openRectifications(effects: readonly OpenRectificationEffect[], now: string) {
  const opened = effects.map((effect) => openRectification(effect.review, effect.subject, stageCalendar(), reviewConfig()));
  const rect: Rectification | undefined = opened[0]?.rectification;
  return {
    rectWrite: rect ? { expectedVersion: undefined, rect, dueAt: rectificationDueAt(rect) } : undefined,
    audits: rect ? rect.history.map((entry) => rectAudit(entry, rect.caseId)) : [],
    outbound: opened.flatMap((o) => o.outbound.map((e) => toOutbound(e, now))),
  };
}

export interface Outcome {
  readonly outcome: 'completed' | 'accepted' | 'parked' | 'duplicate' | 'rejected' | 'applied' | 'refused';
  readonly code?: string;
  readonly reason?: string;
  /** For metrics: the level of an accepted review. */
  readonly level?: number;
}

/** gov.case.completed, or an approval that opened a case: record it and apply the reviews parked for it. */
export async function completeCase(kase: Case, actor: string, now: string, ref?: EventRef): Promise<Outcome> {
  return withRetries(kase.caseId, async ({ record }) => {
    const result = onCaseCompleted(kase, record?.parked ?? [], stageCalendar(), record?.state);
    const effect = { resource: 'case', id: kase.caseId, href: caseHref(kase.caseId) };
    if (result.outcome === 'duplicate') {
      await noEffect(ref, now, `case ${kase.caseId} was completed before; it is recorded once`, effect);
      return { outcome: 'duplicate' };
    }
    const version = (record?.version ?? 0) + 1;
    const next: CaseReviewState = { ...result.next, version };
    const opened = openRectifications(result.effects, now);
    const rejections: Rejection[] = result.rejected.map((r) => ({
      kind: 'review',
      ref: r.review.reviewId,
      code: r.code,
      reason: r.reason,
      at: r.review.submittedAt,
      recordedAt: now,
      details: { channel: r.review.channel, level: r.review.level, parked: true },
    }));
    const audits: AuditEntry[] = [
      caseAudit(kase.caseId, 'case:completed', actor, now, `case completed at ${kase.completedAt} (${kase.source})`, `completed:${kase.caseId}`),
      ...result.applied.map((r) =>
        caseAudit(kase.caseId, 'review:accepted', r.channel, now, `parked review, level ${r.level}`, r.reviewId, { level: r.level, channel: r.channel }),
      ),
      ...rejections.map((r) => caseAudit(kase.caseId, 'review:rejected', 'system', now, `${r.code}: ${r.reason}`, r.ref)),
      ...opened.audits,
    ];
    // The parked reviews' receipts move on from PARKED to what became of them now.
    const receipts: Receipt[] = [
      ...(inbound(ref) ? [applied(ref, now, { ...effect, state: 'completed' })] : []),
      ...result.applied.flatMap((r) => (inbound(r.event) ? [applied(r.event, now, { ...effect, state: 'reviewed' }, { reviewId: r.reviewId, level: r.level })] : [])),
      ...result.rejected.flatMap((r) => (inbound(r.review.event) ? [withKind(r.review.event, now, r.code, r.reason, { effect, details: { reviewId: r.review.reviewId } })] : [])),
    ];
    await commitAndPublish({
      caseId: kase.caseId,
      caseWrite: { expectedVersion: record?.version, version, state: next, dueAt: invitationDueAt(next, reviewConfig()) },
      ...(opened.rectWrite ? { rectWrite: opened.rectWrite } : {}),
      figureDeltas: result.figureDeltas,
      audits,
      rejections,
      outbound: opened.outbound,
      receipts,
    });
    return { outcome: 'completed' };
  });
}

/** gov.review.submitted: one real review per case; a review before its case is parked. */
export async function submitReview(review: Review, now: string): Promise<Outcome> {
  const ref = review.event;
  const effect = { resource: 'case', id: review.caseId, href: caseHref(review.caseId) };
  return withRetries(review.caseId, async ({ record }) => {
    const result = acceptReview(record?.state, review);
    switch (result.outcome) {
      case 'duplicate':
        await noEffect(ref, now, `review ${review.reviewId} was recorded before; it counts once`, effect);
        return { outcome: 'duplicate' };
      case 'parked': {
        const parked = record?.parked ?? [];
        if (parked.some((r) => r.reviewId === review.reviewId)) {
          await noEffect(ref, now, `review ${review.reviewId} is already kept for case ${review.caseId}`, effect);
          return { outcome: 'duplicate' };
        }
        await commitAndPublish({
          caseId: review.caseId,
          caseWrite: { expectedVersion: record?.version, version: (record?.version ?? 0) + 1, parked: [...parked, review] },
          audits: [
            caseAudit(review.caseId, 'review:parked', review.channel, now, 'the case is not known yet; kept until it is', review.reviewId),
          ],
          ...(inbound(ref)
            ? { receipts: [withKind(ref, now, 'PARKED', `case ${review.caseId} is not known yet; the review is kept and applied when the case arrives`, { effect, details: { reviewId: review.reviewId } })] }
            : {}),
        });
        return { outcome: 'parked' };
      }
      case 'rejected': {
        const rejection: Rejection = {
          kind: 'review',
          ref: review.reviewId,
          code: result.code,
          reason: result.reason,
          at: review.submittedAt,
          recordedAt: now,
          details: { channel: review.channel, level: review.level },
        };
        await refuseWithReceipt(
          review.caseId,
          rejection,
          caseAudit(review.caseId, 'review:rejected', review.channel, now, `${result.code}: ${result.reason}`, review.reviewId),
          inbound(ref) ? withKind(ref, now, result.code, result.reason, { effect, details: { reviewId: review.reviewId } }) : undefined,
        );
        return { outcome: 'rejected', code: result.code, reason: result.reason };
      }
      case 'accepted': {
        const next = result.next;
        const opened = openRectifications(result.effects, now);
        const why = result.replacedDefault ? `level ${review.level}, replaces the default 基本满意` : `level ${review.level}`;
        await commitAndPublish({
          caseId: review.caseId,
          caseWrite: { expectedVersion: record!.version, version: next.version, state: next, dueAt: invitationDueAt(next, reviewConfig()) },
          ...(opened.rectWrite ? { rectWrite: opened.rectWrite } : {}),
          figureDeltas: result.figureDeltas,
          audits: [
            caseAudit(review.caseId, 'review:accepted', review.channel, now, why, review.reviewId, { level: review.level, channel: review.channel }),
            ...opened.audits,
          ],
          outbound: opened.outbound,
          ...(inbound(ref)
            ? { receipts: [applied(ref, now, { ...effect, state: 'reviewed' }, { reviewId: review.reviewId, level: review.level, ...(result.replacedDefault ? { replacedDefault: true } : {}) })] }
            : {}),
        });
        return { outcome: 'accepted', level: review.level };
      }
    }
  });
}

/**
 * gov.rectification.updated: one step of the state machine; a refused step is recorded, not thrown.
 * `receiveCount` is the message's SQS ApproximateReceiveCount; without it a step that may be out of order
 * is refused at once.
 */
export async function applyStep(
  caseId: string,
  input: ActionInput,
  now: string,
  options: { readonly receiveCount?: number; readonly event?: EventRef } = {},
): Promise<Outcome> {
  const receiveCount = options.receiveCount ?? OUT_OF_ORDER_RECEIVES;
  const ref = options.event;
  const effect = { resource: 'rectification', id: caseId, href: rectificationHref(caseId) };
  return withRetries(caseId, async ({ record, rectification: rect }) => {
    if (!rect) {
      const review = record?.state?.review;
      if (review !== undefined && (review.defaulted || !isNegativeLevel(review.level))) {
        const reason = `case ${caseId} has no rectification: its review ${review.reviewId} is not a 差评`;
        await refuseStep(caseId, input, 'NO_RECTIFICATION', reason, now, {}, ref);
        return { outcome: 'refused', code: 'NO_RECTIFICATION', reason };
      }
      throw new StepBeforeRectification(caseId, input.action);
    }
    const result = applyAction(rect, input, stageCalendar(), reviewConfig());
    if (!result.ok) {
      if (
        result.code === 'ACTION_NOT_ALLOWED' &&
        isRectificationAction(input.action) &&
        allowedLater(rect, input.action) &&
        receiveCount < OUT_OF_ORDER_RECEIVES
      ) {
        throw new StepOutOfOrder(caseId, input.action, rect.state, receiveCount);
      }
      await refuseStep(caseId, input, result.code, result.reason, now, { state: result.state, allowedActions: result.allowedActions }, ref);
      return { outcome: 'refused', code: result.code, reason: result.reason };
    }
    if (result.duplicate) {
      await noEffect(ref, now, `step ${input.action} at ${input.at} was recorded before`, effect);
      return { outcome: 'duplicate' };
    }
    const next = result.next;
    let caseWrite: ReviewChange['caseWrite'];
    for (const effect of result.effects) {
      const state = record?.state;
      const invalidated = state ? invalidateReview(state, effect.reviewId) : undefined;
      if (state && invalidated) {
        caseWrite = { expectedVersion: state.version, version: invalidated.version, state: invalidated, dueAt: invitationDueAt(invalidated, reviewConfig()) };
      }
    }
    await commitAndPublish({
      caseId,
      ...(caseWrite ? { caseWrite } : {}),
      rectWrite: { expectedVersion: rect.version, rect: next, dueAt: rectificationDueAt(next) },
      figureDeltas: result.figureDeltas,
      audits: next.history.slice(rect.history.length).map((entry) => rectAudit(entry, caseId)),
      outbound: result.outbound.map((e) => toOutbound(e, now)),
      ...(inbound(ref) ? { receipts: [applied(ref, now, { ...effect, state: next.state }, { action: input.action })] } : {}),
    });
    return { outcome: 'applied' };
  });
}

async function refuseStep(
  caseId: string,
  input: ActionInput,
  code: string,
  reason: string,
  now: string,
  details: Record<string, unknown>,
  event: EventRef | undefined,
): Promise<void> {
  const ref = actionKey(caseId, input.action, input.at);
  const receipt = inbound(event)
    ? withKind(event, now, code, reason, {
        effect: { resource: 'rectification', id: caseId, href: rectificationHref(caseId) },
        details: { action: input.action, ...details },
      })
    : undefined;
  await refuseWithReceipt(
    caseId,
    {
      kind: 'step',
      ref,
      code,
      reason,
      at: input.at,
      recordedAt: now,
      details: { action: input.action, actor: input.actor, ...(input.note !== undefined ? { note: input.note } : {}), ...details },
    },
    {
      subject: `rectification:${caseId}`,
      action: `refused:${input.action}`,
      actor: `${input.actor.departmentCode}/${input.actor.staffId}`,
      at: now,
      why: `${code}: ${reason}`,
      causeId: ref,
    },
    receipt,
  );
}

/** The schedule's invitation, reminder and default for one case. Returns the actions taken. */
export async function runInvitations(caseId: string, now: string): Promise<InvitationAction[]> {
  return withRetries(caseId, async ({ record }) => {
    const state = record?.state;
    if (!state) return [];
    const plan = planInvitations(state, now, reviewConfig());
    if (plan.actions.length === 0) return [];
    const deltas: readonly FigureDelta[] = plan.figureDeltas;
    await commitAndPublish({
      caseId,
      caseWrite: { expectedVersion: state.version, version: plan.next.version, state: plan.next, dueAt: invitationDueAt(plan.next, reviewConfig()) },
      figureDeltas: deltas,
      audits: plan.actions.map((action) =>
        caseAudit(caseId, `review:${action}`, 'system:review-schedule', now, action === 'default' ? 'no review after the silence period: default 基本满意' : `review ${action}`, `${action}:${caseId}`),
      ),
      outbound: plan.outbound.map((e) => toOutbound(e, now)),
    });
    return [...plan.actions];
  });
}

/** The schedule's overdue check of one rectification. Returns the kinds flagged now. */
export async function runOverdue(caseId: string, now: string): Promise<OverdueKind[]> {
  return withRetries(caseId, async ({ rectification: rect }) => {
    if (!rect) return [];
    const result = overdueCheck(rect, now);
    if (result.flagged.length === 0) return [];
    await commitAndPublish({
      caseId,
      rectWrite: { expectedVersion: rect.version, rect: result.next, dueAt: rectificationDueAt(result.next) },
      figureDeltas: result.figureDeltas,
      audits: result.auditEntries.map((entry) => rectAudit(entry, caseId)),
      outbound: result.outbound.map((e) => toOutbound(e, now)),
    });
    // Read by the saved Logs Insights query "overdue 差评 this month" (infra/stacks/observability.ts).
    logger.info('rectification.overdue', {
      caseId,
      reviewId: rect.reviewId,
      departmentCode: rect.departmentCode,
      itemCode: rect.subject.itemCode,
      reviewLevel: rect.level,
      kinds: [...result.flagged],
      state: result.next.state,
      at: now,
    });
    return [...result.flagged];
  });
}
