import {
  computeFigures,
  counterDeltas,
  daysOf,
  emptyCounters,
  figuresFromCounters,
  sourcesOf,
  sumByKey,
  type Figures,
  type GroupFigures,
  type Period,
} from '#review/domain/figures';
import { rankDepartments } from '#review/domain/ranking';
import type { Case, ReviewLevel } from '#review/domain/types';
import { ReviewDriver } from './driver';
import { calendar, makeCase, makeReview } from './fixtures';

const SEPT: Period = { granularity: 'month', value: '2026-09' };
const OCT: Period = { granularity: 'month', value: '2026-10' };
const DAY_10: Period = { granularity: 'day', value: '2026-09-10' };
const COMPLETED = '2026-09-10T02:00:00.000Z';

function caseOf(caseId: string, departmentCode: string, extra: Partial<Case> = {}): Case {
  return makeCase({
    caseId,
    departmentCode,
    itemCode: `ITEM-${departmentCode}`,
    applicantId: `P-${caseId}`,
    staffId: `S-${departmentCode}`,
    completedAt: COMPLETED,
    ...extra,
  });
}

const at = (d: string) => `${d}:00.000Z`;

/**
 * A small month, built through the use cases the way the consumer and the schedule drive them:
 *  D-A  A1 L5 (parked before its case, submitted in October)  A2 L4  A3 L2 rectified + satisfied visit + closed
 *       A4 L1 acknowledged, never rectified (rectify overdue)  A5 default only  A6 no review (completed 09-25, no staff)
 *       A7 L1 approved invalid  A8 L2 ack overdue, then unfixable approved  A9 default replaced by L3
 *       A10 L2 rectified, unsatisfied visit
 *  D-B  B1 L5  B2 L4          D-C  C1 L4  C2 L5         D-D  D1 default only
 *  D-E  E1 L5, completed 2026-10-01 00:30 Shanghai (2026-09-30T16:30Z): an October case.
 */
async function buildMonth(): Promise<ReviewDriver> {
  const s = new ReviewDriver();
  const A = (n: number) => caseOf(`A${n}`, 'D-A', n === 6 ? { completedAt: at('2026-09-25T02:00'), staffId: undefined } : {});
  const review = (kase: Case, level: ReviewLevel, submittedAt = at('2026-09-10T03:00'), extra = {}) =>
    makeReview(kase, level, { reviewId: `R-${kase.caseId}`, submittedAt, ...extra });
  const actor = { departmentCode: 'D-A', staffId: 'S-boss' };
  const act = (caseId: string, action: string, when: string, satisfied?: boolean) =>
    s.rectify(caseId, { action, actor, at: at(when), ...(satisfied !== undefined ? { satisfied } : {}) });

  await s.submitReview(review(A(1), 5, at('2026-10-02T02:00'))); // before its case: parked
  for (let n = 1; n <= 10; n++) await s.completeCase(A(n));
  const others = [caseOf('B1', 'D-B'), caseOf('B2', 'D-B'), caseOf('C1', 'D-C'), caseOf('C2', 'D-C'), caseOf('D1', 'D-D')];
  for (const c of others) await s.completeCase(c);
  const e1 = caseOf('E1', 'D-E', { completedAt: '2026-09-30T16:30:00.000Z' });
  await s.completeCase(e1);
  await s.completeCase(A(2)); // redelivered completion

  const levels: [Case, ReviewLevel][] = [
    [A(2), 4], [A(3), 2], [A(4), 1], [A(7), 1], [A(8), 2], [A(10), 2],
    [others[0]!, 5], [others[1]!, 4], [others[2]!, 4], [others[3]!, 5], [e1, 5],
  ];
  for (const [c, level] of levels) await s.submitReview(review(c, level));
  await s.submitReview(review(A(2), 4)); // same reviewId again: no-op
  await s.submitReview(review(A(2), 1, at('2026-09-10T05:00'), { reviewId: 'R-A2-second' })); // DUPLICATE_REVIEW

  await act('A3', 'acknowledge', '2026-09-10T04:00');
  await act('A3', 'rectify', '2026-09-11T02:00');
  await act('A3', 'rectify', '2026-09-11T02:00'); // redelivered
  await act('A3', 'returnVisit', '2026-09-12T02:00', true);
  await act('A3', 'close', '2026-09-13T02:00');
  await act('A10', 'acknowledge', '2026-09-10T04:00');
  await act('A10', 'rectify', '2026-09-11T02:00');
  await act('A10', 'returnVisit', '2026-09-12T02:00', false);
  await act('A4', 'acknowledge', '2026-09-10T04:00');
  await act('A7', 'claimInvalid', '2026-09-10T05:00');
  await act('A7', 'approveInvalid', '2026-09-10T06:00');
  await s.tick(at('2026-09-12T00:00')); // A8 still OPEN after its acknowledgement deadline (09-11 end)
  await act('A8', 'acknowledge', '2026-09-12T01:00');
  await act('A8', 'claimUnfixable', '2026-09-13T02:00');
  await act('A8', 'approveUnfixable', '2026-09-14T02:00');
  await s.tick(at('2026-09-17T02:00')); // defaults for A5, A9, D1
  await s.submitReview(review(A(9), 3, at('2026-09-18T02:00'))); // replaces A9's default
  await s.tick(at('2026-09-20T00:00')); // A4 not rectified after 09-17 end
  await act('A8', 'approveUnfixable', '2026-09-14T02:00'); // redelivered after the flags
  return s;
}

function pick(figures: GroupFigures[], dimension: string, key: string): GroupFigures {
  const found = figures.find((f) => f.dimension === dimension && f.key === key);
  if (!found) throw new Error(`no ${dimension} ${key}`);
  return found;
}

function withoutGroup({ dimension: _d, key: _k, period: _p, ...figures }: GroupFigures): Figures {
  return figures;
}

// D-A, September, by hand:
//   completed cases: A1..A10 = 10; real valid reviews: A1 A2 A3 A4 A8 A9 A10 = 7 (A7 invalid, A5 default, A6 none)
//   levels: 5 → A1; 4 → A2; 3 → A9; 2 → A3 A8 A10; 1 → A4
//   points: 10 + 8 + 6 + 3·3 + 0 = 33; composite 33 / 7
//   好评 3 / 7, 差评 4 / 7; 主动评价率 7 / 10; 未评率 (10 − 7) / 10; coverage (7 + 1 default) / 10
//   整改率: rectified A3 A10 = 2 / 4 valid 差评; 回访率 2 / 4; 满意率 1 (A3) / 2
//   overdue: A4 (rectify) + A8 (acknowledge) = 2; invalidated 1 (A7); unfixable 1 (A8)
const D_A_SEPT: Figures = {
  completedCases: 10,
  realReviews: 7,
  byLevel: { 1: 1, 2: 3, 3: 1, 4: 1, 5: 1 },
  positive: 3,
  negative: 4,
  points: 33,
  defaulted: 1,
  positiveRate: 3 / 7,
  negativeRate: 4 / 7,
  compositeScore: 33 / 7,
  activeReviewRate: 7 / 10,
  unreviewedRate: 3 / 10,
  coverage: 8 / 10,
  rectified: 2,
  rectificationRate: 2 / 4,
  returnVisited: 2,
  returnVisitRate: 2 / 4,
  returnVisitSatisfied: 1,
  satisfactionRate: 1 / 2,
  overdue: 2,
  overdueAcknowledge: 1,
  overdueRectify: 1,
  invalidated: 1,
  unfixable: 1,
};

describe('figures on a hand-checked month', () => {
  let store: ReviewDriver;
  let reference: GroupFigures[];
  beforeAll(async () => {
    store = await buildMonth();
    reference = computeFigures(store.cases(), store.reviews(), store.rectifications(), SEPT, calendar);
  });

  it('the use cases saw the duplicates and refusals they were meant to', () => {
    expect(store.log).toEqual(
      expect.arrayContaining([
        'review R-A1: parked',
        'case A2: duplicate',
        'review R-A2: duplicate',
        'review R-A2-second: rejected',
        'rect A3 rectify: duplicate',
        'rect A8 approveUnfixable: duplicate',
        'review R-A9: accepted',
      ]),
    );
  });

  it('department D-A: every formula (reference)', () => {
    expect(withoutGroup(pick(reference, 'department', 'D-A'))).toEqual(D_A_SEPT);
  });

  it('department D-A: the same from the counters', () => {
    expect(store.figures('department', 'D-A', SEPT)).toEqual(D_A_SEPT);
  });

  it('the bureau total (all)', () => {
    // 15 September cases (A1..A10, B1, B2, C1, C2, D1; E1 is October). Real 7 + 2 + 2 = 11,
    // points 33 + (10 + 8) + (8 + 10) = 69, defaults A5 + D1 = 2, coverage (11 + 2) / 15, 未评 (15 − 11) / 15.
    const all = pick(reference, 'all', 'all');
    expect([all.completedCases, all.realReviews, all.points, all.defaulted]).toEqual([15, 11, 69, 2]);
    expect(all.compositeScore).toBe(69 / 11);
    expect(all.coverage).toBe(13 / 15);
    expect(all.unreviewedRate).toBe(4 / 15);
    expect(store.figures('all', 'all', SEPT)).toEqual(withoutGroup(all));
  });

  it('a department with only a default has no real-review ratios (null, not 0)', () => {
    const d = pick(reference, 'department', 'D-D');
    expect([d.completedCases, d.realReviews, d.defaulted, d.coverage, d.unreviewedRate]).toEqual([1, 0, 1, 1, 1]);
    expect([d.compositeScore, d.positiveRate, d.rectificationRate, d.satisfactionRate]).toEqual([null, null, null, null]);
  });

  it('by day, staff and district', () => {
    // 2026-09-10: A6 completed on 09-25, so 9 D-A cases; real 7; 未评 A5, A7 → 2 / 9.
    const day = computeFigures(store.cases(), store.reviews(), store.rectifications(), DAY_10, calendar);
    const dA = pick(day, 'department', 'D-A');
    expect([dA.completedCases, dA.realReviews, dA.unreviewedRate]).toEqual([9, 7, 2 / 9]);
    expect(store.figures('department', 'D-A', DAY_10)).toEqual(withoutGroup(dA));
    // A6 has no staff member: staff S-D-A has the 9 others.
    expect(pick(reference, 'staff', 'S-D-A').completedCases).toBe(9);
    expect(pick(reference, 'district', 'DIST-1').completedCases).toBe(15);
    expect(pick(reference, 'channel', '窗口评价器').completedCases).toBe(15);
  });

  it('a review counts in the month of its case completion in Shanghai', () => {
    // A1's review came in October; its case completed in September.
    expect(pick(reference, 'item', 'ITEM-D-A').byLevel[5]).toBe(1);
    expect(reference.some((f) => f.key === 'D-E')).toBe(false);
    const october = computeFigures(store.cases(), store.reviews(), store.rectifications(), OCT, calendar);
    expect(pick(october, 'department', 'D-E').byLevel[5]).toBe(1);
  });

  it('ranks departments by composite score; no real review, no rank; ties share a rank, listed by code', () => {
    // D-B (10 + 8) / 2 = 9 and D-C (8 + 10) / 2 = 9 tie: both first, D-B listed first; D-A 33 / 7 ≈ 4.71 is
    // third; D-D unranked.
    expect(rankDepartments(reference, '2026-09')).toEqual([
      { rank: 1, departmentCode: 'D-B', compositeScore: 9, realReviews: 2 },
      { rank: 1, departmentCode: 'D-C', compositeScore: 9, realReviews: 2 },
      { rank: 3, departmentCode: 'D-A', compositeScore: 33 / 7, realReviews: 7 },
    ]);
  });
});

describe('rankDepartments', () => {
  const group = (key: string, points: number, realReviews: number, month = '2026-09'): GroupFigures => {
    const counters = { ...emptyCounters(), level5: realReviews, points };
    return { dimension: 'department', key, period: { granularity: 'month', value: month }, ...figuresFromCounters(counters) };
  };

  it('treats equal fractions with different counts as one tie, listed by code', () => {
    // 29 / 3 (3 reviews) and 58 / 6 (6 reviews) are the same score.
    const ranking = rankDepartments([group('D-Z', 29, 3), group('D-M', 58, 6), group('D-A', 19, 2)], '2026-09');
    expect(ranking.map((r) => [r.rank, r.departmentCode])).toEqual([
      [1, 'D-M'],
      [1, 'D-Z'],
      [3, 'D-A'], // 9.5
    ]);
  });

  it('ignores other months and departments without a real review', () => {
    const ranking = rankDepartments([group('D-1', 10, 1, '2026-08'), group('D-2', 0, 0), group('D-3', 6, 1)], '2026-09');
    expect(ranking).toEqual([{ rank: 1, departmentCode: 'D-3', compositeScore: 6, realReviews: 1 }]);
  });
});

describe('counterDeltas', () => {
  const subject = {
    caseId: 'C1',
    departmentCode: 'D1',
    itemCode: 'I1',
    channel: 'CH',
    completedDay: '2026-09-10',
    completedMonth: '2026-09',
  };

  it('adds a change to its item\'s row and the row its department, channel and district share, on the day of completion', () => {
    const rows = counterDeltas({ subject, add: { completedCases: 1 } });
    expect(rows.map((r) => `${r.dimension}:${r.key}:${r.period.value}`)).toEqual(['departmentChannelDistrict:["D1","CH",""]:2026-09-10', 'item:I1:2026-09-10']);
    expect(rows.every((r) => r.add.completedCases === 1 && r.period.granularity === 'day')).toBe(true);
  });

  it('adds to a staff member\'s row when the case has one, and keeps the district in the shared row', () => {
    const rows = counterDeltas({ subject: { ...subject, staffId: 'S-1', district: '440305' }, add: { completedCases: 1 } });
    expect(rows.map((r) => `${r.dimension}:${r.key}`)).toEqual(['departmentChannelDistrict:["D1","CH","440305"]', 'item:I1', 'staff:S-1']);
  });
});

describe('whose rows a dimension is read from', () => {
  const keys = (dimension: Parameters<typeof sourcesOf>[0], stored: string) => sourcesOf(dimension).map((s) => [s.rows, s.keyOf(stored)]);

  it('reads department, channel, district and all from the shared rows, each under its part, and the rows they had of their own before', () => {
    const shared = '["D1","window","440305"]';
    expect(keys('department', shared)).toEqual([['departmentChannelDistrict', 'D1'], ['department', shared]]);
    expect(keys('channel', shared)).toEqual([['departmentChannelDistrict', 'window'], ['channel', shared]]);
    expect(keys('district', shared)).toEqual([['departmentChannelDistrict', '440305'], ['district', shared]]);
    expect(keys('all', shared)).toEqual([['departmentChannelDistrict', 'all'], ['channel', 'all']]);
    expect(sourcesOf('district')[0]!.keyOf('["D1","window",""]')).toBeUndefined();
  });

  it('narrows one key\'s read to the rows it can be under: its own row, or a department\'s shared rows by prefix', () => {
    const [shared, ownDepartment] = sourcesOf('department');
    const under = shared!.storedUnder!('D1') as { prefix: string };
    expect(under).toEqual({ prefix: '["D1",' });
    expect(['["D1","web",""]', '["D10","web",""]', '["D1\\"","web",""]'].filter((k) => k.startsWith(under.prefix))).toEqual(['["D1","web",""]']);
    expect(ownDepartment!.storedUnder!('D1')).toEqual({ exactly: 'D1' });
    // A channel or a district can be in any shared row of the day.
    expect(sourcesOf('channel')[0]!.storedUnder).toBeUndefined();
    expect(sourcesOf('district')[0]!.storedUnder).toBeUndefined();
  });

  it('reads item and staff from their own rows only', () => {
    expect(keys('item', 'I1')).toEqual([['item', 'I1']]);
    expect(keys('staff', 'S-1')).toEqual([['staff', 'S-1']]);
  });
});

describe('a month from its days', () => {
  it('lists every day of the month, leap February included', () => {
    expect(daysOf({ granularity: 'month', value: '2028-02' }).map((d) => d.value)).toEqual(
      Array.from({ length: 29 }, (_, i) => `2028-02-${String(i + 1).padStart(2, '0')}`),
    );
    expect(daysOf({ granularity: 'month', value: '2026-02' })).toHaveLength(28);
    expect(daysOf({ granularity: 'month', value: '2026-12' }).at(-1)).toEqual({ granularity: 'day', value: '2026-12-31' });
    expect(daysOf({ granularity: 'day', value: '2026-09-10' })).toEqual([{ granularity: 'day', value: '2026-09-10' }]);
  });

  it('sums rows of the same key and sorts the keys, leaving out rows under no key', () => {
    const c = (completedCases: number, level1 = 0) => ({ ...emptyCounters(), completedCases, level1 });
    expect(sumByKey([{ key: 'D2', counters: c(1) }, { key: 'D1', counters: c(2, 1) }, { key: undefined, counters: c(7) }, { key: 'D2', counters: c(3, 1) }])).toEqual([
      { key: 'D1', counters: c(2, 1) },
      { key: 'D2', counters: c(4, 1) },
    ]);
  });
});
