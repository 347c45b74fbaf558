/**
 * Hard-case figures: by cause and by item, for a day or a month of reports in the bureau's
 * time zone. Pure, from the case records; a case counts in the period of its report.
 *
 * - A case counts in every stage it has reached: an escalated case later resolved is resolved; a closed
 *   case was return-visited.
 * - resolutionRate = resolved / received (办不成事 that were finally done); satisfactionRate = satisfied
 *   return visits / return visits. A ratio with a zero denominator is null.
 * - Overdue counts what was flagged and what is late at `now` but not flagged yet, so the figures do not
 *   depend on when the scheduler last ran.
 * - Cases without a cause count under `unclassified`; cases without an item have no item row.
 */

import type { WorkingCalendar } from '#calendar/types';
import { hardCaseOverdueKinds } from './transitions';
import type { HardCase } from './types';

export interface HardCasePeriod {
  readonly granularity: 'day' | 'month';
  /** "YYYY-MM-DD" or "YYYY-MM". */
  readonly value: string;
}

export interface HardCaseCounts {
  readonly received: number;
  readonly offered: number;
  readonly contacted: number;
  readonly resolved: number;
  readonly explained: number;
  readonly escalated: number;
  readonly returnVisited: number;
  readonly satisfied: number;
  readonly closed: number;
  readonly overdueContact: number;
  readonly overdueResolve: number;
  /** Cases overdue of either kind (a case once). */
  readonly overdue: number;
  readonly resolutionRate: number | null;
  readonly satisfactionRate: number | null;
}

export interface HardCaseFigures {
  readonly period: HardCasePeriod;
  readonly all: HardCaseCounts;
  readonly byCause: readonly { readonly cause: string; readonly counts: HardCaseCounts }[];
  readonly byItem: readonly { readonly itemCode: string; readonly counts: HardCaseCounts }[];
  readonly byChannel: readonly { readonly channel: string; readonly counts: HardCaseCounts }[];
}

type Tally = { -readonly [K in keyof HardCaseCounts]: number };

function emptyTally(): Tally {
  return {
    received: 0, offered: 0, contacted: 0, resolved: 0, explained: 0, escalated: 0, returnVisited: 0,
    satisfied: 0, closed: 0, overdueContact: 0, overdueResolve: 0, overdue: 0, resolutionRate: 0, satisfactionRate: 0,
  };
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

function count(t: Tally, hc: HardCase, now: string): void {
  const late = hardCaseOverdueKinds(hc, now);
  const contactLate = hc.overdue.contact !== undefined || late.includes('contact');
  const resolveLate = hc.overdue.resolve !== undefined || late.includes('resolve');
  const escalated = hc.history.some((h) => h.action === 'escalate');
  t.received += 1;
  if (hc.origin === 'offered') t.offered += 1;
  if (hc.contactedAt !== undefined) t.contacted += 1;
  if (hc.outcome === 'RESOLVED') t.resolved += 1;
  if (hc.outcome === 'EXPLAINED') t.explained += 1;
  if (escalated) t.escalated += 1;
  if (hc.returnVisit !== undefined) t.returnVisited += 1;
  if (hc.returnVisit?.satisfied === true) t.satisfied += 1;
  if (hc.state === 'CLOSED') t.closed += 1;
  if (contactLate) t.overdueContact += 1;
  if (resolveLate) t.overdueResolve += 1;
  if (contactLate || resolveLate) t.overdue += 1;
}

function finish(t: Tally): HardCaseCounts {
  return { ...t, resolutionRate: ratio(t.resolved, t.received), satisfactionRate: ratio(t.satisfied, t.returnVisited) };
}

function rows<K extends string>(groups: Map<string, Tally>, name: K): Array<Record<K, string> & { counts: HardCaseCounts }> {
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, t]) => ({ [name]: key, counts: finish(t) }) as Record<K, string> & { counts: HardCaseCounts });
}

function inPeriod(hc: HardCase, period: HardCasePeriod, calendar: Pick<WorkingCalendar, 'localDate'>): boolean {
  const day = calendar.localDate(hc.reportedAt);
  return period.granularity === 'day' ? day === period.value : day.slice(0, 7) === period.value;
}

export function hardCaseFigures(
  cases: readonly HardCase[],
  period: HardCasePeriod,
  now: string,
  calendar: Pick<WorkingCalendar, 'localDate'>,
): HardCaseFigures {
  const all = emptyTally();
  const byCause = new Map<string, Tally>();
  const byItem = new Map<string, Tally>();
  const byChannel = new Map<string, Tally>();
  const group = (map: Map<string, Tally>, key: string): Tally => {
    let t = map.get(key);
    if (t === undefined) map.set(key, (t = emptyTally()));
    return t;
  };
  const seen = new Set<string>();
  for (const hc of cases) {
    if (seen.has(hc.caseId) || !inPeriod(hc, period, calendar)) continue;
    seen.add(hc.caseId);
    count(all, hc, now);
    count(group(byCause, hc.cause ?? 'unclassified'), hc, now);
    count(group(byChannel, hc.channel), hc, now);
    if (hc.itemCode !== undefined) count(group(byItem, hc.itemCode), hc, now);
  }
  return { period, all: finish(all), byCause: rows(byCause, 'cause'), byItem: rows(byItem, 'itemCode'), byChannel: rows(byChannel, 'channel') };
}
