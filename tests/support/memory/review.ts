/**
 * In-memory adapters of the review ports (shared/review/ports.ts), for unit tests of the use cases: a store
 * that keeps what the DynamoDB adapter keeps (case records, rectifications, refusals, outboxes, counter rows
 * added per row, audit lines, receipts, the due indexes) with the same conditions — a state item written on
 * its loaded version or created once, audit lines and refusals create-only, a change all or nothing — and a
 * publisher, clock, metrics and log that record what they are given. tests/adapter/review-store.test.ts
 * holds the DynamoDB adapter to the same behaviour.
 */
import { createCalendar } from '#calendar';
import type { OutboundEvent } from '#contract/outbound';
import type { AuditEntry } from '#platform/audit';
import type { CommitResult } from '#platform/group-commit';
import type { Receipt } from '#platform/receipts';
import { addCounters, counterDeltas, daysOf, DIMENSIONS, emptyCounters, figuresFromCounters, rowId, sourcesOf, sumByKey, type Dimension, type Figures, type Period, type RowKind } from '#review/domain/figures';
import { DEFAULT_REVIEW_CONFIG, type CaseReviewState, type CounterName, type Rectification, type Review, type ReviewConfig } from '#review/domain/types';
import {
  VersionConflict,
  type CaseBundle,
  type DueQueue,
  type FigureRow,
  type LogSink,
  type MetricsSink,
  type MetricValue,
  type Rejection,
  type ReviewChange,
  type ReviewPorts,
  type ReviewStore,
  type SyncStore,
  type SyncWrite,
} from '#review/ports';
import type { PlatformAnswer, SyncRecord, SyncState } from '#review/domain/upward/sync';

interface CaseItem {
  readonly version: number;
  readonly state?: CaseReviewState;
  readonly parked: readonly Review[];
  readonly dueAt?: string;
}

interface RectItem {
  readonly rect: Rectification;
  readonly dueAt?: string;
}

const copy = <T>(value: T): T => structuredClone(value);
const rowOf = (dimension: RowKind, period: Period) => `${dimension}#${period.granularity}#${period.value}`;
const auditKey = (a: AuditEntry) => `${a.subject}|${a.at}#${a.action}#${a.causeId}`;
const receiptKey = (r: Pick<Receipt, 'source' | 'id'>) => `${r.source}#${r.id}`;
const rejectionKey = (caseId: string, r: Rejection) => `${caseId}|${r.kind}|${r.ref}`;

export class MemoryReviewStore implements ReviewStore {
  readonly cases = new Map<string, CaseItem>();
  readonly rects = new Map<string, RectItem>();
  readonly rejections = new Map<string, Rejection>();
  readonly outboxes = new Map<string, Map<string, OutboundEvent>>();
  /** Counter rows: `<dimension>#<granularity>#<period>` → key → counters. */
  readonly counters = new Map<string, Map<string, Record<CounterName, number>>>();
  readonly audits = new Map<string, AuditEntry>();
  readonly receipts = new Map<string, Receipt>();
  /** Upward-sync records created by changes (shared with a `MemorySyncStore`). */
  readonly syncRecords = new Map<string, SyncRecord>();
  /** Calls of `commit` and `commitMany`, and the changes each wrote. */
  readonly writes: { readonly kind: 'commit' | 'commitMany'; readonly changes: number }[] = [];

  /** The case ids `loadCase` was called with, in order. */
  readonly loads: string[] = [];

  /** The case ids of each `loadCases` call (a batch's read-ahead). */
  readonly loadsAhead: string[][] = [];

  async loadCases(caseIds: readonly string[]): Promise<ReadonlyMap<string, CaseBundle>> {
    this.loadsAhead.push([...caseIds]);
    return new Map(caseIds.map((id) => [id, this.bundleOf(id)]));
  }

  async loadCase(caseId: string): Promise<CaseBundle> {
    this.loads.push(caseId);
    return this.bundleOf(caseId);
  }

  private bundleOf(caseId: string): CaseBundle {
    const item = this.cases.get(caseId);
    const rect = this.rects.get(caseId);
    return copy({
      caseId,
      ...(item ? { record: { version: item.version, ...(item.state ? { state: item.state } : {}), parked: item.parked } } : {}),
      ...(rect ? { rectification: rect.rect } : {}),
      rejections: [...this.rejections.entries()].filter(([k]) => k.startsWith(`${caseId}|`)).map(([, r]) => r),
      outbox: [...(this.outboxes.get(caseId)?.values() ?? [])],
    });
  }

  /** Why the change cannot be written as a whole, if it cannot (what DynamoDB's conditions would refuse). */
  private conflictOf(change: ReviewChange): string | undefined {
    const held = (current: { version: number } | undefined, expected: number | undefined) =>
      expected === undefined ? current === undefined : current?.version === expected;
    if (change.caseWrite && !held(this.cases.get(change.caseId), change.caseWrite.expectedVersion)) return 'case version';
    const rect = this.rects.get(change.caseId)?.rect;
    if (change.rectWrite && !held(rect, change.rectWrite.expectedVersion)) return 'rectification version';
    if ((change.audits ?? []).some((a) => this.audits.has(auditKey(a)))) return 'audit line exists';
    return undefined;
  }

  private apply(change: ReviewChange): void {
    const { caseId } = change;
    const c = change.caseWrite;
    if (c) this.cases.set(caseId, copy({ version: c.version, ...(c.state ? { state: c.state } : {}), parked: c.parked ?? [], ...(c.dueAt ? { dueAt: c.dueAt } : {}) }));
    const r = change.rectWrite;
    if (r) this.rects.set(caseId, copy({ rect: r.rect, ...(r.dueAt ? { dueAt: r.dueAt } : {}) }));
    for (const delta of change.figureDeltas ?? []) {
      for (const row of counterDeltas(delta)) {
        const rows = this.counters.get(rowOf(row.dimension, row.period)) ?? new Map<string, Record<CounterName, number>>();
        this.counters.set(rowOf(row.dimension, row.period), rows);
        addCounters(rows.get(row.key) ?? rows.set(row.key, emptyCounters()).get(row.key)!, row.add);
      }
    }
    for (const a of change.audits ?? []) this.audits.set(auditKey(a), copy(a));
    for (const rejection of change.rejections ?? []) this.rejections.set(rejectionKey(caseId, rejection), copy(rejection));
    for (const event of change.outbound ?? []) {
      const box = this.outboxes.get(caseId) ?? new Map<string, OutboundEvent>();
      this.outboxes.set(caseId, box.set(event.id, copy(event)));
    }
    for (const receipt of change.receipts ?? []) this.receipts.set(receiptKey(receipt), copy(receipt));
    for (const record of change.syncRecords ?? []) this.syncRecords.set(record.recordId, copy(record));
  }

  async commit(change: ReviewChange): Promise<void> {
    this.writes.push({ kind: 'commit', changes: 1 });
    const conflict = this.conflictOf(change);
    if (conflict) throw new VersionConflict(change.caseId, conflict);
    this.apply(change);
  }

  async commitMany(changes: readonly ReviewChange[]): Promise<CommitResult[]> {
    this.writes.push({ kind: 'commitMany', changes: changes.length });
    return changes.map((change) => {
      if (this.conflictOf(change)) return 'conflict';
      this.apply(change);
      return 'committed';
    });
  }

  async clearOutbox(sent: readonly Pick<ReviewChange, 'caseId' | 'outbound'>[]): Promise<void> {
    for (const c of sent) for (const event of c.outbound ?? []) this.outboxes.get(c.caseId)?.delete(event.id);
  }

  async recordRejection(caseId: string, rejection: Rejection, audit: AuditEntry, receipt?: Receipt): Promise<boolean> {
    if (this.rejections.has(rejectionKey(caseId, rejection))) return false;
    this.rejections.set(rejectionKey(caseId, rejection), copy(rejection));
    this.audits.set(auditKey(audit), copy(audit));
    if (receipt) this.receipts.set(receiptKey(receipt), copy(receipt));
    return true;
  }

  async recordReceipt(receipt: Receipt): Promise<void> {
    if (!receipt.type.startsWith('gov.') || this.receipts.has(receiptKey(receipt))) return;
    this.receipts.set(receiptKey(receipt), copy(receipt));
  }

  async dueCaseIds(queue: DueQueue, now: string): Promise<string[]> {
    const items: [string, { dueAt?: string }][] = queue === 'invite' ? [...this.cases] : [...this.rects];
    return items.filter(([, item]) => item.dueAt !== undefined && item.dueAt <= now).map(([caseId]) => caseId);
  }

  /** As the DynamoDB store reads them: each of the dimension's sources' rows (`sourcesOf`) of each day, summed per key. */
  async listCounters(dimension: Dimension, period: Period): Promise<FigureRow[]> {
    return this.summed(dimension, period);
  }

  /** The figures of one row, as the query routes compute them; undefined when nothing was counted there. */
  figures(dimension: Dimension, key: string, period: Period): Figures | undefined {
    const row = this.summed(dimension, period).find((r) => r.key === key);
    return row && figuresFromCounters(row.counters);
  }

  private summed(dimension: Dimension, period: Period): FigureRow[] {
    return sumByKey(
      sourcesOf(dimension).flatMap((source) =>
        daysOf(period).flatMap((day) => [...(this.counters.get(rowOf(source.rows, day)) ?? [])].map(([key, counters]) => ({ key: source.keyOf(key), counters }))),
      ),
    );
  }

  /**
   * Every row of figures as the reads give them, by `<dimension>#<key>#<granularity>#<period>` (figures.ts
   * `rowId`): each day's and each month's, of every dimension, `all` included.
   */
  counterRows(): Map<string, Record<CounterName, number>> {
    const out = new Map<string, Record<CounterName, number>>();
    for (const [row, keys] of this.counters) {
      const [stored, granularity, value] = row.split('#') as [RowKind, 'day', string];
      for (const dimension of DIMENSIONS) {
        for (const source of sourcesOf(dimension).filter((s) => s.rows === stored)) {
          for (const [key, counters] of keys) {
            const shown = source.keyOf(key);
            if (shown === undefined) continue;
            for (const id of [rowId(dimension, shown, { granularity, value }), rowId(dimension, shown, { granularity: 'month', value: value.slice(0, 7) })]) {
              out.set(id, addCounters(out.get(id) ?? emptyCounters(), counters));
            }
          }
        }
      }
    }
    return out;
  }
}

/**
 * The upward-sync outbox in memory, on the review store's records: writes conditional on the version, due
 * records as the `byDue` index lists them, records of a state in the order their events happened.
 */
export class MemorySyncStore implements SyncStore {
  readonly audits: AuditEntry[] = [];
  constructor(
    readonly records: Map<string, SyncRecord>,
    private readonly sentTimeoutMs: number,
  ) {}

  async getRecord(recordId: string): Promise<SyncRecord | undefined> {
    const r = this.records.get(recordId);
    return r && copy(r);
  }

  async writeRecord(write: SyncWrite): Promise<boolean> {
    if (this.records.get(write.next.recordId)?.version !== write.expectedVersion) return false;
    this.records.set(write.next.recordId, copy(write.next));
    if (write.audit) this.audits.push(copy(write.audit));
    return true;
  }

  private dueAt(r: SyncRecord): string | undefined {
    if (r.state === 'PENDING') return r.nextAttemptAt;
    if (r.state === 'SENT' && r.sentAt) return new Date(Date.parse(r.sentAt) + this.sentTimeoutMs).toISOString();
    return undefined;
  }

  async dueRecords(now: string, limit: number): Promise<SyncRecord[]> {
    return [...this.records.values()].filter((r) => (this.dueAt(r) ?? '9') <= now).slice(0, limit).map(copy);
  }

  private ordered(state: SyncState): SyncRecord[] {
    const at = (r: SyncRecord) => `${new Date(r.sourceEventAt).toISOString()}#${r.recordId}`;
    return [...this.records.values()].filter((r) => r.state === state).sort((a, b) => (at(a) < at(b) ? -1 : 1));
  }

  async recordsInState(state: SyncState, range?: { readonly from: string; readonly to: string }): Promise<SyncRecord[]> {
    const inRange = (r: SyncRecord) => !range || (r.sourceEventAt >= range.from && r.sourceEventAt <= range.to);
    return this.ordered(state).filter(inRange).map(copy);
  }

  async oldestInState(state: SyncState): Promise<SyncRecord | undefined> {
    const r = this.ordered(state)[0];
    return r && copy(r);
  }
}

/** A platform that answers from a script: each send takes the next answer, then `fallback`; it keeps what it got. */
export class MemoryPlatform {
  readonly sent: SyncRecord[] = [];
  readonly script: PlatformAnswer[] = [];
  fallback: PlatformAnswer = { kind: 'ack' };

  async send(record: SyncRecord): Promise<PlatformAnswer> {
    this.sent.push(copy(record));
    return this.script.shift() ?? this.fallback;
  }

  sentIds(): string[] {
    return this.sent.map((r) => r.recordId);
  }
}

export class MemoryOutbound {
  readonly published: OutboundEvent[] = [];
  /** Publishes that fail before the next succeeds (an SQS outage). */
  failures = 0;

  async publish(events: readonly OutboundEvent[]): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('outbound queue unavailable');
    }
    this.published.push(...copy(events));
  }

  ofType(type: string): OutboundEvent[] {
    return this.published.filter((e) => e.type === type);
  }
}

export class MemoryMetrics implements MetricsSink {
  readonly counts: { name: string; value: number }[] = [];
  readonly singles: { dimensions: Readonly<Record<string, string>>; values: readonly MetricValue[] }[] = [];

  count(name: string, value = 1): void {
    this.counts.push({ name, value });
  }

  single(dimensions: Readonly<Record<string, string>>, values: readonly MetricValue[]): void {
    this.singles.push({ dimensions: { ...dimensions }, values: [...values] });
  }

  /** The sum of a count metric, whether written alone or under dimensions. */
  total(name: string): number {
    return (
      this.counts.filter((c) => c.name === name).reduce((n, c) => n + c.value, 0) +
      this.singles.flatMap((s) => s.values).filter((v) => v.name === name).reduce((n, v) => n + v.value, 0)
    );
  }
}

export class MemoryLog implements LogSink {
  readonly lines: { level: 'info' | 'error'; message: string; attributes: Record<string, unknown> }[] = [];

  info(message: string, attributes: Record<string, unknown> = {}): void {
    this.lines.push({ level: 'info', message, attributes });
  }

  error(message: string, attributes: Record<string, unknown> = {}): void {
    this.lines.push({ level: 'error', message, attributes });
  }

  messages(message: string): Record<string, unknown>[] {
    return this.lines.filter((l) => l.message === message).map((l) => l.attributes);
  }
}

export interface MemoryReview {
  readonly ports: ReviewPorts;
  readonly store: MemoryReviewStore;
  readonly outbound: MemoryOutbound;
  readonly metrics: MemoryMetrics;
  readonly log: MemoryLog;
  /** Sets the clock the use cases read. */
  setNow(now: string): void;
}

export const shanghai = createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true });

/** Ports of the review use cases, all in memory: Shanghai's calendar, the default deadlines, no district. */
export function memoryReview(options: { readonly now?: string; readonly config?: ReviewConfig; readonly district?: string } = {}): MemoryReview {
  const store = new MemoryReviewStore();
  const outbound = new MemoryOutbound();
  const metrics = new MemoryMetrics();
  const log = new MemoryLog();
  let now = options.now ?? '2026-09-10T02:00:00.000Z';
  const ports: ReviewPorts = {
    store,
    outbound,
    now: () => now,
    calendar: shanghai,
    config: options.config ?? DEFAULT_REVIEW_CONFIG,
    ...(options.district !== undefined ? { district: options.district } : {}),
    metrics,
    log,
  };
  return {
    ports,
    store,
    outbound,
    metrics,
    log,
    setNow(value: string) {
      now = value;
    },
  };
}
