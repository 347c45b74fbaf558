import fc from 'fast-check';
import { firstInvalidUtf8 } from '#util/utf8';

describe('firstInvalidUtf8', () => {
  it('accepts what Node encodes, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(firstInvalidUtf8(Buffer.from(s, 'utf8'))).toBeUndefined();
      }),
    );
  });

  it.each([
    ['a lone continuation byte', [0x61, 0x80], 1],
    ['a truncated sequence', [0xe4, 0xb8], 0],
    ['an overlong slash', [0xc0, 0xaf], 0],
    ['an overlong three-byte form', [0xe0, 0x80, 0xaf], 0],
    ['an encoded surrogate', [0x61, 0xed, 0xa0, 0x80], 1],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a byte that never starts a sequence', [0x7b, 0xff, 0x7d], 1],
  ])('finds %s', (_name, bytes, offset) => {
    expect(firstInvalidUtf8(Uint8Array.from(bytes))).toBe(offset);
  });

  it('agrees with the fatal decoder on arbitrary bytes', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        let valid = true;
        try {
          decoder.decode(bytes);
        } catch {
          valid = false;
        }
        expect(firstInvalidUtf8(bytes) === undefined).toBe(valid);
      }),
      { numRuns: 2000 },
    );
  });
});
