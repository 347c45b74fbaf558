/**
 * Dates and timestamps the edge accepts are ones every consumer can read: a date-only value of a year before
 * 100 makes the bureau's calendar throw (an asOf, a licence's validUntil), so such an event passed the edge
 * and then failed for ever; a timestamp of such a year was read as a day of the 1900s. The edge takes the
 * years 1900 to 9999 (the instant of a timestamp in UTC) and names the field otherwise.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCalendar } from '#calendar';
import { validateEvent } from '#contract/envelope';

const samples = fileURLToPath(new URL('../../../events/samples/', import.meta.url));
const sample = (type: string): Record<string, any> => {
  const first = readdirSync(`${samples}${type}`).filter((f) => f.endsWith('.json')).sort()[0]!;
  return JSON.parse(readFileSync(`${samples}${type}/${first}`, 'utf8'));
};
const calendar = createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true, holidays: [], workdays: [] });

/** [type, the field's path, a setter] for every date and timestamp field of the inbound events. */
const FIELDS: Array<[string, string, (e: Record<string, any>, v: string) => void]> = [
  ['gov.credit.updated', 'data.asOf', (e, v) => (e.data.asOf = v)],
  ['gov.person.profile.updated', 'data.asOf', (e, v) => (e.data.asOf = v)],
  ['gov.enterprise.profile.updated', 'data.asOf', (e, v) => (e.data.asOf = v)],
  ['gov.person.profile.updated', 'data.birthDate', (e, v) => (e.data.birthDate = v)],
  ['gov.licence.issued', 'data.validUntil', (e, v) => (e.data.validUntil = v)],
  ['gov.policy.published', 'data.validTo', (e, v) => (e.data.validTo = v)],
];
const TIMESTAMPS: Array<[string, string, (e: Record<string, any>, v: string) => void]> = [
  ['gov.credit.updated', 'time', (e, v) => (e.time = v)],
  ['gov.credit.updated', 'data.asOf', (e, v) => (e.data.asOf = v)],
  ['gov.application.submitted', 'data.submittedAt', (e, v) => (e.data.submittedAt = v)],
  ['gov.licence.issued', 'data.issuedAt', (e, v) => (e.data.issuedAt = v)],
  ['gov.review.submitted', 'data.submittedAt', (e, v) => (e.data.submittedAt = v)],
  ['gov.hardcase.reported', 'data.reportedAt', (e, v) => (e.data.reportedAt = v)],
];

function errorsOf(type: string, set: (e: Record<string, any>, v: string) => void, value: string) {
  const event = sample(type);
  set(event, value);
  const r = validateEvent(event, { today: '2026-11-06' });
  return r.ok ? [] : r.errors;
}

describe('dates and timestamps: years 1900 to 9999, so every accepted event can be processed', () => {
  it('the calendar cannot read a date of a year before 100, which is why the edge must refuse it', () => {
    expect(() => calendar.startOfDay('0050-01-01')).toThrow(/must be a date/);
    expect(() => calendar.localDate('0050-01-01')).toThrow(/must be a date/);
    // A timestamp of such a year was read as a day of the 1900s.
    expect(calendar.localDate('0050-06-01T00:00:00Z')).not.toBe('0050-06-01');
  });

  it.each(FIELDS.flatMap(([t, p, s]) => ['0050-01-01', '0000-02-29', '1899-12-31'].map((v) => [t, p, v, s] as const)))(
    '%s: refuses %s "%s" naming the field',
    (type, path, value, set) => {
      expect(errorsOf(type, set, value)).toEqual([{ path, message: expect.stringMatching(/years 1900 to 9999/) }]);
    },
  );

  it.each(TIMESTAMPS.flatMap(([t, p, s]) => ['0050-06-01T00:00:00Z', '0001-01-01T00:00:00+08:00', '9999-12-31T08:00:00+08:00', '9999-12-31T23:00:00-08:00'].map((v) => [t, p, v, s] as const)))(
    '%s: refuses %s "%s" naming the field',
    (type, path, value, set) => {
      expect(errorsOf(type, set, value)).toEqual([{ path, message: expect.stringMatching(/years 1900 to 9999/) }]);
    },
  );

  it('takes the first and last days of the range, and the calendar reads them', () => {
    for (const [type, path, set] of FIELDS) {
      // A policy's window is a day long here: validTo may not come before validFrom.
      const both = (e: Record<string, any>, v: string) => (set(e, v), type === 'gov.policy.published' && (e.data.validFrom = v));
      // A birth date has happened: its last day is the date of the check.
      const last = path === 'data.birthDate' ? '2026-11-06' : '9999-12-31';
      for (const value of ['1900-01-01', last]) expect([type, value, errorsOf(type, both, value)]).toEqual([type, value, []]);
    }
    for (const [type, , set] of TIMESTAMPS) {
      for (const value of ['1900-01-01T00:00:00+08:00', '9999-12-30T23:59:59.999Z', '9999-12-31T07:59:59+08:00']) expect([type, value, errorsOf(type, set, value)]).toEqual([type, value, []]);
    }
    expect(calendar.startOfDay('1900-01-01')).toMatch(/^1899-12-31T/);
    expect(calendar.localDate('9999-12-31')).toBe('9999-12-31');
    expect(calendar.localDate('1900-01-01T00:00:00+08:00')).toBe('1900-01-01');
    expect(calendar.localDate('9999-12-31T07:59:59+08:00')).toBe('9999-12-31');
  });
});
