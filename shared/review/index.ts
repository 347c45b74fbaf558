/**
 * The review capability's public module (好差评): what other capabilities and the edges (the query routes,
 * the monthly report) may use — the domain's types and pure functions, the figures and the monthly
 * ranking, and the readers of the `reviews` table.
 */
export * from './domain/types';
export * from './domain/reviews';
export * from './domain/invitations';
export * from './domain/transitions';
export * from './domain/rectification';
export * from './domain/figures';
// Tied departments share a rank (1, 1, 3): the one ranking the query route and the monthly report use.
export { rankDepartments, type RankableFigures, type RankingEntry } from './domain/ranking';
export { getCounters, listCounters, loadCase } from './store';
export type { CaseBundle, CaseRecord, FigureRow, Rejection } from './ports';
// Upward sync (issue #19): the figures and the records of a state, for the query routes.
export { upwardFigures, broadRange as syncPeriodRange } from './sync';
export type { SyncFigures, OldestRecord } from './domain/upward/sync-figures';
export { dynamoSyncStore, syncRecordsPage, type SyncPageKey } from './store/sync';
export { SYNC_STATES, MAPPING_REJECTION, INVALID_REJECTION, type SyncRecord, type SyncState } from './domain/upward/sync';
