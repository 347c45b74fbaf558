/**
 * The paged routes' cursors: a page's last key as base64url JSON, read one way on every route (page-key.ts),
 * then checked by the route against its own query (`refusalsCursor` here; the sync records' in
 * sync-records-cursor.test.ts).
 */
import { stages } from '#topology/stages';

process.env.CIVICFLOW_CONFIG = JSON.stringify(stages.local);
const { cursorOf, pageKeyIn, CURSOR_NOT_OURS } = await import('#query/page-key');
const { refusalsCursor } = await import('#query/events');

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('a page key in a cursor', () => {
  const fields = ['pk', 'sk'] as const;

  it('gives back a key of exactly the fields, each a string, in any order', () => {
    expect(pageKeyIn(cursorOf({ pk: 'A', sk: 'B' }), fields)).toEqual({ pk: 'A', sk: 'B' });
    expect(pageKeyIn(encode({ sk: 'B', pk: 'A' }), fields)).toEqual({ pk: 'A', sk: 'B' });
  });

  it('names the cursor for anything else', () => {
    expect(pageKeyIn('%%%', fields)).toBe(`${CURSOR_NOT_OURS} (not base64url JSON)`);
    for (const bad of [[], null, 'pk', { pk: 'A' }, { pk: 'A', sk: 'B', extra: 'C' }, { pk: 'A', sk: 1 }, { pk: 'A', other: 'B' }]) {
      expect([bad, pageKeyIn(encode(bad), fields)]).toEqual([bad, `${CURSOR_NOT_OURS} (not a page's key)`]);
    }
  });
});

describe('the refusals cursor', () => {
  const source = '/systems/policy';
  const key = { pk: `RCPT#${source}#evt-1`, sk: 'RECEIPT', refusedBy: source, refusedAt: '2026-11-02T01:00:00.000Z#evt-1' };

  it('gives back the key of the page it was returned for', () => {
    expect(refusalsCursor(cursorOf(key), source, '2026-11-01T00:00:00.000Z')).toEqual(key);
  });

  it('refuses one of another source, one altered, and one before since', () => {
    expect(refusalsCursor(cursorOf(key), '/systems/credit', '2026-11-01T00:00:00.000Z')).toBe(`${CURSOR_NOT_OURS} for source /systems/credit`);
    expect(refusalsCursor(cursorOf({ ...key, pk: 'RCPT#/systems/policy#evt-2' }), source, '2026-11-01T00:00:00.000Z')).toBe(`${CURSOR_NOT_OURS} (not a page's key)`);
    expect(refusalsCursor(cursorOf({ ...key, sk: 'OTHER' }), source, '2026-11-01T00:00:00.000Z')).toBe(`${CURSOR_NOT_OURS} (not a page's key)`);
    expect(refusalsCursor(cursorOf(key), source, '2026-11-03T00:00:00.000Z')).toBe(`${CURSOR_NOT_OURS} with since 2026-11-03T00:00:00.000Z`);
    expect(refusalsCursor(encode({ ...key, refusedAt: 7 }), source, '2026-11-01T00:00:00.000Z')).toBe(`${CURSOR_NOT_OURS} (not a page's key)`);
  });
});
