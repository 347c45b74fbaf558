/**
 * The time index (docs/decisions/time-index.md): entries of pairs (or whole policies) that time alone will
 * turn eligible, filed under `FLIP#<bucket>#<shard>` with sort key `<at>#<policyId>#<subjectId>`, and the
 * schedule's cursor (`FLIP-CURSOR` / `CURSOR`: the last bucket it finished). An item of a bucket that does
 * not read as an entry (readFlipEntry) is set aside under `FLIP-UNREADABLE` / `<its pk>#<its sk>`: `item`
 * (its attributes as stored, numbers to the digit), `problem` and `setAsideAt`. Keys and items only.
 *
 * Each entry item carries `writeId`, a fresh id on every put: the set-aside deletes an item only while it is the
 * one read, and compares that one attribute rather than every attribute the item holds (a condition of one
 * comparison per attribute outgrew DynamoDB's 4 KB expression limit at a few hundred attributes).
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, ddbNumbersAsText } from '#platform/aws';
import { batchWriteAll } from '#platform/batch-write';
import { withExactNumbers } from '#platform/numbers';
import { queryAll } from '#platform/paging';
import { FLIP_ENTRY_FIELDS, inOneNotation, readFlipEntry, type FlipEntry, type Instant } from '../domain';
import type { FlipShard, UnreadableFlip } from '../ports';
import { table } from './keys';
import { transact } from './transact';

const flipPk = (bucket: string, shard: number) => `FLIP#${bucket}#${String(shard).padStart(2, '0')}`;
const flipSk = (e: Pick<FlipEntry, 'at' | 'policyId' | 'subjectId'>) => `${e.at}#${e.policyId}#${e.subjectId ?? ''}`;
const CURSOR_KEY = { pk: 'FLIP-CURSOR', sk: 'CURSOR' };
const UNREADABLE_PK = 'FLIP-UNREADABLE';

/**
 * The attribute every put of an entry sets to a fresh id: a write since a read shows as a `writeId` not the
 * one read. An id, not a counter: a put replaces the whole item, so a counter would start again at the value
 * read.
 */
const WRITE_ID = 'writeId';

/**
 * The stored item of an entry, written with `writeId` and its `at` in the one notation (inOneNotation: one
 * instant, one sort key) — what putFlips writes; the bench sizes it.
 */
export const flipItem = (entry: FlipEntry, writeId: string): Record<string, unknown> => {
  const e = inOneNotation(entry);
  return { pk: flipPk(e.bucket, e.shard), sk: flipSk(e), ...e, [WRITE_ID]: writeId };
};

/**
 * Files entries, and sets the schedule's cursor when there is none (initFlipCursor). Idempotent: the same
 * pair and instant is the same key, whatever notation its `at` came in (inOneNotation), so a redelivery
 * rewrites it.
 */
export async function fileFlipEntries(entries: readonly FlipEntry[], cursorIfNone: string): Promise<void> {
  if (entries.length === 0) return;
  await putFlips(entries);
  await initFlipCursor(cursorIfNone);
}

async function putFlips(entries: readonly FlipEntry[]): Promise<void> {
  const unique = new Map(entries.map(inOneNotation).map((e) => [`${flipPk(e.bucket, e.shard)}|${flipSk(e)}`, e]));
  await batchWriteAll(
    table(),
    [...unique.values()].map((e) => ({ PutRequest: { Item: flipItem(e, randomUUID()) } })),
  );
}

/**
 * Every entry of one shard of a bucket, in instant order, each item checked (readFlipEntry) rather than cast:
 * one that does not read as an entry, or whose sort key is not its own, is returned apart, to be set aside.
 * Its numbers are read as text (ddbNumbersAsText) and checked as numbers only where a number holds them
 * exactly: with the default reading, one number no JavaScript number holds (12345678901234567890.5) made the
 * whole Query throw before any item was checked, so every run failed at that bucket and every flip after it
 * waited. Such an item now reads as one with a field of the wrong type, and is set aside with its digits.
 * Read strongly consistent: the run that finishes a bucket reads it once after its span has passed, and an
 * entry filed just before that a lagging replica had not seen would be behind the cursor, never read.
 */
export async function queryFlips(bucket: string, shard: number): Promise<FlipShard> {
  const items = await queryAll(
    { TableName: table(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': flipPk(bucket, shard) }, ConsistentRead: true },
    ddbNumbersAsText(),
  );
  const entries: FlipEntry[] = [];
  const unreadable: UnreadableFlip[] = [];
  for (const item of items) {
    const pk = String(item.pk);
    const sk = String(item.sk);
    const read = readFlipEntry(withExactNumbers(item), bucket, shard);
    // The key checked too: the schedule deletes an entry by the key its fields make.
    if (read.ok && flipSk(read.entry) === sk) entries.push(read.entry);
    else unreadable.push({ pk, sk, problem: read.ok ? 'its sort key is not <at>#<policyId>#<subjectId>' : read.problem, item });
  }
  return { entries, unreadable };
}

/**
 * Moves each unreadable item under `FLIP-UNREADABLE` in one transaction (the copy put, the original
 * deleted), so it is never lost nor read again by the schedule. A second run moving it again rewrites the
 * same copy. The delete holds only while the item is still the one read (unchangedSince): an entry filed
 * under the same key since the read (a redelivered event's, a fixed item put back) is not deleted under a
 * copy of the old one. Such an item is left where it is and returned, for the next run to read again.
 */
export async function setAsideFlips(items: readonly UnreadableFlip[], now: Instant): Promise<UnreadableFlip[]> {
  const changed: UnreadableFlip[] = [];
  for (const u of items) {
    const out = await transact([
      { Put: { TableName: table(), Item: { pk: UNREADABLE_PK, sk: `${u.pk}#${u.sk}`, item: u.item, problem: u.problem, setAsideAt: now } } },
      { Delete: { TableName: table(), Key: { pk: u.pk, sk: u.sk }, ...unchangedSince(u.item) } },
    ]);
    if (!out.ok) changed.push(u);
  }
  return changed;
}

/**
 * A condition, an expression of a few hundred bytes whatever the item holds, that the stored item is still `item` as read.
 *
 * With a `writeId` (every put since the attribute exists sets a fresh one): that `writeId`, still there.
 *
 * Without one (an item put before, or by hand): still without one, so put by no writer since the read; and
 * each entry field as read (equal, a NULL by its type, absent where it was absent). The fields cover a put by
 * a writer that does not set `writeId` (a function not yet updated during a deployment): it writes a whole,
 * valid entry, and an item that did not read as one differs from any such entry in an entry field (the field
 * at fault, or the one its sort key does not match). Attributes no entry has are not compared: a change to
 * them alone (by hand) is set aside with the copy as read.
 */
function unchangedSince(item: Readonly<Record<string, unknown>>) {
  const writeId = item[WRITE_ID];
  if (writeId !== undefined) {
    // A NULL (put by hand: no writer sets one) compared by its type, as entry fields are below.
    const [clause, value] = writeId === null ? ['attribute_type(#w, :w)', 'NULL'] : ['#w = :w', writeId];
    return { ConditionExpression: clause, ExpressionAttributeNames: { '#w': WRITE_ID }, ExpressionAttributeValues: { ':w': value } };
  }
  const names: Record<string, string> = { '#pk': 'pk', '#w': WRITE_ID };
  const values: Record<string, unknown> = {};
  const clauses = ['attribute_exists(#pk)', 'attribute_not_exists(#w)'];
  FLIP_ENTRY_FIELDS.forEach((name, i) => {
    names[`#a${i}`] = name;
    const value = item[name];
    if (value === undefined) {
      clauses.push(`attribute_not_exists(#a${i})`);
    } else if (value === null) {
      values[`:a${i}`] = 'NULL';
      clauses.push(`attribute_type(#a${i}, :a${i})`);
    } else {
      values[`:a${i}`] = value;
      clauses.push(`#a${i} = :a${i}`);
    }
  });
  return {
    ConditionExpression: clauses.join(' AND '),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}

/** Removes entries whose re-evaluation was queued. */
export async function deleteFlips(entries: readonly FlipEntry[]): Promise<void> {
  await batchWriteAll(table(), entries.map((e) => ({ DeleteRequest: { Key: { pk: flipPk(e.bucket, e.shard), sk: flipSk(e) } } })));
}

/** The last bucket the schedule finished, or undefined before its first run. */
export async function getFlipCursor(): Promise<string | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: CURSOR_KEY }));
  return out.Item?.bucket as string | undefined;
}

/**
 * Sets the cursor to `bucket` when there is none yet, so entries filed before the schedule's first run are
 * not skipped by it (that run would otherwise start at the bucket before its own).
 */
export const initFlipCursor = (bucket: string): Promise<void> => setCursor(bucket, 'attribute_not_exists(#b)');

/** Moves the cursor forward only (a slower, concurrent run never moves it back). */
export const advanceFlipCursor = (bucket: string): Promise<void> => setCursor(bucket, 'attribute_not_exists(#b) OR #b < :b');

/** Sets the cursor when `condition` holds; otherwise leaves it as it is. */
async function setCursor(bucket: string, condition: string): Promise<void> {
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: table(),
        Key: CURSOR_KEY,
        UpdateExpression: 'SET #b = :b',
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#b': 'bucket' },
        ExpressionAttributeValues: { ':b': bucket },
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
  }
}
