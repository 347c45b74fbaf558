/**
 * How a decision version's body (and a first version's facts) is stored compressed: the binary `bodyZ`,
 * one byte naming the preset dictionary, then a raw deflate stream of the body's JSON, followed, on a first
 * version, by a newline and the facts' JSON (JSON text never holds a raw newline). One stream, so the facts'
 * ids, form values, licence numbers and names that the trace already holds cost a back-reference each, and a
 * dictionary of what every decision shares (dictionary.ts), so its keys and fixed wording do too.
 *
 * Measured on the bench's sample applications, the whole first version item: 1.6–2.4 KB with a gzip body
 * and the facts deflated against it, 0.95–1.55 KB packed; a five-child 一件事 bundle version 2.8 → 1.9 KB.
 * Write units are billed per KB, twice inside a transaction, so each KB boundary crossed is 2 units
 * (docs/decisions/decision-facts.md). Packing and unpacking cost about what gzip did (raw deflate, level 9).
 *
 * Deflate looks back 32 KB only, and a large decision repeats its large values further apart than that: a
 * rule's leaf keeps the fact value it saw in the condition's tree, its leaves, the failed rules and the
 * reason's details, a bundle keeps each child's trace, and several leaves may read the same value. A text
 * longer than deflate's window is therefore also packed with brotli and a 16 MB window, where each repeat
 * costs a back-reference however far back, and the shorter is kept (first byte BROTLI for brotli): forty
 * leaves reading one 32 KB form field then pack into tens of KB, not the 1 MB+ deflate makes of them. A
 * text within the window packs as before.
 */
import { brotliCompressSync, brotliDecompressSync, constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { DICTIONARY_1 } from './dictionary';

/** The dictionaries by the number a packed body starts with; new items use the highest. */
const DICTIONARIES: ReadonlyMap<number, Buffer> = new Map([[1, Buffer.from(DICTIONARY_1, 'utf8')]]);
const CURRENT = 1;

/** The dictionary new items are packed with, and its number (`npm run dictionary` compares a candidate with it). */
export function dictionaryInUse(): { readonly number: number; readonly text: string } {
  return { number: CURRENT, text: DICTIONARIES.get(CURRENT)!.toString('utf8') };
}

/** The first byte of a text packed with brotli (no dictionary), not a dictionary's number. */
export const BROTLI = 0x80;
/** Deflate's window: a longer text is also packed with brotli, and the shorter kept. */
const DEFLATE_WINDOW = 32 * 1024;

/** The body's JSON, and the facts' JSON after it when given, as one packed stream. */
export function pack(json: string, factsJson?: string): Uint8Array {
  const text = factsJson === undefined ? json : `${json}\n${factsJson}`;
  const deflated = deflateRawSync(text, { level: 9, dictionary: DICTIONARIES.get(CURRENT)! });
  const long = Buffer.byteLength(text) > DEFLATE_WINDOW ? brotli(text) : undefined;
  // The shorter: the preset dictionary can still win on a text of small repeats just over the window.
  const [first, stream] = long !== undefined && long.length < deflated.length ? [BROTLI, long] : [CURRENT, deflated];
  const out = new Uint8Array(stream.length + 1);
  out[0] = first;
  out.set(stream, 1);
  return out;
}

/** Brotli at quality 6 with a 16 MB window: a 6 MB text of repeats packs in about 0.1 s. */
function brotli(text: string): Buffer {
  const input = Buffer.from(text, 'utf8');
  return brotliCompressSync(input, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 6,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_SIZE_HINT]: input.length,
    },
  });
}

/** What `pack` was given. */
export function unpack(packed: Uint8Array): { json: string; factsJson?: string } {
  const text = packed[0] === BROTLI ? brotliDecompressSync(packed.subarray(1)).toString('utf8') : inflated(packed);
  const cut = text.indexOf('\n');
  return cut < 0 ? { json: text } : { json: text.slice(0, cut), factsJson: text.slice(cut + 1) };
}

function inflated(packed: Uint8Array): string {
  const dictionary = DICTIONARIES.get(packed[0]!);
  if (dictionary === undefined) throw new Error(`a packed body names dictionary ${packed[0]}, which this code does not have`);
  return inflateRawSync(packed.subarray(1), { dictionary }).toString('utf8');
}
