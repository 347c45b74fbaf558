/**
 * The rectification state machine's table: which action is allowed in which state and where it
 * leads, the groups of states the figures and deadlines read, and what a case can still reach. Pure data
 * and functions of it; `rectification.ts` applies a step.
 */

import {
  RECTIFICATION_ACTIONS,
  RECTIFICATION_STATES,
  type Actor,
  type Rectification,
  type RectificationAction,
  type RectificationState,
} from './types';

/** The system as an actor, for the opening of a case and overdue flags. */
export const SYSTEM_ACTOR: Actor = { departmentCode: 'system', staffId: 'system' };

export interface Transition {
  readonly from: readonly RectificationState[];
  /** `RETURN` goes back to the state the claim or request came from. */
  readonly to: RectificationState | 'RETURN';
}

/** The allowed actions by state, exactly as the product specifies them. */
export const TRANSITIONS: Readonly<Record<RectificationAction, Transition>> = {
  acknowledge: { from: ['OPEN'], to: 'IN_PROGRESS' },
  claimInvalid: { from: ['OPEN', 'IN_PROGRESS'], to: 'INVALID_CLAIMED' },
  rectify: { from: ['IN_PROGRESS'], to: 'RECTIFIED' },
  claimUnfixable: { from: ['IN_PROGRESS'], to: 'UNFIXABLE_CLAIMED' },
  requestExtension: { from: ['IN_PROGRESS'], to: 'EXTENSION_REQUESTED' },
  returnVisit: { from: ['RECTIFIED'], to: 'RETURN_VISITED' },
  close: { from: ['RETURN_VISITED'], to: 'CLOSED' },
  approveInvalid: { from: ['INVALID_CLAIMED'], to: 'INVALID_APPROVED' },
  rejectInvalid: { from: ['INVALID_CLAIMED'], to: 'RETURN' },
  approveUnfixable: { from: ['UNFIXABLE_CLAIMED'], to: 'UNFIXABLE_APPROVED' },
  rejectUnfixable: { from: ['UNFIXABLE_CLAIMED'], to: 'RETURN' },
  approveExtension: { from: ['EXTENSION_REQUESTED'], to: 'IN_PROGRESS' },
  rejectExtension: { from: ['EXTENSION_REQUESTED'], to: 'RETURN' },
};

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

/** A claim or request waits for a decision and returns where it came from when rejected. */
export function entersSidePath(to: RectificationState | 'RETURN'): boolean {
  return to === 'INVALID_CLAIMED' || to === 'UNFIXABLE_CLAIMED' || to === 'EXTENSION_REQUESTED';
}

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
      const nextBack = entersSidePath(to) ? from : undefined;
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
