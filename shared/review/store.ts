/**
 * 好差评 storage adapter on the `reviews` table. Everything about one case lives in one partition, so a
 * single strongly consistent Query loads it all:
 *
 *   pk                                   sk                        what
 *   CASE#<caseId>                        STATE                     the case record: `version`, `state` (CaseReviewState,
 *                                                                  absent while the case is unknown) and `parked` reviews
 *                                                                  (reviews that arrived before their case)
 *   CASE#<caseId>                        RECT                      the rectification of the case's 差评 (`version`, `rect`)
 *   CASE#<caseId>                        REJECTED#REVIEW#<reviewId> a refused review, with code and reason (create-only)
 *   CASE#<caseId>                        REJECTED#STEP#<actionKey>  a refused rectification step (create-only)
 *   CASE#<caseId>                        OUTBOX#<eventId>          an outbound event written with its state change and
 *                                                                  deleted once published (see below)
 *   FIG#<dimension>#<day|month>#<period> <key>                     additive counters of one figure row (COUNTER_NAMES),
 *                                                                  changed only by atomic ADD
 *
 * Due index (GSI `byDue`, sparse): the STATE item carries `duePk = DUE#INVITE` and the RECT item
 * `duePk = DUE#RECT`, with `dueAt` the next instant the scheduler must look at them (`shared/review/due.ts`);
 * the attributes are dropped when nothing more can fall due. The schedule queries `dueAt <= now`.
 *
 * Every state change is one TransactWriteCommand: the state item(s) with a condition on the loaded
 * `version` (or `attribute_not_exists` when created), the counter ADDs, the create-only audit lines, the
 * rejection records and the outbox items. A condition failure means a concurrent or redelivered change
 * won: `VersionConflict` tells the caller to reload and decide again (the domain is idempotent, so the
 * second decision is usually a no-op). Figure rows are keyed by (dimension, period) so one Query lists
 * every key of a dimension in a period (the monthly ranking reads one partition).
 *
 * Outbox: outbound events are written in the same transaction as the change that causes them, then
 * published and deleted. If publishing fails the SQS record is retried; the retry finds the change
 * already made (a no-op) and the outbox still full, and publishes it then. Event ids are deterministic,
 * so a publish repeated after a crash between publish and delete is de-duplicated by receivers.
 */
import {
  TransactWriteCommand,
  GetCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { auditPut, type AuditEntry } from '#platform/audit';
import { batchWriteAll } from '#platform/batch-write';
import { ddb } from '#platform/aws';
import { queryAll } from '#platform/paging';
import { tableName } from '#platform/resources';
import type { CommitResult } from '#platform/group-commit';
import { cancellationCodes, MAX_TRANSACTION_ITEMS, writeChanges, type TransactItem } from '#platform/transactions';
import { publish, type OutboundEvent } from '#platform/outbound';
import { receiptPut, type Receipt } from '#platform/receipts';
import { counterDeltas, emptyCounters, type Dimension, type Period } from './figures';
import { COUNTER_NAMES, type CaseReviewState, type CounterName, type Counters, type FigureDelta, type Rectification, type Review } from './types';

const table = () => tableName('reviews');

export const DUE_INVITE = 'DUE#INVITE';
export const DUE_RECT = 'DUE#RECT';

export const caseKey = (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'STATE' });
export const rectKey = (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'RECT' });
export const figureKey = (dimension: Dimension, key: string, period: Period) => ({
  pk: `FIG#${dimension}#${period.granularity}#${period.value}`,
  sk: key,
});

/** A semantic refusal, kept on the case so auditors can see what was refused and why (SPEC §11). */
export interface Rejection {
  readonly kind: 'review' | 'step';
  /** The reviewId, or the action key of the step. */
  readonly ref: string;
  readonly code: string;
  readonly reason: string;
  /** When the refused thing happened (the review's submission, the step's `at`). */
  readonly at: string;
  /** When it was refused (the functions' clock). */
  readonly recordedAt: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export function rejectionKey(caseId: string, kind: Rejection['kind'], ref: string) {
  return { pk: `CASE#${caseId}`, sk: `REJECTED#${kind === 'review' ? 'REVIEW' : 'STEP'}#${ref}` };
}

export interface CaseRecord {
  /** The item's version (equal to `state.version` once the case is known). */
  readonly version: number;
  readonly state?: CaseReviewState;
  readonly parked: readonly Review[];
}

export interface CaseBundle {
  readonly caseId: string;
  readonly record?: CaseRecord;
  readonly rectification?: Rectification;
  readonly rejections: readonly Rejection[];
  readonly outbox: readonly OutboundEvent[];
}

/** Everything stored for a case, strongly consistent. */
export async function loadCase(caseId: string): Promise<CaseBundle> {
  let record: CaseRecord | undefined;
  let rectification: Rectification | undefined;
  const rejections: Rejection[] = [];
  const outbox: OutboundEvent[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await ddb.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `CASE#${caseId}` },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of out.Items ?? []) {
      const sk = item.sk as string;
      if (sk === 'STATE') {
        record = {
          version: item.version as number,
          ...(item.state ? { state: item.state as CaseReviewState } : {}),
          parked: (item.parked as Review[] | undefined) ?? [],
        };
      } else if (sk === 'RECT') rectification = item.rect as Rectification;
      else if (sk.startsWith('REJECTED#')) rejections.push(item.rejection as Rejection);
      else if (sk.startsWith('OUTBOX#')) outbox.push(item.event as OutboundEvent);
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return {
    caseId,
    ...(record ? { record } : {}),
    ...(rectification ? { rectification } : {}),
    rejections,
    outbox,
  };
}

export async function loadRectification(caseId: string): Promise<Rectification | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: rectKey(caseId), ConsistentRead: true }));
  return out.Item?.rect as Rectification | undefined;
}

/** A concurrent or redelivered change got there first: reload and decide again. */
export class VersionConflict extends Error {
  constructor(caseId: string, detail: string) {
    super(`case ${caseId} changed while it was being updated (${detail}); reload and decide again`);
    this.name = 'VersionConflict';
  }
}

export interface CaseWrite {
  /** The loaded item version; undefined when the item must not exist yet. */
  readonly expectedVersion: number | undefined;
  readonly version: number;
  readonly state?: CaseReviewState;
  readonly parked?: readonly Review[];
  /** The next instant the scheduler must look at the case (due index); undefined leaves the index. */
  readonly dueAt?: string;
}

export interface RectificationWrite {
  readonly expectedVersion: number | undefined;
  readonly rect: Rectification;
  readonly dueAt?: string;
}

/** One state change of one case, written in one transaction. */
export interface ReviewChange {
  readonly caseId: string;
  readonly caseWrite?: CaseWrite;
  readonly rectWrite?: RectificationWrite;
  readonly figureDeltas?: readonly FigureDelta[];
  readonly audits?: readonly AuditEntry[];
  readonly rejections?: readonly Rejection[];
  readonly outbound?: readonly OutboundEvent[];
  /**
   * What became of the events this change answers (the event itself, reviews parked for the case). The
   * change's version condition makes it happen once, so the receipts need no condition of their own.
   */
  readonly receipts?: readonly Receipt[];
}


function versionCondition(expected: number | undefined) {
  return expected === undefined
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expected } };
}

function dueAttributes(duePk: string, dueAt: string | undefined) {
  return dueAt === undefined ? {} : { duePk, dueAt };
}

/** The counter ADDs of some figure deltas, one Update per row (rows of the same key summed first). */
export function counterUpdates(deltas: readonly FigureDelta[]): TransactItem[] {
  const rows = new Map<string, { key: { pk: string; sk: string }; dimension: Dimension; rowKey: string; period: Period; add: Partial<Record<CounterName, number>> }>();
  for (const delta of deltas) {
    for (const row of counterDeltas(delta)) {
      const key = figureKey(row.dimension, row.key, row.period);
      const id = `${key.pk}|${key.sk}`;
      let acc = rows.get(id);
      if (!acc) {
        acc = { key, dimension: row.dimension, rowKey: row.key, period: row.period, add: {} };
        rows.set(id, acc);
      }
      for (const [name, amount] of Object.entries(row.add) as [CounterName, number][]) {
        acc.add[name] = (acc.add[name] ?? 0) + amount;
      }
    }
  }
  const items: TransactItem[] = [];
  for (const row of rows.values()) {
    const adds = (Object.entries(row.add) as [CounterName, number][]).filter(([, amount]) => amount !== 0);
    if (adds.length === 0) continue;
    const names: Record<string, string> = { '#dim': 'dimension', '#key': 'key', '#gran': 'granularity', '#period': 'period' };
    const values: Record<string, unknown> = {
      ':dim': row.dimension,
      ':key': row.rowKey,
      ':gran': row.period.granularity,
      ':period': row.period.value,
    };
    const addParts = adds.map(([name, amount], i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = amount;
      return `#c${i} :c${i}`;
    });
    items.push({
      Update: {
        TableName: table(),
        Key: row.key,
        UpdateExpression: `SET #dim = :dim, #key = :key, #gran = :gran, #period = :period ADD ${addParts.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    });
  }
  return items;
}

export function transactItems(change: ReviewChange): TransactItem[] {
  return [...ownItems(change), ...counterUpdates(change.figureDeltas ?? [])];
}

/** A change's items other than its counters (which a group of changes writes summed). */
function ownItems(change: ReviewChange): TransactItem[] {
  const items: TransactItem[] = [];
  const { caseId } = change;
  if (change.caseWrite) {
    const w = change.caseWrite;
    items.push({
      Put: {
        TableName: table(),
        Item: {
          ...caseKey(caseId),
          kind: 'case',
          caseId,
          version: w.version,
          ...(w.state ? { state: w.state } : {}),
          ...(w.parked && w.parked.length > 0 ? { parked: w.parked } : {}),
          ...dueAttributes(DUE_INVITE, w.dueAt),
        },
        ...versionCondition(w.expectedVersion),
      },
    });
  }
  if (change.rectWrite) {
    const w = change.rectWrite;
    items.push({
      Put: {
        TableName: table(),
        Item: { ...rectKey(caseId), kind: 'rectification', caseId, version: w.rect.version, rect: w.rect, ...dueAttributes(DUE_RECT, w.dueAt) },
        ...versionCondition(w.expectedVersion),
      },
    });
  }
  for (const entry of change.audits ?? []) items.push({ Put: auditPut(entry) });
  // Inside a transaction the rejection is written with the change that decided it, so no condition:
  // the transaction as a whole happens once.
  for (const r of change.rejections ?? []) {
    items.push({ Put: { TableName: table(), Item: { ...rejectionKey(caseId, r.kind, r.ref), kind: 'rejection', caseId, rejection: r } } });
  }
  for (const event of change.outbound ?? []) {
    items.push({ Put: { TableName: table(), Item: { pk: `CASE#${caseId}`, sk: `OUTBOX#${event.id}`, kind: 'outbox', event } } });
  }
  for (const receipt of change.receipts ?? []) items.push(receiptPut(receipt, 'replace'));
  return items;
}

/**
 * Writes one change atomically. Throws `VersionConflict` when a condition failed (a state item moved
 * on, or the change was already made); any other error is an infrastructure error for SQS to retry.
 */
export async function commitChange(change: ReviewChange): Promise<void> {
  const items = transactItems(change);
  if (items.length === 0) return;
  if (items.length > MAX_TRANSACTION_ITEMS) {
    throw new Error(`case ${change.caseId}: a change of ${items.length} items exceeds DynamoDB's ${MAX_TRANSACTION_ITEMS}-item transaction`);
  }
  try {
    await ddb.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    const reasons = cancellationCodes(error);
    if (reasons && (reasons.length === 0 || reasons.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict'))) {
      throw new VersionConflict(change.caseId, reasons.join(','));
    }
    throw error;
  }
}

/** Publishes the outbox of a case (what a committed change produced), then deletes what was sent. */
export async function flushOutbox(caseId: string, events: readonly OutboundEvent[]): Promise<void> {
  await flushOutboxes([{ caseId, outbound: events }]);
}

/** Publishes the outboxes of several cases in one go, then deletes what was sent (25 per request). */
export async function flushOutboxes(changes: readonly Pick<ReviewChange, 'caseId' | 'outbound'>[]): Promise<void> {
  const keys = changes.flatMap((c) => (c.outbound ?? []).map((event) => ({ pk: `CASE#${c.caseId}`, sk: `OUTBOX#${event.id}` })));
  if (keys.length === 0) return;
  await publish(changes.flatMap((c) => c.outbound ?? []));
  await batchWriteAll(table(), keys.map((Key) => ({ DeleteRequest: { Key } })));
}

/**
 * The review consumer's group-commit writer (platform/group-commit.ts): the changes of several cases (one
 * per case) in as few transactions as fit, each case's items as `commitChange` writes them and the counter
 * rows of all of them summed (one ADD per row per transaction).
 */
export function commitChanges(changes: readonly ReviewChange[]): Promise<CommitResult[]> {
  return writeChanges(changes.map(ownItems), {
    keysOf: (i) => counterRowKeys(changes[i]!.figureDeltas ?? []),
    items: (indices) => counterUpdates(indices.flatMap((i) => changes[i]!.figureDeltas ?? [])),
  });
}

/** The counter rows some deltas add to (before dropping sums that come to zero: an upper bound). */
function counterRowKeys(deltas: readonly FigureDelta[]): string[] {
  return deltas.flatMap((delta) =>
    counterDeltas(delta).map((row) => {
      const key = figureKey(row.dimension, row.key, row.period);
      return `${key.pk}|${key.sk}`;
    }),
  );
}

/**
 * Records a refusal, its audit line and the event's receipt once, in one transaction (the refusal record is
 * create-only). A redelivered refusal keeps the first record (returns false).
 */
export async function recordRejection(caseId: string, rejection: Rejection, audit: AuditEntry, receipt?: Receipt): Promise<boolean> {
  try {
    await ddb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table(),
              Item: { ...rejectionKey(caseId, rejection.kind, rejection.ref), kind: 'rejection', caseId, rejection },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: auditPut(audit) },
          ...(receipt ? [receiptPut(receipt, 'replace')] : []),
        ],
      }),
    );
    return true;
  } catch (error) {
    if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') return false;
    throw error;
  }
}

/** Case ids whose due instant has come, from the sparse due index (eventually consistent: reload each). */
export async function dueCaseIds(duePk: typeof DUE_INVITE | typeof DUE_RECT, now: string, limit = 5000): Promise<string[]> {
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await ddb.send(
      new QueryCommand({
        TableName: table(),
        IndexName: 'byDue',
        KeyConditionExpression: 'duePk = :due AND dueAt <= :now',
        ExpressionAttributeValues: { ':due': duePk, ':now': now },
        ProjectionExpression: 'caseId',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of out.Items ?? []) ids.push(item.caseId as string);
    startKey = out.LastEvaluatedKey;
  } while (startKey && ids.length < limit);
  return [...new Set(ids)];
}

function countersOf(item: Record<string, unknown> | undefined): Counters {
  const counters = emptyCounters();
  if (item) for (const name of COUNTER_NAMES) if (typeof item[name] === 'number') counters[name] = item[name];
  return counters;
}

/** The counters of one figure row (all zero when nothing was ever counted there). */
export async function getCounters(dimension: Dimension, key: string, period: Period): Promise<Counters> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: figureKey(dimension, key, period) }));
  return countersOf(out.Item);
}

/** Every key of a dimension with counters in a period, with its counters, sorted by key. */
export async function listCounters(dimension: Dimension, period: Period): Promise<{ key: string; counters: Counters }[]> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': figureKey(dimension, '', period).pk },
  });
  const rows = items.map((item) => ({ key: item.sk as string, counters: countersOf(item) }));
  return rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
