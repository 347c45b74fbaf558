/**
 * 免申即享 publish-time matching: one message = one slice of one registry shard; the shards are
 * matched in parallel (as many slices at once as the function's concurrency allows). Parses, then calls
 * runMatchSlice (shared/entitlement/service/matching.ts).
 */
import { matchSliceSchema } from '#contract/internal-schemas';
import { carriedBy, sqsConsumer } from '#platform/consumer';
import { matchPorts } from '#entitlement/adapters';
import { runMatchSlice } from '#entitlement/service/matching';

const parse = carriedBy('match', { 'civicflow.policy.match-slice': matchSliceSchema });

export const handler = sqsConsumer(async (event) => runMatchSlice(matchPorts, event.data), { parse });
