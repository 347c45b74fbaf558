/**
 * Cursors for readers who see person data masked. A list paged by person (a person policy's entitlements)
 * hands back the last ID number as its cursor; masked like the rest of the answer it could not ask for the
 * next page, and unmasked it would show what the reader may not see. So such a reader gets the cursor
 * sealed — AES-256-GCM under a key only the functions hold — and passes the sealed form back.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Marks a sealed cursor (and its format's version). */
const PREFIX = 'sc1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const aesKey = (secret: string) => createHash('sha256').update(`civicflow cursor seal\0${secret}`).digest();

export const isSealed = (cursor: string): boolean => cursor.startsWith(PREFIX);

/** The cursor sealed for one reader: only `open` with the same key and reader gives it back. */
export function seal(cursor: string, secret: string, reader: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', aesKey(secret), iv);
  cipher.setAAD(Buffer.from(reader));
  const body = Buffer.concat([cipher.update(cursor, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** The cursor a sealed one holds; undefined when it was not sealed with this key for this reader, or altered. */
export function open(sealed: string, secret: string, reader: string): string | undefined {
  if (!isSealed(sealed)) return undefined;
  const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', aesKey(secret), raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(reader));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
