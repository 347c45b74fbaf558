/**
 * The monthly report's use case: build the report of a district's month unless it is stored
 * already, store it once, then count it and log it. The schedule asks for the previous month every day,
 * so the report appears on the 1st (or with the first run after an outage) and is never rebuilt over; an
 * operator may ask for another month (a backfill), still only if missing, and only a month that is over.
 *
 * No time box: a run is one report, read in full and then written in one create-only put, so there is
 * nothing to stop between. A run its timeout cuts short while reading has written nothing, and the next
 * run (or a rerun) builds the whole month again; one cut short after its put finds the report there and
 * answers `exists`. Stopping early would only throw the reads away. What the time left is for: a run that
 * ends with less than REPORT_TIME_WARNING_MS of it says so, before a growing month outgrows the timeout.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '#platform/powertools';
import type { TimeLeft } from '#platform/time-reserve';
import { buildMonthlyReport, MONTH_PATTERN, previousMonth } from './domain/build';
import type { ReportPorts } from './ports';

export interface MonthlyReportRequest {
  readonly now: string;
  readonly district: { readonly code: string; readonly name: string };
  readonly timeZone: string;
  /** "YYYY-MM"; the month before `now`'s local month when absent. */
  readonly month?: string;
  /** The time the run has left (ms), the function's; read once the report is stored, to warn of the timeout. */
  readonly timeLeftMs?: TimeLeft;
}

/** A run that ends with less time than this left (a fifth of the function's 300 s) warns `report.near-timeout`. */
export const REPORT_TIME_WARNING_MS = 60_000;

export interface MonthlyReportResult {
  readonly district: string;
  readonly month: string;
  readonly outcome: 'generated' | 'exists';
}

export async function runMonthlyReport(req: MonthlyReportRequest, ports: ReportPorts): Promise<MonthlyReportResult> {
  const { district, timeZone, now } = req;
  const month = req.month ?? previousMonth(now, timeZone);
  if (!MONTH_PATTERN.test(month)) throw new Error(`month must be YYYY-MM; got "${month}"`);
  // A report is stored once and never rebuilt over: one of a month not over yet would stand, half full, for good.
  const last = previousMonth(now, timeZone);
  if (month > last) throw new Error(`month ${month} is not over yet in ${timeZone}; the latest month with a report is ${last}`);
  if (await ports.reports.get(district.code, month)) return { district: district.code, month, outcome: 'exists' };
  const report = buildMonthlyReport(await ports.readInput({ district, month, timeZone, generatedAt: now }));
  const stored = await ports.reports.saveOnce(report);
  if (stored) {
    metrics.addMetric('MonthlyReportsGenerated', MetricUnit.Count, 1);
    logger.info('report.generated', {
      district: district.code,
      month,
      departments: report.departments.length,
      decisions: report.total.approval.decisions,
      policies: report.total.entitlement.policies,
      completedCases: report.total.review.completedCases,
    });
  }
  const remainingMs = req.timeLeftMs?.();
  if (remainingMs !== undefined && remainingMs < REPORT_TIME_WARNING_MS) {
    logger.warn('report.near-timeout', { district: district.code, month, remainingMs, warnBelowMs: REPORT_TIME_WARNING_MS });
  }
  return { district: district.code, month, outcome: stored ? 'generated' : 'exists' };
}
