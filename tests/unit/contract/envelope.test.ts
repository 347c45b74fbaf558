import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsonDepthExceeds, MAX_DATA_DEPTH, validateEnvelope, validateEvent } from '#contract/envelope';
import { formatPath, parsePath } from '#contract/issues';

const sample = (rel: string): Record<string, unknown> =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../../../events/samples/${rel}`, import.meta.url)), 'utf8'));

const base = () => sample('gov.policy.withdrawn/withdraw-social-insurance.json');

function errorsOf(raw: unknown) {
  const result = validateEvent(raw);
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.errors;
}

describe('validateEnvelope', () => {
  it('accepts a minimal structured-mode event and returns its attributes and extensions', () => {
    const raw: Record<string, unknown> = { ...base(), traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', partitionkey: 7, sampled: true };
    delete raw.datacontenttype;
    const result = validateEnvelope(raw);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.envelope.type).toBe('gov.policy.withdrawn');
    expect(result.envelope.source).toBe('/systems/policy');
    expect(result.envelope.extensions).toEqual({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      partitionkey: 7,
      sampled: true,
    });
    expect('datacontenttype' in result.envelope).toBe(false);
  });

  it('does not look inside data', () => {
    const result = validateEnvelope({ ...base(), data: { anything: 1 } });
    expect(result.ok).toBe(true);
  });

  it('rejects what is not an object', () => {
    for (const raw of [null, [], 'x', 42]) {
      const result = validateEnvelope(raw);
      expect(result).toEqual({ ok: false, errors: [{ path: '', message: 'event must be a JSON object' }] });
    }
  });

  type Case = [string, (e: Record<string, unknown>) => void, string, RegExp];
  const cases: Case[] = [
    ['missing specversion', (e) => delete e.specversion, 'specversion', /required/],
    ['specversion 0.3', (e) => (e.specversion = '0.3'), 'specversion', /"1\.0"/],
    ['specversion as a number', (e) => (e.specversion = 1.0), 'specversion', /"1\.0"/],
    ['missing id', (e) => delete e.id, 'id', /required/],
    ['empty id', (e) => (e.id = ''), 'id', /empty/],
    ['id too long', (e) => (e.id = 'x'.repeat(257)), 'id', /at most 256/],
    ['id a number', (e) => (e.id = 17), 'id', /string/],
    ['missing source', (e) => delete e.source, 'source', /required/],
    ['empty source', (e) => (e.source = ''), 'source', /empty/],
    ['source with a space', (e) => (e.source = '/systems/window acceptance'), 'source', /URI-reference/],
    ['source with a bad escape', (e) => (e.source = '/systems/%zz'), 'source', /URI-reference/],
    ['missing type', (e) => delete e.type, 'type', /required/],
    ['unknown type', (e) => (e.type = 'gov.application.created'), 'type', /not a known inbound event type/],
    ['missing time', (e) => delete e.time, 'time', /required/],
    ['time without offset', (e) => (e.time = '2026-11-03T09:30:00'), 'time', /RFC 3339/],
    ['time not a date', (e) => (e.time = '2026-11-31T09:30:00+08:00'), 'time', /RFC 3339/],
    ['time as epoch millis', (e) => (e.time = 1793669400000), 'time', /string/],
    ['missing data', (e) => delete e.data, 'data', /required/],
    ['data an array', (e) => (e.data = [1]), 'data', /object/],
    ['data a string', (e) => (e.data = '{"policyId":"P"}'), 'data', /object/],
    ['data null', (e) => (e.data = null), 'data', /object/],
    ['xml content type', (e) => (e.datacontenttype = 'application/xml'), 'datacontenttype', /application\/json/],
    ['empty subject', (e) => (e.subject = ''), 'subject', /empty/],
    ['relative dataschema', (e) => (e.dataschema = 'schemas/x.json'), 'dataschema', /absolute URI/],
    ['upper-case extension name', (e) => (e.traceParent = 'x'), 'traceParent', /lower-case/],
    ['extension name with a hyphen', (e) => (e['trace-id'] = 'x'), '"trace-id"', /lower-case/],
    ['object extension value', (e) => (e.tenant = { a: 1 }), 'tenant', /string .* integer or a boolean/],
    ['null extension value', (e) => (e.tenant = null), 'tenant', /string .* integer or a boolean/],
    ['binary data', (e) => (e.data_base64 = 'AAAA'), 'data_base64', /JSON object/],
    ['an extension named constructor', (e) => Object.defineProperty(e, 'constructor', { value: 'x', enumerable: true }), 'constructor', /reaches object prototypes/],
    ['an extension named prototype', (e) => (e.prototype = 'x'), 'prototype', /reaches object prototypes/],
  ];

  it.each(cases)('reports %s', (_name, mutate, path, message) => {
    const raw = base();
    mutate(raw);
    const result = validateEnvelope(raw);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.path)).toEqual([path]);
    expect(result.errors[0]?.message).toMatch(message);
  });

  it('accepts charset utf-8 on application/json and fractional seconds with Z', () => {
    const raw = { ...base(), datacontenttype: 'application/json; charset=utf-8', time: '2026-11-03T01:30:00.123Z' };
    expect(validateEnvelope(raw).ok).toBe(true);
  });

  it('returns the event id with the errors when there is one', () => {
    const raw: Record<string, unknown> = { ...base(), time: 'yesterday' };
    const result = validateEnvelope(raw);
    expect(result.ok === false && result.id).toBe(raw.id);
    const noId = validateEnvelope({ ...base(), id: 5 });
    expect(noId.ok === false && 'id' in noId).toBe(false);
  });

  it('reports every envelope problem at once', () => {
    const raw = { specversion: '1.0', data: {} };
    expect(errorsOf(raw).map((e) => e.path).sort()).toEqual(['id', 'source', 'time', 'type']);
  });

  it('rejects data nested deeper than the limit without overflowing the stack', () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    const result = validateEnvelope({ ...base(), data: deep });
    expect(result.ok === false && result.errors).toEqual([{ path: 'data', message: `is nested deeper than ${MAX_DATA_DEPTH} levels` }]);
    expect(jsonDepthExceeds({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(jsonDepthExceeds({ a: [{ b: {} }] }, 3)).toBe(true);
  });

  it('rejects too many extension attributes', () => {
    const raw: Record<string, unknown> = base();
    for (let i = 0; i < 21; i++) raw[`ext${i}`] = i;
    expect(errorsOf(raw)[0]?.message).toMatch(/at most 20/);
  });
});

describe('validateEvent', () => {
  it('returns the typed event, extension attributes kept', () => {
    const raw = { ...sample('gov.review.submitted/bad-review.json'), traceparent: 'abc' };
    const result = validateEvent(raw);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const event = result.event;
    if (event.type !== 'gov.review.submitted') throw new Error('narrowing');
    const level: number = event.data.level;
    expect(level).toBe(1);
    expect((event as unknown as Record<string, unknown>).traceparent).toBe('abc');
  });

  it('reports envelope and data errors together', () => {
    const raw = sample('gov.application.submitted/instant-outdoor-advertising.json');
    raw.time = 'now';
    (raw.data as { materials: Array<{ code: unknown }> }).materials[2]!.code = '';
    expect(errorsOf(raw)).toEqual([
      { path: 'time', message: expect.stringMatching(/RFC 3339/) },
      { path: 'data.materials[2].code', message: 'must not be empty' },
    ]);
  });

  it('does not validate data when the type is unknown', () => {
    const raw = { ...base(), type: 'gov.unknown', data: { policyId: 5 } };
    expect(errorsOf(raw).map((e) => e.path)).toEqual(['type']);
  });
});

describe('paths', () => {
  it.each([
    [['data', 'materials', 2, 'code'], 'data.materials[2].code'],
    [['data', 'form', '面积'], 'data.form.面积'],
    [['data', 'form', 'a.b'], 'data.form["a.b"]'],
    [['data', 'form', 'has space'], 'data.form["has space"]'],
    [[], ''],
  ] as const)('formats %j as %s and parses it back', (segments, text) => {
    expect(formatPath(segments)).toBe(text);
    expect(parsePath(text)).toEqual(segments);
  });
});

describe('RFC 3339 timestamps as upstream systems may write them', () => {
  const credit = () => sample('gov.credit.updated/good-standing.json') as Record<string, any>;
  const confirmed = () => sample('gov.policy.confirmed/one-click-confirmation.json') as Record<string, any>;
  const accepted = (raw: unknown) => {
    const result = validateEvent(raw);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.event as unknown as Record<string, any>;
  };

  it('accepts t and z in lower case, in time and in data, and keeps them upper-case', () => {
    const c = credit();
    c.time = '2026-11-03t09:30:00.123z';
    c.data.asOf = '2026-11-01t00:00:00+08:00';
    const event = accepted(c);
    expect([event.time, event.data.asOf]).toEqual(['2026-11-03T09:30:00.123Z', '2026-11-01T00:00:00+08:00']);
    const p = confirmed();
    p.data.at = '2026-11-05t10:00:00z';
    expect(accepted(p).data.at).toBe('2026-11-05T10:00:00Z');
  });

  it('accepts a leap second where one falls and keeps it as the last instant of its minute', () => {
    for (const [sent, kept] of [
      ['2016-12-31T23:59:60Z', '2016-12-31T23:59:59.999999999Z'],
      ['2016-12-31t23:59:60.5z', '2016-12-31T23:59:59.999999999Z'],
      ['2017-01-01T07:59:60+08:00', '2017-01-01T07:59:59.999999999+08:00'],
      ['2015-06-30T23:59:60Z', '2015-06-30T23:59:59.999999999Z'],
    ]) {
      const p = confirmed();
      p.time = sent;
      p.data.at = sent;
      const event = accepted(p);
      expect([sent, event.time, event.data.at]).toEqual([sent, kept, kept]);
    }
  });

  it('refuses second 60 where no leap second can fall, and other malformed times, naming the field', () => {
    for (const bad of ['2026-11-03T09:30:60Z', '2016-12-31T23:59:60+08:00', '2016-12-30T23:59:60Z', '2026-11-03T09:30:61Z', '2026-11-03 09:30:00Z', '2026-11-03T09:30:00', '2026-11-03x09:30:00Z']) {
      const p = confirmed();
      p.time = bad;
      p.data.at = bad;
      expect([bad, errorsOf(p).map((e) => e.path).sort()]).toEqual([bad, ['data.at', 'time']]);
    }
    const p = confirmed();
    p.time = '2026-11-03T09:30:60Z';
    expect(errorsOf(p)).toEqual([{ path: 'time', message: expect.stringMatching(/leap second/) }]);
  });
});
