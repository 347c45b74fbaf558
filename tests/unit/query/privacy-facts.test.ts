/**
 * A self-objection's declared `facts` are keyed by fact path ("person.birthDate"), not by field name: a
 * person's birth date, name or phone declared there is person data like the same field of a profile, and a
 * reader not entitled to it (the policy system reading its own objection back) gets it masked.
 */
import { stages } from '#topology/stages';
import { makeIdNumber } from '#contract/identifiers';

process.env.CIVICFLOW_CONFIG = JSON.stringify(stages.local);
const { maskPersonData } = await import('#query/privacy');

const ID = makeIdNumber('440305', '19460307', '123');

describe('person data keyed by fact path', () => {
  it('masks a person\'s birth date, name, phone and ID number declared as facts; leaves other facts alone', () => {
    const event = {
      data: {
        objectionId: 'OBJ-1',
        policyId: 'POL-ELDERLY',
        subjectId: ID,
        by: 'self',
        reason: '本人已满80周岁',
        facts: {
          'person.birthDate': '1946-03-07',
          'person.name': '周淑芬',
          'person.contactPhone': '13912345678',
          'person.idNumber': ID,
          'person.residenceDistrict': '440305',
        },
      },
    };
    const masked = maskPersonData(event) as any;
    expect(masked.data.facts).toEqual({
      'person.birthDate': '****-**-**',
      'person.name': '周**',
      'person.contactPhone': '139****5678',
      'person.idNumber': `440305********${ID.slice(-4)}`,
      'person.residenceDistrict': '440305',
    });
    expect(JSON.stringify(masked)).not.toMatch(/1946-03-07|周淑芬/);
  });

  it('leaves an enterprise\'s declared facts as they are, its name included', () => {
    const facts = { 'enterprise.name': '深圳市海星电子科技有限公司', 'enterprise.exportValueUsd': 420000, 'enterprise.employees': 12 };
    expect(maskPersonData({ facts })).toEqual({ facts });
  });
});
