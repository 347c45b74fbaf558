/**
 * The 秒批 storage adapter (the ApprovalStore port): applications and their decisions in the `approvals`
 * table. Keys, items and transactions only: what to write is decided by the use cases (service/).
 * Everything about one application lives in one partition, so one Query reads the whole case.
 *
 *   APP#<applicationId>  DECISION                     the current state, small: `sequence` (the optimistic lock),
 *                                                      outcome and the figures' fields (`body`, a CurrentDecision);
 *                                                      byItem keys itemShard = DECISION#<0..15>, itemKey = <item>#<id>;
 *                                                      while a deadline is open it carries the byDue keys:
 *                                                        duePk = DUE#SUPPLEMENT   | DUE#VERIFICATION
 *                                                        dueAt = the ISO instant the period ends
 *                                                      they go away with the version that leaves that state
 *   APP#<applicationId>  V#<000001>                   every decision version, append-only and never updated: the
 *                                                      full decision with its trace (the one copy), and its cause.
 *                                                      V#000001 also keeps the facts, what decide() read, for a
 *                                                      simulation's replay (docs/decisions/decision-facts.md),
 *                                                      packed in one stream with the decision (`bodyZ`), and
 *                                                      is the submitted application: `facts.application` (or
 *                                                      `application` when no facts were read, or when they did
 *                                                      not fit the item: FACTS_BUDGET, then flagged
 *                                                      `factsDropped`), `receivedAt`; its
 *                                                      content hash is the decision's, the event is the `cause`
 *                                                      (created once: the exactly-once gate)
 *   APP#<applicationId>  OUTBOX#<V#… | FLAG#…>        what a change the deadlines schedule made must send (see below)
 *   APP#<applicationId>  FLAG#VERIFICATION_OVERDUE    the one overdue flag of an approval on commitment
 *   APP#<applicationId>  CONFLICT#<source>#<eventId>  the same applicationId submitted with other content
 *                                                      (`body`: a bundle application, when one was submitted
 *                                                      under this single item's id: service/one-id.ts)
 *   APP#<applicationId>  REFUSAL#<source>#<eventId>   a later event refused (not pending, already verified,
 *                                                      unknown application…), with its reason
 *
 * Each change is one transaction with its audit line (audit table) and its event's receipt (receipts
 * table), so the three agree after any crash.
 *
 * Partitions written before V#000001 held the application have an APPLICATION item with it (`body`,
 * `applicationHash`, `cause`, `receivedAt`); the loader still reads it, and nothing writes it any more.
 *
 * Outbox. What a version sends (the outbound event and the domain effects: review case, credit mark) is
 * built from the version (messages.ts), so a version an event made keeps no outbox item: the use case sends
 * right after the write, and a crash before the send is made good by the event's redelivery, which finds
 * its version and sends the same messages again (deterministic ids: receivers de-duplicate). A change the
 * deadlines schedule made (`resentBySchedule`: a TERMINATED version, an overdue flag) has no event to come
 * again, so it is written with an outbox item, waiting in the sparse byDue keys duePk = OUTBOX, dueAt =
 * when it was written, until marked sent (`sentAt`); the schedule resends what a crash left there.
 * Outbox items of events' versions written before this (`pending: true`, in no index) are still read,
 * sent by their event's redelivery while pending, and marked sent.
 *
 * Cost. Write units are billed per KB of item, twice inside a transaction, and an update on the size of
 * the whole item. So the multi-KB trace is written once (V#, packed when large: store/packing.ts), the
 * items a later write touches (DECISION, an OUTBOX#) stay small, and audit lines point at the version.
 *
 * Bodies (application, decision, outbox) are stored as JSON strings: traces nest deeper and vary more
 * than DynamoDB maps like, and nothing queries inside them.
 *
 * What only the deadlines schedule does (the byDue queries, the overdue flag) is in store/deadlines.ts.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '#platform/aws';
import { batchGetAll } from '#platform/batch-get';
import { queryAll, scanAll } from '#platform/paging';
import { recordReceipt } from '#platform/receipts';
import { cancellationCodes, writeChanges, type TransactItem } from '#platform/transactions';
import type { ApprovalStore, OutboxRef } from './ports';
import { loadCase } from './store/case';
import { conflictItems, factsDroppedFor, firstDecisionItems, refusalItems, transitionItems, type CurrentDecision } from './store/items';
import { applicationIdOf, DECISION_SHARDS, DECISION_SK, FLAG_OVERDUE_SK, OUTBOX, outboxSk, pkOf, table } from './store/keys';

export { loadCase } from './store/case';
export { decisionIndexKeys, FLAG_OVERDUE_SK } from './store/keys';
export { currentOf, type CurrentDecision } from './store/items';
export { bundleChildrenDecided, replayableDecisions, type Replayable, type Window } from './store/replayable';
export { DECISION_SHARDS } from './store/keys';

/** Which items of a cancelled transaction failed their condition (undefined: not a condition failure). */
function failedConditions(error: unknown): boolean[] | undefined {
  const codes = cancellationCodes(error);
  if (!codes?.includes('ConditionalCheckFailed')) return undefined;
  return codes.map((code) => code === 'ConditionalCheckFailed');
}

const transact = (items: TransactItem[]) => ddb.send(new TransactWriteCommand({ TransactItems: items }));

/** 'exists' (or false) when the first item's create-once condition failed; any other failure throws. */
async function createdOnce(items: TransactItem[]): Promise<boolean> {
  try {
    await transact(items);
    return true;
  } catch (error) {
    if (failedConditions(error)?.[0] === true) return false;
    throw error;
  }
}

/** 'raced' when any condition failed (another writer got there first). */
export async function unlessRaced(items: TransactItem[]): Promise<'stored' | 'raced'> {
  try {
    await transact(items);
    return 'stored';
  } catch (error) {
    if (failedConditions(error) !== undefined) return 'raced';
    throw error;
  }
}

export const approvalStore: ApprovalStore = {
  loadCase,
  factsDroppedFor,
  createFirstDecision: async (first) => ((await createdOnce(firstDecisionItems(first))) ? 'stored' : 'exists'),
  writeFirstDecisions: (firsts) => writeChanges(firsts.map(firstDecisionItems)),
  storeTransition: async (next) => unlessRaced(transitionItems(next)),
  recordConflict: (conflict) => createdOnce(conflictItems(conflict)),
  recordRefusal: (refusal) => createdOnce(refusalItems(refusal)),
  recordReceipt: async (receipt) => void (await recordReceipt(receipt)),
  heldIds,
  markSent,
};

/**
 * The ids among these that hold a single-item application: their DECISION items (small, written with the
 * first version), in one strongly consistent BatchGetItem per 100 ids. 1 read unit an id, no write unit.
 */
async function heldIds(applicationIds: readonly string[]): Promise<ReadonlySet<string>> {
  const unique = [...new Set(applicationIds)];
  if (unique.length === 0) return new Set();
  const found = await batchGetAll(table(), unique.map((id) => ({ pk: pkOf(id), sk: DECISION_SK })), { consistent: true });
  return new Set(found.map((item) => applicationIdOf(item.pk as string)));
}

/** The outbox has been sent: it leaves the OUTBOX index, or (an item written before only the schedule's changes had one) stops being `pending`. */
async function markSent(ref: OutboxRef, at: string): Promise<void> {
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: pkOf(ref.applicationId), sk: outboxSk(ref) },
        UpdateExpression: 'REMOVE duePk, dueAt, pending SET sentAt = :at',
        ConditionExpression: 'duePk = :outbox OR pending = :pending',
        ExpressionAttributeValues: { ':outbox': OUTBOX, ':pending': true, ':at': at },
      }),
    );
  } catch (error) {
    // Already marked by a concurrent sender: nothing left to do.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/**
 * Every current decision (what the DECISION item keeps), optionally of one item: the 16 shards of the
 * byItem index queried in parallel. It was a Scan of the whole table (versions, traces, outboxes), which
 * the 20,000-event soak found past the query function's 10 s at 8,000 applications.
 */
export async function queryDecisions(itemCode?: string): Promise<CurrentDecision[]> {
  const pages = await Promise.all(
    Array.from({ length: DECISION_SHARDS }, (_, shard) =>
      queryAll({
        TableName: table(),
        IndexName: 'byItem',
        KeyConditionExpression: itemCode === undefined ? 'itemShard = :s' : 'itemShard = :s AND begins_with(itemKey, :i)',
        ExpressionAttributeValues: itemCode === undefined ? { ':s': `DECISION#${shard}` } : { ':s': `DECISION#${shard}`, ':i': `${itemCode}#` },
        ProjectionExpression: 'body',
      }),
    ),
  );
  return pages.flat().map((item) => JSON.parse(item.body as string) as CurrentDecision);
}

/**
 * Every current decision with whether its verification was flagged overdue, for the monthly report: a Scan
 * that keeps the DECISION and overdue-flag items only. Acceptable once a month; the figures routes use
 * `queryDecisions` (the byItem index) instead.
 */
export async function currentDecisionsWithOverdueFlags(): Promise<{ decision: CurrentDecision; verificationOverdue: boolean }[]> {
  const items = await scanAll({
    TableName: table(),
    FilterExpression: 'sk = :d OR sk = :f',
    ExpressionAttributeValues: { ':d': 'DECISION', ':f': FLAG_OVERDUE_SK },
    ProjectionExpression: 'pk, sk, body',
  });
  const flagged = new Set(items.filter((i) => i.sk === FLAG_OVERDUE_SK).map((i) => i.pk as string));
  return items
    .filter((i) => i.sk === 'DECISION')
    .map((i) => ({ decision: JSON.parse(i.body as string) as CurrentDecision, verificationOverdue: flagged.has(i.pk as string) }));
}
