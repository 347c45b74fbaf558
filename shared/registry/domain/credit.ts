/**
 * The credit fold: what decisions and matching read is the upstream record with CivicFlow's own
 * false-commitment mark folded in. The mark is kept apart from the upstream record, so a later upstream
 * update cannot erase it; every reader (one subject, many, an application's records) folds the same way.
 */
import type { CreditRecord } from '#contract/schemas';
import type { FalseCommitmentMark, StoredCredit } from './types';

export function foldCredit(subjectId: string, upstream: CreditRecord | undefined, mark: FalseCommitmentMark | undefined): StoredCredit {
  // Only our mark and no upstream record: no rating (a rule on it evaluates to unknown). The readers'
  // type says CreditRecord; the missing rating is the one field it does not promise at run time.
  const base: CreditRecord = upstream ?? ({ subjectId, asOf: mark?.at ?? '', dishonest: false, falseCommitment: false } as CreditRecord);
  return {
    ...base,
    falseCommitment: base.falseCommitment || mark !== undefined,
    ...(mark ? { falseCommitmentMark: { at: mark.at, applicationId: mark.applicationId } } : {}),
  };
}

