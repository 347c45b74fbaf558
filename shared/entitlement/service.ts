/**
 * 免申即享 use cases: publication and withdrawal of a policy, one-click confirmations,
 * disbursements and recoveries, the re-match of one enterprise, the match slices of a publication and the delivery of
 * notifications. Each loads what it needs through the ports (ports.ts), calls the pure domain (domain/),
 * stores the result through the store port and then sends the follow-up messages (messages.ts); metrics
 * and log lines come after the commit they describe. The consumers in functions/entitlement/ parse their
 * message and call one of these (adapters.ts binds the ports to DynamoDB, SQS and the channel).
 *
 * Outcomes: a change is one conditional write, re-planned on a race; a redelivery plans `unchanged` and
 * re-sends its messages (same ids); a semantic refusal is recorded with its reason, not thrown; what throws
 * is an infrastructure error for SQS to retry.
 *
 *   service/policy.ts     publishPolicy, withdrawPolicy
 *   service/progress.ts   recordProgress (gov.policy.confirmed, gov.policy.disbursed)
 *   service/matching.ts   rematchEnterprise, runMatchSlice
 *   service/settle.ts     settling a matched pair (shared by the two above), and what follows the commits
 *   service/notify.ts     deliverNotification
 *   service/publicity.ts  closePublicityWindows (the schedule: 公示期满, the listed proceed)
 *   service/objections.ts fileObjection, resolveObjection (异议)
 *   service/recovery.ts   recordRecovery (追回)
 *   service/budget.ts     returned budget passed on to the EXHAUSTED pairs first
 *   service/records.ts    receipts, audit lines and refusals
 */
import type { TimeLeftOptions } from '#platform/time-reserve';
import type { Policy, SubjectKind } from './domain';
import type { ObjectionInput, ProgressInput, RecoveryInput, ResolutionInput } from './inbound';
import type { SliceData } from './messages';
import type { EntitlementPorts, PolicyEventPorts } from './ports';
import { rematchEnterprise, runMatchSlice } from './service/matching';
import { deliverNotification, type DeliveryRequest } from './service/notify';
import { publishPolicy, startRunNow, withdrawPolicy } from './service/policy';
import { forgetActivePolicies } from './service/matching';
import { runTimeIndex, type TimeIndexOptions, type TimeIndexSummary } from './service/time';
import { recordProgress } from './service/progress';
import { fileObjection, resolveObjection } from './service/objections';
import { recordRecovery } from './service/recovery';
import { closePublicityWindows, type PublicitySummary } from './service/publicity';
import type { Cause } from './service/records';

export type { Cause } from './service/records';
export type { DeliveryRequest } from './service/notify';
export type { PublicitySummary } from './service/publicity';
export type { TimeIndexOptions, TimeIndexSummary } from './service/time';
export type { SettleResult } from './service/settle';

export interface EntitlementService {
  /** gov.policy.published: the outcome (`published`, `unchanged:<reason>`, `refused:<reason>`). */
  publishPolicy(policy: Policy, cause: Cause): Promise<string>;
  /** gov.policy.withdrawn. */
  withdrawPolicy(policyId: string, cause: Cause): Promise<string>;
  /** gov.policy.confirmed / gov.policy.disbursed. */
  recordProgress(input: ProgressInput, cause: Cause): Promise<string>;
  /**
   * civicflow.enterprise.rematch: the enterprise (or person) against every active policy for its kind;
   * `cause` the event that changed it (the lines of the pairs it changes name an upstream one's source).
   */
  rematchEnterprise(subjectId: string, kind?: SubjectKind, cause?: Cause): Promise<string>;
  /** civicflow.policy.match-slice. */
  runMatchSlice(slice: SliceData): Promise<void>;
  /** civicflow.entitlement.notify: throws when the channel failed, for SQS to retry. */
  deliverNotification(request: DeliveryRequest): Promise<void>;
  /** gov.policy.objection.filed. */
  fileObjection(input: ObjectionInput, cause: Cause): Promise<string>;
  /** gov.policy.objection.resolved. */
  resolveObjection(input: ResolutionInput, cause: Cause): Promise<string>;
  /** gov.policy.recovered (追回). */
  recordRecovery(input: RecoveryInput, cause: Cause): Promise<string>;
  /** The entitlement schedule: publicity windows that closed, their listed pairs moved on. */
  closePublicityWindows(options?: TimeLeftOptions): Promise<PublicitySummary>;
  /**
   * The entitlement schedule: the time index's due buckets, their pairs re-evaluated, deferred runs started;
   * its counts given to `options.counted` as it ends, returned or thrown.
   */
  runTimeIndex(options?: TimeIndexOptions): Promise<TimeIndexSummary>;
}

/** The use cases of the policy queue (functions/entitlement/handler.ts). */
export type PolicyEventService = Pick<
  EntitlementService,
  'publishPolicy' | 'withdrawPolicy' | 'recordProgress' | 'rematchEnterprise' | 'fileObjection' | 'resolveObjection' | 'recordRecovery'
>;

/**
 * Only the policy queue's use cases: the policy function is given these, so its bundle leaves out the match
 * slices, the delivery of notifications and the schedule's publicity and time-index runs it never calls.
 */
export function createPolicyEventService(ports: PolicyEventPorts): PolicyEventService {
  return {
    // What a publication or withdrawal changes, the batch's later re-matches read again.
    publishPolicy: (policy, cause) => publishPolicy(ports, policy, cause).finally(forgetActivePolicies),
    withdrawPolicy: (policyId, cause) => withdrawPolicy(ports, policyId, cause).finally(forgetActivePolicies),
    recordProgress: (input, cause) => recordProgress(ports, input, cause),
    rematchEnterprise: (subjectId, kind, cause) => rematchEnterprise(ports, subjectId, kind, cause),
    fileObjection: (input, cause) => fileObjection(ports, input, cause),
    resolveObjection: (input, cause) => resolveObjection(ports, input, cause),
    recordRecovery: (input, cause) => recordRecovery(ports, input, cause),
  };
}

export function createEntitlementService(ports: EntitlementPorts): EntitlementService {
  return {
    ...createPolicyEventService(ports),
    runMatchSlice: (slice) => runMatchSlice(ports, slice),
    deliverNotification: (request) => deliverNotification(ports, request),
    closePublicityWindows: (options) => closePublicityWindows(ports, options),
    runTimeIndex: (options) => runTimeIndex(ports, (policy, cause) => startRunNow(ports, policy, policy.version > 1, cause), options),
  };
}
