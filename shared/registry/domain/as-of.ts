/**
 * "Newer asOf wins": a profile or credit record replaces the stored one unless it is older. An
 * equal asOf rewrites the same record, so a redelivery that crashed after writing still re-runs what follows.
 */
import type { AsOf, ChangeOutcome } from './types';

/**
 * The digits of a timestamp's fraction of a second past the millisecond, trailing zeros dropped: '' for a
 * date, a timestamp without a fraction or one of at most three digits. Ordering these strings as text orders
 * the fractions as numbers (a prefix is the smaller; past it, the first differing digit decides).
 */
export function subMillisecond(written: string): string {
  // "YYYY-MM-DDTHH:MM:SS" is 19 characters; a fraction starts there.
  if (written.charCodeAt(19) !== 46) return '';
  let end = 20;
  while (end < written.length && written.charCodeAt(end) >= 48 && written.charCodeAt(end) <= 57) end += 1;
  return written.slice(23, end).replace(/0+$/, '');
}

/**
 * The stamp of an asOf: `instant` its millisecond (ISO 8601 UTC, as `asOfInstant` gives it), `written` the
 * asOf as sent, whose fraction below the millisecond is kept (`sub`) so that two asOf values a microsecond
 * apart are not equal. `at` shows the whole fraction.
 */
export function asOfStamp(instant: string, written: string = instant): AsOf {
  const sub = subMillisecond(written);
  return { at: sub === '' ? instant : `${instant.slice(0, -1)}${sub}Z`, ms: Date.parse(instant), sub };
}

/** What a stored record's asOf is compared by: its millisecond and the digits below it ('' or absent for none). */
export interface StoredAsOfStamp {
  readonly ms: number;
  readonly sub?: string | undefined;
}

/** Orders two asOf stamps at the full precision of their fractions: negative, zero or positive. */
export function compareAsOf(a: StoredAsOfStamp, b: StoredAsOfStamp): number {
  if (a.ms !== b.ms) return a.ms - b.ms;
  const [x, y] = [a.sub ?? '', b.sub ?? ''];
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Whether an incoming record replaces the stored one (none stored, or not older than it, to the last digit). */
export function replacesStored(incoming: AsOf, stored: StoredAsOfStamp | undefined): boolean {
  return stored === undefined || compareAsOf(stored, incoming) <= 0;
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
