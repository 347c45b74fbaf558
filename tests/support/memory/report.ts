/**
 * The report's ports in memory, for unit tests of its use case (shared/report/service.ts): stored reports by
 * district and month, create-only as the reports table keeps them, and a fixed input for every month asked.
 */
import type { MonthlyReport, ReportInput } from '#report/domain/build';
import type { ReportPorts, ReportScope } from '#report/ports';

export function memoryReports(input: (scope: ReportScope) => ReportInput) {
  const stored = new Map<string, MonthlyReport>();
  const reads: ReportScope[] = [];
  const ports: ReportPorts = {
    reports: {
      async get(district, month) {
        return stored.get(`${district}|${month}`);
      },
      async saveOnce(report) {
        const key = `${report.district.code}|${report.month}`;
        if (stored.has(key)) return false;
        stored.set(key, report);
        return true;
      },
    },
    async readInput(scope) {
      reads.push(scope);
      return input(scope);
    },
  };
  return { ports, stored, reads };
}
