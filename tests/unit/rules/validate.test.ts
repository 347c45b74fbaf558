import { validateCondition, MAX_CONDITION_DEPTH, MAX_CONDITION_LEAVES } from '../../../shared/rules/validate';

const leaf = (over: Record<string, unknown> = {}) => ({
  id: 'R-1', description: '申请人年满18周岁', fact: 'applicant.birthDate', op: 'ageAtLeast', value: 18, ...over,
});

describe('validateCondition', () => {
  it('accepts a well-formed condition', () => {
    expect(validateCondition({ all: [leaf(), { not: leaf({ id: 'R-2', op: 'exists', value: true }) }] })).toEqual([]);
  });
  it('reports a bad operator with its exact path', () => {
    const issues = validateCondition({ all: [leaf(), leaf({ id: 'R-2' }), leaf({ id: 'R-3', op: 'like' })] });
    expect(issues.map((i) => i.path)).toEqual(['rules.all[2].op']);
  });
});
