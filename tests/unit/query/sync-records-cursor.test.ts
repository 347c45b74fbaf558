/**
 * The cursor of `GET /reviews/sync/records`: a page's last key on the `bySync` index, handed out as base64url
 * JSON and taken back only for the state (and period) it was returned for; anything else is a 400 naming
 * the cursor, never a start key the table would refuse.
 */
import { stages } from '#topology/stages';

process.env.CIVICFLOW_CONFIG = JSON.stringify(stages.local);
const { syncRecordsCursor } = await import('#query/review');
const { cursorOf } = await import('#query/page-key');

// 2026-12-01 09:00 in Shanghai.
const key = { pk: 'SYNC#UM-01-0#1', sk: 'RECORD', syncState: 'SYNC#ACKED', syncAt: '2026-12-01T01:00:00.000Z#UM-01-0#1' };
const cursor = cursorOf(key);
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('the sync-records cursor', () => {
  it('gives back the key of the page it was returned for, with or without the period', () => {
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(syncRecordsCursor(cursor, 'ACKED', undefined)).toEqual(key);
    expect(syncRecordsCursor(cursor, 'ACKED', '2026-12')).toEqual(key);
    expect(syncRecordsCursor(cursor, 'ACKED', '2026-12-01')).toEqual(key);
  });

  it('refuses a cursor of another state, or outside the period, naming the cursor', () => {
    expect(syncRecordsCursor(cursor, 'PENDING', undefined)).toBe('query parameter "cursor" is not one this route returned for state PENDING');
    expect(syncRecordsCursor(cursor, 'ACKED', '2026-10')).toBe('query parameter "cursor" is not one this route returned with period 2026-10');
    expect(syncRecordsCursor(cursor, 'ACKED', '2026-12-05')).toBe('query parameter "cursor" is not one this route returned with period 2026-12-05');
  });

  it('refuses a cursor made by hand or altered', () => {
    const bad = [
      '!!!',
      Buffer.from('not json').toString('base64url'),
      encode(['SYNC#X#1']),
      encode(null),
      encode({ ...key, extra: 1 }),
      encode({ pk: key.pk, sk: key.sk, syncState: key.syncState }),
      encode({ ...key, sk: 'OTHER' }),
      encode({ ...key, pk: 'SYNC#' }),
      encode({ ...key, pk: 'CASE#UM-01-0' }),
      encode({ ...key, pk: 'SYNC#UM-01-1#1' }),
      encode({ ...key, syncAt: '2026-12-01T01:00:00Z#UM-01-0#1' }),
      encode({ ...key, syncAt: '2026-13-01T01:00:00.000Z#UM-01-0#1' }),
      encode({ ...key, syncAt: 'UM-01-0#1' }),
      encode({ ...key, syncAt: 7 }),
    ];
    for (const text of bad) {
      const answer = syncRecordsCursor(text, 'ACKED', undefined);
      expect([text, answer]).toEqual([text, expect.stringMatching(/^query parameter "cursor" is not one this route returned \(not (base64url JSON|a page's key)\)$/)]);
    }
  });
});
