import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RefusalCode } from '#approval';
import type { ActionRefusalCode, ReviewRejectionCode } from '#review';
import type { RefusalReason } from '#entitlement';
import type { RefusalKind } from '#platform/receipts';
import type { HardCaseRefusalCode } from '#hardcase/domain/transitions';

process.env.TABLE_RECEIPTS = 'receipts-test';
const { RECEIPT_KINDS, withKind, applied, isInbound } = await import('#platform/receipts');

const ROOT = join(import.meta.dirname, '../../..');

/**
 * Every refusal code a capability can produce is a kind of the one vocabulary: a new code that is not
 * added there fails to compile here (and would throw when recorded).
 */
type EveryRefusalCode = RefusalCode | 'APPLICATION_UNKNOWN' | 'APPLICATION_CONFLICT' | ReviewRejectionCode | ActionRefusalCode | 'NO_RECTIFICATION' | 'RECTIFICATION_UNKNOWN' | RefusalReason | 'VERSION_CONFLICT' | HardCaseRefusalCode | 'HARDCASE_UNKNOWN' | 'HARDCASE_CONFLICT';
const everyCodeIsAKind: [EveryRefusalCode] extends [RefusalKind] ? true : false = true;
const covered: Record<EveryRefusalCode, true> = Object.fromEntries(
  Object.entries(RECEIPT_KINDS).filter(([, k]) => k.outcome === 'refused').map(([code]) => [code, true]),
) as Record<EveryRefusalCode, true>;

describe('receipt kinds: one vocabulary', () => {
  it('lists every capability\'s refusal codes as refused kinds', () => {
    expect(everyCodeIsAKind).toBe(true);
    const codes: EveryRefusalCode[] = [
      'NOT_PENDING_MATERIALS', 'SUPPLEMENT_TOO_LATE', 'APPLICATION_MISMATCH', 'NOT_APPROVED_ON_COMMITMENT', 'ALREADY_VERIFIED',
      'APPLICATION_UNKNOWN', 'APPLICATION_CONFLICT', 'DUPLICATE_REVIEW', 'REVIEWER_MISMATCH', 'ITEM_MISMATCH', 'DEPARTMENT_MISMATCH',
      'CASE_MISMATCH', 'INVALID_REVIEW', 'UNKNOWN_ACTION', 'ACTION_NOT_ALLOWED', 'NOT_OWNING_DEPARTMENT', 'SATISFIED_REQUIRED',
      'INVALID_TIME', 'NO_RECTIFICATION', 'RECTIFICATION_UNKNOWN', 'ENTITLEMENT_UNKNOWN', 'POLICY_UNKNOWN', 'NOT_A_CONFIRM_POLICY', 'NOT_ELIGIBLE',
      'NOT_NOTIFIED', 'NOT_GRANTED_OR_CONFIRMED', 'BUDGET_EXHAUSTED', 'DISBURSEMENT_CONFLICT', 'INVALID_AMOUNT', 'BUDGET_UNKNOWN',
      'POLICY_WITHDRAWN', 'POLICY_NOT_YET_VALID', 'POLICY_EXPIRED', 'POLICY_WINDOW_INVALID', 'VERSION_CONFLICT',
      'HARDCASE_UNKNOWN', 'HARDCASE_CONFLICT', 'WRONG_CASE', 'BEFORE_REPORTED', 'CAUSE_REQUIRED', 'UNKNOWN_CAUSE',
      'DEPARTMENTS_REQUIRED', 'ESCALATION_TARGET_REQUIRED', 'NO_PUBLICITY', 'OBJECTION_OUT_OF_WINDOW', 'NOT_LISTED',
      'OBJECTION_UNKNOWN', 'SUBJECT_KIND_MISMATCH', 'DECLARED_FACT_MISMATCH', 'ITEM_NOT_IN_APPLICATION', 'ITEM_CODE_REQUIRED', 'BEFORE_SUBMITTED', 'NOT_DISBURSED', 'RECOVERY_EXCEEDS_DISBURSED', 'RECOVERY_CONFLICT',
    ];
    for (const code of codes) expect([code, covered[code]]).toEqual([code, true]);
  });

  it('is the vocabulary the OpenAPI document lists, with the same meanings', () => {
    const doc = JSON.parse(readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8'));
    const kind = doc.components.schemas.ReceiptKind;
    expect(kind.enum).toEqual(Object.keys(RECEIPT_KINDS));
    for (const [code, k] of Object.entries(RECEIPT_KINDS)) expect(kind['x-kinds'][code]).toEqual(k);
    // The schema's description lists them all too, in the same words.
    const listed = Object.entries(RECEIPT_KINDS).map(([code, k]) => `${code} (${k.outcome}): ${k.description}`);
    expect(kind.description).toBe(`The one vocabulary of receipt kinds, whichever capability recorded them. ${listed.join(' ')}`);
  });

  it('is explained in docs/contract.md, kind by kind, with no reference a clone cannot follow', () => {
    const contract = readFileSync(join(ROOT, 'docs/contract.md'), 'utf8');
    for (const [code, k] of Object.entries(RECEIPT_KINDS)) expect([code, contract.includes(`| \`${code}\` | ${k.outcome} | ${k.area} | ${k.description} |`)]).toEqual([code, true]);
    expect(contract).not.toMatch(/SPEC|\.\.\/shared/);
  });

  it('takes the outcome from the kind, and refuses a kind outside the vocabulary', () => {
    const ref = { source: '/systems/credit', id: 'e-1', type: 'gov.credit.updated' };
    expect(withKind(ref, '2026-11-06T00:00:00.000Z', 'STALE', 'older').outcome).toBe('noEffect');
    expect(withKind(ref, '2026-11-06T00:00:00.000Z', 'DUPLICATE_REVIEW', 'second').outcome).toBe('refused');
    expect(() => withKind(ref, '2026-11-06T00:00:00.000Z', 'SOMETHING_NEW', 'x')).toThrow(/not in RECEIPT_KINDS/);
    expect(applied(ref, 't', { resource: 'credit', id: 'x' })).toMatchObject({ outcome: 'applied', effect: { resource: 'credit' } });
    expect([isInbound(ref), isInbound({ ...ref, type: 'civicflow.case.opened' })]).toEqual([true, false]);
  });
});
