/**
 * A decision's trace keeps a fact value (or a rule's operand) longer than 1 KB of JSON as a marker
 * `{truncated, type, bytes, prefix}` in every copy it makes (the condition's tree and leaves, the failed and
 * unknown rules, the reasons' details), when the decision is made; a shorter value as it is. Before, each
 * copy held the whole value: 500 rules reading the form's 32 KB value made a decision of 63 MB of JSON,
 * built, stringified and packed by the approval function (about 6 s and 500 MB), and unpacked again by every
 * later version and read. The facts kept for replay stay whole.
 */
process.env.TABLE_APPROVALS = 'approvals-test';
process.env.TABLE_AUDIT = 'audit-test';
process.env.TABLE_RECEIPTS = 'receipts-test';

import { makeCreditCode } from '#contract/identifiers';
import { LIMITS } from '#contract/limits';
import { compileCached, compileCondition } from '#rules/compile';
import { boundedExplanation, TRACE_VALUE_BYTES } from '#rules/trace-values';
import { MAX_CONDITION_LEAVES } from '#rules/validate';
import type { Condition } from '#rules/types';
import { decisionAudit } from '#approval/domain/audit';
import { decide } from '#approval/domain/decide';
import { evaluateRules, rulesCacheKey } from '#approval/domain/rules';
import { factsOf } from '#approval/domain/replay';
import { whichItemsApply, bundleFacts } from '#approval/domain/bundle/applicability';
import { decideBundle, type BundleApplication } from '#approval/domain/bundle/application';
import type { Licence, ServiceItem } from '#approval/domain/types';
import { bundleAudit } from '#approval/service/bundle-messages';
import { firstBundleItems } from '#approval/store/bundle';
import { decodeBody, decodeVersion, firstDecisionItems } from '#approval/store/items';
import { bytes, fullObject, noise } from '#support/noise';
import { calendar, criminalRecordItem, NOW, outdoorAdItem, posterItem, SUBMITTED, weatherItem } from './fixtures';
import { FOUNDER, item as bundleItem, startUp } from './bundle/fixtures';

const ENTERPRISE = { kind: 'enterprise', id: makeCreditCode('91440101MA5CY7788'), name: '广州市某某追溯有限公司' } as const;
const cause = { source: '/systems/window-acceptance', id: 'long-trace-1', type: 'gov.application.submitted' };
const MB = 1024 * 1024;

function itemOf(itemCode: string, rules: Condition): ServiceItem {
  return { itemCode, name: '追溯事项', departmentCode: 'CGJ', applicantKind: 'enterprise', mode: 'instant', promisedDays: 3, legalDays: 20, materials: [], rules, certificateType: '许可', version: 1, active: true } as ServiceItem;
}
const applicationOf = (applicationId: string, itemCode: string, form: Record<string, unknown>) =>
  ({ applicationId, itemCode, applicant: ENTERPRISE, form, materials: [], channel: '移动端', submittedAt: SUBMITTED }) as const;
const inputOf = (app: ReturnType<typeof applicationOf>, item: ServiceItem) => ({ application: app, item, profile: { status: '存续' }, licences: [], now: NOW, calendar });

describe('a decision\'s trace keeps a long value as a marker', () => {
  // Starts with 40 characters that are no digits, so the marker's prefix is its first 32.
  const long = `${'申请说明'.repeat(10)}${noise(2000, 21)}`;
  const marker = { truncated: true, type: 'string', bytes: 2122, prefix: long.slice(0, 32) };
  const item = itemOf('BIGDECIDE-1', {
    all: [
      { id: 'L-1', description: '说明符合要求', fact: 'form.note', op: 'eq', value: 'x' },
      { id: 'S-1', description: '名称符合要求', fact: 'form.title', op: 'eq', value: '广告牌' },
      { id: 'U-1', description: '已填写面积', fact: 'form.areaSqm', op: 'gt', value: 1 },
    ],
  });
  const app = applicationOf('BIGDECIDE-APP-1', item.itemCode, { note: long, title: '灯箱' });

  it('in the tree, the leaves, the failed rules and the reason\'s details; a short value as it is', () => {
    const d = decide(inputOf(app, item));
    expect(d.outcome).toBe('REJECTED');
    const rules = d.trace.rules!;
    const leaf = (id: string) => rules.leaves.find((l) => l.id === id)!;
    expect(leaf('L-1')).toEqual({ path: 'all[0]', id: 'L-1', description: '说明符合要求', fact: 'form.note', op: 'eq', value: 'x', seen: marker, result: false });
    expect(leaf('S-1').seen).toBe('灯箱');
    expect(leaf('U-1').seen).toBeUndefined();
    expect((rules.tree as unknown as { all: { seen: unknown }[] }).all[0]!.seen).toEqual(marker);
    expect((rules.tree as unknown as { all: { seen: unknown }[] }).all[1]!.seen).toBe('灯箱');
    expect(d.failedRules).toEqual([
      { id: 'L-1', description: '说明符合要求', fact: 'form.note', seen: marker },
      { id: 'S-1', description: '名称符合要求', fact: 'form.title', seen: '灯箱' },
    ]);
    expect((d.reasons[0]!.details!.rules as unknown[])[0]).toEqual({ id: 'L-1', description: '说明符合要求', fact: 'form.note', seen: marker });
    // The Chinese message names the rules, never a value.
    expect(d.reasons[0]!.message).toBe('不符合以下条件：说明符合要求；名称符合要求');
    expect(JSON.stringify(d)).not.toContain(long.slice(0, 100));
  });

  it('while the facts kept for replay hold the value whole, and replaying them decides the same', () => {
    const input = inputOf(app, item);
    const facts = factsOf(input);
    expect(facts.application.form.note).toBe(long);
    const d = decide(input);
    const items = firstDecisionItems({ application: app, decision: d, facts, cause, receivedAt: NOW, audit: decisionAudit(d, cause, 'decided', NOW) });
    const version = (items[0] as { Put: { Item: Record<string, unknown> } }).Put.Item;
    const read = decodeVersion(version);
    expect(read.facts?.application.form.note).toBe(long);
    expect(read.decision).toEqual(JSON.parse(JSON.stringify(d)));
  });

  it('an unknown rule\'s long value as a marker too, and a rule\'s long operand', () => {
    const list = Array.from({ length: 200 }, (_, i) => `类别${String(i).padStart(3, '0')}`);
    const unknownItem = itemOf('BIGDECIDE-2', {
      all: [
        { id: 'IN-1', description: '类别在名录内', fact: 'form.category', op: 'in', value: list },
        { id: 'UK-1', description: '说明与面积相符', fact: 'form.note', op: 'contains', value: 'ok' },
        { id: 'UK-2', description: '已填写面积', fact: 'form.areaSqm', op: 'gt', value: 1 },
      ],
    });
    const d = decide(inputOf(applicationOf('BIGDECIDE-APP-2', unknownItem.itemCode, { category: '类别007', note: `${long}ok` }), unknownItem));
    expect(d.outcome).toBe('MANUAL_REVIEW');
    const [inList, contains] = d.trace.rules!.leaves;
    expect(inList!.value).toEqual({ truncated: true, type: 'array', bytes: bytes(list), prefix: JSON.stringify(list).slice(0, 32) });
    expect(inList!.seen).toBe('类别007');
    expect(contains!.seen).toEqual({ truncated: true, type: 'string', bytes: 2124, prefix: long.slice(0, 32) });
    expect(d.unknownRules).toEqual([{ id: 'UK-2', description: '已填写面积', fact: 'form.areaSqm' }]);
  });

  it('a value of exactly 1 KB of JSON as it is, one byte more as a marker', () => {
    const at = `说明${noise(TRACE_VALUE_BYTES - 8, 5)}`;
    const over = `说明${noise(TRACE_VALUE_BYTES - 7, 5)}`;
    const x = compileCondition({ all: [
      { id: 'A', description: '已填写甲', fact: 'form.a', op: 'exists' },
      { id: 'B', description: '已填写乙', fact: 'form.b', op: 'exists' },
    ] }).explain({ form: { a: at, b: over } });
    const [a, b] = boundedExplanation(x).leaves;
    expect(a!.seen).toBe(at);
    expect(bytes(at)).toBe(TRACE_VALUE_BYTES);
    expect(b!.seen).toMatchObject({ truncated: true, type: 'string', bytes: TRACE_VALUE_BYTES + 1 });
  });

  it('keeps a short value shaped like a marker as a marker of an object, so no reader takes it for a long value', () => {
    const lookalike = { truncated: true, type: 'string', bytes: 99999, prefix: '看似被截断的说明' };
    const x = compileCondition({ all: [{ id: 'K', description: '已填写说明', fact: 'form.k', op: 'exists' }] }).explain({ form: { k: lookalike } });
    const text = JSON.stringify(lookalike);
    expect(boundedExplanation(x).leaves[0]!.seen).toEqual({ truncated: true, type: 'object', bytes: bytes(lookalike), prefix: text.slice(0, 32) });
    expect(bytes(lookalike)).toBeLessThan(TRACE_VALUE_BYTES);
    // Any other short object is kept as it is.
    const near = { truncated: true, type: 'string', bytes: 99999, prefix: 'x', more: 1 };
    const y = compileCondition({ all: [{ id: 'K2', description: '已填写说明', fact: 'form.k', op: 'exists' }] }).explain({ form: { k: near } });
    expect(boundedExplanation(y).leaves[0]!.seen).toBe(near);
  });

  it('keeps the tree and the leaves sharing each leaf, and a small explanation itself', () => {
    const condition: Condition = { any: [{ not: { id: 'N', description: '已填写说明', fact: 'form.n', op: 'exists' } }, { id: 'M', description: '份数为一', fact: 'form.m', op: 'eq', value: 1 }] };
    const small = compileCondition(condition).explain({ form: { n: 'short', m: 1 } });
    expect(boundedExplanation(small)).toBe(small);
    const big = boundedExplanation(compileCondition(condition).explain({ form: { n: long, m: 1 } }));
    const tree = big.tree as unknown as { any: [{ not: unknown }, unknown] };
    expect(tree.any[0].not).toBe(big.leaves[0]);
    expect(tree.any[1]).toBe(big.leaves[1]);
    expect(big.leaves[0]!.seen).toEqual(marker);
  });

  it('leaves the trace of the sample items exactly as the engine explains it when no value is long', () => {
    const facts = { applicant: { kind: 'person', id: '440106199001011234', birthDate: '1990-01-01' }, form: { areaSqm: 12, durationDays: 15, copies: 3, purpose: '出国' }, licence: {}, credit: {}, now: NOW };
    for (const item of [weatherItem, posterItem, criminalRecordItem, outdoorAdItem]) {
      const engine = compileCached(item.rules, rulesCacheKey(item), { timeZone: 'Asia/Shanghai' }).explain(facts);
      expect(JSON.stringify(evaluateRules(item, facts, 'Asia/Shanghai').explanation)).toBe(JSON.stringify(engine));
    }
  });

  it('in a bundle\'s applicability explanation', () => {
    const bundle = { ...startUp, version: startUp.version + 900, items: startUp.items.map((i) => ({ ...i, appliesWhen: { id: `AW-${i.itemCode}`, description: '已说明', fact: 'answers.note', op: 'exists' } as Condition })) };
    const r = whichItemsApply(bundle, bundleFacts({ form: {}, applicant: {}, licence: {}, credit: {}, now: NOW }, { note: long }), 'Asia/Shanghai');
    expect(r.items.map((i) => i.explanation?.leaves[0]?.seen)).toEqual(startUp.items.map(() => marker));
  });
});

describe('the worst case the edge lets through', () => {
  const rules = (prefix: string, op: 'eq' | 'exists'): Condition => ({
    all: Array.from({ length: MAX_CONDITION_LEAVES }, (_, i) => ({ id: `${prefix}-${i}`, description: `说明第${i}项符合要求`, fact: 'form.note', op, ...(op === 'eq' ? { value: `x${i}` } : {}) })),
  });

  it('500 rules each reading the form\'s 32 KB value: a decision under 1 MB of JSON (it was 63 MB), packed with its facts in under 64 KB', () => {
    const item = itemOf('BIGDECIDE-500', rules('W', 'eq'));
    const app = applicationOf('BIGDECIDE-APP-500', item.itemCode, fullObject('note', LIMITS.formBytes, 11));
    const input = inputOf(app, item);
    const d = decide(input);
    expect(d.failedRules).toHaveLength(MAX_CONDITION_LEAVES);
    expect(bytes(d)).toBeLessThan(1 * MB);
    const items = firstDecisionItems({ application: app, decision: d, facts: factsOf(input), cause, receivedAt: NOW, audit: decisionAudit(d, cause, 'decided', NOW) });
    const version = (items[0] as { Put: { Item: Record<string, unknown> } }).Put.Item;
    expect((version.bodyZ as Uint8Array).byteLength).toBeLessThan(64 * 1024);
    const read = decodeVersion(version);
    expect(read.facts?.application.form).toEqual(app.form);
    expect(read.decision.failedRules[499]!.seen).toEqual({ truncated: true, type: 'string', bytes: bytes(app.form.note), prefix: (app.form.note as string).slice(0, 32) });
  });

  it('a 一件事 bundle whose five children each have 500 rules reading that value: a state under 2 MB of JSON (it was 157 MB)', () => {
    const ID = { code: 'M-ID', name: '居民身份证', licenceType: '居民身份证', minTrustLevel: 'A' } as const;
    const items = new Map(['QYKB-SLDJ', 'QYKB-YZKZ', 'QYKB-FPSL', 'QYKB-SBDJ', 'QYKB-YHKH'].map((code, i) => [code, bundleItem(code, `证照${i}`, [ID], { rules: rules(`BD-${code}`, 'exists') })] as const));
    const idCard: Licence = { licenceNo: 'ID-A', licenceType: '居民身份证', holderId: FOUNDER.id, issuer: '公安局', issuedAt: '2020-01-01T00:00:00.000Z', validUntil: '2036-01-01', trustLevel: 'A', attributes: {} };
    const app: BundleApplication = { applicationId: 'BIGDECIDE-YJS-1', bundleCode: startUp.bundleCode, applicant: FOUNDER, form: fullObject('note', LIMITS.formBytes, 3), answers: { needsInvoice: true, hiresStaff: true }, materials: [], channel: 'online', submittedAt: SUBMITTED };
    const state = decideBundle(app, { bundle: { ...startUp, version: startUp.version + 901 }, items, licences: [idCard], now: NOW, calendar });
    expect(state.children.filter((c) => c.decision !== undefined)).toHaveLength(5);
    expect(bytes(state)).toBeLessThan(2 * MB);
    const stored = firstBundleItems({ application: app, applicationHash: 'h', receivedAt: NOW, state, cause, causeKind: 'submitted', audit: bundleAudit(state, cause, 'decided', NOW) }).map((t) => (t as { Put: { Item: Record<string, unknown> } }).Put.Item);
    const version = stored.find((i) => i.kind === 'bundleVersion')!;
    expect((version.bodyZ as Uint8Array).byteLength).toBeLessThan(64 * 1024);
    expect(decodeBody(version)).toEqual(JSON.parse(JSON.stringify(state)));
  });
});
