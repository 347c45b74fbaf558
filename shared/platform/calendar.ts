import { createCalendar, type WorkingCalendar } from '../calendar';
import { config } from './config';

let calendar: WorkingCalendar | undefined;

/** The stage's working-day calendar (time zone, chinese-days, overrides), built once per container. */
export function stageCalendar(): WorkingCalendar {
  if (!calendar) {
    const c = config();
    calendar = createCalendar({
      timeZone: c.timeZone,
      useChineseDays: c.calendar.useChineseDays,
      holidays: c.calendar.holidays,
      workdays: c.calendar.workdays,
    });
  }
  return calendar;
}
