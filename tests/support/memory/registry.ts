/**
 * The registry's ports in memory, for unit tests of its use cases (shared/registry/service.ts). The store
 * keeps the same conditions as the DynamoDB one (newer asOf wins, the earliest revocation, the first mark of
 * each application or policy, a version once) and writes a change and its receipt together or not at all;
 * the receipts are create-only.
 * tests/adapter/registry-store.test.ts holds the real store to the same conditions.
 */
import type { InternalEvent } from '#contract/internal';
import type { CreditRecord, EnterpriseProfile, Licence, PersonProfile, ServiceBundle, ServiceItem } from '#contract/schemas';
import type { Receipt } from '#platform/receipts';
import { replacesStored } from '#registry/domain/as-of';
import { falseCommitmentMarksOf, foldCredit } from '#registry/domain/credit';
import { becomesCurrent, type VersionStamp } from '#registry/domain/item';
import { revocationStands, storedLicence } from '#registry/domain/licence';
import type { AsOf, BenefitFraudMark, FalseCommitmentMark, StoredCredit, StoredLicence } from '#registry/domain/types';
import type { RegistryPorts, RegistryStore, WriteResult } from '#registry/ports';

interface CreditItem {
  credit?: CreditRecord;
  asOfMs?: number;
  asOfSub?: string;
  creditEvent?: { source: string; id: string; asOfAt: string };
  marks?: Record<string, FalseCommitmentMark>;
  fraud?: Record<string, BenefitFraudMark>;
}

export interface MemoryRegistry {
  readonly ports: RegistryPorts;
  /** Every internal event sent, in order. */
  readonly sent: InternalEvent[];
  readonly receipts: Map<string, Receipt>;
  readonly versions: Map<string, { item: ServiceItem; hash: string; cause: string }>;
  readonly current: Map<string, ServiceItem>;
  readonly bundleVersions: Map<string, { bundle: ServiceBundle; hash: string; cause: string }>;
  readonly currentBundles: Map<string, ServiceBundle>;
  readonly conflicts: Array<{ kind: string; key: string; eventId: string; content: unknown }>;
  readonly profiles: Map<string, { profile: PersonProfile | EnterpriseProfile; asOfMs: number; asOfSub?: string; asOfAt: string }>;
  licence(licenceNo: string): StoredLicence | undefined;
  credit(subjectId: string): StoredCredit | undefined;
  /** The subject's benefit-fraud marks by policy. */
  fraudMarks(subjectId: string): Readonly<Record<string, BenefitFraudMark>>;
  /** Moves the clock the use cases read. */
  setNow(at: string): void;
  /** What the store was asked: the size of each group write of profiles. */
  readonly calls: { readonly writeProfiles: number[] };
}

const receiptKey = (r: Pick<Receipt, 'source' | 'id'>) => `${r.source}#${r.id}`;

/** `asOfInstant` of a stage in UTC+8 (as the local stage): a date is the start of that day there. */
export function asOfInstantUtc8(asOf: string): string {
  return asOf.length === 10 ? new Date(`${asOf}T00:00:00+08:00`).toISOString() : new Date(asOf).toISOString();
}

export function memoryRegistry(start = '2026-11-05T06:00:00.000Z'): MemoryRegistry {
  let now = start;
  const sent: InternalEvent[] = [];
  const receipts = new Map<string, Receipt>();
  const versions = new Map<string, { item: ServiceItem; hash: string; cause: string }>();
  const current = new Map<string, ServiceItem>();
  const bundleVersions: MemoryRegistry['bundleVersions'] = new Map();
  const currentBundles = new Map<string, ServiceBundle>();
  const conflicts: MemoryRegistry['conflicts'] = [];
  const calls = { writeProfiles: [] as number[] };
  const profiles: MemoryRegistry['profiles'] = new Map();
  const licences = new Map<string, { licence?: Licence; revokedAt?: string }>();
  const credits = new Map<string, CreditItem>();

  /** The change and its receipt, both or neither: the receipt's condition first, as the real store reads them. */
  function transact<S>(receipt: Receipt, allowed: boolean, stored: () => S, apply: () => void): WriteResult<S> {
    const first = receipts.get(receiptKey(receipt));
    if (first) return { kind: 'redelivered', receipt: first };
    if (!allowed) return { kind: 'refused', stored: stored() };
    apply();
    receipts.set(receiptKey(receipt), receipt);
    return { kind: 'written' };
  }

  function putProfile(key: string, profile: PersonProfile | EnterpriseProfile, asOf: AsOf, receipt: Receipt) {
    const stored = profiles.get(key);
    return transact(
      receipt,
      replacesStored(asOf, stored && { ms: stored.asOfMs, sub: stored.asOfSub }),
      () => ({ asOf: stored?.profile.asOf }),
      () => profiles.set(key, { profile, asOfMs: asOf.ms, asOfSub: asOf.sub, asOfAt: asOf.at }),
    );
  }

  const store: RegistryStore = {
    async createItemVersion(item, hash, cause): Promise<VersionStamp | undefined> {
      const key = `${item.itemCode}@${item.version}`;
      const stored = versions.get(key);
      if (stored) return { hash: stored.hash, cause: stored.cause };
      versions.set(key, { item, hash, cause });
      return undefined;
    },
    async makeCurrent(item) {
      if (!becomesCurrent(item.version, current.get(item.itemCode)?.version)) return false;
      current.set(item.itemCode, item);
      return true;
    },
    async createBundleVersion(bundle, hash, cause): Promise<VersionStamp | undefined> {
      const key = `${bundle.bundleCode}@${bundle.version}`;
      const stored = bundleVersions.get(key);
      if (stored) return { hash: stored.hash, cause: stored.cause };
      bundleVersions.set(key, { bundle, hash, cause });
      return undefined;
    },
    async makeBundleCurrent(bundle) {
      if (!becomesCurrent(bundle.version, currentBundles.get(bundle.bundleCode)?.version)) return false;
      currentBundles.set(bundle.bundleCode, bundle);
      return true;
    },
    async currentItems(itemCodes) {
      return new Map(itemCodes.flatMap((code) => { const item = current.get(code); return item ? [[code, item] as const] : []; }));
    },
    async keepConflict(kind, key, eventId, content) {
      conflicts.push({ kind, key, eventId, content });
    },
    putPersonProfile: async (p, asOf, receipt) => putProfile(`PERSON#${p.idNumber}`, p, asOf, receipt),
    putEnterpriseProfile: async (p, asOf, receipt) => putProfile(`ENT#${p.creditCode}`, p, asOf, receipt),
    async writeProfiles(writes) {
      calls.writeProfiles.push(writes.length);
      return writes.map((w) => {
        const key = w.kind === 'person' ? `PERSON#${w.profile.idNumber}` : `ENT#${w.profile.creditCode}`;
        return putProfile(key, w.profile, w.asOf, w.receipt).kind === 'written' ? 'committed' : 'conflict';
      });
    },
    async putCredit(c, asOf, event, receipt) {
      const stored = credits.get(c.subjectId) ?? {};
      return transact(
        receipt,
        replacesStored(asOf, stored.asOfMs === undefined ? undefined : { ms: stored.asOfMs, sub: stored.asOfSub }),
        () => ({ asOf: stored.credit?.asOf }),
        () => credits.set(c.subjectId, { ...stored, credit: c, asOfMs: asOf.ms, asOfSub: asOf.sub, creditEvent: { source: event.source, id: event.id, asOfAt: asOf.at } }),
      );
    },
    async putLicence(l, receipt) {
      return transact(receipt, true, (): never => { throw new Error('unconditional'); }, () =>
        licences.set(l.licenceNo, { ...licences.get(l.licenceNo), licence: l }),
      );
    },
    async revokeLicence(licenceNo, revokedAt, receipt) {
      const stored = licences.get(licenceNo) ?? {};
      return transact(
        receipt,
        revocationStands(revokedAt, stored.revokedAt),
        () => (stored.revokedAt === undefined ? {} : { revokedAt: stored.revokedAt }),
        () => licences.set(licenceNo, { ...stored, revokedAt }),
      );
    },
    async markFalseCommitment(subjectId, mark) {
      const stored = credits.get(subjectId) ?? {};
      credits.set(subjectId, { ...stored, marks: { [mark.applicationId]: mark, ...stored.marks } });
    },
    async markBenefitFraud(subjectId, mark) {
      const stored = credits.get(subjectId) ?? {};
      credits.set(subjectId, { ...stored, fraud: { [mark.policyId]: mark, ...stored.fraud } });
    },
  };

  const ports: RegistryPorts = {
    store,
    async recordReceipt(receipt) {
      const first = receipts.get(receiptKey(receipt));
      if (first) return first;
      receipts.set(receiptKey(receipt), receipt);
      return receipt;
    },
    async send(events) {
      sent.push(...events);
    },
    now: () => now,
    asOfInstant: asOfInstantUtc8,
  };

  return {
    ports,
    sent,
    receipts,
    versions,
    current,
    bundleVersions,
    currentBundles,
    conflicts,
    profiles,
    calls,
    licence(licenceNo) {
      const l = licences.get(licenceNo);
      return l?.licence ? storedLicence(l.licence, l.revokedAt) : undefined;
    },
    fraudMarks(subjectId) {
      return credits.get(subjectId)?.fraud ?? {};
    },
    credit(subjectId) {
      const c = credits.get(subjectId);
      return c ? foldCredit(subjectId, c.credit, falseCommitmentMarksOf(c.marks, undefined)) : undefined;
    },
    setNow(at) {
      now = at;
    },
  };
}
