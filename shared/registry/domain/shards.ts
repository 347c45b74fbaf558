import { shardOfKey } from '#util/shard';
import { ENTERPRISE_SHARDS } from '../lean';

// The shard count is in the lean public module, which other capabilities read without the store.
export { ENTERPRISE_SHARDS };

/** The shard of an enterprise: FNV-1a of its credit code. */
export function shardOf(creditCode: string): number {
  return shardOfKey(creditCode, ENTERPRISE_SHARDS);
}
