import {
  compileCached,
  compileCondition,
  InvalidTimeZoneError,
  timeZone,
  type Condition,
  type Facts,
  type Truth,
} from '#rules';
import { daysFromCivil, isoDateOfDay, packedOfDay } from '#rules/dates';
import { leafMaker } from './fixtures';

const leaf = leafMaker('TZ');

/** Both paths (generated evaluate and the explain closures) must give the same answer. */
function both(c: Condition, facts: Facts, zone?: string): Truth {
  const compiled = compileCondition(c, zone === undefined ? {} : { timeZone: zone });
  const fast = compiled.evaluate(facts);
  expect(compiled.explain(facts).result).toBe(fast);
  return fast;
}

const day = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return daysFromCivil(y, m, d);
};

describe('eq and ne with a date compare dates, not text', () => {
  const on = leaf('form.signedAt', 'eq', '2026-11-20');
  const notOn = leaf('form.signedAt', 'ne', '2026-11-20');
  const at = (v: unknown): Facts => ({ form: { signedAt: v } });

  it('holds eq on the same local date, written as a date or as an instant in any offset', () => {
    // 02:00 in Shanghai is 18:00 of the 19th in UTC: the local date is the 20th, as gte and lte both say.
    for (const v of ['2026-11-20', '2026-11-20T02:00:00+08:00', '2026-11-19T18:00:00Z', '2026-11-20T23:59:59+08:00']) {
      expect([v, both(on, at(v)), both(notOn, at(v))]).toEqual([v, true, false]);
      expect(both({ all: [leaf('form.signedAt', 'gte', '2026-11-20'), leaf('form.signedAt', 'lte', '2026-11-20')] }, at(v))).toBe(true);
    }
    for (const v of ['2026-11-21', '2026-11-19T15:59:59Z', '2026-11-20T16:00:00Z']) {
      expect([v, both(on, at(v)), both(notOn, at(v))]).toEqual([v, false, true]);
    }
  });

  it('compares two instants by moment, and is unknown for a fact that is no date', () => {
    const moment = leaf('form.signedAt', 'eq', '2026-11-20T10:00:00+08:00');
    expect([both(moment, at('2026-11-20T02:00:00Z')), both(moment, at('2026-11-20T02:00:01Z'))]).toEqual([true, false]);
    for (const v of ['not a date', '2026-02-30', 20261120, null]) expect([v, both(on, at(v)), both(notOn, at(v))]).toEqual([v, null, null]);
  });

  it('keeps comparing other strings as text', () => {
    expect(both(leaf('form.code', 'eq', '2026'), { form: { code: '2026' } })).toBe(true);
    expect(both(leaf('form.code', 'eq', '2026'), { form: { code: 'x' } })).toBe(false);
  });
});

describe('in and notIn with a list of dates compare dates as eq and ne do, not text', () => {
  const at = (v: unknown): Facts => ({ form: { signedAt: v } });
  const days = ['2026-11-20', '2026-12-01'];
  const inDays = leaf('form.signedAt', 'in', days);
  const notInDays = leaf('form.signedAt', 'notIn', days);
  const anyEq = { any: days.map((d) => leaf('form.signedAt', 'eq', d)) };

  it('holds in on the same local date as an item, whatever the offset an instant is written in', () => {
    // 02:00 in Shanghai is 18:00 of the 19th in UTC: the local date is the 20th.
    for (const v of ['2026-11-20', '2026-11-20T02:00:00+08:00', '2026-11-19T18:00:00Z', '2026-12-01T23:59:59+08:00']) {
      expect([v, both(inDays, at(v)), both(notInDays, at(v)), both(anyEq, at(v))]).toEqual([v, true, false, true]);
    }
    for (const v of ['2026-11-21', '2026-11-19T15:59:59Z', '2026-12-01T16:00:00Z']) {
      expect([v, both(inDays, at(v)), both(notInDays, at(v)), both(anyEq, at(v))]).toEqual([v, false, true, false]);
    }
  });

  it('compares an instant item with an instant fact by moment, and is unknown for a fact that is no date', () => {
    const moments = leaf('form.signedAt', 'in', ['2026-11-20T10:00:00+08:00']);
    expect([both(moments, at('2026-11-20T02:00:00Z')), both(moments, at('2026-11-20T02:00:01Z'))]).toEqual([true, false]);
    for (const v of ['not a date', '2026-02-30', 20261120, null, undefined]) {
      expect([v, both(inDays, at(v)), both(notInDays, at(v))]).toEqual([v, null, null]);
    }
  });

  it('reads a list mixing dates and other values as eq with each item, in three values', () => {
    const mixed = leaf('form.signedAt', 'in', ['2026-11-20', 'pending']);
    expect(both(mixed, at('pending'))).toBe(true);
    expect(both(mixed, at('2026-11-19T18:00:00Z'))).toBe(true);
    expect(both(mixed, at('2026-11-21'))).toBe(false);
    // 'other' is not 'pending' but no date either: one comparison unknown, none true.
    expect(both(mixed, at('other'))).toBeNull();
  });

  it('keeps lists without a date comparing as text, short or long', () => {
    const short = leaf('form.code', 'in', ['2026', 'x']);
    const long = leaf('form.code', 'notIn', Array.from({ length: 12 }, (_, i) => `c${i}`));
    expect([both(short, { form: { code: '2026' } }), both(short, { form: { code: 'y' } }), both(short, { form: { code: 1 } })]).toEqual([true, false, null]);
    expect([both(long, { form: { code: 'c11' } }), both(long, { form: { code: 'c12' } })]).toEqual([false, true]);
  });
});

describe('dates compare as local dates in the bureau zone (Asia/Shanghai by default)', () => {
  it('puts an instant on its local date when it meets a date: around local midnight', () => {
    const afterD = leaf('licence.营业执照.validUntil', 'after', '2026-11-20');
    const validUntil = (v: string): Facts => ({ licence: { 营业执照: { validUntil: v } } });
    // 2026-11-20T16:00Z is 00:00 on the 21st in Beijing, whatever offset the instant is written in.
    expect(both(afterD, validUntil('2026-11-20T15:59:59.999Z'))).toBe(false);
    expect(both(afterD, validUntil('2026-11-20T16:00:00Z'))).toBe(true);
    expect(both(afterD, validUntil('2026-11-21T00:00:00+08:00'))).toBe(true);
    expect(both(afterD, validUntil('2026-11-20T23:59:59+08:00'))).toBe(false);
    expect(both(afterD, validUntil('2026-11-20T11:00:00-05:00'))).toBe(true); // 00:00 on the 21st in Beijing
  });

  it('takes the local date of now, however the caller writes it: a date against now around midnight', () => {
    const beforeNow = leaf('form.eventDate', 'before', 'now');
    const facts = (now: string): Facts => ({ now, form: { eventDate: '2026-11-20' } });
    expect(both(beforeNow, facts('2026-11-20T15:59:59.999Z'))).toBe(false); // still the 20th in Beijing
    expect(both(beforeNow, facts('2026-11-20T16:00:00Z'))).toBe(true); // 01:00 would have said "yesterday"
    expect(both(beforeNow, facts('2026-11-20T17:00:00Z'))).toBe(true);
    expect(both(beforeNow, facts('2026-11-21T01:00:00.000+08:00'))).toBe(true);
  });

  it('makes `after D` true from the start of the local day after D', () => {
    const c = leaf('now', 'after', '2026-11-20');
    expect(both(c, { now: '2026-11-20T15:59:59.999Z' })).toBe(false);
    expect(both(c, { now: '2026-11-20T16:00:00.000Z' })).toBe(true);
  });

  it('still compares two instants by moment, and two dates by date', () => {
    expect(both(leaf('form.t', 'before', 'now'), { now: '2026-11-20T16:00:00Z', form: { t: '2026-11-21T00:00:00.001+08:00' } })).toBe(false);
    expect(both(leaf('form.t', 'before', 'now'), { now: '2026-11-20T16:00:00.002Z', form: { t: '2026-11-21T00:00:00.001+08:00' } })).toBe(true);
    expect(both(leaf('form.d', 'lt', '2026-11-21'), { form: { d: '2026-11-20' } })).toBe(true);
  });

  it('localises each instant with the offset in force at that instant (New York, daylight saving)', () => {
    const z = 'America/New_York';
    const from = (d: string) => leaf('form.t', 'gte', d);
    // Summer: EDT, UTC-4.
    expect(both(from('2026-07-01'), { form: { t: '2026-07-01T03:59:59Z' } }, z)).toBe(false);
    expect(both(from('2026-07-01'), { form: { t: '2026-07-01T04:00:00Z' } }, z)).toBe(true);
    // Winter: EST, UTC-5; an offset taken from a summer `now` would get this wrong.
    const c = { all: [from('2026-01-15'), leaf('form.d', 'before', 'now')] };
    const summer = '2026-07-01T12:00:00Z';
    expect(both(c, { now: summer, form: { t: '2026-01-15T04:59:59Z', d: '2026-01-01' } }, z)).toBe(false);
    expect(both(c, { now: summer, form: { t: '2026-01-15T05:00:00Z', d: '2026-01-01' } }, z)).toBe(true);
  });

  it('reads ages on the local date in the compiled zone', () => {
    const age = leaf('applicant.birthDate', 'ageAtLeast', 80);
    const facts: Facts = { now: '2026-05-01T03:30:00Z', applicant: { birthDate: '1946-05-01' } };
    expect(both(age, facts)).toBe(true); // 11:30 on 1 May in Beijing
    expect(both(age, facts, 'America/Los_Angeles')).toBe(false); // 20:30 on 30 April
  });

  it('caches compiled conditions per key and zone', () => {
    const c = leaf('now', 'after', '2026-11-20');
    const facts = { now: '2026-11-20T17:00:00Z' };
    const shanghai = compileCached(c, 'TZ-CACHE@1');
    const newYork = compileCached(c, 'TZ-CACHE@1', { timeZone: 'America/New_York' });
    expect(shanghai).not.toBe(newYork);
    expect(compileCached(c, 'TZ-CACHE@1')).toBe(shanghai);
    expect(shanghai.timeZone).toBe('Asia/Shanghai');
    expect(newYork.timeZone).toBe('America/New_York');
    expect(shanghai.evaluate(facts)).toBe(true);
    expect(newYork.evaluate(facts)).toBe(false);
  });

  it('remembers the scanned now per zone: two zones alternating on one now string', () => {
    const c = leaf('form.d', 'before', 'now');
    const shanghai = compileCondition(c);
    const losAngeles = compileCondition(c, { timeZone: 'America/Los_Angeles' });
    const facts = { now: '2026-11-20T17:00:00Z', form: { d: '2026-11-20' } }; // 21st in Beijing, 20th in LA
    for (let i = 0; i < 3; i += 1) {
      expect(shanghai.evaluate(facts)).toBe(true);
      expect(losAngeles.evaluate(facts)).toBe(false);
    }
  });

  it('rejects an unknown zone by name', () => {
    expect(() => compileCondition(leaf('form.x', 'exists'), { timeZone: 'Mars/Olympus' })).toThrow(InvalidTimeZoneError);
    expect(() => compileCondition(leaf('form.x', 'exists'), { timeZone: '' })).toThrow(/timeZone must be an IANA time zone/);
  });
});

describe('TimeZone', () => {
  it('knows Asia/Shanghai at +08:00, and its daylight saving of 1986-1991', () => {
    const z = timeZone('Asia/Shanghai');
    expect(z.offsetAt(Date.UTC(2026, 0, 1))).toBe(8 * 3_600_000);
    expect(z.offsetAt(Date.UTC(1988, 6, 1))).toBe(9 * 3_600_000);
    expect(new Date(z.startOfDay(day('2026-11-21'))).toISOString()).toBe('2026-11-20T16:00:00.000Z');
    expect(z.dayBoundaries(day('2026-11-21'))).toEqual([Date.parse('2026-11-20T16:00:00Z')]);
  });

  it.each([
    // Spring forward at 02:00: the day still starts at 00:00 local.
    ['America/New_York', '2026-03-08', '2026-03-08T05:00:00.000Z'],
    ['America/New_York', '2026-03-09', '2026-03-09T04:00:00.000Z'],
    ['Europe/London', '2026-03-29', '2026-03-29T00:00:00.000Z'],
    ['Europe/London', '2026-10-26', '2026-10-26T00:00:00.000Z'],
    // Spring forward AT midnight: the day starts at 01:00 local, the moment the clocks jump.
    ['America/Havana', '2026-03-08', '2026-03-08T05:00:00.000Z'],
    ['America/Santiago', '2022-09-11', '2022-09-11T04:00:00.000Z'],
    // Clocks set back at midnight (São Paulo until 2019): 00:00 -02 never shows; the day starts at 00:00 -03.
    ['America/Sao_Paulo', '2018-02-18', '2018-02-18T03:00:00.000Z'],
    // Samoa skipped 30 December 2011: its "start" is the start of the 31st.
    ['Pacific/Apia', '2011-12-30', '2011-12-30T10:00:00.000Z'],
  ])('%s: %s starts at %s', (name, date, start) => {
    const z = timeZone(name);
    const s = z.startOfDay(day(date));
    expect(new Date(s).toISOString()).toBe(start);
    expect(z.dayOf(s)).toBeGreaterThanOrEqual(day(date));
    expect(z.dayOf(s - 1)).toBeLessThan(day(date));
    expect(z.dayBoundaries(day(date))).toContain(s);
  });

  it('agrees with Intl on the local date of many instants in zones with daylight saving', () => {
    for (const name of ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Shanghai']) {
      const z = timeZone(name);
      const intl = new Intl.DateTimeFormat('en-CA', { timeZone: name, year: 'numeric', month: '2-digit', day: '2-digit' });
      // Every 97 minutes over two years crosses every transition, at many times of day; each transition
      // is also probed a millisecond either side.
      const probes: number[] = [];
      for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2027, 0, 1); t += 97 * 60_000) probes.push(t);
      for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2027, 0, 1); t += 86_400_000) {
        if (z.offsetAt(t) !== z.offsetAt(t + 86_400_000)) {
          for (const b of z.dayBoundaries(z.dayOf(t) + 1)) probes.push(b - 1, b, b + 1);
        }
      }
      const wrong = probes.filter((t) => isoDateOfDay(z.dayOf(t)) !== intl.format(t)).map((t) => new Date(t).toISOString());
      expect({ name, wrong }).toEqual({ name, wrong: [] });
    }
  });

  it('returns one shared instance per name', () => {
    expect(timeZone('Europe/Paris')).toBe(timeZone('Europe/Paris'));
  });
});

describe('day numbers and calendar dates', () => {
  it('round-trips packedOfDay with daysFromCivil over four centuries', () => {
    const wrong: number[] = [];
    for (let d = day('1900-01-01'); d <= day('2300-12-31'); d += 1) {
      const p = packedOfDay(d);
      if (daysFromCivil(Math.floor(p / 10000), Math.floor(p / 100) % 100, p % 100) !== d) wrong.push(d);
    }
    expect(wrong).toEqual([]);
    expect(isoDateOfDay(day('2024-02-29'))).toBe('2024-02-29');
    expect(isoDateOfDay(0)).toBe('1970-01-01');
  });
});
