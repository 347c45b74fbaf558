/**
 * The inbound event types. The contract owns this list: the topology routes each type to the
 * queue of the capability that owns it and is checked against the list (`satisfies Record<InboundType, …>`),
 * so a type cannot be added to the wiring without being added here, with its `data` schema, first.
 *
 * No zod here: consumers import this module, and their bundles should not carry the validators of the edge.
 */
export const INBOUND_TYPES = [
  'gov.catalog.item.published',
  'gov.catalog.bundle.published',
  'gov.enterprise.profile.updated',
  'gov.person.profile.updated',
  'gov.licence.issued',
  'gov.licence.revoked',
  'gov.credit.updated',
  'gov.application.submitted',
  'gov.application.materials.supplemented',
  'gov.application.verification.reported',
  'gov.application.reviewed',
  'gov.policy.published',
  'gov.policy.withdrawn',
  'gov.policy.confirmed',
  'gov.policy.disbursed',
  'gov.policy.objection.filed',
  'gov.policy.objection.resolved',
  'gov.policy.recovered',
  'gov.case.completed',
  'gov.review.submitted',
  'gov.rectification.updated',
  'gov.hardcase.reported',
  'gov.hardcase.updated',
] as const;

export type InboundType = (typeof INBOUND_TYPES)[number];

const KNOWN: ReadonlySet<string> = new Set(INBOUND_TYPES);

export function isInboundType(t: unknown): t is InboundType {
  return typeof t === 'string' && KNOWN.has(t);
}
