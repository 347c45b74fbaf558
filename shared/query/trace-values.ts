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

/**
 * A `JSON.stringify` replacer bounding every trace entry's `seen` and `value` at `limit` bytes: the answer is
 * written once, with no copy of it made first (a copy, then its text, cost twice as much on an ordinary
 * answer). A marker the decision already kept is written as it is (it is short): never a marker of a marker.
 */
function bounding(limit: number) {
  return function (this: unknown, key: string, v: unknown): unknown {
    if (key !== 'seen' && key !== 'value') return v;
    if (!isTraceEntry(this as Record<string, unknown>)) return v;
    return isTruncatedValue(v) ? v : boundedValue(v, limit);
  };
}

/** The JSON text of `answer` with every trace entry's `seen` and `value` bounded at `limit` bytes; the rest as it is. */
export function traceBoundedJson(answer: unknown, limit: number = TRACE_VALUE_BYTES): string {
  return JSON.stringify(answer, bounding(limit));
}

/**
 * The answer's JSON text, bounded as described above: at TRACE_VALUE_BYTES, or, when that is still over
 * ANSWER_BUDGET_BYTES, at TIGHT_VALUE_BYTES.
 */
export function boundedAnswer(answer: unknown): string {
  const json = traceBoundedJson(answer, TRACE_VALUE_BYTES);
  return Buffer.byteLength(json) <= ANSWER_BUDGET_BYTES ? json : traceBoundedJson(answer, TIGHT_VALUE_BYTES);
}
