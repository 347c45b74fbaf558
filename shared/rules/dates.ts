/**
 * Date handling for the rules language. Rule authors write dates as "YYYY-MM-DD" or RFC 3339 instants
 * (offset required, so an instant never depends on the server's time zone).
 *
 * Time semantics: dates compare as LOCAL calendar dates in the bureau's time zone.
 * - A date-only value is a local date. An instant is a moment; two instants compare by moment.
 * - Where an instant meets a date-only value, the instant stands for its local date in the bureau's
 *   zone, whatever offset it is written in: in Shanghai "2026-11-20T17:00:00Z" is on 2026-11-21. So
 *   `after D` turns true at the local midnight that starts the day after D, and a licence valid until
 *   "…T23:30:00Z" is valid on the next local date.
 * - `now` is an instant like any other. Callers write it in UTC or in any offset: the engine takes its
 *   local date itself, so a caller cannot get "today" wrong at 01:00 Beijing time.
 * - The zone is bound when a condition is compiled (`compileCondition(c, { timeZone })`, default
 *   Asia/Shanghai; the compile cache keys on it). The generated evaluator closes over one TimeZone,
 *   so `evaluate(facts)` keeps its single argument and the hot path never calls Intl.
 * - Each instant is localised with the offset in force at that instant (zone.ts), not one offset per
 *   evaluation: an offset read from `now` would put a summer instant on the wrong date in winter, and
 *   the next-flip computation must know where future local midnights fall in zones with daylight saving.
 *
 * Dates are compared without allocating: a date-only value is a day number; an instant has both the
 * day number of its date *as written* (in its own offset) and its epoch milliseconds, and its local day
 * is taken from the milliseconds only when it meets a date-only value.
 *
 * Parsing is hand-written, one pass over char codes, because it runs on every evaluation of a date leaf
 * (regexes and Date.parse made date leaves ~30× slower than the rest).
 */
import type { TimeZone } from './zone';

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Two ASCII digits at i as a number, or -1 (charCodeAt past the end is NaN, which fails too). */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/**
 * The year, month and day of the date part of `s` packed as y*10000+m*100+d, or NaN when `s` does not
 * start with a valid calendar date.
 */
export function packedDatePart(s: string): number {
  if (s.length < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
  // Each digit as charCode - 48: unsigned, anything but 0–9 exceeds 9 (a negative one wraps around).
  const y0 = s.charCodeAt(0) - 48;
  const y1 = s.charCodeAt(1) - 48;
  const y2 = s.charCodeAt(2) - 48;
  const y3 = s.charCodeAt(3) - 48;
  const m0 = s.charCodeAt(5) - 48;
  const m1 = s.charCodeAt(6) - 48;
  const d0 = s.charCodeAt(8) - 48;
  const d1 = s.charCodeAt(9) - 48;
  if ((y0 >>> 0) > 9 || (y1 >>> 0) > 9 || (y2 >>> 0) > 9 || (y3 >>> 0) > 9 || (m0 >>> 0) > 9 || (m1 >>> 0) > 9 || (d0 >>> 0) > 9 || (d1 >>> 0) > 9) return NaN;
  const y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const m = m0 * 10 + m1;
  const d = d0 * 10 + d1;
  if (m < 1 || m > 12 || d < 1 || (d > 28 && d > daysInMonth(y, m))) return NaN;
  return y * 10000 + m * 100 + d;
}

/** What one scan of a date string found; every field NaN when the string is not a valid date. */
export interface ScannedDate {
  /** Day number of the date as written. */
  day: number;
  /** Epoch milliseconds for an RFC 3339 instant; NaN for a date-only value. */
  ms: number;
  /** y*10000+m*100+d of the date as written. */
  packed: number;
}

/**
 * Parses "YYYY-MM-DD" or an RFC 3339 instant with an offset (`YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)`,
 * T and Z in either case, hours ≤ 23, minutes and seconds ≤ 59, offset ≤ 23:59) into `out`, and says
 * whether it was valid. Milliseconds are what Date.parse gives: the fraction truncated to three digits.
 */
function scanInto(s: string, out: ScannedDate): boolean {
  out.day = NaN;
  out.ms = NaN;
  out.packed = NaN;
  const n = s.length;
  if (n < 10) return false;
  // packedDatePart's own digit check is kept for date-only values so their validity is exactly as before.
  const p = packedDatePart(s);
  if (p !== p) return false;
  const y = Math.floor(p / 10000);
  const mo = Math.floor(p / 100) % 100;
  const d = p % 100;
  const day = daysFromCivil(y, mo, d);
  if (n === 10) {
    out.day = day;
    out.packed = p;
    return true;
  }
  // Shortest instant: "YYYY-MM-DDTHH:MM:SSZ" (20 chars).
  if (n < 20 || !isDigitAt(s, 0) || !isDigitAt(s, 1) || !isDigitAt(s, 2) || !isDigitAt(s, 3)) return false;
  const t = s.charCodeAt(10);
  if ((t !== 84 && t !== 116) || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return false;
  const hh = twoDigits(s, 11);
  const mi = twoDigits(s, 14);
  const ss = twoDigits(s, 17);
  if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59) return false;
  let i = 19;
  let frac = 0;
  if (s.charCodeAt(i) === 46) {
    i += 1;
    const start = i;
    while (i < n && isDigitAt(s, i)) {
      if (i - start < 3) frac = frac * 10 + (s.charCodeAt(i) - 48);
      i += 1;
    }
    const len = i - start;
    if (len < 1 || len > 9) return false;
    if (len === 1) frac *= 100;
    else if (len === 2) frac *= 10;
  }
  let offsetMin: number;
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) {
    if (i + 1 !== n) return false;
    offsetMin = 0;
  } else if (z === 43 || z === 45) {
    if (i + 6 !== n || s.charCodeAt(i + 3) !== 58) return false;
    const oh = twoDigits(s, i + 1);
    const om = twoDigits(s, i + 4);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return false;
    offsetMin = z === 43 ? oh * 60 + om : -(oh * 60 + om);
  } else {
    return false;
  }
  out.day = day;
  out.packed = p;
  out.ms = day * DAY_MS + ((hh * 60 + mi - offsetMin) * 60 + ss) * 1000 + frac;
  return true;
}

/**
 * The last scan of a fact-side string. Callers read it right after `scanDate` and never hold on to
 * it, so one shared record keeps the evaluation hot path free of allocation.
 */
const scratch: ScannedDate = { day: NaN, ms: NaN, packed: NaN };

/** Scans `s`; the result is valid only until the next call. */
export function scanDate(s: string): Readonly<ScannedDate> {
  scanInto(s, scratch);
  return scratch;
}

/**
 * One decision, or one matching slice, evaluates every leaf against the same `now` in the same zone, so
 * the last `now` scanned is remembered by its string and zone. The result depends on those alone, so
 * this stays pure. `day` and `packed` are LOCAL (in the zone) for an instant.
 */
const nowMemo: ScannedDate = { day: NaN, ms: NaN, packed: NaN };
let nowKey: string | undefined;
let nowZone: TimeZone | undefined;

/** Scans a `now` string and localises it, reusing the previous scan when string and zone are equal. */
export function scanNow(s: string, zone: TimeZone): Readonly<ScannedDate> {
  if (s !== nowKey || zone !== nowZone) {
    if (scanInto(s, nowMemo) && nowMemo.ms === nowMemo.ms) {
      nowMemo.day = zone.dayOf(nowMemo.ms);
      nowMemo.packed = packedOfDay(nowMemo.day);
    }
    nowKey = s;
    nowZone = zone;
  }
  return nowMemo;
}

/** y*10000+m*100+d of a day number (H. Hinnant's civil_from_days). */
export function packedOfDay(day: number): number {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return y * 10000 + m * 100 + d;
}

/** "YYYY-MM-DD" of a day number (years 0-9999). */
export function isoDateOfDay(day: number): string {
  const p = packedOfDay(day);
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  return `${pad(Math.floor(p / 10000), 4)}-${pad(Math.floor(p / 100) % 100, 2)}-${pad(p % 100, 2)}`;
}

/** Day number of a "YYYY-MM-DD" or RFC 3339 string (its date as written); NaN if not a valid date. */
export function dayOf(s: string): number {
  return scanDate(s).day;
}

/** Epoch milliseconds of an RFC 3339 instant; NaN for a date-only or invalid string. */
export function instantOf(s: string): number {
  return scanDate(s).ms;
}

/** A "YYYY-MM-DD" calendar date or an RFC 3339 instant with an offset. */
export function isDateString(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  const day = scanDate(v).day;
  return day === day;
}

/**
 * Orders two valid date strings: two instants by their moment, otherwise by calendar day (an instant's
 * day being its date as written). Negative, zero or positive like a comparator.
 */
export function compareDates(a: string, b: string): number {
  const sa = scanDate(a);
  const aDay = sa.day;
  const aMs = sa.ms;
  const sb = scanDate(b);
  if (aMs === aMs && sb.ms === sb.ms) return aMs - sb.ms;
  return aDay - sb.day;
}
