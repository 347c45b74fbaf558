import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '#platform/aws';
import type { TransactItem } from '#platform/transactions';

export type { TransactItem };

const isCancelled = (e: unknown): e is TransactionCanceledException => e instanceof TransactionCanceledException;
export const isConditionFailure = (e: unknown) => (e as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a transaction, retrying only what is nobody's fault: conflicts with another transaction on a hot
 * item. A failed condition is returned with the indexes of the items whose condition failed.
 */
export async function transact(items: TransactItem[]): Promise<{ ok: true } | { ok: false; failed: number[] }> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ddb.send(new TransactWriteCommand({ TransactItems: items }));
      return { ok: true };
    } catch (error) {
      if (!isCancelled(error)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failed = reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : []));
      if (failed.length > 0) return { ok: false, failed };
      const conflict = reasons.some((r) => r.Code === 'TransactionConflict') || reasons.length === 0;
      if (!conflict || attempt >= 12) throw error;
      // Jitter (adapter, not domain): racing writers of one hot item must not retry in lockstep.
      await sleep(Math.min(400, 5 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }
}
