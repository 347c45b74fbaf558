import { validateCondition, MAX_CONDITION_DEPTH, MAX_CONDITION_LEAVES, MAX_DESCRIPTION_CHARS, MAX_LEAF_ID_CHARS, MAX_LIST_VALUES, MAX_OPERAND_CHARS } from '#rules';

const leaf = (over: Record<string, unknown> = {}) => ({
  id: 'R-1', description: '申请人年满18周岁', fact: 'applicant.birthDate', op: 'ageAtLeast', value: 18, ...over,
});
const withoutValue = ({ value: _value, ...rest }: Record<string, unknown>) => rest;
const paths = (c: unknown, path?: string) => validateCondition(c, path).map((i) => i.path);

describe('validateCondition', () => {
  it('accepts a well-formed condition', () => {
    expect(
      validateCondition({
        all: [
          leaf(),
          { not: leaf({ id: 'R-2', op: 'exists', value: true }) },
          { any: [leaf({ id: 'R-3', fact: 'licence.营业执照.status', op: 'eq', value: 'valid' }), leaf({ id: 'R-4', fact: 'now', op: 'after', value: '2025-01-01T00:00:00+08:00' })] },
        ],
      }),
    ).toEqual([]);
  });

  it('reports a bad operator with its exact path', () => {
    const issues = validateCondition({ all: [leaf(), leaf({ id: 'R-2' }), leaf({ id: 'R-3', op: 'like' })] });
    expect(issues.map((i) => i.path)).toEqual(['rules.all[2].op']);
    expect(issues[0]?.message).toMatch(/op must be one of/);
  });

  it.each<[string, unknown, string[]]>([
    ['not an object', 'x', ['rules']],
    ['two kinds at once', { all: [leaf()], any: [leaf()] }, ['rules']],
    ['empty all', { all: [] }, ['rules.all']],
    ['any not an array', { any: leaf() }, ['rules.any']],
    ['extra key beside not', { not: leaf(), why: 1 }, ['rules.why']],
    ['missing id', leaf({ id: '' }), ['rules.id']],
    ['duplicate id', { any: [leaf(), { not: leaf() }] }, ['rules.any[1].not.id']],
    ['empty description', leaf({ description: ' ' }), ['rules.description']],
    ['description not in Chinese', leaf({ description: 'over 18' }), ['rules.description']],
    ['unknown root', leaf({ fact: 'secret.x' }), ['rules.fact']],
    ['root alone', leaf({ fact: 'applicant' }), ['rules.fact']],
    ['now with a field', leaf({ fact: 'now.date' }), ['rules.fact']],
    ['licence without a field', leaf({ fact: 'licence.营业执照' }), ['rules.fact']],
    ['empty segment', leaf({ fact: 'applicant..x' }), ['rules.fact']],
    ['prototype segment', leaf({ fact: 'form.__proto__' }), ['rules.fact']],
    ['unknown leaf key', leaf({ vaule: 1 }), ['rules.vaule']],
    ['eq with an object', leaf({ op: 'eq', value: { a: 1 } }), ['rules.value']],
    ['eq without value', withoutValue(leaf({ op: 'eq' })), ['rules.value']],
    ['exists without value', withoutValue(leaf({ op: 'exists' })), []],
    ['gt with a word', leaf({ op: 'gt', value: 'ten' }), ['rules.value']],
    ['gte with a date', leaf({ op: 'gte', value: '2025-02-28' }), []],
    ['lt with an impossible date', leaf({ op: 'lt', value: '2025-02-30' }), ['rules.value']],
    ['in empty', leaf({ op: 'in', value: [] }), ['rules.value']],
    ['notIn with an object', leaf({ op: 'notIn', value: ['a', {}] }), ['rules.value']],
    ['contains an array', leaf({ op: 'contains', value: ['a'] }), ['rules.value']],
    ['exists with a string', leaf({ op: 'exists', value: 'yes' }), ['rules.value']],
    ['between reversed', leaf({ op: 'between', value: [5, 1] }), ['rules.value']],
    ['between mixed', leaf({ op: 'between', value: [1, '2025-01-01'] }), ['rules.value']],
    ['between dates', leaf({ op: 'between', value: ['2025-01-01', '2025-12-31'] }), []],
    ['before a local time without offset', leaf({ op: 'before', value: '2025-01-01T08:00:00' }), ['rules.value']],
    ['after now', leaf({ op: 'after', value: 'now' }), []],
    ['ageAtLeast fractional', leaf({ value: 17.5 }), ['rules.value']],
    ['ageAtLeast negative', leaf({ value: -1 }), ['rules.value']],
  ])('%s', (_name, condition, expected) => {
    expect(paths(condition)).toEqual(expected);
  });

  it('prefixes issue paths with the given path and honours restricted roots', () => {
    expect(paths({ all: [leaf({ op: 'nope' })] }, 'items[3].rules')).toEqual(['items[3].rules.all[0].op']);
    expect(validateCondition(leaf(), 'policy', ['enterprise']).map((i) => i.path)).toEqual(['policy.fact']);
  });

  it('limits nesting depth and leaf count with clear messages', () => {
    let deep: unknown = leaf();
    for (let i = 0; i < MAX_CONDITION_DEPTH; i += 1) deep = { not: deep };
    const deepIssues = validateCondition(deep);
    expect(deepIssues).toHaveLength(1);
    expect(deepIssues[0]?.message).toContain(`deeper than ${MAX_CONDITION_DEPTH}`);

    const wide = { any: Array.from({ length: MAX_CONDITION_LEAVES + 1 }, (_, i) => leaf({ id: `R-${i}` })) };
    expect(validateCondition(wide)).toEqual([
      { path: 'rules', message: `condition has ${MAX_CONDITION_LEAVES + 1} leaves; at most ${MAX_CONDITION_LEAVES} are allowed` },
    ]);
    expect(validateCondition({ any: wide.any.slice(0, MAX_CONDITION_LEAVES) })).toEqual([]);
  });

  it('limits the text a leaf repeats in every trace: its id, description and operands, at the limit and one past it', () => {
    const longId = 'R'.repeat(MAX_LEAF_ID_CHARS);
    const longText = '说'.repeat(MAX_DESCRIPTION_CHARS);
    const operand = 'x'.repeat(MAX_OPERAND_CHARS);
    const list = Array.from({ length: MAX_LIST_VALUES }, (_, i) => `v${i}`);
    expect(validateCondition({ all: [leaf({ id: longId, description: longText, op: 'eq', value: operand }), leaf({ id: 'L', op: 'in', value: list })] })).toEqual([]);
    expect(validateCondition(leaf({ id: `${longId}R` }))).toEqual([
      { path: 'rules.id', message: `id must be at most ${MAX_LEAF_ID_CHARS} characters; it has ${MAX_LEAF_ID_CHARS + 1}` },
    ]);
    expect(validateCondition(leaf({ description: `${longText}说` }))).toEqual([
      { path: 'rules.description', message: `description must be at most ${MAX_DESCRIPTION_CHARS} characters; it has ${MAX_DESCRIPTION_CHARS + 1}` },
    ]);
    expect(validateCondition(leaf({ op: 'eq', value: `${operand}x` }))).toEqual([
      { path: 'rules.value', message: `a string operand must be at most ${MAX_OPERAND_CHARS} characters; one has ${MAX_OPERAND_CHARS + 1}` },
    ]);
    expect(validateCondition(leaf({ op: 'in', value: ['a', `${operand}x`] }))).toEqual([
      { path: 'rules.value', message: `a string operand must be at most ${MAX_OPERAND_CHARS} characters; one has ${MAX_OPERAND_CHARS + 1}` },
    ]);
    expect(validateCondition(leaf({ op: 'notIn', value: [...list, 'one more'] }))).toEqual([
      { path: 'rules.value', message: `notIn takes at most ${MAX_LIST_VALUES} values; it has ${MAX_LIST_VALUES + 1}` },
    ]);
  });

  it.each(['eq', 'ne', 'in', 'notIn', 'contains'])('rejects %s on now: it would match how now is written', (op) => {
    const value = op === 'in' || op === 'notIn' ? ['2026-01-01'] : '2026-01-01';
    const issues = validateCondition(leaf({ fact: 'now', op, value }));
    expect(issues).toEqual([{ path: 'rules.op', message: expect.stringContaining('now is a moment, not text') }]);
  });

  it.each<[string, unknown]>([
    ['after', '2026-01-01'],
    ['gte', '2026-01-01T00:00:00+08:00'],
    ['between', ['2026-01-01', '2026-12-31']],
    ['exists', undefined],
  ])('accepts %s on now', (op, value) => {
    const l = value === undefined ? withoutValue(leaf({ fact: 'now', op })) : leaf({ fact: 'now', op, value });
    expect(validateCondition(l)).toEqual([]);
  });

  it('accepts person facts', () => {
    expect(validateCondition(leaf({ fact: 'person.birthDate', op: 'ageAtLeast', value: 80 }))).toEqual([]);
  });
});
