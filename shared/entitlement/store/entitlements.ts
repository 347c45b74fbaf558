/**
 * Entitlements: the record of each (policy, enterprise) pair and the one transaction that moves it, with
 * its counters, budget reservation, notification outbox record, audit line and receipt.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '#platform/aws';
import { auditPut, type AuditEntry } from '#platform/audit';
import { batchGetAll } from '#platform/batch-get';
import { queryAll } from '#platform/paging';
import { receiptPut, type Receipt } from '#platform/receipts';
import { chainDeltas, COUNTERS, type Counter, type CounterDeltas, type Entitlement, type EntitlementState, type NotificationIntent, type Transition } from '../domain';
import type { ApplyOutcome, ObjectionWrite, Refusal } from '../ports';
import { countAdds, objectionPut, windowOpen } from './publicity';
import { BUDGET_SK, ENT_PREFIX, entSk, figureShardOf, figuresSk, outboxSk, policyPk, refusalSk, table } from './keys';
import { isConditionFailure, transact, type TransactItem } from './transact';

export async function getEntitlement(policyId: string, creditCode: string): Promise<Entitlement | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: { pk: policyPk(policyId), sk: entSk(creditCode) }, ConsistentRead: true }));
  return out.Item?.entitlement as Entitlement | undefined;
}

export async function batchGetEntitlements(policyId: string, codes: readonly string[]): Promise<Map<string, Entitlement>> {
  const items = await batchGetAll(table(), [...new Set(codes)].map((c) => ({ pk: policyPk(policyId), sk: entSk(c) })), { consistent: true });
  return new Map(items.map((i) => [(i.sk as string).slice(ENT_PREFIX.length), i.entitlement as Entitlement]));
}

/** The entitlements of one enterprise, across policies (the calculator). */
export async function entitlementsOfEnterprise(creditCode: string): Promise<Entitlement[]> {
  const items = await queryAll({
    TableName: table(),
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :e',
    ExpressionAttributeValues: { ':e': entSk(creditCode) },
  });
  return items.map((item) => item.entitlement as Entitlement);
}

/** The entitlement, conditional on the state and revision it was planned from (or on not existing yet). */
function entitlementPut(first: Transition, next: Entitlement): TransactItem {
  const pk = policyPk(first.policyId);
  return {
    Put: {
      TableName: table(),
      Item: {
        pk,
        sk: entSk(first.creditCode),
        kind: 'entitlement',
        gsi1pk: entSk(first.creditCode),
        gsi1sk: pk,
        state: next.state,
        revision: next.revision,
        reached: next.reached,
        policyVersion: next.policyVersion,
        updatedAt: next.updatedAt,
        entitlement: next,
      },
      ...(first.from === null
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#state = :from AND #revision = :rev',
            ExpressionAttributeNames: { '#state': 'state', '#revision': 'revision' },
            ExpressionAttributeValues: { ':from': first.from, ':rev': first.fromRevision },
          }),
    },
  };
}

/** The counter ADDs on the pair's figure shard; a push also requires the shard to carry no withdrawal guard. */
function figuresUpdate(policyId: string, creditCode: string, deltas: CounterDeltas, pushes: boolean): TransactItem {
  const counts = Object.fromEntries(COUNTERS.flatMap((c) => (deltas.counts[c] ? [[c, deltas.counts[c]]] : [])));
  const { adds, names, values: counted } = countAdds(counts);
  const values: Record<string, unknown> = { ':k': 'figures', ...counted };
  if (deltas.amountReserved !== 0) {
    adds.push('amountReserved :ar');
    values[':ar'] = deltas.amountReserved;
  }
  if (deltas.amountDisbursed !== 0) {
    adds.push('amountDisbursed :ad');
    values[':ad'] = deltas.amountDisbursed;
  }
  if (deltas.amountRecovered !== 0) {
    adds.push('amountRecovered :arc');
    values[':arc'] = deltas.amountRecovered;
  }
  const sets = ['kind = :k'];
  if (deltas.pushedAt !== undefined) {
    // Last commit wins: concurrent pushes commit within milliseconds of their own clocks' readings.
    sets.push('lastPushAt = :push', 'firstPushAt = if_not_exists(firstPushAt, :push)');
    values[':push'] = deltas.pushedAt;
  }
  return {
    Update: {
      TableName: table(),
      Key: { pk: policyPk(policyId), sk: figuresSk(figureShardOf(creditCode)) },
      UpdateExpression: `${adds.length > 0 ? `ADD ${adds.join(', ')} ` : ''}SET ${sets.join(', ')}`,
      ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
      ...(pushes ? { ConditionExpression: 'attribute_not_exists(withdrawn)' } : {}),
    },
  };
}

/** Budget returned (an upheld objection, a recovery): no condition, what was reserved goes back. */
function budgetRelease(policyId: string, amount: number): TransactItem {
  return {
    Update: {
      TableName: table(),
      Key: { pk: policyPk(policyId), sk: BUDGET_SK },
      UpdateExpression: 'ADD remaining :amount',
      ExpressionAttributeValues: { ':amount': amount },
    },
  };
}

function budgetReservation(policyId: string, amount: number): TransactItem {
  return {
    Update: {
      TableName: table(),
      Key: { pk: policyPk(policyId), sk: BUDGET_SK },
      UpdateExpression: 'ADD remaining :neg',
      ConditionExpression: 'remaining >= :amount',
      ExpressionAttributeValues: { ':neg': -amount, ':amount': amount },
    },
  };
}

/** The pair's one notification, create-only: NOTIFIED is reached once, so is this record. */
function outboxPut(notification: NotificationIntent): TransactItem {
  return {
    Put: {
      TableName: table(),
      Item: {
        pk: policyPk(notification.policyId),
        sk: outboxSk(notification.creditCode),
        kind: 'outbox',
        status: 'PENDING',
        attempts: 0,
        createdAt: notification.at,
        notification,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/**
 * Applies consecutive transitions of one pair (each planned from the previous one's `next`) as ONE
 * conditional write: the condition of the first, the record of the last, the sum of their counters, the
 * reservation, the outbox record of a push, the audit line and an external event's receipt (guarded by
 * the entitlement's revision). Says which condition failed, for the caller to plan again.
 */
export async function applyTransitions(chain: readonly Transition[], audit: AuditEntry, receipt?: Receipt, objection?: ObjectionWrite): Promise<ApplyOutcome> {
  const first = chain[0]!;
  const next = chain[chain.length - 1]!.next;
  const deltas = withCounts(chainDeltas(chain), objection?.counts);
  // The budget moves by the chain's net: a pair listed and lapsed in one write (a self-objection processed
  // after the close of a policy that ended) reserves and returns the same amount, and the budget is unchanged.
  const released = Math.max(0, -deltas.amountReserved);
  const opening = chain.find((t) => t.window?.opens === true);
  const notification = chain.findLast((t) => t.notification !== undefined)?.notification;
  const items: TransactItem[] = [entitlementPut(first, next)];
  const figuresIndex = items.push(figuresUpdate(first.policyId, first.creditCode, deltas, notification !== undefined)) - 1;
  const budgetIndex = deltas.amountReserved > 0 ? items.push(budgetReservation(first.policyId, deltas.amountReserved)) - 1 : -1;
  if (released > 0) items.push(budgetRelease(first.policyId, released));
  if (notification !== undefined) items.push(outboxPut(notification));
  const windowIndex = opening?.window ? items.push(...windowOpen(first.policyId, opening.window.window, opening.at)) - 2 : -1;
  const objectionIndex = objection ? items.push(objectionPut(objection)) - 1 : -1;
  items.push({ Put: auditPut(audit) });
  if (receipt) items.push(receiptPut(receipt, 'replace'));

  const out = await transact(items);
  if (out.ok) return out;
  return {
    ok: false,
    entitlementMoved: out.failed.includes(0),
    budgetShort: out.failed.includes(budgetIndex),
    withdrawn: out.failed.includes(figuresIndex),
    windowMoved: out.failed.includes(windowIndex),
    objectionMoved: out.failed.includes(objectionIndex),
  };
}

/** The transition's counter deltas with an objection's counters added. */
function withCounts(deltas: CounterDeltas, extra: ObjectionWrite['counts'] | undefined): CounterDeltas {
  if (extra === undefined) return deltas;
  const counts = { ...deltas.counts };
  for (const [c, v] of Object.entries(extra) as [Counter, number][]) counts[c] = (counts[c] ?? 0) + v;
  return { ...deltas, counts };
}

/** A confirmation or disbursement that could not apply, create-only (the first reason stands). */
export async function putRefusal(policyId: string, eventId: string, refusal: Refusal): Promise<void> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: table(),
        Item: { pk: policyPk(policyId), sk: refusalSk(eventId), kind: 'refusal', ...refusal },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

export interface EntitlementPage {
  readonly items: Entitlement[];
  /** Opaque: pass back as `cursor` for the next page. */
  readonly cursor?: string;
}

/** Queries of one filtered listing at most, each over at most FILTERED_READ entitlements. */
const MAX_QUERIES = 4;
const FILTERED_READ = 1000;

/**
 * A policy's entitlements in credit-code order, filtered by current `state` or by a state ever `reached`
 * (who was pushed: reached=NOTIFIED). The cursor is the last credit code read. A filter is applied to the
 * policy's whole partition, so one call reads at most MAX_QUERIES × FILTERED_READ entitlements: a state few
 * pairs are in may give a page shorter than `limit`, even empty, with a cursor to read on from (as a
 * DynamoDB page does), rather than one call reading a million entitlements past the route's timeout.
 */
export async function listEntitlements(
  policyId: string,
  filter: { state?: EntitlementState; reached?: EntitlementState },
  limit: number,
  cursor?: string,
): Promise<EntitlementPage> {
  const items: Entitlement[] = [];
  let start: Record<string, unknown> | undefined = cursor ? { pk: policyPk(policyId), sk: entSk(cursor) } : undefined;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':pk': policyPk(policyId), ':e': ENT_PREFIX };
  let filterExpression: string | undefined;
  if (filter.state) {
    names['#state'] = 'state';
    values[':s'] = filter.state;
    filterExpression = '#state = :s';
  }
  if (filter.reached) {
    values[':r'] = filter.reached;
    filterExpression = [filterExpression, 'contains(reached, :r)'].filter(Boolean).join(' AND ');
  }
  for (let queries = 1; ; queries++) {
    const page = await ddb.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
        ExpressionAttributeValues: values,
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ...(filterExpression ? { FilterExpression: filterExpression } : {}),
        Limit: filterExpression ? Math.max(limit, FILTERED_READ) : Math.max(limit, 100),
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      items.push(item.entitlement as Entitlement);
      if (items.length === limit) {
        const more = page.LastEvaluatedKey !== undefined || item !== page.Items![page.Items!.length - 1];
        return more ? { items, cursor: (item.entitlement as Entitlement).creditCode } : { items };
      }
    }
    start = page.LastEvaluatedKey;
    if (!start) return { items };
    if (queries >= MAX_QUERIES) return { items, cursor: String(start.sk).slice(ENT_PREFIX.length) };
  }
}
