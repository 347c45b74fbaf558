/**
 * Each raw event of a request, judged on its own: first whether the authenticated principal may post it
 * (its `source` and known `type`, whatever its data), then nesting, size as queued, the envelope and its
 * data (shared/contract). Then the request's own repeats, and what recording found (a conflict with an
 * event accepted before).
 */
import { CONTEXT_ATTRIBUTES, isInboundType, jsonDepthExceeds, MAX_DATA_DEPTH, validateEvent } from '#contract/envelope';
import { formatPath } from '#contract/issues';
import { routing } from '#platform/resources';
import { contentHash } from '#util/canonical';
import { toMessageBody } from '#util/message-body';
import type { MediaType } from './body';
import { CONTENT_TYPE_BATCH, MAX_EVENT_BYTES, type AcceptedEvent, type ReceivedEvent, type Recorded, type Rejection } from './types';

export interface Screened {
  readonly valid: AcceptedEvent[];
  /** Data errors: the rest of the request may still be accepted. */
  readonly rejected: Rejection[];
  /** Authorization failures: nothing of the request is accepted. */
  readonly forbidden: Rejection[];
  /** How many of `rejected` are events too large to queue. */
  tooLarge: number;
}

export interface Poster {
  readonly principal: string;
  /** The types the principal may post. */
  readonly allowed: ReadonlySet<string>;
  /** The local date at the edge, when ID numbers born after it are refused, and date-only asOf after it. */
  readonly today?: string;
  /** When the request was received: an event's own time may not lie after it (beyond the clock skew taken). */
  readonly receivedAt?: string;
  /** The stage's time zone, in which a date-only policy bound is a local day. */
  readonly timeZone?: string;
}

export function screenEvents(raws: readonly unknown[], media: MediaType, poster: Poster): Screened {
  const out: Screened = { valid: [], rejected: [], forbidden: [], tooLarge: 0 };
  raws.forEach((raw, index) => screenOne(raw, batchPath(media, index), poster, out));
  return out;
}

function screenOne(raw: unknown, path: string, poster: Poster, out: Screened): void {
  const rawId = raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : null;
  // Authorization before the data: an event of a known type its principal may not post is forbidden even
  // when its data (or its size) is wrong too, or a batch could slip it past the 403 as a mere data error.
  const denial = permissionProblem(raw, poster);
  if (denial !== undefined) {
    // Not validated yet: an id longer than any valid one is not echoed whole.
    out.forbidden.push({ id: rawId === null ? null : shown(rawId), errors: [denial] });
    return;
  }
  // Depth before size: serializing a hostile nesting (100,000 levels) would overflow the stack.
  const deep = tooDeep(raw);
  if (deep !== undefined) {
    out.rejected.push({ id: rawId, errors: [{ path: deep === '' ? path : deep, message: `is nested deeper than ${MAX_DATA_DEPTH} levels` }] });
    return;
  }
  const size = queuedBytes(raw);
  if (size > MAX_EVENT_BYTES) {
    out.rejected.push({ id: rawId, errors: [{ path, message: `event is ${size} bytes as queued; one event may be at most ${MAX_EVENT_BYTES} bytes` }] });
    out.tooLarge += 1;
    return;
  }
  const result = validateEvent(raw, {
    ...(poster.today === undefined ? {} : { today: poster.today }),
    ...(poster.timeZone === undefined ? {} : { timeZone: poster.timeZone }),
    ...(poster.receivedAt === undefined ? {} : { receivedAt: poster.receivedAt }),
  });
  if (!result.ok) {
    out.rejected.push({ id: result.id ?? rawId, errors: result.errors });
    return;
  }
  // A valid event has a string source and a known type, so its permission was judged above.
  const event = result.event;
  out.valid.push({ source: event.source, id: event.id, type: event.type, queue: routing[event.type], hash: contentHash(contentOf(event)), event });
}

/**
 * What makes a re-post of an id the same event: its context attributes and data. Extension attributes are
 * left out: a client may add new ones to each send (a tracing header's `traceparent`), and its retry of an
 * accepted event must be accepted with no further effect, not refused as other content.
 */
function contentOf(event: object): Record<string, unknown> {
  const fields = event as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const name of CONTEXT_ATTRIBUTES) if (fields[name] !== undefined) out[name] = fields[name];
  return out;
}

/**
 * Why the principal may not post `raw`, judged on the envelope's `source` and `type` alone, or undefined. Only
 * an event of a known type with a string source is judged; an unknown type or a missing source is a data
 * error, named by validation.
 */
function permissionProblem(raw: unknown, poster: Poster): { path: string; message: string } | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const { source, type } = raw as { source?: unknown; type?: unknown };
  if (!isInboundType(type) || typeof source !== 'string') return undefined;
  if (source !== poster.principal) {
    return { path: 'source', message: `authenticated as ${poster.principal}, which may not post events of source ${shown(source)}` };
  }
  if (!poster.allowed.has(type)) return { path: 'type', message: `source ${poster.principal} may not post ${type}` };
  return undefined;
}

/** The longest string of a request echoed whole in an answer (an event id may be 256 characters). */
const ECHO_MAX = 256;

/** A string of the request as an answer quotes it: whole up to ECHO_MAX characters, else its start and its length. */
function shown(s: string): string {
  return s.length <= ECHO_MAX ? s : `${s.slice(0, ECHO_MAX)}… (${s.length} characters)`;
}

/** The same (source, id) twice in one request: one copy counts, a different second copy is a conflict. */
export function firstCopies(valid: readonly AcceptedEvent[]): { unique: AcceptedEvent[]; repeats: Rejection[] } {
  const unique: AcceptedEvent[] = [];
  const repeats: Rejection[] = [];
  const seen = new Map<string, AcceptedEvent>();
  for (const e of valid) {
    const first = seen.get(e.id);
    if (!first) {
      seen.set(e.id, e);
      unique.push(e);
    } else if (first.hash !== e.hash) {
      repeats.push({ id: e.id, errors: [{ path: 'id', message: `event id ${e.id} appears twice in this batch with different content` }] });
    }
  }
  return { unique, repeats };
}

/**
 * What to queue after recording: the new events and the duplicates (a first copy may have been recorded by a
 * request that failed before queueing; consumers are idempotent, so a second copy has no further effect),
 * each under the receipt recording found — a duplicate's first one, so a client's retry after a failed post
 * is not judged late by its own time — never one accepted before with other content.
 */
export function toQueueAfterRecording(unique: readonly AcceptedEvent[], recorded: readonly Recorded[]): { toQueue: ReceivedEvent[]; conflicts: Rejection[] } {
  const toQueue: ReceivedEvent[] = [];
  const conflicts: Rejection[] = [];
  unique.forEach((e, i) => {
    const r = recorded[i]!;
    if (r.outcome === 'conflict') {
      conflicts.push({ id: e.id, errors: [{ path: 'id', message: `event (${e.source}, ${e.id}) was already accepted with different content; use a new id` }] });
    } else toQueue.push({ ...e, receivedAt: r.receivedAt });
  });
  return { toQueue, conflicts };
}

/**
 * The path of the first attribute of `raw` nested deeper than an event may be ('' for an event that is
 * itself an array), or undefined. `data` may nest MAX_DATA_DEPTH levels; every other attribute is a scalar.
 */
function tooDeep(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  if (Array.isArray(raw)) return jsonDepthExceeds(raw, MAX_DATA_DEPTH) ? '' : undefined;
  for (const [key, value] of Object.entries(raw)) {
    if (jsonDepthExceeds(value, MAX_DATA_DEPTH)) return formatPath([key]);
  }
  return undefined;
}

/** The `receivedat` attribute the queued copy carries: `,"receivedat":"2026-11-05T07:20:00.000Z"`. */
const RECEIVED_AT_BYTES = 41;

/** The bytes SQS counts for the event: its message body (as sendMessages escapes it) and the attributes. */
function queuedBytes(raw: unknown): number {
  const e = (typeof raw === 'object' && raw !== null ? raw : {}) as { type?: unknown; source?: unknown };
  const attribute = (name: string, value: unknown) => (typeof value === 'string' ? name.length + 'String'.length + Buffer.byteLength(value) : 0);
  return Buffer.byteLength(toMessageBody(raw)) + attribute('type', e.type) + attribute('source', e.source) + RECEIVED_AT_BYTES;
}

function batchPath(media: MediaType, index: number): string {
  return media === CONTENT_TYPE_BATCH ? `[${index}]` : '';
}
