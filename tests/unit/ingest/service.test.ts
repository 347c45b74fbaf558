import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingest } from '#ingest/service';
import { memoryIngest } from '#support/memory/ingest';
import { defaultSources } from '#topology/stages';

const ROOT = join(import.meta.dirname, '../../..');
const sample = (type: string, name: string) =>
  JSON.parse(readFileSync(join(ROOT, 'events/samples', type, `${name}.json`), 'utf8')) as Record<string, any>;

const item = sample('gov.catalog.item.published', 'weather-certificate');
const SINGLE = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';

function request(body: unknown, contentType = SINGLE, principal = '/systems/catalog') {
  return {
    principal,
    contentType,
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    sources: defaultSources,
    receivedAt: '2026-11-21T08:00:00.000Z',
  };
}

describe('ingest use case', () => {
  it('accepts a valid event and routes it to the queue of its capability', async () => {
    const { ports, queued } = memoryIngest();
    const out = await ingest(request(item), ports);
    expect(out).toEqual({ status: 202, body: { accepted: [item.id], rejected: [] } });
    expect(queued.map((e) => [e.id, e.queue])).toEqual([[item.id, 'registry']]);
  });

  it('accepts a repeated (source, id) with the same content, and rejects one with other content', async () => {
    const { ports, recorded } = memoryIngest();
    await ingest(request(item), ports);
    const again = await ingest(request(item), ports);
    expect(again.status).toBe(202);
    expect(recorded.size).toBe(1);
    const changed = { ...item, data: { ...item.data, name: '改了名字' } };
    const conflict = await ingest(request(changed), ports);
    expect(conflict.status).toBe(400);
    expect(conflict.body.rejected).toEqual([
      { id: item.id, errors: [expect.objectContaining({ path: 'id', message: expect.stringMatching(/different content/) })] },
    ]);
  });

  // A tracing client adds a fresh traceparent to every send: its retry is the same event.
  it('accepts a repeated (source, id) whose extension attributes differ, with no further effect', async () => {
    const { ports, recorded, queued } = memoryIngest();
    await ingest(request({ ...item, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }), ports);
    const retry = await ingest(request({ ...item, traceparent: '00-1bf7651916cd43dd8448eb211c80319c-c7ad6b7169203331-01', partitionkey: 'p-2' }), ports);
    expect(retry).toEqual({ status: 202, body: { accepted: [item.id], rejected: [] } });
    expect(recorded.size).toBe(1);
    // Queued again as any accepted duplicate is (its consumer has no further effect), under the same id.
    expect(new Set(queued.map((e) => e.id))).toEqual(new Set([item.id]));
  });

  // A client's retry after a 5xx or a timeout: the first post was recorded, maybe never queued. A consumer
  // judges a supplement, a verification report or an objection in time by the receipt it is queued with.
  it('queues a duplicate under the receipt of its first recording, not the retry\'s', async () => {
    const { ports, queued } = memoryIngest();
    const other = { ...item, id: 'catalog-second' };
    await ingest({ ...request(item), receivedAt: '2026-11-21T08:59:00.000Z' }, ports);
    queued.length = 0;
    const retry = await ingest({ ...request([item, other], BATCH), receivedAt: '2026-11-21T09:05:00.000Z' }, ports);
    expect(retry).toEqual({ status: 202, body: { accepted: [item.id, other.id], rejected: [] } });
    expect(queued.map((e) => [e.id, e.receivedAt])).toEqual([
      [item.id, '2026-11-21T08:59:00.000Z'],
      [other.id, '2026-11-21T09:05:00.000Z'],
    ]);
  });

  it('accepts the valid part of a batch and names each field of each rejected event', async () => {
    const { ports } = memoryIngest();
    const bad = { ...item, id: 'bad-1', time: 'yesterday', data: { ...item.data, legalDays: -3 } };
    const out = await ingest(request([item, bad], BATCH), ports);
    expect(out.status).toBe(202);
    expect(out.body.accepted).toEqual([item.id]);
    const paths = out.body.rejected!.flatMap((r) => r.errors.map((e) => e.path));
    expect(out.body.rejected![0]!.id).toBe('bad-1');
    expect(paths).toEqual(expect.arrayContaining(['time', 'data.legalDays']));
  });

  it.each([
    ['malformed JSON', '{"specversion":', SINGLE, /not valid JSON/],
    ['a wrong content type', item, 'text/plain', /content-type must be/],
    ['no content type', item, '', /content-type must be/],
    ['a batch that is not an array', item, BATCH, /JSON array/],
    ['an empty batch', [], BATCH, /at least one/],
    ['a single event that is an array', [item], SINGLE, /one JSON object/],
    ['every event invalid', [{ specversion: '0.3' }], BATCH, /no event was accepted/],
  ])('answers 400 for %s', async (_name, body, contentType, message) => {
    const out = await ingest(request(body, contentType as string), memoryIngest().ports);
    expect(out.status).toBe(400);
    expect((out.body as { error: string }).error).toMatch(message as RegExp);
  });

  it('answers 403 when a source posts a type it may not post, and accepts nothing of the request', async () => {
    const { ports, queued } = memoryIngest();
    const policy = sample('gov.policy.published', 'export-credit-insurance');
    const out = await ingest(request([item, { ...policy, source: '/systems/catalog' }], BATCH), ports);
    expect(out.status).toBe(403);
    expect(out.body.rejected![0]!.errors[0]!.path).toBe('type');
    expect(queued).toHaveLength(0);
  });

  it("answers 403 when a principal posts another source's events", async () => {
    const out = await ingest(request(item, SINGLE, '/systems/policy'), memoryIngest().ports);
    expect(out.status).toBe(403);
    expect(out.body.rejected![0]!.errors[0]!.path).toBe('source');
  });

  describe('a type the source may not post is forbidden whatever its data', () => {
    const credit = sample('gov.credit.updated', 'good-standing');
    const reviewed = sample('gov.application.reviewed', 'approved');
    const asCredit = { ...reviewed, id: 'credit-posts-review', source: '/systems/credit' };
    const { staffId: _staffId, ...withoutStaff } = reviewed.data;
    const invalid = { ...asCredit, data: withoutStaff };
    const forbiddenType = [{ id: 'credit-posts-review', errors: [{ path: 'type', message: 'source /systems/credit may not post gov.application.reviewed' }] }];

    it('answers 403 for a valid event of that type', async () => {
      const out = await ingest(request(asCredit, SINGLE, '/systems/credit'), memoryIngest().ports);
      expect(out).toEqual({ status: 403, body: expect.objectContaining({ rejected: forbiddenType }) });
    });

    it('answers 403, not 400, when its data is invalid too', async () => {
      const out = await ingest(request(invalid, SINGLE, '/systems/credit'), memoryIngest().ports);
      expect(out).toEqual({ status: 403, body: expect.objectContaining({ rejected: forbiddenType }) });
    });

    it('answers 403 and accepts nothing of a batch that also holds a valid allowed event', async () => {
      const { ports, queued, recorded } = memoryIngest();
      const out = await ingest(request([credit, invalid], BATCH, '/systems/credit'), ports);
      expect(out).toEqual({ status: 403, body: expect.objectContaining({ rejected: forbiddenType }) });
      expect(queued).toHaveLength(0);
      expect(recorded.size).toBe(0);
    });

    it("answers 403 for another source's event whose data is invalid", async () => {
      const out = await ingest(request({ ...reviewed, data: withoutStaff }, SINGLE, '/systems/credit'), memoryIngest().ports);
      expect(out.status).toBe(403);
      expect(out.body.rejected).toEqual([{ id: reviewed.id, errors: [{ path: 'source', message: 'authenticated as /systems/credit, which may not post events of source /systems/department' }] }]);
    });

    it('quotes an overlong source or id of a forbidden event by its start and length, not whole', async () => {
      const source = `/systems/${'x'.repeat(5000)}`;
      const id = 'i'.repeat(3000);
      const out = await ingest(request({ ...reviewed, id, source }, SINGLE, '/systems/credit'), memoryIngest().ports);
      expect(out.status).toBe(403);
      const [rejected] = out.body.rejected!;
      expect(rejected!.id).toBe(`${'i'.repeat(256)}… (3000 characters)`);
      expect(rejected!.errors[0]!.message).toBe(`authenticated as /systems/credit, which may not post events of source ${source.slice(0, 256)}… (${source.length} characters)`);
    });

    it('still answers 400 naming the field when the source may post the type', async () => {
      const out = await ingest(request({ ...reviewed, data: withoutStaff }, SINGLE, '/systems/department'), memoryIngest().ports);
      expect(out.status).toBe(400);
      expect(out.body.rejected).toEqual([{ id: reviewed.id, errors: [expect.objectContaining({ path: 'data.staffId' })] }]);
    });

    it('still answers 400 for an unknown type (no permission to judge)', async () => {
      const out = await ingest(request({ ...asCredit, type: 'gov.application.deleted' }, SINGLE, '/systems/credit'), memoryIngest().ports);
      expect(out.status).toBe(400);
      expect(out.body.rejected![0]!.errors.map((e) => e.path)).toEqual(['type']);
    });
  });

  it("reads a policy's date-only bound in the time zone it is given", async () => {
    const policy = sample('gov.policy.published', 'export-credit-insurance');
    const event = { ...policy, data: { ...policy.data, validFrom: '2026-11-01', validTo: '2026-10-31T17:00:00Z' } };
    const inZone = (timeZone: string) => ingest({ ...request(event, SINGLE, '/systems/policy'), timeZone }, memoryIngest().ports);
    expect((await inZone('Asia/Shanghai')).status).toBe(202);
    const london = await inZone('Europe/London');
    expect(london.status).toBe(400);
    expect(london.body.rejected).toEqual([{ id: policy.id, errors: [{ path: 'data.validTo', message: 'must not be before validFrom' }] }]);
  });

  it('answers 413 for a body over 1 MB and for a batch over 100 events', async () => {
    const big = await ingest(request('x'.repeat(1024 * 1024 + 1)), memoryIngest().ports);
    expect(big.status).toBe(413);
    const many = Array.from({ length: 101 }, (_, i) => ({ ...item, id: `e-${i}` }));
    const tooMany = await ingest(request(many, BATCH), memoryIngest().ports);
    expect(tooMany.status).toBe(413);
    expect((tooMany.body as { error: string }).error).toMatch(/at most 100/);
  });

  it('answers 413 when every event of a request is too large to queue, 202 for the rest of a batch', async () => {
    const huge = { ...item, id: 'huge', data: { ...item.data, name: '名'.repeat(100_000) } };
    const alone = await ingest(request(huge), memoryIngest().ports);
    expect(alone.status).toBe(413);
    expect(alone.body.rejected).toEqual([{ id: 'huge', errors: [{ path: '', message: expect.stringMatching(/bytes as queued; one event may be at most 262144 bytes/) }] }]);
    const mixed = await ingest(request([item, huge], BATCH), memoryIngest().ports);
    expect(mixed).toEqual({ status: 202, body: { accepted: [item.id], rejected: [expect.objectContaining({ id: 'huge' })] } });
    // Too large and otherwise invalid: a data error names the field, so the answer is 400.
    const both = await ingest(request([huge, { ...item, id: 'bad', time: 'yesterday' }], BATCH), memoryIngest().ports);
    expect(both.status).toBe(400);
  });

  it('keeps one copy of an event repeated inside a batch and rejects a different copy', async () => {
    const { ports, queued } = memoryIngest();
    const other = { ...item, data: { ...item.data, name: '另一个' } };
    const out = await ingest(request([item, item, other], BATCH), ports);
    expect(out.status).toBe(202);
    expect(queued).toHaveLength(1);
    expect(out.body.rejected).toEqual([{ id: item.id, errors: [expect.objectContaining({ path: 'id' })] }]);
  });

  it('does not answer 202 when queueing fails (the client retries; nothing accepted is lost)', async () => {
    const { ports } = memoryIngest();
    ports.enqueue = async () => {
      throw new Error('SQS unavailable');
    };
    await expect(ingest(request(item), ports)).rejects.toThrow('SQS unavailable');
  });
});
