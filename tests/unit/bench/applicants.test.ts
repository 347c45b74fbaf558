/**
 * The bench's applicants of their own (bench/fixtures/applicants.ts): each cloned application names an
 * applicant no other clone names, with valid identifiers, and the sample applicant's registry records
 * copied to it, so the clone is decided as the sample is while the registry holds as many applicants as a
 * district's day has.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { birthDateOf, isValidCreditCode, isValidIdNumber } from '#contract/identifiers';
import { cloneCreditCode, cloneIdNumber, recordsBySource, withApplicantOfItsOwn, type BenchEvent, type RegistrySamples } from '#bench/fixtures/applicants';

const ROOT = join(import.meta.dirname, '../../..');
const samplesOf = (type: string): BenchEvent[] =>
  readdirSync(join(ROOT, 'events/samples', type))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(ROOT, 'events/samples', type, f), 'utf8')) as BenchEvent);
const registry: RegistrySamples = {
  persons: samplesOf('gov.person.profile.updated'),
  enterprises: samplesOf('gov.enterprise.profile.updated'),
  licences: samplesOf('gov.licence.issued'),
  credits: samplesOf('gov.credit.updated'),
};
const applications = samplesOf('gov.application.submitted');
const commitment = applications.find((e) => e.data.itemCode === 'GA-0212')!;
const advertising = applications.find((e) => e.data.itemCode === 'CG-0107')!;

describe('an applicant of its own', () => {
  it('gives every clone a distinct, valid identifier, other than the sample\'s', () => {
    const ids = new Set<string>();
    for (let n = 0; n < 12_000; n++) {
      const { idNumber, birthDate } = cloneIdNumber(commitment.data.applicant.id, n);
      expect(isValidIdNumber(idNumber)).toBe(true);
      expect(birthDateOf(idNumber)).toBe(birthDate);
      ids.add(idNumber);
      const code = cloneCreditCode(advertising.data.applicant.id, n);
      expect(isValidCreditCode(code)).toBe(true);
      ids.add(code);
    }
    expect(ids.size).toBe(24_000);
    expect(ids.has(commitment.data.applicant.id)).toBe(false);
    expect(ids.has(advertising.data.applicant.id)).toBe(false);
  });

  it('copies a person\'s profile, ID card and credit to the clone, and points the materials at its own card', () => {
    const { application, records } = withApplicantOfItsOwn(commitment, 7, registry);
    const id = application.data.applicant.id as string;
    expect(id).toBe(cloneIdNumber(commitment.data.applicant.id, 7).idNumber);
    expect(application.data.applicant.name).toBe(commitment.data.applicant.name);
    expect(records.map((r) => r.type)).toEqual(['gov.person.profile.updated', 'gov.licence.issued', 'gov.credit.updated']);
    const [profile, licence, credit] = records.map((r) => r.data);
    expect(profile).toMatchObject({ idNumber: id, name: '张伟', birthDate: birthDateOf(id), residenceDistrict: '440305' });
    expect(licence).toMatchObject({ holderId: id, licenceType: '居民身份证', validUntil: '2036-03-10' });
    expect(licence.licenceNo).not.toBe('SFZ-440305-2016-1182734');
    expect(application.data.materials.find((m: any) => m.code === 'M-IDCARD').licenceNo).toBe(licence.licenceNo);
    expect(credit).toMatchObject({ subjectId: id, rating: 'A', dishonest: false });
    // The sample itself is left as it was.
    expect(commitment.data.applicant.id).toBe('440305199003071236');
    expect(commitment.data.materials[0].licenceNo).toBe('SFZ-440305-2016-1182734');
  });

  it('copies an enterprise\'s records, each event with an id of its own, and is the same for the same number', () => {
    const a = withApplicantOfItsOwn(advertising, 3, registry);
    const b = withApplicantOfItsOwn(advertising, 4, registry);
    expect(a).toEqual(withApplicantOfItsOwn(advertising, 3, registry));
    expect(a.records.map((r) => r.data.creditCode ?? r.data.holderId ?? r.data.subjectId)).toEqual([a.application.data.applicant.id, a.application.data.applicant.id, a.application.data.applicant.id]);
    const ids = [...a.records, ...b.records].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(a.application.data.materials[0].licenceNo).not.toBe(b.application.data.materials[0].licenceNo);
  });

  it('lists many clones\' records grouped by source', () => {
    const clones = [0, 1, 2].map((n) => withApplicantOfItsOwn(n === 1 ? advertising : commitment, n, registry));
    expect(recordsBySource(clones).map((r) => r.source)).toEqual([
      '/systems/data-sharing', '/systems/data-sharing', '/systems/data-sharing',
      '/systems/e-licence', '/systems/e-licence', '/systems/e-licence',
      '/systems/credit', '/systems/credit', '/systems/credit',
    ]);
  });
});
