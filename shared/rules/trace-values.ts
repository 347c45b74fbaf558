/**
 * A fact value as a trace keeps it. Each rule's leaf keeps the value it saw (`seen`) and the one it compares
 * with (`value`), and a decision repeats them in the condition's tree, its leaves, the failed and unknown
 * rules and the reason's details (a 一件事 bundle keeps each child's decision). A 32 KB form value read by
 * 500 rules made a decision of ~80 MB of JSON, built, packed and unpacked on every write and read. So a
 * decision's trace keeps a value longer than `TRACE_VALUE_BYTES` of JSON as a marker —
 * `{truncated: true, type, bytes, prefix}` — when it is made; a shorter value is kept as it is. The facts a
 * decision keeps for replay stay whole; only the trace's copies are bounded. The query route shows the same
 * marker for a value it bounds further. Pure; no dependency beyond the rules' types.
 */
import type { Explanation, LeafTrace, TraceNode } from './types';

/** A value of a trace entry longer than this many bytes of JSON is kept (and shown) as a `TruncatedValue`. */
export const TRACE_VALUE_BYTES = 1024;
/** Characters of the value (of its JSON text, when not a string) the marker shows. */
export const PREFIX_CHARS = 32;

/** What a trace keeps instead of a long value. */
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

/** Bytes of a string's UTF-8 encoding (no Buffer: the rules run anywhere). */
function utf8Bytes(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Whether a trace entry's `seen` or `value` is a marker (of exactly the marker's shape, so its JSON is short). */
export function isTruncatedValue(v: unknown): v is TruncatedValue {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  return (
    keys.length === 4 &&
    o.truncated === true &&
    typeof o.type === 'string' &&
    typeof o.bytes === 'number' &&
    typeof o.prefix === 'string' &&
    o.prefix.length <= PREFIX_CHARS * 2
  );
}

/**
 * The value as a trace keeps (or an answer shows) it: itself when within `limit` bytes of JSON, else its
 * marker; a value shaped like a marker is always shown as its marker.
 */
export function boundedValue(value: unknown, limit: number = TRACE_VALUE_BYTES): unknown {
  if (value === undefined || value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  // At most 6 bytes of JSON a UTF-16 unit (an escaped control character): a short string needs no measuring.
  if (typeof value === 'string' && value.length * 6 + 2 <= limit) return value;
  const json = JSON.stringify(value);
  const bytes = utf8Bytes(json);
  // A value shaped like a marker is kept as a marker of it (an object, its text starting `{"truncated"`):
  // kept as it is, a reader could not tell it from a long value's marker.
  if (bytes <= limit && !isTruncatedValue(value)) return value;
  return { truncated: true, type: typeOf(value), bytes, prefix: prefixOf(typeof value === 'string' ? value : json) } satisfies TruncatedValue;
}

/**
 * The explanation as a decision keeps it: every leaf's `seen` and `value` bounded at `limit` bytes of JSON
 * (boundedValue), the tree and the leaves sharing each bounded leaf as they shared the leaf. The same
 * explanation (itself) when no value is over the limit, so a small decision is kept exactly as before.
 * Each distinct long value is measured once however many leaves read it.
 */
export function boundedExplanation(explanation: Explanation, limit: number = TRACE_VALUE_BYTES): Explanation {
  const markers = new Map<unknown, unknown>();
  const bound = (v: unknown): unknown => {
    if (typeof v !== 'object' && typeof v !== 'string') return v;
    if (typeof v === 'string' && v.length * 6 + 2 <= limit) return v;
    let b = markers.get(v);
    if (b === undefined) {
      b = boundedValue(v, limit);
      markers.set(v, b);
    }
    return b;
  };
  const leaves = new Map<LeafTrace, LeafTrace>();
  let changed = false;
  for (const leaf of explanation.leaves) {
    const seen = bound(leaf.seen);
    const value = 'value' in leaf ? bound(leaf.value) : undefined;
    if (seen === leaf.seen && value === leaf.value) {
      leaves.set(leaf, leaf);
    } else {
      changed = true;
      leaves.set(leaf, { ...leaf, ...('value' in leaf ? { value } : {}), seen });
    }
  }
  if (!changed) return explanation;
  const node = (n: TraceNode): TraceNode => {
    if ('all' in n) return { all: n.all.map(node), result: n.result };
    if ('any' in n) return { any: n.any.map(node), result: n.result };
    if ('not' in n) return { not: node(n.not), result: n.result };
    return leaves.get(n) ?? { ...n, ...('value' in n ? { value: bound(n.value) } : {}), seen: bound(n.seen) };
  };
  return { result: explanation.result, tree: node(explanation.tree), leaves: explanation.leaves.map((l) => leaves.get(l)!) };
}
