/**
 * The subject of an event about an entitlement (an objection, a recovery): `creditCode`, or `subjectId` (a
 * credit code or an ID number); both only when they are equal.
 */
export interface SubjectIssue {
  readonly path: [string];
  readonly input: unknown;
  readonly message: string;
}

/** What is wrong with the subject fields, for a schema's refinement to report (none when they are right). */
export function subjectIssues(o: { readonly creditCode?: string | undefined; readonly subjectId?: string | undefined }): SubjectIssue[] {
  if (o.creditCode === undefined && o.subjectId === undefined) {
    // Named at both fields: whichever the sender meant to give, its error names it.
    return [
      { path: ['creditCode'], input: undefined, message: 'is required (or subjectId)' },
      { path: ['subjectId'], input: undefined, message: 'is required (or creditCode)' },
    ];
  }
  if (o.creditCode !== undefined && o.subjectId !== undefined && o.creditCode !== o.subjectId) {
    return [{ path: ['subjectId'], input: o.subjectId, message: 'must equal creditCode when both are given' }];
  }
  return [];
}
