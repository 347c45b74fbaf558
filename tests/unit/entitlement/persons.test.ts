/**
 * Person policies: matched against person profiles (`person.*`, ages from the birth date or the
 * ID number, 29 February on 28 February of a common year), dishonest persons excluded only when the policy
 * says so, notifications and publicity lists that never carry an unmasked ID number, and events whose
 * subject must be of the policy's kind.
 */
import { makeCreditCode, makeIdNumber } from '#contract/identifiers';
import { validateData } from '#contract/envelope';
import { createEntitlementService, type Cause } from '#entitlement/service';
import { jest } from '@jest/globals';
import { compilePolicy, fitsSubjectKind, inapplicableDishonestFlag, matchEnterprise, matchSlice, type Policy } from '#entitlement/domain/index';
import { withMemo } from '#platform/batch-memo';
import { logger } from '#platform/powertools';
import { memoryEntitlementPorts, type MemoryWorld } from '#support/memory/entitlement';
import { credit, elderly, person, profile, SAMPLE_NOW, samplePolicy } from './fixtures';

const NOW = '2025-06-01T10:00:00+08:00';
const OLD = makeIdNumber('440305', '19440601', '123'); // 81 today
const TURNS_80_TOMORROW = makeIdNumber('440305', '19450602', '234');
const YOUNG = makeIdNumber('440305', '19900307', '345');
const LEAP = makeIdNumber('440305', '19440229', '456');
const ENTERPRISE = '91440106MA59C00011';

let serial = 0;
const cause = (type: string): Cause => ({ id: `evt-${++serial}`, source: '/systems/test', type });


function world(now = NOW) {
  const w = memoryEntitlementPorts({ now, shards: 2, settings: { sliceSize: 100 } });
  return { w, service: createEntitlementService(w.ports) };
}

async function publishAndMatch(w: MemoryWorld, service: ReturnType<typeof createEntitlementService>, p: Policy): Promise<void> {
  const from = w.sent.slices.length;
  expect(await service.publishPolicy(p, cause('gov.policy.published'))).toBe('published');
  for (let i = from; i < w.sent.slices.length; i++) await service.runMatchSlice(w.sent.slices[i]!.data);
}

describe('matching persons', () => {
  const policy = elderly();
  const compiled = compilePolicy(policy);

  it('reads the age from the birth date, else from the ID number', () => {
    const profiles = [person(OLD), person(TURNS_80_TOMORROW), person(YOUNG), person(YOUNG, { idNumber: makeIdNumber('440305', '19900101', '111'), birthDate: '1940-01-01' })];
    const out = matchSlice(policy, profiles, undefined, NOW, { compiled });
    expect(out.eligible).toEqual([OLD, profiles[3]!.idNumber]);
    expect(out.ineligible).toBe(2);
    expect(matchEnterprise(policy, compiled, person(OLD), undefined, NOW)).toMatchObject({ outcome: 'eligible', creditCode: OLD });
  });

  it('counts a 29 February birthday as reached on 28 February of a common year', () => {
    const age = (years: number) => elderly({ validFrom: '2020-01-01', version: years, criteria: { id: 'A', description: `年满${years}周岁`, fact: 'person.birthDate', op: 'ageAtLeast', value: years } });
    const at = (years: number, instant: string) => matchEnterprise(age(years), compilePolicy(age(years)), person(LEAP), undefined, instant).outcome;
    // 2024 is a leap year: 80 on the 29th; 2025 is not: 81 on the 28th.
    expect([at(80, '2024-02-28T23:59:00+08:00'), at(80, '2024-02-29T00:00:00+08:00')]).toEqual(['ineligible', 'eligible']);
    expect([at(81, '2025-02-27T23:59:00+08:00'), at(81, '2025-02-28T00:00:00+08:00')]).toEqual(['ineligible', 'eligible']);
  });

  it('excludes a dishonest person only when the policy sets excludeDishonest', () => {
    const dishonest = new Map([[OLD, credit({ subjectId: OLD, dishonest: true })]]);
    expect(matchSlice(policy, [person(OLD)], dishonest, NOW, { compiled }).eligible).toEqual([OLD]);
    const strict = elderly({ excludeDishonest: true, version: 3 });
    expect(matchSlice(strict, [person(OLD)], dishonest, NOW).excluded).toBe(1);
    expect(matchEnterprise(strict, compilePolicy(strict), person(OLD), dishonest.get(OLD), NOW)).toMatchObject({ outcome: 'excluded', reason: 'DISHONEST' });
  });

  it('knows which ids fit the policy', () => {
    expect([fitsSubjectKind(policy, OLD), fitsSubjectKind(policy, ENTERPRISE)]).toEqual([true, false]);
    expect([fitsSubjectKind({}, OLD), fitsSubjectKind({}, ENTERPRISE)]).toEqual([false, true]);
  });
});

describe('person policies at the edge', () => {
  it('refuses a person policy reading enterprise facts, naming the leaf', () => {
    const age = { id: 'E-AGE', description: '年满80周岁', fact: 'person.birthDate', op: 'ageAtLeast', value: 80 };
    const data = { ...elderly(), criteria: { all: [age, { id: 'X', description: '规模', fact: 'enterprise.size', op: 'eq', value: 'small' }] } };
    const out = validateData('gov.policy.published', data);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.errors).toEqual([expect.objectContaining({ path: 'data.criteria.all[1].fact', message: expect.stringMatching(/subjectKind is person/) })]);
    expect(validateData('gov.policy.published', elderly()).ok).toBe(true);
  });

  it("refuses the other kind's dishonest flag, naming it and the flag that applies", () => {
    // Ignored before: an enterprise policy with excludeDishonest: false still left out dishonest enterprises.
    const wrong = [
      [{ ...samplePolicy('export-credit-insurance'), excludeDishonest: false }, 'data.excludeDishonest', /person policies only.*includeDishonest/],
      [{ ...samplePolicy('export-credit-insurance'), subjectKind: 'enterprise', excludeDishonest: true }, 'data.excludeDishonest', /person policies only/],
      [elderly({ includeDishonest: true }), 'data.includeDishonest', /enterprise policies only.*excludeDishonest/],
    ] as const;
    for (const [data, path, message] of wrong) {
      const out = validateData('gov.policy.published', data);
      expect(out.ok).toBe(false);
      if (!out.ok) expect(out.errors).toEqual([expect.objectContaining({ path, message: expect.stringMatching(message) })]);
    }
    for (const data of [{ ...samplePolicy('export-credit-insurance'), includeDishonest: false }, elderly({ excludeDishonest: false })]) {
      expect(validateData('gov.policy.published', data).ok).toBe(true);
    }
  });

  it('takes a confirmation or disbursement by subjectId (or creditCode), and neither is an error', () => {
    expect(validateData('gov.policy.disbursed', { policyId: 'P-ELDER', subjectId: OLD, amount: 200, at: NOW }).ok).toBe(true);
    const none = validateData('gov.policy.confirmed', { policyId: 'P-ELDER', at: NOW });
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.errors.map((e) => e.path)).toEqual(['data.creditCode', 'data.subjectId']);
  });
});

describe('person policies through the service', () => {
  it('grants the eligible persons once, and the channel never sees an unmasked ID number', async () => {
    const { w, service } = world();
    for (const id of [OLD, TURNS_80_TOMORROW, YOUNG]) w.persons.set(id, person(id));
    w.profiles.set(ENTERPRISE, { creditCode: ENTERPRISE, name: '某公司', asOf: '2025-05-01' });
    await publishAndMatch(w, service, elderly());
    expect([...w.store.entitlements.keys()]).toEqual([`P-ELDER/${OLD}`]);
    expect(w.store.entitlements.get(`P-ELDER/${OLD}`)?.state).toBe('GRANTED');
    for (const m of w.sent.notifications) await service.deliverNotification({ policyId: m.data.policyId, creditCode: m.data.creditCode, eventId: m.id, receiveCount: 1 });
    for (const m of w.sent.notifications) await service.deliverNotification({ policyId: m.data.policyId, creditCode: m.data.creditCode, eventId: m.id, receiveCount: 2 });
    expect(w.sent.channel).toEqual([expect.objectContaining({ subjectKind: 'person', subjectId: '440305********1234'.slice(0, 6) + '********' + OLD.slice(-4) })]);
    expect(JSON.stringify(w.sent.channel)).not.toContain(OLD);
  });

  it('re-matches a person whose profile changed against person policies only', async () => {
    const { w, service } = world();
    await publishAndMatch(w, service, elderly());
    w.persons.set(OLD, person(OLD));
    expect(await service.rematchEnterprise(OLD, 'person')).toBe('matched 1');
    expect(w.store.entitlements.get(`P-ELDER/${OLD}`)?.state).toBe('GRANTED');
    expect(await service.rematchEnterprise(OLD, 'enterprise')).toBe('nothing to match');
  });

  it('reads no profile to re-match while no policy of its kind is active (a population loaded before its first policy)', async () => {
    const { w, service } = world();
    w.persons.set(OLD, person(OLD));
    const reads = jest.spyOn(w.ports.registry, 'getSubject');
    expect(await service.rematchEnterprise(OLD, 'person')).toBe('nothing to match');
    await publishAndMatch(w, service, elderly());
    expect(await service.rematchEnterprise(ENTERPRISE, 'enterprise')).toBe('nothing to match');
    expect(reads).not.toHaveBeenCalled();
    expect(await service.rematchEnterprise(OLD, 'person')).toBe('matched 1');
    expect(reads.mock.calls).toEqual([['person', OLD]]);
  });

  it('lists persons with names and ID numbers masked on a publicity list', async () => {
    const { w, service } = world();
    w.persons.set(OLD, person(OLD));
    await publishAndMatch(w, service, elderly({ publicity: { workingDays: 5 } }));
    const list = w.sent.outbound.filter((e) => e.type === 'gov.policy.publicity.listed');
    expect(list.map((e) => (e.data as { entries: unknown[] }).entries)).toEqual([[{ name: '张**', idNumber: `440305********${OLD.slice(-4)}` }]]);
  });

  it('refuses a confirmation, objection or recovery whose subject is of the other kind', async () => {
    const { w, service } = world();
    w.persons.set(OLD, person(OLD));
    await publishAndMatch(w, service, elderly({ kind: 'confirm' }));
    expect(await service.recordProgress({ kind: 'confirmed', policyId: 'P-ELDER', creditCode: ENTERPRISE, at: NOW }, cause('gov.policy.confirmed'))).toBe('refused:SUBJECT_KIND_MISMATCH');
    expect(await service.recordRecovery({ policyId: 'P-ELDER', subjectId: ENTERPRISE, amount: 1, reason: 'other', at: NOW }, cause('gov.policy.recovered'))).toBe('refused:SUBJECT_KIND_MISMATCH');
    expect(await service.recordProgress({ kind: 'confirmed', policyId: 'P-ELDER', creditCode: OLD, at: NOW }, cause('gov.policy.confirmed'))).toBe('NOTIFIED->CONFIRMED');
  });
});

describe('a policy stored before the other kind\'s dishonest flag was refused', () => {
  const ENTERPRISE_CODE = '91440106MA59C1234X';
  const enterprisePolicy = (over: Partial<Policy>): Policy => ({ ...samplePolicy('export-credit-insurance'), policyId: 'P-OLD-ENT', ...over });

  it('names the flag that does not apply and what applies instead', () => {
    expect(inapplicableDishonestFlag(elderly({ includeDishonest: false }))).toEqual({
      field: 'includeDishonest',
      value: false,
      excludes: false,
      message: 'includeDishonest: applies to enterprise policies only; ignored: policy P-ELDER includes dishonest persons (excluded only when excludeDishonest is true): publish a new version without it',
    });
    expect(inapplicableDishonestFlag(enterprisePolicy({ excludeDishonest: false }))).toMatchObject({ field: 'excludeDishonest', value: false, excludes: true, message: expect.stringMatching(/^excludeDishonest: applies to person policies only; ignored: policy P-OLD-ENT excludes dishonest enterprises/) });
    expect(inapplicableDishonestFlag(enterprisePolicy({ subjectKind: 'enterprise', excludeDishonest: true, includeDishonest: true }))).toMatchObject({ field: 'excludeDishonest', excludes: false });
    // The flag of the policy's own kind is not one.
    for (const p of [elderly(), elderly({ excludeDishonest: true }), enterprisePolicy({}), enterprisePolicy({ includeDishonest: false })]) expect(inapplicableDishonestFlag(p)).toBeUndefined();
  });

  it('keeps matching as it did, the flag ignored, and says so once per version in a warning', async () => {
    const warnings: Array<[string, unknown]> = [];
    const warn = jest.spyOn(logger, 'warn').mockImplementation((message: unknown, ...rest: unknown[]) => void warnings.push([String(message), rest[0]]));
    try {
      const { w, service } = world();
      w.persons.set(OLD, person(OLD));
      w.credits.set(OLD, credit({ subjectId: OLD, dishonest: true }));
      w.profiles.set(ENTERPRISE_CODE, profile({ creditCode: ENTERPRISE_CODE, status: 'active' }));
      w.credits.set(ENTERPRISE_CODE, credit({ subjectId: ENTERPRISE_CODE, dishonest: true }));
      // The publication would refuse both now; stored before, they are evaluated under the kind's own rule.
      await publishAndMatch(w, service, elderly({ includeDishonest: false }));
      await publishAndMatch(w, service, enterprisePolicy({ excludeDishonest: false, validFrom: '2025-01-01', validTo: '2025-12-31' }));
      expect(w.store.entitlements.get(`P-ELDER/${OLD}`)?.state).toBe('GRANTED');
      expect(w.store.entitlements.get(`P-OLD-ENT/${ENTERPRISE_CODE}`)?.reached ?? []).not.toContain('NOTIFIED');
      const old = enterprisePolicy({ excludeDishonest: false });
      expect(matchEnterprise(old, compilePolicy(old), w.profiles.get(ENTERPRISE_CODE)!, w.credits.get(ENTERPRISE_CODE), SAMPLE_NOW)).toMatchObject({ outcome: 'excluded', reason: 'DISHONEST' });
      // Evaluated again (a re-match): no second warning for the same version.
      expect(await service.rematchEnterprise(OLD, 'person')).toBe('matched 1');
      expect(await service.rematchEnterprise(ENTERPRISE_CODE, 'enterprise')).toBe('matched 1');
      const flagged = warnings.filter(([m]) => m === 'policy carries a dishonest flag of the other subject kind: ignored');
      expect(flagged.map(([, d]) => d)).toEqual([
        expect.objectContaining({ policyId: 'P-ELDER', version: 1, subjectKind: 'person', field: 'includeDishonest', value: false, excludesDishonest: false }),
        expect.objectContaining({ policyId: 'P-OLD-ENT', field: 'excludeDishonest', value: false, excludesDishonest: true }),
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it('checks the flag once per load of the policy, not once per pair matched, and warns in one line', async () => {
    const warnings: Array<[string, unknown]> = [];
    const warn = jest.spyOn(logger, 'warn').mockImplementation((message: unknown, ...rest: unknown[]) => void warnings.push([String(message), rest[0]]));
    try {
      const { w, service } = world();
      const codes = Array.from({ length: 40 }, (_, i) => makeCreditCode(`91440106MA59D${String(i).padStart(4, '0')}`));
      for (const code of codes) w.profiles.set(code, profile({ creditCode: code, status: 'active' }));
      const from = w.sent.slices.length;
      expect(await service.publishPolicy(enterprisePolicy({ policyId: 'P-OLD-MANY', excludeDishonest: false, validFrom: '2025-01-01', validTo: '2025-12-31' }), cause('gov.policy.published'))).toBe('published');
      // The stored policy's flag is read by the check alone (an enterprise policy's rule reads includeDishonest):
      // a getter on it counts the checks.
      let checks = 0;
      const { excludeDishonest, ...rest } = w.store.policies.get('P-OLD-MANY')!;
      w.store.policies.set('P-OLD-MANY', Object.defineProperty({ ...rest }, 'excludeDishonest', { enumerable: true, get: () => (checks++, excludeDishonest) }) as Policy);

      // The publication's run: one check per slice (the policy loaded once), whatever the slice holds.
      const slices = w.sent.slices.slice(from);
      for (const slice of slices) await service.runMatchSlice(slice.data);
      expect(slices.length).toBeGreaterThan(0);
      expect(slices.length).toBeLessThan(codes.length / 4);
      expect([...w.store.entitlements.keys()].filter((k) => k.startsWith('P-OLD-MANY/'))).toHaveLength(codes.length);
      expect(checks).toBe(slices.length);

      // A batch of re-matches, each enterprise against the active policies read once for the batch: one check.
      checks = 0;
      const outcomes = await withMemo(new Map(), async () => {
        const out: string[] = [];
        for (const code of codes) out.push(await service.rematchEnterprise(code, 'enterprise'));
        return out;
      });
      expect(outcomes).toEqual(codes.map(() => 'matched 1'));
      expect(checks).toBe(1);

      const flagged = warnings.filter(([m, d]) => m === 'policy carries a dishonest flag of the other subject kind: ignored' && (d as { policyId?: string }).policyId === 'P-OLD-MANY');
      expect(flagged).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('a policy on persons without subjectKind', () => {
  it('names the missing subjectKind', () => {
    const { subjectKind: _kind, ...data } = elderly();
    const out = validateData('gov.policy.published', data);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.errors).toEqual([expect.objectContaining({ path: 'data.subjectKind', message: expect.stringMatching(/must be "person"/) })]);
  });
});
