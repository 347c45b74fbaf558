/**
 * BatchWriteItem over any number of requests: 25 per call, and what DynamoDB leaves unprocessed (under
 * throttling) asked again with backoff; after 8 rounds it throws, so the caller's record is retried.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from './aws';
import { StorageUnavailableError } from './unavailable';

export type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

export async function batchWriteAll(table: string, all: readonly WriteRequest[]): Promise<void> {
  for (let i = 0; i < all.length; i += 25) {
    let requests = all.slice(i, i + 25);
    for (let attempt = 1; requests.length > 0; attempt++) {
      const out = await ddb.send(new BatchWriteCommand({ RequestItems: { [table]: [...requests] } }));
      requests = (out.UnprocessedItems?.[table] ?? []) as WriteRequest[];
      if (requests.length > 0) {
        if (attempt >= 8) throw new StorageUnavailableError(`${table}: ${requests.length} batch writes left unprocessed`);
        await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      }
    }
  }
}
