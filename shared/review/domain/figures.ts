/**
 * 好差评 figures, two ways that must agree:
 * - `computeFigures` from full state — the reference, simple enough to check by eye;
 * - `counterDeltas` + `figuresFromCounters` — what storage keeps: additive counters per
 *   (kind of row, key, day) changed only by atomic ADDs, turned into ratios when read. A change adds to
 *   three rows at most, each an update inside its transaction (2 write units): its item's, its staff
 *   member's, and one shared by its department, channel and district. The figures of those three
 *   dimensions and of `all` are sums of the shared rows (`sourcesOf`), and a month's are the sum of its
 *   days' (`daysOf`, `sumByKey`), added up when read.
 *
 * Definitions (the product names the figures; where it does not define them, these are the choices):
 * - Everything is attributed to the case: its department, item, staff member, channel (where the service
 *   was delivered) and district, and the day and month of its completion in the bureau's time zone.
 * - Real reviews only in every review figure; defaults are kept apart in `defaulted`.
 * - 主动评价率 = real reviews / completed cases; 未评率 = (completed cases − real reviews) / completed
 *   cases, so a case with only a default, or whose 差评 was approved invalid, counts as unreviewed.
 * - coverage = cases with a review that counts (a valid real review or a default) / completed cases; an
 *   invalidated 差评 is excluded from every figure, so its case is not covered.
 * - 差评整改率 = valid 差评 whose case reached RECTIFIED / valid 差评; UNFIXABLE_APPROVED did not.
 * - 回访率 = valid 差评 return-visited / valid 差评; 整改满意率 = satisfied return visits / return visits.
 * - overdue count = valid 差评 flagged overdue (either kind, a case once); a flag withdrawn because a step
 *   taken by the deadline arrived after it does not count.
 * - A ratio with a zero denominator is null ("no data"), never 0 % or 100 %.
 * - Cases without a staff member or district have no row in that dimension; `all` is the bureau total.
 */

import { daysOfMonth, type WorkingCalendar } from '#calendar/types';
import { REACHED_RECTIFIED } from './transitions';
import { subjectOf } from './reviews';
import {
  COUNTER_NAMES,
  isNegativeLevel,
  LEVEL_POINTS,
  type Case,
  type CounterName,
  type Counters,
  type FigureDelta,
  type FigureSubject,
  type Rectification,
  type Review,
  type ReviewLevel,
} from './types';

export const DIMENSIONS = ['all', 'department', 'item', 'staff', 'channel', 'district'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export const ALL_KEY = 'all';

export type Granularity = 'day' | 'month';
export interface Period {
  readonly granularity: Granularity;
  /** "YYYY-MM-DD" for a day, "YYYY-MM" for a month. */
  readonly value: string;
}

/**
 * The kinds of rows storage keeps: an item's, a staff member's, and one per (department, channel, district)
 * of a day, which those three dimensions and `all` are summed from. Rows of `department`, `channel` and
 * `district` of their own were written before the shared rows and are still read (`sourcesOf`).
 */
export const SHARED_ROWS = 'departmentChannelDistrict';
export type RowKind = Exclude<Dimension, 'all'> | typeof SHARED_ROWS;

export interface CounterRow {
  readonly dimension: RowKind;
  readonly key: string;
  readonly period: Period;
  readonly add: Readonly<Partial<Record<CounterName, number>>>;
}

/** A stable key for a row of figures, stored or as read, e.g. "department#D01#month#2026-09". */
export function rowId(dimension: Dimension | RowKind, key: string, period: Period): string {
  return `${dimension}#${key}#${period.granularity}#${period.value}`;
}

/** The key of a shared row: its case's department, channel and district ('' when it has none), as JSON. */
export function sharedRowKey(subject: Pick<FigureSubject, 'departmentCode' | 'channel' | 'district'>): string {
  return JSON.stringify([subject.departmentCode, subject.channel, subject.district ?? '']);
}

export function emptyCounters(): Record<CounterName, number> {
  const counters = {} as Record<CounterName, number>;
  for (const name of COUNTER_NAMES) counters[name] = 0;
  return counters;
}

export function addCounters(
  into: Record<CounterName, number>,
  add: Readonly<Partial<Record<CounterName, number>>>,
): Record<CounterName, number> {
  for (const [name, amount] of Object.entries(add) as [CounterName, number][]) into[name] += amount;
  return into;
}

/** The key a case counts under in each dimension it belongs to (what `computeFigures`, the reference, groups by). */
export function dimensionKeys(subject: FigureSubject): [Dimension, string][] {
  const keys: [Dimension, string][] = [
    ['all', ALL_KEY],
    ['department', subject.departmentCode],
    ['item', subject.itemCode],
    ['channel', subject.channel],
  ];
  if (subject.staffId !== undefined) keys.push(['staff', subject.staffId]);
  if (subject.district !== undefined) keys.push(['district', subject.district]);
  return keys;
}

/**
 * Fans one case's delta out to the rows it belongs to, on the day of its completion: its item's, its staff
 * member's (when it has one), and the one its department, channel and district share.
 */
export function counterDeltas(delta: FigureDelta): CounterRow[] {
  const day: Period = { granularity: 'day', value: delta.subject.completedDay };
  const { subject, add } = delta;
  const rows: CounterRow[] = [
    { dimension: SHARED_ROWS, key: sharedRowKey(subject), period: day, add },
    { dimension: 'item', key: subject.itemCode, period: day, add },
  ];
  if (subject.staffId !== undefined) rows.push({ dimension: 'staff', key: subject.staffId, period: day, add });
  return rows;
}

/** One kind of row a dimension's figures are summed from, and the dimension's key of each (undefined: none). */
export interface RowSource {
  readonly rows: RowKind;
  readonly keyOf: (stored: string) => string | undefined;
  /**
   * The stored keys one key of the dimension can be under, when a key condition can say so: exactly one
   * (a row of its own), or those beginning with a prefix (a department's shared rows). Absent: any row.
   */
  readonly storedUnder?: (key: string) => { readonly exactly: string } | { readonly prefix: string };
}

const own = (stored: string): string => stored;
const ownRow = (key: string) => ({ exactly: key });
const sharedPart = (i: 0 | 1 | 2) => (stored: string): string | undefined => (JSON.parse(stored) as string[])[i] || undefined;
/** The shared rows of one department: their keys begin with `["<department>",` (JSON-escaped, so exact). */
const sharedOfDepartment = (department: string) => ({ prefix: `${JSON.stringify([department]).slice(0, -1)},` });

/**
 * Whose rows a dimension's figures are summed from. Item and staff: their own. Department, channel,
 * district and `all`: the shared rows, each counted under its department, its channel, its district (none
 * when it has no district) or the one total; and the rows these dimensions had of their own (and `all`, the
 * channel rows) before the shared rows were written, which a day stored then still has. Every change was
 * counted under one layout only, so adding both is exact, and no stored row needs a migration.
 */
export function sourcesOf(dimension: Dimension): readonly RowSource[] {
  switch (dimension) {
    case 'all':
      return [{ rows: SHARED_ROWS, keyOf: () => ALL_KEY }, { rows: 'channel', keyOf: () => ALL_KEY }];
    case 'department':
      return [{ rows: SHARED_ROWS, keyOf: sharedPart(0), storedUnder: sharedOfDepartment }, { rows: 'department', keyOf: own, storedUnder: ownRow }];
    case 'channel':
      return [{ rows: SHARED_ROWS, keyOf: sharedPart(1) }, { rows: 'channel', keyOf: own, storedUnder: ownRow }];
    case 'district':
      return [{ rows: SHARED_ROWS, keyOf: sharedPart(2) }, { rows: 'district', keyOf: own, storedUnder: ownRow }];
    case 'item':
    case 'staff':
      return [{ rows: dimension, keyOf: own, storedUnder: ownRow }];
  }
}

/** The days whose rows make up a period: the day itself, or every day of the month ("YYYY-MM-DD"). */
export function daysOf(period: Period): Period[] {
  if (period.granularity === 'day') return [period];
  return daysOfMonth(period.value).map((value): Period => ({ granularity: 'day', value }));
}

/** Rows summed per key, sorted by key (a row under no key left out): a month's rows from its days', a dimension's from its sources'. */
export function sumByKey(rows: Iterable<{ readonly key: string | undefined; readonly counters: Readonly<Record<CounterName, number>> }>): Array<{ key: string; counters: Record<CounterName, number> }> {
  const byKey = new Map<string, Record<CounterName, number>>();
  for (const row of rows) if (row.key !== undefined) addCounters(byKey.get(row.key) ?? byKey.set(row.key, emptyCounters()).get(row.key)!, row.counters);
  return [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, counters]) => ({ key, counters }));
}

export interface Figures {
  readonly completedCases: number;
  readonly realReviews: number;
  readonly byLevel: Readonly<Record<ReviewLevel, number>>;
  /** 好评 (levels 3–5) and 差评 (levels 1–2), real and valid only. */
  readonly positive: number;
  readonly negative: number;
  readonly points: number;
  readonly defaulted: number;
  readonly positiveRate: number | null;
  readonly negativeRate: number | null;
  /** Mean points of real reviews, out of 10. */
  readonly compositeScore: number | null;
  readonly activeReviewRate: number | null;
  readonly unreviewedRate: number | null;
  readonly coverage: number | null;
  readonly rectified: number;
  readonly rectificationRate: number | null;
  readonly returnVisited: number;
  readonly returnVisitRate: number | null;
  readonly returnVisitSatisfied: number;
  readonly satisfactionRate: number | null;
  readonly overdue: number;
  readonly overdueAcknowledge: number;
  readonly overdueRectify: number;
  readonly invalidated: number;
  readonly unfixable: number;
}

export interface GroupFigures extends Figures {
  readonly dimension: Dimension;
  readonly key: string;
  readonly period: Period;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

export function figuresFromCounters(c: Counters): Figures {
  const byLevel = { 1: c.level1, 2: c.level2, 3: c.level3, 4: c.level4, 5: c.level5 };
  const realReviews = c.level1 + c.level2 + c.level3 + c.level4 + c.level5;
  const positive = c.level3 + c.level4 + c.level5;
  const negative = c.level1 + c.level2;
  return {
    completedCases: c.completedCases,
    realReviews,
    byLevel,
    positive,
    negative,
    points: c.points,
    defaulted: c.defaulted,
    positiveRate: ratio(positive, realReviews),
    negativeRate: ratio(negative, realReviews),
    compositeScore: ratio(c.points, realReviews),
    activeReviewRate: ratio(realReviews, c.completedCases),
    unreviewedRate: ratio(c.completedCases - realReviews, c.completedCases),
    coverage: ratio(realReviews + c.defaulted, c.completedCases),
    rectified: c.rectified,
    rectificationRate: ratio(c.rectified, negative),
    returnVisited: c.returnVisited,
    returnVisitRate: ratio(c.returnVisited, negative),
    returnVisitSatisfied: c.returnVisitSatisfied,
    satisfactionRate: ratio(c.returnVisitSatisfied, c.returnVisited),
    overdue: c.overdue,
    overdueAcknowledge: c.overdueAcknowledge,
    overdueRectify: c.overdueRectify,
    invalidated: c.invalidated,
    unfixable: c.unfixable,
  };
}

function inPeriod(subject: FigureSubject, period: Period): boolean {
  return period.granularity === 'day' ? subject.completedDay === period.value : subject.completedMonth === period.value;
}

/**
 * The counters of one case from its full state: its current review (a real one wins over a default; of
 * several real ones, which storage never holds, the earliest submitted) and its rectification.
 */
export function caseCounters(
  kase: Case,
  reviews: readonly Review[],
  rectification: Rectification | undefined,
): Partial<Record<CounterName, number>> {
  const add: Partial<Record<CounterName, number>> = { completedCases: 1 };
  const own = reviews.filter((r) => r.caseId === kase.caseId);
  const real = own
    .filter((r) => !r.defaulted)
    .sort((a, b) => Date.parse(a.submittedAt) - Date.parse(b.submittedAt) || (a.reviewId < b.reviewId ? -1 : 1))[0];
  if (real === undefined) {
    if (own.some((r) => r.defaulted)) add.defaulted = 1;
    return add;
  }
  const rect = rectification?.reviewId === real.reviewId ? rectification : undefined;
  if (rect?.state === 'INVALID_APPROVED') {
    add.invalidated = 1;
    return add;
  }
  add[`level${real.level}`] = 1;
  add.points = LEVEL_POINTS[real.level];
  if (!isNegativeLevel(real.level) || rect === undefined) return add;
  if (REACHED_RECTIFIED.has(rect.state)) add.rectified = 1;
  if (rect.returnVisit !== undefined) {
    add.returnVisited = 1;
    if (rect.returnVisit.satisfied) add.returnVisitSatisfied = 1;
  }
  if (rect.state === 'UNFIXABLE_APPROVED') add.unfixable = 1;
  if (rect.overdue.acknowledge !== undefined) add.overdueAcknowledge = 1;
  if (rect.overdue.rectify !== undefined) add.overdueRectify = 1;
  if (rect.overdue.acknowledge !== undefined || rect.overdue.rectify !== undefined) add.overdue = 1;
  return add;
}

/**
 * The reference: figures of every (dimension, key) with a case completed in `period`, from full state.
 * Reviews of cases not in `cases` (parked) are ignored. Sorted by dimension order, then key.
 */
export function computeFigures(
  cases: readonly Case[],
  reviews: readonly Review[],
  rectifications: readonly Rectification[],
  period: Period,
  calendar: Pick<WorkingCalendar, 'localDate'>,
): GroupFigures[] {
  const reviewsByCase = new Map<string, Review[]>();
  for (const r of reviews) {
    const list = reviewsByCase.get(r.caseId);
    if (list) list.push(r);
    else reviewsByCase.set(r.caseId, [r]);
  }
  const rectByCase = new Map(rectifications.map((r) => [r.caseId, r]));
  const rows = new Map<string, { dimension: Dimension; key: string; counters: Record<CounterName, number> }>();
  const seenCases = new Set<string>();
  for (const kase of cases) {
    if (seenCases.has(kase.caseId)) continue;
    seenCases.add(kase.caseId);
    const subject = subjectOf(kase, calendar);
    if (!inPeriod(subject, period)) continue;
    const add = caseCounters(kase, reviewsByCase.get(kase.caseId) ?? [], rectByCase.get(kase.caseId));
    for (const [dimension, key] of dimensionKeys(subject)) {
      const id = `${dimension}#${key}`;
      let row = rows.get(id);
      if (!row) {
        row = { dimension, key, counters: emptyCounters() };
        rows.set(id, row);
      }
      addCounters(row.counters, add);
    }
  }
  return sortGroups(
    [...rows.values()].map((row) => ({
      dimension: row.dimension,
      key: row.key,
      period,
      ...figuresFromCounters(row.counters),
    })),
  );
}

export function sortGroups<T extends { dimension: Dimension; key: string }>(groups: T[]): T[] {
  return groups.sort(
    (a, b) =>
      DIMENSIONS.indexOf(a.dimension) - DIMENSIONS.indexOf(b.dimension) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}
