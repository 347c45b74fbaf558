/**
 * Step 1: the item and the applicant kind. Without a usable item there is nothing to check, so this step
 * alone stops a decision (REJECTED, the later steps skipped).
 */
import type { Reason, TraceStep } from './decision';
import type { Applicant, ServiceItem } from './types';

const KIND_LABEL = { person: '自然人', enterprise: '法人（企业）' } as const;

export type ItemCheck =
  | { readonly ok: true; readonly item: ServiceItem; readonly trace: TraceStep }
  | { readonly ok: false; readonly reason: Reason };

export function checkItem(itemCode: string, applicant: Pick<Applicant, 'kind'>, item: ServiceItem | undefined): ItemCheck {
  if (item === undefined) return { ok: false, reason: { code: 'ITEM_UNKNOWN', message: `未找到事项 ${itemCode}` } };
  if (!item.active) {
    return { ok: false, reason: { code: 'ITEM_INACTIVE', message: `事项「${item.name}」（${item.itemCode}）已停止办理` } };
  }
  if (item.applicantKind !== 'any' && item.applicantKind !== applicant.kind) {
    return {
      ok: false,
      reason: {
        code: 'APPLICANT_KIND_MISMATCH',
        message: `本事项仅受理${KIND_LABEL[item.applicantKind]}申请，申请人为${KIND_LABEL[applicant.kind]}`,
        details: { expected: item.applicantKind, actual: applicant.kind },
      },
    };
  }
  return {
    ok: true,
    item,
    trace: { step: 'item', result: 'pass', notes: [`事项「${item.name}」第 ${item.version} 版，${modeLabel(item.mode)}`] },
  };
}

/** The trace of a decision stopped at step 1: the item's reason, then every later step skipped. */
export function stoppedAtItem(reason: Reason): TraceStep[] {
  return [
    { step: 'item', result: 'reject', notes: [reason.message] },
    ...(['credit', 'materials', 'rules', 'mode'] as const).map((step) => ({
      step,
      result: 'skip' as const,
      notes: ['事项无法受理，未继续审查'],
    })),
  ];
}

function modeLabel(mode: ServiceItem['mode']): string {
  return mode === 'instant' ? '秒批' : mode === 'commitment' ? '告知承诺' : '人工审核';
}
