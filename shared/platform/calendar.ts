import { createCalendar, type WorkingCalendar } from '#calendar';
import { config } from './stage-config';

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

/**
 * The instant an `asOf` stands for: a date "YYYY-MM-DD" is the start of that day in the stage's
 * time zone; a timestamp is itself. ISO 8601 UTC, so stored instants compare as strings and numbers alike.
 */
export function asOfInstant(asOf: string): string {
  return asOf.length === 10 ? stageCalendar().startOfDay(asOf) : new Date(asOf).toISOString();
}
