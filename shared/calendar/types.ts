/**
 * Working-day calendar. Due dates count working days in the bureau's time zone on a calendar
 * of holidays and make-up working days (调休). The starting day is not counted (期间开始之日不计算在内):
 * "N working days from a moment" is the N-th working day after the moment's local date, due by the end
 * of that day. "N natural days" are N × 24 hours from the moment.
 */

/** A local calendar date, "YYYY-MM-DD". */
export type LocalDate = string;

export interface Due {
  /** The local date on which the period ends. */
  readonly date: LocalDate;
  /** The instant the period ends: the end of that local day (23:59:59.999 local), as ISO 8601 UTC. */
  readonly dueAt: string;
}

export interface WorkingCalendar {
  readonly timeZone: string;
  /** The local date of an instant in the calendar's time zone. */
  localDate(at: Date | string): LocalDate;
  /** An instant written in the calendar's local time with its offset, e.g. "2026-11-21T01:00:00.000+08:00". */
  localIso(at: Date | string): string;
  isWorkingDay(date: LocalDate): boolean;
  /** The first instant of a local date in the calendar's time zone, as ISO 8601 UTC. */
  startOfDay(date: LocalDate): string;
  /** N working days from a moment (starting day not counted). N ≥ 1. */
  addWorkingDays(from: Date | string, n: number): Due;
  /** Working days strictly after `from`'s local date up to and including `to`'s local date. */
  workingDaysBetween(from: Date | string, to: Date | string): number;
}

export interface CalendarOptions {
  readonly timeZone: string;
  /** Use the `chinese-days` dataset as the base calendar (holidays and 调休 working weekends). */
  readonly useChineseDays: boolean;
  /** Extra non-working dates. */
  readonly holidays?: readonly LocalDate[];
  /** Extra working dates (override weekends and holidays). */
  readonly workdays?: readonly LocalDate[];
}

/** N natural days: N × 24 hours. */
export function addNaturalDays(from: Date | string, n: number): string {
  return new Date(new Date(from).getTime() + n * 86_400_000).toISOString();
}

/** Every day ("YYYY-MM-DD") of a month ("YYYY-MM"), leap days included. */
export function daysOfMonth(month: string): LocalDate[] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const count = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return Array.from({ length: count }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
}
