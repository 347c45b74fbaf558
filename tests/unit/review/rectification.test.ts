import { applyAction, openRectification, overdueCheck, type ActionInput } from '#review/domain/rectification';
import { actionKey, allowedActions } from '#review/domain/transitions';
import { overdueEvents, STEP_EVENT_TYPES, stepEvents } from '#review/messages';
import { subjectOf } from '#review/domain/reviews';
import {
  DEFAULT_REVIEW_CONFIG,
  RECTIFICATION_ACTIONS,
  RECTIFICATION_STATES,
  type Rectification,
  type RectificationAction,
  type RectificationState,
  type ReviewLevel,
} from '#review/domain/types';
import { calendar, makeCase, makeReview } from './fixtures';

const OWNER = { departmentCode: 'D-QX', staffId: 'S9' };
const config = DEFAULT_REVIEW_CONFIG;

// A 差评 submitted Thu 2026-09-10 10:00 Shanghai: acknowledge due Fri 09-11, rectify due Thu 09-17
// (09-11, 09-14, 09-15, 09-16, 09-17 — the weekend 09-12/13 does not count).
const SUBMITTED = '2026-09-10T02:00:00.000Z';

function open(level: ReviewLevel = 2, submittedAt = SUBMITTED): Rectification {
  const kase = makeCase();
  const review = makeReview(kase, level, { submittedAt });
  return openRectification(review, subjectOf(kase, calendar), calendar, config).rectification;
}

/** Minutes after the submission: all inside both deadlines. */
function minute(n: number): string {
  return new Date(Date.parse(SUBMITTED) + n * 60_000).toISOString();
}

function step(rect: Rectification, action: RectificationAction, at: string, extra: Partial<ActionInput> = {}): Rectification {
  const result = applyAction(rect, { action, actor: OWNER, at, satisfied: true, ...extra }, calendar, config);
  if (!result.ok) throw new Error(result.reason);
  return result.next;
}

const PATHS: Record<RectificationState, RectificationAction[]> = {
  OPEN: [],
  IN_PROGRESS: ['acknowledge'],
  RECTIFIED: ['acknowledge', 'rectify'],
  RETURN_VISITED: ['acknowledge', 'rectify', 'returnVisit'],
  CLOSED: ['acknowledge', 'rectify', 'returnVisit', 'close'],
  INVALID_CLAIMED: ['acknowledge', 'claimInvalid'],
  INVALID_APPROVED: ['acknowledge', 'claimInvalid', 'approveInvalid'],
  UNFIXABLE_CLAIMED: ['acknowledge', 'claimUnfixable'],
  UNFIXABLE_APPROVED: ['acknowledge', 'claimUnfixable', 'approveUnfixable'],
  EXTENSION_REQUESTED: ['acknowledge', 'requestExtension'],
};

function inState(state: RectificationState): Rectification {
  let rect = open();
  PATHS[state].forEach((action, i) => {
    rect = step(rect, action, minute(i + 1));
  });
  expect(rect.state).toBe(state);
  return rect;
}

// The product's rectification table, written out by hand (not derived from the implementation's table).
// The side states are reached from IN_PROGRESS here, so "back" is IN_PROGRESS.
const EXPECTED: Record<RectificationState, Partial<Record<RectificationAction, RectificationState>>> = {
  OPEN: { acknowledge: 'IN_PROGRESS', claimInvalid: 'INVALID_CLAIMED' },
  IN_PROGRESS: {
    rectify: 'RECTIFIED',
    claimInvalid: 'INVALID_CLAIMED',
    claimUnfixable: 'UNFIXABLE_CLAIMED',
    requestExtension: 'EXTENSION_REQUESTED',
  },
  RECTIFIED: { returnVisit: 'RETURN_VISITED' },
  RETURN_VISITED: { close: 'CLOSED' },
  CLOSED: {},
  INVALID_CLAIMED: { approveInvalid: 'INVALID_APPROVED', rejectInvalid: 'IN_PROGRESS' },
  INVALID_APPROVED: {},
  UNFIXABLE_CLAIMED: { approveUnfixable: 'UNFIXABLE_APPROVED', rejectUnfixable: 'IN_PROGRESS' },
  UNFIXABLE_APPROVED: {},
  EXTENSION_REQUESTED: { approveExtension: 'IN_PROGRESS', rejectExtension: 'IN_PROGRESS' },
};

describe('openRectification', () => {
  it('opens in OPEN with deadlines from the submission and an audit entry', () => {
    const rect = open();
    expect(rect.state).toBe('OPEN');
    expect(rect.deadlines).toEqual({
      acknowledgeDue: { date: '2026-09-11', dueAt: '2026-09-11T15:59:59.999Z' },
      rectifyDue: { date: '2026-09-17', dueAt: '2026-09-17T15:59:59.999Z' },
    });
    expect(rect.history).toEqual([expect.objectContaining({ action: 'open', from: null, to: 'OPEN', at: SUBMITTED })]);
  });

  it.each([
    // 2026 National Day: 10-01..10-07 off, Sat 10-10 is a make-up working day (调休), Sun 10-11 off.
    // Acknowledge: the 1st working day after 09-30 is 10-08.
    // Rectify: 10-08 (1), 10-09 (2), 10-10 Sat make-up (3), 10-12 (4), 10-13 (5).
    ['2026-09-30 10:00 Shanghai', '2026-09-30T02:00:00.000Z', '2026-10-08', '2026-10-13'],
    // 23:30 Shanghai on 09-30 is still 09-30 locally (15:30 UTC): same answer.
    ['2026-09-30 23:30 Shanghai', '2026-09-30T15:30:00.000Z', '2026-10-08', '2026-10-13'],
    // 00:30 on 10-01 Shanghai is 09-30 in UTC, but the starting day is the local 10-01: same due dates.
    ['2026-10-01 00:30 Shanghai', '2026-09-30T16:30:00.000Z', '2026-10-08', '2026-10-13'],
    // Fri 09-18: Sun 09-20 is a make-up working day (1), 09-21 (2) ... 09-24 (5); 09-25 is 中秋.
    ['2026-09-18 10:00 Shanghai', '2026-09-18T02:00:00.000Z', '2026-09-20', '2026-09-24'],
  ])('deadlines across holidays: a 差评 submitted %s', (_name, submittedAt, ack, rectify) => {
    const rect = open(1, submittedAt);
    expect(rect.deadlines.acknowledgeDue).toEqual({ date: ack, dueAt: `${ack}T15:59:59.999Z` });
    expect(rect.deadlines.rectifyDue.date).toBe(rectify);
    expect(rect.deadlines.rectifyDue.dueAt).toBe(new Date(Date.parse(`${rectify}T23:59:59.999+08:00`)).toISOString());
  });

  it('uses configured working days', () => {
    const kase = makeCase();
    const review = makeReview(kase, 1, { submittedAt: '2026-09-30T02:00:00.000Z' });
    const rect = openRectification(review, subjectOf(kase, calendar), calendar, {
      ...config,
      acknowledgeWorkingDays: 2,
      rectifyWorkingDays: 3,
    }).rectification;
    expect([rect.deadlines.acknowledgeDue.date, rect.deadlines.rectifyDue.date]).toEqual(['2026-10-09', '2026-10-10']);
  });
});

describe('applyAction: every state × every action', () => {
  const cases = RECTIFICATION_STATES.flatMap((state) => RECTIFICATION_ACTIONS.map((action) => [state, action] as const));

  it('covers all 10 states and 13 actions', () => {
    expect(cases).toHaveLength(130);
  });

  it.each(cases)('in %s, %s', (state, action) => {
    const rect = inState(state);
    const before = structuredClone(rect);
    const result = applyAction(rect, { action, actor: OWNER, at: minute(100), satisfied: true, note: 'n' }, calendar, config);
    const expected = EXPECTED[state][action];
    if (expected !== undefined) {
      if (!result.ok || result.duplicate) throw new Error(`expected success, got ${JSON.stringify(result)}`);
      expect(result.next.state).toBe(expected);
      expect(result.auditEntry).toMatchObject({ action, from: state, to: expected, actor: OWNER, note: 'n', at: minute(100) });
      expect(result.next.history.at(-1)).toEqual(result.auditEntry);
      expect(result.next.version).toBe(rect.version + 1);
      // What the step tells upstream systems comes first: its own gov.rectification.* event.
      const events = stepEvents(rect, result);
      expect(events[0]?.type).toBe(STEP_EVENT_TYPES[action]);
      expect(events[0]?.type).toMatch(/^gov\.rectification\./);
      expect(events[0]?.data).toMatchObject({ action, from: state, to: expected, actorStaffId: OWNER.staffId, at: minute(100) });
    } else {
      if (result.ok) throw new Error(`expected refusal, got ${result.next.state}`);
      expect(result.code).toBe('ACTION_NOT_ALLOWED');
      expect(result.reason).toContain(`not allowed in state ${state}`);
      const allowed = Object.keys(EXPECTED[state]);
      expect([...result.allowedActions].sort()).toEqual(allowed.sort());
      for (const a of allowed) expect(result.reason).toContain(a);
    }
    expect(rect).toEqual(before);
  });

  it('allowedActions matches the product\'s table', () => {
    for (const state of RECTIFICATION_STATES) {
      expect(allowedActions(state).sort()).toEqual(Object.keys(EXPECTED[state]).sort());
    }
  });
});

describe('applyAction: details', () => {
  it('a rejected invalid claim made from OPEN returns to OPEN', () => {
    let rect = step(open(), 'claimInvalid', minute(1));
    expect(rect.returnTo).toBe('OPEN');
    rect = step(rect, 'rejectInvalid', minute(2));
    expect(rect.state).toBe('OPEN');
    expect(rect.returnTo).toBeUndefined();
  });

  it.each([
    ['another department', { actor: { departmentCode: 'D-OTHER', staffId: 'X' } }, 'NOT_OWNING_DEPARTMENT'],
    ['an unknown action', { action: 'reopen' }, 'UNKNOWN_ACTION'],
    ['a bad time', { at: 'yesterday' }, 'INVALID_TIME'],
    // Its overdue flags, raised against deadlines that had not begun, would never be taken back.
    ['a step dated before the 差评 was submitted', { at: minute(-1) }, 'BEFORE_REPORTED'],
    ['a step a year early (a mistyped year)', { at: '2025-09-10T03:00:00.000Z' }, 'BEFORE_REPORTED'],
  ] as const)('refuses %s with no change', (_name, overrides, code) => {
    const rect = open();
    const before = structuredClone(rect);
    const result = applyAction(rect, { action: 'acknowledge', actor: OWNER, at: minute(1), ...overrides }, calendar, config);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.code).toBe(code);
    expect(rect).toEqual(before);
  });

  it('takes a step dated at the very instant the 差评 was submitted', () => {
    expect(step(open(), 'acknowledge', SUBMITTED).state).toBe('IN_PROGRESS');
  });

  it('requires satisfied on returnVisit', () => {
    const rect = inState('RECTIFIED');
    const result = applyAction(rect, { action: 'returnVisit', actor: OWNER, at: minute(50) }, calendar, config);
    expect(!result.ok && result.code).toBe('SATISFIED_REQUIRED');
  });

  it.each([
    ['rectify', 'IN_PROGRESS', {}, { rectified: 1 }],
    ['returnVisit', 'RECTIFIED', { satisfied: true }, { returnVisited: 1, returnVisitSatisfied: 1 }],
    ['returnVisit', 'RECTIFIED', { satisfied: false }, { returnVisited: 1 }],
    ['approveUnfixable', 'UNFIXABLE_CLAIMED', {}, { unfixable: 1 }],
    // The 差评 (level 2, 3 points) leaves every figure.
    ['approveInvalid', 'INVALID_CLAIMED', {}, { level2: -1, points: -3, invalidated: 1 }],
    ['acknowledge', 'OPEN', {}, undefined],
    ['close', 'RETURN_VISITED', {}, undefined],
  ] as const)('%s from %s changes the counters %j → %j', (action, state, extra, add) => {
    const rect = inState(state);
    const result = applyAction(rect, { action, actor: OWNER, at: minute(50), ...extra }, calendar, config);
    if (!result.ok) throw new Error(result.reason);
    expect(result.figureDeltas).toEqual(add === undefined ? [] : [{ subject: rect.subject, add }]);
  });

  it('approveInvalid asks the use case to mark the case record', () => {
    const result = applyAction(inState('INVALID_CLAIMED'), { action: 'approveInvalid', actor: OWNER, at: minute(50) }, calendar, config);
    expect(result.ok && !result.duplicate && result.effects).toEqual([{ type: 'invalidateReview', caseId: 'C1', reviewId: 'R-C1' }]);
  });

  it('records the return visit', () => {
    const rect = step(inState('RECTIFIED'), 'returnVisit', minute(50), { satisfied: false });
    expect(rect.returnVisit).toEqual({ satisfied: false, at: minute(50) });
    expect(rect.history.at(-1)?.satisfied).toBe(false);
  });
});

describe('idempotency under at-least-once delivery', () => {
  it('the same step delivered again is a no-op, even after later steps', () => {
    const input: ActionInput = { action: 'acknowledge', actor: OWNER, at: minute(1), note: 'seen' };
    const first = applyAction(open(), input, calendar, config);
    if (!first.ok) throw new Error(first.reason);
    const again = applyAction(first.next, input, calendar, config);
    expect(again).toMatchObject({ ok: true, duplicate: true, figureDeltas: [], effects: [] });
    expect(again.ok && again.next).toBe(first.next);
    expect(again.ok && again.auditEntry).toEqual(first.auditEntry);

    const later = step(step(first.next, 'rectify', minute(2)), 'returnVisit', minute(3));
    const redelivered = applyAction(later, { ...input, at: '2026-09-10T02:01:00Z' }, calendar, config);
    expect(redelivered.ok && redelivered.duplicate).toBe(true);
    expect(redelivered.ok && redelivered.next).toBe(later);
  });

  it('a redelivered rectify is not counted twice', () => {
    const rect = inState('IN_PROGRESS');
    const input: ActionInput = { action: 'rectify', actor: OWNER, at: minute(30) };
    const first = applyAction(rect, input, calendar, config);
    if (!first.ok) throw new Error(first.reason);
    const again = applyAction(first.next, input, calendar, config);
    expect(first.figureDeltas).toHaveLength(1);
    expect(again.ok && again.figureDeltas).toEqual([]);
  });

  it('the same action at another moment is a new step (and refused when not allowed)', () => {
    const rect = step(open(), 'acknowledge', minute(1));
    const result = applyAction(rect, { action: 'acknowledge', actor: OWNER, at: minute(2) }, calendar, config);
    expect(!result.ok && result.code).toBe('ACTION_NOT_ALLOWED');
  });

  it('keys normalise the moment', () => {
    expect(actionKey('C1', 'rectify', '2026-09-10T10:00:00+08:00')).toBe(actionKey('C1', 'rectify', '2026-09-10T02:00:00.000Z'));
  });
});

describe('extensions', () => {
  it('an approved extension gives 5 working days from its approval', () => {
    let rect = step(open(), 'acknowledge', minute(1));
    rect = step(rect, 'requestExtension', '2026-09-16T02:00:00.000Z');
    expect(rect.returnTo).toBe('IN_PROGRESS');
    // Approved Fri 09-18 10:00 Shanghai: Sun 09-20 (make-up, 1), 09-21 (2), 09-22 (3), 09-23 (4), 09-24 (5).
    const result = applyAction(rect, { action: 'approveExtension', actor: OWNER, at: '2026-09-18T02:00:00.000Z' }, calendar, config);
    if (!result.ok) throw new Error(result.reason);
    expect(result.next.state).toBe('IN_PROGRESS');
    expect(result.next.deadlines.rectifyDue).toEqual({ date: '2026-09-24', dueAt: '2026-09-24T15:59:59.999Z' });
    expect(result.next.deadlines.acknowledgeDue.date).toBe('2026-09-11');
    expect(result.next.extensions).toEqual([
      {
        requestedAt: '2026-09-16T02:00:00.000Z',
        decidedAt: '2026-09-18T02:00:00.000Z',
        approved: true,
        previousRectifyDue: { date: '2026-09-17', dueAt: '2026-09-17T15:59:59.999Z' },
        rectifyDue: { date: '2026-09-24', dueAt: '2026-09-24T15:59:59.999Z' },
      },
    ]);
    // The request was pending when the old deadline (09-17) passed: flagged as of the approval.
    expect(result.ok && !result.duplicate && result.overdueFlagged).toEqual(['rectify']);
  });

  it('a configured extension across National Day', () => {
    let rect = step(open(), 'acknowledge', minute(1));
    rect = step(rect, 'requestExtension', minute(2));
    // Approved 09-30: 10-08 (1), 10-09 (2), 10-10 Sat make-up (3).
    const result = applyAction(rect, { action: 'approveExtension', actor: OWNER, at: '2026-09-30T02:00:00.000Z' }, calendar, {
      ...config,
      extensionWorkingDays: 3,
    });
    expect(result.ok && result.next.deadlines.rectifyDue.date).toBe('2026-10-10');
  });

  it('a rejected extension keeps the deadline and returns to IN_PROGRESS', () => {
    let rect = step(open(), 'acknowledge', minute(1));
    rect = step(rect, 'requestExtension', minute(2));
    rect = step(rect, 'rejectExtension', minute(3));
    expect(rect.state).toBe('IN_PROGRESS');
    expect(rect.deadlines.rectifyDue.date).toBe('2026-09-17');
    expect(rect.extensions).toEqual([{ requestedAt: minute(2), decidedAt: minute(3), approved: false }]);
  });
});

describe('overdueCheck', () => {
  const ACK_DUE = '2026-09-11T15:59:59.999Z';
  const RECTIFY_DUE = '2026-09-17T15:59:59.999Z';
  const after = (iso: string) => new Date(Date.parse(iso) + 1).toISOString();

  it('flags acknowledgement overdue once, only after the end of the due day', () => {
    const rect = open();
    expect(overdueCheck(rect, ACK_DUE).flagged).toEqual([]);
    const first = overdueCheck(rect, after(ACK_DUE));
    expect(first.flagged).toEqual(['acknowledge']);
    expect(first.figureDeltas).toEqual([{ subject: rect.subject, add: { overdue: 1, overdueAcknowledge: 1 } }]);
    expect(overdueEvents(rect, first.flagged, after(ACK_DUE)).map((e) => e.type)).toEqual(['gov.rectification.overdue']);
    expect(first.next.history.at(-1)).toMatchObject({ action: 'overdue', from: 'OPEN', to: 'OPEN' });
    const second = overdueCheck(first.next, after(RECTIFY_DUE));
    // Still OPEN past the rectification deadline: the second kind, but the case is already counted overdue.
    expect(second.flagged).toEqual(['rectify']);
    expect(second.figureDeltas).toEqual([{ subject: rect.subject, add: { overdueRectify: 1 } }]);
    const third = overdueCheck(second.next, '2026-12-01T00:00:00.000Z');
    expect(third.flagged).toEqual([]);
    expect(third.next).toBe(second.next);
  });

  it('flags both kinds at once when the scheduler first runs after both deadlines', () => {
    const result = overdueCheck(open(), after(RECTIFY_DUE));
    expect(result.flagged).toEqual(['acknowledge', 'rectify']);
    expect(result.figureDeltas[0]?.add).toEqual({ overdue: 1, overdueAcknowledge: 1, overdueRectify: 1 });
  });

  it.each([
    ['OPEN', ['acknowledge', 'rectify']],
    ['IN_PROGRESS', ['rectify']],
    ['INVALID_CLAIMED', ['rectify']],
    ['UNFIXABLE_CLAIMED', ['rectify']],
    ['EXTENSION_REQUESTED', ['rectify']],
    ['RECTIFIED', []],
    ['RETURN_VISITED', []],
    ['CLOSED', []],
    ['INVALID_APPROVED', []],
    ['UNFIXABLE_APPROVED', []],
  ] as const)('in %s after both deadlines flags %j', (state, kinds) => {
    expect(overdueCheck(inState(state), after(RECTIFY_DUE)).flagged).toEqual(kinds);
  });

  it('an action taken late flags the overdue as of its moment', () => {
    const result = applyAction(open(), { action: 'acknowledge', actor: OWNER, at: '2026-09-14T01:00:00.000Z' }, calendar, config);
    if (!result.ok || result.duplicate) throw new Error('expected applied');
    expect(result.overdueFlagged).toEqual(['acknowledge']);
    expect(result.next.overdue.acknowledge).toBe('2026-09-14T01:00:00.000Z');
    expect(result.figureDeltas[0]?.add).toEqual({ overdue: 1, overdueAcknowledge: 1 });
    expect(result.next.history.map((h) => h.action)).toEqual(['open', 'overdue', 'acknowledge']);
  });

  it('an approved invalid 差评 takes its overdue flags out of the counters too', () => {
    let rect = overdueCheck(open(), after(ACK_DUE)).next;
    rect = step(rect, 'claimInvalid', '2026-09-12T00:00:00.000Z');
    const result = applyAction(rect, { action: 'approveInvalid', actor: OWNER, at: after(RECTIFY_DUE) }, calendar, config);
    if (!result.ok) throw new Error(result.reason);
    // The rectify flag raised as of the approval and its removal cancel out: net only the removals.
    expect(result.figureDeltas[0]?.add).toEqual({
      level2: -1,
      points: -3,
      invalidated: 1,
      overdue: -1,
      overdueAcknowledge: -1,
    });
  });
});

describe('overdue flags withdrawn by a step taken by the deadline but processed after the flag', () => {
  const ACK_DUE = '2026-09-11T15:59:59.999Z';
  const RECTIFY_DUE = '2026-09-17T15:59:59.999Z';
  const after = (iso: string) => new Date(Date.parse(iso) + 1).toISOString();
  const apply = (rect: Rectification, action: RectificationAction, at: string) => {
    const result = applyAction(rect, { action, actor: OWNER, at, satisfied: true }, calendar, config);
    if (!result.ok || result.duplicate) throw new Error('expected applied');
    return result;
  };
  /** The schedule ran at `at` before the step reached CivicFlow. */
  const flagged = (rect: Rectification, at: string) => overdueCheck(rect, at).next;

  it('withdraws the acknowledgement flag of a case acknowledged by its deadline: counters back, a history entry, the step event says so', () => {
    const rect = flagged(open(), after(ACK_DUE));
    expect(rect.overdue.acknowledge).toBe(after(ACK_DUE));
    const result = apply(rect, 'acknowledge', ACK_DUE);
    expect(result.overdueWithdrawn).toEqual(['acknowledge']);
    expect(result.overdueFlagged).toEqual([]);
    expect(result.next.overdue).toEqual({});
    expect(result.figureDeltas).toEqual([{ subject: rect.subject, add: { overdue: -1, overdueAcknowledge: -1 } }]);
    expect(result.next.history.map((h) => h.action)).toEqual(['open', 'overdue', 'overdueWithdrawn', 'acknowledge']);
    expect(result.next.history[2]).toEqual({
      key: `C1|overdue|acknowledge|withdrawn|${after(ACK_DUE)}`,
      action: 'overdueWithdrawn',
      from: 'OPEN',
      to: 'OPEN',
      actor: { departmentCode: 'system', staffId: 'system' },
      note: `acknowledgement deadline met by a step taken at ${ACK_DUE}: the flag of ${after(ACK_DUE)} is withdrawn`,
      at: ACK_DUE,
    });
    const events = stepEvents(rect, result);
    expect(events.map((e) => e.type)).toEqual(['gov.rectification.acknowledged']);
    expect(events[0]?.data).toMatchObject({ overdueWithdrawn: ['acknowledge'] });
    // The same step again is a redelivery: nothing more is taken back.
    const again = applyAction(result.next, { action: 'acknowledge', actor: OWNER, at: ACK_DUE }, calendar, config);
    expect(again).toMatchObject({ ok: true, duplicate: true, figureDeltas: [] });
  });

  it('keeps the flag of a step taken after its deadline: the case was overdue', () => {
    const rect = flagged(open(), after(ACK_DUE));
    const result = apply(rect, 'acknowledge', after(ACK_DUE));
    expect(result.overdueWithdrawn).toEqual([]);
    expect(result.next.overdue).toEqual({ acknowledge: after(ACK_DUE) });
    expect(result.figureDeltas).toEqual([]);
    expect(stepEvents(rect, result)[0]?.data).not.toHaveProperty('overdueWithdrawn');
  });

  it('withdraws the acknowledgement flag of an invalid claim made from OPEN by the deadline (a response, not OPEN)', () => {
    const result = apply(flagged(open(), after(ACK_DUE)), 'claimInvalid', ACK_DUE);
    expect([result.overdueWithdrawn, result.next.overdue]).toEqual([['acknowledge'], {}]);
  });

  it('withdraws each kind only by the step that ends it, and the case leaves the overdue count with its last flag', () => {
    // The schedule's first run after both deadlines flagged both kinds of a case still OPEN.
    const both = flagged(open(), after(RECTIFY_DUE));
    expect(both.overdue).toEqual({ acknowledge: after(RECTIFY_DUE), rectify: after(RECTIFY_DUE) });
    const acknowledged = apply(both, 'acknowledge', ACK_DUE);
    expect(acknowledged.overdueWithdrawn).toEqual(['acknowledge']);
    expect(acknowledged.figureDeltas).toEqual([{ subject: both.subject, add: { overdueAcknowledge: -1 } }]);
    const rectified = apply(acknowledged.next, 'rectify', RECTIFY_DUE);
    expect(rectified.overdueWithdrawn).toEqual(['rectify']);
    expect(rectified.figureDeltas).toEqual([{ subject: both.subject, add: { rectified: 1, overdue: -1, overdueRectify: -1 } }]);
    expect(rectified.next.overdue).toEqual({});
  });

  it.each([
    ['rectify', ['acknowledge'], ['rectify']],
    ['approveUnfixable', ['acknowledge', 'claimUnfixable'], ['rectify']],
    ['approveExtension', ['acknowledge', 'requestExtension'], ['rectify']],
    // A claim or request does not stop the clock; an approved invalid claim takes every flag out by itself.
    ['claimUnfixable', ['acknowledge'], []],
    ['requestExtension', ['acknowledge'], []],
    ['claimInvalid', ['acknowledge'], []],
    ['approveInvalid', ['acknowledge', 'claimInvalid'], []],
  ] as const)('%s by the rectification deadline, after the flag (case through %j), withdraws %j', (action, path, withdrawn) => {
    let rect = open();
    path.forEach((a, i) => (rect = step(rect, a, minute(i + 1))));
    rect = flagged(rect, after(RECTIFY_DUE));
    expect(rect.overdue).toEqual({ rectify: after(RECTIFY_DUE) });
    const result = apply(rect, action, RECTIFY_DUE);
    expect(result.overdueWithdrawn).toEqual(withdrawn);
    expect(result.next.overdue).toEqual(withdrawn.length > 0 ? {} : { rectify: after(RECTIFY_DUE) });
    // Each flag is taken out of the counters once: by the withdrawal, or by the approved invalid claim.
    const add = result.figureDeltas[0]?.add ?? {};
    expect([add.overdue ?? 0, add.overdueRectify ?? 0]).toEqual(withdrawn.length > 0 || action === 'approveInvalid' ? [-1, -1] : [0, 0]);
  });

  it('keeps the flag an extension approved in time does not explain: raised after the new deadline too', () => {
    let rect = step(step(open(), 'acknowledge', minute(1)), 'requestExtension', minute(2));
    // Approved at the last moment of 09-17: 5 more working days (09-18, 09-20 调休, 09-21, 09-22, 09-23).
    const NEW_DUE = '2026-09-23T15:59:59.999Z';
    const stale = flagged(rect, after(NEW_DUE));
    const kept = apply(stale, 'approveExtension', RECTIFY_DUE);
    expect(kept.next.deadlines.rectifyDue.dueAt).toBe(NEW_DUE);
    expect([kept.overdueWithdrawn, kept.next.overdue]).toEqual([[], { rectify: after(NEW_DUE) }]);
    rect = flagged(rect, after(RECTIFY_DUE));
    expect(apply(rect, 'approveExtension', RECTIFY_DUE).overdueWithdrawn).toEqual(['rectify']);
  });

  it('gives a flag raised again after its withdrawal an event id of its own, the same from the schedule and from a step', () => {
    const NEW_DUE = '2026-09-23T15:59:59.999Z';
    const requested = step(step(open(), 'acknowledge', minute(1)), 'requestExtension', minute(2));
    const waiting = flagged(requested, after(RECTIFY_DUE));
    expect(overdueEvents(requested, ['rectify'], after(RECTIFY_DUE)).map((e) => [e.id, (e.data as { flag?: number }).flag])).toEqual([
      ['gov.rectification.overdue:C1:rectify', 1],
    ]);
    // The extension approved in time withdraws the flag; the new deadline is missed too.
    const extended = apply(waiting, 'approveExtension', RECTIFY_DUE);
    expect([extended.overdueWithdrawn, extended.next.overdue]).toEqual([['rectify'], {}]);
    const again = overdueCheck(extended.next, after(NEW_DUE));
    expect(again.flagged).toEqual(['rectify']);
    const scheduled = overdueEvents(extended.next, again.flagged, after(NEW_DUE));
    expect(scheduled.map((e) => e.id)).toEqual(['gov.rectification.overdue:C1:rectify:2']);
    expect(scheduled[0]?.data).toMatchObject({ kind: 'rectify', flag: 2, due: { dueAt: NEW_DUE } });
    // A late step raising the same flag first publishes the same event.
    const late = apply(extended.next, 'rectify', after(NEW_DUE));
    expect(stepEvents(extended.next, late).slice(1).map((e) => e.id)).toEqual(['gov.rectification.overdue:C1:rectify:2']);
    // Each flag has its own history key (the audit line's cause).
    const keys = again.next.history.filter((h) => h.action === 'overdue').map((h) => h.key);
    expect(keys).toEqual(['C1|overdue|rectify', 'C1|overdue|rectify|2']);
  });
});
