/**
 * A job's slice events, one per shard: what starting a job and the sweep both queue. Apart from both, so the
 * sweep's build takes neither the start's shard counts (approval's) nor anything else of theirs.
 */
import { simulationSliceEvent } from '#contract/internal';
import type { SimulationJob } from '../ports';

export function sliceEvents(job: Pick<SimulationJob, 'simulationId' | 'slices' | 'createdAt'>) {
  return Array.from({ length: job.slices }, (_, shard) => simulationSliceEvent({ simulationId: job.simulationId, shard }, job.createdAt));
}
