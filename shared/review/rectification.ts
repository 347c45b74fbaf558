/**
 * 差评整改 — the rectification case every 差评 opens (SPEC §6): a state machine with deadlines in
 * working days (SPEC §7), an audit trail, overdue flags and figure deltas. Transitions are pure; the
 * handler stores `next` on the condition that `version` is still the one it loaded.
 *
 * Decisions the SPEC leaves open (documented here and in the report):
 * - Acknowledgement overdue means literally still `OPEN` after the acknowledgement deadline; a pending
 *   invalid claim made from OPEN is a response from the department and does not count as OPEN.
 * - Rectification overdue means in a state before RECTIFIED after the rectification deadline: OPEN,
 *   IN_PROGRESS and the pending side states (INVALID_CLAIMED, UNFIXABLE_CLAIMED, EXTENSION_REQUESTED —
 *   a request does not stop the clock until it is approved). The closed side outcomes INVALID_APPROVED
 *   and UNFIXABLE_APPROVED are never overdue.
 * - Each kind of overdue is flagged once and stays flagged: a case rectified late, or extended after it
 *   was already late, was still overdue. An approved extension moves the deadline for cases not yet flagged.
 * - UNFIXABLE_APPROVED never reached RECTIFIED, so it is not rectified in 差评整改率 (it is counted in
 *   its own `unfixable` counter). INVALID_APPROVED removes the 差评 from every figure.
 * - An unsatisfied return visit still moves to RETURN_VISITED (the SPEC has no loop back); it lowers 整改满意率.
 */

import type { Due, WorkingCalendar } from '#calendar/types';
import { figureDelta, mergeDeltas } from './delta';
import {
  LEVEL_POINTS,
  RECTIFICATION_ACTIONS,
  RECTIFICATION_STATES,
  type Actor,
  type CounterName,
  type Extension,
  type FigureDelta,
  type FigureSubject,
  type HistoryEntry,
  type OutboundDraft,
  type OverdueKind,
  type Rectification,
  type RectificationAction,
  type RectificationState,
  type Review,
  type ReviewConfig,
} from './types';

/** The system as an actor, for the opening of a case and overdue flags. */
export const SYSTEM_ACTOR: Actor = { departmentCode: 'system', staffId: 'system' };

interface Transition {
  readonly from: readonly RectificationState[];
  /** `RETURN` goes back to the state the claim or request came from. */
  readonly to: RectificationState | 'RETURN';
  readonly eventType: `gov.${string}`;
}

/** The allowed actions by state, exactly as SPEC §6 lists them. */
export const TRANSITIONS: Readonly<Record<RectificationAction, Transition>> = {
  acknowledge: { from: ['OPEN'], to: 'IN_PROGRESS', eventType: 'gov.rectification.acknowledged' },
  claimInvalid: { from: ['OPEN', 'IN_PROGRESS'], to: 'INVALID_CLAIMED', eventType: 'gov.rectification.invalidClaimed' },
  rectify: { from: ['IN_PROGRESS'], to: 'RECTIFIED', eventType: 'gov.rectification.rectified' },
  claimUnfixable: { from: ['IN_PROGRESS'], to: 'UNFIXABLE_CLAIMED', eventType: 'gov.rectification.unfixableClaimed' },
  requestExtension: {
    from: ['IN_PROGRESS'],
    to: 'EXTENSION_REQUESTED',
    eventType: 'gov.rectification.extensionRequested',
  },
  returnVisit: { from: ['RECTIFIED'], to: 'RETURN_VISITED', eventType: 'gov.rectification.returnVisited' },
  close: { from: ['RETURN_VISITED'], to: 'CLOSED', eventType: 'gov.rectification.closed' },
  approveInvalid: { from: ['INVALID_CLAIMED'], to: 'INVALID_APPROVED', eventType: 'gov.rectification.invalidApproved' },
  rejectInvalid: { from: ['INVALID_CLAIMED'], to: 'RETURN', eventType: 'gov.rectification.invalidRejected' },
  approveUnfixable: {
    from: ['UNFIXABLE_CLAIMED'],
    to: 'UNFIXABLE_APPROVED',
    eventType: 'gov.rectification.unfixableApproved',
  },
  rejectUnfixable: { from: ['UNFIXABLE_CLAIMED'], to: 'RETURN', eventType: 'gov.rectification.unfixableRejected' },
  approveExtension: {
    from: ['EXTENSION_REQUESTED'],
    to: 'IN_PROGRESS',
    eventType: 'gov.rectification.extensionApproved',
  },
  rejectExtension: { from: ['EXTENSION_REQUESTED'], to: 'RETURN', eventType: 'gov.rectification.extensionRejected' },
};

export const RECTIFICATION_OPENED_EVENT_TYPE = 'gov.rectification.opened';
export const RECTIFICATION_OVERDUE_EVENT_TYPE = 'gov.rectification.overdue';

/** States in which the case has not (yet) been rectified and the rectification deadline runs. */
export const NOT_YET_RECTIFIED: ReadonlySet<RectificationState> = new Set<RectificationState>([
  'OPEN',
  'IN_PROGRESS',
  'INVALID_CLAIMED',
  'UNFIXABLE_CLAIMED',
  'EXTENSION_REQUESTED',
]);
/** States that reached RECTIFIED (差评整改率's numerator). */
export const REACHED_RECTIFIED: ReadonlySet<RectificationState> = new Set<RectificationState>([
  'RECTIFIED',
  'RETURN_VISITED',
  'CLOSED',
]);
export const TERMINAL_STATES: ReadonlySet<RectificationState> = new Set<RectificationState>([
  'CLOSED',
  'INVALID_APPROVED',
  'UNFIXABLE_APPROVED',
]);

export function allowedActions(state: RectificationState): RectificationAction[] {
  return RECTIFICATION_ACTIONS.filter((action) => TRANSITIONS[action].from.includes(state));
}

/**
 * The states a rectification can still enter, in one or more steps, from `state`. A claim or request made
 * from a state returns to it when rejected, so the side states are followed with the state they came from
 * (`returnTo` for the current one, as `applyAction` keeps it; IN_PROGRESS when unknown, as there).
 */
export function reachableStates(state: RectificationState, returnTo?: RectificationState): ReadonlySet<RectificationState> {
  const reached = new Set<RectificationState>();
  const seen = new Set<string>();
  const queue: Array<readonly [RectificationState, RectificationState | undefined]> = [[state, returnTo]];
  while (queue.length > 0) {
    const [from, back] = queue.shift()!;
    for (const action of allowedActions(from)) {
      const target = TRANSITIONS[action].to;
      const to: RectificationState = target === 'RETURN' ? (back ?? 'IN_PROGRESS') : target;
      const entersSidePath = to === 'INVALID_CLAIMED' || to === 'UNFIXABLE_CLAIMED' || to === 'EXTENSION_REQUESTED';
      const nextBack = entersSidePath ? from : undefined;
      reached.add(to);
      const key = `${to}|${nextBack ?? ''}`;
      if (!seen.has(key)) {
        seen.add(key);
        queue.push([to, nextBack]);
      }
    }
  }
  return reached;
}

/**
 * Whether `action`, not allowed in the rectification's state, is allowed in a state it can still reach.
 * Such a step may have overtaken the step it depends on (SQS standard queues do not keep order), so it is
 * worth retrying; a step allowed in no reachable state can never apply.
 */
export function allowedLater(rect: Pick<Rectification, 'state' | 'returnTo'>, action: RectificationAction): boolean {
  const from = TRANSITIONS[action].from;
  for (const state of reachableStates(rect.state, rect.returnTo)) {
    if (from.includes(state)) return true;
  }
  return false;
}

export function isRectificationAction(value: unknown): value is RectificationAction {
  return typeof value === 'string' && (RECTIFICATION_ACTIONS as readonly string[]).includes(value);
}
export function isRectificationState(value: unknown): value is RectificationState {
  return typeof value === 'string' && (RECTIFICATION_STATES as readonly string[]).includes(value);
}

/**
 * Identifies one step of one case under at-least-once delivery. The upstream event carries no id of the
 * step, so the step is named by what it is: the case, the action and the moment it was taken.
 */
export function actionKey(caseId: string, action: string, at: string): string {
  return `${caseId}|${action}|${new Date(Date.parse(at)).toISOString()}`;
}

function overdueKey(caseId: string, kind: OverdueKind): string {
  return `${caseId}|overdue|${kind}`;
}

/** Opens the rectification case of a 差评, deadlines counted from the review's submission. */
export function openRectification(
  review: Review,
  subject: FigureSubject,
  calendar: Pick<WorkingCalendar, 'addWorkingDays'>,
  config: ReviewConfig,
): { readonly rectification: Rectification; readonly outbound: readonly OutboundDraft[] } {
  const deadlines = {
    acknowledgeDue: calendar.addWorkingDays(review.submittedAt, config.acknowledgeWorkingDays),
    rectifyDue: calendar.addWorkingDays(review.submittedAt, config.rectifyWorkingDays),
  };
  const rectification: Rectification = {
    caseId: review.caseId,
    reviewId: review.reviewId,
    departmentCode: subject.departmentCode,
    level: review.level,
    subject,
    state: 'OPEN',
    openedAt: review.submittedAt,
    deadlines,
    extensions: [],
    history: [
      {
        key: actionKey(review.caseId, 'open', review.submittedAt),
        action: 'open',
        from: null,
        to: 'OPEN',
        actor: SYSTEM_ACTOR,
        at: review.submittedAt,
      },
    ],
    overdue: {},
    version: 1,
  };
  return {
    rectification,
    outbound: [
      {
        type: RECTIFICATION_OPENED_EVENT_TYPE,
        subject: review.caseId,
        data: {
          caseId: review.caseId,
          reviewId: review.reviewId,
          departmentCode: subject.departmentCode,
          level: review.level,
          acknowledgeDue: deadlines.acknowledgeDue,
          rectifyDue: deadlines.rectifyDue,
        },
      },
    ],
  };
}

export interface OverdueResult {
  /** The case itself when nothing was flagged. */
  readonly next: Rectification;
  readonly flagged: readonly OverdueKind[];
  readonly auditEntries: readonly HistoryEntry[];
  readonly figureDeltas: readonly FigureDelta[];
  readonly outbound: readonly OutboundDraft[];
}

function isAfter(now: string, due: Due): boolean {
  return Date.parse(now) > Date.parse(due.dueAt);
}

/** The kinds of overdue that hold at `now` and are not flagged yet. */
export function overdueKinds(rect: Rectification, now: string): OverdueKind[] {
  const kinds: OverdueKind[] = [];
  if (rect.overdue.acknowledge === undefined && rect.state === 'OPEN' && isAfter(now, rect.deadlines.acknowledgeDue)) {
    kinds.push('acknowledge');
  }
  if (
    rect.overdue.rectify === undefined &&
    NOT_YET_RECTIFIED.has(rect.state) &&
    isAfter(now, rect.deadlines.rectifyDue)
  ) {
    kinds.push('rectify');
  }
  return kinds;
}

/**
 * Flags what is overdue at `now`, each kind once. Run by the scheduler, and by `applyAction` as of the
 * action's moment so the flags do not depend on when the scheduler last ran.
 */
export function overdueCheck(rect: Rectification, now: string): OverdueResult {
  const kinds = overdueKinds(rect, now);
  if (kinds.length === 0) return { next: rect, flagged: [], auditEntries: [], figureDeltas: [], outbound: [] };
  const flags: { acknowledge?: string; rectify?: string } = { ...rect.overdue };
  const add: Partial<Record<CounterName, number>> = {};
  if (rect.overdue.acknowledge === undefined && rect.overdue.rectify === undefined) add.overdue = 1;
  const auditEntries: HistoryEntry[] = [];
  for (const kind of kinds) {
    flags[kind] = now;
    add[kind === 'acknowledge' ? 'overdueAcknowledge' : 'overdueRectify'] = 1;
    auditEntries.push({
      key: overdueKey(rect.caseId, kind),
      action: 'overdue',
      from: rect.state,
      to: rect.state,
      actor: SYSTEM_ACTOR,
      note: kind === 'acknowledge' ? 'acknowledgement deadline passed' : 'rectification deadline passed',
      at: now,
    });
  }
  return {
    next: { ...rect, overdue: flags, history: [...rect.history, ...auditEntries], version: rect.version + 1 },
    flagged: kinds,
    auditEntries,
    figureDeltas: figureDelta(rect.subject, add),
    outbound: kinds.map((kind) => ({
      type: RECTIFICATION_OVERDUE_EVENT_TYPE,
      subject: rect.caseId,
      data: {
        caseId: rect.caseId,
        departmentCode: rect.departmentCode,
        kind,
        state: rect.state,
        due: kind === 'acknowledge' ? rect.deadlines.acknowledgeDue : rect.deadlines.rectifyDue,
        at: now,
      },
    })),
  };
}

export interface ActionInput {
  /** Unchecked: an unknown action is refused with UNKNOWN_ACTION. */
  readonly action: string;
  readonly actor: Actor;
  readonly note?: string;
  readonly at: string;
  /** Required for `returnVisit`. */
  readonly satisfied?: boolean;
}

export type ActionRefusalCode =
  | 'UNKNOWN_ACTION'
  | 'ACTION_NOT_ALLOWED'
  | 'NOT_OWNING_DEPARTMENT'
  | 'SATISFIED_REQUIRED'
  | 'INVALID_TIME';

/** The 差评 was approved invalid: the handler marks the case record with `invalidateReview`. */
export interface InvalidateReviewEffect {
  readonly type: 'invalidateReview';
  readonly caseId: string;
  readonly reviewId: string;
}

export type ActionResult =
  | {
      readonly ok: true;
      readonly duplicate: false;
      readonly next: Rectification;
      /** The action's own entry; overdue flags raised as of the action precede it in `next.history`. */
      readonly auditEntry: HistoryEntry;
      readonly figureDeltas: readonly FigureDelta[];
      /** The outbound event type of the step (also the first of `outbound`). */
      readonly eventType: string;
      readonly outbound: readonly OutboundDraft[];
      readonly overdueFlagged: readonly OverdueKind[];
      readonly effects: readonly InvalidateReviewEffect[];
    }
  /** The same step was already applied (a redelivery): nothing changes, nothing is counted. */
  | {
      readonly ok: true;
      readonly duplicate: true;
      readonly next: Rectification;
      readonly auditEntry: HistoryEntry;
      readonly figureDeltas: readonly [];
      readonly outbound: readonly [];
      readonly effects: readonly [];
    }
  | {
      readonly ok: false;
      readonly code: ActionRefusalCode;
      readonly reason: string;
      readonly state: RectificationState;
      readonly allowedActions: readonly RectificationAction[];
    };

function refuse(rect: Rectification, code: ActionRefusalCode, reason: string): ActionResult {
  return { ok: false, code, reason, state: rect.state, allowedActions: allowedActions(rect.state) };
}

function describeAllowed(state: RectificationState): string {
  const allowed = allowedActions(state);
  return allowed.length === 0 ? `none (${state} is final)` : allowed.join(', ');
}

/** Counter changes of a step, for a 差评 that still counts (approveInvalid is the step that stops it). */
function stepCounters(
  rect: Rectification,
  action: RectificationAction,
  satisfied: boolean | undefined,
  overdueBefore: Rectification['overdue'],
): Partial<Record<CounterName, number>> {
  switch (action) {
    case 'rectify':
      return { rectified: 1 };
    case 'returnVisit':
      return { returnVisited: 1, returnVisitSatisfied: satisfied ? 1 : 0 };
    case 'approveUnfixable':
      return { unfixable: 1 };
    case 'approveInvalid': {
      // Out of every figure: the level counters and whatever overdue flags it had collected.
      const add: Partial<Record<CounterName, number>> = {
        [`level${rect.level}`]: -1,
        points: -LEVEL_POINTS[rect.level],
        invalidated: 1,
      };
      if (overdueBefore.acknowledge !== undefined) add.overdueAcknowledge = -1;
      if (overdueBefore.rectify !== undefined) add.overdueRectify = -1;
      if (overdueBefore.acknowledge !== undefined || overdueBefore.rectify !== undefined) add.overdue = -1;
      return add;
    }
    default:
      return {};
  }
}

/**
 * Applies one `gov.rectification.updated` step. Refusals change nothing and say why; a redelivered step
 * (same action key already in the history) is a no-op, not a refusal.
 */
export function applyAction(
  rect: Rectification,
  input: ActionInput,
  calendar: Pick<WorkingCalendar, 'addWorkingDays'>,
  config: ReviewConfig,
): ActionResult {
  const { action, actor, at } = input;
  if (!isRectificationAction(action)) {
    return refuse(
      rect,
      'UNKNOWN_ACTION',
      `Unknown rectification action ${JSON.stringify(action)}; known actions: ${RECTIFICATION_ACTIONS.join(', ')}`,
    );
  }
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) {
    return refuse(rect, 'INVALID_TIME', `Action ${action} has no valid time "at": ${JSON.stringify(at)}`);
  }
  if (actor.departmentCode !== rect.departmentCode) {
    return refuse(
      rect,
      'NOT_OWNING_DEPARTMENT',
      `Department ${actor.departmentCode} may not act on rectification ${rect.caseId}; it is owned by ${rect.departmentCode}`,
    );
  }
  const key = actionKey(rect.caseId, action, at);
  const done = rect.history.find((entry) => entry.key === key);
  if (done !== undefined) {
    return { ok: true, duplicate: true, next: rect, auditEntry: done, figureDeltas: [], outbound: [], effects: [] };
  }
  const transition = TRANSITIONS[action];
  if (!transition.from.includes(rect.state)) {
    return refuse(
      rect,
      'ACTION_NOT_ALLOWED',
      `Action ${action} is not allowed in state ${rect.state}; allowed: ${describeAllowed(rect.state)}`,
    );
  }
  if (action === 'returnVisit' && typeof input.satisfied !== 'boolean') {
    return refuse(rect, 'SATISFIED_REQUIRED', 'Action returnVisit requires "satisfied" (true or false)');
  }

  const overdue = overdueCheck(rect, at);
  const before = overdue.next;
  const to: RectificationState = transition.to === 'RETURN' ? (before.returnTo ?? 'IN_PROGRESS') : transition.to;
  const auditEntry: HistoryEntry = {
    key,
    action,
    from: before.state,
    to,
    actor,
    ...(input.note !== undefined ? { note: input.note } : {}),
    ...(action === 'returnVisit' ? { satisfied: input.satisfied } : {}),
    at,
  };

  let deadlines = before.deadlines;
  let extensions: readonly Extension[] = before.extensions;
  if (action === 'requestExtension') {
    extensions = [...extensions, { requestedAt: at }];
  } else if (action === 'approveExtension' || action === 'rejectExtension') {
    const last = extensions[extensions.length - 1] ?? { requestedAt: at };
    let decided: Extension = { ...last, decidedAt: at, approved: action === 'approveExtension' };
    if (action === 'approveExtension') {
      const rectifyDue = calendar.addWorkingDays(at, config.extensionWorkingDays);
      decided = { ...decided, previousRectifyDue: deadlines.rectifyDue, rectifyDue };
      deadlines = { ...deadlines, rectifyDue };
    }
    extensions = [...extensions.slice(0, -1), decided];
  }

  const entersSidePath = transition.to === 'INVALID_CLAIMED' || transition.to === 'UNFIXABLE_CLAIMED' || transition.to === 'EXTENSION_REQUESTED';
  const { returnTo: _previousReturnTo, ...rest } = before;
  const next: Rectification = {
    ...rest,
    state: to,
    ...(entersSidePath ? { returnTo: before.state } : {}),
    deadlines,
    extensions,
    ...(action === 'returnVisit' ? { returnVisit: { satisfied: input.satisfied === true, at } } : {}),
    history: [...before.history, auditEntry],
    version: rect.version + 1,
  };

  const figureDeltas = mergeDeltas([
    ...overdue.figureDeltas,
    ...figureDelta(rect.subject, stepCounters(before, action, input.satisfied, before.overdue)),
  ]);
  const stepEvent: OutboundDraft = {
    type: transition.eventType,
    subject: rect.caseId,
    data: {
      caseId: rect.caseId,
      reviewId: rect.reviewId,
      departmentCode: rect.departmentCode,
      action,
      from: before.state,
      to,
      actorStaffId: actor.staffId,
      at,
      ...(input.note !== undefined ? { note: input.note } : {}),
      ...(action === 'returnVisit' ? { satisfied: input.satisfied } : {}),
      ...(action === 'approveExtension' ? { rectifyDue: deadlines.rectifyDue } : {}),
    },
  };
  return {
    ok: true,
    duplicate: false,
    next,
    auditEntry,
    figureDeltas,
    eventType: transition.eventType,
    outbound: [stepEvent, ...overdue.outbound],
    overdueFlagged: overdue.flagged,
    effects: action === 'approveInvalid' ? [{ type: 'invalidateReview', caseId: rect.caseId, reviewId: rect.reviewId }] : [],
  };
}
