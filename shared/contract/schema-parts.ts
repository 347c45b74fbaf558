/**
 * The building blocks of the inbound schemas (schemas.ts and the versions of version-schemas.ts): texts,
 * codes, identifiers, times, conditions, bounded JSON objects, and the context one validation is checked
 * against (`validatingOn`). Kept apart from the schemas of every type so that a function validating one
 * type (the simulations API: drafts of an item or a policy version) carries that type's schema only.
 * Imported by Lambda bundles, hence `zod/mini` only.
 */
import * as z from 'zod/mini';
import type { Condition, FactRoot } from '#rules/types';
import { validateCondition } from '#rules/validate';
import { hasIdNumberShape, ID_SHAPED_WRONG_CHECK, isValidCreditCode, isValidIdNumber } from './identifiers';
import { errorMessage, parsePath, toIssues, type Issue } from './issues';
import { jsonBytes, LIMITS } from './limits';
import { happenedAt, isWithinYears, notAfterReceipt, normaliseTimestamp, rfc3339TimestampForm, receivedOn, YEARS_MESSAGE, CLOCK_SKEW_MINUTES } from './timestamp';

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
  idShaped: ID_SHAPED_WRONG_CHECK,
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

/** The local date of the validation under way (`validatingOn`), if it gave one. */
export const dateOfCheck = (): string | undefined => checkDate;
/** The time zone of the validation under way (`validatingOn`), if it gave one. */
export const zoneOfCheck = (): string | undefined => checkZone;

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

export const CHECK_DIGIT_NOTE = ' Check digits are enforced by the service and cannot be expressed in JSON Schema.';

// ---- building blocks -------------------------------------------------------------------------------

export const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
export const optionalText = (max: number) => z.optional(z.string().check(z.maxLength(max)));
export const code = () => text(LIMITS.code);
export const name = () => text(LIMITS.name);

/**
 * When the event's occurrence happened: T and Z in either case, a leap second where one falls; kept
 * upper-case, a leap second as :59.999999999; at the edge, not after the event's receipt (timestamp.ts).
 * Every timestamp of inbound data says when something happened; a time that may lie ahead (a policy's
 * validFrom and validTo) is a `dateOrTimestamp`.
 */
export const timestamp = happenedAt;
/** A real calendar date in the years every consumer reads (timestamp.ts). */
export const date = () => z.iso.date().check(z.refine((s) => !z.regexes.date.test(s) || isWithinYears(s), YEARS_MESSAGE));
export const dateOrTimestamp = () =>
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
export const asOf = () =>
  dateOrTimestamp().check(
    notAfterReceipt(),
    z.describe(
      `A date "YYYY-MM-DD" (the start of that day in the bureau's time zone) or an RFC 3339 timestamp with offset. An update older than the stored record has no effect. Refused when after the event's receipt: a date after the bureau's local date of receipt, a timestamp more than ${CLOCK_SKEW_MINUTES} minutes after it.`,
    ),
  );

export const amount = () => z.number().check(z.nonnegative());
export const dayCount = (min: number) => z.int().check(z.minimum(min), z.maximum(LIMITS.days));

export const trustLevelSchema = z.enum(['A', 'B']);
export const applicantKindSchema = z.enum(['person', 'enterprise']);

/** The problem of an ID number, or undefined: its form and check digit, then its birth date against today. */
export function idNumberProblem(s: string, message: string): string | undefined {
  if (!isValidIdNumber(s)) return message;
  return bornInFuture(s) ? MESSAGES.futureBirthDate : undefined;
}

export const idNumber = () =>
  z.string().check(
    z.superRefine((s, ctx) => {
      const problem = idNumberProblem(s, MESSAGES.idNumber);
      if (problem) ctx.addIssue({ code: 'custom', input: s, message: problem });
    }),
    z.describe(`Resident ID number (身份证号).${CHECK_DIGIT_NOTE}`),
  );
export const creditCode = () =>
  z.string().check(
    z.refine((s) => isValidCreditCode(s), MESSAGES.creditCode),
    z.describe(`Unified social credit code (统一社会信用代码).${CHECK_DIGIT_NOTE}`),
  );
/**
 * The problem of a value that may be an ID number or a credit code, or undefined. One with the form of an ID
 * number (region, birth date) is judged as an ID number only, never as a credit code: its check digit, then
 * its birth date against today.
 */
export function idOrCreditCodeProblem(s: string, message: string): string | undefined {
  if (hasIdNumberShape(s)) return idNumberProblem(s, `${message}: ${MESSAGES.idShaped}`);
  return isValidCreditCode(s) ? undefined : message;
}

export const idOrCreditCode = () =>
  z.string().check(
    z.superRefine((s, ctx) => {
      const problem = idOrCreditCodeProblem(s, MESSAGES.idOrCreditCode);
      if (problem) ctx.addIssue({ code: 'custom', input: s, message: problem });
    }),
    z.describe(`A person's ID number or an organisation's unified social credit code; a value with the form of an ID number (region, birth date) is checked as an ID number only.${CHECK_DIGIT_NOTE}`),
  );

export function uniqueCodes<T extends { readonly code: string }>() {
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
export function condition(field: string, roots: readonly FactRoot[]) {
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
export const jsonObject = (maxBytes: number) =>
  z.record(z.string().check(z.maxLength(LIMITS.code)), z.unknown()).check(
    z.refine((o) => Object.keys(o).length <= LIMITS.formFields, `must have at most ${LIMITS.formFields} fields`),
    bytesAtMost(maxBytes, ''),
    z.describe(`At most ${LIMITS.formFields} fields and ${maxBytes} bytes as JSON (UTF-8).`),
  );

/** The JSON text of a value is at most `maxBytes` bytes (UTF-8); `what` names the object in the message. */
export function bytesAtMost(maxBytes: number, what: string) {
  return z.superRefine((o: object, ctx) => {
    const bytes = jsonBytes(o);
    if (bytes > maxBytes) ctx.addIssue({ code: 'custom', input: o, message: `${what}must be at most ${maxBytes} bytes as JSON; it is ${bytes}` });
  });
}

/**
 * Validates `data` with a schema of inbound data, in the context given: every problem with its path, under
 * `prefix` (`data` for an event's, `draft` for a simulation's draft…).
 */
export function validateWith<S extends z.ZodMiniType>(
  schema: S,
  data: unknown,
  prefix: string,
  context: ValidationContext = {},
): { ok: true; data: z.infer<S> } | { ok: false; errors: Issue[] } {
  const parsed = validatingOn(context, () => schema.safeParse(data, { error: errorMessage }));
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, errors: toIssues(parsed.error.issues, prefix) };
}
