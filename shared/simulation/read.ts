/** The read side of 沙盘推演, for the query route: the stored job and slices, shown as a view. No queue. */
import { viewOf, type SimulationView } from './service';
import { simulationStore } from './store';

/** The simulation as shown at `now` (a job queued and not moving for long is `stalled`). */
export async function readSimulation(simulationId: string, now: string): Promise<SimulationView | undefined> {
  const stored = await simulationStore.load(simulationId);
  return stored === undefined ? undefined : viewOf(stored, now);
}
