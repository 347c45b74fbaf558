/**
 * The API's deployed ports: storing a job and queueing its slices (see job-adapters.ts). Apart from
 * adapters.ts, whose slice ports read approval's decisions and entitlement's policies: the API's build reads of
 * the other capabilities only the shard counts a job is sliced by, from their lean modules (`#registry/lean`,
 * `#approval/lean`).
 */
import { ENTERPRISE_SHARDS } from '#registry/lean';
import { nowIso } from '#platform/clock';
import { count, info, newId, sendSlices } from './job-adapters';
import type { StartPorts } from './service/start';
import { simulationStore } from './store';

/** The API's ports: starting a job only (no replay, no matching; see service/start.ts `StartPorts`). */
export const simulationStartPorts: StartPorts = { store: simulationStore, policies: { slices: ENTERPRISE_SHARDS }, sendSlices, now: nowIso, newId, info, count };
