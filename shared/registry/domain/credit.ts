/**
 * The credit fold: what decisions and matching read is the upstream record with CivicFlow's own
 * false-commitment marks folded in. The marks are kept apart from the upstream record, so a later upstream
 * update cannot erase them; every reader (one subject, many, an application's records) folds the same way.
 */
import type { CreditRecord } from '#contract/schemas';
import type { FalseCommitmentMark, StoredCredit } from './types';

const isMark = (value: unknown): value is FalseCommitmentMark =>
  typeof value === 'object' && value !== null && typeof (value as FalseCommitmentMark).applicationId === 'string' && typeof (value as FalseCommitmentMark).at === 'string';

/**
 * The false-commitment marks a stored credit item holds, oldest first (ties by application): its map by
 * application (`byApplication`), and the single mark of an item written before the map existed (`single`,
 * which held only the subject's first mark). Both may name the same application when a mark was redelivered
 * after the change: the single mark was written first, so it stands. Anything else stored there is ignored.
 */
export function falseCommitmentMarksOf(byApplication: unknown, single: unknown): FalseCommitmentMark[] {
  const marks = new Map<string, FalseCommitmentMark>();
  const add = (m: unknown) => {
    if (isMark(m) && !marks.has(m.applicationId)) marks.set(m.applicationId, { at: m.at, applicationId: m.applicationId });
  };
  add(single);
  if (typeof byApplication === 'object' && byApplication !== null) for (const m of Object.values(byApplication)) add(m);
  return [...marks.values()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.applicationId.localeCompare(b.applicationId));
}

/** The effective record; `marks` oldest first, as falseCommitmentMarksOf gives them. Any one mark makes it a false commitment. */
export function foldCredit(subjectId: string, upstream: CreditRecord | undefined, marks: readonly FalseCommitmentMark[]): StoredCredit {
  // Only our marks and no upstream record: no rating (a rule on it evaluates to unknown), asOf the first
  // mark. The readers' type says CreditRecord; the missing rating is the one field it does not promise at
  // run time.
  const base: CreditRecord = upstream ?? ({ subjectId, asOf: marks[0]?.at ?? '', dishonest: false, falseCommitment: false } as CreditRecord);
  return {
    ...base,
    falseCommitment: base.falseCommitment || marks.length > 0,
    ...(marks.length > 0 ? { falseCommitmentMarks: marks.map((m) => ({ at: m.at, applicationId: m.applicationId })) } : {}),
  };
}
