/**
 * Objects of an exact size, filled with text deflate cannot shrink much: what the tests of the edge's byte
 * limits and of the largest decision post and store.
 */

/** Printable ASCII with no character JSON escapes, from a fixed seed: text deflate cannot shrink much. */
export function noise(chars: number, seed: number): string {
  let x = seed >>> 0 || 1;
  let out = '';
  for (let i = 0; i < chars; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const c = 32 + ((x >>> 0) % 95);
    out += c === 34 || c === 92 ? 'z' : String.fromCharCode(c);
  }
  return out;
}

/** The bytes of a value's JSON (UTF-8), as the edge's limits count them. */
export const bytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v));

/** `{...extra, key: noise}` of exactly `max` bytes as JSON. */
export function fullObject(key: string, max: number, seed: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...extra, [key]: noise(max - bytes({ ...extra, [key]: '' }), seed) };
}
