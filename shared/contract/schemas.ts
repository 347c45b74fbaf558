/**
 * The `data` of every inbound event type: the catalogue (`dataSchemas`), with the 一件事 bundle, the
 * profiles, e-licences and credit, applications, the review and rectification fields (好差评). The service
 * item (秒批) and policy (免申即享) versions are in version-schemas.ts and the building blocks of all of them
 * in schema-parts.ts; both are re-exported here. Imported by Lambda bundles, hence `zod/mini` only.
 *
 * Openness: every `data` object and profile keeps fields it does not name (the product names only their
 * main fields), and named fields are strict about their types. The two materials lists are closed:
 * a misspelt `tolerable` or `provided` would silently change a decision, so it is rejected instead.
 */
import * as z from 'zod/mini';
import type { InboundType } from './inbound';
import { isValidCreditCode, isValidPhone } from './identifiers';
import { LIMITS } from './limits';
import { hardCaseReportedSchema, hardCaseUpdatedSchema } from './hardcase';
import { objectionSchemas } from './objections';
import { bundleSchema } from './bundle';
import { recoverySchemas } from './recovery';
import { subjectIssues } from './subject';
import { compareInstants } from './instants';
import { happenedAtProblem } from './timestamp';
import {
  amount, applicantKindSchema, asOf, BUNDLE_FACT_ROOTS, bytesAtMost, CHECK_DIGIT_NOTE, code, condition, creditCode, date, dateOfCheck, dayCount,
  idNumber, idNumberProblem, idOrCreditCode, idOrCreditCodeProblem, jsonObject, MESSAGES, name, optionalText, text, timestamp, trustLevelSchema, uniqueCodes,
} from './schema-parts';
import { itemMaterialSchema, policySchema, serviceItemSchema } from './version-schemas';

export { LIMITS };
export { ITEM_FACT_ROOTS, POLICY_FACT_ROOTS, BUNDLE_FACT_ROOTS, MESSAGES, validatingOn, trustLevelSchema, applicantKindSchema, type ValidationContext } from './schema-parts';
export { itemMaterialSchema, serviceItemSchema, policySchema } from './version-schemas';

// ---- 一件事 bundles ---------------------------------------------------------------------------------

export const serviceBundleSchema = bundleSchema({ code, name, text, dayCount, condition: (field) => condition(field, BUNDLE_FACT_ROOTS) });

// ---- policies (the published version: version-schemas.ts) ------------------------------------------

export const policyWithdrawnSchema = z.looseObject({ policyId: code() });

/** The subject of an event about an entitlement: `creditCode`, or `subjectId` (a credit code or an ID number). */
const subjectRefinement = z.superRefine((o: { creditCode?: string | undefined; subjectId?: string | undefined }, ctx) => {
  for (const issue of subjectIssues(o)) ctx.addIssue({ code: 'custom', ...issue });
});

export const policyConfirmedSchema = z
  .looseObject({ policyId: code(), creditCode: z.optional(creditCode()), subjectId: z.optional(idOrCreditCode()), at: timestamp() })
  .check(subjectRefinement);

export const policyDisbursedSchema = z
  .looseObject({
    policyId: code(),
    creditCode: z.optional(creditCode()),
    subjectId: z.optional(idOrCreditCode()),
    amount: amount(),
    at: timestamp(),
  })
  .check(subjectRefinement);

/** 异议: objections to a policy's publicity list and their resolutions (objections.ts). */
export const { objectionFiledSchema, objectionResolvedSchema } = objectionSchemas({ code, text, creditCode, idOrCreditCode });

/** 追回: money taken back after a disbursement (recovery.ts). */
export const { recoveredSchema } = recoverySchemas({ code, creditCode, idOrCreditCode, amount, timestamp });

// ---- profiles, e-licences, credit ------------------------------------------------------------------

export const enterpriseProfileSchema = z.looseObject({
  creditCode: creditCode(),
  name: name(),
  asOf: asOf(),
  // Only identity and asOf are required: a missing fact makes a criterion unknown (NEEDS_INFO), not invalid.
  size: z.optional(z.enum(['large', 'medium', 'small', 'micro'])),
  industry: z.optional(name()),
  region: z.optional(code()),
  status: z.optional(code()),
  employees: z.optional(z.int().check(z.minimum(0))),
  exportValueUsd: z.optional(amount()),
  taxCreditRating: z.optional(z.enum(['A', 'B', 'M', 'C', 'D'])),
}).check(profileBytes());

export const personProfileSchema = z.looseObject({
  idNumber: idNumber(),
  name: name(),
  asOf: asOf(),
  birthDate: z.optional(date().check(z.refine((d) => { const today = dateOfCheck(); return today === undefined || d <= today; }, 'must not be after the bureau\'s date of receipt: a birth date has happened'))),
  residenceDistrict: z.optional(code()),
}).check(profileBytes());

/** A profile, its fields beyond the named ones included, is stored whole with each decision that reads it (limits.ts). */
function profileBytes() {
  return bytesAtMost(LIMITS.profileBytes, 'the profile, with its extra fields, ');
}

export const licenceIssuedSchema = z.looseObject({
  licenceNo: code(),
  licenceType: name(),
  holderId: idOrCreditCode(),
  issuer: name(),
  issuedAt: timestamp(),
  /** Absent for a licence valid without limit (长期). */
  validUntil: z.optional(date()),
  trustLevel: trustLevelSchema,
  attributes: z.optional(jsonObject(LIMITS.attributesBytes)),
});

export const licenceRevokedSchema = z.looseObject({
  licenceNo: code(),
  revokedAt: timestamp(),
  reason: optionalText(LIMITS.text),
});

export const creditUpdatedSchema = z.looseObject({
  subjectId: idOrCreditCode(),
  asOf: asOf(),
  rating: z.enum(['A', 'B', 'C', 'D']),
  dishonest: z.boolean(),
  falseCommitment: z.boolean(),
});

// ---- applications ----------------------------------------------------------------------------------

export const applicantSchema = z
  .looseObject({
    kind: applicantKindSchema,
    id: z.string().check(z.describe(`ID number when kind is person, credit code when enterprise.${CHECK_DIGIT_NOTE}`)),
    name: name(),
  })
  .check(
    z.superRefine((a, ctx) => {
      const problem =
        a.kind === 'person'
          ? idNumberProblem(a.id, `${MESSAGES.idNumber} for a person`)
          : isValidCreditCode(a.id)
            ? undefined
            : `${MESSAGES.creditCode} for an enterprise`;
      if (problem) ctx.addIssue({ code: 'custom', path: ['id'], input: a.id, message: problem });
    }),
  );

export const applicationMaterialSchema = z.strictObject({
  code: code(),
  provided: z.optional(z.boolean()),
  licenceNo: z.optional(code()),
});

const applicationMaterials = () =>
  z.array(applicationMaterialSchema).check(z.maxLength(LIMITS.materials), uniqueCodes());

/** An application names one service item (`itemCode`) or one 一件事 bundle (`bundleCode`, with `answers`). */
export const applicationSubmittedSchema = z
  .looseObject({
    applicationId: code(),
    itemCode: z.optional(code().check(z.describe('The service item applied for. Exactly one of itemCode and bundleCode.'))),
    bundleCode: z.optional(code().check(z.describe('The 一件事 bundle applied for. Exactly one of itemCode and bundleCode.'))),
    /** The answers to the bundle's situation questions (`answers.<questionId>`); only with bundleCode. */
    answers: z.optional(jsonObject(LIMITS.answersBytes)),
    applicant: applicantSchema,
    form: jsonObject(LIMITS.formBytes),
    materials: applicationMaterials(),
    commitment: z.optional(z.looseObject({ signedAt: timestamp() })),
    channel: code(),
    submittedAt: timestamp(),
  })
  .check(
    z.superRefine((a, ctx) => {
      const both = a.itemCode !== undefined && a.bundleCode !== undefined;
      if (both) ctx.addIssue({ code: 'custom', path: ['bundleCode'], input: a.bundleCode, message: 'must not be given with itemCode: an application names one item or one bundle' });
      if (a.itemCode === undefined && a.bundleCode === undefined) ctx.addIssue({ code: 'custom', path: ['itemCode'], input: a.itemCode, message: 'is required (or bundleCode, for a bundle)' });
      if (a.answers !== undefined && a.bundleCode === undefined) ctx.addIssue({ code: 'custom', path: ['answers'], input: a.answers, message: 'is only for a bundle application (with bundleCode)' });
    }),
  );

/** 容缺 materials brought later; for a bundle, also answers and form fields (then materials may be empty). */
export const materialsSupplementedSchema = z
  .looseObject({
    applicationId: code(),
    materials: z.array(applicationMaterialSchema).check(z.maxLength(LIMITS.materials), uniqueCodes()),
    answers: z.optional(jsonObject(LIMITS.answersBytes)),
    form: z.optional(jsonObject(LIMITS.formBytes)),
  })
  .check(
    z.superRefine((s, ctx) => {
      if (s.materials.length === 0 && s.answers === undefined && s.form === undefined) {
        ctx.addIssue({ code: 'custom', path: ['materials'], input: s.materials, message: 'must list at least one material (or give answers or form, for a bundle)' });
      }
    }),
  );

export const verificationReportedSchema = z.looseObject({
  applicationId: code(),
  /**
   * For one child of a bundle (一件事): the item verified. Optional when the bundle has a single child awaiting
   * verification; on a single-item application it may only name its own item.
   */
  itemCode: z.optional(code()),
  truthful: z.boolean(),
  note: text(LIMITS.text),
});

/** What a person may decide on an application in manual review. */
export const REVIEWED_OUTCOMES = ['APPROVED', 'REJECTED'] as const;

/** A person's decision (人工审核) on an application in MANUAL_REVIEW, from the department's system. */
export const applicationReviewedSchema = z
  .looseObject({
    applicationId: code(),
    /** For one child of a bundle (一件事): the item decided on. On a single-item application it may only name its own item. */
    itemCode: z.optional(code()),
    outcome: z.enum(REVIEWED_OUTCOMES),
    /** The reviewer's reasons, as the applicant will read them; at least one for a rejection. */
    reasons: z.array(text(LIMITS.text)).check(z.maxLength(LIMITS.reasons)),
    staffId: code(),
    /** When the person decided. */
    at: timestamp(),
  })
  .check(
    z.superRefine((r, ctx) => {
      if (r.outcome === 'REJECTED' && r.reasons.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['reasons'], input: r.reasons, message: 'must give at least one reason when outcome is REJECTED' });
      }
    }),
  );

// ---- reviews and rectification ---------------------------------------------------------------------

export const caseCompletedSchema = z.looseObject({
  caseId: code(),
  itemCode: code(),
  departmentCode: code(),
  staffId: z.optional(code()),
  applicantId: idOrCreditCode(),
  channel: code(),
  completedAt: timestamp(),
  /** 受理时间: when the case was received, if the system that completed it knows (the upward sync's acceptDate). */
  acceptedAt: z.optional(timestamp()),
}).check(
  // A case is received before it is completed: the upward sync reports both dates, and the platform would
  // take a case finished before it was accepted as a data error, after the bureau had accepted it. (An
  // acceptedAt already refused for lying after the receipt is not named twice.)
  z.superRefine((c, ctx) => {
    if (c.acceptedAt !== undefined && happenedAtProblem(c.acceptedAt) === undefined && compareInstants(c.acceptedAt, c.completedAt) > 0) {
      ctx.addIssue({ code: 'custom', path: ['acceptedAt'], input: c.acceptedAt, message: `must not be after completedAt (${c.completedAt})` });
    }
  }),
);

export const reviewSubmittedSchema = z.looseObject({
  reviewId: code(),
  caseId: code(),
  itemCode: code(),
  departmentCode: code(),
  staffId: z.optional(code()),
  channel: code(),
  level: z.int().check(z.minimum(1), z.maximum(5)),
  indicators: z.optional(z.array(code()).check(z.maxLength(LIMITS.indicators))),
  comment: optionalText(LIMITS.text),
  // SMS and hotline reviews know the reviewer only by phone number.
  reviewerId: z.string().check(
    z.superRefine((s, ctx) => {
      const problem = isValidPhone(s) ? undefined : idOrCreditCodeProblem(s, MESSAGES.reviewer);
      if (problem) ctx.addIssue({ code: 'custom', input: s, message: problem });
    }),
    z.describe(`ID number, unified social credit code or phone number of the reviewer; a value with the form of an ID number (region, birth date) is checked as an ID number only.${CHECK_DIGIT_NOTE}`),
  ),
  submittedAt: timestamp(),
});

export const RECTIFICATION_ACTIONS = [
  'acknowledge', 'claimInvalid', 'rectify', 'claimUnfixable', 'requestExtension', 'returnVisit', 'close',
  'approveInvalid', 'rejectInvalid', 'approveUnfixable', 'rejectUnfixable', 'approveExtension', 'rejectExtension',
] as const;
export type RectificationAction = (typeof RECTIFICATION_ACTIONS)[number];

export const rectificationUpdatedSchema = z
  .looseObject({
    caseId: code(),
    action: z.enum(RECTIFICATION_ACTIONS),
    actor: z.looseObject({ departmentCode: code(), staffId: code() }),
    note: optionalText(LIMITS.text),
    at: timestamp(),
    /** The applicant's answer at the return visit (回访): satisfied with the rectification or not. */
    satisfied: z.optional(z.boolean()),
  })
  .check(
    z.superRefine((r, ctx) => {
      if (r.action === 'returnVisit' && r.satisfied === undefined) {
        ctx.addIssue({ code: 'custom', path: ['satisfied'], input: undefined, message: 'is required when action is returnVisit' });
      } else if (r.action !== 'returnVisit' && r.satisfied !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['satisfied'], input: r.satisfied, message: 'is only allowed when action is returnVisit' });
      }
    }),
  );

// ---- the catalogue ---------------------------------------------------------------------------------

/** The schema of `data` for every inbound type (exactly the contract's INBOUND_TYPES). */
export const dataSchemas = {
  'gov.catalog.item.published': serviceItemSchema,
  'gov.catalog.bundle.published': serviceBundleSchema,
  'gov.enterprise.profile.updated': enterpriseProfileSchema,
  'gov.person.profile.updated': personProfileSchema,
  'gov.licence.issued': licenceIssuedSchema,
  'gov.licence.revoked': licenceRevokedSchema,
  'gov.credit.updated': creditUpdatedSchema,
  'gov.application.submitted': applicationSubmittedSchema,
  'gov.application.materials.supplemented': materialsSupplementedSchema,
  'gov.application.verification.reported': verificationReportedSchema,
  'gov.application.reviewed': applicationReviewedSchema,
  'gov.policy.published': policySchema,
  'gov.policy.withdrawn': policyWithdrawnSchema,
  'gov.policy.confirmed': policyConfirmedSchema,
  'gov.policy.disbursed': policyDisbursedSchema,
  'gov.policy.objection.filed': objectionFiledSchema,
  'gov.policy.objection.resolved': objectionResolvedSchema,
  'gov.policy.recovered': recoveredSchema,
  'gov.case.completed': caseCompletedSchema,
  'gov.review.submitted': reviewSubmittedSchema,
  'gov.rectification.updated': rectificationUpdatedSchema,
  'gov.hardcase.reported': hardCaseReportedSchema,
  'gov.hardcase.updated': hardCaseUpdatedSchema,
} as const satisfies Record<InboundType, z.ZodMiniType>;

/** The `data` of an inbound event of type T, as validated. */
export type DataOf<T extends InboundType> = z.infer<(typeof dataSchemas)[T]>;

export type ServiceItem = DataOf<'gov.catalog.item.published'>;
export type ServiceBundle = DataOf<'gov.catalog.bundle.published'>;
export type BundleItem = ServiceBundle['items'][number];
export type BundleQuestion = NonNullable<ServiceBundle['questions']>[number];
export type ItemMaterial = z.infer<typeof itemMaterialSchema>;
export type Policy = DataOf<'gov.policy.published'>;
export type EnterpriseProfile = DataOf<'gov.enterprise.profile.updated'>;
export type PersonProfile = DataOf<'gov.person.profile.updated'>;
export type Licence = DataOf<'gov.licence.issued'>;
export type CreditRecord = DataOf<'gov.credit.updated'>;
export type Application = DataOf<'gov.application.submitted'>;
export type ApplicationMaterial = z.infer<typeof applicationMaterialSchema>;
export type Applicant = z.infer<typeof applicantSchema>;
export type CaseCompleted = DataOf<'gov.case.completed'>;
export type Review = DataOf<'gov.review.submitted'>;
export type RectificationUpdate = DataOf<'gov.rectification.updated'>;
