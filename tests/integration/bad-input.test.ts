/**
 * Bad input of every shape through the running local runtime, table-driven (several hundred distinct
 * cases): each gets a 4xx — never a 5xx — and the answer names what is wrong: the field of the event
 * (`data.applicant.id`), the body, the header or the parameter. The cases are generated from the events'
 * JSON Schemas (every required field missing, every string field of the wrong type or not valid Unicode,
 * keys the store cannot hold in every event's open data, numbers it cannot hold), then identifiers, dates,
 * envelopes, bodies, signing dates and query parameters written by hand.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { routes } from '#topology';
import { devKey, signedHeaders } from '#auth/signature';
import { makeIdNumber } from '#contract/identifiers';
import { isInboundType } from '#contract/inbound';
import { ROOT, useLocal } from '#support/runtime';

const rt = useLocal();

type Answer = { status: number; body: any };
interface Case {
  readonly name: string;
  readonly send: () => Promise<Answer>;
  readonly status: number;
  /** Where the answer names the problem: an error path of a rejected event, or a pattern of the error text. */
  readonly names: { path: string; message?: RegExp } | RegExp;
}

// The inbound samples: internal events (civicflow.*) are never posted.
const samples = Object.fromEntries(
  readdirSync(join(ROOT, 'events/samples')).filter(isInboundType).map((type) => {
    const dir = join(ROOT, 'events/samples', type);
    const first = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()[0]!;
    return [type, JSON.parse(readFileSync(join(dir, first), 'utf8'))];
  }),
) as Record<string, any>;
const schemaOf = (type: string) => JSON.parse(readFileSync(join(ROOT, 'events/schemas', `${type}.schema.json`), 'utf8')).properties.data;

let serial = 0;
/** A sample event with a fresh id and `data` changed by `change`, as the raw JSON text to post. */
function eventText(type: string, change: (data: Record<string, unknown>) => void, envelope: Record<string, unknown> = {}): string {
  const e = structuredClone(samples[type]);
  e.id = `bad-${++serial}`;
  Object.assign(e, envelope);
  change(e.data);
  return JSON.stringify(e);
}

const postRaw = (source: string, body: string | Buffer, contentType = 'application/cloudevents+json') => rt.post({ source }, { rawBody: body, contentType, as: source, retries: 0 });

function eventCase(name: string, type: string, path: string, change: (d: Record<string, unknown>) => void, message?: RegExp, envelope?: Record<string, unknown>): Case {
  return { name, send: () => postRaw(samples[type].source, eventText(type, change, envelope)), status: 400, names: { path, ...(message ? { message } : {}) } };
}

/** With a raw JSON fragment spliced into data (for keys JSON.stringify cannot produce, like "__proto__"). */
function splicedCase(name: string, type: string, path: string, fragment: string, message: RegExp): Case {
  const text = eventText(type, () => undefined).replace(/"data":\{/, `"data":{${fragment},`);
  return { name, send: () => postRaw(samples[type].source, text), status: 400, names: { path, message } };
}

const LONE = '\ud800';
const cases: Case[] = [];

// ---- generated from the JSON Schemas: every type, every required field, every string field ----
for (const type of Object.keys(samples).sort()) {
  const schema = schemaOf(type);
  for (const field of schema.required as string[]) {
    cases.push(eventCase(`${type}: data.${field} missing`, type, `data.${field}`, (d) => void delete d[field], /required/));
  }
  for (const [field, spec] of Object.entries(schema.properties as Record<string, any>)) {
    if (spec.type !== 'string' && !spec.anyOf) continue;
    cases.push(eventCase(`${type}: data.${field} a number`, type, `data.${field}`, (d) => void (d[field] = 12345)));
    cases.push(eventCase(`${type}: data.${field} not valid Unicode`, type, `data.${field}`, (d) => void (d[field] = `x${LONE}y`)));
  }
  // Every data object is open: what the store cannot hold is refused there too.
  cases.push(splicedCase(`${type}: a "__proto__" key`, type, 'data.__proto__', '"__proto__":{"x":1}', /prototypes/));
  cases.push(eventCase(`${type}: a "constructor" key`, type, "data.constructor", (d) => void Object.defineProperty(d, "constructor", { value: { a: 1 }, enumerable: true }), /prototypes/));
  cases.push(eventCase(`${type}: a "prototype" key`, type, 'data.prototype', (d) => void (d.prototype = 'p'), /prototypes/));
  cases.push(eventCase(`${type}: an empty key`, type, 'data[""]', (d) => void (d[''] = 1), /empty key/));
  cases.push(eventCase(`${type}: a key of 300 characters`, type, `data.${'k'.repeat(40)}…`, (d) => void (d['k'.repeat(300)] = 1), /at most 256/));
  cases.push(eventCase(`${type}: a number beyond 2^53`, type, 'data.extra', (d) => void (d.extra = 2 ** 60), /exactly/));
  cases.push(eventCase(`${type}: a number below 1e-130`, type, 'data.extra.tiny', (d) => void (d.extra = { tiny: 1e-200 }), /too small/));
  cases.push(eventCase(`${type}: data nested 21 levels`, type, 'data', (d) => void (d.extra = nest(21)), /nested deeper/));
}

function nest(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 1; i < levels; i++) v = { n: v };
  return v;
}

// ---- identifiers, dates and open objects by hand ----
const ZHANG = '440305199003071236';
const future = makeIdNumber('440305', '20990101', '123');
const badCheck = ZHANG.slice(0, 17) + '0';
for (const [type, field] of [
  ['gov.person.profile.updated', 'idNumber'],
  ['gov.credit.updated', 'subjectId'],
  ['gov.licence.issued', 'holderId'],
  ['gov.case.completed', 'applicantId'],
  ['gov.review.submitted', 'reviewerId'],
] as const) {
  cases.push(eventCase(`${type}: ${field} born in 2099`, type, `data.${field}`, (d) => void (d[field] = future), /birth date is after today/));
  cases.push(eventCase(`${type}: ${field} with a wrong check digit`, type, `data.${field}`, (d) => void (d[field] = badCheck), /check/));
  cases.push(eventCase(`${type}: ${field} with a region that does not exist`, type, `data.${field}`, (d) => void (d[field] = makeIdNumber('990305', '19900307', '123')), /valid/));
}
cases.push(eventCase('an applicant born in 2099', 'gov.application.submitted', 'data.applicant.id', (d) => void (d.applicant = { kind: 'person', id: future, name: '某人' }), /after today/));
cases.push(eventCase('a credit code with an I', 'gov.policy.confirmed', 'data.creditCode', (d) => void (d.creditCode = '91440300MA5G2K8L1I'), /credit code/));
for (const [type, field] of [['gov.credit.updated', 'asOf'], ['gov.person.profile.updated', 'asOf'], ['gov.enterprise.profile.updated', 'asOf']] as const) {
  for (const value of ['2026-13-01', '2026-02-30', '2026/10/08', '20261008', 'Oct 8 2026', 'Thu, 08 Oct 2026 00:00:00 GMT', '2026-10-08T25:00:00Z', '2026-10-08T10:00:00', '']) {
    cases.push(eventCase(`${type}: ${field} "${value}"`, type, `data.${field}`, (d) => void (d[field] = value)));
  }
}
// A date the bureau's calendar cannot read (a year before 100) used to pass the edge and fail in its consumer for ever.
cases.push(eventCase('gov.credit.updated: asOf in the year 50', 'gov.credit.updated', 'data.asOf', (d) => void (d.asOf = '0050-01-01'), /years 1900 to 9999/));
cases.push(eventCase('gov.licence.issued: validUntil in the year 50', 'gov.licence.issued', 'data.validUntil', (d) => void (d.validUntil = '0050-01-01'), /years 1900 to 9999/));
cases.push(eventCase('gov.application.submitted: submittedAt past 9999 in UTC', 'gov.application.submitted', 'data.submittedAt', (d) => void (d.submittedAt = '9999-12-31T23:00:00-08:00'), /years 1900 to 9999/));
for (const [type, field, holder] of [
  ['gov.application.submitted', 'form', 'data.form'],
  ['gov.licence.issued', 'attributes', 'data.attributes'],
  ['gov.enterprise.profile.updated', 'extras', 'data.extras'],
] as const) {
  cases.push(eventCase(`${type}: ${field} with a "constructor" object`, type, `${holder}.constructor`, (d) => void (d[field] = { constructor: { name: 'x' } }), /prototypes/));
  cases.push(eventCase(`${type}: ${field} with a nested empty key`, type, `${holder}.a[""]`, (d) => void (d[field] = { a: { '': 1 } }), /empty key/));
  cases.push(eventCase(`${type}: ${field} with an unpaired surrogate in a key`, type, `${holder}.\\uDC00`, (d) => void (d[field] = { '\udc00': 1 }), /Unicode/));
  cases.push(eventCase(`${type}: ${field} with -1e300`, type, `${holder}.v`, (d) => void (d[field] = { v: -1e300 }), /exactly/));
}

// ---- the envelope ----
const review = 'gov.review.submitted';
for (const attribute of ['specversion', 'id', 'source', 'type', 'time', 'data']) {
  cases.push({
    name: `envelope: ${attribute} missing`,
    send: () => {
      const e = JSON.parse(eventText(review, () => undefined));
      delete e[attribute];
      return postRaw(samples[review].source, JSON.stringify(e));
    },
    status: 400,
    names: { path: attribute, message: /required/ },
  });
}
for (const [name, envelope, path] of [
  ['specversion 0.3', { specversion: '0.3' }, 'specversion'],
  ['an empty id', { id: '' }, 'id'],
  ['an id of 300 characters', { id: 'i'.repeat(300) }, 'id'],
  ['an id that is not valid Unicode', { id: `bad-${LONE}` }, 'id'],
  ['time without an offset', { time: '2026-11-06T10:00:00' }, 'time'],
  ['time as an HTTP date', { time: 'Fri, 06 Nov 2026 02:00:00 GMT' }, 'time'],
  ['an unknown type', { type: 'gov.review.deleted' }, 'type'],
  ['datacontenttype text/xml', { datacontenttype: 'text/xml' }, 'datacontenttype'],
  ['a relative dataschema', { dataschema: 'schemas/review.json' }, 'dataschema'],
  ['an extension with a capital letter', { traceParent: 'x' }, 'traceParent'],
  ['an extension holding an object', { traceparent: { a: 1 } }, 'traceparent'],
  ['data_base64', { data_base64: 'AAAA' }, 'data_base64'],
  ['a subject that is not valid Unicode', { subject: `s${LONE}` }, 'subject'],
] as Array<[string, Record<string, unknown>, string]>) {
  cases.push({ name: `envelope: ${name}`, send: () => postRaw(samples[review].source, eventText(review, () => undefined, envelope)), status: 400, names: { path } });
}

// ---- bodies: bytes, nesting, JSON, sizes ----
const good = Buffer.from(eventText(review, () => undefined));
const at = good.indexOf(Buffer.from('"comment":"')) + 11;
for (const [name, bytes] of [
  ['a lone continuation byte', [0x80]],
  ['a byte 0xFF', [0xff]],
  ['an overlong slash', [0xc0, 0xaf]],
  ['an encoded surrogate', [0xed, 0xa0, 0x80]],
  ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ['a truncated three-byte character', [0xe4, 0xb8]],
  ['Latin-1 text (GBK-style bytes)', [0xc4, 0xe3, 0xba, 0xc3, 0xff]],
] as Array<[string, number[]]>) {
  cases.push({
    name: `body: invalid UTF-8, ${name}`,
    send: () => postRaw(samples[review].source, Buffer.concat([good.subarray(0, at), Buffer.from(bytes), good.subarray(at)])),
    status: 400,
    names: new RegExp(`body is not valid UTF-8: invalid byte sequence at byte ${at}`),
  });
}
const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
cases.push({ name: 'body: a batch nested 100,000 deep', send: () => postRaw(samples[review].source, `[${deepArray(100_000)}]`, 'application/cloudevents-batch+json'), status: 400, names: { path: '[0]', message: /nested deeper/ } });
cases.push({
  name: 'body: data nested 20,000 deep',
  send: () => postRaw(samples[review].source, eventText(review, () => undefined).replace(/"data":\{/, `"data":{"deep":${'{"n":'.repeat(20_000)}1${'}'.repeat(20_000)},`)),
  status: 400,
  names: { path: 'data', message: /nested deeper/ },
});
cases.push({
  name: 'body: an event over 256 KB once queued (emoji are escaped for SQS)',
  send: () => postRaw(samples[review].source, eventText(review, (d) => void (d.comment = '😀'.repeat(30_000)))),
  status: 413,
  names: { path: '', message: /bytes as queued; one event may be at most 262144 bytes/ },
});
cases.push({
  name: 'envelope: an extension nested 100,000 deep',
  send: () => postRaw(samples[review].source, eventText(review, () => undefined).replace('"specversion":', `"deepext":${deepArray(100_000)},"specversion":`)),
  status: 400,
  names: { path: 'deepext', message: /nested deeper/ },
});
cases.push({ name: 'body: an event nested 100,000 deep in an attribute', send: () => postRaw(samples[review].source, `{"a":${deepArray(100_000)}}`), status: 400, names: { path: 'a', message: /nested deeper/ } });
for (const [name, body, contentType, status, message] of [
  ['malformed JSON', '{"specversion":', undefined, 400, /body is not valid JSON/],
  ['an empty body', '', undefined, 400, /body is not valid JSON/],
  ['a byte-order mark', `\ufeff${good.toString()}`, undefined, 400, /body is not valid JSON/],
  ['JSON null', 'null', undefined, 400, /one JSON object/],
  ['a number as a batch', '42', 'application/cloudevents-batch+json', 400, /JSON array/],
  ['a batch of 101', JSON.stringify(Array.from({ length: 101 }, () => ({}))), 'application/cloudevents-batch+json', 413, /at most 100/],
  ['2 MB', `{"x":"${'y'.repeat(2_000_000)}"}`, undefined, 413, /1 MB/],
  ['no content type', good.toString(), '', 400, /content-type must be/],
  ['text/plain', good.toString(), 'text/plain', 400, /content-type must be/],
] as Array<[string, string, string | undefined, number, RegExp]>) {
  cases.push({ name: `body: ${name}`, send: () => postRaw(samples[review].source, body, contentType), status, names: message });
}

// ---- signing dates: RFC 3339 only ----
for (const date of ['Fri, 06 Nov 2026 02:00:00 GMT', '2026-11-06', String(Date.now()), '2026-11-06T02:00:00', '2026-11-06 02:00:00Z', 'now']) {
  cases.push({
    name: `signing date "${date.slice(0, 20)}"`,
    send: async () => {
      const path = '/events/x?source=%2Fsystems%2Fcatalog';
      const headers = signedHeaders('/auditors/district', devKey('/auditors/district'), 'GET', path, '', date);
      const res = await fetch(rt.url + path, { headers });
      return { status: res.status, body: await res.json() };
    },
    status: 401,
    names: /x-civicflow-date must be an RFC 3339 time/,
  });
}

// ---- query routes: every parameter bounded, every %-escape valid ----
const getRoutes = routes.filter((r) => r.method === 'GET');
for (const route of getRoutes) {
  const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  for (const param of params) {
    const long = route.path.replace(/\{(\w+)\}/g, (_m, p: string) => (p === param ? 'x'.repeat(3000) : 'X'));
    cases.push({ name: `GET ${route.path}: ${param} of 3,000 characters`, send: () => rt.get(long), status: 400, names: new RegExp(`path parameter "${param}" is 3000 characters long`) });
    for (const escape of ['%E0%A4%A', '%ZZ', '%C0%AF', '%ED%A0%80']) {
      const bad = route.path.replace(/\{(\w+)\}/g, (_m, p: string) => (p === param ? `a${escape}` : 'X'));
      cases.push({ name: `GET ${route.path}: ${param} with ${escape}`, send: () => rt.get(bad), status: 400, names: new RegExp(`path parameter "${param}" is not valid percent-encoded UTF-8`) });
    }
  }
}
for (const [path, param] of [
  [`/reviews/figures?dimension=department&period=2026-11&key=${'k'.repeat(3000)}`, 'key'],
  [`/reviews/ranking?month=${'2'.repeat(3000)}`, 'month'],
  [`/refusals?source=${'s'.repeat(3000)}&since=2026-11-01`, 'source'],
  [`/events/x?source=${'s'.repeat(3000)}`, 'source'],
  [`/approval/figures?itemCode=${'i'.repeat(3000)}`, 'itemCode'],
  [`/policies/P/entitlements?cursor=${'c'.repeat(3000)}`, 'cursor'],
] as const) {
  cases.push({ name: `GET ${path.slice(0, 40)}: query ${param} too long`, send: () => rt.get(path), status: 400, names: new RegExp(`query parameter "${param}" is \\d+ characters long`) });
}

cases.push({
  name: 'GET /refusals: a query parameter name of 5,000 characters',
  send: () => rt.get(`/refusals?source=%2Fsystems%2Fcatalog&since=2026-11-01&${'k'.repeat(5000)}=1`),
  status: 400,
  names: /query parameter name "k+…" is 5000 characters long; at most 200/,
});

describe('bad input: a 4xx naming what is wrong, never a 5xx', () => {
  it('has several hundred distinct cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it('answers every case with its status and names the field, body, header or parameter', async () => {
    const failures: unknown[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < cases.length) {
          const c = cases[next++]!;
          const out = await c.send();
          const text = JSON.stringify(out.body);
          const named =
            c.names instanceof RegExp
              ? c.names.test(String(out.body?.error ?? out.body?.message ?? ''))
              : ((out.body?.rejected ?? []) as Array<{ errors: Array<{ path: string; message: string }> }>).some((r) =>
                  r.errors.some((e) => e.path === (c.names as { path: string }).path && (!(c.names as { message?: RegExp }).message || (c.names as { message: RegExp }).message.test(e.message))),
                );
          if (out.status !== c.status || !named) failures.push({ case: c.name, status: out.status, expected: c.status, answer: text.slice(0, 400) });
        }
      }),
    );
    expect(failures).toEqual([]);
  }, 180_000);

  it('kept serving, accepted none of it, and nothing reached a dead-letter queue', async () => {
    expect((await rt.dev('GET', '/_dev/health')).body).toEqual({ ok: true });
    await rt.drain();
    const depths = (await rt.dev('GET', '/_dev/queues')).body as Record<string, { dlq: number }>;
    for (const [q, d] of Object.entries(depths)) expect([q, d.dlq]).toEqual([q, 0]);
    for (const id of ['bad-1', `bad-${serial}`]) {
      expect((await rt.get(`/events/${id}?source=${encodeURIComponent(samples[review].source)}`)).status).toBe(404);
    }
  });
});
