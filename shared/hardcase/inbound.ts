/**
 * The contract's events as the hard-case domain takes them: times as ISO instants (UTC), so the stored
 * case compares and sorts them as strings; nothing decided here.
 */
import type { HardCaseReported, HardCaseUpdated } from '#contract/hardcase';
import type { InternalDataOf } from '#contract/internal';
import type { HardCaseUpdate, NewHardCase, OfferDecision, OfferItem } from './domain';

const instant = (at: string): string => new Date(Date.parse(at)).toISOString();

export function toNewCase(data: HardCaseReported): NewHardCase {
  return {
    caseId: data.caseId,
    origin: 'reported',
    channel: data.channel,
    ...(data.applicationId !== undefined ? { applicationId: data.applicationId } : {}),
    ...(data.itemCode !== undefined ? { itemCode: data.itemCode } : {}),
    ...(data.departmentCode !== undefined ? { departmentCode: data.departmentCode } : {}),
    description: data.description,
    reportedAt: instant(data.reportedAt),
    ...(data.contactPhone !== undefined ? { contactPhone: data.contactPhone } : {}),
  };
}

export function toUpdate(data: HardCaseUpdated): HardCaseUpdate {
  return {
    caseId: data.caseId,
    action: data.action,
    actor: { departmentCode: data.actor.departmentCode, staffId: data.actor.staffId },
    ...(data.note !== undefined ? { note: data.note } : {}),
    at: instant(data.at),
    ...(data.departments !== undefined ? { departments: data.departments } : {}),
    ...(data.cause !== undefined ? { cause: data.cause } : {}),
    ...(data.escalatedTo !== undefined ? { escalatedTo: data.escalatedTo } : {}),
    ...(data.satisfied !== undefined ? { satisfied: data.satisfied } : {}),
  };
}

/** A decision version of an application, as the offers need it. */
export interface DecidedApplication {
  readonly decision: OfferDecision;
  readonly item?: OfferItem;
  readonly sequence: number;
  readonly updatedAt: string;
}

export function toDecided(data: InternalDataOf<'civicflow.application.decided'>): DecidedApplication {
  return {
    decision: {
      applicationId: data.applicationId,
      itemCode: data.itemCode,
      departmentCode: data.departmentCode ?? null,
      outcome: data.outcome,
      submittedAt: instant(data.submittedAt),
      reasons: data.reasons.map((r) => ({ code: r.code, message: r.message })),
    },
    ...(data.item !== undefined ? { item: { ...(data.item.name !== undefined ? { name: data.item.name } : {}), promisedDays: data.item.promisedDays } } : {}),
    sequence: data.sequence,
    updatedAt: instant(data.updatedAt),
  };
}
