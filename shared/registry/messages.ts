/**
 * What the registry tells other capabilities after a change: an enterprise (or a person) whose profile or
 * credit record changed is re-matched against every active policy (dishonest enterprises are excluded from
 * policies, and criteria read `credit.*`, so a change of credit can change eligibility). Sent again on a
 * redelivery whose receipt says the event was applied (the entitlement side is idempotent).
 */
import { isValidIdNumber } from '#contract/identifiers';
import { enterpriseRematchEvent, type InternalEvent } from '#contract/internal';
import type { Receipt } from '#platform/receipts';
import type { CreditMarkInput, ReferenceInput } from './inbound';

/** A subject id's kind: an ID number is a person's, anything else (the edge let through only these two) an enterprise's. */
const kindOf = (subjectId: string) => (isValidIdNumber(subjectId) ? 'person' : 'enterprise');

export function afterChange({ change, ref }: ReferenceInput, receipt: Receipt, now: string): InternalEvent[] {
  if (receipt.outcome !== 'applied') return [];
  if (change.kind === 'enterpriseProfile') return [enterpriseRematchEvent(change.profile.creditCode, ref, now)];
  if (change.kind === 'personProfile') return [enterpriseRematchEvent(change.profile.idNumber, ref, now, 'person')];
  if (change.kind === 'credit') {
    const id = change.credit.subjectId;
    return [enterpriseRematchEvent(id, ref, now, kindOf(id))];
  }
  return [];
}

/**
 * After one of CivicFlow's own credit marks: a false-commitment mark makes the effective record a false
 * commitment (domain/credit.ts folds it in), which criteria read as `credit.falseCommitment`, so its subject
 * is re-matched as after a credit update — on every delivery, since the mark's write does not say whether
 * it was the first (the re-match is idempotent; its id names the mark's cause: the verification report when the mark
 * names it, else the mark's event). A benefit-fraud mark is
 * not folded into the effective record (it excludes nobody by itself: the credit system decides), so no
 * criterion can see it and nothing is re-matched.
 */
export function afterMark(input: CreditMarkInput, now: string): InternalEvent[] {
  if (input.markKind !== 'falseCommitment') return [];
  // Caused by the department's verification report when the mark names it: the re-match's lines name its system.
  return [enterpriseRematchEvent(input.subjectId, input.upstream ?? input.ref, now, kindOf(input.subjectId))];
}
