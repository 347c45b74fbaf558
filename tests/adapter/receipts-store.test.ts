/**
 * The receipts table (shared/platform/receipts.ts) against DynamoDB Local: one receipt per inbound
 * (source, id), create-only so the first outcome stands under redelivery; the one replace a parked review
 * needs; no receipt for internal messages; and a source's refusals by the bySource index, oldest first,
 * a page at a time, never another source's.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { EventRef, Receipt } from '#platform/receipts';
import { useTestDynamo } from '#support/dynamo';

const db = useTestDynamo();
let receipts: typeof import('#platform/receipts');
beforeAll(async () => {
  receipts = await import('#platform/receipts');
});

let n = 0;
const ref = (source = 'gov.test.source', type = 'gov.review.submitted'): EventRef => ({ source, id: `rcpt-${++n}`, type });
const transact = (...items: Parameters<typeof receipts.receiptPut>[]) =>
  db().doc.send(new TransactWriteCommand({ TransactItems: items.map(([r, mode]) => receipts.receiptPut(r, mode)) }));

describe('receipts store', () => {
  it('records a receipt once: a second outcome for the same event gets the first back and changes nothing', async () => {
    const r = ref();
    const first = receipts.applied(r, '2026-11-05T06:00:00.000Z', { resource: 'case', id: 'C-1', href: '/cases/C-1' });
    expect(await receipts.recordReceipt(first)).toEqual(first);
    const later = receipts.withKind(r, '2026-11-05T07:00:00.000Z', 'DUPLICATE', 'seen before');
    expect(await receipts.recordReceipt(later)).toEqual(first);
    expect(await receipts.getReceipt(r.source, r.id)).toEqual(first);
    // Stored under its key, without the index attributes of a refusal.
    const item = await db().get('receipts', receipts.receiptKey(r.source, r.id));
    expect(item).toMatchObject({ outcome: 'applied', effect: { id: 'C-1' } });
    expect(item).not.toHaveProperty('refusedBy');
  });

  it('keeps no receipt for an internal message', async () => {
    const r = ref('civicflow.registry', 'civicflow.enterprise.rematch');
    const receipt = receipts.applied(r, '2026-11-05T06:00:00.000Z', { resource: 'enterprise', id: 'x' });
    expect(await receipts.recordReceipt(receipt)).toEqual(receipt);
    expect(await receipts.getReceipt(r.source, r.id)).toBeUndefined();
  });

  it('writes a receipt in a transaction create-only, and replaces it only when asked (a parked review)', async () => {
    const r = ref();
    const parked = receipts.withKind(r, '2026-11-05T06:00:00.000Z', 'PARKED', 'waiting for its case');
    await transact([parked]);
    const done = receipts.applied(r, '2026-11-05T08:00:00.000Z', { resource: 'review', id: 'R-1' });
    await expect(transact([done, 'create'])).rejects.toThrow(/ConditionalCheckFailed|cancel/i);
    expect(await receipts.getReceipt(r.source, r.id)).toEqual(parked);
    await transact([done, 'replace']);
    expect(await receipts.getReceipt(r.source, r.id)).toEqual(done);
  });

  it("lists a source's refusals since a time, oldest first, a page at a time, and no other source's", async () => {
    const source = 'gov.refusing.source';
    const at = (h: number) => `2026-11-06T${String(h).padStart(2, '0')}:00:00.000Z`;
    const refused: Receipt[] = [];
    for (const h of [9, 7, 8, 10]) {
      const r = receipts.withKind(ref(source), at(h), 'ACTION_NOT_ALLOWED', `step refused at ${h}`);
      refused.push(r);
      await receipts.recordReceipt(r);
    }
    // Not refusals, or before the time asked, or another source's: none of them is listed.
    await receipts.recordReceipt(receipts.applied(ref(source), at(11), { resource: 'case', id: 'C-2' }));
    await receipts.recordReceipt(receipts.withKind(ref(source), at(6), 'ACTION_NOT_ALLOWED', 'too early'));
    await receipts.recordReceipt(receipts.withKind(ref('gov.other.source'), at(9), 'ACTION_NOT_ALLOWED', 'other'));

    const first = await receipts.refusalsOf(source, at(7), 3);
    expect(first.items.map((r) => r.at)).toEqual([at(7), at(8), at(9)]);
    expect(first.next).toBeDefined();
    const second = await receipts.refusalsOf(source, at(7), 3, first.next);
    expect(second.items.map((r) => r.at)).toEqual([at(10)]);
    expect(second.items[0]).toEqual(refused[3]);
    expect(second.next).toBeUndefined();
  });
});

describe('GET /refusals: a cursor made by hand, altered, or for another source or since', () => {
  let events: typeof import('#query/events');
  beforeAll(async () => {
    events = await import('#query/events');
  });
  const source = '/systems/cursor-owner';
  const other = '/systems/cursor-other';
  const at = (h: number) => `2026-11-07T${String(h).padStart(2, '0')}:00:00.000Z`;
  const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
  const get = (query: Record<string, string>, principal = '/auditors/cursor-test') =>
    events.eventRoutes['GET /refusals']!({ params: {}, query, principal, event: {} as never });
  const page = async (query: Record<string, string>) => {
    const out = await get(query);
    return { status: out.statusCode, body: JSON.parse(String(out.body)) as Record<string, any> };
  };

  beforeAll(async () => {
    for (const s of [source, other]) {
      for (const h of [8, 9, 10]) await receipts.recordReceipt(receipts.withKind(ref(s), at(h), 'ACTION_NOT_ALLOWED', `refused at ${h}`));
    }
  });

  it('pages with the cursor it returned', async () => {
    const first = await page({ source, since: at(8), limit: '2' });
    expect([first.status, first.body.count, typeof first.body.cursor]).toEqual([200, 2, 'string']);
    const second = await page({ source, since: at(8), limit: '2', cursor: first.body.cursor });
    expect([second.status, second.body.refusals.map((r: any) => r.processedAt)]).toEqual([200, [at(10)]]);
  });

  it('takes since in RFC 3339 as the event contract does: t and z in either case, a leap second', async () => {
    const lower = await page({ source, since: at(9).replace('T', 't').replace('Z', 'z') });
    expect([lower.status, lower.body.refusals.map((r: any) => r.processedAt)]).toEqual([200, [at(9), at(10)]]);
    const leap = await page({ source, since: '2026-11-07T07:59:60+08:00' });
    expect(leap.status).toBe(400); // no leap second falls there: named, not read as some other instant
    const fits = await page({ source, since: '2026-10-31T23:59:60Z' });
    expect([fits.status, fits.body.refusals.length]).toEqual([200, 3]);
  });

  it('answers 400 naming the cursor, never an error, for one it did not return for this source and since', async () => {
    const theirs = (await page({ source: other, since: at(8), limit: '1' })).body.cursor as string;
    const ours = (await page({ source, since: at(8), limit: '1' })).body.cursor as string;
    const key = JSON.parse(Buffer.from(ours, 'base64url').toString('utf8')) as Record<string, string>;
    const bad: Array<[string, Record<string, string>]> = [
      ['another source', { source, since: at(8), cursor: theirs }],
      ['an earlier since', { source, since: at(9), cursor: ours }],
      ['empty keys', { source, since: at(8), cursor: b64({ pk: '', sk: '', refusedBy: '', refusedAt: '' }) }],
      ['another source named inside', { source, since: at(8), cursor: b64({ ...key, refusedBy: other }) }],
      ['a key of another table', { source, since: at(8), cursor: b64({ ...key, sk: 'PROFILE' }) }],
      ['a number', { source, since: at(8), cursor: b64({ ...key, refusedAt: 5 }) }],
      ['an extra field', { source, since: at(8), cursor: b64({ ...key, x: 'y' }) }],
      ['an array', { source, since: at(8), cursor: b64([key]) }],
      ['no JSON', { source, since: at(8), cursor: 'not-a-cursor' }],
    ];
    const answers = [];
    for (const [name, query] of bad) {
      const out = await page(query).catch((error: Error) => ({ status: 500, body: { error: error.name } }));
      answers.push([name, out.status, /query parameter "cursor"/.test(String(out.body.error))]);
    }
    expect(answers).toEqual(bad.map(([name]) => [name, 400, true]));
  });
});
