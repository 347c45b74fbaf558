/**
 * Sealed cursors (shared/query/cursor-seal.ts): what a reader who sees person data masked pages with. Only
 * the functions' key opens one, only for the reader it was sealed for, and it shows nothing of the ID
 * number inside.
 */
import { isSealed, open, seal } from '#query/cursor-seal';
import { makeIdNumber } from '#contract/identifiers';

const KEY = 'k'.repeat(64);
const READER = '/systems/policy';
const ID = makeIdNumber('440305', '19460301', '017');

describe('sealed cursors', () => {
  it('give back the cursor to the same key and reader, and show none of it', () => {
    const sealed = seal(ID, KEY, READER);
    expect(isSealed(sealed)).toBe(true);
    expect(open(sealed, KEY, READER)).toBe(ID);
    // Neither the text nor the bytes under its base64 hold the ID number (random bytes may hold digits).
    expect(sealed).not.toContain(ID);
    expect(Buffer.from(sealed.slice('sc1.'.length), 'base64url').includes(Buffer.from(ID))).toBe(false);
    // Sealed twice, two different strings (a fresh nonce each time): equal cursors cannot be matched up.
    expect(seal(ID, KEY, READER)).not.toBe(sealed);
  });

  it('open to nothing for another reader, another key, or when altered', () => {
    const sealed = seal(ID, KEY, READER);
    expect(open(sealed, KEY, '/systems/catalog')).toBeUndefined();
    expect(open(sealed, 'x'.repeat(64), READER)).toBeUndefined();
    const flipped = sealed.slice(0, -3) + (sealed.at(-3) === 'A' ? 'B' : 'A') + sealed.slice(-2);
    expect(open(flipped, KEY, READER)).toBeUndefined();
    expect(open('sc1.', KEY, READER)).toBeUndefined();
    expect(open(ID, KEY, READER)).toBeUndefined();
  });
});
