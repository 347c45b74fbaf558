/**
 * A stable shard of a key in [0, shards): FNV-1a of its UTF-16 code units. For spreading one kind of item
 * over a fixed number of partition keys, so no one key takes every write; the same key always lands in the
 * same shard, whatever the process.
 */
export function shardOfKey(key: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % shards;
}
