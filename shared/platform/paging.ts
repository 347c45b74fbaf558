import { ExecuteStatementCommand, QueryCommand, ScanCommand, type DynamoDBDocumentClient, type QueryCommandInput, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { ddb } from './aws';

type Item = Record<string, any>;

/** Every item a Query returns, following LastEvaluatedKey page by page (through `client`: aws.ts). */
export async function queryAll(input: Omit<QueryCommandInput, 'ExclusiveStartKey'>, client: DynamoDBDocumentClient = ddb): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every item a Scan returns, page by page. */
export async function scanAll(input: Omit<ScanCommandInput, 'ExclusiveStartKey'>): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(new ScanCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * Two sort-key strings in DynamoDB's order, which compares their UTF-8 bytes (JavaScript's `<` compares UTF-16
 * code units, and the two differ past U+FFFF): to put a SELECT's items back in the order a Query returns.
 */
export const compareSortKeys = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** DynamoDB's limit on the values of `IN` on a partition key in a PartiQL SELECT. */
export const SELECT_IN_KEYS = 50;

/**
 * Every item of the partitions of `table` (or of its index `index`) whose partition key `keyName` is one of
 * `keys`: a PartiQL SELECT with `IN` per 50 distinct keys, each followed by NextToken (DynamoDB returns such a
 * SELECT 10 items a page), the SELECTs side by side. Eventually consistent reads unless `consistent` (a
 * table's only: an index has no other kind). Items come back in no particular order. One request where a
 * Query per key would be many (the caller needs `dynamodb:PartiQLSelect` on the table or index).
 */
export async function selectPartitionsIn(
  table: string,
  index: string | undefined,
  keyName: string,
  keys: readonly string[],
  options: { readonly consistent?: boolean } = {},
): Promise<Item[]> {
  const distinct = [...new Set(keys)];
  const from = index === undefined ? `"${table}"` : `"${table}"."${index}"`;
  const chunks: string[][] = [];
  for (let i = 0; i < distinct.length; i += SELECT_IN_KEYS) chunks.push(distinct.slice(i, i + SELECT_IN_KEYS));
  const pages = await Promise.all(
    chunks.map(async (chunk) => {
      const items: Item[] = [];
      const Statement = `SELECT * FROM ${from} WHERE "${keyName}" IN [${chunk.map(() => '?').join(', ')}]`;
      let next: string | undefined;
      do {
        const page = await ddb.send(
          new ExecuteStatementCommand({ Statement, Parameters: chunk, ...(options.consistent ? { ConsistentRead: true } : {}), ...(next !== undefined ? { NextToken: next } : {}) }),
        );
        items.push(...(page.Items ?? []));
        next = page.NextToken;
      } while (next !== undefined);
      return items;
    }),
  );
  return pages.flat();
}
