/**
 * The `data` of every internal event (see internal.ts), as the consumer of each parses it and as
 * scripts/gen-schemas.ts publishes it in events/schemas. zod/mini, like everything a function bundles.
 *
 * Objects are `z.object`, which drops fields it does not name: a producer deployed before its consumer
 * may add a field without its messages being refused. A message that fails its schema is a defect (a
 * producer and a consumer that disagree), not bad input: the consumer fails the record and it reaches the DLQ.
 */
import * as z from 'zod/mini';
import { DECISION_OUTCOMES, type InternalType } from './internal';

const text = () => z.string().check(z.minLength(1), z.maxLength(256));
const timestamp = () => z.iso.datetime({ offset: true });

export const caseOpenedSchema = z.object({
  caseId: text(),
  itemCode: text(),
  departmentCode: text(),
  applicantId: text(),
  channel: text(),
  completedAt: timestamp(),
  /** 受理时间: when the application was submitted; absent on events queued before it was carried. */
  acceptedAt: z.optional(timestamp()),
  origin: z.literal('approval'),
});

export const enterpriseRematchSchema = z.object({
  /** The subject id: a credit code, or a person's ID number when `subjectKind` is person. */
  creditCode: text(),
  /** Absent: an enterprise. A person is matched against person policies. */
  subjectKind: z.optional(z.enum(['enterprise', 'person'])),
  /**
   * The event that changed the subject: an upstream system's profile or credit update (the audit lines of the
   * pairs the re-match changes name its `source`), one of CivicFlow's own credit marks, or a time-index
   * re-evaluation (these name none).
   */
  cause: z.object({ source: text(), id: text(), type: text() }),
});

export const matchSliceSchema = z.object({
  policyId: text(),
  version: z.int().check(z.minimum(1)),
  /** The registry's enterprise shard. */
  shard: z.int().check(z.minimum(0)),
  /** Where the previous slice of the shard stopped (the last credit code read). */
  cursor: z.optional(text()),
  /** A newer version of a policy already matched: existing entitlements of the slice are re-read too. */
  republish: z.optional(z.boolean()),
  /**
   * The publication that started the run (`gov.policy.published`): the audit lines of the pairs the slice
   * changes name its `source`; also on the run of a policy published before its `validFrom`, which the time
   * index starts that day with the publication its entry kept. Absent on slices queued before it was carried,
   * and on such a run whose entry was filed before entries kept it: those name none.
   */
  cause: z.optional(z.object({ source: text(), id: text(), type: text() })),
});

/** One slice of a simulation: a shard of the approvals' byItem index, replayed against the stored draft. */
export const simulationSliceSchema = z.object({ simulationId: text(), shard: z.int().check(z.minimum(0)) });

export const entitlementNotifySchema = z.object({ policyId: text(), creditCode: text() });

/**
 * CivicFlow's own marks on a subject's credit record: `falseCommitment` (a verification found a commitment
 * untruthful, naming the application) or `benefitFraud` (money under a policy recovered for fraud, naming
 * the policy and the amount).
 */
export const creditMarkedSchema = z.discriminatedUnion('kind', [
  z.object({
    /** The person's ID number or the enterprise's credit code. */
    subjectId: text(),
    kind: z.literal('falseCommitment'),
    /** The application whose commitment was found untruthful. */
    applicationId: text(),
    at: timestamp(),
    /**
     * The department's verification report that found it (`gov.application.verification.reported`): the
     * re-match the mark asks for names its system on the audit lines it writes. Absent on a mark sent before.
     */
    cause: z.optional(z.object({ source: text(), id: text(), type: text() })),
  }),
  z.object({
    subjectId: text(),
    kind: z.literal('benefitFraud'),
    /** The policy under which the money was paid and recovered. */
    policyId: text(),
    /** Yuan recovered. */
    amount: z.number().check(z.positive()),
    at: timestamp(),
  }),
]);

export const applicationDecidedSchema = z.object({
  applicationId: text(),
  itemCode: text(),
  /** Absent when the item is unknown. */
  departmentCode: z.optional(text()),
  outcome: z.enum(DECISION_OUTCOMES),
  /** The decision's reasons, in step order: the offered case's description quotes their messages. */
  reasons: z.array(z.object({ code: text(), message: z.string().check(z.maxLength(2000)) })).check(z.maxLength(50)),
  submittedAt: timestamp(),
  /** When this version was made. */
  updatedAt: timestamp(),
  /** The decision version: 1 for the first decision, +1 for each later event. */
  sequence: z.int().check(z.minimum(1)),
  /** The item as decided on; absent when the item is unknown (nothing is promised then). */
  item: z.optional(z.object({ name: z.optional(text()), promisedDays: z.int().check(z.minimum(0), z.maximum(3650)) })),
});

export const internalDataSchemas = {
  'civicflow.case.opened': caseOpenedSchema,
  'civicflow.enterprise.rematch': enterpriseRematchSchema,
  'civicflow.policy.match-slice': matchSliceSchema,
  'civicflow.entitlement.notify': entitlementNotifySchema,
  'civicflow.credit.marked': creditMarkedSchema,
  'civicflow.application.decided': applicationDecidedSchema,
  'civicflow.simulation.slice': simulationSliceSchema,
} as const satisfies Record<InternalType, z.ZodMiniType>;

/** The whole CloudEvent of one internal type, for JSON Schema generation. */
export function internalEventSchema<T extends InternalType>(type: T) {
  return z.object({
    specversion: z.literal('1.0'),
    id: text(),
    source: text(),
    type: z.literal(type),
    time: timestamp(),
    subject: text(),
    data: internalDataSchemas[type],
  });
}
