/**
 * The monthly report's use case: build the report of a district's month unless it is stored
 * already, store it once, then count it and log it. The schedule asks for the previous month every day,
 * so the report appears on the 1st (or with the first run after an outage) and is never rebuilt over; an
 * operator may ask for another month (a backfill), still only if missing, and only a month that is over.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '#platform/powertools';
import { buildMonthlyReport, MONTH_PATTERN, previousMonth } from './domain/build';
import type { ReportPorts } from './ports';

export interface MonthlyReportRequest {
  readonly now: string;
  readonly district: { readonly code: string; readonly name: string };
  readonly timeZone: string;
  /** "YYYY-MM"; the month before `now`'s local month when absent. */
  readonly month?: string;
}

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
  return { district: district.code, month, outcome: stored ? 'generated' : 'exists' };
}
