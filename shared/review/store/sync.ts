/**
 * The upward-sync outbox on the `reviews` table (issue #19): one item per platform record.
 *
 *   pk                 sk       what
 *   SYNC#<recordId>    RECORD   the record (`record`, a domain SyncRecord) and its `version`
 *
 * Indexes (both projected ALL, both sparse where it matters):
 * - `byDue`, the schedule's index, with `duePk = DUE#SYNC`: a PENDING record at its next attempt, a SENT
 *   one at the instant its attempt counts as stuck; ACKED, REJECTED and PARKED records leave it.
 * - `bySync`: `syncState = SYNC#<state>`, `syncAt = <sourceEventAt>#<recordId>`: the records of a state in
 *   the order their reviews and steps happened (re-push by state or day, figures, the oldest pending).
 *
 * A record is created in the transaction of the review change that causes it (store/items.ts) and changed
 * afterwards only on the condition that its `version` is the one its writer read, so two senders cannot
 * both start an attempt and a late answer cannot overwrite a re-push.
 */
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { auditPut } from '#platform/audit';
import { ddb } from '#platform/aws';
import { queryAll } from '#platform/paging';
import { cancellationCodes, type TransactItem } from '#platform/transactions';
import type { SyncRecord, SyncState } from '../domain/upward/sync';
import type { SyncStore, SyncWrite } from '../ports';
import { table } from './keys';

export const SYNC_DUE_PK = 'DUE#SYNC';
export const syncKey = (recordId: string) => ({ pk: `SYNC#${recordId}`, sk: 'RECORD' });
const statePk = (state: SyncState) => `SYNC#${state}`;

function dueAtOf(record: SyncRecord, sentTimeoutMs: number): string | undefined {
  if (record.state === 'PENDING') return record.nextAttemptAt;
  if (record.state === 'SENT' && record.sentAt !== undefined) return new Date(Date.parse(record.sentAt) + sentTimeoutMs).toISOString();
  return undefined;
}

/** The item of a record, with its index attributes. */
export function syncItem(record: SyncRecord, sentTimeoutMs: number): Record<string, unknown> {
  const dueAt = dueAtOf(record, sentTimeoutMs);
  return {
    ...syncKey(record.recordId),
    kind: 'sync',
    caseId: record.caseId,
    version: record.version,
    record,
    syncState: statePk(record.state),
    // Normalized to UTC: upstream systems write offsets (+08:00), and the index sorts the text.
    syncAt: `${new Date(record.sourceEventAt).toISOString()}#${record.recordId}`,
    ...(dueAt !== undefined ? { duePk: SYNC_DUE_PK, dueAt } : {}),
  };
}

/** The create of a new record inside a review change's transaction (the change happens once, so no condition). */
export function syncCreate(record: SyncRecord, sentTimeoutMs: number): TransactItem {
  return { Put: { TableName: table(), Item: syncItem(record, sentTimeoutMs) } };
}

async function getRecord(recordId: string): Promise<SyncRecord | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: syncKey(recordId), ConsistentRead: true }));
  return out.Item?.record as SyncRecord | undefined;
}

async function writeRecord(write: SyncWrite): Promise<boolean> {
  const put = {
    TableName: table(),
    Item: syncItem(write.next, write.sentTimeoutMs),
    ConditionExpression: 'version = :expected',
    ExpressionAttributeValues: { ':expected': write.expectedVersion },
  };
  try {
    await ddb.send(new TransactWriteCommand({ TransactItems: [{ Put: put }, ...(write.audit ? [{ Put: auditPut(write.audit) }] : [])] }));
    return true;
  } catch (error) {
    const codes = cancellationCodes(error);
    if (codes?.[0] === 'ConditionalCheckFailed' || codes?.includes('TransactionConflict')) return false;
    throw error;
  }
}

async function dueRecords(now: string, limit: number): Promise<SyncRecord[]> {
  const out = await ddb.send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'byDue',
      KeyConditionExpression: 'duePk = :due AND dueAt <= :now',
      ExpressionAttributeValues: { ':due': SYNC_DUE_PK, ':now': now },
      Limit: limit,
    }),
  );
  return (out.Items ?? []).map((item) => item.record as SyncRecord);
}

/** The Query of a state's records on the `bySync` index, in the order they happened, optionally within `range`. */
const bySync = (state: SyncState, range?: { readonly from: string; readonly to: string }) => ({
  TableName: table(),
  IndexName: 'bySync',
  KeyConditionExpression: range ? 'syncState = :state AND syncAt BETWEEN :from AND :to' : 'syncState = :state',
  ExpressionAttributeValues: { ':state': statePk(state), ...(range ? { ':from': range.from, ':to': range.to } : {}) },
});

async function recordsInState(state: SyncState, range?: { readonly from: string; readonly to: string }): Promise<SyncRecord[]> {
  const items = await queryAll(bySync(state, range));
  return items.map((item) => item.record as SyncRecord);
}

/** Where a page of a state's records on the `bySync` index ends: the table's key and the index's. */
export interface SyncPageKey {
  readonly pk: string;
  readonly sk: string;
  readonly syncState: string;
  readonly syncAt: string;
}

/** A page of a state's records, oldest first, and the key to start the next at when there is one. */
export interface SyncRecordsPage {
  readonly records: readonly SyncRecord[];
  readonly next?: SyncPageKey;
}

const pageKeyOf = (item: Record<string, unknown>): SyncPageKey => ({
  pk: item.pk as string,
  sk: item.sk as string,
  syncState: item.syncState as string,
  syncAt: item.syncAt as string,
});

/**
 * At most `limit` records of a state in the order their reviews and steps happened, after `start` (a page's
 * `next`), optionally only those between `range.from` and `range.to` that `keep` keeps. `next` is given only
 * when another kept record follows, so the last page is never an empty one.
 */
export async function syncRecordsPage(
  state: SyncState,
  options: {
    readonly limit: number;
    readonly range?: { readonly from: string; readonly to: string };
    readonly keep?: (record: SyncRecord) => boolean;
    readonly start?: SyncPageKey;
  },
): Promise<SyncRecordsPage> {
  const { limit, range, keep = () => true } = options;
  const records: SyncRecord[] = [];
  let last: Record<string, unknown> | undefined;
  let start: Record<string, unknown> | undefined = options.start ? { ...options.start } : undefined;
  for (;;) {
    const out = await ddb.send(
      new QueryCommand({
        ...bySync(state, range),
        // One more than the page holds: whether another record follows is known without another request.
        Limit: limit + 1,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) {
      const record = item.record as SyncRecord;
      if (!keep(record)) continue;
      if (records.length === limit) return { records, next: pageKeyOf(last!) };
      records.push(record);
      last = item;
    }
    if (!out.LastEvaluatedKey) return { records };
    start = out.LastEvaluatedKey;
  }
}

async function oldestInState(state: SyncState): Promise<SyncRecord | undefined> {
  const out = await ddb.send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'bySync',
      KeyConditionExpression: 'syncState = :state',
      ExpressionAttributeValues: { ':state': statePk(state) },
      Limit: 1,
    }),
  );
  return out.Items?.[0]?.record as SyncRecord | undefined;
}

export const dynamoSyncStore: SyncStore = { getRecord, writeRecord, dueRecords, recordsInState, oldestInState };
