/**
 * Date handling for the rules language. Rule authors write dates as "YYYY-MM-DD" or RFC 3339 instants
 * (offset required, so an instant never depends on the server's time zone).
 *
 * Dates are compared without allocating: a date-only value is a day number; an instant has both the
 * day number of its date *as written* (in its own offset) and its epoch milliseconds. Two instants
 * compare by milliseconds; anything involving a date-only value compares by day, so
 * "2025-10-09T08:00:00+08:00" is on 2025-10-09, not before it.
 */

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;

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

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1000;
}

/**
 * The year, month and day of the date part of `s` packed as y*10000+m*100+d, or NaN when `s` does not
 * start with a valid calendar date. Parsed by hand because this runs on every evaluation of a date leaf.
 */
export function packedDatePart(s: string): number {
  if (s.length < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
  const y = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const m = digit(s, 5) * 10 + digit(s, 6);
  const d = digit(s, 8) * 10 + digit(s, 9);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return NaN;
  return y * 10000 + m * 100 + d;
}

/** Day number of a "YYYY-MM-DD" or RFC 3339 string (its date as written); NaN if not a valid date. */
export function dayOf(s: string): number {
  if (s.length !== 10 && !isInstant(s)) return NaN;
  const p = packedDatePart(s);
  if (p !== p) return NaN;
  return daysFromCivil(Math.floor(p / 10000), Math.floor(p / 100) % 100, p % 100);
}

function isInstant(s: string): boolean {
  return s.length > 10 && RFC3339.test(s) && validTime(s);
}

function validTime(s: string): boolean {
  const m = RFC3339.exec(s);
  if (!m) return false;
  const hh = Number(m[4]);
  const mi = Number(m[5]);
  const ss = Number(m[6]);
  if (hh > 23 || mi > 59 || ss > 59) return false;
  if (m[9] !== undefined && (Number(m[10]) > 23 || Number(m[11]) > 59)) return false;
  return true;
}

/** Epoch milliseconds of an RFC 3339 instant; NaN for a date-only or invalid string. */
export function instantOf(s: string): number {
  if (s.length <= 10 || !isInstant(s) || packedDatePart(s) !== packedDatePart(s)) return NaN;
  return Date.parse(s.toUpperCase());
}

/** A "YYYY-MM-DD" calendar date or an RFC 3339 instant with an offset. */
export function isDateString(v: unknown): v is string {
  return typeof v === 'string' && dayOf(v) === dayOf(v);
}

/**
 * Orders two valid date strings: two instants by their moment, otherwise by calendar day (an instant's
 * day being its date as written). Negative, zero or positive like a comparator.
 */
export function compareDates(a: string, b: string): number {
  const ia = instantOf(a);
  const ib = instantOf(b);
  if (ia === ia && ib === ib) return ia - ib;
  return dayOf(a) - dayOf(b);
}
