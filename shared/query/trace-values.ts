/**
 * The fact values a decision's trace shows, bounded for an answer. Each rule's leaf keeps the value it saw
 * (`seen`) and the one it compares with (`value`), in the condition's tree, its leaves, the failed and
 * unknown rules and the reason's details, and the history repeats the trace of every version. Stored, a
 * decision is packed so each repeat costs a back-reference (approval's store/packing.ts); read back whole,
 * an item of 500 rules each reading a 32 KB form value would answer ~100 MB, far over Lambda's 6 MB
 * response limit. So an answer shows a value longer than `TRACE_VALUE_BYTES` of JSON as a marker —
 * `{truncated: true, type, bytes, prefix}` — and, if the answer is still over `ANSWER_BUDGET_BYTES`, every
 * value over `TIGHT_VALUE_BYTES`. A value within the limit is shown as stored. Pure. A decision made since
 * keeps such a value as the same marker already (#rules/trace-values): the route bounds those stored
 * before, and tightens a marker no further (it is short).
 */

import { boundedValue, isTruncatedValue, PREFIX_CHARS, TRACE_VALUE_BYTES, type TruncatedValue } from '#rules/trace-values';

// One definition of the limit and the marker, shared with the decisions that keep them (#rules/trace-values).
export { boundedValue, PREFIX_CHARS, TRACE_VALUE_BYTES, type TruncatedValue };

/** An answer still longer than this after truncating at TRACE_VALUE_BYTES is truncated at TIGHT_VALUE_BYTES. */
export const ANSWER_BUDGET_BYTES = 1024 * 1024;
export const TIGHT_VALUE_BYTES = 64;

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
    // A marker the decision already kept is shown as it is (it is short): never a marker of a marker.
    out[key] = entry && (key === 'seen' || key === 'value') ? (isTruncatedValue(x) ? x : boundedValue(x, limit)) : walk(x, limit);
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
