import { createCalendar } from '#calendar';
import {
  allowedHardCaseActions,
  applyHardCaseUpdate,
  hardCaseDueAt,
  hardCaseOverdueCheck,
  openHardCase,
  type HardCaseUpdateResult,
} from '#hardcase/domain/transitions';
import {
  DEFAULT_HARDCASE_CONFIG,
  HARDCASE_STATES,
  type HardCase,
  type HardCaseUpdate,
  type NewHardCase,
} from '#hardcase/domain/types';
import { toOutbound } from '#hardcase/messages';

const calendar = createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true });
const config = DEFAULT_HARDCASE_CONFIG;
const local = (s: string) => new Date(Date.parse(`${s}+08:00`)).toISOString();
const endOf = (date: string) => ({ date, dueAt: local(`${date}T23:59:59.999`) });

// Reported at the window on Wed 2026-09-30 10:00: contact due that day, resolution due Tue 10-13
// (10-08, 10-09, 10-10 调休, 10-12, 10-13), 10-20 with two departments.
const REPORT: NewHardCase = {
  caseId: 'HC-1',
  origin: 'reported',
  channel: 'window',
  itemCode: 'CG-021',
  departmentCode: 'CGJ',
  description: '户外广告设施设置审批多次补正仍无法受理',
  reportedAt: local('2026-09-30T10:00:00'),
};
const STAFF = { departmentCode: 'ZWFWJ', staffId: 'W-12' };

function opened(): HardCase {
  return openHardCase(REPORT, calendar, config).hardCase;
}

function update(action: string, at: string, extra: Partial<HardCaseUpdate> = {}): HardCaseUpdate {
  return { caseId: 'HC-1', action, actor: STAFF, at: local(at), ...extra };
}

function ok(result: HardCaseUpdateResult): HardCase {
  if (!result.ok) throw new Error(result.reason);
  return result.next;
}

function run(hc: HardCase, ...updates: HardCaseUpdate[]): HardCase {
  return updates.reduce((acc, u) => ok(applyHardCaseUpdate(acc, u, calendar, config)), hc);
}

describe('openHardCase', () => {
  it('opens RECEIVED with its department and both deadlines, and says so upstream', () => {
    const { hardCase, outbound } = openHardCase(REPORT, calendar, config);
    expect(hardCase).toMatchObject({
      state: 'RECEIVED',
      departments: ['CGJ'],
      deadlines: { contactDue: endOf('2026-09-30'), resolveDue: endOf('2026-10-13') },
      overdue: {},
      version: 1,
    });
    expect(hardCase.history).toEqual([
      { key: `HC-1|open|${REPORT.reportedAt}`, action: 'open', from: null, to: 'RECEIVED', actor: { departmentCode: 'system', staffId: 'system' }, at: REPORT.reportedAt },
    ]);
    expect(outbound).toEqual([
      {
        type: 'gov.hardcase.opened',
        subject: 'HC-1',
        data: { caseId: 'HC-1', origin: 'reported', channel: 'window', itemCode: 'CG-021', contactDue: endOf('2026-09-30'), resolveDue: endOf('2026-10-13') },
      },
    ]);
  });
});

describe('allowed actions', () => {
  it('follow RECEIVED → CONTACTED → RESOLVED | EXPLAINED | ESCALATED → RETURN_VISITED → CLOSED', () => {
    expect(Object.fromEntries(HARDCASE_STATES.map((s) => [s, allowedHardCaseActions(s)]))).toEqual({
      RECEIVED: ['contact', 'involveDepartments'],
      CONTACTED: ['involveDepartments', 'resolve', 'explain', 'escalate'],
      RESOLVED: ['returnVisit'],
      EXPLAINED: ['returnVisit'],
      ESCALATED: ['involveDepartments', 'resolve', 'explain', 'returnVisit'],
      RETURN_VISITED: ['close'],
      CLOSED: [],
    });
  });
});

describe('applyHardCaseUpdate', () => {
  it('drives a case to CLOSED, recording contact, conclusion, return visit and closing', () => {
    const closed = run(
      opened(),
      update('contact', '2026-09-30T15:00:00', { note: '已电话联系申请人' }),
      update('resolve', '2026-10-09T11:00:00', { cause: 'excessiveMaterials', note: '容缺受理后办结' }),
      update('returnVisit', '2026-10-12T09:00:00', { satisfied: true }),
      update('close', '2026-10-12T09:30:00'),
    );
    expect(closed).toMatchObject({
      state: 'CLOSED',
      cause: 'excessiveMaterials',
      outcome: 'RESOLVED',
      contactedAt: local('2026-09-30T15:00:00'),
      concludedAt: local('2026-10-09T11:00:00'),
      returnVisit: { satisfied: true, at: local('2026-10-12T09:00:00') },
      closedAt: local('2026-10-12T09:30:00'),
      overdue: {},
      version: 5,
    });
    expect(closed.history.map((h) => `${h.action}:${h.from}→${h.to}`)).toEqual([
      'open:null→RECEIVED',
      'contact:RECEIVED→CONTACTED',
      'resolve:CONTACTED→RESOLVED',
      'returnVisit:RESOLVED→RETURN_VISITED',
      'close:RETURN_VISITED→CLOSED',
    ]);
    expect(hardCaseDueAt(closed)).toBeUndefined();
  });

  it('escalates, and the escalated case can still be resolved before the return visit', () => {
    const contacted = run(opened(), update('contact', '2026-09-30T11:00:00'));
    const escalated = ok(applyHardCaseUpdate(contacted, update('escalate', '2026-10-08T10:00:00', { escalatedTo: '区政务服务专班', cause: 'policyGap' }), calendar, config));
    expect(escalated).toMatchObject({ state: 'ESCALATED', outcome: 'ESCALATED', escalatedTo: '区政务服务专班' });
    expect(hardCaseDueAt(escalated)).toBeUndefined();
    const resolved = run(escalated, update('resolve', '2026-10-20T10:00:00'));
    expect(resolved).toMatchObject({ state: 'RESOLVED', outcome: 'RESOLVED', cause: 'policyGap', overdue: {} });
  });

  it('gives 10 working days once a second department is involved, and says the new due date', () => {
    const result = applyHardCaseUpdate(opened(), update('involveDepartments', '2026-09-30T10:30:00', { departments: ['GTJ', 'CGJ'] }), calendar, config);
    const next = ok(result);
    expect(next.departments).toEqual(['CGJ', 'GTJ']);
    expect(next.state).toBe('RECEIVED');
    expect(next.deadlines).toEqual({ contactDue: endOf('2026-09-30'), resolveDue: endOf('2026-10-20') });
    expect(result.ok && !result.duplicate && result.outbound[0]).toMatchObject({
      type: 'gov.hardcase.departmentsInvolved',
      data: { departments: ['CGJ', 'GTJ'], resolveDue: endOf('2026-10-20') },
    });
  });

  it('flags a late contact once, as of the action, and a late resolution while still CONTACTED', () => {
    const late = applyHardCaseUpdate(opened(), update('contact', '2026-10-08T09:00:00'), calendar, config);
    expect(late.ok && !late.duplicate && late.overdueFlagged).toEqual(['contact']);
    const contacted = ok(late);
    expect(contacted.overdue).toEqual({ contact: local('2026-10-08T09:00:00') });
    expect(contacted.history.map((h) => h.action)).toEqual(['open', 'overdue', 'contact']);
    expect(hardCaseDueAt(contacted)).toBe(endOf('2026-10-13').dueAt);
    expect(hardCaseOverdueCheck(contacted, endOf('2026-10-13').dueAt).flagged).toEqual([]);
    const check = hardCaseOverdueCheck(contacted, local('2026-10-14T00:00:00'));
    expect(check.flagged).toEqual(['resolve']);
    expect(check.outbound[0]).toMatchObject({ type: 'gov.hardcase.overdue', data: { kind: 'resolve', due: endOf('2026-10-13') } });
    expect(hardCaseOverdueCheck(check.next, local('2026-10-15T00:00:00')).flagged).toEqual([]);
  });

  it('treats a redelivered update as a no-op', () => {
    const contacted = run(opened(), update('contact', '2026-09-30T11:00:00'));
    const again = applyHardCaseUpdate(contacted, update('contact', '2026-09-30T11:00:00'), calendar, config);
    expect(again).toMatchObject({ ok: true, duplicate: true, next: contacted });
  });

  it.each([
    ['an unknown action', update('solve', '2026-09-30T11:00:00'), 'UNKNOWN_ACTION'],
    ['an action not allowed in the state', update('resolve', '2026-09-30T11:00:00', { cause: 'other' }), 'ACTION_NOT_ALLOWED'],
    ['an update before the report', update('contact', '2026-09-30T09:00:00'), 'BEFORE_REPORTED'],
    ['an invalid time', { ...update('contact', '2026-09-30T11:00:00'), at: 'yesterday' }, 'INVALID_TIME'],
    ['involving nobody', update('involveDepartments', '2026-09-30T11:00:00', { departments: [] }), 'DEPARTMENTS_REQUIRED'],
    ['another case', { ...update('contact', '2026-09-30T11:00:00'), caseId: 'HC-2' }, 'WRONG_CASE'],
  ])('refuses %s, changing nothing', (_name, u, code) => {
    const hc = opened();
    const result = applyHardCaseUpdate(hc, u, calendar, config);
    expect(result).toMatchObject({ ok: false, code, state: 'RECEIVED', allowedActions: ['contact', 'involveDepartments'] });
    expect(hc).toEqual(opened());
  });

  it('refuses a conclusion without a cause, an escalation without a target, a return visit without an answer', () => {
    const contacted = run(opened(), update('contact', '2026-09-30T11:00:00'));
    expect(applyHardCaseUpdate(contacted, update('explain', '2026-10-08T10:00:00'), calendar, config)).toMatchObject({ ok: false, code: 'CAUSE_REQUIRED' });
    expect(applyHardCaseUpdate(contacted, update('explain', '2026-10-08T10:00:00', { cause: 'bogus' as never }), calendar, config)).toMatchObject({ ok: false, code: 'UNKNOWN_CAUSE' });
    expect(applyHardCaseUpdate(contacted, update('escalate', '2026-10-08T10:00:00', { cause: 'other' }), calendar, config)).toMatchObject({
      ok: false,
      code: 'ESCALATION_TARGET_REQUIRED',
      reason: 'Action escalate requires "escalatedTo" (the authority the case goes to)',
    });
    const explained = run(contacted, update('explain', '2026-10-08T10:00:00', { cause: 'historical' }));
    expect(applyHardCaseUpdate(explained, update('returnVisit', '2026-10-09T10:00:00'), calendar, config)).toMatchObject({ ok: false, code: 'SATISFIED_REQUIRED' });
    const closed = run(explained, update('returnVisit', '2026-10-09T10:00:00', { satisfied: false }), update('close', '2026-10-09T11:00:00'));
    expect(applyHardCaseUpdate(closed, update('contact', '2026-10-09T12:00:00'), calendar, config)).toMatchObject({
      ok: false,
      code: 'ACTION_NOT_ALLOWED',
      reason: 'Action contact is not allowed in state CLOSED; allowed: none (CLOSED is final)',
    });
  });
});

describe('overdue flags withdrawn by a step taken by the deadline but processed after the flag', () => {
  const CONTACT_DUE = endOf('2026-09-30').dueAt;
  const RESOLVE_DUE = endOf('2026-10-13').dueAt;
  const later = (iso: string) => new Date(Date.parse(iso) + 1).toISOString();
  /** The schedule ran at `at` before the step reached CivicFlow. */
  const flagged = (hc: HardCase, at: string) => hardCaseOverdueCheck(hc, at).next;
  const applied = (hc: HardCase, u: HardCaseUpdate) => {
    const result = applyHardCaseUpdate(hc, u, calendar, config);
    if (!result.ok || result.duplicate) throw new Error('expected applied');
    return result;
  };

  it('withdraws the contact flag of a case contacted by its deadline, with a history entry, and says so in the step event', () => {
    const hc = flagged(opened(), later(CONTACT_DUE));
    expect(hc.overdue).toEqual({ contact: later(CONTACT_DUE) });
    const result = applied(hc, update('contact', '2026-09-30T17:00:00'));
    expect(result.overdueWithdrawn).toEqual(['contact']);
    expect(result.next.overdue).toEqual({});
    expect(result.next.history.map((h) => h.action)).toEqual(['open', 'overdue', 'overdueWithdrawn', 'contact']);
    expect(result.next.history[2]).toMatchObject({ key: `HC-1|overdue-withdrawn|${later(CONTACT_DUE)}|contact`, from: 'RECEIVED', to: 'RECEIVED', at: local('2026-09-30T17:00:00') });
    expect(result.outbound[0]).toMatchObject({ type: 'gov.hardcase.contacted', data: { overdueWithdrawn: ['contact'] } });
    // Late after all: the flag stays.
    const late = applied(hc, update('contact', '2026-10-08T09:00:00'));
    expect([late.overdueWithdrawn, late.next.overdue]).toEqual([[], { contact: later(CONTACT_DUE) }]);
    expect(late.outbound[0]?.data).not.toHaveProperty('overdueWithdrawn');
  });

  it.each([
    ['resolve', { cause: 'policyGap' }, ['resolve']],
    ['explain', { cause: 'policyGap' }, ['resolve']],
    ['escalate', { escalatedTo: '区政务服务专班', cause: 'policyGap' }, ['resolve']],
    // Still unresolved, and the deadline stays: nothing to take back.
    ['involveDepartments', { departments: ['CGJ'] }, []],
  ] as const)('%s (with %j) by the resolution deadline, after the flag, withdraws %j', (action, extra, withdrawn) => {
    const contacted = run(opened(), update('contact', '2026-09-30T11:00:00'));
    const hc = flagged(contacted, later(RESOLVE_DUE));
    expect(hc.overdue).toEqual({ resolve: later(RESOLVE_DUE) });
    const result = applied(hc, update(action, '2026-10-13T18:00:00', extra));
    expect(result.overdueWithdrawn).toEqual(withdrawn);
    expect(result.next.overdue).toEqual(withdrawn.length > 0 ? {} : { resolve: later(RESOLVE_DUE) });
  });

  it('withdraws the resolution flag when a second department was involved by the deadline and the flag came before the longer one', () => {
    const contacted = run(opened(), update('contact', '2026-09-30T11:00:00'));
    const involve = update('involveDepartments', '2026-10-12T10:00:00', { departments: ['GTJ'] });
    // Flagged the day after the five-day deadline: within the ten-day one (10-20).
    const early = applied(flagged(contacted, later(RESOLVE_DUE)), involve);
    expect([early.overdueWithdrawn, early.next.overdue, early.next.deadlines.resolveDue]).toEqual([['resolve'], {}, endOf('2026-10-20')]);
    // Flagged only after the ten-day deadline too: it stays.
    const stale = applied(flagged(contacted, later(endOf('2026-10-20').dueAt)), involve);
    expect([stale.overdueWithdrawn, stale.next.overdue]).toEqual([[], { resolve: later(endOf('2026-10-20').dueAt) }]);
  });

  it('gives a resolution flag raised again after its withdrawal an event id of its own, the same from the schedule and from an update', () => {
    const contacted = run(opened(), update('contact', '2026-09-30T11:00:00'));
    const first = hardCaseOverdueCheck(contacted, later(RESOLVE_DUE));
    expect(toOutbound(first.outbound, later(RESOLVE_DUE)).map((e) => e.id)).toEqual(['gov.hardcase.overdue:HC-1:resolve']);
    const involved = applied(first.next, update('involveDepartments', '2026-10-12T10:00:00', { departments: ['GTJ'] }));
    expect(involved.overdueWithdrawn).toEqual(['resolve']);
    // The ten-day deadline is missed too: flagged again, a new fact.
    const TEN_DAY_DUE = endOf('2026-10-20').dueAt;
    const again = hardCaseOverdueCheck(involved.next, later(TEN_DAY_DUE));
    expect(again.flagged).toEqual(['resolve']);
    const scheduled = toOutbound(again.outbound, later(TEN_DAY_DUE));
    expect(scheduled.map((e) => e.id)).toEqual(['gov.hardcase.overdue:HC-1:resolve:2']);
    expect(scheduled[0]?.data).toMatchObject({ kind: 'resolve', flag: 2 });
    // An update that finds the deadline passed raises the same flag with the same id.
    const late = applied(involved.next, update('resolve', '2026-10-22T10:00:00', { cause: 'policyGap' }));
    expect(late.overdueFlagged).toEqual(['resolve']);
    expect(toOutbound(late.outbound, later(TEN_DAY_DUE)).map((e) => e.id)).toContain('gov.hardcase.overdue:HC-1:resolve:2');
    // Each flag has its own history key; the audit line still names the kind.
    expect(again.next.history.filter((h) => h.action === 'overdue').map((h) => h.key)).toEqual(['HC-1|overdue|resolve', 'HC-1|overdue-2|resolve']);
  });
});
