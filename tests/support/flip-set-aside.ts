/**
 * One contract for the time index's set-aside (setAsideFlips), run against both stores: the DynamoDB store on
 * DynamoDB Local (tests/adapter/entitlement-store.test.ts) and the in-memory store unit tests use
 * (tests/unit/entitlement/flip-set-aside.test.ts). An item that does not read as an entry is moved only while
 * it is still the one read: with a `writeId`, while it holds that `writeId` (nothing else is compared); without
 * one, while it still has none and each entry field is as read. So a unit test on memory passes or fails where
 * DynamoDB would do the same.
 */
import type { FlipEntry } from '#entitlement/domain/index';
import { bucketOf, flipShardOf } from '#entitlement/domain/index';
import type { EntitlementStore } from '#entitlement/ports';

/** What the contract needs of a store and of the table beneath it. */
export interface FlipTable {
  readonly store: Pick<EntitlementStore, 'putFlips' | 'queryFlips' | 'setAsideFlips'>;
  /** Puts an item as a hand or another writer would: every attribute as given, `pk` and `sk` included. */
  putRaw(item: Record<string, unknown>): Promise<void>;
  /** The item under these keys, or undefined. */
  get(pk: string, sk: string): Promise<Record<string, unknown> | undefined>;
  /** The copy set aside of the item that was under these keys (its `item`), or undefined. */
  setAside(pk: string, sk: string): Promise<Record<string, unknown> | undefined>;
}

/** An unreadable item (no `atMs`) of a pair at `at`, with its keys. */
function unreadableItem(subjectId: string, at: string): { item: Record<string, unknown>; entry: FlipEntry } {
  const atMs = Date.parse(at);
  const entry: FlipEntry = { policyId: 'P-FLIP-CASE', policyVersion: 1, subjectId, at, atMs, bucket: bucketOf(atMs), shard: flipShardOf(subjectId) };
  const { atMs: _atMs, ...noAtMs } = entry;
  const item = { pk: `FLIP#${entry.bucket}#${String(entry.shard).padStart(2, '0')}`, sk: `${at}#P-FLIP-CASE#${subjectId}`, ...noAtMs };
  return { item, entry };
}

interface SetAsideCase {
  readonly name: string;
  /** Attributes the item is stored with besides an entry's (a `writeId`, say). */
  readonly stamp: Record<string, unknown>;
  /** What happens between the read and the move; nothing when absent. */
  readonly between?: (t: FlipTable, item: Record<string, unknown>, entry: FlipEntry) => Promise<void>;
  readonly moved: boolean;
}

export const SET_ASIDE_CASES: readonly SetAsideCase[] = [
  { name: 'with a writeId, unchanged: moved', stamp: { writeId: 'w-hand' }, moved: true },
  { name: 'without a writeId, unchanged: moved', stamp: {}, moved: true },
  { name: 'with a NULL writeId, unchanged: moved', stamp: { writeId: null }, moved: true },
  {
    name: 'without a writeId, an entry field NULL and a cause, unchanged: moved',
    stamp: { shard: null, cause: { source: '/systems/policy', id: 'evt-1', type: 'gov.policy.published' } },
    moved: true,
  },
  {
    name: 'with a writeId, an attribute no entry has changed by hand: moved (only the writeId is compared)',
    stamp: { writeId: 'w-hand', note: 'before' },
    between: (t, item) => t.putRaw({ ...item, note: 'after' }),
    moved: true,
  },
  {
    name: 'with a writeId, an entry field changed by hand and the writeId kept: moved (only the writeId is compared)',
    stamp: { writeId: 'w-hand' },
    between: (t, item) => t.putRaw({ ...item, policyVersion: 2 }),
    moved: true,
  },
  {
    name: 'without a writeId, an attribute no entry has changed by hand: moved (entry fields only are compared)',
    stamp: { note: 'before' },
    between: (t, item) => t.putRaw({ ...item, note: 'after' }),
    moved: true,
  },
  {
    name: 'with a writeId, filed again by the writer (a fresh writeId): left',
    stamp: { writeId: 'w-hand' },
    between: (t, _item, entry) => t.store.putFlips([entry], entry.bucket),
    moved: false,
  },
  {
    name: 'without a writeId, filed again by the writer: left',
    stamp: {},
    between: (t, _item, entry) => t.store.putFlips([entry], entry.bucket),
    moved: false,
  },
  {
    name: 'without a writeId, written whole by a writer that sets none: left',
    stamp: {},
    between: (t, item, entry) => t.putRaw({ pk: item.pk, sk: item.sk, ...entry }),
    moved: false,
  },
  {
    name: 'without a writeId, an entry field changed by hand: left',
    stamp: {},
    between: (t, item) => t.putRaw({ ...item, policyVersion: 2 }),
    moved: false,
  },
  {
    name: 'without a writeId, given one by hand, entry fields as read: left',
    stamp: {},
    between: (t, item) => t.putRaw({ ...item, writeId: 'w-new' }),
    moved: false,
  },
  {
    name: 'with a NULL writeId, given a writeId since: left',
    stamp: { writeId: null },
    between: (t, item) => t.putRaw({ ...item, writeId: 'w-new' }),
    moved: false,
  },
  {
    name: 'with a writeId, given another by hand: left',
    stamp: { writeId: 'w-hand' },
    between: (t, item) => t.putRaw({ ...item, writeId: 'w-other' }),
    moved: false,
  },
];

/**
 * Runs one case on `t`: the item stored, read (it does not read as an entry), changed or not, then set aside.
 * `subjectId` and `at` give it keys of its own (a DynamoDB Local table is shared by a file's tests).
 */
export async function runSetAsideCase(t: FlipTable, c: SetAsideCase, subjectId: string, at: string): Promise<void> {
  const { item: bare, entry } = unreadableItem(subjectId, at);
  const item = { ...bare, ...c.stamp };
  const { pk, sk } = item as { pk: string; sk: string };
  await t.putRaw(item);
  const read = (await t.store.queryFlips(entry.bucket, entry.shard)).unreadable.filter((u) => u.sk === sk);
  expect(read).toHaveLength(1);
  await c.between?.(t, item, entry);
  const now = await t.get(pk, sk);

  const left = await t.store.setAsideFlips(read, '2025-11-01T00:00:00.000Z');
  if (c.moved) {
    expect(left).toEqual([]);
    expect(await t.get(pk, sk)).toBeUndefined();
    // The copy is the item as read, whatever it became in between.
    expect(await t.setAside(pk, sk)).toEqual(item);
  } else {
    expect(left.map((u) => u.sk)).toEqual([sk]);
    expect(await t.get(pk, sk)).toEqual(now);
    expect(await t.setAside(pk, sk)).toBeUndefined();
  }
}
