/**
 * The `data` of `gov.policy.recovered` (追回): money paid out under a policy and taken back by the finance
 * side. Built from the field builders of schemas.ts, passed in (schemas.ts imports this module, so it
 * cannot import them back).
 */
import * as z from 'zod/mini';
import { subjectIssues } from './subject';
import type { rfc3339Timestamp } from './timestamp';

type Field = () => z.ZodMiniString<string>;
type Amount = () => z.ZodMiniNumber<number>;
type Timestamp = typeof rfc3339Timestamp;

/** Why money was taken back: `fraud` also marks the subject's credit record (benefitFraud). */
export const RECOVERY_REASONS = ['fraud', 'overpayment', 'other'] as const;

export function recoverySchemas({ code, creditCode, idOrCreditCode, amount, timestamp }: { code: Field; creditCode: Field; idOrCreditCode: Field; amount: Amount; timestamp: Timestamp }) {
  /**
   * 追回: the amount recovered from a disbursed entitlement (at most what was disbursed). The subject is
   * `creditCode`, or `subjectId` (a credit code or an ID number); both may be given when they are equal.
   */
  const recoveredSchema = z
    .looseObject({
      policyId: code(),
      creditCode: z.optional(creditCode()),
      subjectId: z.optional(idOrCreditCode()),
      amount: amount().check(z.positive()),
      reason: z.enum(RECOVERY_REASONS),
      at: timestamp(),
    })
    .check(
      z.superRefine((o, ctx) => {
        for (const issue of subjectIssues(o)) ctx.addIssue({ code: 'custom', ...issue });
      }),
    );
  return { recoveredSchema };
}
