import { shardOfKey } from '#util/shard';

/** Enterprise profiles are spread over this many shards so a policy can be matched in parallel slices. */
export const ENTERPRISE_SHARDS = 64;

/** The shard of an enterprise: FNV-1a of its credit code. */
export function shardOf(creditCode: string): number {
  return shardOfKey(creditCode, ENTERPRISE_SHARDS);
}
