import { MAX_PARAMETER_LENGTH, parameterProblem } from '#query/parameters';

describe('query parameters: every one bounded, its name as well as its value', () => {
  it('names an oversized query key instead of ignoring it', () => {
    const name = 'k'.repeat(5000);
    expect(parameterProblem({}, { [name]: '1' })).toBe(`query parameter name "${'k'.repeat(40)}…" is 5000 characters long; at most ${MAX_PARAMETER_LENGTH}`);
    expect(parameterProblem({}, { [name]: undefined })).toMatch(/query parameter name "k+…" is 5000 characters long/);
  });

  it('takes names and values up to the limit, and still bounds values and path parameters', () => {
    expect(parameterProblem({ id: 'x' }, { ['k'.repeat(MAX_PARAMETER_LENGTH)]: 'v'.repeat(MAX_PARAMETER_LENGTH) })).toBeUndefined();
    expect(parameterProblem({}, { source: 's'.repeat(MAX_PARAMETER_LENGTH + 1) })).toMatch(/query parameter "source" is 201 characters long/);
    expect(parameterProblem({ id: '' }, {})).toBe('path parameter "id" must not be empty');
  });
});
