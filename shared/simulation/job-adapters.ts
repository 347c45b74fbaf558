/**
 * The deployed ports every simulation function shares (the slice queue, ids, log lines, metrics) and the
 * sweep's. Apart from adapters.ts, whose slice ports read approval's decisions, entitlement's policies and the
 * registry's profiles, and from start-adapters.ts, which reads the registry's shard count: the sweep's build
 * reads none of them.
 */
import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { nowIso } from '#platform/clock';
import { logger, metrics } from '#platform/powertools';
import { sendInternal } from '#platform/queues';
import type { SimulationPorts } from './ports';
import type { SweepPorts } from './service/sweep';
import { simulationStore } from './store';

export const sendSlices: SimulationPorts['sendSlices'] = (events) => sendInternal(events);
export const newId = (): string => `sim-${randomUUID()}`;
export const info: SimulationPorts['info'] = (message, fields) => logger.info(message, fields);
// Written by the function's logMetrics when it returns or fails (the API's also before its timeout).
export const count: SimulationPorts['count'] = (metric, value) => metrics.addMetric(metric, MetricUnit.Count, value);

/** The sweep's ports: the pending jobs and the slice queue (no replay, no matching). */
export const simulationSweepPorts: SweepPorts = {
  store: simulationStore,
  sendSlices,
  now: nowIso,
  info,
  warn: (message, fields) => logger.warn(message, fields),
  error: (message, fields) => logger.error(message, fields),
};
