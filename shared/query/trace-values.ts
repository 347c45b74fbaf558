/**
 * The fact values a decision's trace shows, bounded for an answer. Each rule's leaf keeps the value it saw
 * (`seen`) and the one it compares with (`value`), in the condition's tree, its leaves, the failed and
 * unknown rules and the reason's details, and the history repeats the trace of every version. Stored, a
 * decision is packed so each repeat costs a back-reference (approval's store/packing.ts); read back whole,
 * an item of 500 rules each reading a 32 KB form value would answer ~100 MB, far over Lambda's 6 MB
 * response limit. So an answer shows a value longer than `TRACE_VALUE_BYTES` of JSON as a marker —
 * `{truncated: true, type, bytes, prefix}` — and, if the answer is still over `ANSWER_BUDGET_BYTES`, every
 * value over `TIGHT_VALUE_BYTES`. A value within the limit is shown as stored. Pure; the stored decision is
 * unchanged.
 */

/** A value of a trace entry longer than this many bytes of JSON is shown as a `TruncatedValue`. */
export const TRACE_VALUE_BYTES = 1024;
/** An answer still longer than this after truncating at TRACE_VALUE_BYTES is truncated at TIGHT_VALUE_BYTES. */
export const ANSWER_BUDGET_BYTES = 1024 * 1024;
export const TIGHT_VALUE_BYTES = 64;
/** Characters of the value (of its JSON text, when not a string) the marker shows. */
export const PREFIX_CHARS = 32;

/** What an answer shows instead of a long value of a trace entry. */
export interface TruncatedValue {
  readonly truncated: true;
  readonly type: 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';
  /** The whole value's length: bytes of its JSON text (UTF-8), as the edge's limits count them. */
  readonly bytes: number;
  /** Its first characters (of the string, or of its JSON text), never ending in a cut run of digits. */
  readonly prefix: string;
}

const typeOf = (v: unknown): TruncatedValue['type'] =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as 'string' | 'number' | 'boolean' | 'object');

/**
 * The first PREFIX_CHARS characters (code points), without a trailing run of digits (or an ID number's
 * check letter) the cut went through: an ID or phone number is never shown in part, where masking would
 * not recognise it.
 */
function prefixOf(text: string): string {
  const chars = [...text.slice(0, PREFIX_CHARS * 2)];
  if (chars.length <= PREFIX_CHARS) return text;
  let prefix = chars.slice(0, PREFIX_CHARS).join('');
  if (/[0-9Xx]/.test(chars[PREFIX_CHARS]!)) prefix = prefix.replace(/[0-9Xx]+$/, '');
  return prefix;
}

/** The value as an answer shows it: itself when within `limit` bytes of JSON, else its marker. */
export function boundedValue(value: unknown, limit: number): unknown {
  if (value === undefined || value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  // At most 6 bytes of JSON a UTF-16 unit (an escaped control character): a short string needs no measuring.
  if (typeof value === 'string' && value.length * 6 + 2 <= limit) return value;
  const json = JSON.stringify(value);
  const bytes = Buffer.byteLength(json);
  if (bytes <= limit) return value;
  return { truncated: true, type: typeOf(value), bytes, prefix: prefixOf(typeof value === 'string' ? value : json) } satisfies TruncatedValue;
}

/** A trace entry: a rule's leaf (in a tree or a list) or a rule reference, each naming the fact it read. */
const isTraceEntry = (o: Record<string, unknown>): boolean => typeof o.fact === 'string' && ('seen' in o || 'op' in o);

/** `answer` with every trace entry's `seen` and `value` bounded at `limit` bytes; everything else as it is. */
export function boundTraceValues<T>(answer: T, limit: number = TRACE_VALUE_BYTES): T {
  return walk(answer, limit) as T;
}

function walk(v: unknown, limit: number): unknown {
  if (Array.isArray(v)) return v.map((x) => walk(x, limit));
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Record<string, unknown>;
  const entry = isTraceEntry(o);
  const out: Record<string, unknown> = {};
  for (const [key, x] of Object.entries(o)) {
    out[key] = entry && (key === 'seen' || key === 'value') ? boundedValue(x, limit) : walk(x, limit);
  }
  return out;
}

/**
 * The answer bounded as described above, and its JSON text: at TRACE_VALUE_BYTES, or, when that is still
 * over ANSWER_BUDGET_BYTES, at TIGHT_VALUE_BYTES.
 */
export function boundedAnswer(answer: unknown): { readonly body: unknown; readonly json: string } {
  const body = boundTraceValues(answer, TRACE_VALUE_BYTES);
  const json = JSON.stringify(body);
  if (Buffer.byteLength(json) <= ANSWER_BUDGET_BYTES) return { body, json };
  const tight = boundTraceValues(answer, TIGHT_VALUE_BYTES);
  return { body: tight, json: JSON.stringify(tight) };
}
