/**
 * One material set for a bundle: the merge (strictest trust, tolerable only if tolerable everywhere), the
 * materials saved, each material judged once (decide() on the merged requirement in every child), and the
 * combined 一次性告知, against hand-computed cases.
 */
import { decide } from '#approval/domain/decide';
import { childItem, combinedNotice, materialsSaved, mergeMaterials } from '#approval/domain/bundle/materials';
import type { Application, Licence } from '#approval/domain/types';
import { calendar } from '../fixtures';
import { FOUNDER, item } from './fixtures';

const NOW = '2026-11-18T02:00:00.000Z';

// 设立登记 takes the ID card at any trust level and tolerates the lease; 银行开户 wants the ID card at A and
// the lease at once; 社保登记 wants the ID card at B and tolerates the lease too.
const registration = item('QYKB-SLDJ', '营业执照', [
  { code: 'M-ID', name: '居民身份证', licenceType: '居民身份证' },
  { code: 'M-LEASE', name: '租赁合同', tolerable: true },
  { code: 'M-FORM', name: '设立登记申请书', declared: true },
]);
const bank = item('QYKB-YHKH', '开户许可', [
  { code: 'M-ID', name: '居民身份证', licenceType: '居民身份证', minTrustLevel: 'A' },
  { code: 'M-LEASE', name: '租赁合同' },
]);
const social = item('QYKB-SBDJ', '社保登记证', [
  { code: 'M-ID', name: '居民身份证', licenceType: '居民身份证', minTrustLevel: 'B' },
  { code: 'M-PAYROLL', name: '工资发放承诺', declared: true, tolerable: true },
]);

describe('the merged material set of a bundle', () => {
  it('merges by code: the strictest trust level wins, tolerable only where every item tolerates it', () => {
    expect(mergeMaterials([registration, bank, social])).toEqual([
      { code: 'M-ID', name: '居民身份证', licenceType: '居民身份证', minTrustLevel: 'A', tolerable: false, servesItems: ['QYKB-SLDJ', 'QYKB-YHKH', 'QYKB-SBDJ'] },
      { code: 'M-LEASE', name: '租赁合同', tolerable: false, servesItems: ['QYKB-SLDJ', 'QYKB-YHKH'] },
      { code: 'M-FORM', name: '设立登记申请书', declared: true, tolerable: false, servesItems: ['QYKB-SLDJ'] },
      { code: 'M-PAYROLL', name: '工资发放承诺', declared: true, tolerable: true, servesItems: ['QYKB-SBDJ'] },
    ]);
  });

  it('keeps a material tolerable when every item needing it tolerates it, and B over no level', () => {
    const merged = mergeMaterials([registration, social, { ...social, itemCode: 'X', materials: [{ code: 'M-LEASE', name: '租赁合同', tolerable: true }] }]);
    expect(merged.find((m) => m.code === 'M-LEASE')).toMatchObject({ tolerable: true, servesItems: ['QYKB-SLDJ', 'X'] });
    expect(merged.find((m) => m.code === 'M-ID')?.minTrustLevel).toBe('B');
  });

  it('counts the materials saved: the applicable items\' materials minus the merged set', () => {
    const items = [registration, bank, social];
    expect(materialsSaved(items, mergeMaterials(items))).toBe(3 + 2 + 2 - 4);
    expect(materialsSaved([registration], mergeMaterials([registration]))).toBe(0);
  });

  describe('each material judged once, against the merged requirement, in every child', () => {
    const items = [registration, bank];
    const merged = mergeMaterials(items);
    const idCard = (trustLevel: 'A' | 'B'): Licence => ({ licenceNo: `ID-${trustLevel}`, licenceType: '居民身份证', holderId: FOUNDER.id, issuer: '公安局', issuedAt: '2020-01-01T00:00:00.000Z', validUntil: '2036-01-01', trustLevel, attributes: {} });
    const application = (itemCode: string): Application => ({
      applicationId: 'YJS-1', itemCode, applicant: FOUNDER, form: { enterpriseName: '某某公司' }, materials: [{ code: 'M-FORM', provided: true }], channel: 'online', submittedAt: NOW,
    });
    const decideAlone = (licence: Licence) => decide({ application: application('QYKB-SLDJ'), item: registration, licences: [licence], now: NOW, calendar });
    const decideChildren = (licence: Licence) => items.map((i) => decide({ application: application(i.itemCode), item: childItem(i, merged), licences: [licence], now: NOW, calendar }));

    it('gives the requirement each material has in the merged set', () => {
      expect(childItem(registration, merged).materials).toEqual([
        { code: 'M-ID', name: '居民身份证', licenceType: '居民身份证', minTrustLevel: 'A', tolerable: false },
        { code: 'M-LEASE', name: '租赁合同', tolerable: false },
        { code: 'M-FORM', name: '设立登记申请书', declared: true, tolerable: false },
      ]);
    });

    it('makes the lease, tolerable in one item only, missing in every child instead of 容缺 in one', () => {
      const alone = decideAlone(idCard('A'));
      expect([alone.outcome, alone.materialsPending.map((m) => m.code)]).toEqual(['ACCEPTED_PENDING_MATERIALS', ['M-LEASE']]);
      const children = decideChildren(idCard('A'));
      expect(children.map((c) => [c.outcome, c.materialsMissing.map((m) => m.code), c.materialsPending.length, c.materialsWaived])).toEqual([
        ['REJECTED', ['M-LEASE'], 0, ['M-ID']],
        ['REJECTED', ['M-LEASE'], 0, ['M-ID']],
      ]);
    });

    it('holds a B-level ID card short of the strictest level (A) in every child, though one item alone takes it', () => {
      expect(decideAlone(idCard('B')).materialsWaived).toEqual(['M-ID']);
      const children = decideChildren(idCard('B'));
      expect(children.map((c) => [c.materialsWaived, c.materialsMissing.map((m) => m.code).includes('M-ID')])).toEqual([[[], true], [[], true]]);
    });
  });

  it('keeps a tolerable material pending in a child its own rule rejects, where a single item\'s rejection lists it missing', () => {
    const sealRule = { id: 'R-SEAL', description: '刻制印章不超过5枚', fact: 'form.seals', op: 'lte' as const, value: 5 };
    const seal = item('QYKB-YZKZ', '印章备案证明', [{ code: 'M-LEASE', name: '租赁合同', declared: true, tolerable: true }, { code: 'M-NAME', name: '名称核准书' }], { rules: sealRule });
    const application: Application = { applicationId: 'YJS-2', itemCode: 'QYKB-YZKZ', applicant: FOUNDER, form: { seals: 9 }, materials: [{ code: 'M-NAME', provided: true }], channel: 'online', submittedAt: NOW };
    const alone = decide({ application, item: seal, licences: [], now: NOW, calendar });
    const child = decide({ application, item: childItem(seal, mergeMaterials([seal])), licences: [], now: NOW, calendar, sharedMaterials: true });
    const verdict = (d: typeof alone) => [d.outcome, d.materialsMissing.map((m) => m.code), d.materialsPending.map((m) => m.code), d.trace.materials.map((m) => `${m.code}:${m.status}`)];
    expect(verdict(alone)).toEqual(['REJECTED', ['M-LEASE'], [], ['M-LEASE:missing', 'M-NAME:unverifiable']]);
    expect(verdict(child)).toEqual(['REJECTED', [], ['M-LEASE'], ['M-LEASE:pending', 'M-NAME:unverifiable']]);
    expect(child.reasons.map((r) => r.code)).toEqual(['RULE_FALSE']);
    // Rejected for a missing material as well: the rejection lists that one, the tolerable one stays pending.
    const without = { ...application, materials: [] };
    const missing = decide({ application: without, item: childItem(seal, mergeMaterials([seal])), licences: [], now: NOW, calendar, sharedMaterials: true });
    expect(verdict(missing)).toEqual(['REJECTED', ['M-NAME'], ['M-LEASE'], ['M-LEASE:pending', 'M-NAME:missing']]);
    expect(missing.reasons.find((r) => r.code === 'MATERIALS_MISSING')?.details).toEqual({ materials: [{ code: 'M-NAME', name: '名称核准书' }] });
    expect(decide({ application: without, item: seal, licences: [], now: NOW, calendar }).reasons.find((r) => r.code === 'MATERIALS_MISSING')?.details).toEqual({
      materials: [{ code: 'M-NAME', name: '名称核准书' }, { code: 'M-LEASE', name: '租赁合同' }],
    });
  });

  it('lists every missing material once in the combined notice, leaving out the children not started', () => {
    const notice = combinedNotice(
      [
        { itemCode: 'QYKB-SLDJ', missing: [{ code: 'M-ID', name: '居民身份证' }], pending: [{ code: 'M-PAYROLL', name: '工资发放承诺' }] },
        { itemCode: 'QYKB-SBDJ', missing: [{ code: 'M-ID', name: '居民身份证' }, { code: 'M-PAYROLL', name: '工资发放承诺' }], pending: [] },
        { itemCode: 'QYKB-YHKH', missing: [{ code: 'M-BANK', name: '开户申请书' }], pending: [] },
      ],
      new Set(['QYKB-YHKH']),
    );
    expect(notice).toEqual([
      { code: 'M-ID', name: '居民身份证', status: 'missing', items: ['QYKB-SLDJ', 'QYKB-SBDJ'] },
      { code: 'M-PAYROLL', name: '工资发放承诺', status: 'missing', items: ['QYKB-SLDJ', 'QYKB-SBDJ'] },
    ]);
  });
});
