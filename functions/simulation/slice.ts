/**
 * 沙盘推演 worker: one message = one approvals shard of a simulation, replayed against its draft.
 * The shards run in parallel (as many at once as the function's concurrency allows). Parses, then calls
 * runSlice (shared/simulation/service.ts).
 */
import { simulationSliceSchema } from '#contract/internal-schemas';
import { carriedBy, sqsConsumer } from '#platform/consumer';
import { simulationService } from '#simulation/adapters';

const parse = carriedBy('simulation', { 'civicflow.simulation.slice': simulationSliceSchema });

export const handler = sqsConsumer(async (event) => simulationService().runSlice(event.data), { parse });
