/**
 * 免申即享 publish-time matching (SPEC §5): one message = one slice of one registry shard; 64 shards are
 * matched in parallel (as many slices at once as the function's concurrency allows). Thin: the use case is
 * runMatchSlice in shared/entitlement/service.ts.
 */
import { sqsConsumer } from '#platform/consumer';
import { runMatchSlice } from '#entitlement/service';
import { SLICE_TYPE, type SliceData } from '#entitlement/store';

export const handler = sqsConsumer(async (event) => {
  if (event.type !== SLICE_TYPE) throw new Error(`match cannot handle event type ${event.type}`);
  await runMatchSlice(event.data as unknown as SliceData);
});
