/**
 * Hard-case deadlines in working days on the bureau's calendar, with the same calendar API
 * the rectification deadlines use. "N working days from a moment" does not count the starting day; "the
 * same working day" is the day of the report when it is a working day, else the next working day (a case
 * reported on a Sunday, or during the National Day holiday, is due on the first working day after it).
 */

import type { Due, LocalDate, WorkingCalendar } from '#calendar/types';
import type { HardCase, HardCaseConfig } from './types';

export type DeadlineCalendar = Pick<WorkingCalendar, 'addWorkingDays' | 'localDate'>;

function previousDate(date: LocalDate): LocalDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

/** The end of the first working day on or after the moment's local date. */
export function sameWorkingDayDue(calendar: DeadlineCalendar, at: string): Due {
  // The first working day after the day before is the day itself when it works, else the next one that does.
  return calendar.addWorkingDays(previousDate(calendar.localDate(at)), 1);
}

/** N working days from the moment; 0 means the same working day. */
export function workingDaysDue(calendar: DeadlineCalendar, at: string, n: number): Due {
  return n === 0 ? sameWorkingDayDue(calendar, at) : calendar.addWorkingDays(at, n);
}

export function resolveWorkingDays(departments: readonly string[], config: HardCaseConfig): number {
  return departments.length >= 2 ? config.resolveWorkingDaysMultiDepartment : config.resolveWorkingDays;
}

/** Both deadlines, counted from the report; the resolution deadline depends on the departments involved. */
export function hardCaseDeadlines(
  reportedAt: string,
  departments: readonly string[],
  calendar: DeadlineCalendar,
  config: HardCaseConfig,
): HardCase['deadlines'] {
  return {
    contactDue: workingDaysDue(calendar, reportedAt, config.contactWorkingDays),
    resolveDue: workingDaysDue(calendar, reportedAt, resolveWorkingDays(departments, config)),
  };
}
