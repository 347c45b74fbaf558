/**
 * Reads shared by the records of one SQS batch: a consumer created with `unitOfWork: () => new BatchMemo()`
 * runs each record inside the batch's memo, and `memoInBatch(key, load)` loads a value once per batch
 * (every record of a batch is handled as at the moment of that read). Outside a batch it simply loads.
 * A record that changes what was read calls `forgetInBatch(key)`, so the records after it read again.
 * A failed load is not kept.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { UnitOfWork } from './group-commit';

const scope = new AsyncLocalStorage<Map<string, Promise<unknown>>>();

/** Runs `fn` with `memo` as the batch's memo (a unit of work gives each record its batch's). */
export function withMemo<T>(memo: Map<string, Promise<unknown>>, fn: () => T): T {
  return scope.run(memo, fn);
}

export class BatchMemo implements UnitOfWork {
  private readonly memo = new Map<string, Promise<unknown>>();

  run(_messageId: string, fn: () => Promise<void>): Promise<void> {
    return withMemo(this.memo, fn);
  }

  /** Nothing waits to be written: no record fails here. */
  async commit(): Promise<ReadonlySet<string>> {
    this.memo.clear();
    return new Set();
  }
}

export function memoInBatch<T>(key: string, load: () => Promise<T>): Promise<T> {
  const memo = scope.getStore();
  return memo === undefined ? load() : memoIn(memo, key, load);
}

/** `load()` once per key in `memo`, shared by every caller while it runs; a failed load is not kept. */
export function memoIn<T>(memo: Map<string, Promise<unknown>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = memo.get(key) as Promise<T> | undefined;
  if (value === undefined) {
    value = load();
    memo.set(key, value);
    value.catch(() => memo.delete(key));
  }
  return value;
}

export function forgetInBatch(key: string): void {
  scope.getStore()?.delete(key);
}

/**
 * Read-ahead: a value read for the records of the batch before they run (`UnitOfWork.prepare`), for each
 * record that asks (`primed`) — as if they had all read it at the batch's start. Use it only for what no
 * record of the batch changes (else `takePrimed`).
 */
export function primeInBatch(key: string, value: unknown): void {
  scope.getStore()?.set(`primed:${key}`, Promise.resolve(value));
}

export function primed<T>(key: string): Promise<T> | undefined {
  return scope.getStore()?.get(`primed:${key}`) as Promise<T> | undefined;
}

/**
 * A value read ahead for something the batch's records do change (a case they write): the first record that
 * asks takes it, and it is gone for the records after, which read for themselves.
 */
export function takePrimed<T>(key: string): Promise<T> | undefined {
  const value = primed<T>(key);
  scope.getStore()?.delete(`primed:${key}`);
  return value;
}
