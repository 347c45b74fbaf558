import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { env } from '../../infra/topology';
import { ddb } from '../platform/aws';
import { requireEnv } from '../platform/config';
import { sendMessages } from '../platform/queues';
import type { AcceptedEvent, IngestPorts } from './accept';

export const eventKey = (source: string, id: string) => ({ pk: `EVT#${source}#${id}`, sk: 'EVENT' });

/** DynamoDB + SQS adapters of the ingest use case. */
export const ingestPorts: IngestPorts = {
  async record(events, receivedAt) {
    const table = requireEnv(env.table('events'));
    return Promise.all(
      events.map(async (e) => {
        try {
          await ddb.send(
            new PutCommand({
              TableName: table,
              Item: {
                ...eventKey(e.source, e.id),
                source: e.source,
                id: e.id,
                type: e.type,
                queue: e.queue,
                hash: e.hash,
                receivedAt,
                event: JSON.stringify(e.event),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
          return 'new' as const;
        } catch (error) {
          if (error instanceof ConditionalCheckFailedException) {
            const old = error.Item as { hash?: { S?: string } } | undefined;
            return old?.hash?.S === e.hash ? ('duplicate' as const) : ('conflict' as const);
          }
          throw error;
        }
      }),
    );
  },
  async enqueue(events) {
    const byQueue = new Map<AcceptedEvent['queue'], AcceptedEvent[]>();
    for (const e of events) byQueue.set(e.queue, [...(byQueue.get(e.queue) ?? []), e]);
    await Promise.all(
      [...byQueue].map(([queue, list]) =>
        sendMessages(queue, list.map((e) => ({ body: e.event, attributes: { type: e.type, source: e.source } }))),
      ),
    );
  },
};
