/**
 * Hard cases the system offers on its own: an application TERMINATED (its 容缺 materials were
 * not supplied in time), or still in MANUAL_REVIEW after its item's promised days, is a thing the
 * applicant could not get done. The offer is a new case (origin `offered`) the 办不成事 window picks up:
 * it contacts the applicant like for any other case.
 *
 * - The case id is derived from the application, so offering again (a redelivered decision, a scheduler
 *   that runs twice) is the same case, and the store's create-only write keeps the first.
 * - The promised days run from the submission (受理), in working days, the starting day not counted; 0
 *   promised days means the same working day. A manual review is past them after the end of that day.
 * - The offer is dated `now`, when the system noticed: the case's own deadlines run from then.
 */

import type { Decision } from '#approval';
import type { Due, WorkingCalendar } from '#calendar/types';
import { workingDaysDue } from './deadlines';
import type { NewHardCase } from './types';

/** What an offer needs of a decision: a Decision, or the decision as `civicflow.application.decided` carries it. */
export type OfferDecision = Pick<Decision, 'applicationId' | 'itemCode' | 'departmentCode' | 'outcome' | 'submittedAt'> & {
  readonly reasons: readonly { readonly code: string; readonly message: string }[];
};

/** What the offer needs of the item (from the catalogue); undefined when the item is unknown. */
export interface OfferItem {
  readonly name?: string;
  readonly promisedDays: number;
}

type OfferCalendar = Pick<WorkingCalendar, 'addWorkingDays' | 'localDate'>;

export function offeredCaseId(applicationId: string): string {
  return `offer-${applicationId}`;
}

/** When the promised days of a manual review run out; undefined for another outcome or an unknown item. */
export function promisedDue(decision: OfferDecision, item: OfferItem | undefined, calendar: OfferCalendar): Due | undefined {
  if (decision.outcome !== 'MANUAL_REVIEW' || item === undefined) return undefined;
  return workingDaysDue(calendar, decision.submittedAt, item.promisedDays);
}

function itemLabel(decision: OfferDecision, item: OfferItem | undefined): string {
  return item?.name === undefined ? `事项 ${decision.itemCode}` : `事项「${item.name}」（${decision.itemCode}）`;
}

function offer(decision: OfferDecision, now: string, cause: 'supplementMissed' | 'reviewOverdue', description: string): NewHardCase {
  return {
    caseId: offeredCaseId(decision.applicationId),
    origin: 'offered',
    channel: 'system',
    applicationId: decision.applicationId,
    itemCode: decision.itemCode,
    ...(decision.departmentCode !== null ? { departmentCode: decision.departmentCode } : {}),
    description,
    reportedAt: now,
    cause,
  };
}

/** The case to offer for the application's current decision at `now`, or undefined when none is due. */
export function offerForDecision(
  decision: OfferDecision,
  item: OfferItem | undefined,
  now: string,
  calendar: OfferCalendar,
): NewHardCase | undefined {
  const what = `申请 ${decision.applicationId}（${itemLabel(decision, item)}）`;
  if (decision.outcome === 'TERMINATED') {
    const why = decision.reasons.map((r) => r.message).join('；') || '办理终止';
    return offer(decision, now, 'supplementMissed', `${what}已终止：${why}。系统主动转“办不成事”窗口跟进。`);
  }
  const due = promisedDue(decision, item, calendar);
  if (due === undefined || Date.parse(now) <= Date.parse(due.dueAt)) return undefined;
  const days = item!.promisedDays;
  return offer(
    decision,
    now,
    'reviewOverdue',
    `${what}人工审核超过承诺时限（${days} 个工作日，${due.date} 届满）仍未办结。系统主动转“办不成事”窗口跟进。`,
  );
}
