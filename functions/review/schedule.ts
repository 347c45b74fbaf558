/**
 * The review schedule (好差评, every 15 minutes): invitations for completed cases, the 3-day reminder,
 * the 7-day default 基本满意, and overdue flags of rectifications. It reads only the sparse due index
 * (`dueAt <= now`), so its cost follows what is due, not the size of the table. Re-running it changes
 * nothing: each action is recorded on the case and happens once. Also emits this month's figures per
 * department as metrics for the dashboard.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { nowIso } from '#platform/clock';
import { logger, metrics } from '#platform/powertools';
import { inPool } from '#platform/pool';
import { figuresFromCounters, type Figures } from '#review/figures';
import { runInvitations, runOverdue } from '#review/service';
import { stageCalendar } from '#platform/calendar';
import { dueCaseIds, DUE_INVITE, DUE_RECT, listCounters } from '#review/store';

export interface ScheduleSummary {
  readonly invited: number;
  readonly reminded: number;
  readonly defaulted: number;
  readonly overdue: number;
  readonly failed: number;
}

const CONCURRENCY = 8;

/** Runs `work` over `ids` with bounded concurrency; a failure of one id is logged and counted, not fatal. */
async function forEach(ids: readonly string[], work: (id: string) => Promise<void>): Promise<number> {
  let failed = 0;
  await inPool(ids, CONCURRENCY, async (id) => {
    try {
      await work(id);
    } catch (error) {
      failed++;
      logger.error('review schedule: case failed; it stays due and is retried next run', { caseId: id, error: error as Error });
    }
  });
  return failed;
}

const FIGURE_METRICS: ReadonlyArray<[string, (f: Figures) => number | null, (typeof MetricUnit)[keyof typeof MetricUnit]]> = [
  ['CompositeScore', (f) => f.compositeScore, MetricUnit.NoUnit],
  ['PositiveRate', (f) => f.positiveRate, MetricUnit.NoUnit],
  ['NegativeRate', (f) => f.negativeRate, MetricUnit.NoUnit],
  ['ActiveReviewRate', (f) => f.activeReviewRate, MetricUnit.NoUnit],
  ['Coverage', (f) => f.coverage, MetricUnit.NoUnit],
  ['RectificationRate', (f) => f.rectificationRate, MetricUnit.NoUnit],
  ['OverdueRectificationCases', (f) => f.overdue, MetricUnit.Count],
];

async function emitFigures(now: string): Promise<void> {
  const month = stageCalendar().localDate(now).slice(0, 7);
  const rows = await listCounters('department', { granularity: 'month', value: month });
  for (const row of rows) {
    const figures = figuresFromCounters(row.counters);
    const single = metrics.singleMetric();
    single.addDimension('Department', row.key);
    for (const [name, pick, unit] of FIGURE_METRICS) {
      const value = pick(figures);
      // A single-metric instance writes each value at once, with the Department dimension.
      if (value !== null) single.addMetric(name, unit, value);
    }
  }
}

export async function runReviewSchedule(now: string): Promise<ScheduleSummary> {
  let invited = 0;
  let reminded = 0;
  let defaulted = 0;
  let overdue = 0;
  const failedInvites = await forEach(await dueCaseIds(DUE_INVITE, now), async (caseId) => {
    for (const action of await runInvitations(caseId, now)) {
      if (action === 'invite') invited++;
      else if (action === 'remind') reminded++;
      else defaulted++;
    }
  });
  const failedRects = await forEach(await dueCaseIds(DUE_RECT, now), async (caseId) => {
    overdue += (await runOverdue(caseId, now)).length;
  });
  metrics.addMetric('ReviewInvitations', MetricUnit.Count, invited);
  metrics.addMetric('ReviewReminders', MetricUnit.Count, reminded);
  metrics.addMetric('DefaultReviews', MetricUnit.Count, defaulted);
  metrics.addMetric('OverdueRectifications', MetricUnit.Count, overdue);
  await emitFigures(now);
  const summary = { invited, reminded, defaulted, overdue, failed: failedInvites + failedRects };
  logger.info('review schedule', { ...summary, now });
  return summary;
}

export const handler = middy(async (): Promise<ScheduleSummary> => runReviewSchedule(nowIso()))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
