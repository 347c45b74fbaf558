/** What the monthly report's use case (service.ts) needs: its own table, and what the report is built from. */
import type { MonthlyReport, ReportInput } from './domain/build';

/** The district, month and time the report is for; the sources add the capabilities' data. */
export type ReportScope = Pick<ReportInput, 'district' | 'month' | 'timeZone' | 'generatedAt'>;

export interface ReportPorts {
  readonly reports: {
    /** The stored report of a district's month, if any. */
    get(district: string, month: string): Promise<MonthlyReport | undefined>;
    /** Stores a report once; false when the month's report was already there (it is kept as it was). */
    saveOnce(report: MonthlyReport): Promise<boolean>;
  };
  /** Everything the report of a month is built from: the decisions, the policies with their figures, the review counters. */
  readonly readInput: (scope: ReportScope) => Promise<ReportInput>;
}
