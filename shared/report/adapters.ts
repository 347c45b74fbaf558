/** The report's ports as deployed: the reports table (store.ts) and the other capabilities' data (sources.ts). */
import type { ReportPorts } from './ports';
import { readReportInput } from './sources';
import { reportStore } from './store';

export const reportPorts: ReportPorts = { reports: reportStore, readInput: readReportInput };
