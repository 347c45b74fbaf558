/**
 * A bundle application decided whole (decideBundle), supplemented (supplementBundle) and reviewed child by
 * child (reviewBundleChild), on the 企业开办 sample bundle. Hand-computed: which children are decided and
 * how, the certificates a follower uses, the roll-up, the one review case of the lead department, and what
 * 办不成事 hears of a child waiting for a person.
 */
import { childApplicationId, decideBundle, type BundleApplication, type BundleContext, type BundleState } from '#approval/domain/bundle/application';
import { reviewBundleChild, supplementBundle, terminateMissedSupplements } from '#approval/domain/bundle/later';
import { bundleFigures } from '#approval/domain/bundle/view';
import type { Licence, ServiceItem } from '#approval/domain/types';
import { makeIdNumber } from '#contract/identifiers';
import { calendar } from '../fixtures';
import { FOUNDER, item, startUp } from './fixtures';

const NOW = '2026-11-18T02:00:00.000Z';
const LATER = '2026-11-18T06:00:00.000Z';
const ID_CARD: Licence = { licenceNo: 'ID-A', licenceType: '居民身份证', holderId: FOUNDER.id, issuer: '公安局', issuedAt: '2020-01-01T00:00:00.000Z', validUntil: '2036-01-01', trustLevel: 'A', attributes: {} };
const ID = { code: 'M-ID', name: '居民身份证', licenceType: '居民身份证', minTrustLevel: 'A' } as const;
const BL = { code: 'M-BL', name: '营业执照', licenceType: '营业执照', minTrustLevel: 'A' } as const;

const items = new Map<string, ServiceItem>(
  [
    item('QYKB-SLDJ', '营业执照', [ID, { code: 'M-ARTICLES', name: '公司章程', declared: true }]),
    item('QYKB-YZKZ', '印章备案证明', [BL, ID], { rules: { id: 'R-SEAL', description: '刻制印章不超过5枚', fact: 'form.seals', op: 'lte', value: 5 } }),
    item('QYKB-FPSL', '发票领用', [BL], { rules: { id: 'R-TAX', description: '纳税人类型为小规模纳税人或一般纳税人', fact: 'form.taxpayerType', op: 'in', value: ['小规模纳税人', '一般纳税人'] } }),
    item('QYKB-SBDJ', '社保登记证', [BL, ID], { mode: 'manual' }),
    item('QYKB-YHKH', '开户许可', [BL, { code: 'M-SEAL', name: '印章', licenceType: '印章备案证明' }, ID]),
  ].map((i) => [i.itemCode, i]),
);

const FORM = { enterpriseName: '深圳市某某科技有限公司', seals: 3, taxpayerType: '小规模纳税人', employees: 0 };

const application = (answers: Record<string, unknown>, form: Record<string, unknown> = FORM): BundleApplication => ({
  applicationId: 'YJS-20261118-0007',
  bundleCode: startUp.bundleCode,
  applicant: FOUNDER,
  form,
  answers,
  materials: [{ code: 'M-ARTICLES', provided: true }],
  channel: 'online',
  submittedAt: NOW,
});

const context = (now = NOW): BundleContext => ({ bundle: startUp, items, licences: [ID_CARD], now, calendar });
const outcomes = (s: BundleState) => Object.fromEntries(s.children.map((c) => [c.itemCode, c.state.kind === 'decided' ? c.state.outcome : c.state.kind]));

describe('a bundle application decided whole', () => {
  it('approves every applicable child, followers on the certificates just issued, and opens one case for the lead department', () => {
    const s = decideBundle(application({ needsInvoice: true, hiresStaff: false }), context());
    expect(outcomes(s)).toEqual({ 'QYKB-SLDJ': 'APPROVED', 'QYKB-YZKZ': 'APPROVED', 'QYKB-FPSL': 'APPROVED', 'QYKB-SBDJ': 'notApplicable', 'QYKB-YHKH': 'APPROVED' });
    expect(s.status).toBe('APPROVED');
    const seal = s.children.find((c) => c.itemCode === 'QYKB-YZKZ')?.decision;
    // The business licence the bureau just issued serves the seal as a trust-A e-licence.
    expect(seal?.licencesUsed.map((l) => l.licenceNo)).toContain(`营业执照-${childApplicationId('YJS-20261118-0007', 'QYKB-SLDJ')}`);
    expect(seal?.departmentCode).toBe('DEPT-QYKB-YZKZ');
    expect(s.effects).toEqual([expect.objectContaining({ kind: 'openReviewCase', caseId: 'YJS-20261118-0007', itemCode: 'YJS-QYKB', departmentCode: '440305-SJJ' })]);
    // The applicable items need 2 + 2 + 1 + 3 = 8 materials; the merged set is M-ID, M-ARTICLES, M-BL, M-SEAL: 8 − 4.
    expect(s.materialsSaved).toBe(4);
    expect(s.noPerson).toBe(true);
    expect(s.legalDaysSum).toBe(40);
    expect(s.sequence).toBe(1);
  });

  it('rejects the bundle when a required child is rejected while an optional one is approved, not starting the bank account', () => {
    const s = decideBundle(application({ needsInvoice: true, hiresStaff: false }, { ...FORM, seals: 9 }), context());
    expect(outcomes(s)).toMatchObject({ 'QYKB-YZKZ': 'REJECTED', 'QYKB-FPSL': 'APPROVED', 'QYKB-YHKH': 'notStarted' });
    expect(s.status).toBe('REJECTED');
    expect(s.reasons.map((r) => r.code)).toEqual(['REQUIRED_CHILD_REJECTED', 'CHILD_NOT_STARTED']);
    expect(s.noPerson).toBe(true);
    expect(s.effects).toEqual([]);
  });

  it('says which required item did not start when it follows a rejected optional one, not that every required item is done', () => {
    // The bank account is required here and follows the optional invoice item, which its rule rejects.
    const bundle = { ...startUp, items: [
      { itemCode: 'QYKB-SLDJ', required: true },
      { itemCode: 'QYKB-FPSL', required: false, after: ['QYKB-SLDJ'] },
      { itemCode: 'QYKB-YHKH', required: true, after: ['QYKB-FPSL'] },
    ] };
    const s = decideBundle(application({ needsInvoice: true, hiresStaff: false }, { ...FORM, taxpayerType: '其他' }), { ...context(), bundle });
    expect(outcomes(s)).toEqual({ 'QYKB-SLDJ': 'APPROVED', 'QYKB-FPSL': 'REJECTED', 'QYKB-YHKH': 'notStarted' });
    // The roll-up's order is pinned: no required child rejected, so PARTIALLY_APPROVED.
    expect(s.status).toBe('PARTIALLY_APPROVED');
    expect(s.reasons.map((r) => r.code)).toEqual(['REQUIRED_CHILD_NOT_STARTED', 'CHILD_NOT_STARTED']);
    expect(s.reasons[0]?.message).toBe('必办事项未启动：QYKB-YHKH（前置事项 QYKB-FPSL 为 REJECTED）；可选事项未获准：QYKB-FPSL');
    expect(s.reasons.map((r) => r.message).join('')).not.toContain('必办事项均已办结');
  });

  it('needs answers before deciding anything, and a supplement answering them decides the children', () => {
    const asked = decideBundle(application({}), context());
    expect(asked.status).toBe('NEEDS_ANSWER');
    expect(asked.questions.map((q) => q.id)).toEqual(['needsInvoice', 'hiresStaff']);
    expect(asked.children).toEqual([]);
    const answered = supplementBundle(asked, { materials: [], answers: { needsInvoice: false, hiresStaff: false } }, context(LATER));
    if (!answered.ok) throw new Error('refused');
    expect(answered.state.status).toBe('APPROVED');
    expect(outcomes(answered.state)['QYKB-FPSL']).toBe('notApplicable');
    expect(answered.state.sequence).toBe(2);
    const again = supplementBundle(answered.state, { materials: [], answers: { needsInvoice: true } }, context(LATER));
    expect(again).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'NOT_PENDING_MATERIALS' }) });
  });

  it('refuses a supplement whose form, merged with the stored one, would be larger than one application may hold', () => {
    const asked = decideBundle(application({}), context());
    const first = supplementBundle(asked, { materials: [], form: { note1: '表'.repeat(6000) } }, context(LATER));
    if (!first.ok) throw new Error('refused');
    expect(first.state.status).toBe('NEEDS_ANSWER');
    // Each supplement is within the edge's 32 KB; their merge is not, and every version must stay storable.
    const second = supplementBundle(first.state, { materials: [], form: { note2: '表'.repeat(6000) } }, context(LATER));
    expect(second).toEqual({ ok: false, refusal: { code: 'SUPPLEMENT_TOO_LARGE', message: expect.stringMatching(/补正后的 form 为 \d+ 字节（JSON），超过一件申请可保存的 32768 字节/) } });
    const answers = supplementBundle(first.state, { materials: [], answers: { needsInvoice: false, note: '答'.repeat(3000) } }, context(LATER));
    expect(answers).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'SUPPLEMENT_TOO_LARGE' }) });
    // A key sent again replaces its value: the merge stays within the limit.
    expect(supplementBundle(first.state, { materials: [], form: { note1: '新'.repeat(6000) } }, context(LATER)).ok).toBe(true);
  });

  it('waits for a person on a manual child, and a person approving it settles the bundle with its certificate', () => {
    const s = decideBundle(application({ needsInvoice: false, hiresStaff: true }), context());
    expect(s.status).toBe('IN_PROGRESS');
    expect(s.noPerson).toBe(false);
    // 办不成事 hears of the child waiting for a person (it watches the item's promised days), by the child's id.
    const child1 = childApplicationId('YJS-20261118-0007', 'QYKB-SBDJ');
    expect(s.effects).toEqual([{ kind: 'tellHardCase', decided: expect.objectContaining({ applicationId: child1, itemCode: 'QYKB-SBDJ', outcome: 'MANUAL_REVIEW', sequence: 1, item: { name: '事项 QYKB-SBDJ', promisedDays: 1 } }) }]);
    const review = { outcome: 'APPROVED' as const, reasons: [], staffId: 'S-1', at: LATER, itemCode: 'QYKB-SBDJ' };
    const reviewed = reviewBundleChild(s, review, context(LATER));
    if (!reviewed.ok) throw new Error('refused');
    const child = reviewed.state.children.find((c) => c.itemCode === 'QYKB-SBDJ')?.decision;
    expect(child).toMatchObject({ outcome: 'APPROVED', sequence: 2, certificateNo: `社保登记证-${childApplicationId('YJS-20261118-0007', 'QYKB-SBDJ')}` });
    expect(reviewed.state.status).toBe('APPROVED');
    expect(reviewed.state.changedChildren).toEqual(['QYKB-SBDJ']);
    // The person's decision ends 办不成事's watch on the child; the bundle's one review case opens.
    expect(reviewed.state.effects).toEqual([
      { kind: 'tellHardCase', decided: expect.objectContaining({ applicationId: child1, outcome: 'APPROVED', sequence: 2 }) },
      expect.objectContaining({ kind: 'openReviewCase', departmentCode: '440305-SJJ' }),
    ]);
    // Decided already: a second decision, or one without itemCode, is refused.
    expect(reviewBundleChild(reviewed.state, review, context(LATER))).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'NOT_IN_MANUAL_REVIEW' }) });
    const { itemCode: _i, ...noItem } = review;
    expect(reviewBundleChild(s, noItem, context(LATER))).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'ITEM_CODE_REQUIRED' }) });
  });

  it('reads a person\'s birth date from the ID number when no profile gives one, in a child\'s rules and in appliesWhen', () => {
    const adult = makeIdNumber('440106', '19900101', '123');
    const aged = (itemCode: string) => ({ id: `AGE-${itemCode}`, description: '申请人年满18周岁', fact: 'applicant.birthDate', op: 'ageAtLeast' as const, value: 18 });
    const ageItems = new Map(items);
    // New versions: compiled conditions are cached by version.
    ageItems.set('QYKB-SLDJ', { ...items.get('QYKB-SLDJ')!, version: 2, rules: aged('QYKB-SLDJ') });
    // The invoice item applies to adults, whatever the answer says.
    const bundle = { ...startUp, version: startUp.version + 100, items: startUp.items.map((i) => (i.itemCode === 'QYKB-FPSL' ? { ...i, appliesWhen: aged('FPSL') } : i)) };
    const s = decideBundle(
      { ...application({ hiresStaff: false }), applicant: { ...FOUNDER, id: adult } },
      { ...context(), bundle, items: ageItems, licences: [{ ...ID_CARD, holderId: adult }] },
    );
    expect(s.status).toBe('APPROVED');
    expect(outcomes(s)).toMatchObject({ 'QYKB-SLDJ': 'APPROVED', 'QYKB-FPSL': 'APPROVED' });
    const leaf = s.children.find((c) => c.itemCode === 'QYKB-SLDJ')?.decision?.trace.rules?.leaves[0];
    expect(leaf).toMatchObject({ id: 'AGE-QYKB-SLDJ', seen: '1990-01-01', result: true });
  });

  it('reads in appliesWhen only the e-licences valid at the decision, as a child\'s rules do', () => {
    // The invoice item applies to a holder of a food licence, whatever the answer says (a version of its own: compiled conditions are cached by version).
    const holdsFoodLicence = { id: 'Q-FOOD', description: '申请人持有食品经营许可证', fact: 'licence.食品经营许可证.licenceNo', op: 'exists' as const };
    const bundle = { ...startUp, version: startUp.version + 400, items: startUp.items.map((i) => (i.itemCode === 'QYKB-FPSL' ? { ...i, appliesWhen: holdsFoodLicence } : i)) };
    const food = (extra: Partial<Licence>): Licence => ({ ...ID_CARD, licenceNo: 'SP-1', licenceType: '食品经营许可证', trustLevel: 'B', ...extra });
    const applies = (licence: Licence) =>
      decideBundle(application({ hiresStaff: false }), { ...context(), bundle, licences: [ID_CARD, licence] }).applicability.find((a) => a.itemCode === 'QYKB-FPSL')?.applies;
    // Expired the day before the decision: held no longer.
    expect(applies(food({ validUntil: '2026-11-17' }))).toBe(false);
    // Valid through the decision's local day (10:00 in Shanghai on 18 November).
    expect(applies(food({ validUntil: '2026-11-18' }))).toBe(true);
    // A revocation takes effect at revokedAt: one still to come leaves the licence held now.
    expect(applies(food({ revokedAt: '2026-12-01T00:00:00.000Z' }))).toBe(true);
    expect(applies(food({ revokedAt: '2026-11-18T01:00:00.000Z' }))).toBe(false);
  });

  it('checks each child\'s own applicant kind: a person applying for an enterprise-only item gets that child rejected', () => {
    const enterpriseOnly = (code: string) => new Map(items).set(code, { ...items.get(code)!, applicantKind: 'enterprise', version: 61 });
    const codes = (s: BundleState, code: string) => s.children.find((c) => c.itemCode === code)?.decision?.reasons.map((r) => r.code);
    // The optional invoice item is for enterprises only: the rest of the bundle goes on without it.
    const optional = decideBundle(application({ needsInvoice: true, hiresStaff: false }), { ...context(), items: enterpriseOnly('QYKB-FPSL') });
    expect(outcomes(optional)).toMatchObject({ 'QYKB-SLDJ': 'APPROVED', 'QYKB-FPSL': 'REJECTED', 'QYKB-YHKH': 'APPROVED' });
    expect(codes(optional, 'QYKB-FPSL')).toEqual(['APPLICANT_KIND_MISMATCH']);
    expect(optional.status).toBe('PARTIALLY_APPROVED');
    // The required business licence is: the bundle is rejected and its followers are not started.
    const required = decideBundle(application({ needsInvoice: true, hiresStaff: false }), { ...context(), items: enterpriseOnly('QYKB-SLDJ') });
    expect(codes(required, 'QYKB-SLDJ')).toEqual(['APPLICANT_KIND_MISMATCH']);
    expect(outcomes(required)).toMatchObject({ 'QYKB-SLDJ': 'REJECTED', 'QYKB-YZKZ': 'notStarted', 'QYKB-FPSL': 'notStarted' });
    expect(required.status).toBe('REJECTED');
  });

  it('takes a person\'s decision on a child still in manual review after the bundle is final, which stays as it was', () => {
    // The seal (required) is rejected by its rule; social insurance (optional, manual) waits for a person.
    const s = decideBundle(application({ needsInvoice: false, hiresStaff: true }, { ...FORM, seals: 9 }), context());
    expect(outcomes(s)).toMatchObject({ 'QYKB-YZKZ': 'REJECTED', 'QYKB-SBDJ': 'MANUAL_REVIEW', 'QYKB-YHKH': 'notStarted' });
    expect(s.status).toBe('REJECTED');
    const review = { outcome: 'APPROVED' as const, reasons: ['材料齐全'], staffId: 'S-2', at: LATER, itemCode: 'QYKB-SBDJ' };
    const reviewed = reviewBundleChild(s, review, context(LATER));
    if (!reviewed.ok) throw new Error(reviewed.refusal.message);
    const r = reviewed.state;
    const child = childApplicationId('YJS-20261118-0007', 'QYKB-SBDJ');
    // The child's decision is its next version, with its certificate and the person who decided.
    expect(r.children.find((c) => c.itemCode === 'QYKB-SBDJ')?.decision).toMatchObject({
      outcome: 'APPROVED',
      sequence: 2,
      certificateNo: `社保登记证-${child}`,
      review: { staffId: 'S-2', at: LATER },
    });
    expect(outcomes(r)).toEqual({ ...outcomes(s), 'QYKB-SBDJ': 'APPROVED' });
    for (const c of s.children.filter((c) => c.itemCode !== 'QYKB-SBDJ')) expect(r.children.find((x) => x.itemCode === c.itemCode)).toEqual(c);
    // The bundle stays as it was, decided when it first became final; only its version moves on.
    expect(r).toMatchObject({ status: 'REJECTED', reasons: s.reasons, decidedAt: s.decidedAt, updatedAt: LATER, sequence: 2, changedChildren: ['QYKB-SBDJ'], noPerson: false });
    // 办不成事 hears the child is no longer waiting; a rejected bundle opens no review case.
    expect(r.effects).toEqual([{ kind: 'tellHardCase', decided: expect.objectContaining({ applicationId: child, outcome: 'APPROVED', sequence: 2 }) }]);
    // Decided now: a second decision on it is refused.
    expect(reviewBundleChild(r, review, context(LATER))).toEqual({ ok: false, refusal: expect.objectContaining({ code: 'NOT_IN_MANUAL_REVIEW' }) });
  });

  it('counts a final bundle with no applicable child as decided with no person', () => {
    // Every item applies only to applicants who need an invoice; this one does not.
    const invoice = { id: 'Q-ONLY-INVOICE', description: '申请人需要申领发票', fact: 'answers.needsInvoice', op: 'eq' as const, value: true };
    const bundle = { ...startUp, version: startUp.version + 200, items: startUp.items.map((i) => ({ ...i, appliesWhen: invoice })) };
    const s = decideBundle(application({ needsInvoice: false }), { ...context(), bundle });
    expect(s.children.map((c) => c.state.kind)).toEqual(startUp.items.map(() => 'notApplicable'));
    expect(s.status).toBe('APPROVED');
    expect(s.noPerson).toBe(true);
  });

  it('is decided when the person decided its last child, not when the event reached us: the case completed then', () => {
    // Submitted Wednesday; the person approves the social-insurance child on Thursday; the event is processed
    // on Monday (a backlog). The bundle was approved on Thursday, as a single item reviewed then would be.
    const s = decideBundle(application({ needsInvoice: false, hiresStaff: true }), context());
    expect(s.status).toBe('IN_PROGRESS');
    const thursday = '2026-11-19T03:00:00.000Z';
    const monday = '2026-11-23T02:00:00.000Z';
    const reviewed = reviewBundleChild(s, { outcome: 'APPROVED', reasons: [], staffId: 'S-1', at: thursday, itemCode: 'QYKB-SBDJ' }, context(monday));
    if (!reviewed.ok) throw new Error(reviewed.refusal.message);
    expect(reviewed.state).toMatchObject({ status: 'APPROVED', decidedAt: thursday, updatedAt: monday });
    expect(reviewed.state.effects).toContainEqual(expect.objectContaining({ kind: 'openReviewCase', completedAt: thursday }));
    // The figures' time to the outcome: one working day, not three.
    expect(bundleFigures([reviewed.state], calendar).workingDays).toBe(1);
  });

  it('serves followers with a certificate a person approved on a clock ahead of ours: issued no later than they are decided', () => {
    // The business licence is decided by a person, whose system stamps the decision 30 s after our clock.
    const manualLicence = new Map(items);
    manualLicence.set('QYKB-SLDJ', { ...items.get('QYKB-SLDJ')!, version: 3, mode: 'manual' });
    const s = decideBundle(application({ needsInvoice: false, hiresStaff: false }), { ...context(), items: manualLicence });
    expect(outcomes(s)).toMatchObject({ 'QYKB-SLDJ': 'MANUAL_REVIEW', 'QYKB-YZKZ': 'waiting', 'QYKB-YHKH': 'waiting' });
    const ahead = new Date(Date.parse(NOW) + 30_000).toISOString();
    const reviewed = reviewBundleChild(s, { outcome: 'APPROVED', reasons: [], staffId: 'S-3', at: ahead, itemCode: 'QYKB-SLDJ' }, { ...context(NOW), items: manualLicence });
    if (!reviewed.ok) throw new Error(reviewed.refusal.message);
    const r = reviewed.state;
    expect(r.children.find((c) => c.itemCode === 'QYKB-SLDJ')?.decision).toMatchObject({ outcome: 'APPROVED', decidedAt: ahead });
    // The seal and the bank account, decided now, use the licence just issued rather than find it "not yet issued".
    expect(outcomes(r)).toMatchObject({ 'QYKB-SLDJ': 'APPROVED', 'QYKB-YZKZ': 'APPROVED', 'QYKB-YHKH': 'APPROVED' });
    const seal = r.children.find((c) => c.itemCode === 'QYKB-YZKZ')?.decision;
    expect(seal?.licencesUsed.map((l) => l.licenceNo)).toContain(`营业执照-${childApplicationId('YJS-20261118-0007', 'QYKB-SLDJ')}`);
    expect(seal?.trace.materials.find((m) => m.code === 'M-BL')).toMatchObject({ status: 'waived', problems: [] });
    expect(r.status).toBe('APPROVED');
  });

  it('never starts an item that did not apply once the bundle is final, however the facts have moved since', () => {
    // The invoice applies only from 04:00: not at the decision (02:00), but by the time a person decides (06:00).
    // (A version of its own: conditions are compiled once per bundle version.)
    const fromFour = { ...startUp, version: 9001, items: startUp.items.map((i) => (i.itemCode === 'QYKB-FPSL' ? { ...i, appliesWhen: { id: 'FROM-FOUR', description: '四点以后', fact: 'now', op: 'after', value: '2026-11-18T04:00:00.000Z' } } : i)) } as typeof startUp;
    const at = (now: string): BundleContext => ({ ...context(now), bundle: fromFour });
    const s = decideBundle(application({ hiresStaff: true }, { ...FORM, seals: 9 }), at(NOW));
    expect(outcomes(s)).toMatchObject({ 'QYKB-YZKZ': 'REJECTED', 'QYKB-FPSL': 'notApplicable', 'QYKB-SBDJ': 'MANUAL_REVIEW', 'QYKB-YHKH': 'notStarted' });
    expect(s.status).toBe('REJECTED');
    const reviewed = reviewBundleChild(s, { outcome: 'APPROVED', reasons: ['材料齐全'], staffId: 'S-2', at: LATER, itemCode: 'QYKB-SBDJ' }, at(LATER));
    if (!reviewed.ok) throw new Error(reviewed.refusal.message);
    // Only the reviewed child moves; the invoice is not decided now, and applicability is as the bundle ended.
    expect(outcomes(reviewed.state)).toEqual({ ...outcomes(s), 'QYKB-SBDJ': 'APPROVED' });
    expect(reviewed.state.applicability).toEqual(s.applicability);
    expect(reviewed.state.changedChildren).toEqual(['QYKB-SBDJ']);
  });

  it('rejects an unknown bundle at once, deciding nothing', () => {
    const s = decideBundle(application({}), { ...context(), bundle: undefined });
    expect(s).toMatchObject({ status: 'REJECTED', reasons: [{ code: 'BUNDLE_UNKNOWN' }], children: [] });
  });
});

describe('a later event on a bundle application keeps the children already decided', () => {
  // The seal item also needs a filing form it tolerates (容缺), so the bundle stays open with it pending.
  const SEAL_FORM = { code: 'M-SEAL-FORM', name: '刻章备案表', declared: true, tolerable: true } as const;
  const pendingItems = new Map(items);
  pendingItems.set('QYKB-YZKZ', { ...items.get('QYKB-YZKZ')!, version: 2, materials: [BL, ID, SEAL_FORM] });
  const open = (now = NOW): BundleContext => ({ ...context(now), items: pendingItems });
  const child = (s: BundleState, code: string) => s.children.find((c) => c.itemCode === code);
  const supplemented = (s: BundleState, supplement: Parameters<typeof supplementBundle>[1], now = LATER) => {
    const t = supplementBundle(s, supplement, open(now));
    if (!t.ok) throw new Error(t.refusal.message);
    return t.state;
  };

  it('keeps a child approved and one with a person when a supplement makes their appliesWhen unknown', () => {
    // 社保登记 applies by the staff count on the form (no one answered that staff will be hired).
    const s = decideBundle(application({ needsInvoice: false, hiresStaff: false }, { ...FORM, employees: 3 }), open());
    expect(outcomes(s)).toEqual({ 'QYKB-SLDJ': 'APPROVED', 'QYKB-YZKZ': 'ACCEPTED_PENDING_MATERIALS', 'QYKB-FPSL': 'notApplicable', 'QYKB-SBDJ': 'MANUAL_REVIEW', 'QYKB-YHKH': 'waiting' });
    expect(s.status).toBe('ACCEPTED_PENDING_MATERIALS');

    // The staff count is withdrawn: 社保登记's appliesWhen is now unknown, but a person already has it.
    const r = supplemented(s, { materials: [], form: { employees: null } });
    expect(r.status).toBe('ACCEPTED_PENDING_MATERIALS');
    expect(r.questions).toEqual([]);
    expect(child(r, 'QYKB-SLDJ')).toEqual(child(s, 'QYKB-SLDJ'));
    expect(child(r, 'QYKB-SBDJ')).toEqual(child(s, 'QYKB-SBDJ'));
    // Only the child pending materials is decided again (its next version, the same supplement deadline).
    const seal = child(r, 'QYKB-YZKZ')?.decision;
    expect(seal).toMatchObject({ outcome: 'ACCEPTED_PENDING_MATERIALS', sequence: 2, supplementDue: child(s, 'QYKB-YZKZ')?.decision?.supplementDue });
    expect(r.changedChildren).toEqual(['QYKB-YZKZ']);
    expect(r.applicability.find((a) => a.itemCode === 'QYKB-SBDJ')?.applies).toBe(true);
    expect(r.notice).toEqual([{ code: 'M-SEAL-FORM', name: '刻章备案表', status: 'pending', items: ['QYKB-YZKZ'] }]);

    // The filing form brought in time: the seal is approved, the bank account starts on its certificate,
    // and the bundle waits for the person deciding 社保登记.
    const done = supplemented(r, { materials: [{ code: 'M-SEAL-FORM', provided: true }] });
    expect(outcomes(done)).toEqual({ ...outcomes(s), 'QYKB-YZKZ': 'APPROVED', 'QYKB-YHKH': 'APPROVED' });
    expect(done.status).toBe('IN_PROGRESS');
  });

  it('keeps a child approved, its certificate and its legal days, when a supplement answers that it does not apply', () => {
    const s = decideBundle(application({ needsInvoice: true, hiresStaff: false }), open());
    const invoice = child(s, 'QYKB-FPSL');
    expect(invoice?.state).toEqual({ kind: 'decided', outcome: 'APPROVED', certificateNo: `发票领用-${childApplicationId('YJS-20261118-0007', 'QYKB-FPSL')}`, decidedAt: NOW });
    expect(s.legalDaysSum).toBe(40);

    const r = supplemented(s, { materials: [], answers: { needsInvoice: false } });
    expect(child(r, 'QYKB-FPSL')).toEqual(invoice);
    expect(r.legalDaysSum).toBe(40);
    expect(r.application.answers).toEqual({ needsInvoice: false, hiresStaff: false });
    expect(r.status).toBe('ACCEPTED_PENDING_MATERIALS');
  });

  it('asks again about a child not yet decided, keeping the decided ones and deciding again the one pending materials', () => {
    const s = decideBundle(application({ needsInvoice: false, hiresStaff: false }), open());
    expect(outcomes(s)).toMatchObject({ 'QYKB-SLDJ': 'APPROVED', 'QYKB-YZKZ': 'ACCEPTED_PENDING_MATERIALS', 'QYKB-FPSL': 'notApplicable', 'QYKB-YHKH': 'waiting' });
    // The invoice answer withdrawn and the filing form brought: 发票领用, never decided, is asked about again.
    const r = supplemented(s, { materials: [{ code: 'M-SEAL-FORM', provided: true }], answers: { needsInvoice: null } });
    expect(r.status).toBe('NEEDS_ANSWER');
    expect(r.questions.map((q) => q.id)).toEqual(['needsInvoice']);
    expect(r.reasons.map((c) => c.code)).toEqual(['NEEDS_ANSWER']);
    // The business licence stays; the seal, whose applicability was settled when it was accepted, takes its
    // filing form now; the bank account and the invoice wait for the answer.
    expect(outcomes(r)).toEqual({ 'QYKB-SLDJ': 'APPROVED', 'QYKB-YZKZ': 'APPROVED' });
    expect(child(r, 'QYKB-SLDJ')).toEqual(child(s, 'QYKB-SLDJ'));
    expect(child(r, 'QYKB-YZKZ')?.decision?.sequence).toBe(2);

    // Answered: the children not yet decided are decided, the others kept.
    const answered = supplemented(r, { materials: [], answers: { needsInvoice: true } });
    expect(outcomes(answered)).toEqual({ 'QYKB-SLDJ': 'APPROVED', 'QYKB-YZKZ': 'APPROVED', 'QYKB-FPSL': 'APPROVED', 'QYKB-SBDJ': 'notApplicable', 'QYKB-YHKH': 'APPROVED' });
    expect(child(answered, 'QYKB-YZKZ')).toEqual(child(r, 'QYKB-YZKZ'));
    expect(answered.changedChildren).toEqual(['QYKB-FPSL', 'QYKB-YHKH']);
    expect(answered.status).toBe('APPROVED');
  });

  it('gives the final status the decided children make rather than ask about a child not yet decided', () => {
    const s = decideBundle(application({ needsInvoice: false, hiresStaff: false }), open());
    // The seal (required, pending materials) is decided again and refused by its rule; the invoice turns unknown.
    const r = supplemented(s, { materials: [{ code: 'M-SEAL-FORM', provided: true }], form: { seals: 9 }, answers: { needsInvoice: null } });
    expect(outcomes(r)).toEqual({ 'QYKB-SLDJ': 'APPROVED', 'QYKB-YZKZ': 'REJECTED' });
    expect(r).toMatchObject({ status: 'REJECTED', questions: [], reasons: [expect.objectContaining({ code: 'REQUIRED_CHILD_REJECTED' })] });
    expect(r.applicability.find((a) => a.itemCode === 'QYKB-FPSL')?.applies).toBeNull();
  });

  // 发票领用 applies to a taxpayer the shared profile says is registered: facts a person's decision or the
  // deadlines schedule read again, and may find changed.
  const registered = { id: 'Q-TAX-REG', description: '申请人已办理税务登记', fact: 'applicant.taxRegistered', op: 'eq' as const, value: true };
  const taxBundle = { ...startUp, version: startUp.version + 300, items: startUp.items.map((i) => (i.itemCode === 'QYKB-FPSL' ? { ...i, appliesWhen: registered } : i)) };
  const withProfile = (profile: Record<string, unknown>, now = NOW): BundleContext => ({ ...open(now), bundle: taxBundle, profile });

  it('keeps a decided child on a person\'s decision on another, though the profile no longer says it applies', () => {
    const s = decideBundle(application({ hiresStaff: true }), withProfile({ taxRegistered: true }));
    expect(outcomes(s)).toMatchObject({ 'QYKB-SLDJ': 'APPROVED', 'QYKB-FPSL': 'APPROVED', 'QYKB-SBDJ': 'MANUAL_REVIEW' });
    const review = { outcome: 'APPROVED' as const, reasons: [], staffId: 'S-4', at: LATER, itemCode: 'QYKB-SBDJ' };
    const reviewed = reviewBundleChild(s, review, withProfile({}, LATER));
    if (!reviewed.ok) throw new Error(reviewed.refusal.message);
    expect(reviewed.state.status).toBe('ACCEPTED_PENDING_MATERIALS');
    expect(child(reviewed.state, 'QYKB-FPSL')).toEqual(child(s, 'QYKB-FPSL'));
    expect(outcomes(reviewed.state)).toEqual({ ...outcomes(s), 'QYKB-SBDJ': 'APPROVED' });
  });

  it('keeps a decided child when the deadlines schedule terminates another, though the profile no longer says it applies', () => {
    const s = decideBundle(application({ hiresStaff: false }), withProfile({ taxRegistered: true }));
    expect(outcomes(s)).toMatchObject({ 'QYKB-FPSL': 'APPROVED', 'QYKB-YZKZ': 'ACCEPTED_PENDING_MATERIALS' });
    const late = '2026-11-30T02:00:00.000Z';
    const swept = terminateMissedSupplements(s, withProfile({ taxRegistered: false }, late), 0);
    expect(swept?.status).toBe('TERMINATED');
    expect(outcomes(swept!)).toEqual({ ...outcomes(s), 'QYKB-YZKZ': 'TERMINATED', 'QYKB-YHKH': 'notStarted' });
    expect(child(swept!, 'QYKB-FPSL')).toEqual(child(s, 'QYKB-FPSL'));
    expect(swept?.legalDaysSum).toBe(s.legalDaysSum);
  });
});

describe('a material shared by several children of a bundle application', () => {
  // The seal and the invoice both need the lease, tolerable (容缺) in each; the invoice is refused by its rule.
  const LEASE = { code: 'M-LEASE', name: '租赁合同', declared: true, tolerable: true } as const;
  const leaseItems = new Map(items);
  leaseItems.set('QYKB-YZKZ', { ...items.get('QYKB-YZKZ')!, version: 3, materials: [BL, ID, LEASE] });
  leaseItems.set('QYKB-FPSL', { ...items.get('QYKB-FPSL')!, version: 3, materials: [BL, LEASE] });

  it('is judged once: pending (容缺) in every child that needs it, a rejected one too, and in the notice', () => {
    const s = decideBundle(application({ needsInvoice: true, hiresStaff: false }, { ...FORM, taxpayerType: '个体' }), { ...context(), items: leaseItems });
    expect(outcomes(s)).toEqual({ 'QYKB-SLDJ': 'APPROVED', 'QYKB-YZKZ': 'ACCEPTED_PENDING_MATERIALS', 'QYKB-FPSL': 'REJECTED', 'QYKB-SBDJ': 'notApplicable', 'QYKB-YHKH': 'waiting' });
    expect(s.status).toBe('ACCEPTED_PENDING_MATERIALS');
    expect(s.notice).toEqual([{ code: 'M-LEASE', name: '租赁合同', status: 'pending', items: ['QYKB-YZKZ', 'QYKB-FPSL'] }]);
    const invoice = s.children.find((c) => c.itemCode === 'QYKB-FPSL')?.decision;
    // Refused by its rule alone; the lease stays what the bundle found it: accepted as still to come.
    expect(invoice?.reasons.map((r) => r.code)).toEqual(['RULE_FALSE']);
    expect([invoice?.materialsPending.map((m) => m.code), invoice?.materialsMissing]).toEqual([['M-LEASE'], []]);
    expect(invoice?.trace.materials.find((m) => m.code === 'M-LEASE')?.status).toBe('pending');
  });
});
