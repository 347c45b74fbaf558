import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateEvent } from '#contract/envelope';
import { hasLoneSurrogate, MAX_KEY_LENGTH, openDataIssues } from '#contract/open-data';
import { makeIdNumber } from '#contract/identifiers';

const sample = (rel: string): Record<string, any> =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../../../events/samples/${rel}`, import.meta.url)), 'utf8'));

describe('open data: what the store cannot hold is refused at the edge, naming the field', () => {
  const application = sample('gov.application.submitted/instant-weather-certificate.json');
  const withForm = (form: unknown) => ({ ...application, data: { ...application.data, form } });
  const errorsOf = (raw: unknown, today?: string) => {
    const r = validateEvent(raw, today ? { today } : {});
    return r.ok ? [] : r.errors;
  };

  it.each([
    ['__proto__', '{"__proto__":{"polluted":1}}', 'data.form.__proto__', /prototypes/],
    ['constructor', '{"constructor":{"a":1}}', 'data.form.constructor', /prototypes/],
    ['prototype', '{"prototype":1}', 'data.form.prototype', /prototypes/],
    ['an empty key', '{"":1}', 'data.form[""]', /empty key/],
    ['a nested empty key', '{"a":{"":1}}', 'data.form.a[""]', /empty key/],
    ['a key with an unpaired surrogate', '{"\\ud800x":1}', 'data.form.\\uD800x', /Unicode/],
    ['a string with an unpaired surrogate', '{"a":"x\\udc00"}', 'data.form.a', /unpaired/],
    ['an integer beyond 2^53', '{"a":9007199254740992}', 'data.form.a', /exactly/],
    ['a huge number', '{"a":[1e300]}', 'data.form.a[0]', /exactly/],
    ['a number below 1e-130', '{"a":1e-200}', 'data.form.a', /too small/],
  ])('refuses %s in a form', (_name, json, path, message) => {
    const errors = errorsOf(withForm(JSON.parse(json)));
    expect(errors).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.stringMatching(message) })]));
  });

  it('refuses a key longer than the limit, and keeps what the store takes', () => {
    expect(errorsOf(withForm({ ['k'.repeat(MAX_KEY_LENGTH + 1)]: 1 }))[0]?.message).toMatch(/at most 256/);
    expect(validateEvent(withForm({ 'a.b': 1, $x: -0, '#y': 1e-130, z: 9007199254740991, w: 'ok 😀', toString: 'fine', nested: { list: [null, true, ''] } })).ok).toBe(true);
  });

  it('checks every open object: profile extras, licence attributes, named fields out of range', () => {
    const profile = sample('gov.person.profile.updated/resident.json');
    expect(errorsOf({ ...profile, data: { ...profile.data, extra: { constructor: 'x' } } })).toEqual([
      expect.objectContaining({ path: 'data.extra.constructor' }),
    ]);
    const licence = sample('gov.licence.issued/business-licence.json');
    expect(errorsOf({ ...licence, data: { ...licence.data, attributes: { '': 'x' } } })[0]?.path).toBe('data.attributes[""]');
    const enterprise = sample('gov.enterprise.profile.updated/small-exporter.json');
    expect(errorsOf({ ...enterprise, data: { ...enterprise.data, exportValueUsd: 1e20 } })[0]?.path).toBe('data.exportValueUsd');
  });

  it('reports unpaired surrogates in envelope attributes too (they become part of a key)', () => {
    expect(errorsOf({ ...application, id: 'a\ud800' })).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'id', message: expect.stringMatching(/unpaired/) })]));
  });

  it('bounds the issues it reports', () => {
    const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, { constructor: i }]));
    expect(openDataIssues(many).length).toBe(20);
  });

  it('tells lone surrogates from pairs', () => {
    expect(hasLoneSurrogate('𠮷😀')).toBe(false);
    expect(hasLoneSurrogate('\ud842')).toBe(true);
    expect(hasLoneSurrogate('\udfb7x')).toBe(true);
  });

  it('takes asOf as a date or a timestamp, and refuses an ID number born after today', () => {
    const credit = sample('gov.credit.updated/person-good-standing.json');
    expect(validateEvent({ ...credit, data: { ...credit.data, asOf: '2026-10-08' } }).ok).toBe(true);
    expect(errorsOf({ ...credit, data: { ...credit.data, asOf: '2026-10-32' } })[0]).toMatchObject({ path: 'data.asOf', message: expect.stringMatching(/date .* or an RFC 3339/) });
    const future = makeIdNumber('440305', '20990101', '123');
    const profile = sample('gov.person.profile.updated/resident.json');
    const event = { ...profile, data: { ...profile.data, idNumber: future } };
    expect(validateEvent(event).ok).toBe(true); // without a date, only the year bounds
    expect(errorsOf(event, '2026-11-06')).toEqual([{ path: 'data.idNumber', message: 'is an ID number whose birth date is after today' }]);
    expect(validateEvent(event, { today: '2099-01-01' }).ok).toBe(true);
  });
});
