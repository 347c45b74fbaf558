import { applyAction, openRectification } from '#review/domain/rectification';
import { allowedLater, reachableStates } from '#review/domain/transitions';
import { subjectOf } from '#review/domain/reviews';
import {
  DEFAULT_REVIEW_CONFIG,
  RECTIFICATION_ACTIONS,
  RECTIFICATION_STATES,
  type Rectification,
  type RectificationAction,
  type RectificationState,
} from '#review/domain/types';
import { calendar, makeCase, makeReview } from './fixtures';

const OWNER = { departmentCode: 'D-QX', staffId: 'S9' };
const ALL = [...RECTIFICATION_STATES].sort();
const allBut = (...states: RectificationState[]) => ALL.filter((s) => !states.includes(s));
const sorted = (set: ReadonlySet<RectificationState>) => [...set].sort();

// The product's rectification rules followed by hand: a rejected claim or request returns where it came from.
const REACHABLE: ReadonlyArray<readonly [RectificationState, RectificationState | undefined, RectificationState[]]> = [
  ['OPEN', undefined, ALL],
  ['IN_PROGRESS', undefined, allBut('OPEN')],
  ['RECTIFIED', undefined, ['RETURN_VISITED', 'CLOSED']],
  ['RETURN_VISITED', undefined, ['CLOSED']],
  ['CLOSED', undefined, []],
  ['INVALID_APPROVED', undefined, []],
  ['UNFIXABLE_APPROVED', undefined, []],
  ['INVALID_CLAIMED', 'OPEN', ALL],
  ['INVALID_CLAIMED', 'IN_PROGRESS', allBut('OPEN')],
  ['INVALID_CLAIMED', undefined, allBut('OPEN')],
  ['UNFIXABLE_CLAIMED', 'IN_PROGRESS', allBut('OPEN')],
  ['EXTENSION_REQUESTED', 'IN_PROGRESS', allBut('OPEN')],
];

describe('reachableStates', () => {
  it.each(REACHABLE)('from %s (back to %s) reaches %j', (state, returnTo, expected) => {
    expect(sorted(reachableStates(state, returnTo))).toEqual([...expected].sort());
  });
});

const LATER: ReadonlyArray<readonly [RectificationState, RectificationState | undefined, RectificationAction, boolean]> = [
  // A step that overtook the one it depends on.
  ['OPEN', undefined, 'rectify', true],
  ['OPEN', undefined, 'returnVisit', true],
  ['OPEN', undefined, 'close', true],
  ['OPEN', undefined, 'approveExtension', true],
  ['RECTIFIED', undefined, 'close', true],
  ['EXTENSION_REQUESTED', 'IN_PROGRESS', 'rectify', true],
  ['INVALID_CLAIMED', 'OPEN', 'acknowledge', true],
  // A step the case has gone past, or that its outcome rules out for good.
  ['IN_PROGRESS', undefined, 'acknowledge', false],
  ['INVALID_CLAIMED', 'IN_PROGRESS', 'acknowledge', false],
  ['RECTIFIED', undefined, 'rectify', false],
  ['RECTIFIED', undefined, 'claimInvalid', false],
  ['CLOSED', undefined, 'acknowledge', false],
  ['CLOSED', undefined, 'close', false],
  ['INVALID_APPROVED', undefined, 'rectify', false],
  ['UNFIXABLE_APPROVED', undefined, 'returnVisit', false],
];

describe('allowedLater', () => {
  it.each(LATER)('in %s (back to %s), %s later: %s', (state, returnTo, action, expected) => {
    expect(allowedLater({ state, ...(returnTo ? { returnTo } : {}) }, action)).toBe(expected);
  });

  it('is false for every action in a final state', () => {
    for (const state of ['CLOSED', 'INVALID_APPROVED', 'UNFIXABLE_APPROVED'] as const) {
      expect(RECTIFICATION_ACTIONS.filter((a) => allowedLater({ state }, a))).toEqual([]);
    }
  });
});

describe('reachableStates agrees with applyAction', () => {
  // Explore the real state machine: every rectification applyAction can produce from an opened case,
  // one per (state, returnTo), with what it then reaches by further real steps.
  const kase = makeCase();
  const start = openRectification(makeReview(kase, 2), subjectOf(kase, calendar), calendar, DEFAULT_REVIEW_CONFIG).rectification;
  const keyOf = (r: Rectification) => `${r.state}|${r.returnTo ?? ''}`;
  const found = new Map<string, Rectification>([[keyOf(start), start]]);
  const edges = new Map<string, Set<string>>();
  const queue = [start];
  let minute = 0;
  while (queue.length > 0) {
    const rect = queue.shift()!;
    const out = new Set<string>();
    for (const action of RECTIFICATION_ACTIONS) {
      const at = new Date(Date.parse(start.openedAt) + ++minute * 60_000).toISOString();
      const result = applyAction(rect, { action, actor: OWNER, at, satisfied: true }, calendar, DEFAULT_REVIEW_CONFIG);
      if (!result.ok || result.duplicate) continue;
      const key = keyOf(result.next);
      out.add(key);
      if (!found.has(key)) {
        found.set(key, result.next);
        queue.push(result.next);
      }
    }
    edges.set(keyOf(rect), out);
  }

  function closure(key: string): RectificationState[] {
    const seen = new Set<string>();
    const todo = [...(edges.get(key) ?? [])];
    while (todo.length > 0) {
      const k = todo.pop()!;
      if (seen.has(k)) continue;
      seen.add(k);
      todo.push(...(edges.get(k) ?? []));
    }
    return [...new Set([...seen].map((k) => k.split('|')[0] as RectificationState))].sort();
  }

  it('explores every state', () => {
    expect([...new Set([...found.values()].map((r) => r.state))].sort()).toEqual(ALL);
  });

  it.each([...found.keys()])('from %s', (key) => {
    const rect = found.get(key)!;
    expect(sorted(reachableStates(rect.state, rect.returnTo))).toEqual(closure(key));
  });
});
