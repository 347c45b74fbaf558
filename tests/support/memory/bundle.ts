// In-memory bundle ports (shared/approval/bundle-ports.ts) for the bundle use case's unit tests: the same
// create-once and sequence conditions as store/bundle.ts.
import type { BundleCatalogue, BundleConflictRecord, BundleDeadlinesStore, BundleFirstRecord, BundleVersionRecord, StoredBundle } from '#approval/bundle-ports';
import type { Bundle } from '#approval/domain/bundle/types';
import type { ServiceItem } from '#approval/domain/types';
import { resentBySchedule, type RefusalRecord } from '#approval/ports';
import { bundleNextDue } from '#approval/domain/bundle/later';
import type { Receipt } from '#platform/receipts';

type Mutable = { -readonly [K in keyof StoredBundle]: StoredBundle[K] extends readonly (infer T)[] ? T[] : StoredBundle[K] };

export class MemoryBundleStore implements BundleDeadlinesStore {
  readonly cases = new Map<string, Mutable>();
  readonly receipts: Receipt[] = [];
  readonly audit: unknown[] = [];
  /** When each version (`<id>#<sequence>`) was written: the outbox sweep's age. */
  readonly writtenAt = new Map<string, string>();

  private of(id: string): Mutable {
    const found = this.cases.get(id) ?? { versions: [], refusals: [], conflicts: [] };
    this.cases.set(id, found);
    return found;
  }
  private append(r: BundleVersionRecord): void {
    const c = this.of(r.state.applicationId);
    c.state = r.state;
    // Only the schedule's own versions have an OUTBOX item, as store/bundle.ts writes them.
    const marked = resentBySchedule(r.causeKind);
    c.versions.push({ sequence: r.state.sequence, cause: r.cause, causeKind: r.causeKind, state: r.state, marked, pending: marked });
    this.writtenAt.set(`${r.state.applicationId}#${r.state.sequence}`, r.state.updatedAt);
    this.audit.push(r.audit);
    if (r.receipt) this.receipts.push(r.receipt);
  }
  /** How many times a bundle application was read. */
  loads = 0;
  async loadBundle(id: string): Promise<StoredBundle> {
    this.loads++;
    return structuredClone(this.cases.get(id) ?? { versions: [], refusals: [], conflicts: [] });
  }
  async createBundle(first: BundleFirstRecord): Promise<'stored' | 'exists'> {
    if (this.cases.get(first.application.applicationId)?.application) return 'exists';
    this.of(first.application.applicationId).application = { application: first.application, applicationHash: first.applicationHash, cause: first.cause, receivedAt: first.receivedAt };
    this.append(first);
    return 'stored';
  }
  async storeBundleVersion(next: BundleVersionRecord): Promise<'stored' | 'raced'> {
    if (this.cases.get(next.state.applicationId)?.state?.sequence !== next.state.sequence - 1) return 'raced';
    this.append(next);
    return 'stored';
  }
  async recordBundleRefusal(r: RefusalRecord): Promise<boolean> {
    const c = this.of(r.applicationId);
    if (c.refusals.some((x) => x.cause.source === r.cause.source && x.cause.id === r.cause.id)) return false;
    c.refusals.push({ cause: r.cause, at: r.at, code: r.code, message: r.message });
    if (r.receipt) this.receipts.push(r.receipt);
    return true;
  }
  async recordBundleConflict(r: BundleConflictRecord): Promise<boolean> {
    const c = this.of(r.application.applicationId);
    if (c.conflicts.some((x) => x.cause.source === r.cause.source && x.cause.id === r.cause.id)) return false;
    c.conflicts.push({ cause: r.cause, receivedAt: r.receivedAt, applicationHash: r.applicationHash, storedHash: r.storedHash });
    this.audit.push(r.audit);
    this.receipts.push(r.receipt);
    return true;
  }
  /** How many times the ids a bundle holds were read (the one-decision-per-id check). */
  heldReads = 0;
  async heldBundleIds(ids: readonly string[]): Promise<ReadonlySet<string>> {
    this.heldReads++;
    return new Set(ids.filter((id) => this.cases.get(id)?.state !== undefined));
  }
  async markBundleSent(id: string, sequence: number): Promise<void> {
    const v = this.cases.get(id)?.versions.find((x) => x.sequence === sequence);
    if (v?.marked) Object.assign(v, { pending: false });
  }
  async overdueBundles(before: string): Promise<string[]> {
    return [...this.cases.entries()].flatMap(([id, c]) => {
      const due = c.state && bundleNextDue(c.state);
      return due !== undefined && due < before ? [id] : [];
    });
  }
  /** The index is derived from the current version here: nothing to move. */
  async reindexBundleDue(): Promise<void> {}
  async unsentBundleOutboxes(before: string): Promise<{ applicationId: string; sequence: number }[]> {
    return [...this.cases.entries()].flatMap(([id, c]) =>
      c.versions.filter((v) => v.pending && resentBySchedule(v.causeKind) && c.state !== undefined && (this.writtenAt.get(`${id}#${v.sequence}`) ?? '') < before).map((v) => ({ applicationId: id, sequence: v.sequence })),
    );
  }
}

export class MemoryCatalogue implements BundleCatalogue {
  constructor(
    readonly bundles: Bundle[],
    readonly items: ServiceItem[],
  ) {}
  async currentBundle(code: string) {
    return this.bundles.filter((b) => b.bundleCode === code).sort((a, b) => b.version - a.version)[0];
  }
  async bundleVersion(code: string, version: number) {
    return this.bundles.find((b) => b.bundleCode === code && b.version === version);
  }
  async currentItem(code: string) {
    return this.items.filter((i) => i.itemCode === code).sort((a, b) => b.version - a.version)[0];
  }
  async itemVersion(code: string, version: number) {
    return this.items.find((i) => i.itemCode === code && i.version === version);
  }
}
