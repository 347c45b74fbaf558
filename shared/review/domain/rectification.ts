/**
 * 差评整改 — the rectification case every 差评 opens: a state machine with deadlines in
 * working days, an audit trail, overdue flags and figure deltas. Transitions are pure; the
 * use case stores `next` on the condition that `version` is still the one it loaded. The table of
 * transitions is in `transitions.ts`.
 *
 * Decisions the product leaves open (documented here and in the report):
 * - Acknowledgement overdue means literally still `OPEN` after the acknowledgement deadline; a pending
 *   invalid claim made from OPEN is a response from the department and does not count as OPEN.
 * - Rectification overdue means in a state before RECTIFIED after the rectification deadline: OPEN,
 *   IN_PROGRESS and the pending side states (INVALID_CLAIMED, UNFIXABLE_CLAIMED, EXTENSION_REQUESTED —
 *   a request does not stop the clock until it is approved). The closed side outcomes INVALID_APPROVED
 *   and UNFIXABLE_APPROVED are never overdue.
 * - Each kind of overdue is flagged once and stays flagged: a case rectified late, or extended after it
 *   was already late, was still overdue. An approved extension moves the deadline for cases not yet flagged.
 * - Overdue is a fact of when steps were taken, not of when they were processed: the schedule flags what
 *   it finds overdue at its run, but a step taken by the deadline may reach CivicFlow after that run (queues
 *   do not keep order; a department's system posts late). When such a step ends the state the flag was
 *   for — it leaves OPEN by the acknowledgement deadline; or it rectifies, has an unfixable claim approved
 *   or an extension approved by the rectification deadline — the flag is withdrawn: taken off the case,
 *   its overdue counters taken back, and an `overdueWithdrawn` entry added to the history. The flag's
 *   outbound `gov.rectification.overdue` was published and cannot be unsent; the step's own event names the
 *   withdrawn kinds (`overdueWithdrawn`). An approved invalid claim needs no withdrawal: it takes the 差评
 *   out of every figure, flags included. A withdrawn flag can be raised again (an extension approved in
 *   time, then its new deadline missed): a new flag, numbered (`nextOverdueFlag`), with its own history key
 *   and outbound event id.
 * - UNFIXABLE_APPROVED never reached RECTIFIED, so it is not rectified in 差评整改率 (it is counted in
 *   its own `unfixable` counter). INVALID_APPROVED removes the 差评 from every figure.
 * - An unsatisfied return visit still moves to RETURN_VISITED (the product has no loop back); it lowers 整改满意率.
 */

import type { Due, WorkingCalendar } from '#calendar/types';
import { figureDelta, mergeDeltas } from './delta';
import { actionKey, allowedActions, entersSidePath, isRectificationAction, NOT_YET_RECTIFIED, SYSTEM_ACTOR, TRANSITIONS } from './transitions';
import {
  LEVEL_POINTS,
  RECTIFICATION_ACTIONS,
  type Actor,
  type CounterName,
  type Extension,
  type FigureDelta,
  type FigureSubject,
  type HistoryEntry,
  type OverdueKind,
  type Rectification,
  type RectificationAction,
  type RectificationState,
  type Review,
  type ReviewConfig,
} from './types';

function overdueKey(caseId: string, kind: OverdueKind): string {
  return `${caseId}|overdue|${kind}`;
}

/**
 * The ordinal of the next flag of `kind` on `rect`: 1 the first time, 2 for a flag raised again after the
 * first was withdrawn (an extension approved in time, then its new deadline missed), and so on. Counted
 * from the flags in the case's history, so the schedule and a step that raise the same flag on the same
 * case give it the same number, and a flag raised again is a new fact with its own history key and event id.
 */
export function nextOverdueFlag(rect: Pick<Rectification, 'caseId' | 'history'>, kind: OverdueKind): number {
  const key = overdueKey(rect.caseId, kind);
  return rect.history.filter((h) => h.action === 'overdue' && (h.key === key || h.key.startsWith(`${key}|`))).length + 1;
}

/** The history key of the `flag`-th flag of `kind` (the first keeps the key it always had). */
function overdueFlagKey(caseId: string, kind: OverdueKind, flag: number): string {
  return flag === 1 ? overdueKey(caseId, kind) : `${overdueKey(caseId, kind)}|${flag}`;
}

/** Opens the rectification case of a 差评, deadlines counted from the review's submission. */
export function openRectification(
  review: Review,
  subject: FigureSubject,
  calendar: Pick<WorkingCalendar, 'addWorkingDays'>,
  config: ReviewConfig,
): { readonly rectification: Rectification } {
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
  return { rectification };
}

export interface OverdueResult {
  /** The case itself when nothing was flagged. */
  readonly next: Rectification;
  readonly flagged: readonly OverdueKind[];
  readonly auditEntries: readonly HistoryEntry[];
  readonly figureDeltas: readonly FigureDelta[];
}

function isAfter(now: string, due: Due): boolean {
  return Date.parse(now) > Date.parse(due.dueAt);
}

/** Steps that stop the rectification clock when taken by the deadline (see the header). */
const ENDS_RECTIFY_CLOCK: ReadonlySet<RectificationAction> = new Set<RectificationAction>(['rectify', 'approveUnfixable', 'approveExtension']);

/**
 * The flags on `rect` that a step taken at `at`, from `rect.state` to `to`, shows were never due: the step
 * ended the state the flag was for by the flag's deadline, so the flag was raised only because the step was
 * processed after the schedule's run. A flag raised as of a moment before the step cannot be among them:
 * every flag is raised after its deadline, and these steps were taken by it. An approved extension moves
 * the deadline rather than ending the state: its flag goes only if it was raised by the new deadline.
 */
function withdrawnBy(rect: Rectification, action: RectificationAction, to: RectificationState, at: string, rectifyDue: Due): OverdueKind[] {
  const kinds: OverdueKind[] = [];
  const { acknowledge, rectify } = rect.overdue;
  if (acknowledge !== undefined && rect.state === 'OPEN' && to !== 'OPEN' && !isAfter(at, rect.deadlines.acknowledgeDue)) {
    kinds.push('acknowledge');
  }
  if (
    rectify !== undefined &&
    NOT_YET_RECTIFIED.has(rect.state) &&
    ENDS_RECTIFY_CLOCK.has(action) &&
    !isAfter(at, rect.deadlines.rectifyDue) &&
    (action !== 'approveExtension' || !isAfter(rectify, rectifyDue))
  ) {
    kinds.push('rectify');
  }
  return kinds;
}

interface Withdrawal {
  readonly overdue: Rectification['overdue'];
  readonly entries: readonly HistoryEntry[];
  readonly add: Partial<Record<CounterName, number>>;
}

/** Takes the flags of `kinds` off `rect` as of the step at `at`: what remains, the history entries, the counters. */
function withdraw(rect: Rectification, kinds: readonly OverdueKind[], at: string): Withdrawal {
  if (kinds.length === 0) return { overdue: rect.overdue, entries: [], add: {} };
  const overdue: { acknowledge?: string; rectify?: string } = { ...rect.overdue };
  const add: Partial<Record<CounterName, number>> = {};
  const entries: HistoryEntry[] = [];
  for (const kind of kinds) {
    const flaggedAt = rect.overdue[kind]!;
    delete overdue[kind];
    add[kind === 'acknowledge' ? 'overdueAcknowledge' : 'overdueRectify'] = -1;
    entries.push({
      key: `${overdueKey(rect.caseId, kind)}|withdrawn|${flaggedAt}`,
      action: 'overdueWithdrawn',
      from: rect.state,
      to: rect.state,
      actor: SYSTEM_ACTOR,
      note: `${kind === 'acknowledge' ? 'acknowledgement' : 'rectification'} deadline met by a step taken at ${at}: the flag of ${flaggedAt} is withdrawn`,
      at,
    });
  }
  // The case leaves the overdue count when it keeps no flag.
  if (overdue.acknowledge === undefined && overdue.rectify === undefined) add.overdue = -1;
  return { overdue, entries, add };
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
  if (kinds.length === 0) return { next: rect, flagged: [], auditEntries: [], figureDeltas: [] };
  const flags: { acknowledge?: string; rectify?: string } = { ...rect.overdue };
  const add: Partial<Record<CounterName, number>> = {};
  if (rect.overdue.acknowledge === undefined && rect.overdue.rectify === undefined) add.overdue = 1;
  const auditEntries: HistoryEntry[] = [];
  for (const kind of kinds) {
    flags[kind] = now;
    add[kind === 'acknowledge' ? 'overdueAcknowledge' : 'overdueRectify'] = 1;
    auditEntries.push({
      key: overdueFlagKey(rect.caseId, kind, nextOverdueFlag(rect, kind)),
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
  | 'INVALID_TIME'
  | 'BEFORE_REPORTED';

/** The 差评 was approved invalid: the use case marks the case record with `invalidateReview`. */
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
      readonly overdueFlagged: readonly OverdueKind[];
      /** Flags the step shows were never due (taken by the deadline, processed after the flag): taken back. */
      readonly overdueWithdrawn: readonly OverdueKind[];
      readonly effects: readonly InvalidateReviewEffect[];
    }
  /** The same step was already applied (a redelivery): nothing changes, nothing is counted. */
  | {
      readonly ok: true;
      readonly duplicate: true;
      readonly next: Rectification;
      readonly auditEntry: HistoryEntry;
      readonly figureDeltas: readonly [];
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

/** Why a step cannot be taken in the rectification as it is (before the redelivery check), if it cannot. */
function checkStep(rect: Rectification, input: ActionInput): ActionResult | undefined {
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
  // A step cannot come before its 差评: one dated so (a mistyped year) would be judged against deadlines
  // that had not begun, and its overdue flags, once counted, would never be taken back.
  if (Date.parse(at) < Date.parse(rect.openedAt)) {
    return refuse(rect, 'BEFORE_REPORTED', `Action ${action} at ${at} is before the 差评 was submitted (${rect.openedAt})`);
  }
  if (actor.departmentCode !== rect.departmentCode) {
    return refuse(
      rect,
      'NOT_OWNING_DEPARTMENT',
      `Department ${actor.departmentCode} may not act on rectification ${rect.caseId}; it is owned by ${rect.departmentCode}`,
    );
  }
  return undefined;
}

/** The deadlines and extension requests after a step: an approved extension moves the rectification deadline. */
function extend(
  before: Rectification,
  action: RectificationAction,
  at: string,
  calendar: Pick<WorkingCalendar, 'addWorkingDays'>,
  config: ReviewConfig,
): Pick<Rectification, 'deadlines' | 'extensions'> {
  const { deadlines, extensions } = before;
  if (action === 'requestExtension') return { deadlines, extensions: [...extensions, { requestedAt: at }] };
  if (action !== 'approveExtension' && action !== 'rejectExtension') return { deadlines, extensions };
  const last = extensions[extensions.length - 1] ?? { requestedAt: at };
  const decided: Extension = { ...last, decidedAt: at, approved: action === 'approveExtension' };
  if (action === 'rejectExtension') return { deadlines, extensions: [...extensions.slice(0, -1), decided] };
  const rectifyDue = calendar.addWorkingDays(at, config.extensionWorkingDays);
  return {
    deadlines: { ...deadlines, rectifyDue },
    extensions: [...extensions.slice(0, -1), { ...decided, previousRectifyDue: deadlines.rectifyDue, rectifyDue }],
  };
}

/**
 * Applies one `gov.rectification.updated` step. Refusals change nothing and say why; a redelivered step
 * (same action key already in the history) is a no-op, not a refusal. What the step tells upstream systems
 * is built from the result by the capability's messages (`stepEvents`).
 */
export function applyAction(
  rect: Rectification,
  input: ActionInput,
  calendar: Pick<WorkingCalendar, 'addWorkingDays'>,
  config: ReviewConfig,
): ActionResult {
  const refused = checkStep(rect, input);
  if (refused) return refused;
  const action = input.action as RectificationAction;
  const { actor, at } = input;
  const key = actionKey(rect.caseId, action, at);
  const done = rect.history.find((entry) => entry.key === key);
  if (done !== undefined) {
    return { ok: true, duplicate: true, next: rect, auditEntry: done, figureDeltas: [], effects: [] };
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
  const extended = extend(before, action, at, calendar, config);
  const withdrawnKinds = withdrawnBy(before, action, to, at, extended.deadlines.rectifyDue);
  const withdrawal = withdraw(before, withdrawnKinds, at);
  const { returnTo: _previousReturnTo, ...rest } = before;
  const next: Rectification = {
    ...rest,
    state: to,
    ...(entersSidePath(transition.to) ? { returnTo: before.state } : {}),
    ...extended,
    ...(action === 'returnVisit' ? { returnVisit: { satisfied: input.satisfied === true, at } } : {}),
    overdue: withdrawal.overdue,
    history: [...before.history, ...withdrawal.entries, auditEntry],
    version: rect.version + 1,
  };
  const figureDeltas = mergeDeltas([
    ...overdue.figureDeltas,
    ...figureDelta(rect.subject, withdrawal.add),
    ...figureDelta(rect.subject, stepCounters(before, action, input.satisfied, before.overdue)),
  ]);
  return {
    ok: true,
    duplicate: false,
    next,
    auditEntry,
    figureDeltas,
    overdueFlagged: overdue.flagged,
    overdueWithdrawn: withdrawnKinds,
    effects: action === 'approveInvalid' ? [{ type: 'invalidateReview', caseId: rect.caseId, reviewId: rect.reviewId }] : [],
  };
}
