/**
 * The events table (shared/ingest/store.ts) against DynamoDB Local: every accepted (source, id) recorded
 * once by a create-only PartiQL INSERT, 25 to a request; a repeat with the same content is a duplicate, with
 * other content a conflict, each standing under the receipt first stored; what is stored is the event as
 * accepted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AcceptedEvent } from '#ingest/domain/types';
import type { InboundEvent } from '#contract/envelope';
import { routing } from '#topology';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { contentHash } from '#util/canonical';
import { useTestDynamo } from '#support/dynamo';

const db = useTestDynamo();
let store: typeof import('#ingest/store');
beforeAll(async () => {
  store = await import('#ingest/store');
});

const ROOT = join(import.meta.dirname, '../..');
const RECEIVED = '2026-11-05T06:00:00.000Z';
const credit = JSON.parse(readFileSync(join(ROOT, 'events/samples/gov.credit.updated/good-standing.json'), 'utf8')) as InboundEvent;

/** The sample as ingest accepts it, under another id (and other data when `change` says so). */
function accepted(id: string, change: Record<string, unknown> = {}): AcceptedEvent {
  const event = { ...credit, id, data: { ...credit.data, ...change } } as InboundEvent;
  return { source: event.source, id, type: event.type, queue: routing[event.type], hash: contentHash(event), event };
}

describe('ingest store: the events table', () => {
  it('records a new event once, with what routing and de-duplication need, and the event as accepted', async () => {
    const e = accepted('adapter-new-1');
    expect(await store.recordEvents([e], RECEIVED)).toEqual([{ outcome: 'new', receivedAt: RECEIVED }]);
    const item = await db().get('events', store.eventKey(e.source, e.id));
    expect(item).toMatchObject({ source: e.source, id: e.id, type: 'gov.credit.updated', queue: 'registry', hash: e.hash, receivedAt: RECEIVED });
    expect(JSON.parse(item!.event as string)).toEqual(e.event);
    // What the query route reads back: the item as recorded; nothing for an id never accepted.
    expect(await store.getAcceptedEvent(e.source, e.id)).toEqual(item);
    expect(await store.getAcceptedEvent(e.source, 'adapter-never-posted')).toBeUndefined();
  });

  it('tells a repeat with the same content (duplicate) from one with other content (conflict), and keeps the first', async () => {
    // (Ingest hands the port each (source, id) once per call: a request's own repeats are settled before.)
    const first = accepted('adapter-repeat-1');
    const second = accepted('adapter-repeat-2');
    await store.recordEvents([first, second], RECEIVED);
    const later = '2026-11-05T07:00:00.000Z';
    const outcomes = await store.recordEvents([first, accepted('adapter-repeat-2', { rating: 'C' })], later);
    expect(outcomes.map((o) => o.outcome)).toEqual(['duplicate', 'conflict']);
    for (const e of [first, second]) {
      const item = await db().get('events', store.eventKey(e.source, e.id));
      expect([item!.hash, item!.receivedAt]).toEqual([e.hash, RECEIVED]);
    }
  });

  // A client's retry after a failed post: the duplicate is queued under this receipt, so a supplement posted
  // before its deadline is not judged late by the retry's time.
  it('answers a duplicate with the receipt stored with its first recording, a new event with this one', async () => {
    const first = accepted('adapter-first-receipt-1');
    await store.recordEvents([first], RECEIVED);
    const retry = '2026-11-05T09:05:00.000Z';
    expect(await store.recordEvents([first, accepted('adapter-first-receipt-2')], retry)).toEqual([
      { outcome: 'duplicate', receivedAt: RECEIVED },
      { outcome: 'new', receivedAt: retry },
    ]);
  });

  it('answers a duplicate of an item stored without a receipt with the time of this post', async () => {
    const old = accepted('adapter-no-receipt');
    await db().doc.send(new PutCommand({
      TableName: db().tables.events,
      Item: { ...store.eventKey(old.source, old.id), source: old.source, id: old.id, type: old.type, queue: old.queue, hash: old.hash, event: JSON.stringify(old.event) },
    }));
    expect(await store.recordEvents([old], '2026-11-05T09:10:00.000Z')).toEqual([{ outcome: 'duplicate', receivedAt: '2026-11-05T09:10:00.000Z' }]);
  });

  it('records more than one request holds (25 statements), answering in the order of the events', async () => {
    const before = Array.from({ length: 7 }, (_, i) => accepted(`adapter-bulk-${i * 9}`));
    await store.recordEvents(before, RECEIVED);
    const events = Array.from({ length: 60 }, (_, i) => (i % 9 === 0 && i < 63 ? before[i / 9]! : accepted(`adapter-bulk-${i}`)));
    events[18] = accepted('adapter-bulk-18', { rating: 'D' });
    const outcomes = await store.recordEvents(events, RECEIVED);
    expect(outcomes.map((o) => o.outcome)).toEqual(events.map((_, i) => (i === 18 ? 'conflict' : i % 9 === 0 ? 'duplicate' : 'new')));
    for (const i of [1, 26, 59]) expect(await db().get('events', store.eventKey(credit.source, `adapter-bulk-${i}`))).toBeDefined();
  });
});
