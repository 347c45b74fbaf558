/**
 * The largest application, profile and e-licences the edge accepts are decided and stored: a first
 * decision's items, measured as DynamoDB bills them (attribute names and values, bench/runtime/meter.ts),
 * stay well under its 400 KB item limit. Before, a large form and a large licence, each accepted, made the
 * first version too large to write: the application was retried into the dead-letter queue, never decided.
 */
process.env.TABLE_APPROVALS = 'approvals-test';
process.env.TABLE_AUDIT = 'audit-test';
process.env.TABLE_RECEIPTS = 'receipts-test';

import { marshall } from '@aws-sdk/util-dynamodb';
import { itemBytes } from '#bench/runtime/meter';
import { validateData } from '#contract/envelope';
import { makeCreditCode } from '#contract/identifiers';
import { LIMITS } from '#contract/limits';
import { bytes, fullObject } from '#support/noise';
import { decisionAudit } from '#approval/domain/audit';
import { decide, type DecideInput } from '#approval/domain/decide';
import { factsOf } from '#approval/domain/replay';
import type { Licence, ServiceItem } from '#approval/domain/types';
import { decideBundle, type BundleApplication } from '#approval/domain/bundle/application';
import { bundleAudit } from '#approval/service/bundle-messages';
import { firstBundleItems } from '#approval/store/bundle';
import { applicationOfFirstVersion, decodeBody, decodeVersion, FACTS_BUDGET, firstDecisionItems } from '#approval/store/items';
import { calendar, NOW, SUBMITTED } from './fixtures';
import { FOUNDER, item as bundleItem, startUp } from './bundle/fixtures';

const ENTERPRISE = { kind: 'enterprise', id: makeCreditCode('91440101MA5CY1234'), name: '广州市某某广告有限公司' } as const;

/** What the largest decision's items may take: about a quarter of DynamoDB's 400 KB is left as margin. */
const WITH_MARGIN = 304 * 1024;

const code = (i: number) => `M${String(i).padStart(3, '0')}${'c'.repeat(LIMITS.code - 4)}`;

/** An item whose failing rules read the largest value of the form, a licence and the profile. */
const item: ServiceItem = {
  itemCode: 'SIZE-1',
  name: '最大申请',
  departmentCode: 'CGJ',
  applicantKind: 'enterprise',
  mode: 'instant',
  promisedDays: 3,
  legalDays: 20,
  materials: [{ code: code(0), name: '营业执照', licenceType: '营业执照' }],
  rules: {
    all: [
      { id: 'S-1', description: '表单说明符合要求', fact: 'form.note', op: 'eq', value: 'x' },
      { id: 'S-2', description: '经营范围符合要求', fact: 'licence.营业执照.scope', op: 'eq', value: 'x' },
      { id: 'S-3', description: '档案备注符合要求', fact: 'applicant.notes', op: 'eq', value: 'x' },
    ],
  },
  certificateType: '许可',
  version: 1,
  active: true,
};

function licence(i: number): Licence {
  return {
    licenceNo: `L${String(i).padStart(3, '0')}${'n'.repeat(LIMITS.code - 4)}`,
    licenceType: '营业执照',
    holderId: ENTERPRISE.id,
    issuer: '广州市天河区市场监督管理局',
    issuedAt: '2019-06-01T00:00:00+08:00',
    validUntil: '2039-05-31',
    trustLevel: 'A',
    attributes: fullObject('scope', LIMITS.attributesBytes, 100 + i),
  };
}

const application = {
  applicationId: 'SIZE-APP-1',
  itemCode: item.itemCode,
  applicant: ENTERPRISE,
  form: fullObject('note', LIMITS.formBytes, 1),
  materials: Array.from({ length: LIMITS.materials }, (_, i) => ({ code: code(i), provided: true, licenceNo: licence(i).licenceNo })),
  channel: '移动端',
  submittedAt: SUBMITTED,
};
const profile = fullObject('notes', LIMITS.profileBytes - 200, 2, { status: '存续', size: 'small' });

function firstVersionOf(input: DecideInput) {
  const decision = decide(input);
  const cause = { source: '/systems/window-acceptance', id: 'size-1', type: 'gov.application.submitted' };
  const items = firstDecisionItems({ application: input.application, decision, facts: factsOf(input), cause, receivedAt: NOW, audit: decisionAudit(decision, cause, 'decided', NOW) });
  const stored = items.map((t) => (t as { Put: { Item: Record<string, unknown> } }).Put.Item);
  return { decision, stored, sizes: stored.map((i) => itemBytes(marshall(i, { removeUndefinedValues: true }))) };
}

describe('the largest first decision the edge lets through', () => {
  it('starts from inputs the edge accepts, each at its byte limit', () => {
    expect(bytes(application.form)).toBe(LIMITS.formBytes);
    expect(bytes(licence(0).attributes)).toBe(LIMITS.attributesBytes);
    const ok = (type: Parameters<typeof validateData>[0], data: unknown) => {
      const r = validateData(type, data);
      return r.ok ? [] : r.errors;
    };
    expect(ok('gov.application.submitted', application)).toEqual([]);
    expect(ok('gov.licence.issued', licence(0))).toEqual([]);
    expect(ok('gov.enterprise.profile.updated', { creditCode: ENTERPRISE.id, name: ENTERPRISE.name, asOf: '2026-11-01', ...profile })).toEqual([]);
  });

  it('with one e-licence: stored with its facts, the item far under 400 KB', () => {
    const { decision, stored, sizes } = firstVersionOf({ application, item, profile, licences: [licence(0)], now: NOW, calendar });
    expect(decision.outcome).toBe('REJECTED');
    // Each large value the failing rules read is in the trace, and the facts hold them once more.
    expect(decision.failedRules.map((r) => r.id)).toEqual(['S-1', 'S-2', 'S-3']);
    const { decision: read, facts } = decodeVersion(stored[0]!);
    expect(read).toEqual(JSON.parse(JSON.stringify(decision)));
    expect(facts?.licences).toHaveLength(1);
    expect(Math.max(...sizes)).toBeLessThan(WITH_MARGIN);
  });

  it('with as many large e-licences as a holder may have: stored with its application alone, the same decision, under 400 KB', () => {
    const input = { application, item, profile, licences: Array.from({ length: 60 }, (_, i) => licence(i)), now: NOW, calendar };
    const { decision, stored, sizes } = firstVersionOf(input);
    expect(Math.max(...sizes)).toBeLessThan(WITH_MARGIN);
    const { decision: read, facts } = decodeVersion(stored[0]!);
    expect(facts).toBeUndefined();
    expect(read).toEqual(JSON.parse(JSON.stringify(decision)));
    expect(applicationOfFirstVersion(stored[0]!, read, facts)?.application).toEqual(application);
    // The facts it left out are the ones that would not fit.
    expect(bytes(factsOf(input))).toBeGreaterThan(FACTS_BUDGET);
  });
});

/** Every leaf reads the one largest form value: the trace's tree and leaves, and a failed leaf's two more copies, each keep its marker. */
const sameValueRules = (prefix: string, n: number, op: 'eq' | 'exists') => ({
  all: Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, description: `说明第${i}项`, fact: 'form.note', op, ...(op === 'eq' ? { value: `x${i}` } : {}) })),
}) as ServiceItem['rules'];

describe('large values a trace repeats', () => {
  it('a decision whose forty failing leaves read the largest form value: the same decision, stored far under 400 KB', () => {
    const many: ServiceItem = { ...item, itemCode: 'SIZE-2', rules: sameValueRules('M', 40, 'eq') };
    const { decision, stored, sizes } = firstVersionOf({ application: { ...application, itemCode: many.itemCode }, item: many, profile, licences: [licence(0)], now: NOW, calendar });
    expect(decision.failedRules).toHaveLength(40);
    // The trace keeps the value as a marker in each copy (it held the whole value 4 times a leaf, 5 MB).
    expect(bytes(decision)).toBeLessThan(40 * 4 * 1024);
    expect(decision.failedRules[0]!.seen).toMatchObject({ truncated: true, bytes: LIMITS.formBytes - 9 });
    expect(Math.max(...sizes)).toBeLessThan(WITH_MARGIN);
    expect(decodeVersion(stored[0]!).decision).toEqual(JSON.parse(JSON.stringify(decision)));
  });

  it('a 一件事 bundle whose five children each read the largest form value four times: its version far under 400 KB', () => {
    const ID = { code: 'M-ID', name: '居民身份证', licenceType: '居民身份证', minTrustLevel: 'A' } as const;
    const items = new Map(
      ['QYKB-SLDJ', 'QYKB-YZKZ', 'QYKB-FPSL', 'QYKB-SBDJ', 'QYKB-YHKH'].map((code, i) => [code, bundleItem(code, `证照${i}`, [ID], { rules: sameValueRules(code, 4, 'exists') })] as const),
    );
    const idCard: Licence = { licenceNo: 'ID-A', licenceType: '居民身份证', holderId: FOUNDER.id, issuer: '公安局', issuedAt: '2020-01-01T00:00:00.000Z', validUntil: '2036-01-01', trustLevel: 'A', attributes: {} };
    const app: BundleApplication = {
      applicationId: 'SIZE-YJS-1',
      bundleCode: startUp.bundleCode,
      applicant: FOUNDER,
      form: fullObject('note', LIMITS.formBytes, 3),
      answers: { needsInvoice: true, hiresStaff: true },
      materials: [],
      channel: 'online',
      submittedAt: SUBMITTED,
    };
    const state = decideBundle(app, { bundle: startUp, items, licences: [idCard], now: NOW, calendar });
    expect(state.children.filter((c) => c.decision !== undefined)).toHaveLength(5);
    // Each child's trace keeps the value as a marker (it held the whole value 8 times a child, 1.3 MB).
    expect(bytes(state)).toBeLessThan(5 * 8 * 1024 + LIMITS.formBytes * 2);
    const cause = { source: '/systems/window-acceptance', id: 'size-yjs', type: 'gov.application.submitted' };
    const items_ = firstBundleItems({ application: app, applicationHash: 'h', receivedAt: NOW, state, cause, causeKind: 'submitted', audit: bundleAudit(state, cause, 'decided', NOW) });
    const stored = items_.map((t) => (t as { Put: { Item: Record<string, unknown> } }).Put.Item);
    const sizes = stored.map((i) => itemBytes(marshall(i, { removeUndefinedValues: true })));
    expect(Math.max(...sizes)).toBeLessThan(WITH_MARGIN);
    const version = stored.find((i) => i.kind === 'bundleVersion')!;
    expect(decodeBody(version)).toEqual(JSON.parse(JSON.stringify(state)));
  });
});
