/**
 * RFC 3339 timestamps as upstream systems may write them, and the one form the product keeps.
 *
 * Accepted: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` with `T` and `Z` in either case (RFC 3339 lets
 * both be lower-case), a fraction of any length, and a leap second `:60` where one can fall: at 23:59:60
 * UTC on the last day of a month (written in any offset, e.g. `…T07:59:60+08:00`).
 *
 * Kept (what the edge validates into the accepted event, so every consumer, the content hash of a
 * re-post and the stored event see one form): `T` and `Z` upper-case, and a leap second as the last
 * instant of its minute, `:59.999999999`, offset as written. A leap second thus stays on its own date
 * and minute, after every earlier instant of that minute and before the next minute, which Date.parse
 * and every comparison of the product read like any other instant (they know no second 60). Two
 * instants within one leap second are kept as the same instant.
 */
import * as z from 'zod/mini';
import { compareInstants, isLeapSecond, withoutLeapSecond } from './instants';

/** The calendar date of zod's ISO date (real days, 29 February in leap years only). */
const DATE = z.regexes.date.source.replace(/^\^/, '').replace(/\$$/, '');
const TIME = '(?:[01]\\d|2[0-3]):[0-5]\\d:(?:[0-5]\\d|60)(?:\\.\\d+)?';
const OFFSET = '(?:[Zz]|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)';
/** The form (leap second anywhere); `isRfc3339Timestamp` also places a leap second. */
export const RFC3339_TIMESTAMP = new RegExp(`^${DATE}[Tt]${TIME}${OFFSET}$`);

export const TIMESTAMP_MESSAGE = 'must be an RFC 3339 timestamp with offset, e.g. "2026-11-03T09:30:00+08:00"';

/**
 * The years a date or timestamp of inbound data may name. Below them the bureau's calendar cannot read a date
 * (a year before 100 throws, so an event with one would fail in its consumer for ever) and reads a timestamp as
 * a day of the 1900s; no record of a living person or an open case is older. Above them an instant has no
 * four-digit year in UTC or in the bureau's zone: a timestamp must be before 9999-12-31T00:00:00Z, so that its
 * local date in any zone is still in 9999 (a date-only 9999-12-31, the usual "no end", is taken).
 */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 9999;
export const YEARS_MESSAGE = `must be in the years ${MIN_YEAR} to ${MAX_YEAR}`;
const LATEST_INSTANT_MS = Date.UTC(MAX_YEAR, 11, 31);

/** Whether a date "YYYY-MM-DD" or a valid timestamp lies in the years the product reads (MIN_YEAR, MAX_YEAR). */
export function isWithinYears(s: string): boolean {
  if (Number(s.slice(0, 4)) < MIN_YEAR) return false;
  if (s.length === 10) return true;
  const ms = Date.parse(withoutLeapSecond(s).toUpperCase());
  return !Number.isNaN(ms) && ms < LATEST_INSTANT_MS;
}

/**
 * How far after its receipt an event's own time ("when it happened": an asOf, a submittedAt, a step's at) may
 * lie. Upstream clocks and the edge's drift apart by seconds, at worst minutes; anything later is a mistake
 * (a mistyped year), and it would do harm: an asOf in 2062 makes every real update "older" until 2062, a
 * submittedAt ahead moves deadlines and figures. A date-only value (an asOf "YYYY-MM-DD") may be at most the
 * bureau's local date of receipt, with no tolerance.
 */
export const CLOCK_SKEW_MINUTES = 5;
export const CLOCK_SKEW_MS = CLOCK_SKEW_MINUTES * 60_000;

/** The receipt the edge checks against, for the duration of one synchronous validation (`receivedOn`). */
let receipt: { readonly at: string; readonly latest: string | undefined; readonly today: string | undefined } | undefined;

/**
 * Runs `parse` with the moment an event was received (an ISO timestamp) and the bureau's local date then
 * ("YYYY-MM-DD"), against which the fields built by `happenedAt` and `happenedAtProblem` are checked. Without
 * a moment (a validation outside the edge) no such check applies; without a date, none on date-only values.
 */
export function receivedOn<T>(at: string | undefined, today: string | undefined, parse: () => T): T {
  const previous = receipt;
  receipt = at === undefined ? undefined : { at, latest: latestAfter(at), today };
  try {
    return parse();
  } finally {
    receipt = previous;
  }
}

/** The latest instant an event received at `at` may say it happened at, or undefined if `at` cannot be read. */
function latestAfter(at: string): string | undefined {
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? undefined : new Date(ms + CLOCK_SKEW_MS).toISOString();
}

/**
 * Why a valid date "YYYY-MM-DD" or timestamp that says when something happened lies too far after the
 * receipt of its event, or undefined.
 */
export function happenedAtProblem(s: string): string | undefined {
  if (receipt === undefined) return undefined;
  if (s.length === 10) {
    if (receipt.today === undefined || s <= receipt.today) return undefined;
    return `is a date after the day the event was received (${receipt.today} in the bureau's time zone): it must say when something happened, not a later day`;
  }
  // Compared as instants to the last digit: Date.parse would drop the digits below the millisecond and take
  // a time up to 1 ms past the tolerance.
  if (receipt.latest === undefined || !(compareInstants(s, receipt.latest) > 0)) return undefined;
  return `is after the event was received (${receipt.at}): it must say when something happened, at most ${CLOCK_SKEW_MINUTES} minutes ahead for clock skew`;
}


/** Whether a leap second falls at `s`: 23:59:60 UTC on a month's last day. `s` is of the form already. */
function leapSecondFits(s: string): boolean {
  const ms = Date.parse(withoutLeapSecond(s).toUpperCase());
  if (Number.isNaN(ms)) return false;
  const d = new Date(ms);
  const next = new Date(ms + 1000);
  return d.getUTCHours() === 23 && d.getUTCMinutes() === 59 && next.getUTCDate() === 1;
}

export function isRfc3339Timestamp(s: string): boolean {
  return RFC3339_TIMESTAMP.test(s) && (!isLeapSecond(s) || leapSecondFits(s));
}

/**
 * The kept form of a valid timestamp: `T` and `Z` upper-case, a leap second as `:59.999999999`. A date
 * "YYYY-MM-DD" is kept as it is.
 */
export function normaliseTimestamp(s: string): string {
  return withoutLeapSecond(s).toUpperCase();
}

/**
 * A timestamp field of inbound data: validated as RFC 3339 allows it, kept in the product's form. JSON Schema
 * sees the accepted form (pattern) as a `date-time`.
 */
export const rfc3339Timestamp = () => z.pipe(rfc3339TimestampText(), z.transform(normaliseTimestamp));

/** The check of `rfc3339Timestamp` alone. */
export const rfc3339TimestampText = () =>
  rfc3339TimestampForm().check(z.refine((s) => !isRfc3339Timestamp(s) || isWithinYears(s), `${YEARS_MESSAGE} (before 9999-12-31T00:00:00Z)`));

/** The form of a timestamp without its years, for a union (`dateOrTimestamp`) that checks the years after it. */
export const rfc3339TimestampForm = () =>
  z.string().check(
    z.regex(RFC3339_TIMESTAMP, TIMESTAMP_MESSAGE),
    z.refine((s) => !RFC3339_TIMESTAMP.test(s) || isRfc3339Timestamp(s), 'has second 60, a leap second, where none can fall (only at 23:59:60 UTC on the last day of a month)'),
    z.meta({ format: 'date-time' }),
  );


/**
 * A timestamp saying when the event's own occurrence happened (a submission, a decision, a step): checked as
 * `rfc3339Timestamp`, then, at the edge, not after the event's receipt beyond CLOCK_SKEW_MINUTES.
 */
export const happenedAt = () =>
  rfc3339Timestamp().check(
    notAfterReceipt(),
    z.describe(`When it happened: refused when more than ${CLOCK_SKEW_MINUTES} minutes after the event is received.`),
  );

/** The check of a date or timestamp saying when something happened: not after the event's receipt (`happenedAtProblem`). */
export function notAfterReceipt() {
  return z.superRefine((s: string, ctx) => {
    const problem = happenedAtProblem(s);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', input: s, message: problem });
  });
}
