/**
 * The combined 一次性告知 of a bundle lists every missing material once, those of children still waiting
 * for the items they follow included: the applicant can bring them while a person reviews the predecessor,
 * instead of hearing of them only when the follower is decided (and rejected). What a predecessor's
 * certificate will serve is not asked for. Hand-computed on the 企业开办 sample bundle.
 */
import { decideBundle, type BundleContext } from '#approval/domain/bundle/application';
import { reviewBundleChild, supplementBundle } from '#approval/domain/bundle/later';
import type { Licence, ServiceItem } from '#approval/domain/types';
import { calendar } from '../fixtures';
import { FOUNDER, item, startUp, startUpApplication } from './fixtures';

const NOW = '2026-11-18T02:00:00.000Z';
const LATER = '2026-11-18T06:00:00.000Z';
const ID_CARD: Licence = { licenceNo: 'ID-A', licenceType: '居民身份证', holderId: FOUNDER.id, issuer: '公安局', issuedAt: '2020-01-01T00:00:00.000Z', validUntil: '2036-01-01', trustLevel: 'A', attributes: {} };
const ID = { code: 'M-ID', name: '居民身份证', licenceType: '居民身份证', minTrustLevel: 'A' } as const;
const BL = { code: 'M-BL', name: '营业执照', licenceType: '营业执照', minTrustLevel: 'A' } as const;
const SEAL_FORM = { code: 'M-SEAL-FORM', name: '刻章申请表', declared: true } as const;
const LEASE = { code: 'M-LEASE', name: '租赁合同', declared: true, tolerable: true } as const;

// Registration goes to a person; the seal and the bank account wait for it (the account for the seal too).
const items = new Map<string, ServiceItem>(
  [
    item('QYKB-SLDJ', '营业执照', [ID, { code: 'M-ARTICLES', name: '公司章程', declared: true }], { mode: 'manual' }),
    item('QYKB-YZKZ', '印章备案证明', [BL, ID, SEAL_FORM]),
    item('QYKB-FPSL', '发票领用', [BL]),
    item('QYKB-SBDJ', '社保登记证', [BL, ID], { mode: 'manual' }),
    item('QYKB-YHKH', '开户许可', [BL, { code: 'M-SEAL', name: '印章', licenceType: '印章备案证明' }, ID, LEASE]),
  ].map((i) => [i.itemCode, i]),
);

const application = startUpApplication('YJS-20261118-0009', NOW, {
  form: { enterpriseName: '深圳市某某科技有限公司', employees: 0 },
  answers: { needsInvoice: false, hiresStaff: false },
});

const context = (now = NOW): BundleContext => ({ bundle: startUp, items, licences: [ID_CARD], now, calendar });
const outcomes = (s: { children: readonly { itemCode: string; state: { kind: string; outcome?: string } }[] }) =>
  Object.fromEntries(s.children.map((c) => [c.itemCode, c.state.kind === 'decided' ? c.state.outcome : c.state.kind]));

describe('the combined notice of a bundle with children waiting', () => {
  it('lists what the waiting children lack, but not what a predecessor certificate will serve', () => {
    const s = decideBundle(application, context());
    expect(outcomes(s)).toEqual({ 'QYKB-SLDJ': 'MANUAL_REVIEW', 'QYKB-YZKZ': 'waiting', 'QYKB-FPSL': 'notApplicable', 'QYKB-SBDJ': 'notApplicable', 'QYKB-YHKH': 'waiting' });
    expect(s.status).toBe('IN_PROGRESS');
    // M-BL (the business licence) and M-SEAL (the seal record) come from the bureau itself; M-ID is an e-licence.
    expect(s.notice).toEqual([
      { code: 'M-SEAL-FORM', name: '刻章申请表', status: 'missing', items: ['QYKB-YZKZ'] },
      { code: 'M-LEASE', name: '租赁合同', status: 'pending', items: ['QYKB-YHKH'] },
    ]);
  });

  it('takes what the notice asked for while the predecessor is reviewed, and the followers are approved', () => {
    const s = decideBundle(application, context());
    const supplied = supplementBundle(s, { materials: [{ code: 'M-SEAL-FORM', provided: true }, { code: 'M-LEASE', provided: true }] }, context(LATER));
    if (!supplied.ok) throw new Error(`refused: ${supplied.refusal.code}`);
    expect(supplied.state.status).toBe('IN_PROGRESS');
    expect(supplied.state.notice).toEqual([]);
    const reviewed = reviewBundleChild(supplied.state, { outcome: 'APPROVED', reasons: [], staffId: 'S-1', at: LATER, itemCode: 'QYKB-SLDJ' }, context(LATER));
    if (!reviewed.ok) throw new Error(`refused: ${reviewed.refusal.code}`);
    expect(outcomes(reviewed.state)).toMatchObject({ 'QYKB-SLDJ': 'APPROVED', 'QYKB-YZKZ': 'APPROVED', 'QYKB-YHKH': 'APPROVED' });
    expect(reviewed.state.status).toBe('APPROVED');
  });

  it('leaves out a waiting child whose predecessor is then rejected: it is not started', () => {
    const s = decideBundle(application, context());
    const rejected = reviewBundleChild(s, { outcome: 'REJECTED', reasons: ['名称不合规'], staffId: 'S-1', at: LATER, itemCode: 'QYKB-SLDJ' }, context(LATER));
    if (!rejected.ok) throw new Error(`refused: ${rejected.refusal.code}`);
    expect(outcomes(rejected.state)).toMatchObject({ 'QYKB-YZKZ': 'notStarted', 'QYKB-YHKH': 'notStarted' });
    expect(rejected.state.notice).toEqual([]);
  });
});
