/**
 * A monthly report over Lambda's 6 MB answer: the query function's answer (functions/query/handler.ts) goes
 * through `encodedFor` (shared/platform/http.ts) last, so a client that accepts gzip gets it gzipped and
 * base64-encoded, as API Gateway's HTTP APIs take binary, and one that does not gets a 406 saying to ask with
 * `Accept-Encoding: gzip` instead of Lambda's bare 502.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { acceptsGzip, encodedFor, GZIP_MIN_BYTES, json, LAMBDA_RESPONSE_BYTES, problem, responseBytes } from '#platform/http';
import { bigReport } from '#support/big-report';

// 12,000 service items and 1,200 policies: 6.2 MB of JSON, 6.9 MB as Lambda counts the answer (quotes escaped).
let answer: ReturnType<typeof json>;
beforeAll(() => {
  answer = json(200, bigReport({ items: 12_000, policies: 1_200, departments: 60 }));
}, 60_000);

describe('a report over 6 MB', () => {
  it('is over what Lambda answers as it is', () => {
    expect(responseBytes(answer)).toBeGreaterThan(LAMBDA_RESPONSE_BYTES);
  });

  it('is answered gzipped to a client that accepts gzip, well within the limit, the same JSON once unzipped', () => {
    const out = encodedFor(answer, 'gzip, deflate, br');
    expect(out).toMatchObject({ statusCode: 200, isBase64Encoded: true, headers: { 'content-type': 'application/json; charset=utf-8', 'content-encoding': 'gzip', vary: 'accept-encoding' } });
    expect(responseBytes(out)).toBeLessThan(LAMBDA_RESPONSE_BYTES / 4);
    expect(gunzipSync(Buffer.from(out.body!, 'base64')).toString('utf8')).toBe(answer.body);
  });

  it('is refused with a 406 saying to ask with Accept-Encoding: gzip to a client that does not', () => {
    for (const header of [undefined, '', 'identity', 'gzip;q=0, identity', 'br']) {
      const out = encodedFor(answer, header);
      expect([header, out.statusCode]).toEqual([header, 406]);
      expect(JSON.parse(out.body!).error).toMatch(/^the answer is \d+ bytes of JSON, over the 6291456 bytes a response can carry: ask again with the header "Accept-Encoding: gzip"/);
      expect(out.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', vary: 'accept-encoding' });
      expect(responseBytes(out)).toBeLessThan(1024);
    }
  });
});

describe('an answer within the limit', () => {
  const small = json(200, { month: '2026-11', rows: Array.from({ length: 100 }, (_, i) => ({ department: `D-${i}`, applications: i })) });

  it('is sent as it is to a client that does not accept gzip', () => {
    expect(encodedFor(small, undefined)).toEqual({ ...small, headers: { ...small.headers, vary: 'accept-encoding' } });
  });

  it('is gzipped for a client that accepts it; under GZIP_MIN_BYTES, or a problem, it is sent as it is', () => {
    expect(gunzipSync(Buffer.from(encodedFor(small, 'gzip').body!, 'base64')).toString('utf8')).toBe(small.body);
    const tiny = problem(404, 'no report for 440305 2026-11 yet');
    expect(Buffer.byteLength(tiny.body!)).toBeLessThan(GZIP_MIN_BYTES);
    expect(encodedFor(tiny, 'gzip')).toBe(tiny);
  });
});

describe('Accept-Encoding', () => {
  it('takes gzip when listed, or * , with a q-value above 0', () => {
    for (const yes of ['gzip', 'GZIP', 'deflate, gzip;q=0.5', 'x-gzip', '*', 'br;q=1, *;q=0.1', 'gzip ; q=1.0']) expect([yes, acceptsGzip(yes)]).toEqual([yes, true]);
    for (const no of [undefined, '', 'identity', 'br, deflate', 'gzip;q=0', '*;q=0', 'gzip;q=0, *']) expect([no, acceptsGzip(no)]).toEqual([no, false]);
  });
});

describe('the query function', () => {
  it('encodes its answer last, once masked, with the request\'s Accept-Encoding', () => {
    const source = readFileSync(fileURLToPath(new URL('../../../functions/query/handler.ts', import.meta.url)), 'utf8');
    expect(source).toMatch(/return encodedFor\(answer, headersOf\(event\)\['accept-encoding'\]\);\n\}\)/);
  });
});
