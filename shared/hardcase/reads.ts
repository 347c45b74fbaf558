/**
 * The month's hard-case figures as readers see them: the query route (GET /hardcases/figures) and the
 * monthly report both call this, so the report can never count a month differently from the route.
 */
import type { WorkingCalendar } from '#calendar/types';
import { hardCaseFigures, type HardCaseFigures, type HardCasePeriod } from './domain';
import { casesOfMonth } from './store';

/** The figures of the cases reported in a day or a month, overdue as of `now`. */
export async function readHardCaseFigures(period: HardCasePeriod, now: string, calendar: Pick<WorkingCalendar, 'localDate'>): Promise<HardCaseFigures> {
  return hardCaseFigures(await casesOfMonth(period.value.slice(0, 7)), period, now, calendar);
}
