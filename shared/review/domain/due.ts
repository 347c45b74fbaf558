/**
 * When the scheduler must next look at a case or a rectification. Storage keeps this instant on the
 * record itself (a sparse due index), recomputed on every write, so a record leaves the index as soon as
 * nothing more can fall due for it and the scheduler never scans the whole table.
 */

import { addNaturalDays } from '#calendar/types';
import { NOT_YET_RECTIFIED } from './transitions';
import type { CaseReviewState, Rectification, ReviewConfig } from './types';

function earliest(instants: readonly string[]): string | undefined {
  if (instants.length === 0) return undefined;
  return instants.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
}

/** The next invitation, reminder or default of a case; undefined once it has a review or was invalidated. */
export function invitationDueAt(state: CaseReviewState, config: ReviewConfig): string | undefined {
  if (state.review !== undefined || state.invalidated) return undefined;
  const kase = state.case;
  const pending: string[] = [];
  if (state.invitationSentAt === undefined) pending.push(kase.completedAt);
  if (state.defaultedAt === undefined) {
    if (state.reminderSentAt === undefined) pending.push(addNaturalDays(kase.completedAt, config.reminderNaturalDays));
    pending.push(addNaturalDays(kase.completedAt, config.defaultReviewNaturalDays));
  }
  return earliest(pending);
}

/**
 * The next deadline that can still make the rectification overdue: the acknowledgement deadline while it
 * is OPEN, the rectification deadline while it is not yet rectified; each only until it is flagged. A
 * case back in OPEN after a rejected claim enters the index again because this is recomputed on every write.
 */
export function rectificationDueAt(rect: Rectification): string | undefined {
  const pending: string[] = [];
  if (rect.overdue.acknowledge === undefined && rect.state === 'OPEN') pending.push(rect.deadlines.acknowledgeDue.dueAt);
  if (rect.overdue.rectify === undefined && NOT_YET_RECTIFIED.has(rect.state)) pending.push(rect.deadlines.rectifyDue.dueAt);
  return earliest(pending);
}
