/**
 * The read side of 沙盘推演, for the query route: the stored job and slices, shown as a view. No queue, and
 * not the service (service.ts), whose replay and matching would put approval and entitlement in its build.
 */
import { simulationStore } from './store';
import { viewOf, type SimulationView } from './view';

/** The simulation as shown at `now` (a job queued and not moving for long is `stalled`). */
export async function readSimulation(simulationId: string, now: string): Promise<SimulationView | undefined> {
  const stored = await simulationStore.load(simulationId);
  return stored === undefined ? undefined : viewOf(stored, now);
}
