/**
 * The registry queue's events (parsed by the consumer's `carriedBy('registry', …)`) as the registry's use
 * cases take them: a change of reference data with the event it came by, or CivicFlow's credit mark.
 */
import type { CarriedBy } from '#platform/consumer';
import type { CreditRecord, EnterpriseProfile, Licence, PersonProfile, ServiceBundle, ServiceItem } from '#contract/schemas';
import type { EventRef } from '#platform/receipts';
import type { FalseCommitmentMark } from './domain/types';

export type ReferenceChange =
  | { readonly kind: 'item'; readonly item: ServiceItem }
  | { readonly kind: 'bundle'; readonly bundle: ServiceBundle }
  | { readonly kind: 'personProfile'; readonly profile: PersonProfile }
  | { readonly kind: 'enterpriseProfile'; readonly profile: EnterpriseProfile }
  | { readonly kind: 'licenceIssued'; readonly licence: Licence }
  | { readonly kind: 'licenceRevoked'; readonly licenceNo: string; readonly revokedAt: string }
  | { readonly kind: 'credit'; readonly credit: CreditRecord };

/** Reference data from an upstream system (SPEC §2), answered with a receipt. */
export interface ReferenceInput {
  readonly kind: 'reference';
  readonly ref: EventRef;
  readonly change: ReferenceChange;
}

/** The approval's false-commitment mark (SPEC §4 step 6), `civicflow.credit.marked`. */
export interface CreditMarkInput {
  readonly kind: 'creditMark';
  readonly eventId: string;
  readonly subjectId: string;
  readonly mark: FalseCommitmentMark;
  /** Which commitment proved false (for the log line). */
  readonly markKind: string;
}

export type RegistryInput = ReferenceInput | CreditMarkInput;

export function registryInput(event: CarriedBy<'registry'>): RegistryInput {
  if (event.type === 'civicflow.credit.marked') {
    const { subjectId, applicationId, at, kind } = event.data;
    return { kind: 'creditMark', eventId: event.id, subjectId, mark: { at, applicationId }, markKind: kind };
  }
  const ref: EventRef = { source: event.source, id: event.id, type: event.type };
  return { kind: 'reference', ref, change: referenceChange(event) };
}

function referenceChange(event: Exclude<CarriedBy<'registry'>, { type: 'civicflow.credit.marked' }>): ReferenceChange {
  switch (event.type) {
    case 'gov.catalog.item.published':
      return { kind: 'item', item: event.data };
    case 'gov.catalog.bundle.published':
      return { kind: 'bundle', bundle: event.data };
    case 'gov.person.profile.updated':
      return { kind: 'personProfile', profile: event.data };
    case 'gov.enterprise.profile.updated':
      return { kind: 'enterpriseProfile', profile: event.data };
    case 'gov.licence.issued':
      return { kind: 'licenceIssued', licence: event.data };
    case 'gov.licence.revoked':
      return { kind: 'licenceRevoked', licenceNo: event.data.licenceNo, revokedAt: event.data.revokedAt };
    case 'gov.credit.updated':
      return { kind: 'credit', credit: event.data };
  }
}
