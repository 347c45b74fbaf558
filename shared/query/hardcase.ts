/**
 * 办不成事 read routes: one hard case with its history and refused steps, the cases reported in a month, and
 * the figures by cause, item and channel (resolution rate, satisfaction rate, overdue). Read through the
 * capability's public module only. Person data (the contact phone, ID numbers or mobiles in a description)
 * is masked for readers not entitled to it by the query function, as on every route.
 */
import { json, problem } from '#platform/http';
import { stageCalendar } from '#platform/calendar';
import { nowIso } from '#platform/clock';
import {
  allowedHardCaseActions,
  CAUSE_LABELS,
  HARDCASE_CAUSES,
  HARDCASE_CHANNELS,
  HARDCASE_STATES,
  hardCaseOverdueKinds,
  hardCasesOfMonth,
  readHardCase,
  readHardCaseFigures,
  type HardCase,
  type HardCasePeriod,
} from '#hardcase';
import { visibleTo } from './events';
import type { QueryRoutes } from './router';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** The cause filter that lists the cases without a cause yet: the group the figures count them in. */
const UNCLASSIFIED = 'unclassified';
const CAUSE_FILTERS: readonly string[] = [...HARDCASE_CAUSES, UNCLASSIFIED];

function periodOf(value: string | undefined): HardCasePeriod | string {
  if (value === undefined) return 'period is required: YYYY-MM for a month or YYYY-MM-DD for a day';
  if (MONTH.test(value)) return { granularity: 'month', value };
  if (DAY.test(value) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value) return { granularity: 'day', value };
  return `period must be YYYY-MM (a month) or YYYY-MM-DD (a day); got "${value}"`;
}

/** Overdue at `now`: flagged, or late and not flagged yet (the schedule runs every 15 minutes). */
function overdueAt(hc: HardCase, now: string): { readonly contact: boolean; readonly resolve: boolean } {
  const late = hardCaseOverdueKinds(hc, now);
  return { contact: hc.overdue.contact !== undefined || late.includes('contact'), resolve: hc.overdue.resolve !== undefined || late.includes('resolve') };
}

function summary(hc: HardCase, now: string) {
  return {
    caseId: hc.caseId,
    origin: hc.origin,
    channel: hc.channel,
    state: hc.state,
    ...(hc.itemCode !== undefined ? { itemCode: hc.itemCode } : {}),
    ...(hc.applicationId !== undefined ? { applicationId: hc.applicationId } : {}),
    ...(hc.cause !== undefined ? { cause: hc.cause } : {}),
    departments: hc.departments,
    reportedAt: hc.reportedAt,
    contactDue: hc.deadlines.contactDue,
    resolveDue: hc.deadlines.resolveDue,
    overdue: overdueAt(hc, now),
    href: `/hardcases/${encodeURIComponent(hc.caseId)}`,
  };
}

export const hardCaseRoutes: QueryRoutes = {
  /** Figures of the cases reported in a day or a month, in all and by cause, item and channel. */
  'GET /hardcases/figures': async ({ query }) => {
    const period = periodOf(query.period);
    if (typeof period === 'string') return problem(400, period);
    return json(200, { ...(await readHardCaseFigures(period, nowIso(), stageCalendar())), causes: CAUSE_LABELS });
  },

  /**
   * The cases reported in a month (oldest first), optionally of one state, channel, cause (`unclassified`:
   * none yet, as the figures group them) or item, or only overdue ones.
   */
  'GET /hardcases': async ({ query }) => {
    if (query.month === undefined || !MONTH.test(query.month)) return problem(400, `month is required: YYYY-MM; got "${query.month ?? ''}"`);
    if (query.state !== undefined && !(HARDCASE_STATES as readonly string[]).includes(query.state)) {
      return problem(400, `state must be one of ${HARDCASE_STATES.join(', ')}; got "${query.state}"`);
    }
    const channels = [...HARDCASE_CHANNELS, 'system'];
    if (query.channel !== undefined && !channels.includes(query.channel)) return problem(400, `channel must be one of ${channels.join(', ')}; got "${query.channel}"`);
    if (query.cause !== undefined && !CAUSE_FILTERS.includes(query.cause)) return problem(400, `cause must be one of ${CAUSE_FILTERS.join(', ')}; got "${query.cause}"`);
    if (query.overdue !== undefined && query.overdue !== 'true' && query.overdue !== 'false') return problem(400, `overdue must be true or false; got "${query.overdue}"`);
    const now = nowIso();
    const items = (await hardCasesOfMonth(query.month))
      .map((hc) => summary(hc, now))
      .filter((s) => query.state === undefined || s.state === query.state)
      .filter((s) => query.channel === undefined || s.channel === query.channel)
      .filter((s) => query.cause === undefined || (s.cause ?? UNCLASSIFIED) === query.cause)
      .filter((s) => query.itemCode === undefined || s.itemCode === query.itemCode)
      .filter((s) => query.overdue === undefined || (s.overdue.contact || s.overdue.resolve) === (query.overdue === 'true'));
    return json(200, { month: query.month, count: items.length, items });
  },

  /** One case: what was reported, its state, deadlines, overdue flags, full history and refused steps. */
  'GET /hardcases/{caseId}': async ({ params, principal }) => {
    const caseId = params.caseId ?? '';
    const stored = await readHardCase(caseId);
    if (stored === undefined) return problem(404, `no hard case ${caseId} is known`);
    const hc = stored.hardCase;
    return json(200, {
      ...hc,
      ...(hc.cause !== undefined ? { causeLabel: CAUSE_LABELS[hc.cause] } : {}),
      overdueNow: overdueAt(hc, nowIso()),
      allowedActions: allowedHardCaseActions(hc.state),
      // Refused events are listed as their receipts are read: a source sees its own only.
      refused: visibleTo(principal, stored.refused, (r) => r.source),
    });
  },
};
