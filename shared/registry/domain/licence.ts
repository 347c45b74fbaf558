/**
 * E-licences as the registry holds them: the issued record with a revocation folded in. A revocation may
 * arrive before its licence (it stays in force when the issue arrives), and of two revocations the
 * earliest stands. Whether a licence is valid on a decision's day (expiry, revocation by then) is the
 * approval's judgement on the record this gives it.
 */
import type { Licence } from '#contract/schemas';
import type { ChangeOutcome, StoredLicence } from './types';

/** A revocation time as stored: ISO 8601 UTC, so stored times compare as strings. */
export function revocationInstant(revokedAt: string): string {
  return new Date(revokedAt).toISOString();
}

/** Whether a revocation at `incoming` replaces the stored one (none stored, or a later one). */
export function revocationStands(incoming: string, stored: string | undefined): boolean {
  return stored === undefined || stored > incoming;
}

/** The outcome of a revocation that changes nothing (the licence was revoked as early or earlier). */
export function revokedBefore(licenceNo: string, earlier: string | undefined): ChangeOutcome {
  return {
    outcome: 'kind',
    kind: 'DUPLICATE',
    reason: `licence ${licenceNo} was already revoked${earlier ? ` at ${earlier}` : ''}`,
    details: { revokedAt: earlier ?? null },
  };
}

/** The licence a reader gets: the issued fields, and `revokedAt` when a revocation arrived. */
export function storedLicence(issued: Licence, revokedAt: string | undefined): StoredLicence {
  return { ...issued, ...(revokedAt ? { revokedAt } : {}) };
}
