// Decisions keep the facts they saw; replaying them against the same version gives the stored decision.
import fc from 'fast-check';
import { decide } from '#approval/domain/decide';
import { blockingFacts, factsOf, flipOf, isRegression, replay } from '#approval/domain/replay';
import { draftRulesCacheKey, rulesCacheKey } from '#approval/domain/rules';
import type { Application, Licence, ServiceItem } from '#approval/domain/types';
import { decodeVersion, encodeBody } from '#approval/store/items';
import {
  businessLicence,
  calendar,
  criminalRecordItem,
  ENTERPRISE,
  enterpriseProfile,
  idCard,
  NOW,
  outdoorAdItem,
  PERSON,
  personProfile,
  posterApp,
  posterItem,
  propertyCert,
  SUBMITTED,
  weatherItem,
  credit,
} from './fixtures';

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const dropUndefined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const items: readonly ServiceItem[] = [posterItem, weatherItem, criminalRecordItem, outdoorAdItem];
const materialCodes = [...new Set(items.flatMap((i) => i.materials.map((m) => m.code)))];

const licenceArb = (base: Licence, holderId: string): fc.Arbitrary<Licence | undefined> =>
  maybe(
    fc.record({
      validUntil: fc.constantFrom(base.validUntil, base.validUntil, base.validUntil, '2026-11-17', '2026-11-18'),
      trustLevel: fc.constantFrom('A' as const, 'A' as const, 'A' as const, 'B' as const),
      revokedAt: fc.option(fc.constantFrom('2026-11-18T01:00:00Z', '2026-11-19T01:00:00Z'), { nil: undefined, freq: 2 }),
      status: fc.constantFrom('存续', '存续', '注销'),
    }).map(({ status, revokedAt, ...over }) => ({
      ...base,
      holderId,
      ...over,
      ...(revokedAt === undefined ? {} : { revokedAt }),
      attributes: { ...base.attributes, status },
    })),
  );

const caseArb = fc
  .record({
    item: fc.constantFrom(...items),
    // Mostly the item's own kind of applicant, sometimes the other (a mismatch).
    otherKind: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    anyPerson: fc.boolean(),
    form: fc.record({
      areaSqm: maybe(fc.integer({ min: 1, max: 80 })),
      days: maybe(fc.integer({ min: 0, max: 40 })),
      location: maybe(fc.constantFrom('商业步行街', '商业步行街', '商业步行街', '文物保护单位', '交通标志')),
      lit: maybe(fc.boolean()),
      fireChecked: maybe(fc.boolean()),
      weatherDate: maybe(fc.constantFrom('2026-11-10', '2026-11-18', '2026-11-25')),
      purpose: maybe(fc.constantFrom('保险理赔', '入职', '工程建设')),
      heightM: maybe(fc.integer({ min: 1, max: 15 })),
    }),
    provided: fc.oneof(fc.constant<string[]>(['APPLY', 'SAMPLE', 'PURPOSE', 'DESIGN']), fc.constant<string[]>(['APPLY']), fc.subarray(materialCodes)),
    signed: fc.boolean(),
    withProfile: fc.boolean(),
    dishonest: maybe(fc.boolean()),
    birthDate: fc.constantFrom('1990-01-01', '2010-06-01', '2008-11-18'),
    idCard: licenceArb(idCard, PERSON.id),
    business: licenceArb(businessLicence, ENTERPRISE.id),
    property: licenceArb(propertyCert, ENTERPRISE.id),
  })
  .map((c) => {
    const own = c.item.applicantKind === 'any' ? c.anyPerson : c.item.applicantKind === 'person';
    const person = c.otherKind ? !own : own;
    const applicant = person ? PERSON : ENTERPRISE;
    const application: Application = {
      applicationId: 'APP-R-1',
      itemCode: c.item.itemCode,
      applicant,
      form: dropUndefined(c.form),
      materials: c.provided.map((code) => ({ code, provided: true })),
      ...(c.signed ? { commitment: { signedAt: '2026-11-18T01:59:00Z' } } : {}),
      channel: '政务服务网',
      submittedAt: SUBMITTED,
    };
    const licences = (person ? [c.idCard] : [c.business, c.property]).filter((l): l is Licence => l !== undefined);
    const profile = c.withProfile ? (person ? { ...personProfile, birthDate: c.birthDate } : enterpriseProfile) : undefined;
    return {
      item: c.item,
      input: {
        application,
        licences,
        now: NOW,
        ...(profile === undefined ? {} : { profile }),
        ...(c.dishonest === undefined ? {} : { credit: credit({ subjectId: applicant.id, dishonest: c.dishonest }) }),
      },
    };
  });

describe('replay', () => {
  it('reproduces the stored decision exactly when replayed against the same version, through the stored form', () => {
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(caseArb, ({ item, input }) => {
        const stored = decide({ ...input, item, calendar });
        // Through the stored form: the decision and its facts packed in the version item, read back.
        const read = decodeVersion(encodeBody(stored, factsOf(input)));
        expect(read.decision).toEqual(JSON.parse(JSON.stringify(stored)));
        expect(read.facts).toBeDefined();
        const again = replay(read.facts!, { draftId: 'sim-same', item }, calendar);
        expect(again).toEqual(stored);
        outcomes.add(stored.outcome);
      }),
      { numRuns: 600, seed: 18 },
    );
    // The generated cases reach every first-decision outcome, so "exact" is not proven on one path only.
    expect([...outcomes].sort()).toEqual(['ACCEPTED_PENDING_MATERIALS', 'APPROVED', 'APPROVED_ON_COMMITMENT', 'MANUAL_REVIEW', 'REJECTED']);
  });

  it('keeps only what decide() read: no item, no calendar', () => {
    const facts = factsOf({ application: posterApp(), licences: [businessLicence], now: NOW, profile: enterpriseProfile });
    expect(Object.keys(facts).sort()).toEqual(['application', 'licences', 'now', 'profile']);
  });

  it('names a regression and the leaf that flipped it', () => {
    const tightened: ServiceItem = {
      ...posterItem,
      rules: { id: 'P-1', description: '宣传品面积不超过10平方米', fact: 'form.areaSqm', op: 'lte', value: 10 },
    };
    const input = { application: posterApp(), licences: [businessLicence, propertyCert], now: NOW, profile: enterpriseProfile };
    const before = decide({ ...input, item: posterItem, calendar });
    const after = replay(factsOf(input), { draftId: 'sim-tight', item: tightened }, calendar);
    expect(before.outcome).toBe('APPROVED');
    expect(after.outcome).toBe('REJECTED');
    expect(isRegression(before.outcome, after.outcome)).toBe(true);
    expect(isRegression('MANUAL_REVIEW', 'REJECTED')).toBe(false);
    expect(isRegression('APPROVED', 'APPROVED_ON_COMMITMENT')).toBe(false);
    expect(flipOf(after)).toEqual({ reasons: ['RULE_FALSE'], rules: [{ id: 'P-1', description: '宣传品面积不超过10平方米', fact: 'form.areaSqm' }] });
  });

  it('names the facts that alone block an instant approval', () => {
    const input = { application: posterApp({ form: { days: 15, location: '商业步行街', lit: false } }), licences: [businessLicence, propertyCert], now: NOW };
    const d = decide({ ...input, item: posterItem, calendar });
    expect(d.outcome).toBe('MANUAL_REVIEW');
    expect(blockingFacts(d)).toEqual(['form.areaSqm']);
    expect(blockingFacts({ ...d, reasons: [...d.reasons, { code: 'MATERIAL_UNVERIFIABLE', message: '' }] })).toEqual([]);
  });
});

describe('compiled rules of a draft', () => {
  it('never share a published version’s cache entry, even under the same number', () => {
    expect(draftRulesCacheKey(posterItem, 'sim-1')).not.toBe(rulesCacheKey(posterItem));
    expect(draftRulesCacheKey(posterItem, 'sim-1')).not.toBe(draftRulesCacheKey(posterItem, 'sim-2'));
    const input = { application: posterApp({ form: { areaSqm: 40, days: 15, location: '商业步行街', lit: false } }), licences: [businessLicence, propertyCert], now: NOW };
    // The published version is compiled (and cached) first...
    expect(decide({ ...input, item: posterItem, calendar }).outcome).toBe('APPROVED');
    // ...then a draft carrying the same code and version number but tighter rules.
    const draft: ServiceItem = { ...posterItem, rules: { id: 'P-1', description: '宣传品面积不超过20平方米', fact: 'form.areaSqm', op: 'lte', value: 20 } };
    expect(replay(factsOf(input), { draftId: 'sim-1', item: draft }, calendar).outcome).toBe('REJECTED');
    // And the published version is untouched by the draft's compilation.
    expect(decide({ ...input, item: posterItem, calendar }).outcome).toBe('APPROVED');
    // Two drafts under the same number do not share either.
    const looser: ServiceItem = { ...draft, rules: { ...draft.rules, value: 45 } as ServiceItem['rules'] };
    expect(replay(factsOf(input), { draftId: 'sim-2', item: looser }, calendar).outcome).toBe('APPROVED');
  });
});
