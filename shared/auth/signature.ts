import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Request signing for upstream systems and auditors.
 *
 * Every request carries three headers:
 *   x-civicflow-principal  the CloudEvents source (e.g. /systems/window-acceptance) or reader name
 *   x-civicflow-date       the signing time, RFC 3339 (must be within ±5 minutes of the server's clock)
 *   x-civicflow-signature  "v1=" + hex(HMAC-SHA256(key, canonical))
 * where canonical = METHOD "\n" PATH "\n" DATE "\n" hex(SHA-256(body)), PATH including the query string.
 * The signature covers the body, which is why it is checked in the function and not by a gateway
 * authorizer (authorizers never see the body).
 */
export const HEADER_PRINCIPAL = 'x-civicflow-principal';
export const HEADER_DATE = 'x-civicflow-date';
export const HEADER_SIGNATURE = 'x-civicflow-signature';
export const MAX_SKEW_MS = 5 * 60 * 1000;

export function canonicalRequest(method: string, path: string, date: string, body: string | Buffer): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return `${method.toUpperCase()}\n${path}\n${date}\n${bodyHash}`;
}

export function sign(key: string, method: string, path: string, date: string, body: string | Buffer): string {
  return 'v1=' + createHmac('sha256', key).update(canonicalRequest(method, path, date, body)).digest('hex');
}

/** The headers a client sends; used by `npm run post`, the tests and the README's examples. */
export function signedHeaders(
  principal: string,
  key: string,
  method: string,
  path: string,
  body: string | Buffer,
  date: string = new Date().toISOString(),
): Record<string, string> {
  return {
    [HEADER_PRINCIPAL]: principal,
    [HEADER_DATE]: date,
    [HEADER_SIGNATURE]: sign(key, method, path, date, body),
  };
}

/**
 * RFC 3339 date-time with an offset (`2026-11-03T09:30:00Z`, `…+08:00`, fraction optional), as the README
 * says: Date.parse alone would also take HTTP dates ("Tue, 03 Nov 2026 01:30:00 GMT") and other forms.
 */
const RFC3339 = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

export function isRfc3339(value: string): boolean {
  return RFC3339.test(value) && realDay(value) && !Number.isNaN(instantOf(value));
}

/** Whether the date part names a real day: Date.parse would read 31 November as 1 December. */
function realDay(value: string): boolean {
  const [y, m, d] = [Number(value.slice(0, 4)), Number(value.slice(5, 7)), Number(value.slice(8, 10))];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
}

/**
 * The instant of an RFC 3339 time, a leap second (`:60`, which Date.parse refuses) read as the last instant
 * of its minute, as the edge keeps event timestamps; NaN when it is no time.
 */
function instantOf(value: string): number {
  return Date.parse(value.replace(/^(.{17})60(?:\.\d+)?/, '$159.999'));
}

export type Verification = { ok: true; principal: string } | { ok: false; reason: string };

export function verify(
  headers: Readonly<Record<string, string | undefined>>,
  keys: Readonly<Record<string, string>>,
  method: string,
  path: string,
  body: string | Buffer,
  nowMs: number,
): Verification {
  const principal = headers[HEADER_PRINCIPAL];
  const date = headers[HEADER_DATE];
  const signature = headers[HEADER_SIGNATURE];
  if (!principal || !date || !signature) {
    return { ok: false, reason: `missing ${[!principal && HEADER_PRINCIPAL, !date && HEADER_DATE, !signature && HEADER_SIGNATURE].filter(Boolean).join(', ')}` };
  }
  // An own key only: a principal named like an object's member (`constructor`, `__proto__`) is unknown.
  const key = Object.hasOwn(keys, principal) ? keys[principal] : undefined;
  if (typeof key !== 'string' || key === '') return { ok: false, reason: `unknown principal ${principal}` };
  if (!isRfc3339(date)) return { ok: false, reason: `${HEADER_DATE} must be an RFC 3339 time, e.g. 2026-11-03T09:30:00Z` };
  const at = instantOf(date);
  if (Math.abs(nowMs - at) > MAX_SKEW_MS) return { ok: false, reason: `${HEADER_DATE} is more than 5 minutes from the server's time` };
  const expected = Buffer.from(sign(key, method, path, date, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'signature does not match' };
  }
  return { ok: true, principal };
}

/**
 * Development keys of the local stage, derived from the principal's name. Public by design and
 * documented in the README: they only open the local runtime on 127.0.0.1. Deployed stages read their
 * keys from Secrets Manager.
 */
export function devKey(principal: string): string {
  return `local-dev-key:${principal}`;
}
