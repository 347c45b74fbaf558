/**
 * Who a policy is for: enterprises, named by their credit code, or persons, named by their ID
 * number. An entitlement's `creditCode` holds the subject id of either kind (the name it had before persons).
 * Pure: what a profile's facts are and whether a dishonest subject is excluded.
 */
import { isValidIdNumber, maskIdNumber, withBirthDate } from '#contract/identifiers';
import type { CreditRecord, EnterpriseProfile, Instant, PersonProfile, Policy, SubjectKind, SubjectProfile } from './types';

export function subjectKindOf(policy: Pick<Policy, 'subjectKind'>): SubjectKind {
  return policy.subjectKind ?? 'enterprise';
}

export function isPersonProfile(profile: SubjectProfile): profile is PersonProfile {
  return typeof (profile as { idNumber?: unknown }).idNumber === 'string';
}

/** The profile's subject id: a person's ID number, an enterprise's credit code. */
export function subjectIdOf(profile: SubjectProfile): string {
  return isPersonProfile(profile) ? profile.idNumber : (profile as EnterpriseProfile).creditCode;
}

/**
 * Whether an id has the form of the policy's subjects: an ID number for a person policy, anything else (the
 * edge let through only credit codes and ID numbers) for an enterprise policy.
 */
export function fitsSubjectKind(policy: Pick<Policy, 'subjectKind'>, subjectId: string): boolean {
  return (subjectKindOf(policy) === 'person') === isValidIdNumber(subjectId);
}

/** What a refusal says when the subject id is of the other kind. */
export function subjectKindMismatch(policy: Pick<Policy, 'policyId' | 'subjectKind'>): { reason: 'SUBJECT_KIND_MISMATCH'; message: string } {
  const person = subjectKindOf(policy) === 'person';
  return {
    reason: 'SUBJECT_KIND_MISMATCH',
    message: `policy ${policy.policyId} is for ${person ? 'persons: the subject must be an ID number' : 'enterprises: the subject must be a credit code'}`,
  };
}

/** A person as criteria see it: the birth date is the profile's, else the ID number's. */
export function personFacts(profile: PersonProfile): PersonProfile {
  return withBirthDate(profile, profile.idNumber);
}

export type PolicyFacts =
  | { readonly enterprise: EnterpriseProfile; readonly credit: CreditRecord | undefined; readonly now: Instant }
  | { readonly person: PersonProfile; readonly credit: CreditRecord | undefined; readonly now: Instant };

/** The facts a policy's criteria see: `enterprise.*` or `person.*`, `credit.*` and `now`. */
export function subjectFacts(profile: SubjectProfile, credit: CreditRecord | undefined, now: Instant): PolicyFacts {
  return isPersonProfile(profile) ? { person: personFacts(profile), credit, now } : { enterprise: profile, credit, now };
}

/**
 * Whether the policy leaves out dishonest (失信) subjects: enterprises unless `includeDishonest`, persons
 * only when `excludeDishonest`. Only the flag of the policy's kind is read (see inapplicableDishonestFlag).
 */
export function excludesDishonest(policy: Pick<Policy, 'subjectKind' | 'includeDishonest' | 'excludeDishonest'>): boolean {
  return subjectKindOf(policy) === 'person' ? policy.excludeDishonest === true : policy.includeDishonest !== true;
}

/**
 * The other kind's dishonest flag on a policy (`excludeDishonest` on an enterprise policy, `includeDishonest`
 * on a person policy), or undefined. The publication refuses it; a policy stored before that check may carry
 * it, and is read as it always was: the flag is ignored (every pair of the policy was decided so, and
 * reading it otherwise now would re-decide them without a word from the policy's owner). `excludes` is what
 * applies instead; the message says how to make it explicit (a new version, with the flag of the kind).
 */
export function inapplicableDishonestFlag(
  policy: Pick<Policy, 'policyId' | 'subjectKind' | 'includeDishonest' | 'excludeDishonest'>,
): { readonly field: 'excludeDishonest' | 'includeDishonest'; readonly value: unknown; readonly excludes: boolean; readonly message: string } | undefined {
  const person = subjectKindOf(policy) === 'person';
  const field = person ? 'includeDishonest' : 'excludeDishonest';
  const value = policy[field];
  if (value === undefined) return undefined;
  const excludes = excludesDishonest(policy);
  const message = person
    ? `${field}: applies to enterprise policies only; ignored: policy ${policy.policyId} ${excludes ? 'excludes' : 'includes'} dishonest persons (excluded only when excludeDishonest is true): publish a new version without it`
    : `${field}: applies to person policies only; ignored: policy ${policy.policyId} ${excludes ? 'excludes' : 'includes'} dishonest enterprises (excluded unless includeDishonest is true): publish a new version without it`;
  return { field, value, excludes, message };
}

/** A subject id fit for what leaves for a channel or a public list: an ID number masked, a credit code as is. */
export function maskedSubjectId(subjectId: string): string {
  return isValidIdNumber(subjectId) ? maskIdNumber(subjectId) : subjectId;
}

/** A person's name on a public list: the family name (first character) kept, the rest masked. */
export function maskPersonName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? '*' : `${chars[0]}${'*'.repeat(chars.length - 1)}`;
}
