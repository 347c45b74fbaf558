/**
 * Step 5: the item's mode. `instant` approves; `commitment` approves on a signed commitment (unsigned, or a
 * subject excluded from 告知承诺 → a person); `manual` goes to a person with the pre-check results (预审).
 * When an earlier step already rejects, the step is recorded as skipped, with what it would have said.
 */
import type { Truth } from '#rules/types';
import type { MaterialRef, StepResult } from './decision';
import type { Finding, StepReport } from './step';
import type { Application, ServiceItem } from './types';

/** What the earlier steps found, for the mode to weigh and a manual item to carry to its reviewer. */
export interface ModeContext {
  /** Dishonest or false commitment (step 2). */
  readonly excluded: boolean;
  /** An earlier step rejects. */
  readonly rejected: boolean;
  readonly preCheck: {
    readonly rules: Truth;
    readonly materialsWaived: readonly string[];
    readonly materialsUnverifiable: readonly MaterialRef[];
    readonly materialsPending: readonly MaterialRef[];
    readonly materialsMissing: readonly MaterialRef[];
  };
}

export function applyMode(item: Pick<ServiceItem, 'mode'>, application: Pick<Application, 'commitment'>, context: ModeContext): StepReport {
  const { result, findings, note } = modeFindings(item.mode, application, context);
  if (context.rejected) return { trace: { step: 'mode', result: 'skip', notes: ['前序步骤已决定不予批准', note] }, findings };
  return { trace: { step: 'mode', result, notes: [note] }, findings };
}

function modeFindings(
  mode: ServiceItem['mode'],
  application: Pick<Application, 'commitment'>,
  context: ModeContext,
): { result: StepResult; findings: Finding[]; note: string } {
  if (mode === 'manual') {
    const reason = { code: 'MANUAL_ITEM', message: '本事项须人工审核，系统已完成预审', details: { preCheck: context.preCheck } } as const;
    return { result: 'manual', findings: [{ tag: 'manual', reason }], note: '人工审核事项，携带预审结果转人工' };
  }
  if (mode === 'instant') return { result: 'pass', findings: [], note: '即时办理' };
  if (context.excluded) {
    const reason = { code: 'COMMITMENT_EXCLUDED', message: '申请人存在失信或虚假承诺记录，不适用告知承诺，转人工审核' } as const;
    return { result: 'manual', findings: [{ tag: 'manual', reason }], note: '不适用告知承诺' };
  }
  if (!isSigned(application)) {
    const reason = { code: 'COMMITMENT_UNSIGNED', message: '未签署告知承诺书，转人工审核' } as const;
    return { result: 'manual', findings: [{ tag: 'manual', reason }], note: '未签署告知承诺书' };
  }
  return { result: 'pass', findings: [], note: `告知承诺书签署于 ${application.commitment?.signedAt}` };
}

export function isSigned(application: Pick<Application, 'commitment'>): boolean {
  const signedAt = application.commitment?.signedAt;
  return typeof signedAt === 'string' && signedAt.trim() !== '';
}
