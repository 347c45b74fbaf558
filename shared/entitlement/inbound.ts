/**
 * Parsed contract events → the inputs of the 免申即享 use cases (mapping only). The inbound `gov.policy.*`
 * data was validated whole at the edge; internal events were parsed by the consumer with their schema.
 */
import type { DataOf } from '#contract/schemas';
import type { InternalDataOf } from '#contract/internal';
import type { Instant, Policy, RecoveryReason, SubjectKind } from './domain';

/**
 * A published policy as the domain reads it: the contract's data as sent (a newer field the domain does
 * not know yet is kept, and a replay is compared on everything the source sent).
 */
export function policyOf(data: DataOf<'gov.policy.published'>): Policy {
  return data;
}

/** An enterprise's confirmation or a disbursement of a pushed entitlement. */
export type ProgressInput =
  | { readonly kind: 'confirmed'; readonly policyId: string; readonly creditCode: string; readonly at: Instant }
  | { readonly kind: 'disbursed'; readonly policyId: string; readonly creditCode: string; readonly at: Instant; readonly amount: number };

export function confirmedOf(data: DataOf<'gov.policy.confirmed'>): ProgressInput {
  return { kind: 'confirmed', policyId: data.policyId, creditCode: (data.subjectId ?? data.creditCode)!, at: data.at };
}

export function disbursedOf(data: DataOf<'gov.policy.disbursed'>): ProgressInput {
  return { kind: 'disbursed', policyId: data.policyId, creditCode: (data.subjectId ?? data.creditCode)!, at: data.at, amount: data.amount };
}

/**
 * The enterprise (or person) whose profile or credit record changed, and the event that changed it: an
 * upstream system's `gov.*` profile or credit update (its lines name that system), one of CivicFlow's own
 * credit marks, or a time-index re-evaluation (no source).
 */
export function rematchOf(data: InternalDataOf<'civicflow.enterprise.rematch'>): {
  readonly subjectId: string;
  readonly kind: SubjectKind;
  readonly cause: { readonly source: string; readonly id: string; readonly type: string };
} {
  return { subjectId: data.creditCode, kind: data.subjectKind ?? 'enterprise', cause: data.cause };
}

/** An objection as filed: its subject (creditCode or subjectId) and when ingest received it. */
export interface ObjectionInput {
  readonly objectionId: string;
  readonly policyId: string;
  readonly subjectId: string;
  readonly by: 'self' | 'thirdParty';
  readonly reason: string;
  readonly facts?: Readonly<Record<string, unknown>>;
  /** The receipt time at ingest: whether the objection is in time is decided by it. */
  readonly receivedAt: Instant;
}

export function objectionFiledOf(data: DataOf<'gov.policy.objection.filed'>, receivedAt: Instant): ObjectionInput {
  return {
    objectionId: data.objectionId,
    policyId: data.policyId,
    subjectId: (data.creditCode ?? data.subjectId)!,
    by: data.by,
    reason: data.reason,
    ...(data.facts !== undefined ? { facts: data.facts } : {}),
    receivedAt,
  };
}

export interface ResolutionInput {
  readonly objectionId: string;
  readonly upheld: boolean;
  readonly note: string;
}

export function objectionResolvedOf(data: DataOf<'gov.policy.objection.resolved'>): ResolutionInput {
  return { objectionId: data.objectionId, upheld: data.upheld, note: data.note };
}

/** 追回: money taken back from a disbursed entitlement; the subject is `creditCode` or `subjectId`. */
export interface RecoveryInput {
  readonly policyId: string;
  readonly subjectId: string;
  readonly amount: number;
  readonly reason: RecoveryReason;
  readonly at: Instant;
}

export function recoveredOf(data: DataOf<'gov.policy.recovered'>): RecoveryInput {
  return { policyId: data.policyId, subjectId: (data.creditCode ?? data.subjectId)!, amount: data.amount, reason: data.reason, at: data.at };
}
