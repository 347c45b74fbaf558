import { decide } from '#approval/domain/decide';
import type { Outcome, ReasonCode } from '#approval/domain/decision';
import type { Licence } from '#approval/domain/types';
import type { DecideInput } from '#approval/domain/decide';
import { createCalendar } from '#calendar';
import { makeIdNumber } from '#contract/identifiers';
import { validateData } from '#contract/envelope';
import type { Condition } from '#rules/types';
import { checkCredit } from '#approval/domain/credit';
import { foldCredit } from '#registry/domain/credit';
import { checkItem } from '#approval/domain/item-step';
import { licenceMoment } from '#approval/domain/licences';
import { judgeMaterials, materialsStep } from '#approval/domain/materials';
import {
  ENTERPRISE,
  NOW,
  PERSON,
  SUBMITTED,
  businessLicence,
  calendar,
  credit,
  criminalApp,
  enterpriseProfile,
  criminalRecordItem,
  idCard,
  inputFor,
  outdoorAdItem,
  outdoorApp,
  posterApp,
  posterItem,
  propertyCert,
  weatherApp,
  weatherItem,
} from './fixtures';

const codes = (d: { reasons: readonly { code: ReasonCode }[] }) => d.reasons.map((r) => r.code);

describe('decide: a clean instant approval', () => {
  const d = decide(inputFor(weatherApp(), weatherItem));

  it('approves with a certificate, the licence used and the material waived', () => {
    expect(d.outcome).toBe('APPROVED');
    expect(d.reasons).toEqual([]);
    expect(d.certificateNo).toBe('气象证明-APP-QX-1');
    expect(d.licencesUsed).toEqual([
      { materialCode: 'ID', licenceNo: 'SFZ-001', licenceType: '居民身份证', trustLevel: 'A' },
    ]);
    expect(d.materialsWaived).toEqual(['ID']);
    expect(d.itemVersion).toBe(3);
  });

  it('records every step in order, and the rules explanation', () => {
    expect(d.trace.steps.map((s) => [s.step, s.result])).toEqual([
      ['item', 'pass'],
      ['credit', 'pass'],
      ['materials', 'pass'],
      ['rules', 'pass'],
      ['mode', 'pass'],
    ]);
    expect(d.trace.rules?.result).toBe(true);
    expect(d.trace.rules?.leaves.map((l) => l.id)).toEqual(['QX-1', 'QX-2']);
  });

  it('opens a review case owned by the department, completed at the decision time', () => {
    expect(d.effects).toEqual([
      {
        kind: 'openReviewCase',
        caseId: 'APP-QX-1',
        itemCode: 'QX-001',
        departmentCode: 'QXJ',
        applicantId: PERSON.id,
        channel: '政务服务网',
        completedAt: NOW,
        // 受理时间, reported upward as acceptDate.
        acceptedAt: SUBMITTED,
      },
    ]);
  });

  it('measures latency, the legal due date and the time-limit compression', () => {
    expect(d.latencyMs).toBe(1500);
    expect(d.decidedAt).toBe(NOW);
    // 20 working days after Wed 2026-11-18, the starting day not counted.
    expect(d.legalDue?.date).toBe('2026-12-16');
    expect(d.actualWorkingDays).toBe(0);
    expect(d.timeLimitCompression).toBe(1);
  });

  it('never measures a negative latency: a submittedAt within the clock skew after the decision counts 0', () => {
    // The edge lets submittedAt be up to 5 minutes after the receipt; decided a minute before it.
    const ahead = decide(inputFor(weatherApp({ submittedAt: '2026-11-18T02:01:00.000Z' }), weatherItem));
    expect(ahead).toMatchObject({ outcome: 'APPROVED', decidedAt: NOW, latencyMs: 0 });
  });

  it('is deterministic and does not depend on the order of the licences', () => {
    const other: Licence = { ...idCard, licenceNo: 'SFZ-000', trustLevel: 'A', validUntil: '2031-01-01' };
    const a = decide(inputFor(weatherApp(), weatherItem, { licences: [idCard, other] }));
    const b = decide(inputFor(weatherApp(), weatherItem, { licences: [other, idCard] }));
    expect(a).toEqual(b);
    // The longer-valid of two equally trusted licences is chosen.
    expect(a.licencesUsed[0]?.licenceNo).toBe('SFZ-001');
  });

  it('counts compression in working days from the submission', () => {
    const later = decide(inputFor(weatherApp(), weatherItem, { now: '2026-11-20T08:00:00Z' }));
    expect(later.actualWorkingDays).toBe(2);
    expect(later.timeLimitCompression).toBeCloseTo(1 - 2 / 20, 10);
  });
});

describe('decide: step 1, the item and the applicant kind', () => {
  const cases: { name: string; input: DecideInput; code: ReasonCode }[] = [
    { name: 'unknown item', input: inputFor(weatherApp({ itemCode: 'NOPE' }), undefined), code: 'ITEM_UNKNOWN' },
    {
      name: 'inactive item',
      input: inputFor(weatherApp(), { ...weatherItem, active: false }),
      code: 'ITEM_INACTIVE',
    },
    {
      name: 'an enterprise applying for a person-only item',
      input: inputFor(weatherApp({ applicant: ENTERPRISE }), weatherItem),
      code: 'APPLICANT_KIND_MISMATCH',
    },
  ];
  it.each(cases)('$name → REJECTED $code, later steps skipped', ({ input, code }) => {
    const d = decide(input);
    expect(d.outcome).toBe('REJECTED');
    expect(codes(d)).toEqual([code]);
    expect(d.trace.steps.map((s) => s.result)).toEqual(['reject', 'skip', 'skip', 'skip', 'skip']);
    expect(d.trace.rules).toBeNull();
    expect(d.effects).toEqual([]);
    expect(d.reasons[0]?.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('an unknown item has no version and no legal due date', () => {
    const d = decide(inputFor(weatherApp({ itemCode: 'NOPE' }), undefined));
    expect(d.itemVersion).toBeNull();
    expect(d.legalDue).toBeNull();
    expect(d.timeLimitCompression).toBeNull();
  });

  it('an item open to any applicant accepts both kinds', () => {
    expect(decide(inputFor(outdoorApp(), outdoorAdItem)).outcome).toBe('MANUAL_REVIEW');
    expect(codes(decide(inputFor(outdoorApp(), outdoorAdItem)))).not.toContain('APPLICANT_KIND_MISMATCH');
  });
});

describe('decide: step 2, credit', () => {
  const dishonestPerson = credit({ subjectId: PERSON.id, dishonest: true, rating: 'D' });
  const dishonestFirm = credit({ subjectId: ENTERPRISE.id, dishonest: true, rating: 'D' });
  const falseCommitter = credit({ subjectId: PERSON.id, falseCommitment: true, rating: 'C' });

  const cases: { name: string; input: DecideInput; outcome: Outcome; reasons: ReasonCode[] }[] = [
    {
      name: 'dishonest, item default (manual)',
      input: inputFor(weatherApp(), weatherItem, { credit: dishonestPerson }),
      outcome: 'MANUAL_REVIEW',
      reasons: ['CREDIT_DISHONEST'],
    },
    {
      name: 'dishonest, item says reject',
      input: inputFor(posterApp(), { ...posterItem, credit: { dishonest: 'reject' } }, { credit: dishonestFirm }),
      outcome: 'REJECTED',
      reasons: ['CREDIT_DISHONEST'],
    },
    {
      name: 'dishonest on a commitment item: manual, and excluded from commitment',
      input: inputFor(criminalApp(), criminalRecordItem, { credit: dishonestPerson }),
      outcome: 'MANUAL_REVIEW',
      reasons: ['CREDIT_DISHONEST', 'COMMITMENT_EXCLUDED'],
    },
    {
      name: 'false commitment on a commitment item (signed): excluded',
      input: inputFor(criminalApp(), criminalRecordItem, { credit: falseCommitter }),
      outcome: 'MANUAL_REVIEW',
      reasons: ['COMMITMENT_EXCLUDED'],
    },
    {
      name: 'dishonest with a missing tolerable material: no pending materials, simply missing',
      input: inputFor(posterApp({ materials: [{ code: 'APPLY', provided: true }] }), posterItem, {
        credit: dishonestFirm,
      }),
      outcome: 'REJECTED',
      reasons: ['MATERIALS_MISSING'],
    },
    {
      name: 'false commitment with a missing tolerable material on a commitment item',
      input: inputFor(criminalApp({ materials: [{ code: 'APPLY', provided: true }] }), criminalRecordItem, {
        credit: falseCommitter,
      }),
      outcome: 'REJECTED',
      reasons: ['MATERIALS_MISSING'],
    },
    {
      name: 'honest subject with a good record',
      input: inputFor(weatherApp(), weatherItem, { credit: credit({ subjectId: PERSON.id }) }),
      outcome: 'APPROVED',
      reasons: [],
    },
  ];
  it.each(cases)('$name → $outcome', ({ input, outcome, reasons }) => {
    const d = decide(input);
    expect(d.outcome).toBe(outcome);
    expect(codes(d)).toEqual(reasons);
    expect(d.materialsPending).toEqual([]);
    expect(d.verificationDue).toBeUndefined();
  });

  it.each([
    ['one false-commitment mark', [{ at: '2026-10-20T02:00:00.000Z', applicationId: 'APP-REVOKED-1' }]],
    [
      'two false-commitment marks (two revoked applications)',
      [
        { at: '2026-10-20T02:00:00.000Z', applicationId: 'APP-REVOKED-1' },
        { at: '2026-10-21T02:00:00.000Z', applicationId: 'APP-REVOKED-2' },
      ],
    ],
  ])('stays excluded from commitment with %s folded in by the registry (the credit system says none)', (_, marks) => {
    const folded = foldCredit(PERSON.id, credit({ subjectId: PERSON.id }), marks);
    const d = decide(inputFor(criminalApp(), criminalRecordItem, { credit: folded }));
    expect(d.outcome).toBe('MANUAL_REVIEW');
    expect(codes(d)).toEqual(['COMMITMENT_EXCLUDED']);
    expect(d.verificationDue).toBeUndefined();
  });

  it('a false-commitment subject loses pending materials: the tolerable one is listed as missing', () => {
    const d = decide(
      inputFor(criminalApp({ materials: [{ code: 'APPLY', provided: true }] }), criminalRecordItem, {
        credit: falseCommitter,
      }),
    );
    expect(d.materialsMissing.map((m) => m.code)).toEqual(['PURPOSE']);
    expect(d.trace.materials.find((m) => m.code === 'PURPOSE')?.status).toBe('missing');
  });

  it('refuses a credit record of another subject rather than decide on it', () => {
    expect(() => decide(inputFor(weatherApp(), weatherItem, { credit: credit({ subjectId: 'someone-else' }) }))).toThrow(
      /credit record/,
    );
  });

  it('exposes the credit record to the rules', () => {
    // Rules are compiled once per item version, so a changed rule set is a new version.
    const item = {
      ...weatherItem,
      version: 101,
      rules: { id: 'CR-1', description: '信用等级为A或B', fact: 'credit.rating', op: 'in' as const, value: ['A', 'B'] },
    };
    expect(decide(inputFor(weatherApp(), item, { credit: credit({ subjectId: PERSON.id, rating: 'C' }) })).outcome).toBe(
      'REJECTED',
    );
    // Without a record the fact is unknown, never silently false.
    const none = decide(inputFor(weatherApp(), item));
    expect(none.outcome).toBe('MANUAL_REVIEW');
    expect(none.unknownFacts).toEqual(['credit.rating']);
  });
});

describe('decide: step 3, e-licences', () => {
  // 2026-11-20T17:00Z is already 2026-11-21 (01:00) in Shanghai.
  const LATE_NOW = '2026-11-20T17:00:00Z';
  const withId = (licence: Licence, now = NOW) => decide(inputFor(weatherApp(), weatherItem, { licences: [licence], now }));

  const cases: { name: string; licence: Licence; now?: string; waived: boolean; problem?: RegExp }[] = [
    { name: 'valid licence', licence: idCard, waived: true },
    {
      name: 'validUntil equal to the local decision date is still valid',
      licence: { ...idCard, validUntil: '2026-11-21' },
      now: LATE_NOW,
      waived: true,
    },
    {
      name: 'validUntil the day before the local decision date (the UTC date) is expired',
      licence: { ...idCard, validUntil: '2026-11-20' },
      now: LATE_NOW,
      waived: false,
      problem: /已过期（有效期至 2026-11-20）/,
    },
    {
      name: 'revoked before the decision',
      licence: { ...idCard, revokedAt: '2026-11-18T01:00:00Z' },
      waived: false,
      problem: /已于 2026-11-18T01:00:00Z 注销/,
    },
    {
      name: 'revoked at the decision moment',
      licence: { ...idCard, revokedAt: NOW },
      waived: false,
      problem: /注销/,
    },
    { name: 'revocation after the decision', licence: { ...idCard, revokedAt: '2026-11-18T02:00:00.001Z' }, waived: true },
    {
      name: 'trust level B below the required A',
      licence: { ...idCard, trustLevel: 'B' },
      waived: false,
      problem: /可信等级为 B，低于本材料要求的 A/,
    },
    {
      name: "someone else's licence",
      licence: { ...idCard, holderId: '440106198001011111' },
      waived: false,
      problem: /持证人不是申请人/,
    },
    {
      name: 'issued after the decision moment',
      licence: { ...idCard, issuedAt: '2026-11-19T00:00:00+08:00' },
      waived: false,
      problem: /尚未签发/,
    },
  ];
  it.each(cases)('$name → waived: $waived', ({ licence, now, waived, problem }) => {
    const d = withId(licence, now);
    const check = d.trace.materials.find((m) => m.code === 'ID');
    if (waived) {
      expect(d.outcome).toBe('APPROVED');
      expect(d.materialsWaived).toEqual(['ID']);
      expect(check?.licenceNo).toBe(licence.licenceNo);
    } else {
      // The identity material is required, not tolerable: the application is rejected, saying why.
      expect(d.outcome).toBe('REJECTED');
      expect(codes(d)).toEqual(['MATERIALS_MISSING']);
      expect(d.materialsWaived).toEqual([]);
      expect(d.licencesUsed).toEqual([]);
      expect(check?.status).toBe('missing');
      expect(check?.problems.join('；')).toMatch(problem!);
    }
  });

  it('uses the licence the application names, and says why when it is invalid', () => {
    const expired: Licence = { ...idCard, licenceNo: 'SFZ-OLD', validUntil: '2016-02-29' };
    const app = weatherApp({ materials: [{ code: 'APPLY', provided: true }, { code: 'ID', licenceNo: 'SFZ-OLD' }] });
    const d = decide(inputFor(app, weatherItem, { licences: [idCard, expired] }));
    expect(d.outcome).toBe('REJECTED');
    const check = d.trace.materials.find((m) => m.code === 'ID');
    expect(check?.problems).toEqual(['证照 SFZ-OLD 已过期（有效期至 2016-02-29）']);
  });

  it('a named licence that exists and is valid is the one recorded', () => {
    const second: Licence = { ...idCard, licenceNo: 'SFZ-002', validUntil: '2027-01-01' };
    const app = weatherApp({ materials: [{ code: 'APPLY', provided: true }, { code: 'ID', licenceNo: 'SFZ-002' }] });
    const d = decide(inputFor(app, weatherItem, { licences: [idCard, second] }));
    expect(d.licencesUsed.map((l) => l.licenceNo)).toEqual(['SFZ-002']);
  });

  it('a named licence not in the library is reported', () => {
    const app = weatherApp({ materials: [{ code: 'APPLY', provided: true }, { code: 'ID', licenceNo: 'SFZ-404' }] });
    const d = decide(inputFor(app, weatherItem));
    expect(d.trace.materials.find((m) => m.code === 'ID')?.problems).toEqual(['申请人所填证照 SFZ-404 未在电子证照库中找到']);
  });

  it('a paper copy of an identity document without a usable e-licence is unverifiable on an instant item', () => {
    const app = weatherApp({ materials: [{ code: 'APPLY', provided: true }, { code: 'ID', provided: true }] });
    const d = decide(inputFor(app, weatherItem, { licences: [{ ...idCard, trustLevel: 'B' }] }));
    expect(d.outcome).toBe('MANUAL_REVIEW');
    expect(codes(d)).toEqual(['MATERIAL_UNVERIFIABLE']);
    expect(d.materialsUnverifiable).toEqual([{ code: 'ID', name: '申请人身份证明' }]);
  });

  it('licence attributes are facts for the rules (licence.<type>.*)', () => {
    const cancelled = { ...businessLicence, attributes: { status: '注销' } };
    const d = decide(inputFor(posterApp(), posterItem, { licences: [cancelled, propertyCert] }));
    expect(d.outcome).toBe('REJECTED');
    expect(d.failedRules.map((r) => [r.id, r.seen])).toEqual([['P-4', '注销']]);
  });
});

describe('decide: step 3, declared, unverifiable, tolerable and missing materials', () => {
  it('a declared material not provided is missing', () => {
    const d = decide(inputFor(weatherApp({ materials: [] }), weatherItem));
    expect(d.outcome).toBe('REJECTED');
    expect(d.materialsMissing).toEqual([{ code: 'APPLY', name: '气象证明申请表' }]);
    expect(d.reasons[0]?.message).toContain('气象证明申请表');
  });

  it('a provided material no machine can verify: manual review on an instant item', () => {
    const item = { ...weatherItem, version: 103, materials: [...weatherItem.materials, { code: 'PHOTO', name: '现场照片' }] };
    const app = weatherApp({ materials: [{ code: 'APPLY', provided: true }, { code: 'PHOTO', provided: true }] });
    const d = decide(inputFor(app, item));
    expect(d.outcome).toBe('MANUAL_REVIEW');
    expect(codes(d)).toEqual(['MATERIAL_UNVERIFIABLE']);
    expect(d.reasons[0]?.message).toContain('现场照片');
    expect(d.certificateNo).toBeUndefined();
    expect(d.effects).toEqual([]);
  });

  it('on a commitment item the applicant vouches for it: approved on commitment, listed for the verifier', () => {
    const app = criminalApp({
      materials: [
        { code: 'APPLY', provided: true },
        { code: 'PURPOSE', provided: true },
        { code: 'ID', provided: true },
      ],
    });
    const d = decide(inputFor(app, criminalRecordItem, { licences: [] }));
    expect(d.outcome).toBe('APPROVED_ON_COMMITMENT');
    expect(d.materialsUnverifiable.map((m) => m.code)).toEqual(['ID', 'PURPOSE']);
  });

  it('a tolerable material missing gives pending materials (容缺) with a deadline in working days', () => {
    const d = decide(inputFor(posterApp({ materials: [{ code: 'APPLY', provided: true }] }), posterItem));
    expect(d.outcome).toBe('ACCEPTED_PENDING_MATERIALS');
    expect(codes(d)).toEqual(['MATERIALS_PENDING']);
    expect(d.materialsPending).toEqual([{ code: 'SAMPLE', name: '宣传品样稿' }]);
    // SITE is waived by the property certificate.
    expect(d.materialsWaived).toEqual(['BL', 'SITE']);
    // 3 working days after Wed 2026-11-18.
    expect(d.supplementDue).toEqual({ date: '2026-11-23', dueAt: '2026-11-23T15:59:59.999Z' });
    expect(d.reasons[0]?.message).toContain('2026-11-23');
    expect(d.certificateNo).toBeUndefined();
    expect(d.effects).toEqual([]);
  });

  it('a required material missing rejects with the one-time list of everything missing, tolerable ones included', () => {
    const app = posterApp({ materials: [] });
    const d = decide(inputFor(app, posterItem, { licences: [businessLicence] }));
    expect(d.outcome).toBe('REJECTED');
    expect(codes(d)).toEqual(['MATERIALS_MISSING']);
    expect(d.materialsMissing.map((m) => m.code)).toEqual(['APPLY', 'SAMPLE', 'SITE']);
    expect(d.materialsPending).toEqual([]);
    expect(d.trace.materials.map((m) => m.status)).toEqual(['waived', 'missing', 'missing', 'missing']);
    expect(d.reasons[0]?.message).toBe('缺少以下材料，请一次性补齐后重新申请：宣传品设置申请表、宣传品样稿、场地使用证明');
  });

  it('missing materials and false rules are reported together, in step order', () => {
    const app = posterApp({ materials: [], form: { areaSqm: 80, days: 15, location: '商业步行街', lit: false } });
    const d = decide(inputFor(app, posterItem));
    expect(codes(d)).toEqual(['MATERIALS_MISSING', 'RULE_FALSE']);
    expect(d.failedRules.map((r) => r.id)).toEqual(['P-1']);
  });
});

describe('decide: step 4, rules', () => {
  const form = (over: Record<string, unknown>) => posterApp({ form: { ...posterApp().form, ...over } });
  const cases: {
    name: string;
    form: Record<string, unknown>;
    outcome: Outcome;
    failed?: string[];
    unknownFacts?: string[];
  }[] = [
    { name: 'all true', form: {}, outcome: 'APPROVED', failed: [], unknownFacts: [] },
    { name: 'one false', form: { areaSqm: 80 }, outcome: 'REJECTED', failed: ['P-1'] },
    {
      name: 'two false',
      form: { areaSqm: 80, location: '文物保护单位' },
      outcome: 'REJECTED',
      failed: ['P-1', 'P-3'],
    },
    {
      name: 'an any whose parts are all false lists both',
      form: { lit: true, fireChecked: false },
      outcome: 'REJECTED',
      failed: ['P-5', 'P-6'],
    },
    {
      name: 'an any with one true part needs nothing else (the other is missing)',
      form: { lit: false },
      outcome: 'APPROVED',
      failed: [],
      unknownFacts: [],
    },
    { name: 'a missing fact', form: { areaSqm: undefined }, outcome: 'MANUAL_REVIEW', unknownFacts: ['form.areaSqm'] },
    {
      name: 'an any with a false and a missing part is unknown',
      form: { lit: true },
      outcome: 'MANUAL_REVIEW',
      unknownFacts: ['form.fireChecked'],
    },
    {
      name: 'false and unknown together: false wins and only the false rule is listed',
      form: { areaSqm: 80, days: undefined },
      outcome: 'REJECTED',
      failed: ['P-1'],
      unknownFacts: [],
    },
  ];
  it.each(cases)('$name → $outcome', ({ form: f, outcome, failed, unknownFacts }) => {
    const d = decide(inputFor(form(f), posterItem));
    expect(d.outcome).toBe(outcome);
    if (failed) expect(d.failedRules.map((r) => r.id)).toEqual(failed);
    if (unknownFacts) expect(d.unknownFacts).toEqual(unknownFacts);
  });

  it('a rejection names the failing rules by their Chinese descriptions', () => {
    const d = decide(inputFor(form({ areaSqm: 80, location: '文物保护单位' }), posterItem));
    expect(codes(d)).toEqual(['RULE_FALSE']);
    expect(d.reasons[0]?.message).toBe('不符合以下条件：宣传品面积不超过50平方米；设置地点不属于文物保护单位或交通标志');
    expect(d.failedRules[0]).toMatchObject({ id: 'P-1', description: '宣传品面积不超过50平方米', seen: 80 });
  });

  it('an unknown result goes to a person with the unknown facts', () => {
    const d = decide(inputFor(form({ areaSqm: undefined, days: undefined }), posterItem));
    expect(codes(d)).toEqual(['RULE_UNKNOWN']);
    expect(d.reasons[0]?.details).toMatchObject({ facts: ['form.areaSqm', 'form.days'] });
    expect(d.unknownRules.map((r) => r.id)).toEqual(['P-1', 'P-2']);
  });

  it('a rule under not fails when its leaf is true', () => {
    const item = {
      ...posterItem,
      version: 102,
      rules: { not: { id: 'N-1', description: '宣传品内容不含商业广告', fact: 'form.commercial', op: 'eq' as const, value: true } },
    };
    const d = decide(inputFor(form({ commercial: true }), item));
    expect(d.outcome).toBe('REJECTED');
    expect(d.failedRules.map((r) => r.id)).toEqual(['N-1']);
    expect(d.trace.rules?.tree).toMatchObject({ not: { id: 'N-1', path: 'not', result: true }, result: false });
  });

  it('an approval keeps the `not` in its trace: the leaf under it is false, the `not` holds', () => {
    const item = {
      ...posterItem,
      version: 103,
      rules: { not: { id: 'N-1', description: '宣传品内容不含商业广告', fact: 'form.commercial', op: 'eq' as const, value: true } },
    };
    const d = decide(inputFor(form({ commercial: false }), item));
    expect(d.outcome).not.toBe('REJECTED');
    expect(d.trace.rules).toMatchObject({ result: true, tree: { not: { id: 'N-1', result: false }, result: true } });
    expect(d.trace.rules?.leaves).toEqual([expect.objectContaining({ id: 'N-1', path: 'not', result: false })]);
  });

  it("an item rule on enterprise.* passes the contract and reads an enterprise applicant's profile", () => {
    const rules = { all: [...(posterItem.rules as { all: Condition[] }).all, { id: 'E-1', description: '申请企业为小型企业', fact: 'enterprise.size', op: 'eq' as const, value: '小型' }] };
    // Published as the catalogue would publish it: the contract validates the rules first.
    const published = validateData('gov.catalog.item.published', { ...posterItem, version: 104, rules });
    expect(published.ok ? [] : published.errors).toEqual([]);
    const item = { ...posterItem, version: 104, rules };
    const small = decide(inputFor(posterApp(), item));
    expect(small.outcome).toBe('APPROVED');
    expect(small.trace.rules?.leaves.find((l) => l.id === 'E-1')).toMatchObject({ seen: '小型', result: true });
    const large = decide(inputFor(posterApp(), item, { profile: { ...enterpriseProfile, size: '大型' } }));
    expect(large.outcome).toBe('REJECTED');
    expect(large.failedRules.map((r) => r.id)).toEqual(['E-1']);
    const unknown = decide(inputFor(posterApp(), item, { profile: { status: '存续' } }));
    expect(unknown.outcome).toBe('MANUAL_REVIEW');
    expect(unknown.unknownFacts).toEqual(['enterprise.size']);
  });

  it('the profile is merged into the applicant facts, and ages count on the local date of the decision', () => {
    // Turning 18 on the local date 2026-11-21, which is still the 20th in UTC.
    const item = { ...criminalRecordItem, rules: criminalRecordItem.rules };
    const profile = { birthDate: '2008-11-21', residenceDistrict: '天河区' };
    const onTheDay = decide(inputFor(criminalApp(), item, { profile, now: '2026-11-20T17:00:00Z' }));
    expect(onTheDay.outcome).toBe('APPROVED_ON_COMMITMENT');
    const dayBefore = decide(inputFor(criminalApp(), item, { profile, now: '2026-11-20T15:00:00Z' }));
    expect(dayBefore.outcome).toBe('REJECTED');
    expect(dayBefore.failedRules.map((r) => r.id)).toEqual(['C-1']);
  });

  it('a person\'s birth date is the profile\'s, else the one in the ID number', () => {
    const item = { ...criminalRecordItem, version: 104 };
    const noBirthDate = { residenceDistrict: '天河区' };
    const decideFor = (id: string, profile: DecideInput['profile']) =>
      decide(inputFor(criminalApp({ applicant: { ...PERSON, id } }), item, { profile, licences: [{ ...idCard, holderId: id }] }));
    const adult = makeIdNumber('440106', '19900101', '123');
    const minor = makeIdNumber('440106', '20100101', '123');

    const fromId = decideFor(adult, noBirthDate);
    expect(fromId.outcome).toBe('APPROVED_ON_COMMITMENT');
    expect(fromId.trace.rules?.leaves.find((l) => l.id === 'C-1')?.seen).toBe('1990-01-01');
    const tooYoung = decideFor(minor, noBirthDate);
    expect(tooYoung.outcome).toBe('REJECTED');
    expect(tooYoung.failedRules.map((r) => r.id)).toEqual(['C-1']);
    // The profile's date wins over the ID number's.
    expect(decideFor(adult, { ...noBirthDate, birthDate: '2010-01-01' }).failedRules.map((r) => r.id)).toEqual(['C-1']);
    // No profile at all: the age still comes from the ID number; only the district is unknown.
    const noProfile = decideFor(adult, undefined);
    expect(noProfile.outcome).toBe('MANUAL_REVIEW');
    expect(noProfile.unknownRules.map((r) => r.id)).toEqual(['C-2']);
    // An ID number with a wrong check digit gives no date: the age is unknown, not guessed.
    const untrusted = decideFor('440106199001011234', noBirthDate);
    expect(untrusted.outcome).toBe('MANUAL_REVIEW');
    expect(untrusted.unknownRules.map((r) => r.id)).toEqual(['C-1']);
  });

  it('the rules compare dates in the calendar\'s time zone: the same moment is another day elsewhere', () => {
    // 2026-11-20T17:00Z is the 21st in Shanghai (18 that day) but still the 20th in UTC.
    const utc = createCalendar({ timeZone: 'UTC', useChineseDays: true });
    const profile = { birthDate: '2008-11-21', residenceDistrict: '天河区' };
    const input = inputFor(criminalApp(), criminalRecordItem, { profile, now: '2026-11-20T17:00:00Z' });
    expect(decide(input).outcome).toBe('APPROVED_ON_COMMITMENT');
    const inUtc = decide({ ...input, calendar: utc });
    expect(inUtc.outcome).toBe('REJECTED');
    expect(inUtc.failedRules.map((r) => r.id)).toEqual(['C-1']);
    // `now` reaches the rules as the instant it is; the engine finds its local date.
    expect(inUtc.trace.rules?.leaves.find((l) => l.id === 'C-1')?.seen).toBe('2008-11-21');
  });
});

describe('decide: step 5, mode', () => {
  it('commitment signed → APPROVED_ON_COMMITMENT with a certificate and a verification due date', () => {
    const d = decide(inputFor(criminalApp(), criminalRecordItem));
    expect(d.outcome).toBe('APPROVED_ON_COMMITMENT');
    expect(d.certificateNo).toBe('无犯罪记录证明-APP-GA-1');
    // 10 working days after Wed 2026-11-18.
    expect(d.verificationDue).toEqual({ date: '2026-12-02', dueAt: '2026-12-02T15:59:59.999Z' });
    expect(d.effects.map((e) => e.kind)).toEqual(['openReviewCase']);
  });

  it('commitment unsigned → MANUAL_REVIEW (COMMITMENT_UNSIGNED)', () => {
    const { commitment: _dropped, ...unsigned } = criminalApp();
    const d = decide(inputFor(unsigned, criminalRecordItem));
    expect(d.outcome).toBe('MANUAL_REVIEW');
    expect(codes(d)).toEqual(['COMMITMENT_UNSIGNED']);
    expect(d.verificationDue).toBeUndefined();
  });

  it('commitment with a missing tolerable material → pending first, mode decided on supplement', () => {
    const d = decide(inputFor(criminalApp({ materials: [{ code: 'APPLY', provided: true }] }), criminalRecordItem));
    expect(d.outcome).toBe('ACCEPTED_PENDING_MATERIALS');
    expect(d.supplementDue?.date).toBe('2026-11-25');
  });

  it('manual item → MANUAL_REVIEW carrying the pre-check results', () => {
    const d = decide(inputFor(outdoorApp(), outdoorAdItem));
    expect(d.outcome).toBe('MANUAL_REVIEW');
    expect(codes(d)).toEqual(['MANUAL_ITEM']);
    expect(d.reasons[0]?.details).toEqual({
      preCheck: {
        rules: true,
        materialsWaived: ['BL'],
        materialsUnverifiable: [{ code: 'DESIGN', name: '设施设计图' }],
        materialsPending: [],
        materialsMissing: [],
      },
    });
    expect(d.trace.steps.find((s) => s.step === 'mode')?.result).toBe('manual');
    expect(d.effects).toEqual([]);
  });

  it('manual item with a false rule is rejected like any other', () => {
    const d = decide(inputFor(outdoorApp({ form: { heightM: 12 } }), outdoorAdItem));
    expect(d.outcome).toBe('REJECTED');
    expect(codes(d)).toEqual(['RULE_FALSE']);
    expect(d.trace.steps.find((s) => s.step === 'mode')?.result).toBe('skip');
  });

  it('manual grounds are all listed, pending materials included', () => {
    const app = posterApp({ materials: [{ code: 'APPLY', provided: true }], form: { ...posterApp().form, areaSqm: undefined } });
    const d = decide(inputFor(app, posterItem));
    expect(d.outcome).toBe('MANUAL_REVIEW');
    expect(codes(d)).toEqual(['MATERIALS_PENDING', 'RULE_UNKNOWN']);
    expect(d.supplementDue).toBeUndefined();
  });
});

describe('decide: calendar', () => {
  it('a supplement deadline crosses the National Day holiday onto a 调休 working Saturday', () => {
    // Wed 2026-09-30; 1–7 October are holidays; Thu 8, Fri 9 and the make-up Saturday 10 October work.
    const app = posterApp({ materials: [{ code: 'APPLY', provided: true }], submittedAt: '2026-09-30T01:00:00Z' });
    const d = decide(inputFor(app, posterItem, { now: '2026-09-30T02:00:00Z' }));
    expect(d.outcome).toBe('ACCEPTED_PENDING_MATERIALS');
    expect(d.supplementDue).toEqual({ date: '2026-10-10', dueAt: '2026-10-10T15:59:59.999Z' });
  });

  it('the local date decides: a decision late on Friday in UTC is Saturday in Shanghai', () => {
    const app = posterApp({ materials: [{ code: 'APPLY', provided: true }], submittedAt: '2026-11-20T16:30:00Z' });
    const d = decide(inputFor(app, posterItem, { now: '2026-11-20T17:00:00Z' }));
    // Sat 21 → Mon 23, Tue 24, Wed 25.
    expect(d.supplementDue?.date).toBe('2026-11-25');
  });
});

describe('decide: provenance', () => {
  it('records the hash of the submitted application and starts the sequence at 1', () => {
    const d = decide(inputFor(weatherApp(), weatherItem));
    expect(d.sequence).toBe(1);
    expect(d.applicationHash).toMatch(/^[0-9a-f]{64}$/);
    expect(d.submittedAt).toBe(SUBMITTED);
  });

  it('ignores materials the item does not ask for, with a note', () => {
    const app = weatherApp({ materials: [{ code: 'APPLY', provided: true }, { code: 'EXTRA', provided: true }] });
    const d = decide(inputFor(app, weatherItem));
    expect(d.outcome).toBe('APPROVED');
    expect(d.trace.steps.find((s) => s.step === 'materials')?.notes.join('\n')).toContain('EXTRA');
  });
});

describe('the steps on their own (what a caller deciding several items on one material set uses)', () => {
  const at = licenceMoment(ENTERPRISE.id, NOW, calendar);

  it('judges materials against a given requirement list, with the licences passed in', () => {
    // A certificate the bureau has just issued, held by the applicant as a trust-A e-licence.
    const issued: Licence = {
      licenceNo: '营业执照-APP-START-1',
      licenceType: '营业执照',
      holderId: ENTERPRISE.id,
      issuer: 'SCJ',
      issuedAt: NOW,
      validUntil: '9999-12-31',
      trustLevel: 'A',
      attributes: {},
    };
    const requirements = [posterItem.materials[0]!, { code: 'SEAL', name: '印章备案表', declared: true, tolerable: true }];
    const judged = judgeMaterials(requirements, [{ code: 'APPLY', provided: true }], [issued], at, false);
    expect(judged.checks.map((c) => [c.code, c.status, c.licenceNo])).toEqual([
      ['BL', 'waived', issued.licenceNo],
      ['SEAL', 'pending', undefined],
    ]);
    expect(judged.unknownCodes).toEqual(['APPLY']);
    // The same judgement read by an item of another mode: its own findings.
    expect(materialsStep(judged, 'instant').findings.map((f) => [f.tag, f.reason.code])).toEqual([['pending', 'MATERIALS_PENDING']]);
    expect(judgeMaterials(requirements, [], [issued], at, true).checks[1]?.status).toBe('missing');
  });

  it('checks credit and the item on their own', () => {
    expect(checkItem('X', ENTERPRISE, undefined)).toMatchObject({ ok: false, reason: { code: 'ITEM_UNKNOWN' } });
    expect(checkCredit(ENTERPRISE.id, posterItem, credit({ subjectId: ENTERPRISE.id, falseCommitment: true }))).toMatchObject({
      excluded: true,
      findings: [],
    });
  });
});
