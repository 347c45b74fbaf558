// The chinese-days package's prebuilt table, not its functions (those build their table with a date library that
// mixes UTC parsing and local formatting, so in a process time zone west of UTC every date shifts by one), in the
// compact form `scripts/calendar-dataset.ts` generates from it: 4 KB in a bundle instead of 37 KB.
import { decodeDataset } from './dataset-codec';
import { DATASET_YEARS } from './dataset';
import type { CalendarOptions, Due, LocalDate, WorkingCalendar } from './types';

const DAY_MS = 86_400_000;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A period longer than this many calendar days means the calendar has no working days left. */
const MAX_SCAN_DAYS = 3_660;

const DATASET = decodeDataset(DATASET_YEARS);

export class CalendarError extends Error {
  override readonly name = 'CalendarError';
  constructor(
    readonly code: 'INVALID_TIME_ZONE' | 'INVALID_DATE' | 'INVALID_DAY_COUNT' | 'CONFLICTING_OVERRIDE' | 'NO_WORKING_DAY',
    message: string,
  ) {
    super(message);
  }
}

/** Day number (days since 1970-01-01) of a valid "YYYY-MM-DD", else NaN. */
function dayNumber(date: string): number {
  const m = LOCAL_DATE.exec(date);
  if (!m) return NaN;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  // Date.UTC rolls 2025-02-30 over to March; reject instead of silently moving the date.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return NaN;
  return ms / DAY_MS;
}

function dateOfDay(day: number): LocalDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function requireDay(date: string, what: string): number {
  const day = typeof date === 'string' ? dayNumber(date) : NaN;
  if (day !== day) throw new CalendarError('INVALID_DATE', `${what} must be a date "YYYY-MM-DD"; got ${JSON.stringify(date)}`);
  return day;
}

/** Local dates and day boundaries in one IANA time zone, found with Intl (never the process's zone). */
function zoneClock(timeZone: string) {
  let parts: Intl.DateTimeFormat;
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    throw new CalendarError('INVALID_TIME_ZONE', `unknown IANA time zone ${JSON.stringify(timeZone)}`);
  }

  /** Wall-clock fields of an instant in the calendar's zone. */
  function wall(ms: number): { day: number; offsetMs: number } {
    const f: Record<string, number> = {};
    for (const p of parts.formatToParts(ms)) if (p.type !== 'literal') f[p.type] = Number(p.value);
    const asUtc = Date.UTC(f.year!, f.month! - 1, f.day!, f.hour!, f.minute!, f.second!);
    return { day: Math.floor(asUtc / DAY_MS), offsetMs: asUtc - (ms - (((ms % 1000) + 1000) % 1000)) };
  }

  function toInstant(at: Date | string): number {
    const ms = at instanceof Date ? at.getTime() : typeof at === 'string' ? Date.parse(at) : NaN;
    if (ms !== ms) throw new CalendarError('INVALID_DATE', `not a valid moment: ${String(at)}`);
    return ms;
  }

  /** A bare "YYYY-MM-DD" is already a local date; anything else is a moment to localise. */
  function localDay(at: Date | string): number {
    if (typeof at === 'string' && at.length === 10) return requireDay(at, 'date');
    return wall(toInstant(at)).day;
  }

  /** The first millisecond whose local date is `day`. */
  function startOfLocalDay(day: number): number {
    const wallMidnight = day * DAY_MS;
    let guess = wallMidnight - wall(wallMidnight).offsetMs;
    guess = wallMidnight - wall(guess).offsetMs;
    if (wall(guess).day === day && wall(guess - 1).day < day) return guess;
    // A DST jump at midnight: search for the boundary instead of trusting the offset arithmetic.
    let lo = wallMidnight - 2 * DAY_MS;
    let hi = wallMidnight + 2 * DAY_MS;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (wall(mid).day >= day) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  /** The instant in this zone's notation (e.g. `2026-10-01T08:00:00.000+08:00`). */
  function localIso(at: Date | string): string {
    const ms = toInstant(at);
    const { offsetMs } = wall(ms);
    const offsetMin = Math.round(offsetMs / 60_000);
    const abs = Math.abs(offsetMin);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${new Date(ms + offsetMs).toISOString().slice(0, 23)}${offsetMin < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  }

  return { localDay, startOfLocalDay, localIso };
}

/**
 * The first year from `from` to `days` days after it whose public holidays the calendar does not know, or
 * undefined. A year is known when the holiday dataset has it or a holiday override falls in it; a calendar
 * that does not use the dataset takes its holidays from the overrides alone, as its stage decided. Without
 * them a year's 春节 and 国庆 would count as working days and every deadline across them would come early.
 */
export function uncoveredYear(options: CalendarOptions, from: LocalDate, days: number): number | undefined {
  if (!options.useChineseDays) return undefined;
  const start = requireDay(from, 'from');
  const known = new Set([...Object.keys(DATASET_YEARS).map(Number), ...(options.holidays ?? []).map((d) => Number(d.slice(0, 4)))]);
  const first = Number(dateOfDay(start).slice(0, 4));
  const last = Number(dateOfDay(start + days).slice(0, 4));
  for (let year = first; year <= last; year++) if (!known.has(year)) return year;
  return undefined;
}

/** Whether a day (days since 1970-01-01) is a working day: the overrides, then the dataset, then the week. */
function workingDays(options: CalendarOptions): (day: number) => boolean {
  const extraHolidays = new Set((options.holidays ?? []).map((d) => requireDay(d, 'holiday override')));
  const extraWorkdays = new Set((options.workdays ?? []).map((d) => requireDay(d, 'workday override')));
  for (const day of extraWorkdays) {
    if (extraHolidays.has(day)) {
      throw new CalendarError('CONFLICTING_OVERRIDE', `${dateOfDay(day)} is listed both as a holiday and as a workday`);
    }
  }
  const workingByDay = new Map<number, boolean>();

  function baseWorking(day: number): boolean {
    if (options.useChineseDays) {
      const date = dateOfDay(day);
      if (DATASET.workdays.has(date)) return true;
      if (DATASET.holidays.has(date)) return false;
    }
    const weekday = (((day % 7) + 7 + 4) % 7); // 1970-01-01 was a Thursday (4); 0 is Sunday
    return weekday !== 0 && weekday !== 6;
  }

  return (day) => {
    let working = workingByDay.get(day);
    if (working === undefined) {
      working = extraWorkdays.has(day) ? true : extraHolidays.has(day) ? false : baseWorking(day);
      workingByDay.set(day, working);
    }
    return working;
  };
}

/**
 * A working-day calendar in one IANA time zone. Local dates are found with Intl, never with
 * the process time zone, so a Lambda in UTC and a laptop in Shanghai agree. Whether a date works is
 * memoised per date: due dates are computed for every application and every rectification case.
 */
export function createCalendar(options: CalendarOptions): WorkingCalendar {
  const { timeZone } = options;
  const { localDay, startOfLocalDay, localIso } = zoneClock(timeZone);
  const isWorkingDayNumber = workingDays(options);
  const dueAtByDay = new Map<number, string>();

  function dueOn(day: number): Due {
    let dueAt = dueAtByDay.get(day);
    if (dueAt === undefined) {
      dueAt = new Date(startOfLocalDay(day + 1) - 1).toISOString();
      dueAtByDay.set(day, dueAt);
    }
    return { date: dateOfDay(day), dueAt };
  }

  return {
    timeZone,
    localDate: (at) => dateOfDay(localDay(at)),
    localIso,
    isWorkingDay: (date) => isWorkingDayNumber(requireDay(date, 'date')),
    startOfDay: (date) => new Date(startOfLocalDay(requireDay(date, 'date'))).toISOString(),
    addWorkingDays(from, n) {
      if (!Number.isInteger(n) || n < 1) {
        throw new CalendarError('INVALID_DAY_COUNT', `working days must be a whole number >= 1; got ${n}`);
      }
      const start = localDay(from);
      let day = start;
      let counted = 0;
      while (counted < n) {
        day += 1;
        if (day - start > MAX_SCAN_DAYS + n) {
          throw new CalendarError('NO_WORKING_DAY', `no working day found within ${MAX_SCAN_DAYS} days`);
        }
        if (isWorkingDayNumber(day)) counted += 1;
      }
      return dueOn(day);
    },
    workingDaysBetween(from, to) {
      const end = localDay(to);
      let count = 0;
      for (let day = localDay(from) + 1; day <= end; day += 1) if (isWorkingDayNumber(day)) count += 1;
      return count;
    },
  };
}
