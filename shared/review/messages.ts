/**
 * The outbound `gov.review.*` and `gov.rectification.*` events, built from what the domain
 * decided. Each id is deterministic, so a re-publish (after a crash between publish and clearing the
 * outbox, or a redelivered change) is recognisable by receivers: one invitation, reminder, default and
 * opening per case, one event per rectification step (its action key), one overdue flag per kind — and
 * per raising: a flag raised again after its withdrawal is a new fact with an id of its own.
 */
import type { OutboundDraft, OutboundEvent } from '#contract/outbound';
import type { InvitationAction } from './domain/invitations';
import { defaultReviewId } from './domain/invitations';
import { nextOverdueFlag, type ActionResult } from './domain/rectification';
import { actionKey } from './domain/transitions';
import type { WorkOrder } from './domain/workorder';
import {
  DEFAULT_REVIEW_LEVEL,
  type Case,
  type OverdueKind,
  type Rectification,
  type RectificationAction,
} from './domain/types';

export const INVITATION_EVENT_TYPES: Readonly<Record<InvitationAction, `gov.${string}`>> = {
  invite: 'gov.review.invited',
  remind: 'gov.review.reminded',
  default: 'gov.review.defaulted',
};

export const RECTIFICATION_OPENED_EVENT_TYPE = 'gov.rectification.opened';
export const RECTIFICATION_OVERDUE_EVENT_TYPE = 'gov.rectification.overdue';

/** The event of each rectification step. */
export const STEP_EVENT_TYPES: Readonly<Record<RectificationAction, `gov.rectification.${string}`>> = {
  acknowledge: 'gov.rectification.acknowledged',
  claimInvalid: 'gov.rectification.invalidClaimed',
  rectify: 'gov.rectification.rectified',
  claimUnfixable: 'gov.rectification.unfixableClaimed',
  requestExtension: 'gov.rectification.extensionRequested',
  returnVisit: 'gov.rectification.returnVisited',
  close: 'gov.rectification.closed',
  approveInvalid: 'gov.rectification.invalidApproved',
  rejectInvalid: 'gov.rectification.invalidRejected',
  approveUnfixable: 'gov.rectification.unfixableApproved',
  rejectUnfixable: 'gov.rectification.unfixableRejected',
  approveExtension: 'gov.rectification.extensionApproved',
  rejectExtension: 'gov.rectification.extensionRejected',
};

export function outboundId(event: OutboundDraft): string {
  const data = event.data as { action?: string; at?: string; kind?: string; flag?: number };
  if (event.type === RECTIFICATION_OVERDUE_EVENT_TYPE) {
    // The first flag of a kind keeps the id it always had; a flag raised again after a withdrawal gets its number.
    const again = data.flag !== undefined && data.flag > 1 ? `:${data.flag}` : '';
    return `${event.type}:${event.subject}:${data.kind}${again}`;
  }
  if (typeof data.action === 'string' && typeof data.at === 'string') {
    return `${event.type}:${actionKey(event.subject, data.action, data.at)}`;
  }
  return `${event.type}:${event.subject}`;
}

/** The event with its id, timed at what it reports (`data.at`) or else at `now`. */
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

/** 智能邀评: one event per invitation action taken at `now`. */
export function invitationEvents(kase: Case, actions: readonly InvitationAction[], now: string): OutboundEvent[] {
  return actions.map((action) =>
    toOutbound(
      {
        type: INVITATION_EVENT_TYPES[action],
        subject: kase.caseId,
        data: {
          caseId: kase.caseId,
          itemCode: kase.itemCode,
          departmentCode: kase.departmentCode,
          applicantId: kase.applicantId,
          channel: kase.channel,
          at: now,
          ...(action === 'default' ? { level: DEFAULT_REVIEW_LEVEL, reviewId: defaultReviewId(kase.caseId) } : {}),
        },
      },
      now,
    ),
  );
}

/** A 差评 opened its rectification case, with its deadlines. */
export function rectificationOpenedEvent(rect: Rectification, now: string): OutboundEvent {
  return toOutbound(
    {
      type: RECTIFICATION_OPENED_EVENT_TYPE,
      subject: rect.caseId,
      data: {
        caseId: rect.caseId,
        reviewId: rect.reviewId,
        departmentCode: rect.departmentCode,
        level: rect.level,
        acknowledgeDue: rect.deadlines.acknowledgeDue,
        rectifyDue: rect.deadlines.rectifyDue,
      },
    },
    now,
  );
}

export const WORK_ORDER_EVENT_TYPE = 'gov.workorder.forwarded';

/**
 * A 差评 forwarded to the 12345 hotline as a work order (where the stage says so): one per case, its
 * number derived from the case, so a re-send is the same order. The hotline reports back as
 * `gov.rectification.updated` steps on the case, naming the owning department.
 */
export function workOrderEvent(order: WorkOrder, now: string): OutboundEvent {
  return toOutbound({ type: WORK_ORDER_EVENT_TYPE, subject: order.caseId, data: { ...order } }, now);
}

/**
 * The overdue flags raised at `at` on `rect` as it was when they were raised (before their history entries):
 * the schedule and a step derive the same `flag` number from it, so they publish the same event.
 */
export function overdueEvents(rect: Rectification, kinds: readonly OverdueKind[], at: string): OutboundEvent[] {
  return kinds.map((kind) =>
    toOutbound(
      {
        type: RECTIFICATION_OVERDUE_EVENT_TYPE,
        subject: rect.caseId,
        data: {
          caseId: rect.caseId,
          departmentCode: rect.departmentCode,
          kind,
          // 1 for the first flag of this kind on the case; 2, 3 … for a flag raised again after a withdrawal.
          flag: nextOverdueFlag(rect, kind),
          state: rect.state,
          due: kind === 'acknowledge' ? rect.deadlines.acknowledgeDue : rect.deadlines.rectifyDue,
          at,
        },
      },
      at,
    ),
  );
}

type AppliedStep = Extract<ActionResult, { ok: true; duplicate: false }>;

/**
 * A step applied to `before`: its own event, then the overdue flags it raised as of its moment (the
 * deadlines that had passed before the step was taken).
 */
export function stepEvents(before: Rectification, result: AppliedStep): OutboundEvent[] {
  const entry = result.auditEntry;
  const action = entry.action as RectificationAction;
  const step = toOutbound(
    {
      type: STEP_EVENT_TYPES[action],
      subject: before.caseId,
      data: {
        caseId: before.caseId,
        reviewId: before.reviewId,
        departmentCode: before.departmentCode,
        action,
        from: entry.from,
        to: entry.to,
        actorStaffId: entry.actor.staffId,
        at: entry.at,
        ...(entry.note !== undefined ? { note: entry.note } : {}),
        ...(action === 'returnVisit' ? { satisfied: entry.satisfied } : {}),
        ...(action === 'approveExtension' ? { rectifyDue: result.next.deadlines.rectifyDue } : {}),
        // Overdue flags this step, taken by their deadlines, shows were never due (their events stand).
        ...(result.overdueWithdrawn.length > 0 ? { overdueWithdrawn: [...result.overdueWithdrawn] } : {}),
      },
    },
    entry.at,
  );
  return [step, ...overdueEvents(before, result.overdueFlagged, entry.at)];
}
