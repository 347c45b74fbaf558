/** Enterprise profiles are spread over this many shards so a policy can be matched in parallel slices. */
export const ENTERPRISE_SHARDS = 64;

/** The shard of an enterprise: FNV-1a of its credit code. */
export function shardOf(creditCode: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < creditCode.length; i++) {
    h ^= creditCode.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % ENTERPRISE_SHARDS;
}
