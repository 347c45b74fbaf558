/**
 * The in-memory store's set-aside of a time-index item that does not read as an entry, held to the same
 * contract as the DynamoDB store's (tests/support/flip-set-aside.ts; the same cases run on DynamoDB Local in
 * tests/adapter/entitlement-store.test.ts): no stricter, no looser, so a unit test on memory passes or fails
 * where DynamoDB would do the same.
 */
import { SET_ASIDE_CASES, runSetAsideCase, type FlipTable } from '#support/flip-set-aside';
import { MemoryEntitlementStore, type StoredFlip } from '#support/memory/entitlement';

/** The memory store and its maps as the contract's table: `FLIP#<bucket>#<nn>` is the map `<bucket>#<n>`. */
function memoryTable(): FlipTable {
  const store = new MemoryEntitlementStore();
  const partOf = (pk: string) => {
    const [, bucket, shard] = /^FLIP#(.+)#(\d\d)$/.exec(pk)!;
    return `${bucket}#${Number(shard)}`;
  };
  return {
    store,
    async putRaw(item) {
      const { pk, sk, ...rest } = item as { pk: string; sk: string };
      const part = partOf(pk);
      if (!store.flips.has(part)) store.flips.set(part, new Map());
      store.flips.get(part)!.set(sk, rest as unknown as StoredFlip);
    },
    async get(pk, sk) {
      const stored = store.flips.get(partOf(pk))?.get(sk);
      return stored === undefined ? undefined : { pk, sk, ...stored };
    },
    async setAside(pk, sk) {
      return store.unreadableFlips.get(`${pk}#${sk}`)?.item;
    },
  };
}

describe('the memory store sets a time-index item aside as the DynamoDB store does', () => {
  it.each(SET_ASIDE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await runSetAsideCase(memoryTable(), c, '91440300MA5FCASE01', '2025-11-01T16:00:00.000Z');
  });
});
