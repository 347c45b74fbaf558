/**
 * BatchGetItem over any number of keys: 100 per call, and what DynamoDB leaves unprocessed (under
 * throttling) asked again with backoff; after 8 rounds it throws, so the caller's record is retried.
 * The counterpart of batch-write.ts. Items come back in no particular order.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from './aws';
import { StorageUnavailableError } from './unavailable';

type Key = Record<string, unknown>;
type Request = Record<string, { Keys: Key[]; ConsistentRead?: boolean }>;

const ROUNDS = 8;

export async function batchGetAll(
  table: string,
  keys: readonly Key[],
  options: { readonly consistent?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let request: Request | undefined = {
      [table]: { Keys: keys.slice(i, i + 100), ...(options.consistent ? { ConsistentRead: true } : {}) },
    };
    for (let round = 0; request?.[table]?.Keys.length; round++) {
      if (round >= ROUNDS) throw new StorageUnavailableError(`BatchGetItem on ${table} kept returning unprocessed keys`);
      if (round > 0) await new Promise((r) => setTimeout(r, Math.min(500, 20 * 2 ** round)));
      const page = await ddb.send(new BatchGetCommand({ RequestItems: request }));
      out.push(...((page.Responses?.[table] ?? []) as Record<string, unknown>[]));
      request = page.UnprocessedKeys as Request | undefined;
    }
  }
  return out;
}
