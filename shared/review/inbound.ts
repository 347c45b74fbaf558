/**
 * What the review queue carries (shared/contract/queued.ts, parsed by the consumer), mapped to the
 * review domain's input: completed cases (from departments, and from 秒批 approvals as the internal
 * `civicflow.case.opened`), reviews from every channel, and rectification steps. Mapping only: instants
 * are normalised to ISO 8601 UTC, absent optional fields stay absent.
 */
import type { CarriedBy } from '#platform/consumer';
import type { Case, Review, ReviewLevel } from './domain/types';
import type { Step } from './service/steps';
import { eventRef } from '#platform/inbound';

export type ReviewEvent = CarriedBy<'review'>;
type EventOf<T extends ReviewEvent['type']> = Extract<ReviewEvent, { type: T }>;

const iso = (instant: string) => new Date(instant).toISOString();

/** The case to record; the use case gives it the stage's district. */
export function caseOf(event: EventOf<'gov.case.completed' | 'civicflow.case.opened'>): Case {
  const d = event.data;
  // A case an approval opened has no staff member: the decision was the system's.
  const staffId = event.type === 'gov.case.completed' ? event.data.staffId : undefined;
  return {
    caseId: d.caseId,
    itemCode: d.itemCode,
    departmentCode: d.departmentCode,
    ...(staffId !== undefined ? { staffId } : {}),
    applicantId: d.applicantId,
    channel: d.channel,
    completedAt: iso(d.completedAt),
    ...(d.acceptedAt !== undefined ? { acceptedAt: iso(d.acceptedAt) } : {}),
    source: event.type === 'civicflow.case.opened' ? 'application' : 'external',
  };
}

export function reviewOf(event: EventOf<'gov.review.submitted'>): Review {
  const d = event.data;
  return {
    reviewId: d.reviewId,
    caseId: d.caseId,
    itemCode: d.itemCode,
    departmentCode: d.departmentCode,
    ...(d.staffId !== undefined ? { staffId: d.staffId } : {}),
    channel: d.channel,
    // The contract checks the level is 1–5; the domain refuses anything else on its own too.
    level: d.level as ReviewLevel,
    ...(d.indicators !== undefined ? { indicators: d.indicators } : {}),
    ...(d.comment !== undefined ? { comment: d.comment } : {}),
    reviewerId: d.reviewerId,
    submittedAt: iso(d.submittedAt),
    defaulted: false,
    event: eventRef(event),
  };
}

/**
 * The cases a batch's records load before deciding: those its reviews and rectification steps name (a completed
 * case is decided as new without a read), for the consumer to read ahead in one request.
 */
export function loadedCaseIds(events: readonly unknown[]): string[] {
  return (events as readonly ReviewEvent[]).flatMap((event) => (event.type === 'gov.review.submitted' || event.type === 'gov.rectification.updated' ? [event.data.caseId] : []));
}

export function stepOf(event: EventOf<'gov.rectification.updated'>): Step {
  const d = event.data;
  return {
    caseId: d.caseId,
    input: {
      action: d.action,
      actor: { departmentCode: d.actor.departmentCode, staffId: d.actor.staffId },
      ...(d.note !== undefined ? { note: d.note } : {}),
      at: iso(d.at),
      ...(d.satisfied !== undefined ? { satisfied: d.satisfied } : {}),
    },
    event: eventRef(event),
  };
}
