/**
 * GET /applications/{applicationId} against DynamoDB Local: the answer of the largest decision the edge
 * lets through stays far under Lambda's 6 MB response limit. Stored, a decision of 500 rules each reading
 * the form's 32 KB value is packed (each repeat a back-reference); read back whole, the answer repeated that
 * value in every trace entry of the current decision and of its history — about 100 MB. A value over 1 KB
 * is now shown as a marker `{truncated, type, bytes, prefix}`; a small decision's trace is shown as stored.
 * A decision made since keeps such a value as that marker already, and the answer shows it as kept.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { makeCreditCode } from '#contract/identifiers';
import { LIMITS } from '#contract/limits';
import { MAX_CONDITION_LEAVES } from '#rules/validate';
import { decisionAudit } from '#approval/domain/audit';
import { decide } from '#approval/domain/decide';
import type { Cause, Decision } from '#approval/domain/decision';
import { factsOf } from '#approval/domain/replay';
import type { Application, ServiceItem } from '#approval/domain/types';
import { fullObject, noise } from '#support/noise';
import { useTestDynamo } from '#support/dynamo';
import { calendar, inputFor, NOW, SUBMITTED, weatherApp, weatherItem } from '../unit/approval/fixtures';

useTestDynamo();
let store: typeof import('#approval/store');
let routes: typeof import('#query/approval');
beforeAll(async () => {
  store = await import('#approval/store');
  routes = await import('#query/approval');
});

const ENTERPRISE = { kind: 'enterprise', id: makeCreditCode('91440101MA5CY5566'), name: '广州市某某表单有限公司' } as const;
const cause = (id: string): Cause => ({ source: '/systems/window-acceptance', id, type: 'gov.application.submitted' });

/** An item of as many rules as a condition may have, leaf i reading form field `field(i)`; each fails. */
function itemOf(itemCode: string, field: (i: number) => string): ServiceItem {
  return {
    itemCode,
    name: '大量规则事项',
    departmentCode: 'CGJ',
    applicantKind: 'enterprise',
    mode: 'instant',
    promisedDays: 3,
    legalDays: 20,
    materials: [],
    rules: { all: Array.from({ length: MAX_CONDITION_LEAVES }, (_, i) => ({ id: `W-${i}`, description: `说明第${i}项符合要求`, fact: `form.${field(i)}`, op: 'eq', value: `x${i}` })) },
    certificateType: '许可',
    version: 1,
    active: true,
  } as ServiceItem;
}

const application = (applicationId: string, itemCode: string, form: Record<string, unknown>): Application => ({
  applicationId,
  itemCode,
  applicant: ENTERPRISE,
  form,
  materials: [],
  channel: '移动端',
  submittedAt: SUBMITTED,
});

async function stored(app: Application, item: ServiceItem, input = { application: app, item, profile: { status: '存续' }, licences: [], now: NOW, calendar }): Promise<Decision> {
  const decision = decide(input);
  const c = cause(`e-${app.applicationId}`);
  const first = { application: app, decision, facts: factsOf(input), cause: c, receivedAt: NOW, audit: decisionAudit(decision, c, 'decided', NOW) };
  expect(await store.approvalStore.createFirstDecision(first)).toBe('stored');
  return decision;
}

async function answer(applicationId: string) {
  const route = routes.approvalRoutes['GET /applications/{applicationId}']!;
  const out = await route({ params: { applicationId }, query: {}, principal: '/auditors/district', event: {} as APIGatewayProxyEventV2 });
  expect(out.statusCode).toBe(200);
  const text = out.body as string;
  return { bytes: Buffer.byteLength(text), body: JSON.parse(text) };
}

const MB = 1024 * 1024;

describe('the answer of GET /applications/{applicationId}', () => {
  it('for 500 rules each reading the form\'s largest value: far under 6 MB, each value a marker of its type, size and start', async () => {
    const form = fullObject('note', LIMITS.formBytes, 11);
    const item = itemOf('BIG-ANSWER-1', () => 'note');
    const decision = await stored(application('ANSWER-1', item.itemCode, form), item);
    expect(decision.failedRules).toHaveLength(MAX_CONDITION_LEAVES);
    // The decision keeps the value as a marker in each trace entry when it is made (it kept the whole value
    // in every one, 63 MB of JSON, which the answer then repeated in the history too).
    expect(Buffer.byteLength(JSON.stringify(decision))).toBeLessThan(1 * MB);

    const { bytes, body } = await answer('ANSWER-1');
    expect(bytes).toBeLessThan(1 * MB);
    const note = form.note as string;
    const marker = { truncated: true, type: 'string', bytes: Buffer.byteLength(JSON.stringify(note)), prefix: note.slice(0, 32) };
    expect(body.trace.rules.leaves[0].seen).toEqual(marker);
    expect(body.trace.rules.tree.all[499].seen).toEqual(marker);
    expect(body.failedRules[7]).toEqual({ id: 'W-7', description: '说明第7项符合要求', fact: 'form.note', seen: marker });
    expect(body.reasons[0].details.rules[0].seen).toEqual(marker);
    expect(body.history[0].trace.rules.leaves[3].seen).toEqual(marker);
    // Everything else is shown as stored: the rule's own operand is short.
    expect(body.trace.rules.leaves[0]).toMatchObject({ id: 'W-0', fact: 'form.note', op: 'eq', value: 'x0', result: false });
    expect(body.outcome).toBe('REJECTED');
  }, 120_000);

  it('for 500 rules reading values just under 1 KB: still under 1 MB (every value over 64 bytes a marker then)', async () => {
    const form = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, noise(1000, 40 + i)]));
    const item = itemOf('BIG-ANSWER-2', (i) => `f${i % 30}`);
    await stored(application('ANSWER-2', item.itemCode, form), item);
    const { bytes, body } = await answer('ANSWER-2');
    expect(bytes).toBeLessThan(1 * MB);
    expect(body.trace.rules.leaves[31].seen).toMatchObject({ truncated: true, type: 'string', bytes: 1002, prefix: (form.f1 as string).slice(0, 32) });
  }, 120_000);

  it('for a small decision: the trace and the failed rules as stored', async () => {
    const app = weatherApp({ applicationId: 'ANSWER-SMALL-1' });
    const input = inputFor(app, weatherItem);
    const decision = decide(input);
    const c = cause('e-small-1');
    expect(await store.approvalStore.createFirstDecision({ application: app, decision, facts: factsOf(input), cause: c, receivedAt: NOW, audit: decisionAudit(decision, c, 'decided', NOW) })).toBe('stored');
    const { body } = await answer('ANSWER-SMALL-1');
    const asStored = JSON.parse(JSON.stringify(decision));
    expect(body.trace).toEqual(asStored.trace);
    expect(body.history[0].trace).toEqual(asStored.trace);
    expect(body.failedRules).toEqual(asStored.failedRules);
    expect(body.reasons).toEqual(asStored.reasons);
  });
});
