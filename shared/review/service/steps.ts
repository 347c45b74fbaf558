/**
 * gov.rectification.updated: one step of a 差评's rectification on a loaded case.
 *
 * - A refused step (unknown action, another department, not allowed in the state) is recorded with its
 *   reason, not thrown.
 * - `StepBeforeRectification`: a step for a case with no rectification and no review that says why (an
 *   unknown case, or a case whose 差评 is not recorded). It is thrown, so SQS retries it, for fewer receives
 *   than the queue's max (`OUT_OF_ORDER_RECEIVES`): the 差评 may still be on its way or parked. On the last
 *   of them it is refused as RECTIFICATION_UNKNOWN and recorded with its receipt, so an accepted step never
 *   ends in the DLQ with a receipt that stays pending. Steps are not parked: a rectification cannot be acted
 *   on before the department could have seen it, so an early step is far more likely a wrong caseId (a
 *   12345 work order's outcome naming another case, say) than a race.
 * - `StepOutOfOrder`: a step not allowed in the case's state but allowed in a state the case can still
 *   reach (e.g. `rectify` before `acknowledge`): SQS standard queues do not keep order, so the step it depends
 *   on may still be queued. It is thrown, so SQS retries it, for fewer receives than the queue's max
 *   (`OUT_OF_ORDER_RECEIVES`); on the last of them it is refused and recorded like any forbidden step, so a
 *   wrong step never reaches the DLQ for this reason. A step allowed in no reachable state is refused at once.
 */
import { applied, withKind, type EventRef } from '#platform/receipts';
import { invitationDueAt, rectificationDueAt } from '../domain/due';
import { applyAction, type ActionInput } from '../domain/rectification';
import { invalidateReview } from '../domain/reviews';
import { actionKey, allowedLater, isRectificationAction } from '../domain/transitions';
import { isNegativeLevel } from '../domain/types';
import { stepEvents } from '../messages';
import type { CaseBundle, ReviewChange } from '../ports';
import { refusal, type DecideContext, type Decision, type Effect, type Outcome } from './decision';
import { inbound, noEffect, rectAudit, rectificationEffect } from './records';

/** A rectification step as the review queue carries it. */
export interface Step {
  readonly caseId: string;
  readonly input: ActionInput;
  /** The inbound event that carried it, for its receipt. */
  readonly event?: EventRef;
}

/**
 * Receives of a step that may have overtaken the step (or the 差评) it depends on before it is refused: the
 * retries give the earlier event time to arrive, and the bound stays below the review queue's
 * maxReceiveCount (5), so the refusal is recorded rather than the message dead-lettered.
 */
export const OUT_OF_ORDER_RECEIVES = 3;

/** The rectification step named but not yet open (see the header): thrown so SQS retries it. */
export class StepBeforeRectification extends Error {
  constructor(caseId: string, action: string, receiveCount: number) {
    super(
      `rectification step ${action} for case ${caseId} arrived before the case's 差评 was recorded; retrying (receive ${receiveCount} of ${OUT_OF_ORDER_RECEIVES})`,
    );
    this.name = 'StepBeforeRectification';
  }
}

/** A step not allowed yet but allowed in a state the case can still reach (see the header): retried. */
export class StepOutOfOrder extends Error {
  constructor(caseId: string, action: string, state: string, receiveCount: number) {
    super(
      `rectification step ${action} for case ${caseId} is not allowed in ${state} but may be once an earlier step arrives; retrying (receive ${receiveCount} of ${OUT_OF_ORDER_RECEIVES})`,
    );
    this.name = 'StepOutOfOrder';
  }
}

function refuseStep(step: Step, code: string, reason: string, now: string, details: Record<string, unknown>): Decision<Outcome> {
  const { caseId, input, event } = step;
  const ref = actionKey(caseId, input.action, input.at);
  const effect: Extract<Effect, { kind: 'refuse' }> = {
    kind: 'refuse',
    caseId,
    rejection: {
      kind: 'step',
      ref,
      code,
      reason,
      at: input.at,
      recordedAt: now,
      // Who posted it: the routes show each source its own refused steps only (a note, a staff id).
      ...(event !== undefined ? { source: event.source } : {}),
      details: { action: input.action, actor: input.actor, ...(input.note !== undefined ? { note: input.note } : {}), ...details },
    },
    audit: {
      subject: `rectification:${caseId}`,
      action: `refused:${input.action}`,
      actor: `${input.actor.departmentCode}/${input.actor.staffId}`,
      at: now,
      why: `${code}: ${reason}`,
      causeId: ref,
      // The actor is who the step names; the source is the system that posted it (the department's, the 12345 hotline).
      ...(event !== undefined ? { details: { source: event.source } } : {}),
    },
    ...(inbound(event)
      ? { receipt: withKind(event, now, code, reason, { effect: rectificationEffect(caseId), details: { action: input.action, ...details } }) }
      : {}),
  };
  return refusal(effect, { outcome: 'refused', code, reason });
}

/** A step and how many times SQS has delivered its message. */
export interface StepDelivery {
  readonly step: Step;
  readonly receiveCount: number;
}

/**
 * One step of the state machine. `receiveCount` is the message's SQS ApproximateReceiveCount; without it a
 * step that may be early or out of order is refused at once. Throws `StepBeforeRectification` and
 * `StepOutOfOrder` on receives before the last of `OUT_OF_ORDER_RECEIVES`.
 */
export function decideStep(bundle: CaseBundle, ctx: DecideContext, delivery: StepDelivery): Decision<Outcome> {
  const { step, receiveCount } = delivery;
  const { caseId, input, event } = step;
  const { record, rectification: rect } = bundle;
  const { now } = ctx;
  if (!rect) {
    const review = record?.state?.review;
    if (review !== undefined && (review.defaulted || !isNegativeLevel(review.level))) {
      return refuseStep(step, 'NO_RECTIFICATION', `case ${caseId} has no rectification: its review ${review.reviewId} is not a 差评`, now, {});
    }
    if (receiveCount < OUT_OF_ORDER_RECEIVES) throw new StepBeforeRectification(caseId, input.action, receiveCount);
    const caseKnown = record?.state !== undefined;
    const why = caseKnown ? 'no 差评 was recorded for it' : 'no such case is known';
    return refuseStep(step, 'RECTIFICATION_UNKNOWN', `case ${caseId} has no rectification: ${why}`, now, { caseKnown });
  }
  const result = applyAction(rect, input, ctx.calendar, ctx.config);
  if (!result.ok) {
    if (result.code === 'ACTION_NOT_ALLOWED' && isRectificationAction(input.action) && allowedLater(rect, input.action) && receiveCount < OUT_OF_ORDER_RECEIVES) {
      throw new StepOutOfOrder(caseId, input.action, rect.state, receiveCount);
    }
    return refuseStep(step, result.code, result.reason, now, { state: result.state, allowedActions: result.allowedActions });
  }
  if (result.duplicate) {
    return { effect: noEffect(event, now, `step ${input.action} at ${input.at} was recorded before`, rectificationEffect(caseId)), result: { outcome: 'duplicate' } };
  }
  const next = result.next;
  let caseWrite: ReviewChange['caseWrite'];
  const state = record?.state;
  for (const effect of result.effects) {
    const invalidated = state ? invalidateReview(state, effect.reviewId) : undefined;
    if (state && invalidated) {
      caseWrite = { expectedVersion: state.version, version: invalidated.version, state: invalidated, dueAt: invitationDueAt(invalidated, ctx.config) };
    }
  }
  const change: ReviewChange = {
    caseId,
    ...(caseWrite ? { caseWrite } : {}),
    rectWrite: { expectedVersion: rect.version, rect: next, dueAt: rectificationDueAt(next) },
    figureDeltas: result.figureDeltas,
    // Each line names the system that posted the step (an overdue flag the step raised on its way too).
    audits: next.history.slice(rect.history.length).map((entry) => rectAudit(entry, caseId, event)),
    outbound: stepEvents(rect, result),
    ...(inbound(event) ? { receipts: [applied(event, now, { ...rectificationEffect(caseId), state: next.state }, { action: input.action })] } : {}),
  };
  // Flags raised as of the step's moment: the deadline passed before the step, unflagged by the schedule. The
  // loaded rectification is in the state they found it.
  const overdue = result.overdueFlagged.length > 0 ? { overdue: { kinds: [...result.overdueFlagged], rect, at: input.at } } : {};
  // Flags the step shows were never due: logged so the saved query of overdue cases takes them back. An
  // approved invalid claim takes the 差评 out of every figure, the flags it holds included (those raised as of
  // this step too): logged the same way, so the saved query leaves the case out as the overdue count does.
  const excluded = input.action === 'approveInvalid' ? (['acknowledge', 'rectify'] as const).filter((kind) => next.overdue[kind] !== undefined) : [];
  const withdrawnKinds = [...result.overdueWithdrawn, ...excluded];
  const withdrawn = withdrawnKinds.length > 0 ? { withdrawn: { kinds: withdrawnKinds, rect: next, at: input.at } } : {};
  return { effect: { kind: 'write', change }, result: { outcome: 'applied', ...overdue, ...withdrawn } };
}
