/**
 * Bad input, authentication, authorization and privacy through the local runtime,
 * with every log line written at DEBUG:
 *  - each malformed request gets its status and an error naming the field; the runtime keeps serving and
 *    nothing accepted changes;
 *  - every route refuses unsigned, wrongly signed, stale and replayed-elsewhere requests (401), each
 *    source is limited to its types (403) and each reader to its query routes (403);
 *  - after all of it, no log line holds an unmasked ID number or mobile number.
 */
import { readFileSync } from 'node:fs';
import { defaultReaderRoutes, stageConfig } from '#topology/stages';
import { routes } from '#topology';
import { devKey, signedHeaders } from '#auth/signature';
import { isValidIdNumber, makeIdNumber } from '#contract/identifiers';
import { sample, startLocal, type Running } from '#support/runtime';
import { CLOCK, mobile, personId } from './mixed-events';

let rt: Running;
beforeAll(async () => {
  rt = await startLocal({ env: { LOG_LEVEL: 'DEBUG' } });
  await rt.dev('POST', '/_dev/clock', { set: CLOCK });
}, 120_000);
afterAll(async () => {
  await rt?.stop();
});

const completedTemplate = sample('gov.case.completed', 'window-case');
const reviewTemplate = sample('gov.review.submitted', 'good-review');
const APPLICANT = personId(777);
const baseCase = { ...completedTemplate, id: 'sec-done-1', data: { ...completedTemplate.data, caseId: 'SEC-C1', departmentCode: 'SEC-D', applicantId: APPLICANT, completedAt: '2026-11-02T09:00:00+08:00' } };
const baseReview = {
  ...reviewTemplate,
  id: 'sec-rev-1',
  data: { ...reviewTemplate.data, caseId: 'SEC-C1', reviewId: 'SEC-R1', departmentCode: 'SEC-D', reviewerId: APPLICANT, level: 5, submittedAt: '2026-11-02T09:30:00+08:00' },
};

async function snapshot() {
  const c = await rt.get('/cases/SEC-C1');
  const f = await rt.get('/reviews/figures?dimension=department&key=SEC-D&period=2026-11');
  return { case: c.body, figures: f.body.figures };
}

let before: Awaited<ReturnType<typeof snapshot>>;

describe('bad input', () => {
  beforeAll(async () => {
    expect((await rt.post(baseCase)).status).toBe(202);
    expect((await rt.post(baseReview)).status).toBe(202);
    await rt.drain();
    before = await snapshot();
    expect(before.figures.realReviews).toBe(1);
  }, 60_000);

  const withData = (over: Record<string, unknown>, id: string) => ({ ...baseReview, id, data: { ...baseReview.data, ...over } });
  const without = (o: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
  let nested: unknown = { leaf: 1 };
  for (let i = 0; i < 200; i++) nested = { n: nested };
  const badId = APPLICANT.slice(0, 17) + (APPLICANT[17] === '0' ? '1' : '0');

  // [case, event, the path the error must name, a pattern of its message]
  const invalid: Array<[string, unknown, string, RegExp]> = [
    ['a wrong type', withData({ level: 'five' }, 'bad-1'), 'data.level', /number|int/i],
    ['a level out of range', withData({ level: 9 }, 'bad-2'), 'data.level', /5|less|too big/i],
    ['a missing data field', { ...baseReview, id: 'bad-3', data: without(baseReview.data, 'caseId') }, 'data.caseId', /required/],
    ['a missing envelope attribute', without({ ...baseReview, id: 'bad-4' }, 'time'), 'time', /required/],
    ['an ID number with a wrong check digit', withData({ reviewerId: badId }, 'bad-5'), 'data.reviewerId', /check digit/],
    ['an unknown type', { ...baseReview, id: 'bad-6', type: 'gov.review.deleted' }, 'type', /./],
    ['a wrong specversion', { ...baseReview, id: 'bad-7', specversion: '0.3' }, 'specversion', /1\.0/],
    ['deep nesting', withData({ extra: nested }, 'bad-8'), 'data', /nested deeper/],
    ['a huge array', withData({ indicators: Array.from({ length: 5000 }, (_, i) => `I${i}`) }, 'bad-9'), 'data.indicators', /50/],
    ['data that is not an object', { ...baseReview, id: 'bad-10', data: [1, 2, 3] }, 'data', /object/],
  ];

  it.each(invalid)('rejects %s with 400, naming the field', async (_name, event, path, message) => {
    const out = await rt.post(event);
    expect(out.status).toBe(400);
    expect(out.body.accepted).toEqual([]);
    const errors = out.body.rejected[0].errors as Array<{ path: string; message: string }>;
    expect(errors).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.stringMatching(message) })]));
  });

  it('accepts the valid events of a batch and names each error of the others', async () => {
    const good = { ...baseCase, id: 'sec-done-2', data: { ...baseCase.data, caseId: 'SEC-C2' } };
    const bad = { ...baseCase, id: 'sec-done-bad', data: { ...baseCase.data, caseId: '', applicantId: badId } };
    const out = await rt.post([good, bad]);
    expect(out.status).toBe(202);
    expect(out.body.accepted).toEqual(['sec-done-2']);
    expect(out.body.rejected).toEqual([
      { id: 'sec-done-bad', errors: expect.arrayContaining([expect.objectContaining({ path: 'data.caseId' }), expect.objectContaining({ path: 'data.applicantId' })]) },
    ]);
  });

  it.each([
    ['malformed JSON', { rawBody: '{"specversion": "1.0",' }, 400, /not valid JSON/],
    ['a wrong content type', { contentType: 'text/plain' }, 400, /content-type must be/],
    ['JSON as application/json', { contentType: 'application/json' }, 400, /content-type must be/],
    ['an array as a single event', { rawBody: '[]' }, 400, /one JSON object/],
    ['an object as a batch', { contentType: 'application/cloudevents-batch+json' }, 400, /JSON array/],
    ['an empty batch', { rawBody: '[]', contentType: 'application/cloudevents-batch+json' }, 400, /at least one/],
    ['a body over 1 MB', { rawBody: JSON.stringify({ ...baseReview, data: { ...baseReview.data, comment: 'x'.repeat(1_100_000) } }) }, 413, /1 MB/],
    ['a batch of 101 events', { rawBody: JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ ...baseReview, id: `b-${i}` }))), contentType: 'application/cloudevents-batch+json' }, 413, /at most 100/],
  ] as Array<[string, Parameters<Running['post']>[1], number, RegExp]>)('answers %s with its status and a clear error', async (_name, opts, status, message) => {
    const out = await rt.post(baseReview, opts);
    expect(out.status).toBe(status);
    expect(String(out.body.error ?? out.body.message)).toMatch(message);
  });

  it('rejects an event over 256 KB inside a batch, and an id replayed with other content', async () => {
    const big = withData({ comment: 'x'.repeat(300_000) }, 'sec-big');
    // Nothing else in the request: too large is all that kept it out, so 413 as for a body over 1 MB.
    const out = await rt.post([big]);
    expect(out.status).toBe(413);
    expect(out.body.rejected[0].errors[0].message).toMatch(/at most 262144 bytes/);
    const replay = await rt.post({ ...baseReview, data: { ...baseReview.data, level: 1 } });
    expect(replay.status).toBe(400);
    expect(replay.body.rejected[0].errors[0]).toMatchObject({ path: 'id', message: expect.stringMatching(/already accepted with different content/) });
  });

  it('stores unicode and injection strings verbatim, as data', async () => {
    const strings = ["'; DROP TABLE reviews; --", '<script>alert(1)</script>', '{{7*7}} ${jndi:ldap://x/a}', '\u202eevil\u202c 𠮷𝌆 😀 \u0000nul', '../../etc/passwd'];
    const comment = strings.join(' | ');
    const c3 = { ...baseCase, id: 'sec-done-3', data: { ...baseCase.data, caseId: 'SEC-C3' } };
    const r3 = { ...baseReview, id: 'sec-rev-3', data: { ...baseReview.data, caseId: 'SEC-C3', reviewId: 'SEC-R3', level: 2, comment, indicators: ['WAIT_TOO_LONG'] } };
    expect((await rt.post([c3])).status).toBe(202);
    expect((await rt.post([r3])).status).toBe(202);
    await rt.drain();
    const back = await rt.get('/cases/SEC-C3');
    expect(back.status).toBe(200);
    expect(back.body.reviews.real).toMatchObject({ reviewId: 'SEC-R3', comment });
  });

  it('keeps serving, and nothing rejected was recorded or changed what was accepted', async () => {
    expect((await rt.dev('GET', '/_dev/health')).body).toEqual({ ok: true });
    await rt.drain();
    const after = await snapshot();
    expect(after.case).toEqual(before.case);
    // SEC-C2 and SEC-C3 were accepted since: two more cases, one more (bad) review.
    expect(after.figures).toMatchObject({ completedCases: before.figures.completedCases + 2, realReviews: 2, negative: 1 });
    for (const id of ['bad-1', 'bad-5', 'bad-8', 'sec-done-bad', 'sec-big']) {
      const receipt = await rt.get(`/events/${id}?source=${encodeURIComponent(baseReview.source)}`);
      expect([id, receipt.status]).toEqual([id, 404]);
    }
    const receipt = await rt.get(`/events/sec-rev-1?source=${encodeURIComponent(baseReview.source)}`);
    expect(receipt.status).toBe(200);
  });
});

describe('authentication and authorization', () => {
  const concrete = (path: string) => path.replace(/\{(\w+)\}/g, (_m, p: string) => `X-${p}`);
  const AUDITOR = '/auditors/district';

  async function call(method: string, path: string, headers: Record<string, string>, body?: string) {
    const res = await fetch(rt.url + path, { method, headers, body });
    const text = await res.text();
    return { status: res.status, text };
  }

  it('has no development route in the topology (they exist only in the local gateway)', () => {
    expect(routes.filter((r) => r.path.startsWith('/_dev'))).toEqual([]);
  });

  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s refuses unsigned, mis-signed, stale and re-targeted requests', async (_key, route) => {
    const path = concrete(route.path);
    const body = route.method === 'POST' ? JSON.stringify(baseReview) : '';
    // Upstream systems post events; a simulation is asked for by a reader (the auditor), as every GET is.
    const principal = route.path === '/events' ? baseReview.source : AUDITOR;
    const extra: Record<string, string> = route.method === 'POST' ? { 'content-type': 'application/cloudevents+json' } : {};
    const send = (headers: Record<string, string>) => call(route.method, path, { ...extra, ...headers }, route.method === 'POST' ? body : undefined);
    const ok = signedHeaders(principal, devKey(principal), route.method, path, body);

    const cases: Array<[string, Record<string, string>]> = [
      ['unsigned', {}],
      ['wrong key', signedHeaders(principal, 'not-the-key', route.method, path, body)],
      ['unknown principal', signedHeaders('/systems/nobody', devKey('/systems/nobody'), route.method, path, body)],
      ['stale date', signedHeaders(principal, devKey(principal), route.method, path, body, new Date(Date.now() - 10 * 60_000).toISOString())],
      ['future date', signedHeaders(principal, devKey(principal), route.method, path, body, new Date(Date.now() + 10 * 60_000).toISOString())],
      ['signed for another path', signedHeaders(principal, devKey(principal), route.method, path + '?other=1', body)],
      ['signature of another principal', { ...ok, 'x-civicflow-principal': '/systems/catalog' }],
    ];
    for (const [name, headers] of cases) {
      const out = await send(headers);
      expect([name, out.status]).toEqual([name, 401]);
      expect(out.text).toMatch(/unauthenticated/);
    }
    if (route.method === 'POST') {
      const tampered = await call('POST', path, { ...extra, ...ok }, body.replace('"level":5', '"level":1'));
      expect(tampered.status).toBe(401);
    }
    const signed = await send(ok);
    expect([401, 403]).not.toContain(signed.status);
  });

  it('limits each source to its types: 403 and nothing of the request accepted', async () => {
    const policy = sample('gov.policy.published', 'export-credit-insurance');
    const ownCase = { ...baseCase, id: 'sec-done-forbidden', data: { ...baseCase.data, caseId: 'SEC-C9' } };
    const out = await rt.post([ownCase, { ...policy, source: '/systems/department' }], { as: '/systems/department' });
    expect(out.status).toBe(403);
    expect(out.body.rejected).toEqual([{ id: policy.id, errors: [{ path: 'type', message: 'source /systems/department may not post gov.policy.published' }] }]);
    const asOther = await rt.post(baseReview, { as: '/systems/catalog' });
    expect(asOther.status).toBe(403);
    expect(asOther.body.rejected[0].errors[0].path).toBe('source');
    await rt.drain();
    expect((await rt.get('/cases/SEC-C9')).status).toBe(404);
  });

  it('limits each reader to the query routes it needs (403 for the others); the auditor reads all', async () => {
    const config = stageConfig('local');
    expect(config.readerRoutes).toEqual(defaultReaderRoutes);
    const gets = routes.filter((r) => r.method === 'GET');
    for (const [reader, allowed] of Object.entries(defaultReaderRoutes)) {
      for (const r of gets) {
        const key = `${r.method} ${r.path}`;
        const out = await rt.get(concrete(r.path), { as: reader });
        if (allowed.includes(key)) expect([reader, key, out.status === 403]).toEqual([reader, key, false]);
        else {
          expect([reader, key, out.status]).toEqual([reader, key, 403]);
          expect(out.body.error).toBe(`${reader} may not read ${key}`);
        }
      }
    }
    for (const r of gets) expect([r.path, (await rt.get(concrete(r.path))).status === 403]).toEqual([r.path, false]);
  }, 60_000);
});

describe('read-side authorization: a source reads only its own events, receipts and refusals', () => {
  const sources = Object.keys(stageConfig('local').sources);
  const ownRoutes = (source: string) => [
    `/events/sec-rev-1?source=${encodeURIComponent(source)}`,
    `/events/sec-rev-1/receipt?source=${encodeURIComponent(source)}`,
    `/refusals?source=${encodeURIComponent(source)}&since=2026-11-01`,
  ];

  it.each(sources)('%s: 403 for every other source, never for its own; the auditor reads any', async (reader) => {
    for (const other of sources.filter((s) => s !== reader)) {
      for (const path of ownRoutes(other)) {
        const out = await rt.get(path, { as: reader });
        expect([reader, path, out.status]).toEqual([reader, path, 403]);
        expect(out.body.error).toBe(`${reader} may read only its own events and receipts, not those of ${other}`);
      }
    }
    for (const path of [...ownRoutes(reader), '/events/sec-rev-1', '/refusals?since=2026-11-01']) {
      const out = await rt.get(path, { as: reader });
      expect([reader, path, out.status === 403 || out.status >= 500]).toEqual([reader, path, false]);
    }
    for (const path of ownRoutes(reader)) expect([path, (await rt.get(path)).status === 403]).toEqual([path, false]);
  });

  it('answers the review channel\'s own receipt, and keeps person data out of what it may not see', async () => {
    const own = await rt.get(`/events/sec-rev-1/receipt`, { as: baseReview.source });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ source: baseReview.source, id: 'sec-rev-1', outcome: 'applied', effect: { resource: 'case', id: 'SEC-C1' } });
    const event = await rt.get('/events/sec-rev-1', { as: baseReview.source });
    expect(event.body.event.data.reviewerId).not.toBe(APPLICANT);
    expect(event.body.event.data.reviewerId).toBe(`${APPLICANT.slice(0, 6)}********${APPLICANT.slice(-4)}`);
    expect((await rt.get(`/events/sec-rev-1?source=${encodeURIComponent(baseReview.source)}`)).body.event.data.reviewerId).toBe(APPLICANT);
  });
});

describe('privacy', () => {
  it('writes no unmasked ID number or mobile number to any log line, at DEBUG', async () => {
    const person = sample('gov.person.profile.updated', 'resident');
    const persons = [0, 1, 2].map((i) => ({ ...person, id: `sec-person-${i}`, data: { ...person.data, idNumber: personId(900 + i), phone: mobile(900 + i), contact: `手机 ${mobile(950 + i)}，身份证 ${personId(950 + i)}` } }));
    expect((await rt.post(persons)).status).toBe(202);
    const application = sample('gov.application.submitted', 'instant-weather-certificate');
    expect((await rt.post({ ...application, id: 'sec-app-1', data: { ...application.data, applicationId: 'SEC-A1', applicant: { kind: 'person', id: personId(901), name: '李四' } } })).status).toBe(202);
    const sms = sample('gov.review.submitted', 'sms-review');
    const smsCase = { ...baseCase, id: 'sec-done-sms', data: { ...baseCase.data, caseId: 'SEC-SMS', applicantId: personId(902) } };
    expect((await rt.post(smsCase)).status).toBe(202);
    expect((await rt.post({ ...sms, id: 'sec-sms-1', data: { ...sms.data, caseId: 'SEC-SMS', reviewId: 'SEC-RS', itemCode: baseCase.data.itemCode, departmentCode: 'SEC-D', reviewerId: mobile(903), level: 1, indicators: ['WAIT_TOO_LONG'], comment: `请回电 ${mobile(904)}`, submittedAt: '2026-11-02T10:00:00+08:00' } })).status).toBe(202);
    // A rejected event quoting an ID: its error must not echo the value unmasked either.
    expect((await rt.post({ ...person, id: 'sec-person-bad', data: { ...person.data, idNumber: makeIdNumber('440305', '19900307', '999').slice(0, 17) + 'Z' } })).status).toBe(400);
    await rt.drain();

    const scan = (text: string) => ({
      ids: [...text.matchAll(/(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g)].map((m) => m[0]).filter((id) => isValidIdNumber(id)),
      mobiles: [...text.matchAll(/(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)/g)].map((m) => m[0]),
    });
    // The scanner finds what it must find.
    expect(scan(`{"a":"${personId(901)}","b":"+86 139 0000 0903"}`)).toEqual({ ids: [personId(901)], mobiles: ['+86 139 0000 0903'] });

    const log = readFileSync(rt.logFile, 'utf8');
    // The lines of these flows were written (the scan covers them) ...
    for (const ref of ['SEC-SMS', 'SEC-A1', 'SEC-RS']) expect([ref, log.includes(ref)]).toEqual([ref, true]);
    // ... and none of them, nor any other line, carries an unmasked ID number or mobile number.
    expect(scan(log)).toEqual({ ids: [], mobiles: [] });
  }, 60_000);
});
