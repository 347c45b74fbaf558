/**
 * Instants named by RFC 3339 timestamps, with no schema library: what consumers that compare times need
 * (the approval function orders a person's decision against its submission) without the edge's validators
 * and the bytes they bring into a bundle. timestamp.ts validates and keeps the form these read.
 */

/** The second field starts at 17: "YYYY-MM-DDTHH:MM:SS". */
const SECOND_AT = 17;

export function isLeapSecond(s: string): boolean {
  return s.charCodeAt(SECOND_AT) === 54 && s.charCodeAt(SECOND_AT + 1) === 48; // "60"
}

/** `s` with its leap second written as the last instant of its minute; other strings unchanged. */
export function withoutLeapSecond(s: string): string {
  if (!isLeapSecond(s)) return s;
  let i = SECOND_AT + 2;
  if (s[i] === '.') {
    i += 1;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i += 1;
  }
  return `${s.slice(0, SECOND_AT)}59.999999999${s.slice(i)}`;
}

/** "…THH:MM:SS", an optional fraction, then the offset: the parts `compareInstants` reads. */
const FRACTION = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/;

/**
 * The order of two timestamps as instants, whatever offsets they are written in: negative when `a` is
 * before `b`, 0 at the same instant, positive after; NaN when either cannot be read. Exact to the last digit
 * of either fraction (Date.parse keeps milliseconds only, so two instants within one millisecond would
 * compare equal). A leap second reads as the last instant of its minute, as the edge keeps it.
 */
export function compareInstants(a: string, b: string): number {
  const [aMs, aRest] = instantParts(a);
  const [bMs, bRest] = instantParts(b);
  if (Number.isNaN(aMs) || Number.isNaN(bMs)) return Number.NaN;
  if (aMs !== bMs) return aMs - bMs;
  // The same millisecond: the digits after it, as decimal fractions of equal length.
  const width = Math.max(aRest.length, bRest.length);
  const [x, y] = [aRest.padEnd(width, '0'), bRest.padEnd(width, '0')];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Milliseconds since the epoch, and the fraction's digits below the millisecond. */
function instantParts(s: string): [number, string] {
  const m = FRACTION.exec(withoutLeapSecond(s).toUpperCase());
  if (m === null) return [Number.NaN, ''];
  const [, upToSeconds, fraction = '', offset] = m;
  return [Date.parse(`${upToSeconds}.${fraction.slice(0, 3).padEnd(3, '0')}${offset}`), fraction.slice(3)];
}
