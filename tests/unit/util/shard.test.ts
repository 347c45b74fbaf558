/**
 * One shard hash for every kind of sharded item. Items are stored under the shard they were given, so the
 * shard of a key must never change: the registry's enterprise shards and the time index's flip shards are
 * pinned to what their own copies of the hash gave before they shared this one.
 */
import { flipShardOf } from '#entitlement/domain/time-index';
import { shardOf } from '#registry/domain/shards';
import { shardOfKey } from '#util/shard';

describe('shardOfKey', () => {
  it('keeps the shards stored keys were given', () => {
    const keys = ['91440300MA5F000001', '91440300MA5F000002', '110101199003071234', '人社局-张三'];
    expect(keys.map(shardOf)).toEqual([44, 37, 56, 45]);
    expect(keys.map(flipShardOf)).toEqual([12, 5, 8, 13]);
  });

  it('spreads keys over every shard, each within range', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 800; i++) {
      const shard = shardOfKey(`SIM-${i}`, 8);
      expect(shard).toBeGreaterThanOrEqual(0);
      expect(shard).toBeLessThan(8);
      seen.add(shard);
    }
    expect(seen.size).toBe(8);
  });
});
