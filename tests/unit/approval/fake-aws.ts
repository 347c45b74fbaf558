// An in-memory stand-in for the DynamoDB and SQS calls of the approval use cases, so their order of
// requests and their crash behaviour can be tested without DynamoDB Local. It knows only the expressions
// the approval and registry stores use; anything else throws, so a new kind of request is noticed.
import { jest } from '@jest/globals';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { BatchGetCommand, BatchWriteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { stages } from '#topology/stages';
import { ddb, sqs } from '#platform/aws';
import { logger, metrics } from '#platform/powertools';
import { credit, idCard, PERSON, personProfile, weatherItem } from './fixtures';

type Item = Record<string, any>;

export const TABLES = { approvals: 'approvals-test', registry: 'registry-test', audit: 'audit-test', receipts: 'receipts-test' } as const;
export const QUEUES = { outbound: 'queue://outbound', review: 'queue://review' } as const;

export function setTestEnv(): void {
  process.env.TABLE_APPROVALS = TABLES.approvals;
  process.env.TABLE_REGISTRY = TABLES.registry;
  process.env.TABLE_AUDIT = TABLES.audit;
  process.env.TABLE_RECEIPTS = TABLES.receipts;
  process.env.QUEUE_OUTBOUND_URL = QUEUES.outbound;
  process.env.QUEUE_REVIEW_URL = QUEUES.review;
  process.env.CIVICFLOW_CONFIG = JSON.stringify(stages.local);
}

export interface FakeAws {
  readonly tables: Map<string, Map<string, Item>>;
  /** Every DynamoDB request in order, e.g. `BatchGet registry-test`, `Query approvals-test`. */
  readonly requests: string[];
  /** Every message sent, by queue URL. */
  readonly sent: Array<{ queue: string; body: any }>;
  put(table: string, item: Item): void;
  get(table: string, pk: string, sk: string): Item | undefined;
  /** The next TransactWriteItems fails with this (instead of being applied). */
  failNextTransaction(error: Error): void;
  /** The next SendMessageBatch fails (the function "crashes" after its write). */
  failNextSend(error: Error): void;
}

const keyOf = (pk: string, sk: string) => `${pk}|${sk}`;

export function fakeAws(): FakeAws {
  const tables = new Map<string, Map<string, Item>>();
  const tableOf = (name: string) => tables.get(name) ?? tables.set(name, new Map()).get(name)!;
  const requests: string[] = [];
  const sent: FakeAws['sent'] = [];
  let transactionFailure: Error | undefined;
  let sendFailure: Error | undefined;

  const condition = (expression: string | undefined, existing: Item | undefined, values: Item = {}): boolean => {
    if (expression === undefined) return true;
    if (expression === 'attribute_not_exists(pk)') return existing === undefined;
    if (expression === 'duePk = :outbox') return existing?.duePk === values[':outbox'];
    throw new Error(`fake DynamoDB cannot evaluate ${expression}`);
  };

  jest.spyOn(ddb, 'send').mockImplementation((async (command: unknown) => {
    if (command instanceof BatchGetCommand) {
      const request = command.input.RequestItems!;
      const Responses: Record<string, Item[]> = {};
      for (const [table, { Keys }] of Object.entries(request)) {
        requests.push(`BatchGet ${table}`);
        Responses[table] = Keys!.map((k) => tableOf(table).get(keyOf(k.pk, k.sk))).filter((i): i is Item => i !== undefined);
      }
      return { Responses };
    }
    if (command instanceof QueryCommand) {
      const { TableName, IndexName, ExpressionAttributeValues: values } = command.input;
      requests.push(`Query ${TableName}${IndexName ? `/${IndexName}` : ''}`);
      const items = [...tableOf(TableName!).values()];
      if (IndexName === 'gsi1') return { Items: items.filter((i) => i.gsi1pk === values![':h']) };
      if (IndexName === undefined && command.input.KeyConditionExpression === 'pk = :pk') {
        return { Items: items.filter((i) => i.pk === values![':pk']).sort((a, b) => (a.sk < b.sk ? -1 : 1)) };
      }
      throw new Error(`fake DynamoDB cannot query ${JSON.stringify(command.input)}`);
    }
    if (command instanceof TransactWriteCommand) {
      requests.push('TransactWrite');
      if (transactionFailure) {
        const error = transactionFailure;
        transactionFailure = undefined;
        throw error;
      }
      const puts = command.input.TransactItems!.map((t) => {
        if (!t.Put) throw new Error('fake DynamoDB transactions hold only Puts');
        return t.Put;
      });
      const failed = puts.map((p) => !condition(p.ConditionExpression, tableOf(p.TableName!).get(keyOf(p.Item!.pk, p.Item!.sk))));
      if (failed.some(Boolean)) {
        throw new TransactionCanceledException({
          message: 'Transaction cancelled',
          $metadata: {},
          CancellationReasons: failed.map((f) => ({ Code: f ? 'ConditionalCheckFailed' : 'None' })),
        });
      }
      for (const p of puts) tableOf(p.TableName!).set(keyOf(p.Item!.pk, p.Item!.sk), structuredClone(p.Item!));
      return {};
    }
    if (command instanceof BatchWriteCommand) {
      for (const [table, writes] of Object.entries(command.input.RequestItems!)) {
        requests.push(`BatchWrite ${table}`);
        for (const w of writes) {
          if (!w.PutRequest) throw new Error('fake DynamoDB batch writes hold only Puts');
          tableOf(table).set(keyOf(w.PutRequest.Item!.pk, w.PutRequest.Item!.sk), structuredClone(w.PutRequest.Item!));
        }
      }
      return { UnprocessedItems: {} };
    }
    if (command instanceof PutCommand) {
      const { TableName, Item, ConditionExpression, ExpressionAttributeValues: values } = command.input;
      requests.push(`Put ${TableName}`);
      if (!condition(ConditionExpression, tableOf(TableName!).get(keyOf(Item!.pk, Item!.sk)), values)) {
        throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
      }
      tableOf(TableName!).set(keyOf(Item!.pk, Item!.sk), structuredClone(Item!));
      return {};
    }
    if (command instanceof GetCommand) {
      const { TableName, Key } = command.input;
      requests.push(`Get ${TableName}`);
      const item = tableOf(TableName!).get(keyOf(Key!.pk, Key!.sk));
      return item ? { Item: structuredClone(item) } : {};
    }
    if (command instanceof UpdateCommand) {
      const { TableName, Key, UpdateExpression, ConditionExpression, ExpressionAttributeValues: values } = command.input;
      requests.push(`Update ${TableName}`);
      const existing = tableOf(TableName!).get(keyOf(Key!.pk, Key!.sk));
      if (!condition(ConditionExpression, existing, values)) {
        throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
      }
      if (UpdateExpression !== 'REMOVE duePk, dueAt SET sentAt = :at') throw new Error(`fake DynamoDB cannot apply ${UpdateExpression}`);
      const { duePk: _p, dueAt: _a, ...rest } = existing!;
      tableOf(TableName!).set(keyOf(Key!.pk, Key!.sk), { ...rest, sentAt: values![':at'] });
      return {};
    }
    throw new Error(`fake DynamoDB cannot handle ${(command as object).constructor.name}`);
  }) as never);

  jest.spyOn(sqs, 'send').mockImplementation((async (command: unknown) => {
    if (!(command instanceof SendMessageBatchCommand)) throw new Error(`fake SQS cannot handle ${(command as object).constructor.name}`);
    if (sendFailure) {
      const error = sendFailure;
      sendFailure = undefined;
      throw error;
    }
    for (const entry of command.input.Entries!) sent.push({ queue: command.input.QueueUrl!, body: JSON.parse(entry.MessageBody!) });
    return { Successful: command.input.Entries!.map((e) => ({ Id: e.Id })), Failed: [] };
  }) as never);

  return {
    tables,
    requests,
    sent,
    put: (table, item) => void tableOf(table).set(keyOf(item.pk, item.sk), item),
    get: (table, pk, sk) => tableOf(table).get(keyOf(pk, sk)),
    failNextTransaction: (error) => void (transactionFailure = error),
    failNextSend: (error) => void (sendFailure = error),
  };
}

/**
 * A fake with the weather-certificate item, the person's profile, credit record and ID-card e-licence in
 * the registry (what a weather application reads), and the decision's log lines and metrics quieted.
 */
export function fakeAwsWithWeatherApplicant(): FakeAws {
  const aws = fakeAws();
  jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  // A decision's metrics are published at once (singleMetric): keep their EMF lines out of the test output.
  const quiet = { addDimension: () => quiet, addDimensions: () => quiet, addMetric: () => quiet };
  jest.spyOn(metrics, 'singleMetric').mockImplementation(() => quiet as never);
  jest.spyOn(metrics, 'addMetric').mockImplementation(() => metrics);
  aws.put(TABLES.registry, { pk: `ITEM#${weatherItem.itemCode}`, sk: 'CURRENT', item: weatherItem, version: weatherItem.version });
  aws.put(TABLES.registry, { pk: `PERSON#${PERSON.id}`, sk: 'PROFILE', profile: { idNumber: PERSON.id, ...personProfile } });
  aws.put(TABLES.registry, { pk: `CREDIT#${PERSON.id}`, sk: 'CREDIT', credit: credit({ subjectId: PERSON.id }) });
  aws.put(TABLES.registry, { pk: `LIC#${idCard.licenceNo}`, sk: 'LICENCE', licence: idCard, gsi1pk: `HOLDER#${PERSON.id}` });
  return aws;
}
