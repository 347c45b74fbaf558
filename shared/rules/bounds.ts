/**
 * The bounds of a validity window as moments: a date-only bound ("YYYY-MM-DD") covers its whole local day in
 * the zone, a timestamp is its moment. Policies are matched against their window so, and the edge checks a
 * window's order the same way.
 */
import { dayOf, instantOf } from './dates';
import { timeZone } from './zone';

/** Day starts by zone and day: a policy's two bounds are looked up for every pair it settles. */
const dayStarts = new Map<string, number>();

function dayStart(zone: string, day: number): number {
  const key = `${zone}#${day}`;
  let ms = dayStarts.get(key);
  if (ms === undefined) {
    ms = timeZone(zone).startOfDay(day);
    if (dayStarts.size >= 4096) dayStarts.clear();
    dayStarts.set(key, ms);
  }
  return ms;
}

/**
 * The first (`start`) or last (`end`) millisecond a bound covers in the zone: a date-only value's local day,
 * or the instant itself; NaN when it is not a date.
 */
export function boundMs(value: unknown, edge: 'start' | 'end', zone: string): number {
  if (typeof value !== 'string') return NaN;
  if (value.length !== 10) return instantOf(value);
  const day = dayOf(value);
  if (day !== day) return NaN;
  return edge === 'start' ? dayStart(zone, day) : dayStart(zone, day + 1) - 1;
}
