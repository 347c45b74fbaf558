/**
 * 智能邀评: an invitation when a case completes without a review, a reminder after
 * `reminderNaturalDays`, and a default 基本满意 after `defaultReviewNaturalDays` natural days (× 24 h,
 * not working days). Each happens at most once because the state records it; the scheduler may call this as
 * often as it likes.
 */

import { addNaturalDays } from '#calendar/types';
import { figureDelta } from './delta';
import {
  DEFAULT_REVIEW_LEVEL,
  DEFAULT_REVIEWER_ID,
  type CaseReviewState,
  type FigureDelta,
  type Review,
  type ReviewConfig,
} from './types';

export type InvitationAction = 'invite' | 'remind' | 'default';

export interface InvitationPlan {
  /** The actions due now, in order; empty when nothing is due (then `next` is the state itself). */
  readonly actions: readonly InvitationAction[];
  readonly next: CaseReviewState;
  readonly figureDeltas: readonly FigureDelta[];
  /** When the next action falls due, for the scheduler; absent when nothing more will ever be due. */
  readonly nextCheckAt?: string;
}

/** The id of a case's default review; deterministic so a retried default is the same record. */
export function defaultReviewId(caseId: string): string {
  return `${caseId}#default`;
}

function reached(now: string, at: string): boolean {
  return Date.parse(now) >= Date.parse(at);
}

/**
 * The invitation actions due at `now`. A case that has a review (real, default, or a real one since
 * invalidated) needs nothing. The reminder is only due before the default: once the default is due a
 * reminder would be moot, so a late scheduler records the default without reminding.
 */
export function planInvitations(state: CaseReviewState, now: string, config: ReviewConfig): InvitationPlan {
  if (state.review !== undefined || state.invalidated) return { actions: [], next: state, figureDeltas: [] };

  const kase = state.case;
  const remindAt = addNaturalDays(kase.completedAt, config.reminderNaturalDays);
  const defaultAt = addNaturalDays(kase.completedAt, config.defaultReviewNaturalDays);
  const actions: InvitationAction[] = [];
  let next: CaseReviewState = state;

  if (state.invitationSentAt === undefined && reached(now, kase.completedAt)) {
    actions.push('invite');
    next = { ...next, invitationSentAt: now };
  }
  const defaultDue = state.defaultedAt === undefined && reached(now, defaultAt);
  if (state.reminderSentAt === undefined && !defaultDue && state.defaultedAt === undefined && reached(now, remindAt)) {
    actions.push('remind');
    next = { ...next, reminderSentAt: now };
  }
  let figureDeltas: FigureDelta[] = [];
  if (defaultDue) {
    actions.push('default');
    const review: Review = {
      reviewId: defaultReviewId(kase.caseId),
      caseId: kase.caseId,
      itemCode: kase.itemCode,
      departmentCode: kase.departmentCode,
      ...(kase.staffId !== undefined ? { staffId: kase.staffId } : {}),
      channel: kase.channel,
      level: DEFAULT_REVIEW_LEVEL,
      reviewerId: DEFAULT_REVIEWER_ID,
      // The moment the silence period ended, not when the scheduler happened to run.
      submittedAt: defaultAt,
      defaulted: true,
    };
    next = { ...next, review, defaultedAt: now };
    figureDeltas = figureDelta(state.subject, { defaulted: 1 });
  }
  if (actions.length === 0) {
    const pending = [
      ...(state.invitationSentAt === undefined ? [kase.completedAt] : []),
      ...(state.reminderSentAt === undefined ? [remindAt] : []),
      defaultAt,
    ];
    return { actions, next: state, figureDeltas: [], nextCheckAt: earliest(pending) };
  }
  next = { ...next, version: state.version + 1 };

  const nextCheckAt = defaultDue
    ? undefined
    : earliest([...(next.reminderSentAt === undefined ? [remindAt] : []), defaultAt]);
  return { actions, next, figureDeltas, ...(nextCheckAt !== undefined ? { nextCheckAt } : {}) };
}

function earliest(instants: readonly string[]): string {
  return instants.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
}
