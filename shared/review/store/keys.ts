/**
 * The `reviews` table's keys (the layout is at the top of ../store.ts).
 */
import { tableName } from '#platform/resources';
import type { Period, RowKind } from '../domain/figures';
import type { DueQueue, Rejection } from '../ports';

export const table = () => tableName('reviews');

/** The partition key of each due index entry (GSI `byDue`). */
export const DUE_PK: Readonly<Record<DueQueue, string>> = { invite: 'DUE#INVITE', rectification: 'DUE#RECT' };

export const casePk = (caseId: string) => `CASE#${caseId}`;
export const caseKey = (caseId: string) => ({ pk: casePk(caseId), sk: 'STATE' });
export const rectKey = (caseId: string) => ({ pk: casePk(caseId), sk: 'RECT' });
export const outboxKey = (caseId: string, eventId: string) => ({ pk: casePk(caseId), sk: `OUTBOX#${eventId}` });

export function rejectionKey(caseId: string, kind: Rejection['kind'], ref: string) {
  return { pk: casePk(caseId), sk: `REJECTED#${kind === 'review' ? 'REVIEW' : 'STEP'}#${ref}` };
}

export const figureKey = (dimension: RowKind, key: string, period: Period) => ({
  pk: `FIG#${dimension}#${period.granularity}#${period.value}`,
  sk: key,
});
