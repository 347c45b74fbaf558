/**
 * Several aggregates' changes in as few DynamoDB transactions as fit, for the group commit
 * (group-commit.ts): each change's items are written all together or not at all, as one transaction of
 * its own would write them, a failed condition is pinned on the change that owns the item, and a change
 * the store refuses outright (an item over 400 KB) fails alone, logged.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ddb } from './aws';
import type { CommitResult } from './group-commit';
import { logger } from './powertools';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limit of items per transaction. */
export const MAX_TRANSACTION_ITEMS = 100;

/** The cancellation reason codes of a cancelled transaction, in item order (undefined: not a cancellation). */
export function cancellationCodes(error: unknown): string[] | undefined {
  if (error instanceof TransactionCanceledException || (error as Error | undefined)?.name === 'TransactionCanceledException') {
    return ((error as TransactionCanceledException).CancellationReasons ?? []).map((r) => r.Code ?? 'None');
  }
  return undefined;
}

export interface SharedItems {
  /** The keys of the shared items change `i` contributes to (one item per distinct key in a transaction). */
  keysOf(i: number): readonly string[];
  /** The shared items of the changes `indices`. */
  items(indices: readonly number[]): TransactItem[];
}

const NO_SHARED: SharedItems = { keysOf: () => [], items: () => [] };

/**
 * Writes `changes` (the items of one change each) in transactions of at most 100 items; `shared` adds
 * items computed over the changes of one transaction (e.g. counter rows summed over them, written once).
 * Per change: `committed`; `conflict` when one of its own conditions failed (the rest of its transaction
 * is then written without it) or a concurrent transaction kept conflicting; `failed` on any other error
 * (DynamoDB unavailable: the whole transaction; an item too large: that change alone, found by writing each
 * change of the refused transaction alone, so the others are written). Never throws.
 */
export async function writeChanges(changes: readonly (readonly TransactItem[])[], shared: SharedItems = NO_SHARED): Promise<CommitResult[]> {
  const results: CommitResult[] = changes.map(() => 'failed');
  const chunks: number[][] = [];
  let chunk: number[] = [];
  let own = 0;
  let keys = new Set<string>();
  for (let i = 0; i < changes.length; i++) {
    const rows = shared.keysOf(i);
    const added = new Set(rows.filter((k) => !keys.has(k))).size;
    if (chunk.length > 0 && own + changes[i]!.length + keys.size + added > MAX_TRANSACTION_ITEMS) {
      chunks.push(chunk);
      chunk = [];
      own = 0;
      keys = new Set();
    }
    chunk.push(i);
    own += changes[i]!.length;
    for (const k of rows) keys.add(k);
  }
  if (chunk.length > 0) chunks.push(chunk);
  for (const c of chunks) await writeChunk(changes, (indices) => shared.items(indices), c, results);
  return results;
}

async function writeChunk(
  changes: readonly (readonly TransactItem[])[],
  shared: (indices: readonly number[]) => TransactItem[],
  indices: number[],
  results: CommitResult[],
): Promise<void> {
  let live = indices;
  for (let attempt = 1; live.length > 0; attempt++) {
    const owners: number[] = [];
    const items: TransactItem[] = [];
    for (const i of live) {
      for (const item of changes[i]!) {
        items.push(item);
        owners.push(i);
      }
    }
    items.push(...shared(live));
    if (items.length > MAX_TRANSACTION_ITEMS) {
      // One change alone over the limit: its own commit reports it.
      for (const i of live) results[i] = 'conflict';
      return;
    }
    try {
      if (items.length > 0) await ddb.send(new TransactWriteCommand({ TransactItems: items }));
      for (const i of live) results[i] = 'committed';
      return;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes && live.length > 1 && isValidation(error)) {
        // Refused without naming an item (an item over 400 KB, a transaction over 4 MB): each change alone,
        // so one the store can never take does not fail the others of its batch. Any other error (DynamoDB
        // unreachable, throttled) fails them all at once, to be retried by SQS, not once per change.
        for (const i of live) await writeChunk(changes, shared, [i], results);
        return;
      }
      if (!codes) {
        logger.error('change not written', { error: error as Error });
        for (const i of live) results[i] = 'failed';
        return;
      }
      const conflicted = new Set(owners.filter((_, k) => codes[k] === 'ConditionalCheckFailed'));
      if (conflicted.size > 0) {
        for (const i of conflicted) results[i] = 'conflict';
        live = live.filter((i) => !conflicted.has(i));
        continue;
      }
      // A concurrent transaction on the same items (TransactionConflict) or a throttle: try again, then
      // leave each change to its own reload-and-decide.
      if (attempt >= 3) {
        for (const i of live) results[i] = 'conflict';
        return;
      }
      await new Promise((r) => setTimeout(r, 10 * attempt + Math.floor(Math.random() * 10)));
    }
  }
}

/** DynamoDB's refusal of the request itself, which no retry changes. */
function isValidation(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'ValidationException';
}
