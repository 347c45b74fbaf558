/**
 * "Newer asOf wins": a profile or credit record replaces the stored one unless it is older. An
 * equal asOf rewrites the same record, so a redelivery that crashed after writing still re-runs what follows.
 */
import type { AsOf, ChangeOutcome } from './types';

/** The stamp of an instant (ISO 8601 UTC, as `asOfInstant` gives it). */
export function asOfStamp(instant: string): AsOf {
  return { at: instant, ms: Date.parse(instant) };
}

/** Whether an incoming record replaces the stored one (none stored, or not older than it). */
export function replacesStored(incoming: AsOf, storedMs: number | undefined): boolean {
  return storedMs === undefined || storedMs <= incoming.ms;
}

/** The outcome of a record older than the stored one: the stored record stands. */
export function staleOutcome(incoming: AsOf, storedAsOf: string | undefined): ChangeOutcome {
  return {
    outcome: 'kind',
    kind: 'STALE',
    reason: `asOf ${incoming.at} is older than the stored record's${storedAsOf ? ` (${storedAsOf})` : ''}; the stored record stands`,
    details: { asOf: incoming.at, ...(storedAsOf ? { storedAsOf } : {}) },
  };
}
