/**
 * The request body as a list of raw events: its size, media type, encoding and JSON shape. A problem
 * here refuses the whole request; each event is judged afterwards on its own (screen.ts).
 */
import { firstInvalidUtf8 } from '#util/utf8';
import { CONTENT_TYPE_BATCH, CONTENT_TYPE_SINGLE, MAX_BATCH_EVENTS, MAX_BODY_BYTES, type RequestProblem } from './types';

export type MediaType = typeof CONTENT_TYPE_SINGLE | typeof CONTENT_TYPE_BATCH;

export type RawEvents = { readonly ok: true; readonly media: MediaType; readonly raws: readonly unknown[] } | { readonly ok: false; readonly problem: RequestProblem };

const refuse = (status: RequestProblem['status'], error: string): RawEvents => ({ ok: false, problem: { status, body: { error } } });

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export function rawEvents(body: Buffer, contentType: string | undefined): RawEvents {
  if (body.length > MAX_BODY_BYTES) return refuse(413, `body is ${body.length} bytes; the limit is ${MAX_BODY_BYTES} bytes (1 MB)`);
  const media = mediaType(contentType);
  if (media !== CONTENT_TYPE_SINGLE && media !== CONTENT_TYPE_BATCH) {
    return refuse(400, `content-type must be ${CONTENT_TYPE_SINGLE} or ${CONTENT_TYPE_BATCH}, got "${media || '(none)'}"`);
  }
  // Decoding with replacement would turn bad bytes into U+FFFD and store a text nobody sent.
  const badByte = firstInvalidUtf8(body);
  if (badByte !== undefined) return refuse(400, `body is not valid UTF-8: invalid byte sequence at byte ${badByte}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return refuse(400, `body is not valid JSON: ${(error as Error).message}`);
  }
  if (media === CONTENT_TYPE_BATCH) {
    if (!Array.isArray(parsed)) return refuse(400, 'a batch must be a JSON array of CloudEvents');
    if (parsed.length === 0) return refuse(400, 'a batch must hold at least one event');
    if (parsed.length > MAX_BATCH_EVENTS) return refuse(413, `a batch holds at most ${MAX_BATCH_EVENTS} events; this one has ${parsed.length}`);
    return { ok: true, media, raws: parsed };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return refuse(400, `a ${CONTENT_TYPE_SINGLE} body must be one JSON object`);
  return { ok: true, media, raws: [parsed] };
}
