import fc from 'fast-check';
import {
  computeFigures,
  emptyCounters,
  figuresFromCounters,
  rowId,
  type Figures,
  type Period,
} from '#review/domain/figures';
import type { ActionInput } from '#review/domain/rectification';
import { RECTIFICATION_ACTIONS, type Case, type Rectification, type ReviewLevel } from '#review/domain/types';
import { ReviewDriver } from './driver';
import { calendar, makeCase, makeReview } from './fixtures';

// Completions either side of month and day boundaries in Shanghai (K1 is 2026-10-01 00:30 local).
const CASES: readonly Case[] = [
  makeCase({ caseId: 'K0', departmentCode: 'D-A', itemCode: 'I-A', applicantId: 'P0', completedAt: '2026-09-10T02:00:00.000Z' }),
  makeCase({ caseId: 'K1', departmentCode: 'D-A', itemCode: 'I-A', applicantId: 'P1', completedAt: '2026-09-30T16:30:00.000Z', staffId: 'S2' }),
  makeCase({ caseId: 'K2', departmentCode: 'D-B', itemCode: 'I-B', applicantId: 'P2', completedAt: '2026-09-30T15:00:00.000Z', district: 'DIST-2' }),
  makeCase({ caseId: 'K3', departmentCode: 'D-B', itemCode: 'I-B', applicantId: 'P3', completedAt: '2026-10-05T02:00:00.000Z', staffId: undefined, district: undefined, channel: '12345' }),
];
const START = Date.parse('2026-09-10T00:00:00.000Z');

type Command =
  | { t: 'complete'; c: number }
  | { t: 'review'; c: number; rid: number; level: ReviewLevel; stranger: boolean }
  | { t: 'tick' }
  | { t: 'act'; c: number; action: string; satisfied: boolean; foreign: boolean }
  /** A step taken hours before it is processed (a schedule run may have flagged the case meanwhile). */
  | { t: 'backdatedAct'; c: number; action: string; backHours: number; byDeadline: boolean }
  | { t: 'redeliverAct'; n: number }
  | { t: 'path'; c: number; path: number }
  | { t: 'lateReview'; c: number; level: ReviewLevel }
  /** The schedule flags an open 差评 overdue; then its acknowledgement, taken a minute in time, arrives. */
  | { t: 'flaggedThenInTime'; c: number };

/** Whole side paths, so the rarer outcomes are reached often enough to matter. */
const PATHS: readonly (readonly string[])[] = [
  ['claimInvalid', 'approveInvalid'],
  ['acknowledge', 'claimInvalid', 'approveInvalid'],
  ['acknowledge', 'rectify', 'returnVisit', 'close'],
  ['acknowledge', 'claimUnfixable', 'approveUnfixable'],
  ['acknowledge', 'requestExtension', 'approveExtension'],
  ['claimInvalid', 'rejectInvalid'],
];

const caseIndex = fc.integer({ min: 0, max: CASES.length - 1 });
const command: fc.Arbitrary<{ advanceHours: number; cmd: Command }> = fc.record({
  advanceHours: fc.integer({ min: 0, max: 60 }),
  cmd: fc.oneof(
    { weight: 2, arbitrary: fc.record({ t: fc.constant('complete' as const), c: caseIndex }) },
    {
      weight: 4,
      arbitrary: fc.record({
        t: fc.constant('review' as const),
        c: caseIndex,
        rid: fc.integer({ min: 0, max: 2 }),
        // Weighted towards 差评 so rectifications happen often.
        level: fc.constantFrom<ReviewLevel>(1, 1, 2, 2, 3, 4, 5),
        stranger: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      }),
    },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('tick' as const) }) },
    {
      weight: 8,
      arbitrary: fc.record({
        t: fc.constant('act' as const),
        c: caseIndex,
        action: fc.constantFrom(...RECTIFICATION_ACTIONS, 'acknowledge', 'rectify', 'claimInvalid', 'approveInvalid'),
        satisfied: fc.boolean(),
        foreign: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant('backdatedAct' as const),
        c: caseIndex,
        action: fc.constantFrom('acknowledge', 'claimInvalid', 'rectify', 'approveUnfixable', 'approveExtension', 'requestExtension', 'claimUnfixable'),
        backHours: fc.integer({ min: 1, max: 72 }),
        // Dated a minute before its deadline instead: taken in time, perhaps processed after the flag.
        byDeadline: fc.boolean(),
      }),
    },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('redeliverAct' as const), n: fc.nat() }) },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('path' as const),
        c: caseIndex,
        path: fc.integer({ min: 0, max: PATHS.length - 1 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('flaggedThenInTime' as const), c: caseIndex }) },
    {
      // A week of silence (the default is recorded), then the applicant reviews after all.
      weight: 1,
      arbitrary: fc.record({ t: fc.constant('lateReview' as const), c: caseIndex, level: fc.constantFrom<ReviewLevel>(1, 2, 3, 4, 5) }),
    },
  ),
});

/**
 * When a backdated step says it was taken: hours back, or a minute before its deadline; never before its
 * 差评 (a step dated so is refused and would reach nothing here).
 */
function backdated(rect: Rectification | undefined, cmd: { action: string; backHours: number; byDeadline: boolean }, clock: number): string {
  const opened = rect === undefined ? 0 : Date.parse(rect.openedAt);
  const due = rect === undefined ? undefined : cmd.action === 'acknowledge' ? rect.deadlines.acknowledgeDue : rect.deadlines.rectifyDue;
  const at = cmd.byDeadline && due !== undefined ? Math.min(clock, Date.parse(due.dueAt) - 60_000) : clock - cmd.backHours * 3_600_000;
  return new Date(Math.max(at, opened)).toISOString();
}

async function run(commands: readonly { advanceHours: number; cmd: Command }[]): Promise<ReviewDriver> {
  const store = new ReviewDriver();
  const sent: { caseId: string; input: ActionInput }[] = [];
  let clock = START;
  for (const { advanceHours, cmd } of commands) {
    clock += advanceHours * 3_600_000;
    const now = new Date(clock).toISOString();
    store.memory.setNow(now);
    switch (cmd.t) {
      case 'complete':
        await store.completeCase(CASES[cmd.c]!);
        break;
      case 'review': {
        const kase = CASES[cmd.c]!;
        await store.submitReview(
          makeReview(kase, cmd.level, {
            reviewId: `R-${kase.caseId}-${cmd.rid}`,
            submittedAt: now,
            ...(cmd.stranger ? { reviewerId: 'P-stranger' } : {}),
          }),
        );
        break;
      }
      case 'tick':
        await store.tick(now);
        break;
      case 'act': {
        const kase = CASES[cmd.c]!;
        const input: ActionInput = {
          action: cmd.action,
          actor: { departmentCode: cmd.foreign ? 'D-OTHER' : kase.departmentCode, staffId: 'S' },
          at: now,
          satisfied: cmd.satisfied,
        };
        await store.rectify(kase.caseId, input);
        sent.push({ caseId: kase.caseId, input });
        break;
      }
      case 'path': {
        const kase = CASES[cmd.c]!;
        for (const [i, action] of PATHS[cmd.path]!.entries()) {
          const input: ActionInput = {
            action,
            actor: { departmentCode: kase.departmentCode, staffId: 'S' },
            at: new Date(clock + i * 60_000).toISOString(),
            satisfied: true,
          };
          await store.rectify(kase.caseId, input);
          sent.push({ caseId: kase.caseId, input });
        }
        break;
      }
      case 'lateReview': {
        const kase = CASES[cmd.c]!;
        clock += 8 * 86_400_000;
        await store.tick(new Date(clock).toISOString());
        clock += 3_600_000;
        await store.submitReview(makeReview(kase, cmd.level, { reviewId: `R-${kase.caseId}-late`, submittedAt: new Date(clock).toISOString() }));
        break;
      }
      case 'backdatedAct': {
        const kase = CASES[cmd.c]!;
        const input: ActionInput = {
          action: cmd.action,
          actor: { departmentCode: kase.departmentCode, staffId: 'S' },
          at: backdated(store.rectifications().find((r) => r.caseId === kase.caseId), cmd, clock),
        };
        await store.rectify(kase.caseId, input);
        sent.push({ caseId: kase.caseId, input });
        break;
      }
      case 'flaggedThenInTime': {
        const kase = CASES[cmd.c]!;
        const rect = store.rectifications().find((r) => r.caseId === kase.caseId);
        if (rect === undefined || rect.state !== 'OPEN') break;
        const due = Date.parse(rect.deadlines.acknowledgeDue.dueAt);
        clock = Math.max(clock, due + 3_600_000);
        await store.tick(new Date(clock).toISOString());
        const input: ActionInput = {
          action: 'acknowledge',
          actor: { departmentCode: kase.departmentCode, staffId: 'S' },
          at: new Date(Math.max(due - 60_000, Date.parse(rect.openedAt))).toISOString(),
        };
        await store.rectify(kase.caseId, input);
        sent.push({ caseId: kase.caseId, input });
        break;
      }
      case 'redeliverAct': {
        const earlier = sent[cmd.n % Math.max(sent.length, 1)];
        if (earlier) await store.rectify(earlier.caseId, earlier.input);
        break;
      }
    }
  }
  return store;
}

/** Every (row → figures) of the reference for the periods any case falls in. */
function referenceRows(store: ReviewDriver): Map<string, Figures> {
  const rows = new Map<string, Figures>();
  const periods = new Map<string, Period>();
  for (const kase of store.cases()) {
    const day = calendar.localDate(kase.completedAt);
    periods.set(`d${day}`, { granularity: 'day', value: day });
    periods.set(`m${day.slice(0, 7)}`, { granularity: 'month', value: day.slice(0, 7) });
  }
  for (const period of periods.values()) {
    for (const { dimension, key, period: p, ...figures } of computeFigures(
      store.cases(),
      store.reviews(),
      store.rectifications(),
      period,
      calendar,
    )) {
      rows.set(rowId(dimension, key, p), figures);
    }
  }
  return rows;
}

describe('counters replayed from random event sequences equal the reference figures', () => {
  it('holds for duplicates, parked reviews, defaults replaced, invalid and unfixable 差评, overdue flags raised and withdrawn', async () => {
    const seen = { replacedDefault: 0, invalidated: 0, unfixable: 0, rectified: 0, overdue: 0, parked: 0, overdueWithdrawn: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 60, size: 'max' }), async (commands) => {
        const store = await run(commands);
        const reference = referenceRows(store);
        const empty = figuresFromCounters(emptyCounters());
        const counters = store.memory.store.counterRows();
        const ids = new Set([...reference.keys(), ...counters.keys()]);
        for (const id of ids) {
          const fromCounters = counters.has(id) ? figuresFromCounters(counters.get(id)!) : empty;
          expect({ id, figures: fromCounters }).toEqual({ id, figures: reference.get(id) ?? empty });
        }
        for (const row of counters.values()) {
          for (const value of Object.values(row)) expect(value).toBeGreaterThanOrEqual(0);
        }
        const all = [...counters.entries()].filter(([id]) => id.startsWith('all#'));
        const sum = (name: 'invalidated' | 'unfixable' | 'rectified' | 'overdue') =>
          all.reduce((n, [, c]) => n + c[name], 0);
        seen.invalidated += sum('invalidated');
        seen.unfixable += sum('unfixable');
        seen.rectified += sum('rectified');
        seen.overdue += sum('overdue');
        seen.replacedDefault += store.reviews().filter((r) => !r.defaulted && store.state(r.caseId)?.defaultedAt).length;
        seen.parked += store.log.filter((l) => /: parked$/.test(l)).length;
        seen.overdueWithdrawn += store.rectifications().flatMap((r) => r.history).filter((h) => h.action === 'overdueWithdrawn').length;
      }),
      { numRuns: 300 },
    );
    // The generator must actually reach the interesting paths, or the property proves little.
    for (const [path, count] of Object.entries(seen)) expect({ path, reached: count > 0 }).toEqual({ path, reached: true });
  });
});
