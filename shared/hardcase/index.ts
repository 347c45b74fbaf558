/**
 * The hard-case capability's public module (办不成事): what other areas may import. The query routes read
 * cases and figures through it; the functions build the service from it.
 */
export * from './domain';
export { createHardCaseService, NotReportedYet, OUT_OF_ORDER_RECEIVES, StepOutOfOrder, type ForEach, type HardCaseService, type Outcome, type ScheduleSummary } from './service';
export type { HardCasePorts, HardCaseStore, RefusedEvent, StoredCase, Watch } from './ports';
export { toDecided, toNewCase, toUpdate, type DecidedApplication } from './inbound';
export { loadCase as readHardCase, casesOfMonth as hardCasesOfMonth } from './store';
export { readHardCaseFigures } from './reads';
export { stageHardCaseConfig, stageHardCaseService } from './adapters';
