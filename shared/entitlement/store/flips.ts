/**
 * The time index (docs/decisions/time-index.md): entries of pairs (or whole policies) that time alone will
 * turn eligible, filed under `FLIP#<bucket>#<shard>` with sort key `<at>#<policyId>#<subjectId>`, and the
 * schedule's cursor (`FLIP-CURSOR` / `CURSOR`: the last bucket it finished). Keys and items only.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '#platform/aws';
import { batchWriteAll } from '#platform/batch-write';
import { queryAll } from '#platform/paging';
import type { FlipEntry } from '../domain';
import { table } from './keys';

const flipPk = (bucket: string, shard: number) => `FLIP#${bucket}#${String(shard).padStart(2, '0')}`;
const flipSk = (e: Pick<FlipEntry, 'at' | 'policyId' | 'subjectId'>) => `${e.at}#${e.policyId}#${e.subjectId ?? ''}`;
const CURSOR_KEY = { pk: 'FLIP-CURSOR', sk: 'CURSOR' };

/** The stored item of an entry (what putFlips writes; the bench sizes it). */
export const flipItem = (e: FlipEntry): Record<string, unknown> => ({ pk: flipPk(e.bucket, e.shard), sk: flipSk(e), ...e });

/**
 * Files entries, and sets the schedule's cursor when there is none (initFlipCursor). Idempotent: the same
 * pair and instant is the same key, so a redelivery rewrites it.
 */
export async function fileFlipEntries(entries: readonly FlipEntry[], cursorIfNone: string): Promise<void> {
  if (entries.length === 0) return;
  await putFlips(entries);
  await initFlipCursor(cursorIfNone);
}

async function putFlips(entries: readonly FlipEntry[]): Promise<void> {
  const unique = new Map(entries.map((e) => [`${flipPk(e.bucket, e.shard)}|${flipSk(e)}`, e]));
  await batchWriteAll(
    table(),
    [...unique.values()].map((e) => ({ PutRequest: { Item: flipItem(e) } })),
  );
}

/** Every entry of one shard of a bucket, in instant order. */
export async function queryFlips(bucket: string, shard: number): Promise<FlipEntry[]> {
  const items = await queryAll({ TableName: table(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': flipPk(bucket, shard) } });
  return items.map(({ pk: _pk, sk: _sk, ...e }) => e as unknown as FlipEntry);
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
