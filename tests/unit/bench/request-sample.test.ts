/**
 * The bench's replay of a sample of the day's DynamoDB requests (bench/runtime/request-sample.ts): a uniform
 * sample of bounded size, and writes aimed at empty copies where each condition holds and no two meet; the
 * shapes what-if's puts without their index keys.
 */
import { intoCopies, RequestSample, withoutIndexKeys, type Copy } from '#bench/runtime/request-sample';

describe('the request sample', () => {
  it('keeps at most its cap of each kind, counts every request, and ignores kinds it does not replay', () => {
    const sample = new RequestSample(10);
    for (let i = 0; i < 1000; i++) sample.offer('Query', { i });
    for (let i = 0; i < 3; i++) sample.offer('TransactWriteItems', { i });
    sample.offer('DescribeTable', {});
    expect(sample.seen).toEqual({ Query: 1000, TransactWriteItems: 3 });
    expect(sample.kept.Query).toHaveLength(10);
    expect(sample.kept.TransactWriteItems).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    // Uniform over the day, not the first ten.
    expect((sample.kept.Query as Array<{ i: number }>).some((x) => x.i >= 500)).toBe(true);
  });

  it('keeps a copy: a later change to the input is not in the sample', () => {
    const sample = new RequestSample(2);
    const input = { TableName: 'a' };
    sample.offer('GetItem', input);
    input.TableName = 'b';
    expect(sample.kept.GetItem).toEqual([{ TableName: 'a' }]);
  });
});

describe('a write aimed at the copies', () => {
  const copies = new Map<string, Copy>([['civicflow-local-approvals', { name: 'civicflow-local-approvals-replay', hashKey: 'pk' }]]);

  it('renames the table, suffixes the partition key per request and makes a condition hold on an absent item', () => {
    const input = {
      TransactItems: [
        { Put: { TableName: 'civicflow-local-approvals', Item: { pk: { S: 'APP#1' }, sk: { S: 'V#000001' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
        {
          Put: {
            TableName: 'civicflow-local-approvals',
            Item: { pk: { S: 'APP#1' }, sk: { S: 'DECISION' } },
            ConditionExpression: '#seq = :previous',
            ExpressionAttributeNames: { '#seq': 'sequence' },
            ExpressionAttributeValues: { ':previous': { N: '1' } },
          },
        },
      ],
    };
    const out = intoCopies('TransactWriteItems', input, 7, copies) as any;
    expect(out.TransactItems[0].Put).toEqual({ TableName: 'civicflow-local-approvals-replay', Item: { pk: { S: 'APP#1#replay-TransactWriteItems-7' }, sk: { S: 'V#000001' } }, ConditionExpression: 'attribute_not_exists(pk)' });
    expect(out.TransactItems[1].Put.ConditionExpression).toBe('(#seq = :previous) OR attribute_not_exists(#replayKey)');
    expect(out.TransactItems[1].Put.ExpressionAttributeNames).toEqual({ '#seq': 'sequence', '#replayKey': 'pk' });
    expect(out.TransactItems[1].Put.Item.pk).toEqual({ S: 'APP#1#replay-TransactWriteItems-7' });
    // An update of the same index names another item than the transaction did.
    const update = { TableName: 'civicflow-local-approvals', Key: { pk: { S: 'APP#1' }, sk: { S: 'DECISION' } }, UpdateExpression: 'SET x = :x', ExpressionAttributeValues: { ':x': { N: '1' } } };
    expect((intoCopies('UpdateItem', update, 7, copies) as any).Key.pk).toEqual({ S: 'APP#1#replay-UpdateItem-7' });
    // The sample itself is untouched.
    expect(input.TransactItems[1]!.Put.ConditionExpression).toBe('#seq = :previous');
  });

  it('rewrites a PartiQL insert\'s table and the parameter that stands for the partition key', () => {
    const input = { Statements: [{ Statement: `INSERT INTO "civicflow-local-approvals" VALUE {'pk': ?, 'sk': ?}`, Parameters: [{ S: 'EVT#a#1' }, { S: 'EVENT' }] }] };
    const out = intoCopies('BatchExecuteStatement', input, 3, copies) as any;
    expect(out.Statements[0].Statement).toBe(`INSERT INTO "civicflow-local-approvals-replay" VALUE {'pk': ?, 'sk': ?}`);
    expect(out.Statements[0].Parameters).toEqual([{ S: 'EVT#a#1#replay-BatchExecuteStatement-3' }, { S: 'EVENT' }]);
  });
});

describe('a transaction without its index keys', () => {
  it('drops from each put the attributes its table\'s indexes are keyed by, and leaves updates and the input alone', () => {
    const copies = new Map<string, Copy>([
      ['civicflow-local-approvals', { name: 'civicflow-local-approvals-replay', hashKey: 'pk', indexKeys: ['duePk', 'dueAt', 'itemShard', 'itemKey'] }],
      ['civicflow-local-audit', { name: 'civicflow-local-audit-replay', hashKey: 'pk', indexKeys: [] }],
    ]);
    const decision = { pk: { S: 'APP#1' }, sk: { S: 'DECISION' }, outcome: { S: 'APPROVED' }, itemShard: { S: 'DECISION#6' }, itemKey: { S: 'GA-0212#1' }, duePk: { S: 'DUE#VERIFICATION' }, dueAt: { S: '2026-12-04T15:59:59.999Z' } };
    const audit = { pk: { S: 'AUDIT#application:1' }, sk: { S: '2026-11-06T04:00:16.791Z#decided' }, dueAt: { S: 'not an index key here' } };
    const update = { TableName: 'civicflow-local-approvals', Key: { pk: { S: 'APP#1' }, sk: { S: 'OUTBOX#V#000001' } }, UpdateExpression: 'SET duePk = :p', ExpressionAttributeValues: { ':p': { S: 'OUTBOX' } } };
    const input = { TransactItems: [{ Put: { TableName: 'civicflow-local-approvals', Item: decision } }, { Put: { TableName: 'civicflow-local-audit', Item: audit } }, { Update: update }] };
    const out = withoutIndexKeys(input, copies) as any;
    expect(out.TransactItems[0].Put.Item).toEqual({ pk: { S: 'APP#1' }, sk: { S: 'DECISION' }, outcome: { S: 'APPROVED' } });
    expect(out.TransactItems[1].Put.Item).toEqual(audit);
    expect(out.TransactItems[2].Update).toEqual(update);
    expect(input.TransactItems[0]!.Put!.Item).toHaveProperty('itemShard');
  });
});
