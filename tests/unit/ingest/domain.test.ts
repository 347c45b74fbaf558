/** The pure parts of ingest: the body as raw events, each event screened, the request's repeats, and recording's answer. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rawEvents } from '#ingest/domain/body';
import { firstCopies, screenEvents, toQueueAfterRecording } from '#ingest/domain/screen';
import { CONTENT_TYPE_BATCH, CONTENT_TYPE_SINGLE, MAX_EVENT_BYTES, type AcceptedEvent } from '#ingest/domain/types';

const ROOT = join(import.meta.dirname, '../../..');
const credit = JSON.parse(readFileSync(join(ROOT, 'events/samples/gov.credit.updated/good-standing.json'), 'utf8')) as Record<string, any>;
const poster = { principal: credit.source as string, allowed: new Set(['gov.credit.updated']) };
const body = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('ingest domain: the body', () => {
  it('takes one object or a non-empty array by media type (parameters and case ignored)', () => {
    expect(rawEvents(body(credit), 'Application/CloudEvents+JSON; charset=utf-8')).toEqual({ ok: true, media: CONTENT_TYPE_SINGLE, raws: [credit] });
    expect(rawEvents(body([credit, credit]), CONTENT_TYPE_BATCH)).toEqual({ ok: true, media: CONTENT_TYPE_BATCH, raws: [credit, credit] });
  });

  it('refuses the whole request with a status and a reason', () => {
    const refused = (b: Buffer, type: string | undefined) => {
      const out = rawEvents(b, type);
      if (out.ok) throw new Error('expected a refusal');
      return [out.problem.status, out.problem.body.error];
    };
    expect(refused(body(credit), 'application/json')).toEqual([400, `content-type must be ${CONTENT_TYPE_SINGLE} or ${CONTENT_TYPE_BATCH}, got "application/json"`]);
    expect(refused(body(credit), undefined)[1]).toMatch(/got "\(none\)"/);
    expect(refused(Buffer.from([0x7b, 0xff, 0x7d]), CONTENT_TYPE_SINGLE)).toEqual([400, 'body is not valid UTF-8: invalid byte sequence at byte 1']);
    expect(refused(body('{'), CONTENT_TYPE_SINGLE)[1]).toMatch(/^body is not valid JSON: /);
    expect(refused(body([credit]), CONTENT_TYPE_SINGLE)).toEqual([400, `a ${CONTENT_TYPE_SINGLE} body must be one JSON object`]);
    expect(refused(body(credit), CONTENT_TYPE_BATCH)).toEqual([400, 'a batch must be a JSON array of CloudEvents']);
    expect(refused(body([]), CONTENT_TYPE_BATCH)).toEqual([400, 'a batch must hold at least one event']);
    expect(refused(body(Array.from({ length: 101 }, () => ({}))), CONTENT_TYPE_BATCH)).toEqual([413, 'a batch holds at most 100 events; this one has 101']);
    expect(refused(Buffer.alloc(1024 * 1024 + 1, 0x20), CONTENT_TYPE_SINGLE)[0]).toBe(413);
  });
});

describe('ingest domain: each event', () => {
  it('accepts a valid event of the principal with its queue and content hash', () => {
    const out = screenEvents([credit], CONTENT_TYPE_SINGLE, poster);
    expect(out.rejected).toEqual([]);
    expect(out.forbidden).toEqual([]);
    expect(out.valid).toEqual([expect.objectContaining({ source: credit.source, id: credit.id, type: 'gov.credit.updated', queue: 'registry', hash: expect.any(String) })]);
  });

  it('keeps timestamps in one form: lower-case t and z are the same event as upper-case, as queued and hashed', () => {
    const lower = { ...credit, time: String(credit.time).replace('T', 't'), data: { ...credit.data, asOf: '2026-11-01t00:00:00z' } };
    const upper = { ...credit, data: { ...credit.data, asOf: '2026-11-01T00:00:00Z' } };
    const [a, b] = [screenEvents([lower], CONTENT_TYPE_SINGLE, poster), screenEvents([upper], CONTENT_TYPE_SINGLE, poster)];
    expect([a.rejected, b.rejected]).toEqual([[], []]);
    expect(a.valid[0]!.event).toMatchObject({ time: credit.time, data: { asOf: '2026-11-01T00:00:00Z' } });
    expect(a.valid[0]!.hash).toBe(b.valid[0]!.hash);
  });

  it('names the batch position of an event nested too deep or too large to queue, before validating it', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    const big = { ...credit, id: 'big', data: { ...credit.data, note: 'x'.repeat(MAX_EVENT_BYTES) } };
    const out = screenEvents([credit, deep, { ...credit, id: 'deep-data', data: deep }, big], CONTENT_TYPE_BATCH, poster);
    expect(out.rejected).toEqual([
      { id: null, errors: [{ path: '[1]', message: expect.stringMatching(/^is nested deeper than \d+ levels$/) }] },
      { id: 'deep-data', errors: [{ path: 'data', message: expect.stringMatching(/nested deeper/) }] },
      { id: 'big', errors: [{ path: '[3]', message: expect.stringMatching(/^event is \d+ bytes as queued; one event may be at most 262144 bytes$/) }] },
    ]);
    expect(out.valid.map((e) => e.id)).toEqual([credit.id]);
  });

  it("forbids another source's event and a type the principal may not post", () => {
    const out = screenEvents([credit], CONTENT_TYPE_SINGLE, { principal: '/systems/catalog', allowed: new Set(['gov.credit.updated']) });
    expect(out.forbidden).toEqual([{ id: credit.id, errors: [{ path: 'source', message: `authenticated as /systems/catalog, which may not post events of source ${credit.source}` }] }]);
    const type = screenEvents([credit], CONTENT_TYPE_SINGLE, { principal: credit.source, allowed: new Set() });
    expect(type.forbidden).toEqual([{ id: credit.id, errors: [{ path: 'type', message: `source ${credit.source} may not post gov.credit.updated` }] }]);
  });

  it('judges permission before depth, size and data, so a forbidden event is never a mere data error', () => {
    const denied = { principal: credit.source as string, allowed: new Set<string>() };
    const big = { ...credit, id: 'big', data: { ...credit.data, note: 'x'.repeat(MAX_EVENT_BYTES) } };
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    const broken = { ...credit, id: 'broken', time: 'yesterday', data: { rating: 'Z' } };
    const out = screenEvents([big, { ...credit, id: 'deep', data: deep }, broken], CONTENT_TYPE_BATCH, denied);
    expect(out.rejected).toEqual([]);
    expect(out.forbidden.map((r) => [r.id, r.errors.map((e) => e.path)])).toEqual([
      ['big', ['type']],
      ['deep', ['type']],
      ['broken', ['type']],
    ]);
  });
});

describe("ingest domain: a request's repeats and what recording found", () => {
  const event = (id: string, hash: string) => ({ source: '/s', id, hash }) as AcceptedEvent;

  it('keeps the first copy of an id, drops an identical second and rejects a different one', () => {
    expect(firstCopies([event('a', 'h'), event('b', 'h'), event('a', 'h'), event('a', 'other')])).toEqual({
      unique: [event('a', 'h'), event('b', 'h')],
      repeats: [{ id: 'a', errors: [{ path: 'id', message: 'event id a appears twice in this batch with different content' }] }],
    });
  });

  it('queues the new and the duplicates (a first copy may never have been queued), never a conflict', () => {
    const now = '2026-11-05T09:05:00.000Z';
    const first = '2026-11-05T08:59:00.000Z';
    const recorded = [
      { outcome: 'new', receivedAt: now },
      { outcome: 'conflict', receivedAt: first },
      { outcome: 'duplicate', receivedAt: first },
    ] as const;
    expect(toQueueAfterRecording([event('a', 'h'), event('b', 'h'), event('c', 'h')], recorded)).toEqual({
      // A duplicate under the receipt of its first recording, not this post's.
      toQueue: [{ ...event('a', 'h'), receivedAt: now }, { ...event('c', 'h'), receivedAt: first }],
      conflicts: [{ id: 'b', errors: [{ path: 'id', message: 'event (/s, b) was already accepted with different content; use a new id' }] }],
    });
  });
});
