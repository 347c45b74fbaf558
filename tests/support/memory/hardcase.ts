/**
 * The hard-case ports in memory, for unit tests of the service: a store that keeps the DynamoDB store's
 * conditions (create-only cases, audit lines, receipts and refusals, a refusal written with its line and
 * receipt; updates on the loaded version; a watch replaced only by a higher sequence and closed only at its
 * sequence), all-or-nothing per write, plus a publisher and a clock the test drives. Values are copied in
 * and out, as a table would.
 */
import { createCalendar } from '#calendar';
import type { OutboundEvent } from '#contract/outbound';
import { DEFAULT_HARDCASE_CONFIG, type HardCase, type HardCaseConfig } from '#hardcase/domain/index';
import type { CaseWrite, HardCasePorts, HardCaseStore, RefusedEvent, StoredCase, Watch } from '#hardcase/ports';
import type { AuditEntry } from '#platform/audit';
import { isInbound } from '#platform/inbound';
import type { Receipt } from '#platform/receipts';

const copy = <T>(value: T): T => structuredClone(value);

interface CaseRow {
  readonly hardCase: HardCase;
  readonly reportHash?: string;
  readonly month: string;
  readonly dueAt?: string;
}

export class MemoryHardCaseStore implements HardCaseStore {
  readonly cases = new Map<string, CaseRow>();
  readonly refused = new Map<string, RefusedEvent[]>();
  readonly outbox = new Map<string, Map<string, OutboundEvent>>();
  readonly receipts = new Map<string, Receipt>();
  readonly audits = new Map<string, AuditEntry>();
  readonly watches = new Map<string, Watch>();
  /** Writes that changed something (case writes committed). */
  commits = 0;
  /** The next N case writes fail their condition, as a concurrent change would make them. */
  conflictsToInject = 0;

  private refusedKeys = new Set<string>();

  async loadCase(caseId: string): Promise<StoredCase | undefined> {
    const row = this.cases.get(caseId);
    if (row === undefined) return undefined;
    return copy({
      hardCase: row.hardCase,
      ...(row.reportHash !== undefined ? { reportHash: row.reportHash } : {}),
      refused: this.refused.get(caseId) ?? [],
      outbox: [...(this.outbox.get(caseId)?.values() ?? [])],
    });
  }

  async writeCase(write: CaseWrite): Promise<'committed' | 'conflict'> {
    const caseId = write.hardCase.caseId;
    const row = this.cases.get(caseId);
    if (this.conflictsToInject > 0) {
      this.conflictsToInject--;
      return 'conflict';
    }
    const stateOk = write.expectedVersion === undefined ? row === undefined : row?.hardCase.version === write.expectedVersion;
    const auditsOk = write.audits.every((a) => !this.audits.has(auditKey(a)));
    const receiptOk = write.receipt === undefined || !this.receipts.has(receiptKey(write.receipt));
    const watch = write.closesWatch && this.watches.get(write.closesWatch.applicationId);
    const watchOk = write.closesWatch === undefined || watch?.sequence === write.closesWatch.sequence;
    if (!stateOk || !auditsOk || !receiptOk || !watchOk) return 'conflict';
    this.cases.set(caseId, copy({ hardCase: write.hardCase, reportHash: write.reportHash ?? row?.reportHash, month: write.month, dueAt: write.dueAt }));
    for (const a of write.audits) this.audits.set(auditKey(a), copy(a));
    const box = this.outbox.get(caseId) ?? new Map<string, OutboundEvent>();
    for (const e of write.outbound) box.set(e.id, copy(e));
    this.outbox.set(caseId, box);
    if (write.receipt !== undefined) this.receipts.set(receiptKey(write.receipt), copy(write.receipt));
    if (write.closesWatch !== undefined && watch !== undefined) {
      const { dueAt: _dueAt, ...rest } = watch;
      this.watches.set(watch.applicationId, { ...rest, offeredCaseId: caseId });
    }
    this.commits++;
    return 'committed';
  }

  async recordRefusal(caseId: string | undefined, refused: RefusedEvent, audit: AuditEntry, receipt: Receipt | undefined): Promise<boolean> {
    const key = `${caseId}|${refused.source}|${refused.eventId}`;
    const inbound = receipt !== undefined && isInbound(receipt);
    if (caseId === undefined && !inbound) return true;
    if (this.refusedKeys.has(key) || this.audits.has(auditKey(audit)) || (inbound && this.receipts.has(receiptKey(receipt)))) return false;
    this.audits.set(auditKey(audit), copy(audit));
    if (caseId !== undefined) {
      this.refusedKeys.add(key);
      this.refused.set(caseId, [...(this.refused.get(caseId) ?? []), copy(refused)]);
    }
    if (inbound) this.receipts.set(receiptKey(receipt), copy(receipt));
    return true;
  }

  async recordReceipt(receipt: Receipt): Promise<void> {
    if (!this.receipts.has(receiptKey(receipt))) this.receipts.set(receiptKey(receipt), copy(receipt));
  }

  async clearOutbox(caseId: string, eventIds: readonly string[]): Promise<void> {
    for (const id of eventIds) this.outbox.get(caseId)?.delete(id);
  }

  async loadWatch(applicationId: string): Promise<Watch | undefined> {
    const watch = this.watches.get(applicationId);
    return watch === undefined ? undefined : copy(watch);
  }

  async putWatch(watch: Watch): Promise<boolean> {
    const kept = this.watches.get(watch.applicationId);
    if (kept !== undefined && kept.sequence >= watch.sequence) return false;
    this.watches.set(watch.applicationId, copy(watch));
    return true;
  }

  async closeWatch(applicationId: string, sequence: number, caseId: string): Promise<boolean> {
    const watch = this.watches.get(applicationId);
    if (watch?.sequence !== sequence) return false;
    const { dueAt: _dueAt, ...rest } = watch;
    this.watches.set(applicationId, { ...rest, offeredCaseId: caseId });
    return true;
  }

  async dueCases(now: string): Promise<string[]> {
    return [...this.cases.values()].filter((r) => r.dueAt !== undefined && r.dueAt <= now).map((r) => r.hardCase.caseId);
  }

  async dueWatches(now: string): Promise<string[]> {
    return [...this.watches.values()].filter((w) => w.dueAt !== undefined && w.dueAt <= now).map((w) => w.applicationId);
  }

  async casesOfMonth(month: string): Promise<HardCase[]> {
    return [...this.cases.values()]
      .filter((r) => r.month === month)
      .map((r) => copy(r.hardCase))
      .sort((a, b) => (a.reportedAt < b.reportedAt ? -1 : 1));
  }

  receiptOf(source: string, id: string): Receipt | undefined {
    return this.receipts.get(`${source}#${id}`);
  }
}

const auditKey = (a: AuditEntry) => `${a.subject}|${a.at}|${a.action}|${a.causeId}`;
const receiptKey = (r: Receipt) => `${r.source}#${r.id}`;

export interface MemoryPorts {
  readonly ports: HardCasePorts;
  readonly store: MemoryHardCaseStore;
  /** Every event published, in order. */
  readonly published: OutboundEvent[];
  /** Sets the clock the service reads. */
  setNow(now: string): void;
  /** The next N publishes throw, as an unavailable queue would. */
  failPublishes(n: number): void;
}

export function memoryPorts(options: { now?: string; config?: HardCaseConfig } = {}): MemoryPorts {
  const store = new MemoryHardCaseStore();
  const published: OutboundEvent[] = [];
  let now = options.now ?? '2026-11-09T01:00:00.000Z';
  let failing = 0;
  const ports: HardCasePorts = {
    store,
    publish: async (events) => {
      if (failing > 0) {
        failing--;
        throw new Error('outbound queue unavailable');
      }
      published.push(...copy(events));
    },
    now: () => now,
    calendar: createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true }),
    config: options.config ?? DEFAULT_HARDCASE_CONFIG,
  };
  return {
    ports,
    store,
    published,
    setNow: (value) => {
      now = value;
    },
    failPublishes: (n) => {
      failing = n;
    },
  };
}
