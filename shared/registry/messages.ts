/**
 * What the registry tells other capabilities after a change: an enterprise (or a person) whose profile or
 * credit record changed is re-matched against every active policy (dishonest enterprises are excluded from
 * policies, so a change of credit can change eligibility). Sent again on a redelivery whose receipt says
 * the event was applied (the entitlement side is idempotent).
 */
import { isValidIdNumber } from '#contract/identifiers';
import { enterpriseRematchEvent, type InternalEvent } from '#contract/internal';
import type { Receipt } from '#platform/receipts';
import type { ReferenceInput } from './inbound';

export function afterChange({ change, ref }: ReferenceInput, receipt: Receipt, now: string): InternalEvent[] {
  if (receipt.outcome !== 'applied') return [];
  if (change.kind === 'enterpriseProfile') return [enterpriseRematchEvent(change.profile.creditCode, ref, now)];
  if (change.kind === 'personProfile') return [enterpriseRematchEvent(change.profile.idNumber, ref, now, 'person')];
  if (change.kind === 'credit') {
    const id = change.credit.subjectId;
    return [enterpriseRematchEvent(id, ref, now, isValidIdNumber(id) ? 'person' : 'enterprise')];
  }
  return [];
}
