/** The deployed ports of 沙盘推演: its table, approval's bulk read, the slice queue, the stage calendar. */
import { randomUUID } from 'node:crypto';
import { replayableDecisions } from '#approval';
import { stageCalendar } from '#platform/calendar';
import { nowIso } from '#platform/clock';
import { logger } from '#platform/powertools';
import { sendInternal } from '#platform/queues';
import type { SimulationPorts } from './ports';
import { createSimulationService, type SimulationService } from './service';
import { simulationStore } from './store';

export const simulationPorts: SimulationPorts = {
  store: simulationStore,
  decisions: replayableDecisions,
  sendSlices: (events) => sendInternal(events),
  calendar: stageCalendar,
  now: nowIso,
  newId: () => `sim-${randomUUID()}`,
  info: (message, fields) => logger.info(message, fields),
};

let service: SimulationService | undefined;
export function simulationService(): SimulationService {
  service ??= createSimulationService(simulationPorts);
  return service;
}
