/**
 * 办不成事 cases built as the domain builds them, for tests that count them: opened (reported) on the Shanghai
 * calendar and taken through their steps by one member of staff, each step required to apply.
 *
 *   const hardCase = hardCaseMaker({ departmentCode: 'ZWFWJ', staffId: 'W-1' });
 *   hardCase({ caseId: 'H1', channel: 'window', itemCode: 'I-A', reportedAt: '2026-10-08T09:00:00' }, ['contact', '2026-10-08T10:00:00']);
 *
 * Times are local (Shanghai) wall-clock times, without an offset.
 */
import { createCalendar } from '#calendar';
import { applyHardCaseUpdate, DEFAULT_HARDCASE_CONFIG, openHardCase, type HardCase, type HardCaseUpdate, type NewHardCase } from '#hardcase';

const calendar = createCalendar({ timeZone: 'Asia/Shanghai', useChineseDays: true });
const local = (s: string) => new Date(Date.parse(`${s}+08:00`)).toISOString();

export type HardCaseStep = [action: string, at: string, extra?: Partial<HardCaseUpdate>];

export function hardCaseMaker(staff: HardCaseUpdate['actor']): (input: Omit<NewHardCase, 'origin' | 'description'> & Partial<NewHardCase>, ...steps: HardCaseStep[]) => HardCase {
  return (input, ...steps) => {
    let hc = openHardCase({ origin: 'reported', description: '办不成事', ...input, reportedAt: local(input.reportedAt) }, calendar, DEFAULT_HARDCASE_CONFIG).hardCase;
    for (const [action, at, extra] of steps) {
      const result = applyHardCaseUpdate(hc, { caseId: hc.caseId, action, actor: staff, at: local(at), ...extra }, calendar, DEFAULT_HARDCASE_CONFIG);
      if (!result.ok) throw new Error(result.reason);
      hc = result.next;
    }
    return hc;
  };
}
