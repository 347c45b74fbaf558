/**
 * The outcome of steps 1–5, weighing every step's findings:
 *   1. any ground that rejects — credit (item says `reject`), a missing required material, a false rule —
 *      gives REJECTED, listing every such ground. A ground that rejects any applicant also rejects a
 *      dishonest one: manual review is for what a machine cannot decide, and no reviewer can make a
 *      false rule true or a missing material present.
 *   2. else any ground for a person — credit (item says `manual`), an unverifiable material on an
 *      instant item, an unknown rule, the mode (unsigned or excluded commitment, manual item) — gives
 *      MANUAL_REVIEW, listing every such ground and any pending material.
 *   3. else pending materials (容缺) give ACCEPTED_PENDING_MATERIALS, due `promisedDays` working days on;
 *   4. else the mode decides: APPROVED, or APPROVED_ON_COMMITMENT with a verification due date; both
 *      with an electronic certificate number.
 */
import type { Due, WorkingCalendar } from '#calendar/types';
import { certificateNo } from './certificate';
import type { MaterialRef, Outcome, Reason } from './decision';
import { names, type Finding } from './step';
import type { Application, ServiceItem } from './types';

export interface Concluded {
  readonly outcome: Outcome;
  readonly reasons: readonly Reason[];
  readonly certificateNo?: string;
  readonly verificationDue?: Due;
  readonly supplementDue?: Due;
}

export function conclude(
  findings: readonly Finding[],
  pending: readonly MaterialRef[],
  item: ServiceItem,
  application: Application,
  now: string,
  calendar: WorkingCalendar,
): Concluded {
  if (findings.some((f) => f.tag === 'reject')) {
    return { outcome: 'REJECTED', reasons: findings.filter((f) => f.tag === 'reject').map((f) => f.reason) };
  }
  if (findings.some((f) => f.tag === 'manual')) return { outcome: 'MANUAL_REVIEW', reasons: findings.map((f) => f.reason) };
  if (pending.length > 0) {
    // The calendar counts at least one working day; a same-day deadline would make 容缺 meaningless.
    const supplementDue = calendar.addWorkingDays(now, Math.max(1, item.promisedDays));
    const reasons = findings.map((f) =>
      f.reason.code === 'MATERIALS_PENDING'
        ? { ...f.reason, message: `容缺受理，请于 ${supplementDue.date} 前补齐：${names(pending)}`, details: { ...f.reason.details, supplementDue } }
        : f.reason,
    );
    return { outcome: 'ACCEPTED_PENDING_MATERIALS', reasons, supplementDue };
  }
  if (item.mode === 'commitment') {
    // Without a configured period the verification must still end within the legal time limit.
    const verificationDue = calendar.addWorkingDays(now, Math.max(1, item.verificationDays ?? item.legalDays));
    return { outcome: 'APPROVED_ON_COMMITMENT', reasons: [], certificateNo: certificateNo(application, item), verificationDue };
  }
  return { outcome: 'APPROVED', reasons: [], certificateNo: certificateNo(application, item) };
}
