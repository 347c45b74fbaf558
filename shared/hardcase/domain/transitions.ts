/**
 * The hard-case state machine: RECEIVED → CONTACTED → RESOLVED | EXPLAINED | ESCALATED →
 * RETURN_VISITED → CLOSED, with deadlines in working days and overdue flags. Transitions are pure; the
 * store writes `next` on the condition that `version` is still the one it loaded.
 *
 * Decisions the product leaves open:
 * - An escalated case is often concluded by the level it went to: ESCALATED may still be resolved or
 *   explained, and the return visit follows any of the three conclusions.
 * - Departments can be brought in until the case is concluded (with `contact`, `involveDepartments` or
 *   `escalate`); once two or more are involved the resolution deadline is the multi-department one,
 *   counted from the report like the first.
 * - A conclusion needs a cause (given with it or earlier), so every concluded case counts in the figures
 *   by cause. Offered cases come with theirs.
 * - Contact is overdue while RECEIVED after the contact deadline; resolution is overdue while RECEIVED or
 *   CONTACTED after the resolution deadline (an escalation within the deadline stops the clock). Each kind
 *   is flagged once and stays flagged, as for rectification, unless a step taken by the deadline arrives
 *   after the schedule flagged it: a contact by the contact deadline; a resolution, explanation or
 *   escalation by the resolution deadline; a second department involved by it, when the flag was raised by
 *   the longer deadline. Then the flag is withdrawn (an `overdueWithdrawn` history entry; the step's event
 *   names the kinds) — overdue follows when steps were taken, not when they were processed. The
 *   `gov.hardcase.overdue` already published stands.
 * - An unsatisfied return visit still moves to RETURN_VISITED: it lowers the satisfaction rate; a new
 *   report opens a new case.
 */

import {
  HARDCASE_ACTIONS,
  HARDCASE_CAUSES,
  type HardCase,
  type HardCaseAction,
  type HardCaseActor,
  type HardCaseConfig,
  type HardCaseHistoryEntry,
  type HardCaseOutboundEvent,
  type HardCaseOverdueKind,
  type HardCaseState,
  type HardCaseUpdate,
  type NewHardCase,
} from './types';
import { hardCaseDeadlines, type DeadlineCalendar } from './deadlines';

export const HARDCASE_SYSTEM_ACTOR: HardCaseActor = { departmentCode: 'system', staffId: 'system' };

interface Transition {
  readonly from: readonly HardCaseState[];
  /** `SAME`: the action does not change the state. */
  readonly to: HardCaseState | 'SAME';
  readonly eventType: string;
}

export const HARDCASE_TRANSITIONS: Readonly<Record<HardCaseAction, Transition>> = {
  contact: { from: ['RECEIVED'], to: 'CONTACTED', eventType: 'gov.hardcase.contacted' },
  involveDepartments: { from: ['RECEIVED', 'CONTACTED', 'ESCALATED'], to: 'SAME', eventType: 'gov.hardcase.departmentsInvolved' },
  resolve: { from: ['CONTACTED', 'ESCALATED'], to: 'RESOLVED', eventType: 'gov.hardcase.resolved' },
  explain: { from: ['CONTACTED', 'ESCALATED'], to: 'EXPLAINED', eventType: 'gov.hardcase.explained' },
  escalate: { from: ['CONTACTED'], to: 'ESCALATED', eventType: 'gov.hardcase.escalated' },
  returnVisit: { from: ['RESOLVED', 'EXPLAINED', 'ESCALATED'], to: 'RETURN_VISITED', eventType: 'gov.hardcase.returnVisited' },
  close: { from: ['RETURN_VISITED'], to: 'CLOSED', eventType: 'gov.hardcase.closed' },
};

export const HARDCASE_OPENED_EVENT_TYPE = 'gov.hardcase.opened';
export const HARDCASE_OVERDUE_EVENT_TYPE = 'gov.hardcase.overdue';

const CONCLUSIONS: Readonly<Partial<Record<HardCaseAction, HardCase['outcome']>>> = {
  resolve: 'RESOLVED',
  explain: 'EXPLAINED',
  escalate: 'ESCALATED',
};

export function allowedHardCaseActions(state: HardCaseState): HardCaseAction[] {
  return HARDCASE_ACTIONS.filter((action) => HARDCASE_TRANSITIONS[action].from.includes(state));
}

export function isHardCaseAction(value: unknown): value is HardCaseAction {
  return typeof value === 'string' && (HARDCASE_ACTIONS as readonly string[]).includes(value);
}

export function hardCaseActionKey(caseId: string, action: string, at: string): string {
  return `${caseId}|${action}|${new Date(Date.parse(at)).toISOString()}`;
}

function uniqueSorted(codes: readonly string[]): string[] {
  return [...new Set(codes)].sort();
}

/** Opens a reported or offered case, deadlines counted from the report. */
export function openHardCase(
  input: NewHardCase,
  calendar: DeadlineCalendar,
  config: HardCaseConfig,
): { readonly hardCase: HardCase; readonly outbound: readonly HardCaseOutboundEvent[] } {
  const departments = uniqueSorted(input.departmentCode === undefined ? [] : [input.departmentCode]);
  const deadlines = hardCaseDeadlines(input.reportedAt, departments, calendar, config);
  const hardCase: HardCase = {
    ...input,
    state: 'RECEIVED',
    departments,
    deadlines,
    overdue: {},
    history: [{ key: hardCaseActionKey(input.caseId, 'open', input.reportedAt), action: 'open', from: null, to: 'RECEIVED', actor: HARDCASE_SYSTEM_ACTOR, at: input.reportedAt }],
    version: 1,
  };
  const data = {
    caseId: input.caseId,
    origin: input.origin,
    channel: input.channel,
    ...(input.applicationId !== undefined ? { applicationId: input.applicationId } : {}),
    ...(input.itemCode !== undefined ? { itemCode: input.itemCode } : {}),
    contactDue: deadlines.contactDue,
    resolveDue: deadlines.resolveDue,
  };
  return { hardCase, outbound: [{ type: HARDCASE_OPENED_EVENT_TYPE, subject: input.caseId, data }] };
}

function after(now: string, dueAt: string): boolean {
  return Date.parse(now) > Date.parse(dueAt);
}

/** The kinds of overdue that hold at `now` and are not flagged yet. */
export function hardCaseOverdueKinds(hc: HardCase, now: string): HardCaseOverdueKind[] {
  const kinds: HardCaseOverdueKind[] = [];
  if (hc.overdue.contact === undefined && hc.state === 'RECEIVED' && after(now, hc.deadlines.contactDue.dueAt)) kinds.push('contact');
  const unresolved = hc.state === 'RECEIVED' || hc.state === 'CONTACTED';
  if (hc.overdue.resolve === undefined && unresolved && after(now, hc.deadlines.resolveDue.dueAt)) kinds.push('resolve');
  return kinds;
}

/**
 * The ordinal of the next flag of `kind` on `hc`: 1 the first time, 2 for a flag raised again after the first
 * was withdrawn (a second department involved in time, then the longer deadline missed), and so on. Counted
 * from the flags in the history, so the schedule and an update that raise the same flag agree on it, and a
 * flag raised again is a new fact: its own history key and event id.
 */
export function nextHardCaseOverdueFlag(hc: Pick<HardCase, 'history'>, kind: HardCaseOverdueKind): number {
  return hc.history.filter((h) => h.action === 'overdue' && h.key.endsWith(`|${kind}`)).length + 1;
}

/** Flags what is overdue at `now`, each kind once; run by the scheduler and before every update. */
export function hardCaseOverdueCheck(
  hc: HardCase,
  now: string,
): { readonly next: HardCase; readonly flagged: readonly HardCaseOverdueKind[]; readonly outbound: readonly HardCaseOutboundEvent[] } {
  const kinds = hardCaseOverdueKinds(hc, now);
  if (kinds.length === 0) return { next: hc, flagged: [], outbound: [] };
  const overdue = { ...hc.overdue };
  const entries: HardCaseHistoryEntry[] = kinds.map((kind) => {
    overdue[kind] = now;
    const flag = nextHardCaseOverdueFlag(hc, kind);
    return {
      // The first flag keeps the key it always had; the kind stays last (the audit line reads it there).
      key: flag === 1 ? `${hc.caseId}|overdue|${kind}` : `${hc.caseId}|overdue-${flag}|${kind}`,
      action: 'overdue',
      from: hc.state,
      to: hc.state,
      actor: HARDCASE_SYSTEM_ACTOR,
      note: kind === 'contact' ? 'contact deadline passed' : 'resolution deadline passed',
      at: now,
    };
  });
  return {
    next: { ...hc, overdue, history: [...hc.history, ...entries], version: hc.version + 1 },
    flagged: kinds,
    outbound: kinds.map((kind) => ({
      type: HARDCASE_OVERDUE_EVENT_TYPE,
      subject: hc.caseId,
      data: {
        caseId: hc.caseId,
        kind,
        // 1 for the first flag of this kind on the case; 2, 3 … for a flag raised again after a withdrawal.
        flag: nextHardCaseOverdueFlag(hc, kind),
        state: hc.state,
        due: kind === 'contact' ? hc.deadlines.contactDue : hc.deadlines.resolveDue,
        at: now,
      },
    })),
  };
}

const unresolved = (state: HardCaseState) => state === 'RECEIVED' || state === 'CONTACTED';

/**
 * The flags on `before` that a step taken at `at`, leading to `next`, shows were never due (see the header):
 * the step ended the state a flag was for by its deadline, or moved the resolution deadline past the flag.
 */
function withdrawnBy(before: HardCase, next: HardCase, at: string): HardCaseOverdueKind[] {
  const kinds: HardCaseOverdueKind[] = [];
  const { contact, resolve } = before.overdue;
  if (contact !== undefined && before.state === 'RECEIVED' && next.state !== 'RECEIVED' && !after(at, before.deadlines.contactDue.dueAt)) kinds.push('contact');
  if (resolve !== undefined && unresolved(before.state) && !after(at, before.deadlines.resolveDue.dueAt)) {
    const ended = !unresolved(next.state);
    const moved = next.deadlines.resolveDue.dueAt !== before.deadlines.resolveDue.dueAt && !after(resolve, next.deadlines.resolveDue.dueAt);
    if (ended || moved) kinds.push('resolve');
  }
  return kinds;
}

/** Takes the flags of `kinds` off `hc` as of the step at `at`: what remains and the history entries. */
function withdraw(hc: HardCase, kinds: readonly HardCaseOverdueKind[], at: string): { overdue: HardCase['overdue']; entries: HardCaseHistoryEntry[] } {
  const overdue: { contact?: string; resolve?: string } = { ...hc.overdue };
  const entries = kinds.map((kind): HardCaseHistoryEntry => {
    const flaggedAt = hc.overdue[kind]!;
    delete overdue[kind];
    return {
      key: `${hc.caseId}|overdue-withdrawn|${flaggedAt}|${kind}`,
      action: 'overdueWithdrawn',
      from: hc.state,
      to: hc.state,
      actor: HARDCASE_SYSTEM_ACTOR,
      note: `${kind === 'contact' ? 'contact' : 'resolution'} deadline met by a step taken at ${at}: the flag of ${flaggedAt} is withdrawn`,
      at,
    };
  });
  return { overdue, entries };
}

/** The next deadline that can still flag the case; undefined once nothing more can fall due. */
export function hardCaseDueAt(hc: HardCase): string | undefined {
  const pending: string[] = [];
  if (hc.overdue.contact === undefined && hc.state === 'RECEIVED') pending.push(hc.deadlines.contactDue.dueAt);
  if (hc.overdue.resolve === undefined && (hc.state === 'RECEIVED' || hc.state === 'CONTACTED')) pending.push(hc.deadlines.resolveDue.dueAt);
  return pending.sort((a, b) => Date.parse(a) - Date.parse(b))[0];
}

export type HardCaseRefusalCode =
  | 'WRONG_CASE'
  | 'UNKNOWN_ACTION'
  | 'INVALID_TIME'
  | 'BEFORE_REPORTED'
  | 'ACTION_NOT_ALLOWED'
  | 'SATISFIED_REQUIRED'
  | 'DEPARTMENTS_REQUIRED'
  | 'CAUSE_REQUIRED'
  | 'UNKNOWN_CAUSE'
  | 'ESCALATION_TARGET_REQUIRED';

export type HardCaseUpdateResult =
  | {
      readonly ok: true;
      readonly duplicate: false;
      readonly next: HardCase;
      readonly entry: HardCaseHistoryEntry;
      readonly eventType: string;
      readonly outbound: readonly HardCaseOutboundEvent[];
      readonly overdueFlagged: readonly HardCaseOverdueKind[];
      /** Flags the step shows were never due (taken by the deadline, processed after the flag): taken back. */
      readonly overdueWithdrawn: readonly HardCaseOverdueKind[];
    }
  /** The same step was already applied (a redelivery): nothing changes. */
  | { readonly ok: true; readonly duplicate: true; readonly next: HardCase; readonly entry: HardCaseHistoryEntry }
  | {
      readonly ok: false;
      readonly code: HardCaseRefusalCode;
      readonly reason: string;
      readonly state: HardCaseState;
      readonly allowedActions: readonly HardCaseAction[];
    };

function refuse(hc: HardCase, code: HardCaseRefusalCode, reason: string): HardCaseUpdateResult {
  return { ok: false, code, reason, state: hc.state, allowedActions: allowedHardCaseActions(hc.state) };
}

/** Why the update cannot apply to the case as it is, or undefined. */
function problem(hc: HardCase, update: HardCaseUpdate, action: HardCaseAction): HardCaseUpdateResult | undefined {
  const allowed = allowedHardCaseActions(hc.state);
  if (!HARDCASE_TRANSITIONS[action].from.includes(hc.state)) {
    const list = allowed.length === 0 ? `none (${hc.state} is final)` : allowed.join(', ');
    return refuse(hc, 'ACTION_NOT_ALLOWED', `Action ${action} is not allowed in state ${hc.state}; allowed: ${list}`);
  }
  if (update.cause !== undefined && !(HARDCASE_CAUSES as readonly string[]).includes(update.cause)) {
    return refuse(hc, 'UNKNOWN_CAUSE', `Unknown cause ${JSON.stringify(update.cause)}; known causes: ${HARDCASE_CAUSES.join(', ')}`);
  }
  if (action === 'returnVisit' && typeof update.satisfied !== 'boolean') {
    return refuse(hc, 'SATISFIED_REQUIRED', 'Action returnVisit requires "satisfied" (true or false)');
  }
  if (action === 'involveDepartments' && (update.departments ?? []).length === 0) {
    return refuse(hc, 'DEPARTMENTS_REQUIRED', 'Action involveDepartments requires "departments" (at least one department code)');
  }
  if (action === 'escalate' && !update.escalatedTo) {
    return refuse(hc, 'ESCALATION_TARGET_REQUIRED', 'Action escalate requires "escalatedTo" (the authority the case goes to)');
  }
  if (CONCLUSIONS[action] !== undefined && update.cause === undefined && hc.cause === undefined) {
    return refuse(hc, 'CAUSE_REQUIRED', `Action ${action} requires "cause" (the case has none yet); known causes: ${HARDCASE_CAUSES.join(', ')}`);
  }
  return undefined;
}

/** The case after the action, before its history entry and version are added. */
function applied(hc: HardCase, update: HardCaseUpdate, action: HardCaseAction, calendar: DeadlineCalendar, config: HardCaseConfig): HardCase {
  const transition = HARDCASE_TRANSITIONS[action];
  const departments = uniqueSorted([...hc.departments, ...(update.departments ?? [])]);
  const multi = departments.length >= 2 && hc.departments.length < 2;
  const outcome = CONCLUSIONS[action];
  return {
    ...hc,
    state: transition.to === 'SAME' ? hc.state : transition.to,
    departments,
    ...(multi ? { deadlines: hardCaseDeadlines(hc.reportedAt, departments, calendar, config) } : {}),
    ...(update.cause !== undefined ? { cause: update.cause } : {}),
    ...(action === 'contact' ? { contactedAt: update.at } : {}),
    ...(outcome !== undefined ? { outcome, concludedAt: update.at } : {}),
    ...(action === 'escalate' ? { escalatedTo: update.escalatedTo } : {}),
    ...(action === 'returnVisit' ? { returnVisit: { satisfied: update.satisfied === true, at: update.at } } : {}),
    ...(action === 'close' ? { closedAt: update.at } : {}),
  };
}

/**
 * Applies one `gov.hardcase.updated` step. Refusals change nothing and say why; a redelivered step (same
 * key already in the history) is a no-op, not a refusal.
 */
export function applyHardCaseUpdate(
  hc: HardCase,
  update: HardCaseUpdate,
  calendar: DeadlineCalendar,
  config: HardCaseConfig,
): HardCaseUpdateResult {
  const { action, at } = update;
  if (update.caseId !== hc.caseId) return refuse(hc, 'WRONG_CASE', `Update for case ${update.caseId} applied to case ${hc.caseId}`);
  if (!isHardCaseAction(action)) {
    return refuse(hc, 'UNKNOWN_ACTION', `Unknown hard-case action ${JSON.stringify(action)}; known actions: ${HARDCASE_ACTIONS.join(', ')}`);
  }
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) return refuse(hc, 'INVALID_TIME', `Action ${action} has no valid time "at": ${JSON.stringify(at)}`);
  if (Date.parse(at) < Date.parse(hc.reportedAt)) {
    return refuse(hc, 'BEFORE_REPORTED', `Action ${action} at ${at} is before the case was reported (${hc.reportedAt})`);
  }
  const key = hardCaseActionKey(hc.caseId, action, at);
  const done = hc.history.find((entry) => entry.key === key);
  if (done !== undefined) return { ok: true, duplicate: true, next: hc, entry: done };
  const refusal = problem(hc, update, action);
  if (refusal !== undefined) return refusal;

  const overdue = hardCaseOverdueCheck(hc, at);
  const before = overdue.next;
  const after = applied(before, update, action, calendar, config);
  const entry: HardCaseHistoryEntry = {
    key,
    action,
    from: before.state,
    to: after.state,
    actor: update.actor,
    ...(update.note !== undefined ? { note: update.note } : {}),
    at,
  };
  const withdrawn = withdrawnBy(before, after, at);
  const withdrawal = withdraw(before, withdrawn, at);
  const eventType = HARDCASE_TRANSITIONS[action].eventType;
  const data = {
    caseId: hc.caseId,
    action,
    from: before.state,
    to: after.state,
    departments: after.departments,
    ...(after.cause !== undefined ? { cause: after.cause } : {}),
    ...(action === 'returnVisit' ? { satisfied: update.satisfied } : {}),
    ...(after.deadlines !== before.deadlines ? { resolveDue: after.deadlines.resolveDue } : {}),
    ...(withdrawn.length > 0 ? { overdueWithdrawn: withdrawn } : {}),
    at,
  };
  return {
    ok: true,
    duplicate: false,
    next: { ...after, overdue: withdrawal.overdue, history: [...before.history, ...withdrawal.entries, entry], version: hc.version + 1 },
    entry,
    eventType,
    outbound: [{ type: eventType, subject: hc.caseId, data }, ...overdue.outbound],
    overdueFlagged: overdue.flagged,
    overdueWithdrawn: withdrawn,
  };
}
