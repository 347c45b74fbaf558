/**
 * An upstream system's view of its own events: an accepted event as recorded at the edge,
 * its receipt (what became of it), and its refusals since a time. A source reads its own events only;
 * readers that are not sources (auditors) read every source's.
 */
import { isRfc3339Timestamp, isWithinYears, normaliseTimestamp } from '#contract/timestamp';
import { asOfInstant } from '#platform/calendar';
import { accessConfig } from '#platform/stage-config';
import { json, problem, type HttpResult } from '#platform/http';
import { getReceipt, RECEIPT_KINDS, refusalsOf, type Receipt } from '#platform/receipts';
import { getAcceptedEvent } from '#ingest';
import { CURSOR_NOT_OURS, cursorOf, pageKeyIn } from './page-key';
import type { QueryRoutes } from './router';

const MAX_PAGE = 100;
const SINCE = /^\d{4}-\d{2}-\d{2}(?:[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2}))?$/;

/** Whether `principal` reads every source's events: a reader that is not itself a source (an auditor). */
export function seesEverySource(principal: string): boolean {
  return !Object.hasOwn(accessConfig().sources, principal);
}

/** Whether `principal` may read events of `source`: its own, or any when it is not a source (an auditor). */
export function mayReadSource(principal: string, source: string): boolean {
  return principal === source || seesEverySource(principal);
}

/**
 * Of the refused or conflicting events a capability's route lists (an application's, a hard case's), those
 * `principal` may read: a source sees its own only, as on the receipt routes; a reader sees all.
 */
export function visibleTo<T>(principal: string, items: readonly T[], sourceOf: (item: T) => string): T[] {
  return items.filter((item) => mayReadSource(principal, sourceOf(item)));
}

function forbidden(principal: string, source: string): HttpResult {
  return problem(403, `${principal} may read only its own events and receipts, not those of ${source}`);
}

/** The receipt as the route shows it: the outcome, the kind with its meaning, the reason, what it changed. */
export function receiptView(receipt: Receipt | undefined): Record<string, unknown> {
  if (!receipt) {
    return {
      outcome: 'pending',
      reason: 'accepted and queued; not processed yet (a consumer retries what fails, and an event that keeps failing reaches a dead-letter queue and raises an alarm)',
    };
  }
  return {
    outcome: receipt.outcome,
    ...(receipt.kind ? { kind: receipt.kind, kindDescription: RECEIPT_KINDS[receipt.kind].description } : {}),
    ...(receipt.reason ? { reason: receipt.reason } : {}),
    ...(receipt.effect ? { effect: receipt.effect } : {}),
    processedAt: receipt.at,
    ...(receipt.details ? { details: receipt.details } : {}),
  };
}

/** `source` from the query string, required and readable by the principal; a problem otherwise. */
function sourceParam(query: Readonly<Record<string, string | undefined>>, principal: string): string | HttpResult {
  const source = query.source ?? (Object.hasOwn(accessConfig().sources, principal) ? principal : undefined);
  if (!source) return problem(400, 'query parameter "source" is required (the CloudEvents source, e.g. /systems/catalog)');
  if (!mayReadSource(principal, source)) return forbidden(principal, source);
  return source;
}

/** The instant of a date (start of the local day) or timestamp; undefined when it is no real date. */
function instantOrUndefined(value: string): string | undefined {
  try {
    return asOfInstant(value);
  } catch {
    return undefined;
  }
}

/**
 * The key a refusals cursor holds, or why it is not one this route returned for `source` and `since`. A cursor
 * is a page's last key (`pk`, `sk`, `refusedBy`, `refusedAt`) as base64url JSON: one made by hand, altered,
 * or returned for another source or an earlier `since` is refused here, naming it, instead of reaching the
 * table, which refuses a start key outside the query (an error, not an answer).
 */
export function refusalsCursor(cursor: string, source: string, since: string): Record<string, string> | string {
  const key = pageKeyIn(cursor, ['pk', 'sk', 'refusedBy', 'refusedAt']);
  if (typeof key === 'string') return key;
  const notOurs = CURSOR_NOT_OURS;
  const { pk, sk, refusedBy, refusedAt } = key;
  if (refusedBy !== source) return `${notOurs} for source ${source}`;
  // A receipt's key: RCPT#<source>#<id>, RECEIPT; its index key: <at>#<id>, at or after since.
  const prefix = `RCPT#${source}#`;
  const id = pk.startsWith(prefix) ? pk.slice(prefix.length) : '';
  if (id === '' || sk !== 'RECEIPT' || !refusedAt.endsWith(`#${id}`) || refusedAt.length === id.length + 1) return `${notOurs} (not a page's key)`;
  if (refusedAt < since) return `${notOurs} with since ${since}`;
  return { pk, sk, refusedBy, refusedAt };
}

export const eventRoutes: QueryRoutes = {
  /** An accepted inbound event as recorded at the edge: proof of receipt, its content hash and queue. */
  'GET /events/{id}': async ({ params, query, principal }) => {
    const source = sourceParam(query, principal);
    if (typeof source !== 'string') return source;
    const item = await getAcceptedEvent(source, params.id ?? '');
    if (!item) return problem(404, `no event (${source}, ${params.id}) was accepted`);
    const { source: s, id, type, queue, hash, receivedAt, event } = item;
    return json(200, {
      source: s,
      id,
      type,
      queue,
      hash,
      receivedAt,
      receipt: `/events/${encodeURIComponent(String(id))}/receipt?source=${encodeURIComponent(String(s))}`,
      event: JSON.parse(event as string),
    });
  },

  /**
   * What became of an event: accepted when, then applied (and what it changed), no effect, refused (kind
   * and reason) or still pending. Kinds are one vocabulary, listed in the OpenAPI document.
   */
  'GET /events/{id}/receipt': async ({ params, query, principal }) => {
    const source = sourceParam(query, principal);
    if (typeof source !== 'string') return source;
    const id = params.id ?? '';
    const [item, receipt] = await Promise.all([getAcceptedEvent(source, id), getReceipt(source, id)]);
    if (!item) return problem(404, `no event (${source}, ${id}) was accepted`);
    return json(200, { source, id, type: item.type, acceptedAt: item.receivedAt, ...receiptView(receipt) });
  },

  /** A source's refusals since a time (a date is the start of that day in the bureau's time zone), oldest first. */
  'GET /refusals': async ({ query, principal }) => {
    const source = sourceParam(query, principal);
    if (typeof source !== 'string') return source;
    if (query.since === undefined) return problem(400, 'query parameter "since" is required: a date YYYY-MM-DD or an RFC 3339 timestamp');
    // A timestamp as the event contract takes it: t and z in either case, a leap second, the years 1900 to
    // 9999 (timestamp.ts); an instant of year 10000 would be written "+010000-…" and sort before every other.
    const written = isRfc3339Timestamp(query.since) ? normaliseTimestamp(query.since) : query.since;
    const since = SINCE.test(query.since) && isWithinYears(written) ? instantOrUndefined(written) : undefined;
    if (since === undefined) return problem(400, `query parameter "since" must be a date YYYY-MM-DD or an RFC 3339 timestamp in the years 1900 to 9999; got "${query.since}"`);
    const limitText = query.limit ?? '50';
    if (!/^\d{1,3}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_PAGE) {
      return problem(400, `query parameter "limit" must be a whole number from 1 to ${MAX_PAGE}`);
    }
    const cursor = query.cursor === undefined ? undefined : refusalsCursor(query.cursor, source, since);
    if (typeof cursor === 'string') return problem(400, cursor);
    const page = await refusalsOf(source, since, Number(limitText), cursor);
    return json(200, {
      source,
      since,
      count: page.items.length,
      refusals: page.items.map((r) => ({ id: r.id, type: r.type, ...receiptView(r) })),
      ...(page.next ? { cursor: cursorOf(page.next) } : {}),
    });
  },
};
