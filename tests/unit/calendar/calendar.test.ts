import { createCalendar, CalendarError } from '../../../shared/calendar/calendar';

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
  ])('%s is working: %s (%s)', (date, working) => {
    expect(shanghai.isWorkingDay(date)).toBe(working);
  });
});

describe('addWorkingDays', () => {
  it('does not count the starting day', () => {
    expect(shanghai.addWorkingDays('2025-09-30T02:00:00Z', 1)).toEqual({
      date: '2025-10-09',
      dueAt: '2025-10-09T15:59:59.999Z',
    });
  });
});
