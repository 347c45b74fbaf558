/**
 * The versions a bureau publishes: a service item (秒批, `gov.catalog.item.published`) and a policy (免申即享,
 * `gov.policy.published`). Apart from the other inbound schemas (schemas.ts, which has them in its catalogue)
 * because the simulations API validates drafts of both and nothing else. Imported by Lambda bundles, hence
 * `zod/mini` only.
 */
import * as z from 'zod/mini';
import type { Condition } from '#rules/types';
import { boundMs } from '#rules/bounds';
import { DEFAULT_TIME_ZONE } from '#rules/zone';
import { LIMITS } from './limits';
import { amount, code, condition, creditCode, dateOrTimestamp, dayCount, ITEM_FACT_ROOTS, name, POLICY_FACT_ROOTS, text, trustLevelSchema, uniqueCodes, zoneOfCheck } from './schema-parts';

// ---- service items ---------------------------------------------------------------------------------

export const itemMaterialSchema = z.strictObject({
  code: code(),
  name: name(),
  /** Satisfied by a valid e-licence of this type (免提交). */
  licenceType: z.optional(name()),
  minTrustLevel: z.optional(trustLevelSchema),
  /** A statement or online form the applicant fills in, checked by the rules. */
  declared: z.optional(z.boolean()),
  /** May be missing at submission: 容缺 (pending materials). */
  tolerable: z.optional(z.boolean()),
});

export const serviceItemSchema = z
  .looseObject({
    itemCode: code(),
    name: name(),
    departmentCode: code(),
    /** The department's 统一社会信用代码: the 好差评 platform names departments by it (upward sync). */
    departmentCreditCode: z.optional(creditCode()),
    applicantKind: z.enum(['person', 'enterprise', 'any']),
    mode: z.enum(['instant', 'commitment', 'manual']),
    promisedDays: dayCount(0),
    legalDays: dayCount(0),
    materials: z.array(itemMaterialSchema).check(z.maxLength(LIMITS.materials), uniqueCodes()),
    rules: condition('rules', ITEM_FACT_ROOTS),
    credit: z.optional(z.looseObject({ dishonest: z.enum(['manual', 'reject']) })),
    verificationDays: z.optional(dayCount(1)),
    certificateType: name(),
    version: z.int().check(z.minimum(1)),
    active: z.boolean(),
  })
  .check(
    z.superRefine((item, ctx) => {
      if (item.mode === 'commitment' && item.verificationDays === undefined) {
        ctx.addIssue({ code: 'custom', path: ['verificationDays'], input: undefined, message: 'is required when mode is commitment' });
      }
    }),
  );

// ---- policies --------------------------------------------------------------------------------------

export const policySchema = z
  .looseObject({
    policyId: code(),
    name: name(),
    departmentCode: code(),
    kind: z.enum(['grant', 'confirm']),
    criteria: condition('criteria', POLICY_FACT_ROOTS),
    benefit: z.looseObject({
      type: code(),
      amount: z.optional(amount()),
      description: text(LIMITS.text),
    }),
    validFrom: dateOrTimestamp(),
    validTo: dateOrTimestamp(),
    budget: z.optional(amount()),
    channels: z.array(code()).check(z.minLength(1), z.maxLength(LIMITS.channels)),
    version: z.int().check(z.minimum(1)),
    /** Dishonest (失信) enterprises are excluded unless this is true (refused on a person policy). */
    includeDishonest: z.optional(z.boolean()),
    /** Who the policy is for (default enterprise): a person policy matches person profiles (`person.*`). */
    subjectKind: z.optional(z.enum(['enterprise', 'person'])),
    /** Dishonest persons are excluded only when this is true (refused on an enterprise policy: see includeDishonest). */
    excludeDishonest: z.optional(z.boolean()),
    /**
     * 公示: the eligible are listed publicly before anyone is notified, granted or paid; objections are taken
     * while the window is open. `workingDays` defaults to 5 (working days after the day a pair is listed).
     */
    publicity: z.optional(
      z.looseObject({ workingDays: z.optional(z.int().check(z.minimum(1), z.maximum(LIMITS.publicityDays))) }),
    ),
  })
  .check(
    z.superRefine((p, ctx) => {
      // Compared as moments, as the window is read when matching: validTo's last must not come before
      // validFrom's first (a date-only bound is its whole local day in the zone of the check).
      const zone = zoneOfCheck() ?? DEFAULT_TIME_ZONE;
      if (boundMs(p.validTo, 'end', zone) < boundMs(p.validFrom, 'start', zone)) {
        ctx.addIssue({ code: 'custom', path: ['validTo'], input: p.validTo, message: 'must not be before validFrom' });
      }
      // A policy reads the profiles of its own subjects: person.* for persons, enterprise.* for enterprises.
      const other = p.subjectKind === 'person' ? 'enterprise' : 'person';
      const path = otherRootPath(p.criteria, other, ['criteria']);
      if (path !== undefined && p.subjectKind === undefined) {
        // No subjectKind (enterprise by default) and criteria on persons: the missing field is the mistake.
        ctx.addIssue({ code: 'custom', path: ['subjectKind'], input: undefined, message: `must be "person" when the criteria read person.* (${path.join('.')})` });
      } else if (path !== undefined) {
        ctx.addIssue({ code: 'custom', path, input: other, message: `reads ${other}.* but the policy's subjectKind is ${p.subjectKind}` });
      }
      // Each kind has its own dishonest (失信) flag, with its own default: the other kind's flag would be
      // ignored, and an enterprise policy with excludeDishonest: false would still exclude the dishonest.
      if (p.subjectKind === 'person' && p.includeDishonest !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['includeDishonest'], input: p.includeDishonest, message: 'applies to enterprise policies only: a person policy includes dishonest persons unless excludeDishonest is true' });
      } else if (p.subjectKind !== 'person' && p.excludeDishonest !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['excludeDishonest'], input: p.excludeDishonest, message: 'applies to person policies only: an enterprise policy excludes dishonest enterprises unless includeDishonest is true' });
      }
    }),
  );

/** The path of the first leaf of `c` whose fact lies under `root`, or undefined. */
function otherRootPath(c: Condition, root: string, at: (string | number)[]): (string | number)[] | undefined {
  // Runs on invalid criteria too (their own issues are reported elsewhere): anything unexpected is no path.
  if (typeof c !== 'object' || c === null) return undefined;
  if ('all' in c || 'any' in c) {
    const parts = 'all' in c ? c.all : c.any;
    const key = 'all' in c ? 'all' : 'any';
    if (!Array.isArray(parts)) return undefined;
    for (let i = 0; i < parts.length; i++) {
      const found = otherRootPath(parts[i]!, root, [...at, key, i]);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if ('not' in c) return otherRootPath(c.not, root, [...at, 'not']);
  const fact: unknown = (c as { fact?: unknown }).fact;
  return typeof fact === 'string' && (fact === root || fact.startsWith(`${root}.`)) ? [...at, 'fact'] : undefined;
}
