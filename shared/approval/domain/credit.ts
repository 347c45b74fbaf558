/**
 * Step 2: credit. A dishonest (失信) subject goes to a person or is rejected, as the item says; a
 * dishonest or false-commitment subject is excluded from 容缺 and 告知承诺 (`excluded`, which steps 3 and 5
 * read).
 */
import type { StepResult } from './decision';
import type { Finding, StepReport } from './step';
import type { CreditRecord, ServiceItem } from './types';

export interface CreditCheck extends StepReport {
  /** Dishonest or false commitment: no 容缺, no 告知承诺. */
  readonly excluded: boolean;
}

/** `credit` absent means the credit system holds no mark against the subject. */
export function checkCredit(applicantId: string, item: Pick<ServiceItem, 'credit'>, credit: CreditRecord | undefined): CreditCheck {
  if (credit !== undefined && credit.subjectId !== applicantId) {
    // Deciding on someone else's credit record would be a silent wrong decision; fail loudly instead.
    throw new Error(`credit record of ${credit.subjectId} passed for applicant ${applicantId}`);
  }
  const dishonest = credit?.dishonest === true;
  const falseCommitment = credit?.falseCommitment === true;
  const excluded = dishonest || falseCommitment;
  const policy = item.credit?.dishonest ?? 'manual';

  const notes: string[] = [credit === undefined ? '信用系统无该主体记录，按无失信记录处理' : `信用等级 ${credit.rating}（截至 ${credit.asOf}）`];
  const findings: Finding[] = [];
  let result: StepResult = 'pass';
  if (dishonest) {
    result = policy;
    const message = policy === 'reject' ? '申请人被列入失信名单，本事项不予办理' : '申请人被列入失信名单，转人工审核';
    findings.push({ tag: policy, reason: { code: 'CREDIT_DISHONEST', message } });
    notes.push(message);
  }
  if (falseCommitment) notes.push('申请人有虚假承诺记录');
  if (excluded) notes.push('失信或虚假承诺主体：不适用容缺受理和告知承诺');
  return { trace: { step: 'credit', result, notes }, findings, excluded };
}
