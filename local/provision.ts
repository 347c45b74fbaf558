/** Creates the topology's tables and queues (with their DLQs) in the stand-ins, idempotently. */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type GlobalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { queues, tables, type QueueName, type TableName, type TableSpec } from '#topology';

export const localTableName = (name: TableName) => `civicflow-local-${name}`;
export const localQueueName = (name: QueueName) => `civicflow-local-${name}`;
export const localDlqName = (name: QueueName) => `civicflow-local-${name}-dlq`;

export async function provisionTables(client: DynamoDBClient): Promise<Record<TableName, string>> {
  const names = {} as Record<TableName, string>;
  for (const [name, spec] of Object.entries(tables) as Array<[TableName, TableSpec]>) {
    const tableName = localTableName(name);
    names[name] = tableName;
    const indexes = Object.entries(spec.indexes ?? {});
    const attributes = new Set(['pk', 'sk', ...indexes.flatMap(([, k]) => [k.pk, k.sk])]);
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [...attributes].map((a) => ({ AttributeName: a, AttributeType: 'S' })),
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: indexes.length
            ? indexes.map(
                ([indexName, k]): GlobalSecondaryIndex => ({
                  IndexName: indexName,
                  KeySchema: [
                    { AttributeName: k.pk, KeyType: 'HASH' },
                    { AttributeName: k.sk, KeyType: 'RANGE' },
                  ],
                  Projection: { ProjectionType: 'ALL' },
                }),
              )
            : undefined,
        }),
      );
    } catch (error) {
      // A data folder from an earlier run already has the table.
      if (!(error instanceof ResourceInUseException)) throw error;
      await client.send(new DescribeTableCommand({ TableName: tableName }));
    }
    if (spec.ttlAttribute) await ensureTimeToLive(client, tableName, spec.ttlAttribute);
  }
  return names;
}

/**
 * Turns the table's TTL on unless it is on already: a new table, and one a data folder kept from before the
 * topology gave it a TTL (or from a start stopped between the table's creation and this call), which would
 * otherwise keep its expired items for good.
 */
async function ensureTimeToLive(client: DynamoDBClient, tableName: string, attribute: string): Promise<void> {
  const now = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = now.TimeToLiveDescription?.TimeToLiveStatus;
  if ((status === 'ENABLED' || status === 'ENABLING') && now.TimeToLiveDescription?.AttributeName === attribute) return;
  await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: attribute, Enabled: true } }));
}

export interface LocalQueue {
  readonly url: string;
  readonly arn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

export async function provisionQueues(client: SQSClient): Promise<Record<QueueName, LocalQueue>> {
  const out = {} as Record<QueueName, LocalQueue>;
  for (const [name, spec] of Object.entries(queues) as Array<[QueueName, (typeof queues)[QueueName]]>) {
    const dlq = await client.send(
      new CreateQueueCommand({ QueueName: localDlqName(name), Attributes: { MessageRetentionPeriod: String(14 * 86400) } }),
    );
    const dlqAttrs = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl!, AttributeNames: ['QueueArn'] }),
    );
    const dlqArn = dlqAttrs.Attributes!.QueueArn!;
    const queue = await client.send(
      new CreateQueueCommand({
        QueueName: localQueueName(name),
        Attributes: {
          VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
          MessageRetentionPeriod: String(spec.retentionDays * 86400),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: spec.maxReceiveCount }),
        },
      }),
    );
    const attrs = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl!, AttributeNames: ['QueueArn'] }),
    );
    out[name] = { url: queue.QueueUrl!, arn: attrs.Attributes!.QueueArn!, dlqUrl: dlq.QueueUrl!, dlqArn };
  }
  return out;
}
