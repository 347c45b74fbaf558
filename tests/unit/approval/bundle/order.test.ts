/**
 * The order of a bundle's children: `after` without the predecessors that do not apply, followers of a
 * failed predecessor not started (naming it), and an `after` chain decided by approval's own decide(), the
 * follower using the certificate its predecessor was just issued as a trust-A e-licence.
 */
import { decide } from '#approval/domain/decide';
import { childItem, mergeMaterials } from '#approval/domain/bundle/materials';
import { CERTIFICATE_VALID_UNTIL, progress, type OrderInput, type Progress } from '#approval/domain/bundle/order';
import type { ChildState } from '#approval/domain/bundle/types';
import type { Outcome } from '#approval/domain/decision';
import type { Application, ServiceItem } from '#approval/domain/types';
import { calendar } from '../fixtures';
import { FOUNDER, item, newborn, startUp } from './fixtures';

const NOW = '2026-11-18T02:00:00.000Z';
const decided = (outcome: Outcome, certificateNo?: string): Extract<ChildState, { kind: 'decided' }> => ({ kind: 'decided', outcome, decidedAt: NOW, ...(certificateNo ? { certificateNo } : {}) });
const certTypes = new Map(startUp.items.map((i) => [i.itemCode, { certificateType: `证-${i.itemCode}`, departmentCode: `D-${i.itemCode}` }]));
const allApply = (codes: readonly string[], except: readonly string[] = []) => new Map(codes.map((c) => [c, !except.includes(c)]));
const START_UP = startUp.items.map((i) => i.itemCode);

function states(input: Partial<OrderInput>): Record<string, Progress['kind'] | string> {
  const out = progress({ bundle: startUp, applies: allApply(START_UP), decided: new Map(), items: certTypes, applicantId: FOUNDER.id, now: NOW, ...input });
  return Object.fromEntries([...out].map(([code, p]) => [code, p.kind === 'notStarted' ? `notStarted:${p.predecessor}:${p.predecessorState}` : p.kind === 'waiting' ? `waiting:${p.for.join(',')}` : p.kind === 'decided' ? p.outcome : p.kind]));
}

describe('the order of a bundle\'s children', () => {
  it('starts the items that follow nothing, and keeps followers waiting for what they follow', () => {
    expect(states({})).toEqual({
      'QYKB-SLDJ': 'ready',
      'QYKB-YZKZ': 'waiting:QYKB-SLDJ',
      'QYKB-FPSL': 'waiting:QYKB-SLDJ',
      'QYKB-SBDJ': 'waiting:QYKB-SLDJ',
      'QYKB-YHKH': 'waiting:QYKB-SLDJ,QYKB-YZKZ',
    });
  });

  it('starts followers once what they follow is approved, and waits on one still with a person', () => {
    const d = new Map([['QYKB-SLDJ', decided('APPROVED', 'C-1')], ['QYKB-YZKZ', decided('MANUAL_REVIEW')]]);
    expect(states({ decided: d, applies: allApply(START_UP, ['QYKB-FPSL']) })).toEqual({
      'QYKB-SLDJ': 'APPROVED',
      'QYKB-YZKZ': 'MANUAL_REVIEW',
      'QYKB-FPSL': 'notApplicable',
      'QYKB-SBDJ': 'ready',
      'QYKB-YHKH': 'waiting:QYKB-YZKZ',
    });
  });

  it('decides a child decided before again on the predecessors it had then, not on one that applies since', () => {
    // The bank account was accepted when the seal did not apply; the seal applies now and is not decided.
    const d = new Map([['QYKB-SLDJ', decided('APPROVED', 'C-1')]]);
    const settled = new Set(['QYKB-SLDJ', 'QYKB-YHKH']);
    expect(states({ decided: d, settled })['QYKB-YHKH']).toBe('ready');
    // A child never decided waits for it, as ever.
    expect(states({ decided: d })['QYKB-YHKH']).toBe('waiting:QYKB-YZKZ');
  });

  it('does not start followers of a rejected, terminated or revoked predecessor, naming it, nor their followers', () => {
    expect(states({ decided: new Map([['QYKB-SLDJ', decided('REJECTED')]]) })).toEqual({
      'QYKB-SLDJ': 'REJECTED',
      'QYKB-YZKZ': 'notStarted:QYKB-SLDJ:REJECTED',
      'QYKB-FPSL': 'notStarted:QYKB-SLDJ:REJECTED',
      'QYKB-SBDJ': 'notStarted:QYKB-SLDJ:REJECTED',
      'QYKB-YHKH': 'notStarted:QYKB-SLDJ:REJECTED',
    });
    const terminatedSeal = new Map([['QYKB-SLDJ', decided('APPROVED', 'C-1')], ['QYKB-YZKZ', decided('TERMINATED')]]);
    expect(states({ decided: terminatedSeal })['QYKB-YHKH']).toBe('notStarted:QYKB-YZKZ:TERMINATED');
    const chain = progress({ bundle: newborn, applies: allApply(newborn.items.map((i) => i.itemCode)), decided: new Map([['CS-CSYXZM', decided('REVOKED')]]), items: new Map(), applicantId: FOUNDER.id, now: NOW });
    expect(chain.get('CS-HKDJ')).toEqual({ kind: 'notStarted', predecessor: 'CS-CSYXZM', predecessorState: 'REVOKED' });
    expect(chain.get('CS-YBCB')).toEqual({ kind: 'notStarted', predecessor: 'CS-HKDJ', predecessorState: 'NOT_STARTED' });
    expect(chain.get('CS-SBKSL')).toEqual({ kind: 'notStarted', predecessor: 'CS-YBCB', predecessorState: 'NOT_STARTED' });
  });

  it('drops a predecessor that does not apply from after', () => {
    // 出生一件事 without 户口登记: 医保参保 follows only 户口登记, so it starts at once.
    const codes = newborn.items.map((i) => i.itemCode);
    const out = progress({ bundle: newborn, applies: allApply(codes, ['CS-HKDJ']), decided: new Map(), items: new Map(), applicantId: FOUNDER.id, now: NOW });
    expect([...out].map(([c, p]) => [c, p.kind])).toEqual([['CS-CSYXZM', 'ready'], ['CS-HKDJ', 'notApplicable'], ['CS-YBCB', 'ready'], ['CS-SBKSL', 'waiting']]);
  });

  it('gives a follower the certificates of every approved item it follows, directly or not, as trust-A e-licences', () => {
    const d = new Map([['QYKB-SLDJ', decided('APPROVED', 'C-SLDJ')], ['QYKB-YZKZ', decided('APPROVED_ON_COMMITMENT', 'C-YZKZ')]]);
    const bank = progress({ bundle: startUp, applies: allApply(START_UP), decided: d, items: certTypes, applicantId: FOUNDER.id, now: NOW }).get('QYKB-YHKH');
    expect(bank).toEqual({
      kind: 'ready',
      certificates: [
        { licenceNo: 'C-SLDJ', licenceType: '证-QYKB-SLDJ', holderId: FOUNDER.id, issuer: 'D-QYKB-SLDJ', issuedAt: NOW, validUntil: CERTIFICATE_VALID_UNTIL, trustLevel: 'A', attributes: { bundleCode: 'YJS-QYKB', itemCode: 'QYKB-SLDJ' } },
        { licenceNo: 'C-YZKZ', licenceType: '证-QYKB-YZKZ', holderId: FOUNDER.id, issuer: 'D-QYKB-YZKZ', issuedAt: NOW, validUntil: CERTIFICATE_VALID_UNTIL, trustLevel: 'A', attributes: { bundleCode: 'YJS-QYKB', itemCode: 'QYKB-YZKZ' } },
      ],
    });
    // 社保卡 follows 医保 follows 户口 follows 出生医学证明: all three certificates serve it.
    const codes = newborn.items.map((i) => i.itemCode);
    const chain = new Map([['CS-CSYXZM', decided('APPROVED', 'N-1')], ['CS-HKDJ', decided('APPROVED', 'N-2')], ['CS-YBCB', decided('APPROVED', 'N-3')]]);
    const types = new Map(codes.map((c) => [c, { certificateType: `证-${c}`, departmentCode: 'D' }]));
    const card = progress({ bundle: newborn, applies: allApply(codes), decided: chain, items: types, applicantId: FOUNDER.id, now: NOW }).get('CS-SBKSL');
    expect(card?.kind === 'ready' && card.certificates.map((c) => c.licenceNo).sort()).toEqual(['N-1', 'N-2', 'N-3']);
  });

  it('issues a certificate no later than the moment its follower is decided', () => {
    // A person's approval carries the department's time, which may run ahead of ours; an earlier one stands.
    const ahead = '2026-11-18T02:00:30.000Z';
    const before = '2026-11-18T01:30:00.000Z';
    const d = new Map<string, Extract<ChildState, { kind: 'decided' }>>([
      ['QYKB-SLDJ', { kind: 'decided', outcome: 'APPROVED', decidedAt: ahead, certificateNo: 'C-SLDJ' }],
      ['QYKB-YZKZ', { kind: 'decided', outcome: 'APPROVED', decidedAt: before, certificateNo: 'C-YZKZ' }],
    ]);
    const bank = progress({ bundle: startUp, applies: allApply(START_UP), decided: d, items: certTypes, applicantId: FOUNDER.id, now: NOW }).get('QYKB-YHKH');
    if (bank?.kind !== 'ready') throw new Error(`expected ready, got ${bank?.kind}`);
    expect(bank.certificates.map((c) => [c.licenceNo, c.issuedAt])).toEqual([['C-SLDJ', NOW], ['C-YZKZ', before]]);
  });
});

describe('an after chain decided by approval\'s decide()', () => {
  // 设立登记 issues the 营业执照; 公章刻制 needs the 营业执照 (trust A) and the ID card, which the founder holds at B only.
  const licence = item('QYKB-SLDJ', '营业执照', [{ code: 'M-ID', name: '居民身份证', declared: true }]);
  const seal = item('QYKB-YZKZ', '印章备案证明', [
    { code: 'M-BL', name: '营业执照', licenceType: '营业执照', minTrustLevel: 'A' },
    { code: 'M-ID', name: '居民身份证', declared: true },
  ]);
  const items = new Map<string, ServiceItem>([[licence.itemCode, licence], [seal.itemCode, seal]]);
  const bundle = { ...startUp, items: startUp.items.slice(0, 2) };
  const merged = mergeMaterials([licence, seal]);
  const application = (itemCode: string): Application => ({
    applicationId: 'YJS-20261118-0001',
    itemCode,
    applicant: FOUNDER,
    form: { enterpriseName: '深圳市某某科技有限公司' },
    materials: [{ code: 'M-ID', provided: true }],
    channel: 'online',
    submittedAt: '2026-11-18T01:59:00.000Z',
  });
  const decideChild = (code: string, licences: Parameters<typeof decide>[0]['licences']) =>
    decide({ application: application(code), item: childItem(items.get(code)!, merged), licences, now: NOW, calendar });

  it('approves the seal with the business licence just issued, which the applicant never brought', () => {
    const applies = new Map([[licence.itemCode, true], [seal.itemCode, true]]);
    const first = progress({ bundle, applies, decided: new Map(), items, applicantId: FOUNDER.id, now: NOW });
    expect([...first.values()].map((p) => p.kind)).toEqual(['ready', 'waiting']);
    // Deciding the seal now, without the certificate, would reject it for the missing 营业执照.
    expect(decideChild(seal.itemCode, []).outcome).toBe('REJECTED');

    const businessLicence = decideChild(licence.itemCode, []);
    expect(businessLicence).toMatchObject({ outcome: 'APPROVED', certificateNo: '营业执照-YJS-20261118-0001' });
    const after = progress({ bundle, applies, decided: new Map([[licence.itemCode, decided('APPROVED', businessLicence.certificateNo)]]), items, applicantId: FOUNDER.id, now: NOW });
    const ready = after.get(seal.itemCode);
    expect(ready?.kind).toBe('ready');
    if (ready?.kind !== 'ready') return;

    const sealDecision = decideChild(seal.itemCode, ready.certificates);
    expect(sealDecision.outcome).toBe('APPROVED');
    expect(sealDecision.materialsWaived).toEqual(['M-BL']);
    expect(sealDecision.licencesUsed).toEqual([{ materialCode: 'M-BL', licenceNo: '营业执照-YJS-20261118-0001', licenceType: '营业执照', trustLevel: 'A' }]);
  });
});
