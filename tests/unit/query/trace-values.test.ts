/**
 * The fact values of a decision's trace as an answer shows them (shared/query/trace-values.ts): a value
 * over the limit becomes a marker with its type, size and first characters, in every trace entry (a leaf
 * of the tree or of the list, a failed or unknown rule), and nothing else of the answer changes.
 */
import { makeIdNumber } from '#contract/identifiers';
import { ANSWER_BUDGET_BYTES, boundedAnswer, boundedValue, PREFIX_CHARS, TIGHT_VALUE_BYTES, TRACE_VALUE_BYTES, traceBoundedJson } from '#query/trace-values';

/** The answer as its bounded text reads back. */
const boundTraceValues = <T>(answer: T, limit?: number): T => JSON.parse(traceBoundedJson(answer, limit)) as T;

const long = 'a'.repeat(2000);

describe('a trace value in an answer', () => {
  it('is shown as stored within the limit, and as a marker of its type, bytes and start beyond it', () => {
    for (const v of [undefined, null, 42, true, 'short', 'x'.repeat(1022), { a: 1 }, [1, 2, 3]]) expect(boundedValue(v, TRACE_VALUE_BYTES)).toBe(v);
    expect(boundedValue(long, TRACE_VALUE_BYTES)).toEqual({ truncated: true, type: 'string', bytes: 2002, prefix: 'a'.repeat(PREFIX_CHARS) });
    // Bytes of JSON as UTF-8: a Chinese character is 3.
    expect(boundedValue('字'.repeat(400), TRACE_VALUE_BYTES)).toEqual({ truncated: true, type: 'string', bytes: 1202, prefix: '字'.repeat(PREFIX_CHARS) });
    const object = { scope: long };
    expect(boundedValue(object, TRACE_VALUE_BYTES)).toEqual({ truncated: true, type: 'object', bytes: Buffer.byteLength(JSON.stringify(object)), prefix: JSON.stringify(object).slice(0, PREFIX_CHARS) });
    expect(boundedValue([long], TRACE_VALUE_BYTES)).toMatchObject({ truncated: true, type: 'array', prefix: `["${'a'.repeat(PREFIX_CHARS - 2)}` });
  });

  it('never shows part of an ID or phone number where the cut falls inside it', () => {
    const id = makeIdNumber('440106', '19900101', '123');
    const lead = '备注'.repeat(12) + '：';
    for (const number of [id, '13800138000']) {
      const value = `${lead}${number}，${long}`;
      expect(lead.length).toBeLessThan(PREFIX_CHARS);
      expect(lead.length + number.length).toBeGreaterThan(PREFIX_CHARS); // the cut falls inside the number
      expect((boundedValue(value, TRACE_VALUE_BYTES) as { prefix: string }).prefix).toBe(lead);
    }
    // A number the prefix holds whole stays (an answer masks it for a reader not entitled to it).
    expect((boundedValue(`${id}，${long}`, TRACE_VALUE_BYTES) as { prefix: string }).prefix).toBe(`${id}，${'a'.repeat(PREFIX_CHARS - id.length - 1)}`);
  });
});

describe('the trace entries of an answer', () => {
  const leaf = (seen: unknown) => ({ path: 'all[0]', id: 'R-1', description: '说明', fact: 'form.note', op: 'eq', value: 'x', seen, result: false });
  const answer = {
    outcome: 'REJECTED',
    note: long, // not a trace entry: as it is
    trace: { steps: [{ step: 'rules', result: 'reject', notes: [long] }], rules: { result: false, tree: { all: [leaf(long)], result: false }, leaves: [leaf(long)] } },
    failedRules: [{ id: 'R-1', description: '说明', fact: 'form.note', seen: long }],
    reasons: [{ code: 'RULE_FALSE', message: '不符合', details: { rules: [{ id: 'R-1', description: '说明', fact: 'form.note', seen: long }] } }],
    history: [{ trace: { rules: { leaves: [leaf(long)] } }, failedRules: [{ id: 'R-1', description: '说明', fact: 'form.note' }] }],
  };

  it('bound `seen` and `value` wherever a rule is shown, and leave everything else as it is', () => {
    const marker = boundedValue(long, TRACE_VALUE_BYTES);
    const out = boundTraceValues(answer);
    expect(out.trace.rules.tree.all[0]).toEqual(leaf(marker));
    expect(out.trace.rules.leaves[0]).toEqual(leaf(marker));
    expect(out.failedRules[0]!.seen).toEqual(marker);
    expect((out.reasons[0]!.details.rules[0] as { seen: unknown }).seen).toEqual(marker);
    expect(out.history[0]!.trace.rules.leaves[0]).toEqual(leaf(marker));
    expect(out.history[0]!.failedRules[0]).toEqual({ id: 'R-1', description: '说明', fact: 'form.note' });
    expect(out.note).toBe(long);
    expect(out.trace.steps).toEqual(answer.trace.steps);
    expect({ ...out, trace: answer.trace, failedRules: answer.failedRules, reasons: answer.reasons, history: answer.history }).toEqual(answer);
    // A rule's operand is bounded as its value is.
    expect(boundTraceValues({ ...leaf('s'), value: [long] }).value).toMatchObject({ truncated: true, type: 'array' });
  });

  it('leave a small answer exactly as it is', () => {
    const small = JSON.parse(JSON.stringify(answer).replaceAll(long, 'short')) as typeof answer;
    expect(boundTraceValues(small)).toEqual(small);
    expect(boundedAnswer(small)).toBe(JSON.stringify(small));
  });

  it('bound every value over 64 bytes when the answer is still over its budget at 1 KB', () => {
    const value = 'b'.repeat(1000);
    const many = { trace: { rules: { leaves: Array.from({ length: 1200 }, () => leaf(value)) } } };
    const json = boundedAnswer(many);
    expect(Buffer.byteLength(traceBoundedJson(many))).toBeGreaterThan(ANSWER_BUDGET_BYTES);
    expect(Buffer.byteLength(json)).toBeLessThan(ANSWER_BUDGET_BYTES);
    expect((JSON.parse(json) as typeof many).trace.rules.leaves[0]!.seen).toEqual(boundedValue(value, TIGHT_VALUE_BYTES));
    expect(json).toBe(traceBoundedJson(many, TIGHT_VALUE_BYTES));
  });

  it('shows a marker the decision already kept as it is, even when every value over 64 bytes is bounded', () => {
    // A decision made now keeps a value over 1 KB as its marker; the answer never marks the marker again.
    const kept = boundedValue('c'.repeat(5000), TRACE_VALUE_BYTES);
    expect(Buffer.byteLength(JSON.stringify(kept))).toBeGreaterThan(TIGHT_VALUE_BYTES);
    const answer = { trace: { rules: { leaves: [leaf(kept)] } }, failedRules: [{ id: 'R-1', description: '说明', fact: 'form.note', seen: kept }] };
    const tight = boundTraceValues(answer, TIGHT_VALUE_BYTES);
    expect(tight.trace.rules.leaves[0]!.seen).toEqual(kept);
    expect(tight.failedRules[0]!.seen).toEqual(kept);
    // A value shaped otherwise is bounded as any value is.
    const lookalike = { truncated: true, type: 'string', bytes: 1, prefix: 'd'.repeat(200) };
    expect(boundTraceValues({ failedRules: [{ id: 'R-2', description: '说明', fact: 'form.x', seen: lookalike }] }, TIGHT_VALUE_BYTES).failedRules[0]!.seen).toMatchObject({ type: 'object' });
  });
});
