/**
 * Which items of a bundle apply (three-valued `appliesWhen`), and the questions NEEDS_ANSWER asks, against
 * hand-computed cases on the sample bundles.
 */
import { bundleFacts, whichItemsApply } from '#approval/domain/bundle/applicability';
import type { Bundle } from '#approval/domain/bundle/types';
import { newborn, startUp } from './fixtures';

const TZ = 'Asia/Shanghai';
const facts = (answers: Record<string, unknown>, form: Record<string, unknown> = {}) => bundleFacts({ form, applicant: {}, licence: {}, credit: {}, now: '2026-11-18T02:00:00.000Z' }, answers);
const applies = (r: ReturnType<typeof whichItemsApply>) => Object.fromEntries(r.items.map((i) => [i.itemCode, i.applies]));

describe('which items of a bundle apply', () => {
  it('knows every item when every question it needs is answered: true, false, and always for no condition', () => {
    const r = whichItemsApply(startUp, facts({ needsInvoice: false, hiresStaff: true }), TZ);
    expect(r.status).toBe('known');
    expect(applies(r)).toEqual({ 'QYKB-SLDJ': true, 'QYKB-YZKZ': true, 'QYKB-FPSL': false, 'QYKB-SBDJ': true, 'QYKB-YHKH': true });
    expect(r.items.find((i) => i.itemCode === 'QYKB-SLDJ')?.explanation).toBeNull();
    expect(r.items.find((i) => i.itemCode === 'QYKB-FPSL')?.explanation?.leaves).toEqual([expect.objectContaining({ fact: 'answers.needsInvoice', seen: false, result: false })]);
  });

  it('needs answers when a condition is unknown, asking only the questions whose leaves are still unknown', () => {
    // SBDJ: any(hiresStaff unknown, form.employees unknown) → unknown; FPSL: needsInvoice true → known.
    const r = whichItemsApply(startUp, facts({ needsInvoice: true }), TZ);
    expect(r.status).toBe('NEEDS_ANSWER');
    if (r.status !== 'NEEDS_ANSWER') return;
    expect(applies(r)).toMatchObject({ 'QYKB-FPSL': true, 'QYKB-SBDJ': null });
    expect(r.questions.map((q) => q.id)).toEqual(['hiresStaff']);
    expect(r.unknownFacts).toEqual(['form.employees']);
  });

  it('does not ask a question an answered part of the condition already settles', () => {
    // form.employees = 3 makes the any true: hiresStaff is not asked although unanswered.
    const r = whichItemsApply(startUp, facts({ needsInvoice: false }, { employees: 3 }), TZ);
    expect(r.status).toBe('known');
    expect(applies(r)['QYKB-SBDJ']).toBe(true);
  });

  it('does not ask a leaf unknown under a part already false, and keeps the bundle order of questions', () => {
    const bundle: Bundle = {
      ...newborn,
      items: [
        ...newborn.items,
        {
          itemCode: 'CS-EXTRA',
          required: false,
          appliesWhen: {
            any: [
              { all: [{ id: 'X1', description: '已落户', fact: 'answers.hukouHere', op: 'eq', value: true }, { id: 'X2', description: '需要卡', fact: 'answers.wantsCard', op: 'eq', value: true }] },
              { id: 'X3', description: '已参保', fact: 'answers.insuredElsewhere', op: 'eq', value: true },
            ],
          },
        },
      ],
    };
    // hukouHere false settles the all as false; wantsCard is unknown there but asked only for CS-SBKSL.
    const r = whichItemsApply(bundle, facts({ hukouHere: false }), TZ);
    expect(r.status).toBe('NEEDS_ANSWER');
    if (r.status !== 'NEEDS_ANSWER') return;
    expect(applies(r)).toEqual({ 'CS-CSYXZM': true, 'CS-HKDJ': false, 'CS-YBCB': null, 'CS-SBKSL': null, 'CS-EXTRA': null });
    expect(r.questions.map((q) => q.id)).toEqual(['insuredElsewhere', 'wantsCard']);
    expect(r.unknownFacts).toEqual([]);

    const onlyExtra = whichItemsApply({ ...bundle, items: [bundle.items[4]!] }, facts({ hukouHere: false }), TZ);
    expect(onlyExtra.status === 'NEEDS_ANSWER' && onlyExtra.questions.map((q) => q.id)).toEqual(['insuredElsewhere']);
  });

  it('reads `not` three-valued: an unanswered question is unknown, never a silent yes', () => {
    const r = whichItemsApply(newborn, facts({ hukouHere: true, wantsCard: false }), TZ);
    expect(applies(r)).toMatchObject({ 'CS-YBCB': null });
    expect(r.status === 'NEEDS_ANSWER' && r.questions.map((q) => q.text)).toEqual(['新生儿是否已参加其他医疗保险?']);
    expect(applies(whichItemsApply(newborn, facts({ hukouHere: true, wantsCard: false, insuredElsewhere: false }), TZ))).toEqual({
      'CS-CSYXZM': true,
      'CS-HKDJ': true,
      'CS-YBCB': true,
      'CS-SBKSL': false,
    });
  });
});
