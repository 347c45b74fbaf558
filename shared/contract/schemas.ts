/**
 * The `data` of every inbound event type, with the service item (秒批), the policy (免申即享)
 * and the review and rectification fields (好差评). Imported by Lambda bundles, hence `zod/mini` only.
 *
 * Openness: every `data` object and profile keeps fields it does not name (the product names only their
 * main fields), and named fields are strict about their types. The two materials lists are closed:
 * a misspelt `tolerable` or `provided` would silently change a decision, so it is rejected instead.
 */
import * as z from 'zod/mini';
import type { InboundType } from './inbound';
import type { Condition, FactRoot } from '#rules/types';
import { validateCondition } from '#rules/validate';
import { boundMs } from '#rules/bounds';
import { DEFAULT_TIME_ZONE } from '#rules/zone';
import { hasIdNumberShape, isValidCreditCode, isValidIdNumber, isValidPhone } from './identifiers';
import { parsePath } from './issues';
import { jsonBytes, LIMITS } from './limits';
import { hardCaseReportedSchema, hardCaseUpdatedSchema } from './hardcase';
import { objectionSchemas } from './objections';
import { bundleSchema } from './bundle';
import { recoverySchemas } from './recovery';
import { subjectIssues } from './subject';
import { compareInstants } from './instants';
import { CLOCK_SKEW_MINUTES, happenedAt, happenedAtProblem, isWithinYears, notAfterReceipt, normaliseTimestamp, rfc3339TimestampForm, receivedOn, YEARS_MESSAGE } from './timestamp';

export { LIMITS };

/** An item's rules: `enterprise.*` is the applicant's profile when an enterprise applies (unknown otherwise). */
export const ITEM_FACT_ROOTS = ['applicant', 'enterprise', 'form', 'licence', 'credit', 'now'] as const satisfies readonly FactRoot[];
export const POLICY_FACT_ROOTS = ['enterprise', 'person', 'credit', 'now'] as const satisfies readonly FactRoot[];
/** A bundle item's `appliesWhen`: the facts of its items, and the applicant's answers to the bundle's questions. */
export const BUNDLE_FACT_ROOTS = ['answers', 'applicant', 'enterprise', 'form', 'licence', 'credit', 'now'] as const satisfies readonly FactRoot[];

export const MESSAGES = {
  idNumber: 'must be a valid 18-character ID number (region, birth date, check digit)',
  creditCode: 'must be a valid 18-character unified social credit code (charset, check character)',
  idOrCreditCode: 'must be a valid ID number or unified social credit code (check digit)',
  reviewer: 'must be a valid ID number, unified social credit code or phone number (check digit)',
  dateOrTimestamp: 'must be a date "YYYY-MM-DD" or an RFC 3339 timestamp with offset',
  futureBirthDate: 'is an ID number whose birth date is after today',
  /** Appended to the message of a field taking an ID number or a credit code, for a value read as an ID number. */
  idShaped: 'it has the region and birth date of an ID number, so it is checked as one, and its check digit is wrong',
} as const;

/**
 * What one validation is checked against: the local date ID numbers are checked against (a birth date is
 * not in the future), the bureau's time zone, in which a date-only bound is a local day, and the moment of
 * receipt, after which no field saying when something happened may lie (timestamp.ts). Schemas are built
 * once, so the edge passes them for the duration of one synchronous parse (`validatingOn`); without a date
 * only the year bounds of the identifier check apply, without a zone the default zone is used, without a
 * moment of receipt no time is refused for lying ahead.
 */
export interface ValidationContext {
  /** The local date of the check, "YYYY-MM-DD". */
  readonly today?: string | undefined;
  /** The stage's IANA time zone (Asia/Shanghai by default). */
  readonly timeZone?: string | undefined;
  /** When the event was received (ISO timestamp): a field saying when something happened may not lie after it. */
  readonly receivedAt?: string | undefined;
}

let checkDate: string | undefined;
let checkZone: string | undefined;

export function validatingOn<T>(context: ValidationContext, parse: () => T): T {
  const previous = [checkDate, checkZone] as const;
  checkDate = context.today;
  checkZone = context.timeZone;
  try {
    return receivedOn(context.receivedAt, context.today, parse);
  } finally {
    [checkDate, checkZone] = previous;
  }
}

/** A well-formed ID number born after the date of the check. */
function bornInFuture(s: string): boolean {
  return checkDate !== undefined && !isValidIdNumber(s, { today: checkDate });
}

const CHECK_DIGIT_NOTE = ' Check digits are enforced by the service and cannot be expressed in JSON Schema.';

// ---- building blocks -------------------------------------------------------------------------------

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const optionalText = (max: number) => z.optional(z.string().check(z.maxLength(max)));
const code = () => text(LIMITS.code);
const name = () => text(LIMITS.name);

/**
 * When the event's occurrence happened: T and Z in either case, a leap second where one falls; kept
 * upper-case, a leap second as :59.999999999; at the edge, not after the event's receipt (timestamp.ts).
 * Every timestamp of inbound data says when something happened; a time that may lie ahead (a policy's
 * validFrom and validTo) is a `dateOrTimestamp`.
 */
const timestamp = happenedAt;
/** A real calendar date in the years every consumer reads (timestamp.ts). */
const date = () => z.iso.date().check(z.refine((s) => !z.regexes.date.test(s) || isWithinYears(s), YEARS_MESSAGE));
const dateOrTimestamp = () =>
  z.pipe(
    z
      .union([z.iso.date(), rfc3339TimestampForm()], { error: (iss) => (iss.input === undefined ? 'is required' : MESSAGES.dateOrTimestamp) })
      .check(z.refine((s) => isWithinYears(s), `${YEARS_MESSAGE} (a timestamp before 9999-12-31T00:00:00Z)`)),
    z.transform(normaliseTimestamp),
  );

/**
 * When an upstream record was true: data-sharing and credit systems mostly send a date, which stands for
 * the start of that day in the bureau's time zone (the registry turns it into that instant). Never after the
 * receipt: a date at most the bureau's local date of receipt, a timestamp at most CLOCK_SKEW_MINUTES after
 * it (an asOf ahead would make every real update older, and ignored, until that day).
 */
const asOf = () =>
  dateOrTimestamp().check(
    notAfterReceipt(),
    z.describe(
      `A date "YYYY-MM-DD" (the start of that day in the bureau's time zone) or an RFC 3339 timestamp with offset. An update older than the stored record has no effect. Refused when after the event's receipt: a date after the bureau's local date of receipt, a timestamp more than ${CLOCK_SKEW_MINUTES} minutes after it.`,
    ),
  );

const amount = () => z.number().check(z.nonnegative());
const dayCount = (min: number) => z.int().check(z.minimum(min), z.maximum(LIMITS.days));

export const trustLevelSchema = z.enum(['A', 'B']);
export const applicantKindSchema = z.enum(['person', 'enterprise']);

/** The problem of an ID number, or undefined: its form and check digit, then its birth date against today. */
function idNumberProblem(s: string, message: string): string | undefined {
  if (!isValidIdNumber(s)) return message;
  return bornInFuture(s) ? MESSAGES.futureBirthDate : undefined;
}

const idNumber = () =>
  z.string().check(
    z.superRefine((s, ctx) => {
      const problem = idNumberProblem(s, MESSAGES.idNumber);
      if (problem) ctx.addIssue({ code: 'custom', input: s, message: problem });
    }),
    z.describe(`Resident ID number (身份证号).${CHECK_DIGIT_NOTE}`),
  );
const creditCode = () =>
  z.string().check(
    z.refine((s) => isValidCreditCode(s), MESSAGES.creditCode),
    z.describe(`Unified social credit code (统一社会信用代码).${CHECK_DIGIT_NOTE}`),
  );
/**
 * The problem of a value that may be an ID number or a credit code, or undefined. One with the form of an ID
 * number (region, birth date) is judged as an ID number only, never as a credit code: its check digit, then
 * its birth date against today.
 */
function idOrCreditCodeProblem(s: string, message: string): string | undefined {
  if (hasIdNumberShape(s)) return idNumberProblem(s, `${message}: ${MESSAGES.idShaped}`);
  return isValidCreditCode(s) ? undefined : message;
}

const idOrCreditCode = () =>
  z.string().check(
    z.superRefine((s, ctx) => {
      const problem = idOrCreditCodeProblem(s, MESSAGES.idOrCreditCode);
      if (problem) ctx.addIssue({ code: 'custom', input: s, message: problem });
    }),
    z.describe(`A person's ID number or an organisation's unified social credit code; a value with the form of an ID number (region, birth date) is checked as an ID number only.${CHECK_DIGIT_NOTE}`),
  );

function uniqueCodes<T extends { readonly code: string }>() {
  return z.superRefine<T[]>((list, ctx) => {
    const seen = new Map<string, number>();
    list.forEach((m, i) => {
      const first = seen.get(m.code);
      if (first === undefined) seen.set(m.code, i);
      else ctx.addIssue({ code: 'custom', path: [i, 'code'], input: m.code, message: `duplicate material code "${m.code}" (first at [${first}])` });
    });
  });
}

/**
 * A condition is validated by the rules package, the one authority on operators and fact
 * paths; its string paths are turned back into segments so they nest under the event's path.
 */
function condition(field: string, roots: readonly FactRoot[]) {
  return z.custom<Condition>(() => true).check(
    z.superRefine((value, ctx) => {
      if (value === undefined) {
        ctx.addIssue({ code: 'custom', input: value, message: 'is required' });
        return;
      }
      for (const issue of validateCondition(value, field, roots)) {
        ctx.addIssue({ code: 'custom', input: value, path: parsePath(issue.path).slice(1), message: issue.message });
      }
    }),
    z.describe(`A condition over the fact roots ${roots.join(', ')}: {all:[…]}, {any:[…]}, {not:…} or a leaf {id, description, fact, op, value}.`),
  );
}

/**
 * Free-form JSON objects (forms, licence attributes, answers) are bounded in breadth and in bytes here and in
 * depth at the envelope; the byte bounds keep everything one decision stores within one item (limits.ts).
 */
const jsonObject = (maxBytes: number) =>
  z.record(z.string().check(z.maxLength(LIMITS.code)), z.unknown()).check(
    z.refine((o) => Object.keys(o).length <= LIMITS.formFields, `must have at most ${LIMITS.formFields} fields`),
    bytesAtMost(maxBytes, ''),
    z.describe(`At most ${LIMITS.formFields} fields and ${maxBytes} bytes as JSON (UTF-8).`),
  );

/** The JSON text of a value is at most `maxBytes` bytes (UTF-8); `what` names the object in the message. */
function bytesAtMost(maxBytes: number, what: string) {
  return z.superRefine((o: object, ctx) => {
    const bytes = jsonBytes(o);
    if (bytes > maxBytes) ctx.addIssue({ code: 'custom', input: o, message: `${what}must be at most ${maxBytes} bytes as JSON; it is ${bytes}` });
  });
}

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

// ---- 一件事 bundles ---------------------------------------------------------------------------------

export const serviceBundleSchema = bundleSchema({ code, name, text, dayCount, condition: (field) => condition(field, BUNDLE_FACT_ROOTS) });

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
    /** Dishonest (失信) enterprises are excluded unless this is true: a policy may say otherwise. */
    includeDishonest: z.optional(z.boolean()),
    /** Who the policy is for (default enterprise): a person policy matches person profiles (`person.*`). */
    subjectKind: z.optional(z.enum(['enterprise', 'person'])),
    /** Dishonest persons are excluded only when this is true (enterprises: see includeDishonest). */
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
      const zone = checkZone ?? DEFAULT_TIME_ZONE;
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
  birthDate: z.optional(date().check(z.refine((d) => checkDate === undefined || d <= checkDate, 'must not be after the bureau\'s date of receipt: a birth date has happened'))),
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
