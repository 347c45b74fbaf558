/** The read side of 沙盘推演, for the query route: the stored job and slices, shown as a view. No queue. */
import { viewOf, type SimulationView } from './service';
import { simulationStore } from './store';

export async function readSimulation(simulationId: string): Promise<SimulationView | undefined> {
  const stored = await simulationStore.load(simulationId);
  return stored === undefined ? undefined : viewOf(stored);
}
