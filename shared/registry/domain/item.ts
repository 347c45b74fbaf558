/**
 * Catalogue versions, of service items and of 一件事 bundles: a version is stored once and never changes. The version records the
 * event that brought it, so a redelivery of that event tells itself from a re-publication by another event
 * (REPLAY) and from the same version with other content (VERSION_CONFLICT: refused, the first stands).
 */
import type { ChangeOutcome } from './types';

/** What the stored version says about the one arriving: its content hash and the event that brought it. */
export interface VersionStamp {
  readonly hash?: string;
  readonly cause?: string;
}

/**
 * `first`: stored now; `again`: the same event redelivered (the CURRENT copy is re-made, in case a crash
 * lost it); `replay`: the same content from another event; `conflict`: other content under the version.
 */
export type VersionArrival = 'first' | 'again' | 'replay' | 'conflict';

export function versionArrival(stored: VersionStamp | undefined, hash: string, cause: string): VersionArrival {
  if (stored === undefined) return 'first';
  if (stored.hash !== hash) return 'conflict';
  return stored.cause !== undefined && stored.cause !== cause ? 'replay' : 'again';
}

/** An older version arriving after a newer one is stored as that version, but does not become current. */
export function becomesCurrent(version: number, currentVersion: number | undefined): boolean {
  return currentVersion === undefined || currentVersion <= version;
}

/** What a catalogue entry is called in a receipt's reason. */
export type CatalogEntry = 'service item' | 'bundle';

export function versionOutcome(arrival: Exclude<VersionArrival, 'conflict'>, code: string, version: number, current: boolean, entry: CatalogEntry = 'service item'): ChangeOutcome {
  if (arrival === 'replay') {
    return { outcome: 'kind', kind: 'REPLAY', reason: `${entry} ${code} version ${version} was published before with the same content` };
  }
  return { outcome: 'applied', details: { current } };
}

export function conflictOutcome(code: string, version: number, entry: CatalogEntry = 'service item'): ChangeOutcome {
  return {
    outcome: 'kind',
    kind: 'VERSION_CONFLICT',
    reason: `${entry} ${code} version ${version} was published before with other content; the first stands`,
  };
}
