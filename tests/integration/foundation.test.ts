/**
 * The foundation end to end through the local runtime: signed HTTP ingest → queue → registry handler →
 * table, read back through the query API; every status code of POST /events over loopback; dev controls.
 */
import { sample, useLocal } from '#support/runtime';

const rt = useLocal();

const weather = sample('gov.catalog.item.published', 'weather-certificate');

describe('local runtime: ingest → queue → handler → table', () => {
  it('accepts a sample event, routes it to the registry and records it', async () => {
    const out = await rt.post(weather);
    expect(out).toEqual({ status: 202, body: { accepted: [weather.id], rejected: [] } });
    await rt.drain();
    const receipt = await rt.get(`/events/${weather.id}?source=${encodeURIComponent(weather.source)}`);
    expect(receipt.status).toBe(200);
    expect(receipt.body).toMatchObject({ id: weather.id, source: weather.source, queue: 'registry', type: weather.type });
    const item = await rt.get(`/items/${weather.data.itemCode}`);
    expect(item.status).toBe(200);
    expect(item.body).toMatchObject({ itemCode: weather.data.itemCode, version: weather.data.version, name: weather.data.name });
  });

  it('accepts a repeated event again with no further effect, and rejects the same id with other content', async () => {
    const before = await rt.get(`/events/${weather.id}?source=${encodeURIComponent(weather.source)}`);
    expect((await rt.post(weather)).status).toBe(202);
    const changed = { ...weather, data: { ...weather.data, name: '气象证明（改）' } };
    const conflict = await rt.post(changed);
    expect(conflict.status).toBe(400);
    expect(conflict.body.rejected[0].errors[0]).toMatchObject({ path: 'id' });
    await rt.drain();
    const after = await rt.get(`/events/${weather.id}?source=${encodeURIComponent(weather.source)}`);
    expect(after.body).toEqual(before.body);
    const item = await rt.get(`/items/${weather.data.itemCode}`);
    expect(item.body.name).toBe(weather.data.name);
  });

  it('names each bad field of each rejected event in a batch', async () => {
    const bad = { ...weather, id: 'bad-item-1', data: { ...weather.data, mode: 'fast', promisedDays: 'one' } };
    const out = await rt.post([{ ...weather, id: 'ok-item-2', data: { ...weather.data, version: weather.data.version + 1 } }, bad]);
    expect(out.status).toBe(202);
    expect(out.body.accepted).toEqual(['ok-item-2']);
    const paths = out.body.rejected[0].errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['data.mode', 'data.promisedDays']));
  });

  it('answers 401 for a missing or wrong signature', async () => {
    const wrongKey = await rt.post(weather, { key: 'not-the-key' });
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.body.error).toMatch(/signature does not match/);
    const res = await fetch(`${rt.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(weather),
    });
    expect(res.status).toBe(401);
    const unknown = await rt.post({ ...weather, source: '/systems/unknown' }, { as: '/systems/unknown' });
    expect(unknown.status).toBe(401);
  });

  it('answers 403 for a type the source may not post', async () => {
    const policy = sample('gov.policy.published', 'export-credit-insurance');
    const out = await rt.post({ ...policy, source: '/systems/catalog' });
    expect(out.status).toBe(403);
    expect(out.body.rejected[0].errors[0].path).toBe('type');
  });

  it('answers 400 for malformed JSON and a wrong content type, and 413 for a body over 1 MB', async () => {
    expect((await rt.post(weather, { rawBody: '{"specversion":' })).status).toBe(400);
    expect((await rt.post(weather, { contentType: 'application/json' })).status).toBe(400);
    const huge = { ...weather, id: 'huge', data: { ...weather.data, padding: 'x'.repeat(1_100_000) } };
    expect((await rt.post(huge)).status).toBe(413);
  });

  it('keeps serving after bad input, and the query API refuses unknown readers', async () => {
    const forbidden = await rt.get(`/items/${weather.data.itemCode}`, { as: '/systems/unknown-reader' });
    expect(forbidden.status).toBe(401);
    const health = await rt.dev('GET', '/_dev/health');
    expect(health.body).toEqual({ ok: true });
  });

  it('serves the OpenAPI document with every route of the topology', async () => {
    const { routes } = await import('#topology');
    const doc = await rt.dev('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    const spec = typeof doc.body === 'string' ? JSON.parse(doc.body) : doc.body;
    for (const r of routes) expect([r.path, Object.keys(spec.paths[r.path] ?? {})]).toEqual([r.path, expect.arrayContaining([r.method.toLowerCase()])]);
  });

  it('lets the development clock be set and advanced', async () => {
    const set = await rt.dev('POST', '/_dev/clock', { set: '2026-12-01T00:00:00.000Z' });
    expect(set.status).toBe(200);
    const advanced = await rt.dev('POST', '/_dev/clock', { advance: '7d' });
    expect(Date.parse(advanced.body.now)).toBeGreaterThanOrEqual(Date.parse('2026-12-08T00:00:00.000Z'));
    expect(Date.parse(advanced.body.now)).toBeLessThan(Date.parse('2026-12-08T00:01:00.000Z'));
    expect((await rt.dev('POST', '/_dev/clock', { advance: 'soon' })).status).toBe(400);
    await rt.dev('POST', '/_dev/clock', { reset: true });
    expect((await rt.dev('POST', '/_dev/schedules/no-such-schedule')).status).toBe(404);
  });
});
