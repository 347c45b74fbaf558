import { createCalendar } from '#calendar';
import { hardCaseDeadlines, sameWorkingDayDue, workingDaysDue } from '#hardcase/domain/deadlines';
import { DEFAULT_HARDCASE_CONFIG } from '#hardcase/domain/types';

// 2026 on the chinese-days calendar: Mid-Autumn Fri 09-25 off (with the weekend 09-26/27); National Day
// Thu 10-01 to Wed 10-07 off; make-up working days Sun 09-20 and Sat 10-10.
const calendar = createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true });
const config = DEFAULT_HARDCASE_CONFIG;
const endOf = (date: string) => ({ date, dueAt: new Date(Date.parse(`${date}T23:59:59.999+08:00`)).toISOString() });

describe('the calendar the deadlines are counted on', () => {
  it('has the holidays and make-up days the hand counts below assume', () => {
    expect(['2026-09-20', '2026-09-25', '2026-10-01', '2026-10-07', '2026-10-08', '2026-10-10', '2026-10-11'].map((d) => calendar.isWorkingDay(d))).toEqual([
      true, false, false, false, true, true, false,
    ]);
  });
});

describe('contact: the same working day', () => {
  it('is the day of the report when it is a working day, up to its last millisecond', () => {
    expect(sameWorkingDayDue(calendar, '2026-09-30T02:00:00.000Z')).toEqual(endOf('2026-09-30'));
    // 23:30 on Fri 10-09 in Shanghai is still that day.
    expect(sameWorkingDayDue(calendar, '2026-10-09T15:30:00.000Z')).toEqual(endOf('2026-10-09'));
  });

  it('is the first working day after a day off: a National Day holiday, a plain Sunday', () => {
    expect(sameWorkingDayDue(calendar, '2026-10-03T03:00:00.000Z')).toEqual(endOf('2026-10-08'));
    expect(sameWorkingDayDue(calendar, '2026-10-11T03:00:00.000Z')).toEqual(endOf('2026-10-12'));
  });

  it('is the make-up Sunday itself for a report on the Saturday before it', () => {
    expect(sameWorkingDayDue(calendar, '2026-09-19T03:00:00.000Z')).toEqual(endOf('2026-09-20'));
  });

  it('can be configured as N working days instead', () => {
    expect(workingDaysDue(calendar, '2026-09-30T02:00:00.000Z', 1)).toEqual(endOf('2026-10-08'));
  });
});

describe('resolution: 5 working days, 10 with several departments, the starting day not counted', () => {
  it('across National Day and the make-up Saturday 10-10', () => {
    // Reported Wed 09-30: 10-08, 10-09, 10-10 (Sat, 调休), 10-12, 10-13.
    expect(hardCaseDeadlines('2026-09-30T02:00:00.000Z', ['D-A'], calendar, config)).toEqual({
      contactDue: endOf('2026-09-30'),
      resolveDue: endOf('2026-10-13'),
    });
    // Ten: then 10-14, 10-15, 10-16, 10-19, 10-20.
    expect(hardCaseDeadlines('2026-09-30T02:00:00.000Z', ['D-A', 'D-B'], calendar, config).resolveDue).toEqual(endOf('2026-10-20'));
  });

  it('from a report during the holiday', () => {
    // Reported Sat 10-03: 10-08, 10-09, 10-10, 10-12, 10-13.
    expect(hardCaseDeadlines('2026-10-03T03:00:00.000Z', [], calendar, config)).toEqual({
      contactDue: endOf('2026-10-08'),
      resolveDue: endOf('2026-10-13'),
    });
  });

  it('from the Saturday before the make-up Sunday, across Mid-Autumn and National Day', () => {
    // Reported Sat 09-19: 09-20 (Sun, 调休), 09-21, 09-22, 09-23, 09-24 — 09-25 is Mid-Autumn.
    expect(hardCaseDeadlines('2026-09-19T03:00:00.000Z', [], calendar, config).resolveDue).toEqual(endOf('2026-09-24'));
    // Ten: then 09-28, 09-29, 09-30, 10-08, 10-09.
    expect(hardCaseDeadlines('2026-09-19T03:00:00.000Z', ['A', 'B'], calendar, config).resolveDue).toEqual(endOf('2026-10-09'));
  });

  it('with a stage’s own numbers', () => {
    const custom = { contactWorkingDays: 1, resolveWorkingDays: 3, resolveWorkingDaysMultiDepartment: 6 };
    expect(hardCaseDeadlines('2026-09-30T02:00:00.000Z', ['A', 'B'], calendar, custom)).toEqual({
      contactDue: endOf('2026-10-08'),
      resolveDue: endOf('2026-10-14'),
    });
  });
});
