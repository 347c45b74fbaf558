/**
 * 免申即享 end to end through the local runtime: a few thousand generated enterprises, two policies published
 * over them (a `confirm` policy and a `grant` policy with a budget), profile updates, confirmations and
 * disbursements — checked against the pure domain as the oracle — then every event redelivered (same ids and
 * new ids with the same content) and the runtime restarted on its data folder, with no figure changing.
 * Last, a policy stored with the other subject kind's dishonest flag (before the edge refused it): GET
 * /policies/{policyId} answers its `warnings`, and none once a new version without the flag is published.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startLocal, type Running } from '#support/runtime';
import { compilePolicy, inapplicableDishonestFlag, matchEnterprise, type CreditRecord, type EnterpriseProfile, type MatchOutcome, type Policy } from '#entitlement';
import { ACTIVE_PK, activeSk, CURRENT_SK, policyPk, versionSk } from '#entitlement/store/keys';
import { localTableName } from '#local/provision';
import { generateEnterprises } from '#bench/fixtures/enterprises';
import { EXPORT_CREDIT_INSURANCE, SOCIAL_INSURANCE_SUBSIDY } from '#bench/fixtures/policies';

const N = 2000;
const SEED = 20250601;
const CLOCK = '2025-06-01T01:00:00.000Z';
const NOW = '2025-06-01T09:00:00+08:00';
const EVENT_TIME = '2025-06-01T08:00:00+08:00';
const CONFIRM = EXPORT_CREDIT_INSURANCE; // kind confirm, no budget
const GRANT = SOCIAL_INSURANCE_SUBSIDY; // kind grant, budget for 250 grants
const GRANTS_IN_BUDGET = GRANT.budget! / GRANT.benefit.amount!;

const { profiles, credits } = generateEnterprises(N, SEED);
const creditList = [...credits.values()];

let rt: Running;
let dataDir: string;
const posted: unknown[][] = [];

function cloudEvent(source: string, type: string, id: string, data: unknown) {
  return { specversion: '1.0', id, source, type, time: EVENT_TIME, datacontenttype: 'application/json', data };
}
/** JSON drops the generator's undefined fields, as an upstream system's JSON would. */
const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

async function postAll(events: unknown[], record = true): Promise<void> {
  for (let i = 0; i < events.length; i += 100) {
    const batch = events.slice(i, i + 100);
    const out = await rt.post(batch);
    expect([out.status, out.body.rejected]).toEqual([202, []]);
    if (record) posted.push(batch);
  }
}

type Outcomes = Map<string, MatchOutcome>;
function oracle(policy: Policy, ps: readonly EnterpriseProfile[], cs: ReadonlyMap<string, CreditRecord>): Outcomes {
  const compiled = compilePolicy(policy);
  return new Map(ps.map((p) => [p.creditCode, matchEnterprise(policy, compiled, plain(p), cs.get(p.creditCode), NOW).outcome]));
}
const codesWith = (o: Outcomes, outcome: MatchOutcome) => new Set([...o].filter(([, v]) => v === outcome).map(([k]) => k));
const union = (a: Set<string>, b: Set<string>) => new Set([...a, ...b]);
const minus = (a: Set<string>, b: Set<string>) => new Set([...a].filter((x) => !b.has(x)));
const sorted = (s: Iterable<string>) => [...s].sort();

async function entitlements(policyId: string, filter: string): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | undefined;
  do {
    const res = await rt.get(`/policies/${policyId}/entitlements?${filter}&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    out.push(...res.body.items);
    cursor = res.body.cursor;
  } while (cursor);
  return out;
}

async function figures(policyId: string): Promise<any> {
  const res = await rt.get(`/policies/${policyId}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function notifiedEvents(policyId: string): Promise<string[]> {
  const res = await rt.dev('GET', '/_dev/outbound?type=gov.entitlement.notified');
  return (res.body.events as Array<{ subject: string }>)
    .filter((e) => e.subject.startsWith(`${policyId}/`))
    .map((e) => e.subject.slice(policyId.length + 1));
}

const duplicates = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) !== i);

// Expected sets, filled in as the scenario advances.
let before: Record<string, Outcomes>;
let after: Record<string, Outcomes>;
let updated: EnterpriseProfile[];
const confirmedCodes: string[] = [];
const disbursedCodes: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'civicflow-entitlement-'));
  rt = await startLocal({ dataDir });
  expect((await rt.dev('POST', '/_dev/clock', { set: CLOCK })).status).toBe(200);
}, 120_000);
afterAll(async () => {
  await rt?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('免申即享 through the local runtime', () => {
  it('publishes two policies over generated enterprises and notifies exactly the eligible, once each', async () => {
    await postAll(profiles.map((p, i) => cloudEvent('/systems/data-sharing', 'gov.enterprise.profile.updated', `ent-${i}`, plain(p))));
    await postAll(creditList.map((c, i) => cloudEvent('/systems/credit', 'gov.credit.updated', `credit-${i}`, c)));
    await rt.drain(120_000);
    await postAll([
      cloudEvent('/systems/policy', 'gov.policy.published', 'publish-confirm-1', CONFIRM),
      cloudEvent('/systems/policy', 'gov.policy.published', 'publish-grant-1', GRANT),
    ]);
    await rt.drain(170_000);

    before = { [CONFIRM.policyId]: oracle(CONFIRM, profiles, credits), [GRANT.policyId]: oracle(GRANT, profiles, credits) };
    // The oracle has something to check: eligible, needs-info and dishonest enterprises in both policies.
    for (const o of Object.values(before)) {
      expect(codesWith(o, 'eligible').size).toBeGreaterThan(50);
      expect(codesWith(o, 'needsInfo').size).toBeGreaterThan(0);
    }
    expect(codesWith(before[GRANT.policyId]!, 'excluded').size).toBeGreaterThan(0);

    // confirm policy: exactly the eligible are NOTIFIED, each delivered once; needs-info listed, not pushed.
    const eligible = codesWith(before[CONFIRM.policyId]!, 'eligible');
    const needsInfo = codesWith(before[CONFIRM.policyId]!, 'needsInfo');
    const pushed = await entitlements(CONFIRM.policyId, 'reached=NOTIFIED');
    expect(sorted(pushed.map((e) => e.creditCode))).toEqual(sorted(eligible));
    expect(pushed.every((e) => e.state === 'NOTIFIED' && e.delivery?.status === 'DELIVERED' && e.delivery.attempts === 1)).toBe(true);
    expect(sorted((await entitlements(CONFIRM.policyId, 'state=NEEDS_INFO')).map((e) => e.creditCode))).toEqual(sorted(needsInfo));
    const sent = await notifiedEvents(CONFIRM.policyId);
    expect(duplicates(sent)).toEqual([]);
    expect(sorted(sent)).toEqual(sorted(eligible));
    const c = await figures(CONFIRM.policyId);
    expect(c.figures).toMatchObject({
      eligible: eligible.size,
      needsInfo: needsInfo.size,
      notified: eligible.size,
      delivered: eligible.size,
      confirmed: 0,
      granted: 0,
      disbursed: 0,
      coverage: 0,
    });
    expect(c.figures.publishToLastPushMs).toBeGreaterThanOrEqual(0);
    expect(c.run).toMatchObject({ complete: true, profiles: N });

    // grant policy with a budget: exactly the budget's worth granted (and notified), the rest exhausted.
    const gEligible = codesWith(before[GRANT.policyId]!, 'eligible');
    expect(gEligible.size).toBeGreaterThan(GRANTS_IN_BUDGET);
    const granted = await entitlements(GRANT.policyId, 'reached=GRANTED');
    const exhausted = await entitlements(GRANT.policyId, 'state=EXHAUSTED');
    expect(granted).toHaveLength(GRANTS_IN_BUDGET);
    expect(sorted([...granted, ...exhausted].map((e) => e.creditCode))).toEqual(sorted(gEligible));
    const gSent = await notifiedEvents(GRANT.policyId);
    expect(duplicates(gSent)).toEqual([]);
    expect(sorted(gSent)).toEqual(sorted(granted.map((e) => e.creditCode)));
    const g = await figures(GRANT.policyId);
    expect(g.figures).toMatchObject({
      eligible: gEligible.size,
      needsInfo: codesWith(before[GRANT.policyId]!, 'needsInfo').size,
      notified: GRANTS_IN_BUDGET,
      granted: GRANTS_IN_BUDGET,
      exhausted: gEligible.size - GRANTS_IN_BUDGET,
      amountReserved: GRANT.budget,
      delivered: GRANTS_IN_BUDGET,
    });
    expect(g.budget).toEqual({ total: GRANT.budget, remaining: 0 });
  }, 300_000);

  it('re-matches updated profiles: the newly eligible are pushed, the already pushed are not pushed again', async () => {
    const o = before[CONFIRM.policyId]!;
    const dishonest = (code: string) => credits.get(code)?.dishonest === true;
    const ineligible = profiles.filter((p) => o.get(p.creditCode) === 'ineligible' && !dishonest(p.creditCode)).slice(0, 25);
    const unknown = profiles.filter((p) => o.get(p.creditCode) === 'needsInfo').slice(0, 10);
    const pushedChanged = profiles.filter((p) => o.get(p.creditCode) === 'eligible').slice(0, 15);
    const asOf = '2025-03-01T00:00:00+08:00';
    updated = [
      ...ineligible.map((p) => ({ ...p, asOf, size: 'small', exportValueUsd: 1_000_000, status: '存续', employees: p.employees ?? 12 })),
      ...unknown.map((p) => ({ ...p, asOf, employees: p.employees ?? 8, exportValueUsd: p.exportValueUsd ?? 500_000, taxCreditRating: p.taxCreditRating ?? 'B' })),
      // Some stay eligible with other figures, some stop matching: neither may be pushed again.
      ...pushedChanged.map((p, i) => ({ ...p, asOf, exportValueUsd: i % 2 === 0 ? 2_000_000 : 0 })),
    ];
    await postAll(updated.map((p, i) => cloudEvent('/systems/data-sharing', 'gov.enterprise.profile.updated', `ent-update-${i}`, plain(p))));
    await rt.drain(120_000);

    const byCode = new Map(profiles.map((p) => [p.creditCode, p]));
    for (const p of updated) byCode.set(p.creditCode, p);
    const now = [...byCode.values()];
    after = { [CONFIRM.policyId]: oracle(CONFIRM, now, credits), [GRANT.policyId]: oracle(GRANT, now, credits) };

    const e0 = codesWith(before[CONFIRM.policyId]!, 'eligible');
    const e1 = codesWith(after[CONFIRM.policyId]!, 'eligible');
    const newlyEligible = minus(e1, e0);
    expect(newlyEligible.size).toBeGreaterThanOrEqual(25);
    const expectedPushed = union(e0, e1);
    const pushed = await entitlements(CONFIRM.policyId, 'reached=NOTIFIED');
    expect(sorted(pushed.map((e) => e.creditCode))).toEqual(sorted(expectedPushed));
    const sent = await notifiedEvents(CONFIRM.policyId);
    expect(duplicates(sent)).toEqual([]);
    expect(sent).toHaveLength(expectedPushed.size);
    // The pushed enterprise that stopped matching keeps its entitlement: a push is never taken back.
    const stopped = pushedChanged.filter((_, i) => i % 2 === 1).map((p) => p.creditCode);
    expect(pushed.filter((e) => stopped.includes(e.creditCode)).every((e) => e.state === 'NOTIFIED')).toBe(true);
    const needsInfo = minus(codesWith(after[CONFIRM.policyId]!, 'needsInfo'), e0);
    const c = await figures(CONFIRM.policyId);
    expect(c.figures).toMatchObject({ eligible: expectedPushed.size, notified: expectedPushed.size, needsInfo: needsInfo.size, delivered: expectedPushed.size });

    // The grant policy's budget is spent: who becomes eligible now is exhausted, and nobody more is granted.
    const g0 = codesWith(before[GRANT.policyId]!, 'eligible');
    const gAll = union(g0, codesWith(after[GRANT.policyId]!, 'eligible'));
    const g = await figures(GRANT.policyId);
    expect(g.figures).toMatchObject({
      eligible: gAll.size,
      granted: GRANTS_IN_BUDGET,
      notified: GRANTS_IN_BUDGET,
      exhausted: gAll.size - GRANTS_IN_BUDGET,
      needsInfo: minus(codesWith(after[GRANT.policyId]!, 'needsInfo'), g0).size,
    });
    expect(await notifiedEvents(GRANT.policyId)).toHaveLength(GRANTS_IN_BUDGET);
  }, 300_000);

  it('confirms and disburses, refuses what cannot apply, and explains every policy in the calculator', async () => {
    const pushed = sorted(union(codesWith(before[CONFIRM.policyId]!, 'eligible'), codesWith(after[CONFIRM.policyId]!, 'eligible')));
    confirmedCodes.push(...pushed.slice(0, 6));
    disbursedCodes.push(...confirmedCodes.slice(0, 4));
    const ineligible = [...after[CONFIRM.policyId]!].find(([, v]) => v === 'ineligible')![0];
    // Dated NOW, when the runtime's clock was set: no event may say it happened after its receipt, and the
    // redelivery below posts them again on this clock.
    const events = [
      ...confirmedCodes.map((code, i) =>
        cloudEvent('/systems/policy', 'gov.policy.confirmed', `confirm-${i}`, { policyId: CONFIRM.policyId, creditCode: code, at: NOW }),
      ),
      // Refused: no entitlement; and a disbursement of a pair only notified.
      cloudEvent('/systems/policy', 'gov.policy.confirmed', 'confirm-refused', { policyId: CONFIRM.policyId, creditCode: ineligible, at: NOW }),
      cloudEvent('/systems/policy', 'gov.policy.disbursed', 'disburse-refused', { policyId: CONFIRM.policyId, creditCode: pushed[pushed.length - 1], amount: 100, at: NOW }),
    ];
    await postAll(events);
    await rt.drain();
    await postAll(
      disbursedCodes.map((code, i) =>
        cloudEvent('/systems/policy', 'gov.policy.disbursed', `disburse-${i}`, { policyId: CONFIRM.policyId, creditCode: code, amount: 1500, at: NOW }),
      ),
    );
    await rt.drain();

    const c = await figures(CONFIRM.policyId);
    expect(c.figures).toMatchObject({
      eligible: pushed.length,
      notified: pushed.length,
      confirmed: confirmedCodes.length,
      disbursed: disbursedCodes.length,
      granted: 0,
      amountDisbursed: 1500 * disbursedCodes.length,
    });
    expect(c.figures.coverage).toBeCloseTo(confirmedCodes.length / pushed.length, 10);
    expect(sorted((await entitlements(CONFIRM.policyId, 'reached=CONFIRMED')).map((e) => e.creditCode))).toEqual(sorted(confirmedCodes));
    expect((await entitlements(CONFIRM.policyId, 'state=DISBURSED')).map((e) => e.creditCode).sort()).toEqual(sorted(disbursedCodes));

    // Calculator: a disbursed enterprise — every criterion held, in Chinese.
    const calc = await rt.get(`/enterprises/${disbursedCodes[0]}/policies`);
    expect(calc.status).toBe(200);
    const entry = calc.body.policies.find((p: any) => p.policyId === CONFIRM.policyId);
    expect(entry.entitlement).toMatchObject({ state: 'DISBURSED', reached: ['ELIGIBLE', 'NOTIFIED', 'CONFIRMED', 'DISBURSED'] });
    expect(entry.explanation).toMatchObject({ outcome: 'eligible', failed: [], unknown: [] });
    expect(entry.explanation.held.map((h: any) => h.id)).toEqual(['EXP-SIZE', 'EXP-EXPORTER', 'EXP-CAP', 'EXP-ACTIVE']);
    expect(entry.explanation.held[0].description).toBe('企业规模为小型或微型');
    expect(calc.body.policies.map((p: any) => p.policyId).sort()).toEqual([CONFIRM.policyId, GRANT.policyId].sort());

    // An enterprise with an unknown criterion, one failing, and a dishonest one that would otherwise match.
    const o = after[CONFIRM.policyId]!;
    const unknownCode = [...o].find(([, v]) => v === 'needsInfo')![0];
    const u = (await rt.get(`/enterprises/${unknownCode}/policies`)).body.policies.find((p: any) => p.policyId === CONFIRM.policyId);
    expect(u.explanation.outcome).toBe('needsInfo');
    expect(u.explanation.unknown.length).toBeGreaterThan(0);
    expect(u.entitlement.state).toBe('NEEDS_INFO');
    const f = (await rt.get(`/enterprises/${ineligible}/policies`)).body.policies.find((p: any) => p.policyId === CONFIRM.policyId);
    expect([f.explanation.outcome, f.entitlement]).toEqual(['ineligible', null]);
    expect(f.explanation.failed.length).toBeGreaterThan(0);
    const dishonestCode = [...after[GRANT.policyId]!].find(([, v]) => v === 'excluded')![0];
    const d = (await rt.get(`/enterprises/${dishonestCode}/policies`)).body;
    expect(d.dishonest).toBe(true);
    const dg = d.policies.find((p: any) => p.policyId === GRANT.policyId);
    expect(dg.explanation).toMatchObject({ outcome: 'excluded', reason: 'DISHONEST', reasonLabel: '失信主体，依政策不予享受', failed: [] });
    expect(dg.entitlement).toBeNull();

    expect((await rt.get('/enterprises/91440300MA5G2K8L1X/policies')).status).toBe(400);
    expect((await rt.get(`/policies/${CONFIRM.policyId}/entitlements?state=PUSHED`)).status).toBe(400);
    expect((await rt.get(`/policies/${CONFIRM.policyId}/entitlements?limit=0`)).status).toBe(400);
    expect((await rt.get('/policies/NO-SUCH-POLICY')).status).toBe(404);
  }, 120_000);

  it('changes no figure and sends no second notification when everything is redelivered, or the runtime restarts', async () => {
    const snapshot = async () => {
      const out: Record<string, unknown> = {};
      for (const p of [CONFIRM, GRANT]) {
        const f = await figures(p.policyId);
        out[p.policyId] = { figures: f.figures, budget: f.budget, slicesDone: f.run.slicesDone, profiles: f.run.profiles };
        out[`${p.policyId}/sent`] = sorted(await notifiedEvents(p.policyId));
      }
      return out;
    };
    const reference = await snapshot();

    // The same events again (same ids), then the same content under new ids, and a republished version.
    for (const batch of [...posted]) await postAll(batch, false);
    await rt.drain(170_000);
    for (const batch of posted) await postAll(batch.map((e: any) => ({ ...e, id: `again-${e.id}` })), false);
    await rt.drain(170_000);
    expect(await snapshot()).toEqual(reference);

    // Restart on the same data folder mid-run: re-post the policy events and some profiles, stop before they drain.
    const third = posted.filter((b: any[]) => b[0].source === '/systems/policy' || b[0].id.startsWith('ent-update-')).concat(posted.slice(0, 3));
    for (const batch of third) await postAll(batch.map((e: any) => ({ ...e, id: `third-${e.id}` })), false);
    await rt.stop();
    rt = await startLocal({ dataDir });
    await rt.dev('POST', '/_dev/clock', { set: CLOCK });
    await rt.drain(170_000);
    const afterRestart = await snapshot();
    // The outbound sink keeps what it listed in the data folder, each id once: nothing new was notified.
    for (const p of [CONFIRM, GRANT]) {
      expect(afterRestart[p.policyId]).toEqual(reference[p.policyId]);
      expect(afterRestart[`${p.policyId}/sent`]).toEqual(reference[`${p.policyId}/sent`]);
    }
    const queues = (await rt.dev('GET', '/_dev/queues')).body;
    for (const q of ['policy', 'match', 'notify']) expect([q, queues[q].dlq]).toEqual([q, 0]);
  }, 600_000);

  it("warns of a stored policy's dishonest flag of the other subject kind, and not once a new version drops it", async () => {
    // An enterprise policy nobody is eligible for (its run pushes nothing), published through the edge.
    const base: Policy = {
      ...CONFIRM,
      policyId: 'POL-STORED-FLAG',
      criteria: { all: [{ id: 'FLAG-CAP', description: '上年度出口额超过一万亿美元', fact: 'enterprise.exportValueUsd', op: 'gt', value: 1e12 }] },
    };
    await postAll([cloudEvent('/systems/policy', 'gov.policy.published', 'publish-stored-flag-1', base)], false);
    await rt.drain(170_000);
    const published = await figures(base.policyId);
    expect(published.policy).toMatchObject({ policyId: base.policyId, version: 1 });
    expect(published).not.toHaveProperty('warnings');

    // As stored before the publication refused it: the same version with `excludeDishonest` (a flag of person
    // policies), in each item that holds the policy. The edge would refuse that event now, so it is written
    // into the runtime's DynamoDB Local.
    const { endpoint } = (await rt.dev('GET', '/_dev/dynamo')).body as { endpoint: string };
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
    try {
      const keys = [
        { pk: policyPk(base.policyId), sk: CURRENT_SK },
        { pk: policyPk(base.policyId), sk: versionSk(1) },
        { pk: ACTIVE_PK, sk: activeSk(base.policyId) },
      ];
      for (const Key of keys) {
        await doc.send(
          new UpdateCommand({
            TableName: localTableName('entitlements'),
            Key,
            UpdateExpression: 'SET #policy.excludeDishonest = :flag',
            ConditionExpression: 'attribute_exists(#policy)',
            ExpressionAttributeNames: { '#policy': 'policy' },
            ExpressionAttributeValues: { ':flag': false },
          }),
        );
      }
    } finally {
      doc.destroy();
    }

    // GET /policies/{policyId} says so: the flag named, and what applies instead (dishonest enterprises excluded).
    const flagged = await figures(base.policyId);
    expect(flagged.policy).toMatchObject({ version: 1, excludeDishonest: false });
    const expected = inapplicableDishonestFlag({ ...base, excludeDishonest: false })!;
    expect(flagged.warnings).toEqual([{ field: 'excludeDishonest', message: expected.message }]);
    expect(flagged.warnings[0].message).toMatch(/^excludeDishonest: applies to person policies only; ignored: policy POL-STORED-FLAG excludes dishonest enterprises/);
    // The rest of the answer is as before.
    expect({ ...flagged, policy: undefined, warnings: undefined }).toEqual({ ...published, policy: undefined });

    // The remedy the warning names: a new version without the flag, published through the edge; no warning.
    await postAll([cloudEvent('/systems/policy', 'gov.policy.published', 'publish-stored-flag-2', { ...base, version: 2, includeDishonest: false })], false);
    await rt.drain(170_000);
    const republished = await figures(base.policyId);
    expect(republished.policy).toMatchObject({ version: 2, includeDishonest: false });
    expect(republished.policy).not.toHaveProperty('excludeDishonest');
    expect(republished).not.toHaveProperty('warnings');
  }, 600_000);
});
