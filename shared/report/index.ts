/**
 * The report's public module: the stored monthly report of a district (what the query route serves) and
 * its shape. Rendering it for people is ./render.ts (the `npm run report` command's).
 */
export { getReport } from './store';
export { MONTH_PATTERN, REPORT_KIND, REPORT_VERSION, type MonthlyReport, type DepartmentReport, type PolicyRow } from './domain/build';
// 缺数清单: the data-gap ledger of a period.
export { readGapLedger } from './gap-sources';
export { GAP_CAUSES, GAP_RANKINGS, UNOWNED, type GapLedger, type GapRanking, type GapRow } from './domain/gaps';
export { gapPeriodOf, type GapPeriod } from './domain/gap-inputs';
