import { createCalendar, uncoveredYear, type WorkingCalendar } from '#calendar';
import { config } from './stage-config';

let calendar: WorkingCalendar | undefined;

function stageCalendarOptions() {
  const c = config();
  return { timeZone: c.timeZone, useChineseDays: c.calendar.useChineseDays, holidays: c.calendar.holidays, workdays: c.calendar.workdays };
}

/** The stage's working-day calendar (time zone, chinese-days, overrides), built once per container. */
export function stageCalendar(): WorkingCalendar {
  calendar ??= createCalendar(stageCalendarOptions());
  return calendar;
}

/** How far ahead the stage's calendar must know the public holidays: the longest deadlines are a few months. */
export const CALENDAR_LOOKAHEAD_DAYS = 90;

/**
 * The first year within CALENDAR_LOOKAHEAD_DAYS of `now` whose public holidays the stage's calendar does not
 * know (see `uncoveredYear`), or undefined: the year an operator must add as overrides (stage config
 * `calendar.holidays` and `calendar.workdays`) or get from a newer holiday dataset.
 */
export function stageCalendarGap(now: string): number | undefined {
  return uncoveredYear(stageCalendarOptions(), stageCalendar().localDate(now), CALENDAR_LOOKAHEAD_DAYS);
}

/**
 * The instant an `asOf` stands for: a date "YYYY-MM-DD" is the start of that day in the stage's
 * time zone; a timestamp is itself. ISO 8601 UTC, so stored instants compare as strings and numbers alike.
 */
export function asOfInstant(asOf: string): string {
  return asOf.length === 10 ? stageCalendar().startOfDay(asOf) : new Date(asOf).toISOString();
}
