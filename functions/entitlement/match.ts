/**
 * 免申即享 publish-time matching (SPEC §5): one message = one slice of one registry shard; 64 shards are
 * matched in parallel (as many slices at once as the function's concurrency allows). Thin: the use case is
 * runMatchSlice in shared/entitlement/service.ts.
 */
import { matchSliceSchema } from '#contract/internal-schemas';
import { carriedBy, sqsConsumer } from '#platform/consumer';
import { runMatchSlice } from '#entitlement/service';

const parse = carriedBy('match', { 'civicflow.policy.match-slice': matchSliceSchema });

export const handler = sqsConsumer(async (event) => runMatchSlice(event.data), { parse });
