/** The notification outbox: each pair's one notification and its delivery status. */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '#platform/aws';
import { batchGetAll } from '#platform/batch-get';
import type { Instant, NotificationIntent } from '../domain';
import type { Claim, DeliveryStatus, OutboxRecord } from '../ports';
import { figureShardOf, figuresSk, OUTBOX_PREFIX, outboxSk, policyPk, table } from './keys';
import { isConditionFailure, transact } from './transact';

function outboxOf(item: Record<string, unknown>): OutboxRecord {
  const text = (key: string) => (typeof item[key] === 'string' ? { [key]: item[key] as string } : {});
  return {
    status: item.status as DeliveryStatus,
    attempts: Number(item.attempts ?? 0),
    notification: item.notification as NotificationIntent,
    createdAt: item.createdAt as Instant,
    ...text('claimedAt'),
    ...text('deliveredAt'),
    ...text('lastError'),
  };
}

export async function getOutbox(policyId: string, creditCode: string): Promise<OutboxRecord | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: { pk: policyPk(policyId), sk: outboxSk(creditCode) }, ConsistentRead: true }));
  return out.Item ? outboxOf(out.Item) : undefined;
}

export async function batchGetOutbox(policyId: string, codes: readonly string[]): Promise<Map<string, OutboxRecord>> {
  const items = await batchGetAll(table(), codes.map((c) => ({ pk: policyPk(policyId), sk: outboxSk(c) })), { consistent: true });
  return new Map(items.map((i) => [(i.sk as string).slice(OUTBOX_PREFIX.length), outboxOf(i)]));
}

export async function isNotificationPending(policyId: string, creditCode: string): Promise<boolean> {
  const o = await getOutbox(policyId, creditCode);
  return o !== undefined && (o.status === 'PENDING' || o.status === 'FAILED');
}

/**
 * Claims the pair's notification for one delivery attempt (PENDING | FAILED | a SENDING claim older than
 * `staleBefore` → SENDING), so two copies of a message never deliver at the same time.
 */
export async function claimOutbox(policyId: string, creditCode: string, at: Instant, staleBefore: Instant): Promise<Claim> {
  try {
    const out = await ddb.send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: policyPk(policyId), sk: outboxSk(creditCode) },
        UpdateExpression: 'SET #status = :sending, claimedAt = :at ADD attempts :one',
        ConditionExpression: 'attribute_exists(pk) AND (#status IN (:pending, :failed) OR (#status = :sending AND claimedAt < :stale))',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sending': 'SENDING', ':pending': 'PENDING', ':failed': 'FAILED', ':at': at, ':stale': staleBefore, ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { kind: 'claimed', record: outboxOf(out.Attributes ?? {}) };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const current = await getOutbox(policyId, creditCode);
    if (current === undefined) return { kind: 'missing' };
    return current.status === 'DELIVERED' ? { kind: 'delivered' } : { kind: 'busy' };
  }
}

/** SENDING → DELIVERED, and the pair's figure shard counts one delivery (once: the condition). */
export async function markDelivered(policyId: string, creditCode: string, at: Instant): Promise<boolean> {
  const pk = policyPk(policyId);
  const out = await transact([
    {
      Update: {
        TableName: table(),
        Key: { pk, sk: outboxSk(creditCode) },
        UpdateExpression: 'SET #status = :delivered, deliveredAt = :at REMOVE lastError',
        ConditionExpression: '#status = :sending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':delivered': 'DELIVERED', ':sending': 'SENDING', ':at': at },
      },
    },
    {
      Update: {
        TableName: table(),
        Key: { pk, sk: figuresSk(figureShardOf(creditCode)) },
        UpdateExpression: 'ADD delivered :one SET kind = :k',
        ExpressionAttributeValues: { ':one': 1, ':k': 'figures' },
      },
    },
  ]);
  return out.ok;
}

/** SENDING → PENDING (will be retried) or FAILED (the message goes to the DLQ), with the error. */
export async function markDeliveryFailed(policyId: string, creditCode: string, error: string, final: boolean, at: Instant): Promise<void> {
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: policyPk(policyId), sk: outboxSk(creditCode) },
        UpdateExpression: 'SET #status = :s, lastError = :e, lastErrorAt = :at',
        ConditionExpression: '#status = :sending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':s': final ? 'FAILED' : 'PENDING', ':e': error.slice(0, 500), ':sending': 'SENDING', ':at': at },
      }),
    );
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
  }
}
