/**
 * The page keys paged routes hand back as cursors: a page's last key as base64url JSON. Each route checks the
 * key's content against its own query (`refusalsCursor` in events.ts, `syncRecordsCursor` in review.ts); the
 * reading is one, so a cursor made by hand or altered is refused alike on every route, naming it, before it
 * reaches the table (which refuses a start key outside the query with an error, not an answer).
 */

/** The start of every refusal of a cursor; a route adds why. */
export const CURSOR_NOT_OURS = 'query parameter "cursor" is not one this route returned';

/** The cursor of a page: its last key as base64url JSON. */
export const cursorOf = (key: object): string => Buffer.from(JSON.stringify(key)).toString('base64url');

/**
 * The key a cursor holds when it is base64url JSON of exactly `fields`, each a string; else why it is not a
 * page's key (the route's own checks of the values follow).
 */
export function pageKeyIn<F extends string>(cursor: string, fields: readonly F[]): Record<F, string> | string {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return `${CURSOR_NOT_OURS} (not base64url JSON)`;
  }
  const notKey = `${CURSOR_NOT_OURS} (not a page's key)`;
  if (typeof key !== 'object' || key === null || Array.isArray(key)) return notKey;
  const record = key as Record<string, unknown>;
  if (Object.keys(record).sort().join() !== [...fields].sort().join()) return notKey;
  if (!fields.every((f) => typeof record[f] === 'string')) return notKey;
  return record as Record<F, string>;
}
