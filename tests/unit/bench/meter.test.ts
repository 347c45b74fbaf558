/**
 * The cost bench's write units for transactions and batch writes (bench/runtime/meter.ts), computed per
 * item because DynamoDB Local reports one item's units per table for a whole transaction.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { countItems, itemBytes, Meter, meterDynamo, writeUnitsByTable, type ItemsWritten } from '#bench/runtime/meter';

/** All tables' write units of one call (undefined when the meter leaves the call to what DynamoDB reports). */
const computedWriteUnits = (name: string, input: unknown) => {
  const byTable = writeUnitsByTable(name, input);
  return byTable && [...byTable.values()].reduce((a, b) => a + b, 0);
};

const small = { pk: { S: 'CASE#C1' }, sk: { S: 'STATE' }, version: { N: '3' } };
const big = { pk: { S: 'APP#A1' }, sk: { S: 'V#000001' }, trace: { S: 'x'.repeat(1500) } };

describe('bench write units', () => {
  it('sizes an item as DynamoDB does: names plus values', () => {
    expect(itemBytes(small)).toBe('pk'.length + 'CASE#C1'.length + 'sk'.length + 'STATE'.length + 'version'.length + 2);
    expect(itemBytes(big)).toBeGreaterThan(1500);
  });

  it('bills every item of a transaction twice per KB, and updates at least 1 KB', () => {
    const units = computedWriteUnits('TransactWriteItems', {
      TransactItems: [{ Put: { Item: small } }, { Put: { Item: big } }, { Update: { Key: { pk: { S: 'FIG#d' }, sk: { S: 'k' } } } }],
    });
    expect(units).toBe(2 * 1 + 2 * 2 + 2 * 1);
  });

  it('bills batch writes once per KB per item, and leaves other calls to what DynamoDB reports', () => {
    expect(computedWriteUnits('BatchWriteItem', { RequestItems: { t: [{ PutRequest: { Item: big } }, { DeleteRequest: { Key: small } }] } })).toBe(2 + 1);
    expect(computedWriteUnits('PutItem', { Item: small })).toBeUndefined();
  });

  it('adds a put\'s index writes (once per KB per index, not doubled) and splits the units by table', () => {
    const decision = { pk: { S: 'APP#A1' }, sk: { S: 'DECISION' }, itemShard: { S: 'DECISION#3' }, itemKey: { S: 'QX-0001#A1' } };
    const byTable = writeUnitsByTable('TransactWriteItems', {
      TransactItems: [
        { Put: { TableName: 'civicflow-local-approvals', Item: decision } },
        { Put: { TableName: 'civicflow-local-approvals', Item: small } },
        { Put: { TableName: 'civicflow-local-audit', Item: small } },
        { Update: { TableName: 'civicflow-local-approvals', Key: decision } },
      ],
    });
    expect(Object.fromEntries(byTable!)).toEqual({ approvals: 2 + 1 + 2 + 2, audit: 2 });
    expect(writeUnitsByTable('GetItem', {})).toBeUndefined();
  });
});

describe('bench items written', () => {
  it('counts the items of each write request by how they are written, and no reads or condition checks', () => {
    const into: ItemsWritten = { transaction: 0, batch: 0, single: 0 };
    countItems(into, 'TransactWriteItems', { TransactItems: [{ Put: { Item: small } }, { Update: { Key: small } }, { ConditionCheck: { Key: small } }] });
    countItems(into, 'BatchWriteItem', { RequestItems: { a: [{ PutRequest: { Item: big } }], b: [{ DeleteRequest: { Key: small } }, { PutRequest: { Item: small } }] } });
    countItems(into, 'BatchExecuteStatement', { Statements: [{ Statement: 'INSERT INTO "t" VALUE {\'pk\': ?}' }, { Statement: 'SELECT * FROM "t"' }] });
    countItems(into, 'PutItem', {});
    countItems(into, 'UpdateItem', {});
    countItems(into, 'Query', {});
    countItems(into, 'BatchGetItem', {});
    expect(into).toEqual({ transaction: 2, batch: 4, single: 2 });
  });
});

describe('the meter on a document client', () => {
  it('sizes the items DynamoDB receives (marshalled), not the plain values a handler passed', async () => {
    const client = new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
    const meter = new Meter();
    const seen: unknown[] = [];
    meter.onDynamoRequest = (_, input) => seen.push(structuredClone(input));
    meterDynamo(client, meter);
    // Answers every request without the network, after the meter has seen it.
    client.middlewareStack.add(() => async () => ({ output: { $metadata: {} }, response: {} }), { step: 'finalizeRequest', name: 'testAnswer' });
    const doc = DynamoDBDocumentClient.from(client);
    await doc.send(new TransactWriteCommand({
      TransactItems: [{ Put: { TableName: 'civicflow-local-approvals', Item: { pk: 'APP#A1', sk: 'V#000001', trace: 'x'.repeat(1500) } } }],
    }));
    // 1.5 KB: 2 KB billed, twice inside a transaction. Sized from plain strings it would have been 1 KB.
    expect(meter.wcu).toBe(4);
    expect(meter.itemsWritten.transaction).toBe(1);
    expect(meter.ddbRequests).toEqual({ TransactWriteItems: 1 });
    expect((seen[0] as any).TransactItems[0].Put.Item.trace).toEqual({ S: 'x'.repeat(1500) });
    expect((seen[0] as any).ReturnConsumedCapacity).toBe('TOTAL');
  });
});

describe('the meter\'s write units inside transactions', () => {
  it('keeps apart, by table, the units written inside transactions from those written in batches', () => {
    const meter = new Meter();
    const audit = { pk: { S: 'AUDIT#application:A1' }, sk: { S: '2026-11-06#decided#e1' } };
    meter.countDynamo('TransactWriteItems', { TransactItems: [{ Put: { TableName: 'civicflow-local-audit', Item: audit } }, { Put: { TableName: 'civicflow-local-approvals', Item: small } }] }, {});
    meter.countDynamo('BatchWriteItem', { RequestItems: { 'civicflow-local-audit': [{ PutRequest: { Item: audit } }] } }, {});
    expect(meter.wcuByTable).toEqual({ audit: 2 + 1, approvals: 2 });
    expect(meter.snapshot().wcuInTransactionsByTable).toEqual({ audit: 2, approvals: 2 });
    meter.reset();
    expect(meter.snapshot().wcuInTransactionsByTable).toEqual({});
  });
});

describe('the meter on a PartiQL SELECT of many partitions', () => {
  it("bills each key's partition as its Query would, which DynamoDB Local does not report", () => {
    const meter = new Meter();
    const licence = (holder: string, bytes: number) => ({ pk: { S: `LIC#${holder}` }, gsi1pk: { S: `HOLDER#${holder}` }, licence: { S: 'x'.repeat(bytes) } });
    const input = { Statement: 'SELECT * FROM "civicflow-local-registry"."gsi1" WHERE "gsi1pk" IN [?, ?, ?]', Parameters: [{ S: 'HOLDER#a' }, { S: 'HOLDER#b' }, { S: 'HOLDER#c' }] };
    // a: two licences of 3 KB (6 KB: 1 unit); b: one small (half a unit); c: none (half a unit, as an empty Query).
    meter.countDynamo('ExecuteStatement', input, { Items: [licence('a', 3000), licence('b', 200), licence('a', 3000)] });
    expect(meter.rcu).toBe(2);
    expect(meter.wcu).toBe(0);
    expect(meter.ddbRequests).toEqual({ ExecuteStatement: 1 });
    // A reported figure is taken as it is.
    meter.countDynamo('ExecuteStatement', input, { Items: [], ConsumedCapacity: { TableName: 'civicflow-local-registry', ReadCapacityUnits: 1.5 } });
    expect(meter.rcu).toBe(3.5);
  });

  it('bills a strongly consistent SELECT a whole unit per 4 KB of each partition, as a consistent Query', () => {
    const meter = new Meter();
    const item = (kase: string, sk: string, bytes: number) => ({ pk: { S: `CASE#${kase}` }, sk: { S: sk }, body: { S: 'x'.repeat(bytes) } });
    const input = { Statement: 'SELECT * FROM "civicflow-local-reviews" WHERE "pk" IN [?, ?]', Parameters: [{ S: 'CASE#a' }, { S: 'CASE#b' }], ConsistentRead: true };
    // a: 5 KB in two items (2 units); b: nothing (1 unit).
    meter.countDynamo('ExecuteStatement', input, { Items: [item('a', 'STATE', 3000), item('a', 'RECT', 2000)] });
    expect(meter.rcu).toBe(3);
  });
});
