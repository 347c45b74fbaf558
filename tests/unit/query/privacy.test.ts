import { stages } from '#topology/stages';
import { makeIdNumber } from '#contract/identifiers';

process.env.CIVICFLOW_CONFIG = JSON.stringify(stages.local);
const { entitledToPersonData, maskName, maskPersonData } = await import('#query/privacy');
const { parameterProblem } = await import('#query/parameters');

const ID = makeIdNumber('440305', '19900307', '123');

describe('person data on the read side', () => {
  it('entitles the auditor and the systems that hold person data, not the catalog, policy or review channels', () => {
    for (const p of ['/auditors/district', '/systems/data-sharing', '/systems/window-acceptance', '/systems/department', '/systems/credit', '/systems/e-licence']) {
      expect([p, entitledToPersonData(p)]).toEqual([p, true]);
    }
    for (const p of ['/systems/catalog', '/systems/policy', '/systems/review-channel']) expect([p, entitledToPersonData(p)]).toEqual([p, false]);
  });

  it('masks ID numbers, person names, birth dates, phones and facts about them; leaves enterprises alone', () => {
    const answer = {
      event: { data: { idNumber: ID, name: '张伟', birthDate: '1990-03-07', phone: '13912345678', note: `身份证 ${ID}` } },
      applicant: { kind: 'person', id: ID, name: '王芳' },
      enterprise: { kind: 'enterprise', id: '91440300MA5G2K8L1P', name: '深圳市海星电子科技有限公司' },
      trace: [{ fact: 'applicant.birthDate', seen: '1990-03-07' }, { fact: 'form.purpose', seen: '诉讼' }],
      case: { applicantId: ID, reviewerId: '13912345678' },
    };
    const masked = maskPersonData(answer) as any;
    expect(masked.event.data).toEqual({ idNumber: '440305********123' + ID.slice(-1), name: '张*', birthDate: '****-**-**', phone: '139****5678', note: `身份证 440305********${ID.slice(-4)}` });
    expect(masked.applicant.name).toBe('王*');
    expect(masked.enterprise).toEqual(answer.enterprise);
    expect(masked.trace).toEqual([{ fact: 'applicant.birthDate', seen: '***' }, { fact: 'form.purpose', seen: '诉讼' }]);
    expect(masked.case).toEqual({ applicantId: `440305********${ID.slice(-4)}`, reviewerId: '139****5678' });
    expect(JSON.stringify(masked)).not.toContain(ID);
    expect(maskName('A')).toBe('*');
  });

  it('masks a reviewerId whatever it holds (a fixed line, an ID number), and fixed lines in free text', () => {
    const masked = maskPersonData({
      review: { reviewerId: '0755-12345678', comment: '办事员电话 010-62345678，请回电' },
      byId: { reviewerId: ID },
      unlisted: { reviewerId: '0001234567' },
      enterprise: { reviewerId: '91440300MA5G2K8L1P' },
    }) as any;
    // A fixed line reads the same in a field as in free text (and in a log line): area code and last 4 digits.
    expect(masked.review).toEqual({ reviewerId: '0755-****5678', comment: '办事员电话 010-****5678，请回电' });
    expect(masked.byId).toEqual({ reviewerId: `440305********${ID.slice(-4)}` });
    expect(masked.unlisted).toEqual({ reviewerId: '******4567' });
    expect(masked.enterprise).toEqual({ reviewerId: '91440300MA5G2K8L1P' });
  });

  it('leaves dates, amounts and codes in free text alone', () => {
    const text = '2026-11-05 受理 SQ-20261105-000342，金额 2650.0755123456 元，工单 WO-0755123456，共 0000012345 条';
    expect(maskPersonData({ note: text })).toEqual({ note: text });
  });
});

describe('query parameters', () => {
  it('refuses an empty path parameter and any parameter over 200 characters, naming it', () => {
    expect(parameterProblem({ caseId: '' }, {})).toBe('path parameter "caseId" must not be empty');
    expect(parameterProblem({}, { key: 'k'.repeat(3000) })).toBe('query parameter "key" is 3000 characters long; at most 200');
    expect(parameterProblem({ id: 'x'.repeat(200) }, { cursor: 'c'.repeat(2000) })).toBeUndefined();
  });
});
