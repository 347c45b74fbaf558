/**
 * The ingest's public module: what other areas may read of the events accepted at the edge (the query
 * routes show an event as it was recorded).
 */
export { getAcceptedEvent } from './store';
export type { AcceptedEvent } from './domain/types';
