/**
 * In-memory adapters of the 秒批 ports (shared/approval/ports.ts), for the use cases' unit tests: the
 * approvals store keeps each case whole and writes each change atomically with the same create-once and
 * sequence conditions as the DynamoDB store (tests/adapter/approval-store.test.ts checks that one against
 * a real table); the registry, the queues and telemetry record what they were given. Every adapter logs
 * its calls in order (`calls`), and a call can be made to fail once (`failNext`), as a crash would.
 */
import type { InternalEvent } from '#contract/internal';
import type { OutboundEvent } from '#contract/outbound';
import type { WorkingCalendar } from '#calendar/types';
import type { AuditEntry } from '#platform/audit';
import type { CommitResult } from '#platform/group-commit';
import type { Receipt } from '#platform/receipts';
import { causeKey, type Cause, type Decision, type VersionCause } from '#approval/domain/decision';
import { openDeadline } from '#approval/domain/lifecycle';
import type { MetricPoint } from '#approval/domain/metrics';
import type { Applicant, CreditRecord, Licence, Profile, ServiceItem } from '#approval/domain/types';
import {
  resentBySchedule,
  type ApprovalPorts,
  type ApprovalStore,
  type DeadlinesStore,
  type FactsDropped,
  type FirstDecisionRecord,
  type Messenger,
  type Outbox,
  type OutboxRef,
  type RegistryReader,
  type StoredCase,
  type StoredConflict,
  type StoredRefusal,
  type Telemetry,
} from '#approval/ports';

/** Calls logged in order; `failNext(name, error)` makes the next call of that name throw it. */
class Recorder<Name extends string> {
  readonly calls: Name[] = [];
  private readonly failures = new Map<Name, Error>();
  failNext(name: Name, error: Error): void {
    this.failures.set(name, error);
  }
  protected record(name: Name): void {
    this.calls.push(name);
    const error = this.failures.get(name);
    if (error) {
      this.failures.delete(name);
      throw error;
    }
  }
}

interface MemoryCase {
  application?: NonNullable<StoredCase['application']>;
  versions: { decision: Decision; cause: Cause; causeKind: VersionCause }[];
  /**
   * Outbox items: the schedule's own changes' (`resentBySchedule`), as the store keeps them. `listed`: among
   * `unsentOutboxes` while pending; false only for an item of an event's version as the store wrote them
   * before (`legacyOutbox`).
   */
  outboxes: Map<string, { outbox: Outbox; pending: boolean; listed: boolean; writtenAt: string; sentAt?: string }>;
  flag?: { flaggedAt: string; sequence: number };
  conflicts: StoredConflict[];
  refusals: StoredRefusal[];
}

const ownerKey = (ref: OutboxRef) => (ref.of === 'version' ? `V${ref.sequence}` : 'FLAG');

export class MemoryApprovalStore extends Recorder<keyof DeadlinesStore> implements DeadlinesStore {
  readonly cases = new Map<string, MemoryCase>();
  readonly audit: AuditEntry[] = [];
  readonly receipts = new Map<string, Receipt>();
  /**
   * The most bytes a first decision's facts may take, as their JSON: past it they are dropped, as the
   * DynamoDB store drops facts whose packed decision is over its budget. No limit unless a test sets one.
   */
  factsBudgetBytes = Infinity;
  /** The applications whose first version was stored with its facts dropped for their size. */
  readonly factsDropped = new Set<string>();

  private caseOf(applicationId: string): MemoryCase {
    let c = this.cases.get(applicationId);
    if (!c) this.cases.set(applicationId, (c = { versions: [], outboxes: new Map(), conflicts: [], refusals: [] }));
    return c;
  }
  private current(c: MemoryCase | undefined): Decision | undefined {
    return c?.versions.at(-1)?.decision;
  }
  private putReceipt(receipt: Receipt | undefined, mode: 'create' | 'replace'): void {
    const key = `${receipt?.source}#${receipt?.id}`;
    if (receipt && (mode === 'replace' || !this.receipts.has(key))) this.receipts.set(key, structuredClone(receipt));
  }
  private addVersion(c: MemoryCase, decision: Decision, cause: Cause, causeKind: VersionCause, outbox: Outbox | undefined, audit: AuditEntry, receipt?: Receipt) {
    c.versions.push(structuredClone({ decision, cause, causeKind }));
    if (outbox !== undefined && resentBySchedule(causeKind)) {
      c.outboxes.set(`V${decision.sequence}`, { outbox: structuredClone(outbox), pending: true, listed: true, writtenAt: decision.updatedAt });
    }
    this.audit.push(audit);
    this.putReceipt(receipt, 'replace');
  }
  private writeFirst(first: FirstDecisionRecord): boolean {
    const c = this.caseOf(first.application.applicationId);
    if (c.application) return false;
    c.application = structuredClone({ application: first.application, applicationHash: first.decision.applicationHash, cause: first.cause, receivedAt: first.receivedAt });
    this.addVersion(c, first.decision, first.cause, 'submitted', undefined, first.audit, first.receipt);
    if (this.factsDroppedFor(first) !== undefined) this.factsDropped.add(first.application.applicationId);
    return true;
  }

  /** Not a call the tests follow (`calls`): a question about the record, as the DynamoDB store's is. */
  factsDroppedFor(first: FirstDecisionRecord): FactsDropped | undefined {
    if (first.facts === undefined) return undefined;
    const bytes = Buffer.byteLength(JSON.stringify(first.facts));
    if (bytes <= this.factsBudgetBytes) return undefined;
    return { packedBytes: bytes, budgetBytes: this.factsBudgetBytes, storedBytes: Buffer.byteLength(JSON.stringify(first.decision)) };
  }

  async loadCase(applicationId: string): Promise<StoredCase> {
    this.record('loadCase');
    const c = this.cases.get(applicationId);
    if (!c) return { versions: [], conflicts: [], refusals: [] };
    const item = (key: string) => {
      const o = c.outboxes.get(key);
      return o === undefined ? { pending: false } : { outbox: o.outbox, pending: o.pending };
    };
    const flag = c.flag && { ...c.flag, outbox: { outbound: [], effects: [] }, ...item('FLAG') };
    return structuredClone({
      ...(c.application ? { application: c.application } : {}),
      ...(c.versions.length > 0 ? { decision: this.current(c) } : {}),
      versions: c.versions.map((v) => ({ ...v, ...item(`V${v.decision.sequence}`) })),
      conflicts: c.conflicts,
      refusals: c.refusals,
      ...(flag ? { overdueFlag: flag } : {}),
    });
  }
  async createFirstDecision(first: FirstDecisionRecord): Promise<'stored' | 'exists'> {
    this.record('createFirstDecision');
    return this.writeFirst(first) ? 'stored' : 'exists';
  }
  async writeFirstDecisions(firsts: readonly FirstDecisionRecord[]): Promise<CommitResult[]> {
    try {
      this.record('writeFirstDecisions');
    } catch {
      return firsts.map(() => 'failed');
    }
    return firsts.map((f) => (this.writeFirst(f) ? 'committed' : 'conflict'));
  }
  async storeTransition(next: Parameters<ApprovalStore['storeTransition']>[0]): Promise<'stored' | 'raced'> {
    this.record('storeTransition');
    if (next.decision.sequence !== next.previous.sequence + 1) throw new Error('a version must follow its previous one');
    const c = this.cases.get(next.decision.applicationId);
    if (!c || this.current(c)?.sequence !== next.previous.sequence) return 'raced';
    this.addVersion(c, next.decision, next.cause, next.causeKind, next.outbox, next.audit, next.receipt);
    return 'stored';
  }
  async storeOverdueFlag(flag: Parameters<DeadlinesStore['storeOverdueFlag']>[0]): Promise<'stored' | 'raced'> {
    this.record('storeOverdueFlag');
    const c = this.cases.get(flag.decision.applicationId);
    const current = this.current(c);
    if (!c || c.flag || current?.sequence !== flag.decision.sequence || openDeadline(current)?.kind !== 'VERIFICATION') return 'raced';
    c.flag = { flaggedAt: flag.flaggedAt, sequence: flag.decision.sequence };
    c.outboxes.set('FLAG', { outbox: structuredClone(flag.outbox), pending: true, listed: resentBySchedule('overdueFlag'), writtenAt: flag.flaggedAt });
    this.audit.push(flag.audit);
    return 'stored';
  }
  async recordConflict(conflict: Parameters<ApprovalStore['recordConflict']>[0]): Promise<boolean> {
    this.record('recordConflict');
    const c = this.caseOf(conflict.application.applicationId);
    if (c.conflicts.some((x) => causeKey(x.cause) === causeKey(conflict.cause))) return false;
    const { audit, receipt, ...stored } = conflict;
    c.conflicts.push(structuredClone(stored));
    this.audit.push(audit);
    this.putReceipt(receipt, 'replace');
    return true;
  }
  async recordRefusal(refusal: Parameters<ApprovalStore['recordRefusal']>[0]): Promise<boolean> {
    this.record('recordRefusal');
    const c = this.caseOf(refusal.applicationId);
    if (c.refusals.some((x) => causeKey(x.cause) === causeKey(refusal.cause))) return false;
    c.refusals.push(structuredClone({ cause: refusal.cause, at: refusal.at, code: refusal.code, message: refusal.message }));
    this.audit.push(refusal.audit);
    this.putReceipt(refusal.receipt, 'replace');
    return true;
  }
  async heldIds(applicationIds: readonly string[]): Promise<ReadonlySet<string>> {
    this.record('heldIds');
    return new Set(applicationIds.filter((id) => (this.cases.get(id)?.versions.length ?? 0) > 0));
  }
  async recordReceipt(receipt: Receipt): Promise<void> {
    this.record('recordReceipt');
    this.putReceipt(receipt, 'create');
  }
  async markSent(ref: OutboxRef, at: string): Promise<void> {
    this.record('markSent');
    const o = this.cases.get(ref.applicationId)?.outboxes.get(ownerKey(ref));
    if (o?.pending) Object.assign(o, { pending: false, sentAt: at });
  }
  async overdue(kind: 'SUPPLEMENT' | 'VERIFICATION', before: string) {
    this.record('overdue');
    return [...this.cases.entries()].flatMap(([applicationId, c]) => {
      const current = this.current(c);
      const due = current && openDeadline(current);
      const open = due?.kind === kind && due.dueAt < before && !(kind === 'VERIFICATION' && c.flag);
      return open ? [{ applicationId, dueAt: due.dueAt }] : [];
    });
  }
  async unsentOutboxes(before: string): Promise<OutboxRef[]> {
    this.record('unsentOutboxes');
    return [...this.cases.entries()].flatMap(([applicationId, c]) =>
      [...c.outboxes.entries()]
        .filter(([, o]) => o.pending && o.listed && o.writtenAt < before)
        .map(([key]): OutboxRef => (key === 'FLAG' ? { applicationId, of: 'overdueFlag' } : { applicationId, of: 'version', sequence: Number(key.slice(1)) })),
    );
  }
  /** Whether the outbox item of version `sequence` (or the overdue flag) is still waiting to be sent; undefined without one. */
  pending(applicationId: string, sequence: number | 'flag' = 1): boolean | undefined {
    return this.cases.get(applicationId)?.outboxes.get(sequence === 'flag' ? 'FLAG' : `V${sequence}`)?.pending;
  }
  /** An event's version with a pending outbox item in no index, as the store wrote them before only the schedule's changes had one. */
  legacyOutbox(applicationId: string, sequence: number, outbox: Outbox): void {
    const c = this.caseOf(applicationId);
    c.outboxes.set(`V${sequence}`, { outbox: structuredClone(outbox), pending: true, listed: false, writtenAt: c.versions[sequence - 1]!.decision.updatedAt });
  }
}

export class MemoryRegistry extends Recorder<keyof RegistryReader> implements RegistryReader {
  private readonly items = new Map<string, ServiceItem[]>();
  readonly profiles = new Map<string, Profile>();
  readonly credits = new Map<string, CreditRecord>();
  licences: Licence[] = [];

  /** A new version of an item; the newest active one is current. */
  putItem(item: ServiceItem): this {
    this.items.set(item.itemCode, [...(this.items.get(item.itemCode) ?? []).filter((i) => i.version !== item.version), item]);
    return this;
  }
  private facts(applicant: Applicant) {
    const profile = this.profiles.get(applicant.id);
    const credit = this.credits.get(applicant.id);
    return { ...(profile ? { profile } : {}), licences: this.licences.filter((l) => l.holderId === applicant.id), ...(credit ? { credit } : {}) };
  }
  async applicationFacts(itemCode: string, applicant: Applicant) {
    this.record('applicationFacts');
    const item = (this.items.get(itemCode) ?? []).filter((i) => i.active).sort((a, b) => b.version - a.version)[0];
    return { ...(item ? { item } : {}), ...this.facts(applicant) };
  }
  async applicantFacts(applicant: Applicant) {
    this.record('applicantFacts');
    return this.facts(applicant);
  }
  async itemVersion(itemCode: string, version: number) {
    this.record('itemVersion');
    return this.items.get(itemCode)?.find((i) => i.version === version);
  }
}

export class MemoryMessenger extends Recorder<keyof Messenger> implements Messenger {
  readonly internal: InternalEvent[] = [];
  readonly outbound: OutboundEvent[] = [];
  async sendInternal(events: readonly InternalEvent[]) {
    this.record('sendInternal');
    this.internal.push(...events);
  }
  async publish(events: readonly OutboundEvent[]) {
    this.record('publish');
    this.outbound.push(...events);
  }
}

export class MemoryTelemetry implements Telemetry {
  readonly points: MetricPoint[] = [];
  readonly lines: { level: 'info' | 'warn' | 'error'; message: string; fields: Record<string, unknown> }[] = [];
  metrics(points: readonly MetricPoint[]) {
    this.points.push(...points);
  }
  info(message: string, fields: Readonly<Record<string, unknown>>) {
    this.lines.push({ level: 'info', message, fields: { ...fields } });
  }
  warn(message: string, fields: Readonly<Record<string, unknown>>) {
    this.lines.push({ level: 'warn', message, fields: { ...fields } });
  }
  error(message: string, fields: Readonly<Record<string, unknown>>) {
    this.lines.push({ level: 'error', message, fields: { ...fields } });
  }
}

/** A clock the test sets and moves. */
export class TestClock {
  constructor(private at: string) {}
  readonly now = (): string => this.at;
  set(at: string): void {
    this.at = at;
  }
}

export interface MemoryApproval {
  /** The consumer's ports and the schedule's at once: the memory store answers both. */
  readonly ports: ApprovalPorts & { readonly store: DeadlinesStore };
  readonly store: MemoryApprovalStore;
  readonly registry: MemoryRegistry;
  readonly messenger: MemoryMessenger;
  readonly telemetry: MemoryTelemetry;
  readonly clock: TestClock;
}

export function memoryApproval(options: { readonly now: string; readonly calendar: WorkingCalendar }): MemoryApproval {
  const store = new MemoryApprovalStore();
  const registry = new MemoryRegistry();
  const messenger = new MemoryMessenger();
  const telemetry = new MemoryTelemetry();
  const clock = new TestClock(options.now);
  return { ports: { store, registry, messenger, telemetry, now: clock.now, calendar: () => options.calendar }, store, registry, messenger, telemetry, clock };
}
