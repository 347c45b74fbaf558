import { stageCalendar } from '#platform/calendar';
import { nowIso } from '#platform/clock';
import { json, problem } from '#platform/http';
import {
  ALL_KEY,
  allowedActions,
  DIMENSIONS,
  figuresFromCounters,
  getCounters,
  LEVEL_LABELS,
  LEVEL_POINTS,
  listCounters,
  loadCase,
  rankDepartments,
  dynamoSyncStore,
  SYNC_STATES,
  syncPeriodRange,
  syncRecordsPage,
  upwardFigures,
  type SyncPageKey,
  type SyncState,
  type Dimension,
  type GroupFigures,
  type Period,
  type Rejection,
  type Review,
} from '#review';
import { mayReadSource, seesEverySource } from './events';
import { CURSOR_NOT_OURS, cursorOf, pageKeyIn } from './page-key';
import type { QueryRoutes } from './router';

/** The most records a page of a list holds (as on the product's other paged routes). */
const MAX_PAGE = 100;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DAY = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

function isRealDay(value: string): boolean {
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** "YYYY-MM" (a month) or "YYYY-MM-DD" (a day) in the bureau's time zone; undefined when malformed. */
export function parsePeriod(value: string): Period | undefined {
  if (MONTH.test(value)) return { granularity: 'month', value };
  if (DAY.test(value) && isRealDay(value)) return { granularity: 'day', value };
  return undefined;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The key a sync-records cursor holds, or why it is not one this route returned for `state` (and `period`). A
 * cursor is a page's last key (`pk`, `sk`, `syncState`, `syncAt`) as base64url JSON (page-key.ts): one made by
 * hand, altered, or returned for another state or outside the period is refused here, naming it.
 */
export function syncRecordsCursor(cursor: string, state: SyncState, period: string | undefined): SyncPageKey | string {
  const key = pageKeyIn(cursor, ['pk', 'sk', 'syncState', 'syncAt']);
  if (typeof key === 'string') return key;
  const notOurs = CURSOR_NOT_OURS;
  const { pk, sk, syncState, syncAt } = key;
  if (syncState !== `SYNC#${state}`) return `${notOurs} for state ${state}`;
  // A record's key: SYNC#<recordId>, RECORD; its index key: <instant, UTC>#<recordId>.
  const recordId = pk.startsWith('SYNC#') ? pk.slice('SYNC#'.length) : '';
  const at = syncAt.slice(0, syncAt.length - recordId.length - 1);
  if (recordId === '' || sk !== 'RECORD' || syncAt !== `${at}#${recordId}` || !ISO_INSTANT.test(at) || Number.isNaN(Date.parse(at))) {
    return `${notOurs} (not a page's key)`;
  }
  if (period !== undefined) {
    const range = syncPeriodRange(period);
    if (syncAt < range.from || syncAt > range.to) return `${notOurs} with period ${period}`;
  }
  return { pk, sk, syncState, syncAt };
}

/** A refusal as the routes list it: with the source that posted it, `null` when the record predates keeping it. */
export type SourcedRejection = Omit<Rejection, 'source'> & { readonly source: string | null };

/**
 * The refusals of one kind on a case that `principal` may read, each with the system that posted it: a source
 * sees those it posted itself; a reader that is no source (an auditor) sees every one. A refusal recorded
 * before its record kept its source shows `source: null`, to those readers only: whose it was is unknown, so
 * no source may be assumed entitled to it.
 */
function refusalsFor(principal: string, rejections: readonly Rejection[], kind: Rejection['kind']): SourcedRejection[] {
  return rejections
    .filter((r) => r.kind === kind)
    .filter((r) => (r.source === undefined ? seesEverySource(principal) : mayReadSource(principal, r.source)))
    .map((r) => ({ ...r, source: r.source ?? null }));
}

/**
 * The refused rectification steps of a case that `principal` may read (`refusalsFor`): a department's system
 * does not read the 12345 hotline's notes and staff ids, nor the other way round.
 */
export function refusedStepsFor(principal: string, rejections: readonly Rejection[]): SourcedRejection[] {
  return refusalsFor(principal, rejections, 'step');
}

/**
 * The refused reviews of a case that `principal` may read (`refusalsFor`): a review channel does not read the
 * reviewIds, channels and levels of reviews another channel's system sent.
 */
export function refusedReviewsFor(principal: string, rejections: readonly Rejection[]): SourcedRejection[] {
  return refusalsFor(principal, rejections, 'review');
}

/**
 * The reviews kept for a case not known yet that `principal` may read, by the rule of the refusals: a source
 * sees the reviews it sent itself, a reader that is no source (an auditor) every one. Until its case arrives
 * a parked review is the sending system's event, not yet the case's review.
 */
export function parkedReviewsFor(principal: string, parked: readonly Review[]): Review[] {
  return parked.filter((r) => (r.event === undefined ? seesEverySource(principal) : mayReadSource(principal, r.event.source)));
}

const LEVELS = { 5: LEVEL_LABELS[5], 4: LEVEL_LABELS[4], 3: LEVEL_LABELS[3], 2: LEVEL_LABELS[2], 1: LEVEL_LABELS[1] };

export const reviewRoutes: QueryRoutes = {
  /**
   * Review figures of one group (`key`) or of every group of a dimension (no `key`) in a day or month.
   * Counts by level, 好评率, 差评率, composite score, 主动评价率, 未评率, coverage, 差评整改率, 回访率,
   * 整改满意率 and overdue count; ratios are null when their denominator is zero.
   */
  'GET /reviews/figures': async ({ query }) => {
    const dimension = (query.dimension ?? 'all') as Dimension;
    if (!(DIMENSIONS as readonly string[]).includes(dimension)) {
      return problem(400, `dimension must be one of ${DIMENSIONS.join(', ')}; got "${query.dimension}"`);
    }
    if (query.period === undefined) return problem(400, 'period is required: YYYY-MM for a month or YYYY-MM-DD for a day');
    const period = parsePeriod(query.period);
    if (!period) return problem(400, `period must be YYYY-MM (a month) or YYYY-MM-DD (a day); got "${query.period}"`);
    if (query.key !== undefined && query.key.trim() === '') return problem(400, 'key must not be empty');
    if (dimension === 'all' && query.key !== undefined && query.key !== ALL_KEY) {
      return problem(400, `key must be "${ALL_KEY}" (or absent) when dimension is all; got "${query.key}"`);
    }
    const key = dimension === 'all' ? ALL_KEY : query.key;
    if (key !== undefined) {
      const counters = await getCounters(dimension, key, period);
      return json(200, { dimension, key, period, levels: LEVELS, points: LEVEL_POINTS, figures: figuresFromCounters(counters) });
    }
    const rows = await listCounters(dimension, period);
    return json(200, {
      dimension,
      period,
      levels: LEVELS,
      points: LEVEL_POINTS,
      groups: rows.map((row) => ({ key: row.key, figures: figuresFromCounters(row.counters) })),
    });
  },

  /** The monthly ranking of departments by composite score (departments without a real review are not ranked). */
  'GET /reviews/ranking': async ({ query }) => {
    if (query.month === undefined) return problem(400, 'month is required: YYYY-MM');
    if (!MONTH.test(query.month)) return problem(400, `month must be YYYY-MM; got "${query.month}"`);
    const period: Period = { granularity: 'month', value: query.month };
    const rows = await listCounters('department', period);
    const groups: GroupFigures[] = rows.map((row) => ({
      dimension: 'department',
      key: row.key,
      period,
      ...figuresFromCounters(row.counters),
    }));
    const unranked = groups.filter((g) => g.realReviews === 0).map((g) => g.key);
    return json(200, { month: query.month, ranking: rankDepartments(groups, query.month), unranked });
  },

  /**
   * The upward sync's figures for the records whose review or step happened in a day or month (sync lag
   * p50/p99, records by state, rejections by reason) and, over all time, the oldest record still on its way
   * and the oldest not acknowledged.
   */
  'GET /reviews/sync/figures': async ({ query }) => {
    if (query.period === undefined) return problem(400, 'period is required: YYYY-MM for a month or YYYY-MM-DD for a day');
    if (!parsePeriod(query.period)) return problem(400, `period must be YYYY-MM (a month) or YYYY-MM-DD (a day); got "${query.period}"`);
    const figures = await upwardFigures({ store: dynamoSyncStore, calendar: stageCalendar() }, query.period, nowIso());
    return json(200, { period: query.period, ...figures });
  },

  /**
   * The upward-sync records in one state (oldest first), optionally only those of a day or month: what to
   * re-push. Paged: `limit` records (default 50, at most 100), and a `cursor` for the next page while there is one.
   */
  'GET /reviews/sync/records': async ({ query }) => {
    const state = query.state as SyncState | undefined;
    if (state === undefined || !(SYNC_STATES as readonly string[]).includes(state)) {
      return problem(400, `state must be one of ${SYNC_STATES.join(', ')}; got ${JSON.stringify(query.state ?? null)}`);
    }
    const period = query.period;
    if (period !== undefined && !parsePeriod(period)) return problem(400, `period must be YYYY-MM or YYYY-MM-DD; got "${period}"`);
    const limitText = query.limit ?? '50';
    if (!/^\d{1,3}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_PAGE) {
      return problem(400, `query parameter "limit" must be a whole number from 1 to ${MAX_PAGE}`);
    }
    const start = query.cursor === undefined ? undefined : syncRecordsCursor(query.cursor, state, period);
    if (typeof start === 'string') return problem(400, start);
    const calendar = stageCalendar();
    const page = await syncRecordsPage(state, {
      limit: Number(limitText),
      ...(period !== undefined
        ? { range: syncPeriodRange(period), keep: (r: { readonly sourceEventAt: string }) => calendar.localDate(r.sourceEventAt).startsWith(period) }
        : {}),
      ...(start !== undefined ? { start } : {}),
    });
    return json(200, {
      state,
      count: page.records.length,
      records: page.records.map(({ payload: _payload, ...r }) => r),
      ...(page.next ? { cursor: cursorOf(page.next) } : {}),
    });
  },

  /**
   * A case open for review: its record, its review (real or default), and of the parked reviews, refused
   * reviews and refused steps those the reader may see (`parkedReviewsFor`, `refusedReviewsFor`, `refusedStepsFor`).
   */
  'GET /cases/{caseId}': async ({ params, principal }) => {
    const caseId = params.caseId ?? '';
    const bundle = await loadCase(caseId);
    const state = bundle.record?.state;
    const parked = parkedReviewsFor(principal, bundle.record?.parked ?? []);
    const rejections = refusedReviewsFor(principal, bundle.rejections);
    const refusedSteps = refusedStepsFor(principal, bundle.rejections);
    // Nothing but another source's reviews and refusals: as unknown to this reader as a case never heard of.
    if (!state && parked.length === 0 && rejections.length === 0 && refusedSteps.length === 0) return problem(404, `no case ${caseId} is known to the review service`);
    const review = state?.review;
    return json(200, {
      caseId,
      status: state ? 'completed' : 'awaiting-case',
      case: state?.case ?? null,
      subject: state?.subject ?? null,
      invitationSentAt: state?.invitationSentAt ?? null,
      reminderSentAt: state?.reminderSentAt ?? null,
      defaultedAt: state?.defaultedAt ?? null,
      invalidated: state?.invalidated ?? false,
      reviews: {
        real: review && !review.defaulted ? review : null,
        default: review?.defaulted ? review : null,
      },
      parked,
      rejections,
      refusedSteps,
      rectification: bundle.rectification
        ? { state: bundle.rectification.state, href: `/rectifications/${encodeURIComponent(caseId)}` }
        : null,
      version: bundle.record?.version ?? 0,
    });
  },

  /**
   * A rectification case: state, deadlines, extensions, return visit, overdue flags, full history (every
   * applied step, whoever posted it) and the refused steps the reader may see (`refusedStepsFor`).
   */
  'GET /rectifications/{caseId}': async ({ params, principal }) => {
    const caseId = params.caseId ?? '';
    const bundle = await loadCase(caseId);
    const rect = bundle.rectification;
    if (!rect) return problem(404, `case ${caseId} has no rectification (no 差评 recorded for it)`);
    return json(200, {
      ...rect,
      allowedActions: allowedActions(rect.state),
      refused: refusedStepsFor(principal, bundle.rejections),
    });
  },
};
