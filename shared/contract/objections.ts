/**
 * The `data` of `gov.policy.objection.filed` and `.resolved` (异议). Built from the field builders of
 * schemas.ts, passed in (schemas.ts imports this module, so it cannot import them back).
 */
import * as z from 'zod/mini';
import { jsonBytes, LIMITS } from './limits';
import { subjectIssues } from './subject';

type Text = (max: number) => z.ZodMiniString<string>;
type Field = () => z.ZodMiniString<string>;

export function objectionSchemas({ code, text, creditCode, idOrCreditCode }: { code: Field; text: Text; creditCode: Field; idOrCreditCode: Field }) {
  /**
   * 异议: an objection to a policy's publicity list, while its window is open. `self`: "I qualify and am not
   * listed" (re-evaluated with the declared `facts`, a map from fact path under `enterprise` or `person` to
   * value: the subject's own facts, by the policy's subject kind — known only when the objection is processed,
   * which refuses another kind's path, DECLARED_FACT_MISMATCH); `thirdParty`: a listed
   * pair should not be (held until `gov.policy.objection.resolved`). The subject is `creditCode`, or
   * `subjectId` (a credit code or an ID number).
   */
  const objectionFiledSchema = z
    .looseObject({
      objectionId: code(),
      policyId: code(),
      creditCode: z.optional(creditCode()),
      subjectId: z.optional(idOrCreditCode()),
      by: z.enum(['self', 'thirdParty']),
      reason: text(LIMITS.text),
      facts: z.optional(
        z.record(z.string().check(z.minLength(1), z.maxLength(LIMITS.code)), z.unknown()).check(
          z.refine((o) => Object.keys(o).length <= LIMITS.formFields, `must have at most ${LIMITS.formFields} fields`),
          // Declared facts stand in for the profile's in one evaluation and are kept in the objection's record: no
          // larger than a profile may be.
          z.refine((o) => jsonBytes(o) <= LIMITS.profileBytes, `must be at most ${LIMITS.profileBytes} bytes as JSON`),
          z.refine(
            (o) => Object.keys(o).every((k) => /^(enterprise|person)(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(k) && !/\.(__proto__|constructor|prototype)(\.|$)/.test(k)),
            'keys must be fact paths under enterprise or person, e.g. "enterprise.exportValueUsd" or "person.residenceDistrict"',
          ),
        ),
      ),
    })
    .check(
      z.superRefine((o, ctx) => {
        for (const issue of subjectIssues(o)) ctx.addIssue({ code: 'custom', ...issue });
        if (o.facts !== undefined && o.by !== 'self') {
          ctx.addIssue({ code: 'custom', path: ['facts'], input: o.facts, message: 'is only allowed when by is self' });
        }
      }),
    );

  /** The resolution of a third-party objection: `upheld` removes the pair from the list, otherwise it proceeds. */
  const objectionResolvedSchema = z.looseObject({
    objectionId: code(),
    upheld: z.boolean(),
    note: text(LIMITS.text),
  });
  return { objectionFiledSchema, objectionResolvedSchema };
}
