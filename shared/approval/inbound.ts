/**
 * The approval queue's events (parsed by the consumer: inbound data was validated whole at the edge) as
 * the use cases take them. Mapping only.
 */
import type { CarriedBy } from '#platform/consumer';
import type { Cause } from './domain/decision';
import type { VerificationReport } from './domain/lifecycle';
import type { PersonReview } from './domain/reviewed';
import type { BundleApplication } from './domain/bundle/application';
import type { Application, SubmittedMaterial } from './domain/types';
import type { ApplicationKey, SubmissionKey } from './ports';
import { eventRef } from '#platform/inbound';

export type ApprovalEvent = CarriedBy<'approval'>;
type EventOf<T extends ApprovalEvent['type']> = Extract<ApprovalEvent, { type: T }>;

/** The event that causes a change: its `(source, id)` makes a redelivery recognisable. */
export const causeOf = (event: ApprovalEvent): Cause => eventRef(event);

/**
 * The application exactly as submitted, fields the item does not read included: its content hash tells a
 * redelivery from a conflicting resubmission, and the stored copy is what was sent.
 */
export function applicationOf(
  event: EventOf<'gov.application.submitted'>,
): { readonly kind: 'item'; readonly application: Application } | { readonly kind: 'bundle'; readonly application: BundleApplication } {
  const { itemCode, bundleCode, answers, ...rest } = event.data;
  // The edge lets through exactly one of itemCode and bundleCode.
  if (bundleCode !== undefined) return { kind: 'bundle', application: { ...rest, bundleCode, answers: answers ?? {} } };
  return { kind: 'item', application: { ...event.data, itemCode: itemCode ?? '' } };
}

/** The single-item submissions among a batch's events: what their first decisions read, to read ahead. */
export function submittedItems(events: readonly unknown[]): ApplicationKey[] {
  return (events as ReadonlyArray<CarriedBy<'approval'>>).flatMap((event) => {
    if (event.type !== 'gov.application.submitted') return [];
    const submitted = applicationOf(event);
    return submitted.kind === 'item' ? [{ itemCode: submitted.application.itemCode, applicant: submitted.application.applicant }] : [];
  });
}

/** Every submission among a batch's events, single item or bundle: whose ids the other kind may hold, to read ahead. */
export function submittedIds(events: readonly unknown[]): SubmissionKey[] {
  return (events as ReadonlyArray<CarriedBy<'approval'>>).flatMap((event) => {
    if (event.type !== 'gov.application.submitted') return [];
    const submitted = applicationOf(event);
    return [{ applicationId: submitted.application.applicationId, kind: submitted.kind }];
  });
}

/**
 * A supplement, with its receipt at ingest (`receivedat`, which the front door sets on the queued copy): in
 * time is judged by it. A message no ingest queued has none.
 */
export function supplementOf(event: EventOf<'gov.application.materials.supplemented'>): {
  readonly applicationId: string;
  readonly materials: readonly SubmittedMaterial[];
  readonly answers?: Readonly<Record<string, unknown>>;
  readonly form?: Readonly<Record<string, unknown>>;
  readonly receivedAt?: string;
} {
  const { applicationId, materials, answers, form } = event.data;
  return {
    applicationId,
    materials,
    ...(answers === undefined ? {} : { answers }),
    ...(form === undefined ? {} : { form }),
    ...(event.receivedat === undefined ? {} : { receivedAt: event.receivedat }),
  };
}

/** A verification report: `itemCode` only when the department sent one (it addresses a bundle's child). */
export function verificationOf(event: EventOf<'gov.application.verification.reported'>): {
  readonly applicationId: string;
  readonly report: VerificationReport;
} {
  const { applicationId, truthful, note, itemCode } = event.data;
  return {
    applicationId,
    report: {
      truthful,
      note,
      ...(itemCode === undefined ? {} : { itemCode }),
      // Its receipt at ingest, as a supplement's: whether it was late is judged by it.
      ...(event.receivedat === undefined ? {} : { receivedAt: event.receivedat }),
    },
  };
}

/** A person's decision: `itemCode` only when the department sent one (it addresses a bundle's child). */
export function reviewOf(event: EventOf<'gov.application.reviewed'>): {
  readonly applicationId: string;
  readonly review: PersonReview;
} {
  const { applicationId, itemCode, outcome, reasons, staffId, at } = event.data;
  // As an ISO instant (UTC), like every time the decision keeps.
  const when = new Date(Date.parse(at)).toISOString();
  return { applicationId, review: { outcome, reasons, staffId, at: when, ...(itemCode === undefined ? {} : { itemCode }) } };
}
