/**
 * Internal events (`civicflow.*`): what one capability tells another, on the other's queue, as CloudEvents.
 * They are contract like the inbound `gov.*` types: their `data` is declared once, by the schemas in
 * internal-schemas.ts (which the consumer of each parses its input with, and scripts/gen-schemas.ts turns
 * into events/schemas), and built only by the builders below, so producer and consumer cannot drift.
 *
 * This module has no runtime dependency (the types come from the schemas, type-only), so a producer that
 * consumes none of these events, such as the approval function, does not carry zod for them.
 */
import type * as z from 'zod/mini';
import type { internalDataSchemas } from './internal-schemas';

/** The outcomes of a 秒批 decision, as the contract names them (the approval capability's OUTCOMES are these). */
export const DECISION_OUTCOMES = [
  'APPROVED',
  'APPROVED_ON_COMMITMENT',
  'ACCEPTED_PENDING_MATERIALS',
  'MANUAL_REVIEW',
  'REJECTED',
  'TERMINATED',
  'REVOKED',
] as const;

export const INTERNAL_TYPES = [
  'civicflow.case.opened',
  'civicflow.enterprise.rematch',
  'civicflow.policy.match-slice',
  'civicflow.entitlement.notify',
  'civicflow.credit.marked',
  'civicflow.application.decided',
  'civicflow.simulation.slice',
] as const;

export type InternalType = (typeof INTERNAL_TYPES)[number];

export function isInternalType(t: unknown): t is InternalType {
  return typeof t === 'string' && (INTERNAL_TYPES as readonly string[]).includes(t);
}

/** The `data` of an internal event of type T. */
export type InternalDataOf<T extends InternalType> = z.infer<(typeof internalDataSchemas)[T]>;

/** An internal event of type T (the type is distributed: a union of types gives a union of events). */
export type InternalEventOf<T extends InternalType> = T extends InternalType
  ? {
      readonly specversion: '1.0';
      /** Deterministic: a redelivered cause sends the same id, and its consumer's writes are idempotent. */
      readonly id: string;
      readonly source: string;
      readonly type: T;
      readonly time: string;
      readonly subject: string;
      readonly data: InternalDataOf<T>;
    }
  : never;

export type InternalEvent = InternalEventOf<InternalType>;

type CreditMarkData = InternalDataOf<'civicflow.credit.marked'>;
type FalseCommitmentData = Extract<CreditMarkData, { kind: 'falseCommitment' }>;
type BenefitFraudData = Extract<CreditMarkData, { kind: 'benefitFraud' }>;

/** Who sends each internal event (the CloudEvents `source`). */
const SOURCES = {
  approval: '/civicflow/approval',
  registry: '/civicflow/registry',
  policy: '/civicflow/policy',
  simulation: '/civicflow/simulation',
} as const;

/** What caused an event, by its CloudEvents identity. */
export interface EventCause {
  readonly source: string;
  readonly id: string;
  readonly type: string;
}

/**
 * 秒批 → 好差评: an approved application opens its review case (the same data fields as
 * `gov.case.completed`). One per application whatever happens later, hence the id.
 */
export function caseOpenedEvent(data: Omit<InternalDataOf<'civicflow.case.opened'>, 'origin'>): InternalEventOf<'civicflow.case.opened'> {
  return {
    specversion: '1.0',
    id: `case-opened:${data.caseId}`,
    source: SOURCES.approval,
    type: 'civicflow.case.opened',
    time: data.completedAt,
    subject: data.caseId,
    data: { ...data, origin: 'approval' },
  };
}

/**
 * Registry → 免申即享: an enterprise's (or a person's) profile or credit record changed (an update, or a
 * false-commitment mark the product set); re-match it against every active policy.
 */
export function enterpriseRematchEvent(
  creditCode: string,
  cause: EventCause,
  time: string,
  subjectKind: 'enterprise' | 'person' = 'enterprise',
): InternalEventOf<'civicflow.enterprise.rematch'> {
  return {
    specversion: '1.0',
    id: `rematch:${creditCode}:${cause.source}:${cause.id}`,
    source: SOURCES.registry,
    type: 'civicflow.enterprise.rematch',
    time,
    subject: creditCode,
    data: { creditCode, ...(subjectKind === 'person' ? { subjectKind } : {}), cause: { source: cause.source, id: cause.id, type: cause.type } },
  };
}

/** 免申即享 publish → match workers: one slice of one registry shard to match against a policy version. */
export function matchSliceEvent(data: InternalDataOf<'civicflow.policy.match-slice'>, time: string): InternalEventOf<'civicflow.policy.match-slice'> {
  return {
    specversion: '1.0',
    id: `slice:${data.policyId}:${data.version}:${data.shard}:${data.cursor ?? ''}`,
    source: SOURCES.policy,
    type: 'civicflow.policy.match-slice',
    time,
    subject: data.policyId,
    data,
  };
}

/** 沙盘推演 → its workers: replay one shard of the item's stored first decisions against the simulation's draft. */
export function simulationSliceEvent(data: InternalDataOf<'civicflow.simulation.slice'>, time: string): InternalEventOf<'civicflow.simulation.slice'> {
  return {
    specversion: '1.0',
    id: `simulation-slice:${data.simulationId}:${data.shard}`,
    source: SOURCES.simulation,
    type: 'civicflow.simulation.slice',
    time,
    subject: data.simulationId,
    data,
  };
}

/** 免申即享 → the notify worker: deliver the pair's one notification (its outbox record says what). */
export function entitlementNotifyEvent(policyId: string, creditCode: string, time: string): InternalEventOf<'civicflow.entitlement.notify'> {
  return {
    specversion: '1.0',
    id: `notify:${policyId}:${creditCode}`,
    source: SOURCES.policy,
    type: 'civicflow.entitlement.notify',
    time,
    subject: `${policyId}/${creditCode}`,
    data: { policyId, creditCode },
  };
}

/**
 * 秒批 → registry: a verification found a commitment untruthful; the registry marks the subject's credit
 * record. One per application, hence the id; the registry keeps the first mark.
 */
export function creditMarkedEvent(data: Omit<FalseCommitmentData, 'kind'>): InternalEventOf<'civicflow.credit.marked'> {
  return {
    specversion: '1.0',
    id: `credit-marked:falseCommitment:${data.applicationId}`,
    source: SOURCES.approval,
    type: 'civicflow.credit.marked',
    time: data.at,
    subject: data.subjectId,
    data: { kind: 'falseCommitment', ...data },
  };
}

/**
 * 免申即享 → registry: money under a policy was recovered for fraud (追回); the registry marks the subject's
 * credit record `benefitFraud`. One per (policy, subject), as a recovery is; the registry keeps the first.
 */
export function benefitFraudMarkedEvent(data: Omit<BenefitFraudData, 'kind'>): InternalEventOf<'civicflow.credit.marked'> {
  return {
    specversion: '1.0',
    id: `credit-marked:benefitFraud:${data.policyId}:${data.subjectId}`,
    source: SOURCES.policy,
    type: 'civicflow.credit.marked',
    time: data.at,
    subject: data.subjectId,
    data: { kind: 'benefitFraud', ...data },
  };
}

/**
 * 秒批 → 办不成事: a decision version of an application whose outcome may offer a hard case:
 * TERMINATED offers one at once; MANUAL_REVIEW is watched until its item's promised days run out; any
 * later version of an application that was in MANUAL_REVIEW stops the watch. One per decision version
 * (`sequence`), hence the id; the consumer keeps the highest sequence it saw, so order does not matter.
 */
export function applicationDecidedEvent(data: InternalDataOf<'civicflow.application.decided'>): InternalEventOf<'civicflow.application.decided'> {
  return {
    specversion: '1.0',
    id: `application-decided:${data.applicationId}:${data.sequence}`,
    source: SOURCES.approval,
    type: 'civicflow.application.decided',
    time: data.updatedAt,
    subject: data.applicationId,
    data,
  };
}
