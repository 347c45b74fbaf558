/**
 * Group writes (shared/platform/transactions.ts) against DynamoDB Local: one change the store refuses
 * outright (an item over DynamoDB's 400 KB) fails alone. Before, it failed the whole transaction and so
 * every change of its batch: a valid application that happened to share an SQS batch with an oversized one
 * was retried with it until both reached the dead-letter queue, never decided.
 */
import { randomBytes } from 'node:crypto';
import { useTestDynamo } from '#support/dynamo';

const db = useTestDynamo();
let tx: typeof import('#platform/transactions');
let resources: typeof import('#platform/resources');
beforeAll(async () => {
  tx = await import('#platform/transactions');
  resources = await import('#platform/resources');
});

const put = (pk: string, extra: Record<string, unknown> = {}) => [{ Put: { TableName: resources.tableName('events'), Item: { pk, sk: 'EVENT', ...extra } } }];
// Random bytes do not compress: 450 KB is over the item limit however it is stored.
const oversized = (pk: string) => put(pk, { blob: randomBytes(450 * 1024).toString('base64') });

describe('writeChanges', () => {
  it('fails only the change DynamoDB refuses; the others of its transaction are written', async () => {
    const results = await tx.writeChanges([put('TX#ok-1'), oversized('TX#big'), put('TX#ok-2')]);
    expect(results).toEqual(['committed', 'failed', 'committed']);
    expect(await db().get('events', { pk: 'TX#ok-1', sk: 'EVENT' })).toBeDefined();
    expect(await db().get('events', { pk: 'TX#ok-2', sk: 'EVENT' })).toBeDefined();
    expect(await db().get('events', { pk: 'TX#big', sk: 'EVENT' })).toBeUndefined();
  });

  it('still reports a failed condition as a conflict of its own change, and writes the rest', async () => {
    await tx.writeChanges([put('TX#exists')]);
    const guarded = [{ Put: { TableName: resources.tableName('events'), Item: { pk: 'TX#exists', sk: 'EVENT' }, ConditionExpression: 'attribute_not_exists(pk)' } }];
    expect(await tx.writeChanges([guarded, put('TX#ok-3')])).toEqual(['conflict', 'committed']);
    expect(await db().get('events', { pk: 'TX#ok-3', sk: 'EVENT' })).toBeDefined();
  });
});
