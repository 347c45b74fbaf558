/**
 * Runs `fn` over `items` with at most `limit` calls in flight, and returns the results in the order of
 * `items`. The first failure rejects the whole run (calls already started still finish on their own); a
 * caller that must go on past a failed item catches inside `fn`.
 *
 * Bounded, not `Promise.all(items.map(fn))`: DynamoDB Local serves requests largely one at a time and a
 * Lambda has a few hundred sockets, so an unbounded fan-out over a large page only queues requests.
 */
export async function inPool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}
