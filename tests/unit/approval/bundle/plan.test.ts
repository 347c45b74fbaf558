/**
 * A 企业开办 bundle application decided step by step: planBundle() says which children are ready, approval's
 * own decide() decides each, and the plan settles into the roll-up. Hand-computed cases: everything
 * approved through an `after` chain on the certificates just issued, a required child rejected while an
 * optional one is approved, an optional one rejected, and a NEEDS_ANSWER that a supplement resolves.
 */
import { decide } from '#approval/domain/decide';
import { bundleFacts } from '#approval/domain/bundle/applicability';
import { planBundle, type BundlePlan } from '#approval/domain/bundle/plan';
import { mergeSupplement } from '#approval/domain/bundle/supplement';
import type { ChildState } from '#approval/domain/bundle/types';
import type { Decision } from '#approval/domain/decision';
import type { Application, Licence, ServiceItem } from '#approval/domain/types';
import { calendar } from '../fixtures';
import { FOUNDER, item, startUp } from './fixtures';

const NOW = '2026-11-18T02:00:00.000Z';
const ID_CARD: Licence = { licenceNo: 'ID-A', licenceType: '居民身份证', holderId: FOUNDER.id, issuer: '公安局', issuedAt: '2020-01-01T00:00:00.000Z', validUntil: '2036-01-01', trustLevel: 'A', attributes: {} };
const ID = { code: 'M-ID', name: '居民身份证', licenceType: '居民身份证', minTrustLevel: 'A' } as const;
const BL = { code: 'M-BL', name: '营业执照', licenceType: '营业执照', minTrustLevel: 'A' } as const;

const catalogue = new Map<string, ServiceItem>(
  [
    item('QYKB-SLDJ', '营业执照', [ID, { code: 'M-ARTICLES', name: '公司章程', declared: true }]),
    item('QYKB-YZKZ', '印章备案证明', [BL, ID], { rules: { id: 'R-SEAL', description: '刻制印章不超过5枚', fact: 'form.seals', op: 'lte', value: 5 } }),
    item('QYKB-FPSL', '发票领用', [BL], { rules: { id: 'R-TAX', description: '纳税人类型为小规模纳税人或一般纳税人', fact: 'form.taxpayerType', op: 'in', value: ['小规模纳税人', '一般纳税人'] } }),
    item('QYKB-SBDJ', '社保登记证', [BL, ID], { mode: 'manual' }),
    item('QYKB-YHKH', '开户许可', [BL, { code: 'M-SEAL', name: '印章', licenceType: '印章备案证明' }, ID]),
  ].map((i) => [i.itemCode, i]),
);

const FORM = { enterpriseName: '深圳市某某科技有限公司', seals: 3, taxpayerType: '小规模纳税人', employees: 0 };

/** Plans, decides every ready child with decide(), and plans again until the bundle is settled or needs answers. */
function run(answers: Record<string, unknown>, form: Record<string, unknown> = FORM) {
  const decided = new Map<string, Extract<ChildState, { kind: 'decided' }>>();
  const decisions = new Map<string, Decision>();
  const facts = bundleFacts({ form, applicant: {}, licence: {}, credit: {}, now: NOW }, answers);
  for (let round = 0; round < 10; round++) {
    const plan: BundlePlan = planBundle({ bundle: startUp, items: catalogue, facts, decided, applicantId: FOUNDER.id, timeZone: 'Asia/Shanghai', now: NOW });
    if (plan.kind !== 'decide') return { plan, decisions };
    for (const ready of plan.ready) {
      const application: Application = { applicationId: 'YJS-20261118-0007', itemCode: ready.itemCode, applicant: FOUNDER, form, materials: [{ code: 'M-ARTICLES', provided: true }], channel: 'online', submittedAt: NOW };
      const decision = decide({ application, item: ready.item, licences: [ID_CARD, ...ready.licences], now: NOW, calendar });
      decisions.set(ready.itemCode, decision);
      decided.set(ready.itemCode, { kind: 'decided', outcome: decision.outcome, decidedAt: NOW, ...(decision.certificateNo ? { certificateNo: decision.certificateNo } : {}) });
    }
  }
  throw new Error('the bundle did not settle');
}

/** Each child's outcome or state kind, by item code (none before the plan is settled). */
const outcomes = (plan: BundlePlan): Record<string, string> =>
  plan.kind === 'settled' ? Object.fromEntries(plan.children.map((c) => [c.itemCode, c.state.kind === 'decided' ? c.state.outcome : c.state.kind])) : {};

describe('a 企业开办 bundle application, child by child through decide()', () => {
  it('approves every applicable child, each follower on the certificates just issued', () => {
    const { plan, decisions } = run({ needsInvoice: true, hiresStaff: false });
    expect(plan.kind === 'settled' && plan.status).toBe('APPROVED');
    expect(outcomes(plan)).toEqual({ 'QYKB-SLDJ': 'APPROVED', 'QYKB-YZKZ': 'APPROVED', 'QYKB-FPSL': 'APPROVED', 'QYKB-SBDJ': 'notApplicable', 'QYKB-YHKH': 'APPROVED' });
    // The bank account uses the business licence and the seal the bundle issued, and the ID card the founder holds.
    expect(decisions.get('QYKB-YHKH')?.licencesUsed.map((l) => l.licenceNo)).toEqual(['营业执照-YJS-20261118-0007', '印章备案证明-YJS-20261118-0007', 'ID-A']);
    // 2 + 2 + 1 + 3 materials in the four applicable items, 4 in the merged set (M-ID, M-ARTICLES, M-BL, M-SEAL).
    expect(plan.kind === 'settled' && [plan.merged.map((m) => m.code), plan.materialsSaved]).toEqual([['M-ID', 'M-ARTICLES', 'M-BL', 'M-SEAL'], 4]);
  });

  it('rejects the bundle when a required child is rejected, though an optional one is approved, and does not start its followers', () => {
    const { plan } = run({ needsInvoice: true, hiresStaff: false }, { ...FORM, seals: 9 });
    expect(plan.kind === 'settled' && plan.status).toBe('REJECTED');
    expect(outcomes(plan)).toEqual({ 'QYKB-SLDJ': 'APPROVED', 'QYKB-YZKZ': 'REJECTED', 'QYKB-FPSL': 'APPROVED', 'QYKB-SBDJ': 'notApplicable', 'QYKB-YHKH': 'notStarted' });
    expect(plan.kind === 'settled' && plan.children.find((c) => c.itemCode === 'QYKB-YHKH')?.state).toEqual({ kind: 'notStarted', predecessor: 'QYKB-YZKZ', predecessorState: 'REJECTED' });
  });

  it('approves the bundle partially when only an optional child is rejected', () => {
    const { plan } = run({ needsInvoice: true, hiresStaff: false }, { ...FORM, taxpayerType: '个体' });
    expect(plan.kind === 'settled' && [plan.status, outcomes(plan)['QYKB-FPSL']]).toEqual(['PARTIALLY_APPROVED', 'REJECTED']);
  });

  it('asks before deciding anything, and goes on once a supplement answers', () => {
    const stored = { answers: { needsInvoice: true }, form: { enterpriseName: FORM.enterpriseName, seals: 3, taxpayerType: '小规模纳税人' } };
    const first = run(stored.answers, stored.form);
    expect(first.decisions.size).toBe(0);
    expect(first.plan.kind === 'needsAnswer' && [first.plan.questions.map((q) => q.id), first.plan.unknownFacts]).toEqual([['hiresStaff'], ['form.employees']]);

    const supplemented = mergeSupplement(stored, { answers: { hiresStaff: true } });
    const { plan, decisions } = run(supplemented.answers, supplemented.form);
    // 社保登记 now applies; it is a manual item, so a person decides it and the bundle is in progress.
    expect(plan.kind === 'settled' && [plan.status, outcomes(plan)['QYKB-SBDJ']]).toEqual(['IN_PROGRESS', 'MANUAL_REVIEW']);
    expect(decisions.get('QYKB-SBDJ')?.materialsWaived).toEqual(['M-BL', 'M-ID']);
  });
});
