/**
 * What the registry's use cases need (service.ts), as interfaces: the registry table (store.ts in
 * production, tests/support/memory/registry.ts in unit tests), the receipts, the internal queues, the
 * clock and the stage's reading of an asOf.
 */
import type { InternalEvent } from '#contract/internal';
import type { CommitResult } from '#platform/group-commit';
import type { CreditRecord, EnterpriseProfile, Licence, PersonProfile, ServiceBundle, ServiceItem } from '#contract/schemas';
import type { Receipt } from '#platform/receipts';
import type { VersionStamp } from './domain/item';
import type { AsOf, BenefitFraudMark, FalseCommitmentMark } from './domain/types';

/**
 * A change written in one transaction with its event's receipt: both or neither. `redelivered`:
 * the event's receipt was there (the first outcome); `refused`: the change's own condition failed, with
 * what the stored record says.
 */
export type WriteResult<Stored> =
  | { readonly kind: 'written' }
  | { readonly kind: 'redelivered'; readonly receipt: Receipt }
  | { readonly kind: 'refused'; readonly stored: Stored };

/** The asOf of the stored record that refused an older one, as its sender wrote it. */
export interface StoredAsOf {
  readonly asOf?: string;
}

/** A profile to write with its event's receipt. */
export type ProfileWrite =
  | { readonly kind: 'person'; readonly profile: PersonProfile; readonly asOf: AsOf; readonly receipt: Receipt }
  | { readonly kind: 'enterprise'; readonly profile: EnterpriseProfile; readonly asOf: AsOf; readonly receipt: Receipt };

export interface RegistryStore {
  /** Stores a version once; undefined when stored now, else what the stored version says. */
  createItemVersion(item: ServiceItem, hash: string, cause: string): Promise<VersionStamp | undefined>;
  /** Makes the version CURRENT unless a newer one is; whether it is now. */
  makeCurrent(item: ServiceItem, hash: string): Promise<boolean>;
  /** A 一件事 bundle's version and CURRENT copy, as an item's. */
  createBundleVersion(bundle: ServiceBundle, hash: string, cause: string): Promise<VersionStamp | undefined>;
  makeBundleCurrent(bundle: ServiceBundle, hash: string): Promise<boolean>;
  /** The current version of each code that has one (absent codes were never published). */
  currentItems(itemCodes: readonly string[]): Promise<ReadonlyMap<string, ServiceItem>>;
  /** Keeps a re-publication with other content for auditors. */
  keepConflict(kind: 'item' | 'bundle', key: string, eventId: string, content: unknown): Promise<void>;
  /** A profile or credit record: written unless the stored one is newer (`asOf.ms` compared). */
  putPersonProfile(profile: PersonProfile, asOf: AsOf, receipt: Receipt): Promise<WriteResult<StoredAsOf>>;
  putEnterpriseProfile(profile: EnterpriseProfile, asOf: AsOf, receipt: Receipt): Promise<WriteResult<StoredAsOf>>;
  /**
   * A batch's profile writes together (the group commit), each with its receipt, all or nothing per
   * profile: `committed`, or `conflict` when its own condition failed (a newer profile stored, or its
   * receipt there: the record decides again on its own, through the put above), or `failed`. Never throws.
   * At most one write per profile and per receipt.
   */
  writeProfiles(writes: readonly ProfileWrite[]): Promise<CommitResult[]>;
  putCredit(credit: CreditRecord, asOf: AsOf, event: { readonly source: string; readonly id: string }, receipt: Receipt): Promise<WriteResult<StoredAsOf>>;
  /** The issued fields, never a revocation that arrived first. */
  putLicence(licence: Licence, receipt: Receipt): Promise<WriteResult<never>>;
  /** A revocation at `revokedAt` (ISO UTC) unless an earlier one is stored. */
  revokeLicence(licenceNo: string, revokedAt: string, receipt: Receipt): Promise<WriteResult<{ readonly revokedAt?: string }>>;
  /** The mark of one application, unless the subject has one for that application (the first stands). */
  markFalseCommitment(subjectId: string, mark: FalseCommitmentMark): Promise<void>;
  /** The benefit-fraud mark of one policy, unless the subject has one for that policy (the first stands). */
  markBenefitFraud(subjectId: string, mark: BenefitFraudMark): Promise<void>;
}

export interface RegistryPorts {
  readonly store: RegistryStore;
  /** Records a receipt alone, create-only; returns the one that stands (a first delivery's, if any). */
  readonly recordReceipt: (receipt: Receipt) => Promise<Receipt>;
  /** Sends internal events to the queues that carry them. */
  readonly send: (events: readonly InternalEvent[]) => Promise<void>;
  readonly now: () => string;
  /** The instant an asOf stands for: a date is the start of that local day in the stage's time zone. */
  readonly asOfInstant: (asOf: string) => string;
}
