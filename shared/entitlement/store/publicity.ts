/**
 * 公示 and 异议 items: a policy's newest publicity window, the due index the schedule reads, and objections.
 * The window is opened inside the transaction of the first pair listed in it (windowOpen below); the
 * objection is written with the change it causes (objectionPut).
 */
import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '#platform/aws';
import { auditPut, type AuditEntry } from '#platform/audit';
import { queryAll } from '#platform/paging';
import { receiptPut, type Receipt } from '#platform/receipts';
import type { Counter, Entitlement, Objection, PublicityWindow } from '../domain';
import type { DueWindow, ObjectionWrite } from '../ports';
import { DUE_PK, DUE_PREFIX, dueSk, ENT_PREFIX, figureShardOf, figuresSk, OBJECTION_SK, objectionPk, policyPk, PUBLICITY_SK, table } from './keys';
import { transact, type TransactItem } from './transact';

export async function getPublicityWindow(policyId: string): Promise<PublicityWindow | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: { pk: policyPk(policyId), sk: PUBLICITY_SK }, ConsistentRead: true }));
  return out.Item?.window as PublicityWindow | undefined;
}

/**
 * Opens a window: the policy's window record, unless another one is still open at the listing (a racing
 * writer that opened the same window — same id — passes), and its due entry for the schedule.
 */
export function windowOpen(policyId: string, window: PublicityWindow, listedAt: string): TransactItem[] {
  return [
    {
      Put: {
        TableName: table(),
        Item: { pk: policyPk(policyId), sk: PUBLICITY_SK, kind: 'publicity', windowId: window.windowId, closesAt: window.closesAt, window },
        ConditionExpression: 'attribute_not_exists(pk) OR closesAt < :at OR windowId = :id',
        ExpressionAttributeValues: { ':at': listedAt, ':id': window.windowId },
      },
    },
    {
      Put: {
        TableName: table(),
        Item: { pk: DUE_PK, sk: dueSk(window.closesAt, policyId, window.windowId), kind: 'publicity-due', policyId, windowId: window.windowId, closesAt: window.closesAt },
      },
    },
  ];
}

export async function listDueWindows(before: string, limit: number): Promise<DueWindow[]> {
  const out = await ddb.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': DUE_PK, ':from': DUE_PREFIX, ':to': `${DUE_PREFIX}${before}` },
      Limit: limit,
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map((i) => ({ policyId: i.policyId as string, windowId: i.windowId as string, closesAt: i.closesAt as string }));
}

export async function finishWindow(w: DueWindow): Promise<void> {
  await ddb.send(new DeleteCommand({ TableName: table(), Key: { pk: DUE_PK, sk: dueSk(w.closesAt, w.policyId, w.windowId) } }));
}

/** Marks the due entry released (only if it is still there: a finished window stays finished). */
export async function markWindowReleased(w: DueWindow, at: string): Promise<void> {
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: DUE_PK, sk: dueSk(w.closesAt, w.policyId, w.windowId) },
        UpdateExpression: 'SET releasedAt = if_not_exists(releasedAt, :now)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': at },
      }),
    );
  } catch (err) {
    if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
  }
}

/** Released: the due entry is marked released, or gone (finished). */
export async function isWindowReleased(w: DueWindow): Promise<boolean> {
  const key = { pk: DUE_PK, sk: dueSk(w.closesAt, w.policyId, w.windowId) };
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }));
  return out.Item === undefined || out.Item.releasedAt !== undefined;
}

/** A policy's entitlements in one state (a partition query with a filter: a policy's pairs, not the table). */
export async function listInState(policyId: string, state: string): Promise<Entitlement[]> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
    FilterExpression: '#state = :s',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: { ':pk': policyPk(policyId), ':e': ENT_PREFIX, ':s': state },
    ConsistentRead: true,
  });
  return items.map((i) => i.entitlement as Entitlement);
}

/** The pairs listed in one window (the record keeps its window after it moved on). */
export async function listInWindow(policyId: string, windowId: string): Promise<Entitlement[]> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
    FilterExpression: '#ent.#pub.#win = :w',
    ExpressionAttributeNames: { '#ent': 'entitlement', '#pub': 'publicity', '#win': 'windowId' },
    ExpressionAttributeValues: { ':pk': policyPk(policyId), ':e': ENT_PREFIX, ':w': windowId },
    ConsistentRead: true,
  });
  return items.map((i) => i.entitlement as Entitlement);
}

export async function getObjection(objectionId: string): Promise<Objection | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: { pk: objectionPk(objectionId), sk: OBJECTION_SK }, ConsistentRead: true }));
  return out.Item?.objection as Objection | undefined;
}

/** The objection, create-only when filed, conditional on the state it was planned from when resolved. */
export function objectionPut(write: ObjectionWrite): TransactItem {
  const o = write.objection;
  return {
    Put: {
      TableName: table(),
      Item: { pk: objectionPk(o.objectionId), sk: OBJECTION_SK, kind: 'objection', state: o.state, policyId: o.policyId, objection: o },
      ...(write.expect === 'new'
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: '#state = :expect', ExpressionAttributeNames: { '#state': 'state' }, ExpressionAttributeValues: { ':expect': write.expect } }),
    },
  };
}

/** Objection counters on the pair's figure shard, as ADDs (merged into the transition's update when there is one). */
export function countAdds(counts: Partial<Record<Counter, number>>): { adds: string[]; names: Record<string, string>; values: Record<string, unknown> } {
  const adds: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const [c, v] of Object.entries(counts)) {
    if (v === undefined || v === 0) continue;
    names[`#${c}`] = c;
    values[`:${c}`] = v;
    adds.push(`#${c} :${c}`);
  }
  return { adds, names, values };
}

/** An objection that changes no entitlement: its record, counters, audit line and receipt in one write. */
export async function saveObjection(write: ObjectionWrite, audit: AuditEntry, receipt: Receipt): Promise<boolean> {
  const o = write.objection;
  const { adds, names, values } = countAdds(write.counts);
  const items: TransactItem[] = [objectionPut(write), { Put: auditPut(audit) }, receiptPut(receipt, 'replace')];
  if (adds.length > 0) {
    items.push({
      Update: {
        TableName: table(),
        Key: { pk: policyPk(o.policyId), sk: figuresSk(figureShardOf(o.creditCode)) },
        UpdateExpression: `ADD ${adds.join(', ')} SET kind = :k`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...values, ':k': 'figures' },
      },
    });
  }
  return (await transact(items)).ok;
}
