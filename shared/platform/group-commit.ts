/**
 * Group commit: the writes of a whole SQS batch in one transaction instead of one per record.
 *
 * Why: every state change is one DynamoDB transaction (state + counters + audit + outbox). Ten records of a
 * batch usually add to the same counter rows (same department, day…), so ten transactions write
 * those rows ten times; one transaction writes each row once with the sum. That divides the items written,
 * the requests, and so the cost and the load on DynamoDB, by several.
 *
 * How: a consumer created with a unit of work (`sqsConsumer(handler, { unitOfWork })`) runs each record
 * inside `run(messageId, fn)`. A use case that would commit a change calls `unit.defer(change)` instead
 * (`currentUnit()` tells it whether it runs in one); the change waits, keyed by its aggregate (e.g. a case
 * id). Before a use case loads an aggregate it calls `beforeLoad(key)`: if a change of that key is
 * waiting, everything waiting is written first, so each record still decides on the state the records
 * before it left (records of one batch keep their order, as without the unit). After the last record the
 * consumer calls `commit()`.
 *
 * Nothing is lost or done twice:
 * - the writer reports each change as committed, conflicted or failed. A conflicted change (its condition
 *   failed: a concurrent or redelivered change won) is redone: its record's whole handler runs again,
 *   outside the unit, and reloads and decides again on fresh state — the same path as without the unit.
 * - a change that failed to write (DynamoDB unavailable), or whose redo threw, fails its record: SQS
 *   retries it (batchItemFailures) and it reaches the DLQ after the queue's max receives, as before;
 * - a record that throws has its waiting change dropped (never half-written); SQS retries it;
 * - what a record says about its outcome (metrics, log lines) waits in `afterCommit` until its change is
 *   written, so a redone record is not counted twice.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { withMemo } from './batch-memo';

export type CommitResult = 'committed' | 'conflict' | 'failed';

export interface GroupWriter<C> {
  /** The aggregate a change belongs to: at most one waiting change per key is written at once. */
  keyOf(change: C): string;
  /** Writes changes of distinct keys; one result per change, in order. Must not throw. */
  write(changes: readonly C[]): Promise<CommitResult[]>;
  /**
   * Sends what the committed changes produced (their outboxes). If it throws, their records fail and SQS
   * retries them; the retry finds the change made and sends the outbox then.
   */
  afterWrite?(changes: readonly C[]): Promise<void>;
  /**
   * Reads ahead for the whole batch before its records run (e.g. one BatchGetItem for every record's keys),
   * priming the batch's memo (batch-memo.ts `primeInBatch`). Best effort: if it throws, each record reads
   * for itself.
   */
  prepare?(events: readonly unknown[]): Promise<void>;
}

/** What a unit of work did: its writes (each one or more transactions), the changes in them, records redone. */
export interface CommitStats {
  writes: number;
  changes: number;
  redone: number;
}

/** What `sqsConsumer` needs from a unit of work. */
export interface UnitOfWork {
  /** Read after `commit()`: the consumer reports the records redone as a metric. */
  readonly stats?: Readonly<CommitStats>;
  run(messageId: string, fn: () => Promise<void>): Promise<void>;
  /** Writes what is waiting and redoes conflicts; returns the message ids that must fail. Never throws. */
  commit(): Promise<ReadonlySet<string>>;
  /**
   * Why a record `commit()` failed did fail, for its "record failed" line: the error of its write or of its
   * outbox's send, or a sentence when the writer reported it failed (and logged why itself). `LOGGED` when
   * its redo threw: the record's handler logged that failure as it ran.
   */
  failureOf?(messageId: string): unknown;
  /** Called once with the batch's parsed events before its records run (read-ahead). Never throws. */
  prepare?(events: readonly unknown[]): Promise<void>;
}

interface Waiting<C> {
  readonly change: C;
  readonly messageId: string;
}

interface Scope {
  readonly unit: GroupCommit<unknown>;
  readonly messageId: string;
}

const scope = new AsyncLocalStorage<Scope>();

/** `failureOf`'s answer for a record whose redo threw: its handler has logged the failure already. */
export const LOGGED = Symbol('logged');

/** Why a change the writer reported `failed` failed: the writer logs its own error ("change not written"). */
const NOT_WRITTEN = 'its change was not written: the store refused it or was unavailable (see the "change not written" line before)';

/**
 * Every unit of work of this process, summed. In Lambda the consumer's metric reports each invocation's; the
 * local runtime runs every consumer in one process, so its bench reads these (`groupCommitTotals`).
 */
const totals: CommitStats = { writes: 0, changes: 0, redone: 0 };

export function groupCommitTotals(): Readonly<CommitStats> {
  return { ...totals };
}

export class GroupCommit<C> implements UnitOfWork {
  private waiting: Waiting<C>[] = [];
  private readonly keys = new Set<string>();
  private readonly redo = new Map<string, () => Promise<void>>();
  private readonly after = new Map<string, Array<() => void>>();
  /** The records that must fail, with why (failureOf). */
  private readonly failed = new Map<string, unknown>();
  /** The batch's memo (batch-memo.ts): what was read ahead, shared by its records. */
  private readonly memo = new Map<string, Promise<unknown>>();
  /** What the unit did (writes, changes written, records redone). */
  readonly stats: CommitStats = { writes: 0, changes: 0, redone: 0 };

  /** Present when the writer reads ahead, so a consumer parses its batch up front only then. */
  readonly prepare?: (events: readonly unknown[]) => Promise<void>;

  constructor(private readonly writer: GroupWriter<C>) {
    const { prepare } = writer;
    if (prepare === undefined) return;
    this.prepare = async (events) => {
      try {
        await withMemo(this.memo, () => prepare.call(writer, events));
      } catch {
        // Best effort: the records read for themselves.
      }
    };
  }

  async run(messageId: string, fn: () => Promise<void>): Promise<void> {
    this.redo.set(messageId, fn);
    try {
      await withMemo(this.memo, () => scope.run({ unit: this as GroupCommit<unknown>, messageId }, fn));
    } catch (error) {
      // Never half-written: what this record deferred is dropped, and SQS retries the record.
      this.drop(messageId);
      throw error;
    }
  }

  /** Called by the use case in place of its own commit. */
  defer(change: C): void {
    const ctx = scope.getStore();
    if (!ctx || ctx.unit !== (this as GroupCommit<unknown>)) throw new Error('defer() called outside its unit of work');
    const key = this.writer.keyOf(change);
    if (this.keys.has(key)) throw new Error(`a change of ${key} is already waiting: call beforeLoad(key) before deciding`);
    this.keys.add(key);
    this.waiting.push({ change, messageId: ctx.messageId });
  }

  /**
   * Writes everything waiting when a change of `key` is among it, so the caller loads fresh state. True when
   * it did (the aggregate then exists, or its write conflicted and its record is being redone).
   */
  async beforeLoad(key: string): Promise<boolean> {
    if (!this.keys.has(key)) return false;
    await this.flush();
    return true;
  }

  /** Runs `fn` once the current record's waiting change is written (at once if it has none). */
  afterCommit(messageId: string, fn: () => void): void {
    if (!this.waiting.some((w) => w.messageId === messageId)) {
      fn();
      return;
    }
    const list = this.after.get(messageId) ?? [];
    list.push(fn);
    this.after.set(messageId, list);
  }

  async commit(): Promise<ReadonlySet<string>> {
    await this.flush();
    return new Set(this.failed.keys());
  }

  failureOf(messageId: string): unknown {
    return this.failed.get(messageId);
  }

  /** The first reason a record failed is kept: a later one (its redo) is a consequence of it. */
  private fail(messageId: string, why: unknown): void {
    if (!this.failed.has(messageId)) this.failed.set(messageId, why);
  }

  private drop(messageId: string): void {
    const kept = this.waiting.filter((w) => w.messageId !== messageId);
    if (kept.length === this.waiting.length) return;
    this.waiting = kept;
    this.keys.clear();
    for (const w of kept) this.keys.add(this.writer.keyOf(w.change));
    this.after.delete(messageId);
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    this.keys.clear();
    if (batch.length === 0) return;
    let results: CommitResult[];
    let thrown: unknown;
    try {
      results = await this.writer.write(batch.map((w) => w.change));
    } catch (error) {
      // A writer must not throw; one that does fails every change it was given, each record saying why.
      thrown = error;
      results = batch.map(() => 'failed');
    }
    this.stats.writes++;
    this.stats.changes += batch.length;
    totals.writes++;
    totals.changes += batch.length;
    const committed = batch.filter((_, i) => results[i] === 'committed');
    if (committed.length > 0 && this.writer.afterWrite) {
      try {
        await this.writer.afterWrite(committed.map((w) => w.change));
      } catch (error) {
        // Written, but what it produced not sent: the retry finds the change made and sends it then.
        for (const w of committed) this.fail(w.messageId, error);
      }
    }
    for (const w of committed) {
      for (const fn of this.after.get(w.messageId) ?? []) fn();
      this.after.delete(w.messageId);
    }
    for (let i = 0; i < batch.length; i++) {
      const w = batch[i]!;
      if (results[i] === 'committed') continue;
      this.after.delete(w.messageId);
      if (results[i] === 'failed') {
        this.fail(w.messageId, thrown ?? NOT_WRITTEN);
        continue;
      }
      // A conflict: the record runs again on its own, outside the unit, on fresh state.
      this.stats.redone++;
      totals.redone++;
      const fn = this.redo.get(w.messageId)!;
      try {
        await scope.exit(fn);
      } catch {
        this.fail(w.messageId, LOGGED);
      }
    }
  }
}

/** The unit of work the current record runs in, if any. */
export function currentUnit<C>(): { unit: GroupCommit<C>; messageId: string } | undefined {
  const ctx = scope.getStore();
  return ctx ? { unit: ctx.unit as GroupCommit<C>, messageId: ctx.messageId } : undefined;
}

/** Runs `fn` after the current record's deferred change is written, or now outside a unit of work. */
export function afterCommit(fn: () => void): void {
  const ctx = scope.getStore();
  if (ctx) ctx.unit.afterCommit(ctx.messageId, fn);
  else fn();
}
