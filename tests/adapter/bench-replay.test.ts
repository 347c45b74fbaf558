/**
 * The bench's replays (bench/runtime/request-sample.ts) against DynamoDB Local: a sample of the day's
 * transactions replayed into empty copies, conditions holding, the day's tables untouched; the what-if
 * that writes their audit lines apart, by BatchWriteItem, with streams on the other tables read to their
 * end; and the shapes what-if that replays them without index keys, without indexes, with the probe's items
 * and in the probe's shape. Every copy is deleted afterwards.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { replayAuditByCdc, replaySample, replayTransactionShapes, RequestSample } from '#bench/runtime/request-sample';
import { useTestDynamo } from '#support/dynamo';

const dynamo = useTestDynamo();
const S = (s: string) => ({ S: s });

/** A transaction as the approval consumer sends one (marshalled): a state item, its audit line, its receipt. */
function transaction(n: number) {
  return {
    TransactItems: [
      { Put: { TableName: dynamo().tables.approvals, Item: { pk: S(`APP#T-${n}`), sk: S('DECISION'), outcome: S('APPROVED') }, ConditionExpression: 'attribute_not_exists(pk) OR outcome = :o', ExpressionAttributeValues: { ':o': S('MANUAL_REVIEW') } } },
      { Put: { TableName: dynamo().tables.audit, Item: { pk: S(`AUDIT#application:T-${n}`), sk: S(`2026-11-06T03:00:00.000Z#decided#e-${n}`), actor: S('approval') }, ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { TableName: dynamo().tables.receipts, Item: { pk: S(`RECEIPT#/systems/test#e-${n}`), sk: S('RECEIPT'), outcome: S('applied') }, ConditionExpression: 'attribute_not_exists(pk)' } },
    ],
  };
}

/** CPU is not what these tests check: a meter that never moves. */
const noCpu = () => ({ node: 0, standIns: 0 });

async function tableNames(): Promise<string[]> {
  const client = new DynamoDBClient({ endpoint: dynamo().endpoint });
  try {
    return (await client.send(new ListTablesCommand({}))).TableNames ?? [];
  } finally {
    client.destroy();
  }
}

describe('the replay of a sample of the day', () => {
  it('writes each sampled transaction into copies, conditions holding, and leaves the day\'s tables as they were', async () => {
    const sample = new RequestSample();
    for (let n = 0; n < 3; n++) sample.offer('TransactWriteItems', transaction(n));
    const costs = await replaySample(sample, dynamo().endpoint, noCpu);
    expect(costs.find((k) => k.kind === 'TransactWriteItems')).toMatchObject({ requests: 3, replayed: 3, failed: 0, itemsPerRequest: 3 });
    expect(await dynamo().partition('audit', 'AUDIT#application:T-1')).toEqual([]);
    expect(await dynamo().partition('approvals', 'APP#T-1')).toEqual([]);
    expect((await tableNames()).filter((t) => t.includes('-replay'))).toEqual([]);
  });
});

describe('the what-if: audit lines written apart by a change-data-capture consumer', () => {
  it('replays the transactions without their audit lines, writes those by BatchWriteItem and reads every stream record', async () => {
    const sample = new RequestSample();
    for (let n = 10; n < 14; n++) sample.offer('TransactWriteItems', transaction(n));
    const whatIf = await replayAuditByCdc(sample, dynamo().endpoint, noCpu);
    expect(whatIf).toMatchObject({ transactions: 4, rounds: 4, auditItemsPerTransaction: 1, failed: 0 });
    // The approvals and receipts puts of each transaction, each a stream record; the audit table has no stream.
    expect(whatIf!.streamRecordsPerTransaction).toBe(2);
    expect((await tableNames()).filter((t) => t.includes('-replay'))).toEqual([]);
  });

  it('has nothing to say of transactions without audit lines', async () => {
    const sample = new RequestSample();
    const { TransactItems } = transaction(20);
    sample.offer('TransactWriteItems', { TransactItems: [TransactItems[0], TransactItems[2]] });
    expect(await replayAuditByCdc(sample, dynamo().endpoint, noCpu)).toBeUndefined();
  });
});

describe('the shapes what-if: why a transaction item of the day costs more than the probe\'s', () => {
  /**
   * `n`-th transaction of ten state changes (30 items): a round of two is 60 probe items, more than one probe
   * transaction. Each state item carries the approvals table's byDue keys, so the copies with indexes get entries
   * and the step without index keys has keys to drop.
   */
  const large = (n: number) => ({
    TransactItems: Array.from({ length: 10 }, (_, k) => transaction(100 * n + k).TransactItems)
      .flat()
      .map((t) => (t.Put.TableName === dynamo().tables.approvals ? { Put: { ...t.Put, Item: { ...t.Put.Item, duePk: S('DUE#VERIFICATION'), dueAt: S('2026-12-04T15:59:59.999Z') } } } : t)),
  });

  it('replays every transaction five ways, each step\'s writes all taken, and drops its tables', async () => {
    const sample = new RequestSample();
    for (let n = 30; n < 42; n++) sample.offer('TransactWriteItems', large(n));
    // A meter that moves one CPU second per reading: each step of each round reads it twice.
    let seconds = 0;
    const whatIf = await replayTransactionShapes(sample, dynamo().endpoint, () => ({ node: 0, standIns: seconds++ }));
    expect(whatIf).toMatchObject({ transactions: 12, rounds: 6, itemsPerTransaction: 30, failed: 0 });
    // 6 rounds of one second per step, over the 360 items: the same figure for every step.
    for (const ms of Object.values(whatIf!.jvmMsPerItem)) expect(ms).toBeCloseTo((6 * 1000) / 360, 6);
    expect(await dynamo().partition('audit', 'AUDIT#application:T-3001')).toEqual([]);
    expect((await tableNames()).filter((t) => t.includes('-replay'))).toEqual([]);
  });

  it('has nothing to say of a day without transactions', async () => {
    expect(await replayTransactionShapes(new RequestSample(), dynamo().endpoint, noCpu)).toBeUndefined();
  });
});
