/**
 * The modules function bundles take in place of the SDK's (BUNDLE_ALIASES in infra/constructs/civic-function.ts):
 * the LRU cache behaves as mnemonist's, which it replaces under DynamoDB's endpoint-discovery cache, and the
 * event-stream stand-in fails with a message naming the alias. (tests/infra/bundling.test.ts checks the
 * bundles carry them, and runs one against a local DynamoDB and SQS.)
 */
import fc from 'fast-check';
import MnemonistLRU from 'mnemonist/lru-cache';
import LRUCache from '#platform/lru-cache';
import { EventStreamSerde, eventStreamSerdeProvider } from '#platform/no-event-streams';

type Op = { op: 'get' | 'peek' | 'has'; key: string } | { op: 'set'; key: string; value: number } | { op: 'clear' };

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'peek' as const, 'has' as const), key }), weight: 10 },
  { arbitrary: fc.record({ op: fc.constant('set' as const), key, value: fc.integer() }), weight: 10 },
  { arbitrary: fc.constant({ op: 'clear' as const }), weight: 1 },
);

describe('lru-cache (in place of mnemonist/lru-cache)', () => {
  it('answers every sequence of calls as mnemonist does, evicting the least recently used key', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 60, size: 'max' }), (capacity, ops) => {
        const ours = new LRUCache<string, number>(capacity);
        const theirs = new MnemonistLRU<string, number>(capacity);
        for (const o of ops) {
          const [a, b] =
            o.op === 'set' ? [ours.set(o.key, o.value), theirs.set(o.key, o.value)] : o.op === 'clear' ? [ours.clear(), theirs.clear()] : [ours[o.op](o.key), theirs[o.op](o.key)];
          expect(a).toEqual(b);
          expect(ours.size).toBe(theirs.size);
        }
        for (const k of ['a', 'b', 'c', 'd', 'e', 'f']) expect([k, ours.peek(k)]).toEqual([k, theirs.peek(k)]);
      }),
    );
  });

  it('drops the least recently used key when full: a get makes a key recent, a peek does not', () => {
    const cache = new LRUCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.peek('a')).toBe(1);
    cache.set('c', 3);
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([false, true, true]);
    expect(cache.get('b')).toBe(2);
    cache.set('d', 4);
    expect([cache.has('b'), cache.has('c'), cache.has('d')]).toEqual([true, false, true]);
  });

  it('refuses a capacity that is not a positive number, as mnemonist does', () => {
    expect(() => new LRUCache(0)).toThrow('capacity should be positive number');
  });
});

describe('no-event-streams (in place of @smithy/core/event-streams)', () => {
  it('fails at once, naming the alias to remove, should a function ever call an event-stream operation', () => {
    expect(() => new EventStreamSerde()).toThrow(/left out of function bundles \(BUNDLE_ALIASES\)/);
    expect(() => eventStreamSerdeProvider()).toThrow(/left out of function bundles \(BUNDLE_ALIASES\)/);
  });
});
