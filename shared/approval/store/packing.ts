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
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { DICTIONARY_1 } from './dictionary';

/** The dictionaries by the number a packed body starts with; new items use the highest. */
const DICTIONARIES: ReadonlyMap<number, Buffer> = new Map([[1, Buffer.from(DICTIONARY_1, 'utf8')]]);
const CURRENT = 1;

/** The dictionary new items are packed with, and its number (`npm run dictionary` compares a candidate with it). */
export function dictionaryInUse(): { readonly number: number; readonly text: string } {
  return { number: CURRENT, text: DICTIONARIES.get(CURRENT)!.toString('utf8') };
}

/** The body's JSON, and the facts' JSON after it when given, as one packed stream. */
export function pack(json: string, factsJson?: string): Uint8Array {
  const text = factsJson === undefined ? json : `${json}\n${factsJson}`;
  const stream = deflateRawSync(text, { level: 9, dictionary: DICTIONARIES.get(CURRENT)! });
  const out = new Uint8Array(stream.length + 1);
  out[0] = CURRENT;
  out.set(stream, 1);
  return out;
}

/** What `pack` was given. */
export function unpack(packed: Uint8Array): { json: string; factsJson?: string } {
  const dictionary = DICTIONARIES.get(packed[0]!);
  if (dictionary === undefined) throw new Error(`a packed body names dictionary ${packed[0]}, which this code does not have`);
  const text = inflateRawSync(packed.subarray(1), { dictionary }).toString('utf8');
  const cut = text.indexOf('\n');
  return cut < 0 ? { json: text } : { json: text.slice(0, cut), factsJson: text.slice(cut + 1) };
}
