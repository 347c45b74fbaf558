/**
 * The ingest use case, independent of HTTP and AWS: given the raw body, content type and the
 * authenticated principal, decide the response. Storage and queueing come in through ports.
 */
import { routing, type QueueName } from '#platform/resources';
import type { SourceConfig } from '#platform/stage-config';
import type { InboundType } from '#contract/inbound';
import type { Issue } from '#rules/types';
import { jsonDepthExceeds, MAX_DATA_DEPTH, validateEvent, type InboundEvent } from '#contract/envelope';
import { formatPath } from '#contract/issues';
import { toMessageBody } from '#util/message-body';
import { contentHash } from '#util/canonical';
import { firstInvalidUtf8 } from '#util/utf8';

export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_BATCH_EVENTS = 100;
/** SQS's limit on a message (body and attributes): an event must fit its queue as it is sent there. */
export const MAX_EVENT_BYTES = 256 * 1024;

export const CONTENT_TYPE_SINGLE = 'application/cloudevents+json';
export const CONTENT_TYPE_BATCH = 'application/cloudevents-batch+json';

export interface AcceptedEvent {
  readonly source: string;
  readonly id: string;
  readonly type: InboundType;
  readonly queue: QueueName;
  readonly hash: string;
  /** The validated event, as it is recorded and queued. */
  readonly event: InboundEvent;
}

export interface IngestPorts {
  /**
   * Records the event under (source, id) if new. Returns 'new', 'duplicate' (same content already
   * recorded) or 'conflict' (the same (source, id) was accepted with other content).
   */
  record(events: readonly AcceptedEvent[], receivedAt: string): Promise<Array<'new' | 'duplicate' | 'conflict'>>;
  /** Queues events for their owning capability; throws if any could not be queued. */
  enqueue(events: readonly AcceptedEvent[]): Promise<void>;
}

export interface IngestRequest {
  readonly principal: string;
  readonly contentType: string | undefined;
  readonly body: Buffer;
  readonly sources: Readonly<Record<string, SourceConfig>>;
  readonly receivedAt: string;
  /** The local date at the edge ("YYYY-MM-DD"): ID numbers born after it are refused. */
  readonly today?: string;
}

export interface Rejection {
  readonly id: string | null;
  readonly errors: readonly Issue[];
}

export type IngestResponse =
  | { status: 202; body: { accepted: string[]; rejected: Rejection[] } }
  | { status: 400 | 403 | 413; body: { error: string; accepted?: string[]; rejected?: Rejection[] } };

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export async function ingest(req: IngestRequest, ports: IngestPorts): Promise<IngestResponse> {
  if (req.body.length > MAX_BODY_BYTES) {
    return { status: 413, body: { error: `body is ${req.body.length} bytes; the limit is ${MAX_BODY_BYTES} bytes (1 MB)` } };
  }
  const media = mediaType(req.contentType);
  if (media !== CONTENT_TYPE_SINGLE && media !== CONTENT_TYPE_BATCH) {
    return {
      status: 400,
      body: { error: `content-type must be ${CONTENT_TYPE_SINGLE} or ${CONTENT_TYPE_BATCH}, got "${media || '(none)'}"` },
    };
  }
  // Decoding with replacement would turn bad bytes into U+FFFD and store a text nobody sent.
  const badByte = firstInvalidUtf8(req.body);
  if (badByte !== undefined) {
    return { status: 400, body: { error: `body is not valid UTF-8: invalid byte sequence at byte ${badByte}` } };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body.toString('utf8'));
  } catch (error) {
    return { status: 400, body: { error: `body is not valid JSON: ${(error as Error).message}` } };
  }
  let raws: unknown[];
  if (media === CONTENT_TYPE_BATCH) {
    if (!Array.isArray(parsed)) return { status: 400, body: { error: 'a batch must be a JSON array of CloudEvents' } };
    if (parsed.length === 0) return { status: 400, body: { error: 'a batch must hold at least one event' } };
    if (parsed.length > MAX_BATCH_EVENTS) {
      return { status: 413, body: { error: `a batch holds at most ${MAX_BATCH_EVENTS} events; this one has ${parsed.length}` } };
    }
    raws = parsed;
  } else {
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { status: 400, body: { error: `a ${CONTENT_TYPE_SINGLE} body must be one JSON object` } };
    }
    raws = [parsed];
  }

  const rejected: Rejection[] = [];
  const valid: AcceptedEvent[] = [];
  const forbidden: Rejection[] = [];
  const allowed = new Set<string>(req.sources[req.principal]?.types ?? []);
  raws.forEach((raw, index) => {
    const rawId = raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : null;
    // Depth before size: serializing a hostile nesting (100,000 levels) would overflow the stack.
    const deep = tooDeep(raw);
    if (deep !== undefined) {
      rejected.push({ id: rawId, errors: [{ path: deep === '' ? batchPath(media, index) : deep, message: `is nested deeper than ${MAX_DATA_DEPTH} levels` }] });
      return;
    }
    const size = queuedBytes(raw);
    if (size > MAX_EVENT_BYTES) {
      rejected.push({ id: rawId, errors: [{ path: batchPath(media, index), message: `event is ${size} bytes as queued; one event may be at most ${MAX_EVENT_BYTES} bytes` }] });
      return;
    }
    const result = validateEvent(raw, req.today === undefined ? {} : { today: req.today });
    if (!result.ok) {
      rejected.push({ id: result.id ?? rawId, errors: result.errors });
      return;
    }
    const event = result.event;
    if (event.source !== req.principal) {
      forbidden.push({ id: event.id, errors: [{ path: 'source', message: `authenticated as ${req.principal}, which may not post events of source ${event.source}` }] });
      return;
    }
    if (!allowed.has(event.type)) {
      forbidden.push({ id: event.id, errors: [{ path: 'type', message: `source ${req.principal} may not post ${event.type}` }] });
      return;
    }
    valid.push({ source: event.source, id: event.id, type: event.type, queue: routing[event.type], hash: contentHash(event), event });
  });

  // An authorization failure is not a data error: nothing of such a request is accepted.
  if (forbidden.length > 0) {
    return { status: 403, body: { error: 'the request posts events this source is not allowed to post', rejected: forbidden } };
  }

  // The same (source, id) twice in one request: one copy counts, a different second copy is a conflict.
  const unique: AcceptedEvent[] = [];
  const seen = new Map<string, AcceptedEvent>();
  for (const e of valid) {
    const first = seen.get(e.id);
    if (!first) {
      seen.set(e.id, e);
      unique.push(e);
    } else if (first.hash !== e.hash) {
      rejected.push({ id: e.id, errors: [{ path: 'id', message: `event id ${e.id} appears twice in this batch with different content` }] });
    }
  }

  const outcomes = unique.length > 0 ? await ports.record(unique, req.receivedAt) : [];
  const toQueue: AcceptedEvent[] = [];
  unique.forEach((e, i) => {
    if (outcomes[i] === 'conflict') {
      rejected.push({ id: e.id, errors: [{ path: 'id', message: `event (${e.source}, ${e.id}) was already accepted with different content; use a new id` }] });
    } else {
      // A duplicate is queued again: its first copy may have been recorded by a request that failed
      // before queueing. Consumers are idempotent, so a second copy has no further effect.
      toQueue.push(e);
    }
  });
  await ports.enqueue(toQueue);

  const accepted = toQueue.map((e) => e.id);
  if (accepted.length === 0) return { status: 400, body: { error: 'no event was accepted', accepted, rejected } };
  return { status: 202, body: { accepted, rejected } };
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

/** The bytes SQS counts for the event: its message body (as sendMessages escapes it) and the attributes. */
function queuedBytes(raw: unknown): number {
  const e = (typeof raw === 'object' && raw !== null ? raw : {}) as { type?: unknown; source?: unknown };
  const attribute = (name: string, value: unknown) =>
    typeof value === 'string' ? name.length + 'String'.length + Buffer.byteLength(value) : 0;
  return Buffer.byteLength(toMessageBody(raw)) + attribute('type', e.type) + attribute('source', e.source);
}

function batchPath(media: string, index: number): string {
  return media === CONTENT_TYPE_BATCH ? `[${index}]` : '';
}
