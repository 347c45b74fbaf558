/**
 * The registry queue's events (parsed by the consumer's `carriedBy('registry', …)`) as the registry's use
 * cases take them: a change of reference data with the event it came by, or CivicFlow's credit mark.
 */
import type { CarriedBy } from '#platform/consumer';
import type { CreditRecord, EnterpriseProfile, Licence, PersonProfile, ServiceBundle, ServiceItem } from '#contract/schemas';
import { eventRef, type EventRef } from '#platform/inbound';
import type { BenefitFraudMark, FalseCommitmentMark } from './domain/types';

export type ReferenceChange =
  | { readonly kind: 'item'; readonly item: ServiceItem }
  | { readonly kind: 'bundle'; readonly bundle: ServiceBundle }
  | { readonly kind: 'personProfile'; readonly profile: PersonProfile }
  | { readonly kind: 'enterpriseProfile'; readonly profile: EnterpriseProfile }
  | { readonly kind: 'licenceIssued'; readonly licence: Licence }
  | { readonly kind: 'licenceRevoked'; readonly licenceNo: string; readonly revokedAt: string }
  | { readonly kind: 'credit'; readonly credit: CreditRecord };

/** Reference data from an upstream system, answered with a receipt. */
export interface ReferenceInput {
  readonly kind: 'reference';
  readonly ref: EventRef;
  readonly change: ReferenceChange;
}

/**
 * CivicFlow's own credit marks, `civicflow.credit.marked`: the approval's false-commitment mark (a
 * verification found a commitment untruthful), or 免申即享's benefit-fraud mark of a recovery (追回), with
 * the event it came by (the cause of the re-match a mark asks for).
 */
export type CreditMarkInput = { readonly kind: 'creditMark'; readonly ref: EventRef; readonly subjectId: string } & (
  | { readonly markKind: 'falseCommitment'; readonly mark: FalseCommitmentMark; /** The verification report behind the mark, when the mark names it. */ readonly upstream?: EventRef }
  | { readonly markKind: 'benefitFraud'; readonly mark: BenefitFraudMark }
);

export type RegistryInput = ReferenceInput | CreditMarkInput;

export function registryInput(event: CarriedBy<'registry'>): RegistryInput {
  const ref = eventRef(event);
  if (event.type === 'civicflow.credit.marked') {
    const data = event.data;
    if (data.kind === 'benefitFraud') {
      return { kind: 'creditMark', ref, subjectId: data.subjectId, markKind: 'benefitFraud', mark: { at: data.at, policyId: data.policyId, amount: data.amount } };
    }
    return { kind: 'creditMark', ref, subjectId: data.subjectId, markKind: 'falseCommitment', mark: { at: data.at, applicationId: data.applicationId }, ...(data.cause ? { upstream: data.cause } : {}) };
  }
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
