/**
 * The review capability's receipts (shared/platform/receipts.ts): which events get one, the routes they
 * point at, and the two writes that stand alone (an event that changed nothing, a refusal).
 */
import type { AuditEntry } from '#platform/audit';
import { isInbound, recordReceipt, withKind, type EventRef, type Receipt } from '#platform/receipts';
import { recordRejection, type Rejection } from './store';

export const caseHref = (caseId: string) => `/cases/${encodeURIComponent(caseId)}`;
export const rectificationHref = (caseId: string) => `/rectifications/${encodeURIComponent(caseId)}`;

/** Receipts only for inbound events (a case opened by an approval is internal). */
export const inbound = (ref: EventRef | undefined): ref is EventRef => ref !== undefined && isInbound(ref);

/** A receipt of an event that changed nothing: create-only, so a redelivery keeps the first outcome. */
export async function noEffect(ref: EventRef | undefined, now: string, reason: string, effect: { resource: string; id: string; href: string }): Promise<void> {
  if (inbound(ref)) await recordReceipt(withKind(ref, now, 'DUPLICATE', reason, { effect }));
}

/**
 * Records a refusal with its receipt; when the refusal was recorded before under another event (the same
 * reviewId or step sent twice), this event still gets its own receipt.
 */
export async function refuseWithReceipt(caseId: string, rejection: Rejection, audit: AuditEntry, receipt: Receipt | undefined): Promise<void> {
  const recorded = await recordRejection(caseId, rejection, audit, receipt);
  if (!recorded && receipt) await recordReceipt(receipt);
}
