import { addNaturalDays, CalendarError, createCalendar, uncoveredYear } from '#calendar';
import { DATASET_YEARS } from '#calendar/dataset';

const shanghai = createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true });

describe('chinese-days base calendar', () => {
  it.each([
    ['2025-09-28', true, '调休 Sunday before National Day'],
    ['2025-10-11', true, '调休 Saturday after National Day'],
    ['2025-10-01', false, 'National Day'],
    ['2025-10-08', false, 'last day of the National Day break'],
    ['2025-10-09', true, 'first working day after the break'],
    ['2025-09-27', false, 'ordinary Saturday'],
    ['2025-09-30', true, 'ordinary Tuesday'],
    ['2026-02-14', true, '调休 Saturday before Spring Festival 2026'],
    ['2026-02-15', false, 'first day of Spring Festival 2026'],
    ['2026-02-23', false, 'last day of Spring Festival 2026 (a Monday)'],
    ['2026-02-24', true, 'first working day after Spring Festival 2026'],
    ['2026-02-28', true, '调休 Saturday after Spring Festival 2026'],
  ])('%s is working: %s (%s)', (date, working) => {
    expect(shanghai.isWorkingDay(date)).toBe(working);
  });

  it('rejects a malformed or impossible date', () => {
    expect(() => shanghai.isWorkingDay('2025-02-30')).toThrow(CalendarError);
    expect(() => shanghai.isWorkingDay('2025/10/09')).toThrow(/YYYY-MM-DD/);
  });
});

describe('localDate', () => {
  it('uses the calendar zone, not the process zone', () => {
    expect(shanghai.localDate('2025-09-30T23:30:00Z')).toBe('2025-10-01');
    expect(shanghai.localDate(new Date('2025-09-30T15:59:59.999Z'))).toBe('2025-09-30');
    expect(createCalendar({ timeZone: 'America/New_York', useChineseDays: false }).localDate('2025-10-01T03:00:00Z')).toBe('2025-09-30');
  });
});

describe('addWorkingDays (starting day not counted)', () => {
  it.each([
    ['Tuesday + 1 = Wednesday', '2025-06-10T02:00:00Z', 1, '2025-06-11'],
    ['a Friday + 1 = Monday', '2025-06-13T02:00:00Z', 1, '2025-06-16'],
    ['from a Saturday + 1 = Monday', '2025-06-14T02:00:00Z', 1, '2025-06-16'],
    ['before National Day: 2025-09-30 + 1 = 2025-10-09', '2025-09-30T02:00:00Z', 1, '2025-10-09'],
    ['the 调休 Sunday counts: 2025-09-26 (Fri) + 1 = 2025-09-28 (Sun)', '2025-09-26T02:00:00Z', 1, '2025-09-28'],
    ['the 调休 Saturday counts: 2025-10-09 + 2 = 2025-10-11 (Sat)', '2025-10-09T02:00:00Z', 2, '2025-10-11'],
    ['across Spring Festival 2026: 2026-02-13 + 1 = 2026-02-14 (调休 Sat)', '2026-02-13T02:00:00Z', 1, '2026-02-14'],
    ['across Spring Festival 2026: 2026-02-13 + 2 = 2026-02-24', '2026-02-13T02:00:00Z', 2, '2026-02-24'],
    ['23:30 UTC is already the next local day', '2025-06-12T23:30:00Z', 1, '2025-06-16'],
    ['a bare local date is taken as that date', '2025-09-30', 1, '2025-10-09'],
    // 10-09, 10-10, 10-11 (调休 Sat), then 17 ordinary weekdays
    ['20 working days', '2025-09-30T02:00:00Z', 20, '2025-11-04'],
  ])('%s', (_name, from, n, date) => {
    expect(shanghai.addWorkingDays(from, n).date).toBe(date);
  });

  it('is due at the end of the local day, in UTC', () => {
    expect(shanghai.addWorkingDays('2025-09-30T02:00:00Z', 1)).toEqual({
      date: '2025-10-09',
      dueAt: '2025-10-09T15:59:59.999Z',
    });
    const ny = createCalendar({ timeZone: 'America/New_York', useChineseDays: false });
    expect(ny.addWorkingDays('2025-03-07T17:00:00Z', 1)).toEqual({ date: '2025-03-10', dueAt: '2025-03-11T03:59:59.999Z' });
    expect(ny.addWorkingDays('2025-10-31T17:00:00Z', 1)).toEqual({ date: '2025-11-03', dueAt: '2025-11-04T04:59:59.999Z' });
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects n = %p', (n) => {
    expect(() => shanghai.addWorkingDays('2025-09-30T02:00:00Z', n)).toThrow(/whole number >= 1/);
  });

  it('rejects an invalid moment', () => {
    expect(() => shanghai.addWorkingDays('not a date', 1)).toThrow(CalendarError);
  });
});

describe('overrides', () => {
  const custom = createCalendar({
    timeZone: 'Asia/Shanghai',
    useChineseDays: true,
    holidays: ['2025-06-11'],
    workdays: ['2025-06-14', '2025-10-02'],
  });
  it('an extra holiday is skipped', () => {
    expect(shanghai.addWorkingDays('2025-06-10T02:00:00Z', 1).date).toBe('2025-06-11');
    expect(custom.addWorkingDays('2025-06-10T02:00:00Z', 1).date).toBe('2025-06-12');
  });
  it('an extra workday overrides a weekend and a dataset holiday', () => {
    expect(custom.isWorkingDay('2025-06-14')).toBe(true);
    expect(custom.isWorkingDay('2025-10-02')).toBe(true);
    expect(custom.addWorkingDays('2025-09-30T02:00:00Z', 1).date).toBe('2025-10-02');
  });
  it('rejects a date listed both ways, a bad date and an unknown zone', () => {
    expect(() => createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: false, holidays: ['2025-06-11'], workdays: ['2025-06-11'] })).toThrow(/both/);
    expect(() => createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: false, holidays: ['2025-6-11'] })).toThrow(CalendarError);
    expect(() => createCalendar({ timeZone: 'Mars/Olympus', useChineseDays: false })).toThrow(/time zone/);
  });
  it('without the dataset, only weekends are off', () => {
    const plain = createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: false });
    expect(plain.isWorkingDay('2025-10-01')).toBe(true);
    expect(plain.isWorkingDay('2025-09-28')).toBe(false);
  });
});

describe('workingDaysBetween', () => {
  it.each([
    ['2025-09-30T02:00:00Z', '2025-10-09T02:00:00Z', 1],
    ['2025-09-26T02:00:00Z', '2025-10-09T02:00:00Z', 4], // 9-28 (调休 Sun), 9-29, 9-30, 10-09
    ['2025-06-10T02:00:00Z', '2025-06-10T09:00:00Z', 0],
    ['2025-06-13T02:00:00Z', '2025-06-16T02:00:00Z', 1],
    ['2025-06-16T02:00:00Z', '2025-06-13T02:00:00Z', 0],
  ])('%s → %s = %i', (from, to, n) => {
    expect(shanghai.workingDaysBetween(from, to)).toBe(n);
  });
  it('counts the same days addWorkingDays steps over', () => {
    for (let n = 1; n <= 30; n += 1) {
      const due = shanghai.addWorkingDays('2025-09-20T04:00:00Z', n);
      expect(shanghai.workingDaysBetween('2025-09-20T04:00:00Z', due.dueAt)).toBe(n);
    }
  });
});

describe('addNaturalDays', () => {
  it('adds N × 24 hours', () => {
    expect(addNaturalDays('2025-09-30T02:00:00Z', 7)).toBe('2025-10-07T02:00:00.000Z');
  });
});

describe('localIso', () => {
  it.each([
    ['Asia/Shanghai', '2026-11-20T17:00:00.250Z', '2026-11-21T01:00:00.250+08:00'],
    ['America/New_York', '2026-07-01T03:30:00Z', '2026-06-30T23:30:00.000-04:00'],
    ['America/New_York', '2026-12-01T03:30:00Z', '2026-11-30T22:30:00.000-05:00'],
    ['Asia/Kolkata', '2026-01-01T00:00:00Z', '2026-01-01T05:30:00.000+05:30'],
  ])('writes an instant in %s local time with its offset', (timeZone, at, expected) => {
    expect(createCalendar({ timeZone, useChineseDays: false }).localIso(at)).toBe(expected);
  });
});

describe('uncoveredYear: a year whose public holidays the calendar does not know', () => {
  const base = { timeZone: 'Asia/Shanghai', useChineseDays: true };
  // The dataset in use ends with 2026 (chinese-days 1.5.7); 2004 is its first year.
  const last = Math.max(...Object.keys(DATASET_YEARS).map(Number));

  it('is none while every year of the look-ahead is in the dataset', () => {
    expect(uncoveredYear(base, `${last}-01-01`, 90)).toBeUndefined();
    expect(uncoveredYear(base, '2004-01-01', 365)).toBeUndefined();
  });

  it('names the first year the look-ahead reaches past the dataset', () => {
    // 90 days after 3 October is 1 January of the next year; after 2 October, 31 December.
    expect(uncoveredYear(base, `${last}-10-03`, 90)).toBe(last + 1);
    expect(uncoveredYear(base, `${last}-10-02`, 90)).toBeUndefined();
  });

  it('counts a year as known once the stage adds its holidays as overrides', () => {
    const withNext = { ...base, holidays: [`${last + 1}-01-01`, `${last + 1}-02-06`] };
    expect(uncoveredYear(withNext, `${last}-12-01`, 90)).toBeUndefined();
    expect(uncoveredYear(withNext, `${last + 1}-12-01`, 90)).toBe(last + 2);
  });

  it('leaves a calendar that does not use the dataset to its own overrides', () => {
    expect(uncoveredYear({ ...base, useChineseDays: false }, '2099-12-01', 90)).toBeUndefined();
  });
});
