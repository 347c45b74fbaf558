/**
 * "Not in the future" for an ID number's birth date is judged on the bureau's local date at the edge, not on
 * the UTC date: at 00:30 in Shanghai (16:30 UTC the day before) a person born that local day is accepted, and
 * one born the next local day is refused naming the field.
 */
import { makeIdNumber } from '#contract/identifiers';
import { sample, startLocal, type Running } from '#support/runtime';

let rt: Running;
beforeAll(async () => {
  rt = await startLocal();
  // 2026-11-11 00:30 in Shanghai; still 2026-11-10 in UTC.
  expect((await rt.dev('POST', '/_dev/clock', { set: '2026-11-10T16:30:00.000Z' })).status).toBe(200);
}, 120_000);
afterAll(async () => {
  await rt?.stop();
});

function person(id: string, idNumber: string) {
  const e = sample('gov.person.profile.updated', 'resident');
  return { ...e, id, data: { ...e.data, idNumber, birthDate: undefined, asOf: '2026-11-10' } };
}

describe('an ID number born after today, today being the bureau\'s local date', () => {
  it('accepts a person born on the local day that has begun, though it is still the day before in UTC', async () => {
    const out = await rt.post(person('edge-today-born-today', makeIdNumber('440305', '20261111', '123')), { retries: 0 });
    expect([out.status, out.body]).toEqual([202, { accepted: ['edge-today-born-today'], rejected: [] }]);
  });

  it('refuses a person born on the next local day, naming the field', async () => {
    const out = await rt.post(person('edge-today-born-tomorrow', makeIdNumber('440305', '20261112', '123')), { retries: 0 });
    expect(out.status).toBe(400);
    expect(out.body.rejected).toEqual([{ id: 'edge-today-born-tomorrow', errors: [{ path: 'data.idNumber', message: 'is an ID number whose birth date is after today' }] }]);
  });
});
