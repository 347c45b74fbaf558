/**
 * The registry's records as the product holds them: upstream reference data with what arrived later folded
 * in (a revocation, CivicFlow's own false-commitment marks), and what became of an event before it is a receipt.
 */
import type { CreditRecord, Licence } from '#contract/schemas';

/** Stored licence: the issued record plus `revokedAt` when a revocation arrived (even before the issue). */
export type StoredLicence = Licence & { revokedAt?: string };

/**
 * CivicFlow's own mark on a subject's credit (a false commitment a verification found), naming the
 * application: one per application, the first of each stands, so two revoked applications leave two marks.
 */
export interface FalseCommitmentMark {
  readonly at: string;
  readonly applicationId: string;
}

/**
 * CivicFlow's mark of money under a policy recovered for fraud (追回): one per policy, the first stands. It
 * is recorded and published for the credit system, which decides any exclusion; the mark excludes nobody.
 */
export interface BenefitFraudMark {
  readonly at: string;
  readonly policyId: string;
  readonly amount: number;
}

/** The effective credit record: the upstream record with CivicFlow's marks folded in (oldest first). */
export type StoredCredit = CreditRecord & { falseCommitmentMarks?: readonly FalseCommitmentMark[] };

/** The event that brought the stored upstream credit record, with the instant its asOf stands for. */
export interface UpstreamEvent {
  readonly source: string;
  readonly id: string;
  readonly asOfAt: string;
}

/** A credit record as stored: the upstream record (and the event that brought it) and the marks set here. */
export interface CreditRecordView {
  readonly upstream?: CreditRecord;
  readonly upstreamEvent?: UpstreamEvent;
  /** False-commitment marks, one per application, oldest first. */
  readonly falseCommitmentMarks?: readonly FalseCommitmentMark[];
  /** Benefit-fraud marks by policy, oldest first. */
  readonly benefitFraudMarks?: readonly BenefitFraudMark[];
}

/** The instant an asOf stands for, as stored and compared ("newer" compares `ms`, then `sub`). */
export interface AsOf {
  /** ISO 8601 UTC, with the whole fraction of the asOf as sent (at least milliseconds). */
  readonly at: string;
  readonly ms: number;
  /** The fraction's digits below the millisecond, trailing zeros dropped ('' for none); compared as text. */
  readonly sub: string;
}

/** Receipt kinds an event of reference data can end with, besides applied. */
export type ReferenceKind = 'STALE' | 'REPLAY' | 'VERSION_CONFLICT' | 'DUPLICATE' | 'BUNDLE_ITEM_UNKNOWN' | 'BUNDLE_MATERIAL_CONFLICT';

/** What became of a reference-data event, before it is a receipt: applied, or a kind with its reason. */
export type ChangeOutcome =
  | { readonly outcome: 'applied'; readonly details?: Readonly<Record<string, unknown>> }
  | { readonly outcome: 'kind'; readonly kind: ReferenceKind; readonly reason: string; readonly details?: Readonly<Record<string, unknown>> };
