/**
 * The transaction items of a review change: the state items with their version conditions and due index
 * attributes, the counter ADDs (rows of the same key summed first), audit lines, refusals, the outbox and
 * receipts.
 */
import { auditPut } from '#platform/audit';
import { receiptPut } from '#platform/receipts';
import type { TransactItem } from '#platform/transactions';
import { counterDeltas } from '../domain/figures';
import type { CounterName, FigureDelta } from '../domain/types';
import type { ReviewChange } from '../ports';
import { DEFAULT_SYNC_CONFIG } from '../domain/upward/sync';
import { syncCreate } from './sync';
import { caseKey, DUE_PK, figureKey, outboxKey, rectKey, rejectionKey, table } from './keys';

function versionCondition(expected: number | undefined) {
  return expected === undefined
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expected } };
}

function dueAttributes(duePk: string, dueAt: string | undefined) {
  return dueAt === undefined ? {} : { duePk, dueAt };
}

interface RowSum {
  readonly key: { pk: string; sk: string };
  readonly add: Partial<Record<CounterName, number>>;
}

function sumRows(deltas: readonly FigureDelta[]): RowSum[] {
  const rows = new Map<string, RowSum>();
  for (const delta of deltas) {
    for (const row of counterDeltas(delta)) {
      const key = figureKey(row.dimension, row.key, row.period);
      const id = `${key.pk}|${key.sk}`;
      let acc = rows.get(id);
      if (!acc) {
        acc = { key, add: {} };
        rows.set(id, acc);
      }
      for (const [name, amount] of Object.entries(row.add) as [CounterName, number][]) {
        acc.add[name] = (acc.add[name] ?? 0) + amount;
      }
    }
  }
  return [...rows.values()];
}

/**
 * The counter ADDs of some figure deltas, one Update per row (rows of the same key summed first). A row is
 * its key and its counters: the dimension, period and key are in `pk` and `sk` (`figureKey`), so the update
 * sets nothing else (each attribute more in a transaction item is more for DynamoDB Local to parse).
 */
export function counterUpdates(deltas: readonly FigureDelta[]): TransactItem[] {
  const items: TransactItem[] = [];
  for (const row of sumRows(deltas)) {
    const adds = (Object.entries(row.add) as [CounterName, number][]).filter(([, amount]) => amount !== 0);
    if (adds.length === 0) continue;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const addParts = adds.map(([name, amount], i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = amount;
      return `#c${i} :c${i}`;
    });
    items.push({
      Update: {
        TableName: table(),
        Key: row.key,
        UpdateExpression: `ADD ${addParts.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    });
  }
  return items;
}

/** The counter rows some deltas add to (before dropping sums that come to zero: an upper bound). */
export function counterRowKeys(deltas: readonly FigureDelta[]): string[] {
  return deltas.flatMap((delta) =>
    counterDeltas(delta).map((row) => {
      const key = figureKey(row.dimension, row.key, row.period);
      return `${key.pk}|${key.sk}`;
    }),
  );
}

/** A change's items other than its counters (which a group of changes writes summed). */
export function ownItems(change: ReviewChange): TransactItem[] {
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
          ...dueAttributes(DUE_PK.invite, w.dueAt),
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
        Item: { ...rectKey(caseId), kind: 'rectification', caseId, version: w.rect.version, rect: w.rect, ...dueAttributes(DUE_PK.rectification, w.dueAt) },
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
    items.push({ Put: { TableName: table(), Item: { ...outboxKey(caseId, event.id), kind: 'outbox', event } } });
  }
  for (const receipt of change.receipts ?? []) items.push(receiptPut(receipt, 'replace'));
  // A new record is PENDING or REJECTED, never SENT: the timeout only matters to later writes.
  for (const record of change.syncRecords ?? []) items.push(syncCreate(record, DEFAULT_SYNC_CONFIG.sentTimeoutMs));
  return items;
}

/** Every item of one change written alone. */
export function transactItems(change: ReviewChange): TransactItem[] {
  return [...ownItems(change), ...counterUpdates(change.figureDeltas ?? [])];
}
