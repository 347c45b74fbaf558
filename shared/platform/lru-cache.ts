/**
 * What function bundles take in place of `mnemonist/lru-cache` (an esbuild alias in
 * `infra/constructs/civic-function.ts`).
 *
 * Every DynamoDB client builds an endpoint-discovery cache (`@aws-sdk/endpoint-cache`) on mnemonist's LRU
 * cache, whether or not discovery is ever on: bundled, mnemonist and the iterator helpers it pulls in were
 * ~7 KB of every function. This is the same least-recently-used cache on a `Map`, with the part of mnemonist's
 * API the endpoint cache calls (`get`, `set`, `has`, `peek`, `clear`, `size`): `get` and `set` make a key the
 * most recently used, `peek` and `has` do not, and a `set` of a new key on a full cache drops the least
 * recently used one. Tests, scripts and the local runtime run from source and keep mnemonist.
 */
export default class LRUCache<K, V> {
  readonly capacity: number;
  /** In order of use: the first key is the least recently used. */
  private readonly entries = new Map<K, V>();

  constructor(capacity: number) {
    if (typeof capacity !== 'number' || capacity <= 0) throw new Error('lru-cache: capacity should be positive number.');
    this.capacity = capacity;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  peek(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  set(key: K, value: V): void {
    if (this.entries.has(key)) this.entries.delete(key);
    else if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, value);
  }

  clear(): void {
    this.entries.clear();
  }
}
