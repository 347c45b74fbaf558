/**
 * 免申即享 against a webhook channel sender, with continuation slices and a withdrawal, through the local
 * runtime: `CIVICFLOW_LOCAL_CONFIG` points the notify function at a webhook on loopback (which fails its
 * first answers, as a flaky messaging platform would) and shrinks the matching slices to one profile.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLocal, type Running } from '#support/runtime';
import { compilePolicy, matchEnterprise } from '#entitlement';
import { generateEnterprises } from '#bench/fixtures/enterprises';
import { DISABILITY_LEVY_EXEMPTION, EXPORT_CREDIT_INSURANCE } from '#bench/fixtures/policies';

const N = 60;
const NOW = '2025-06-01T09:00:00+08:00';
const EVENT_TIME = '2025-06-01T08:00:00+08:00';
const FAILING_ANSWERS = 3;

const { profiles, credits } = generateEnterprises(N, 4242);
const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const event = (source: string, type: string, id: string, data: unknown) => ({
  specversion: '1.0', id, source, type, time: EVENT_TIME, datacontenttype: 'application/json', data,
});

interface Hit { key: string; status: number; body: any }
const hits: Hit[] = [];
let server: Server;
let rt: Running;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const status = hits.length < FAILING_ANSWERS ? 503 : 200;
      hits.push({ key: String(req.headers['idempotency-key']), status, body: JSON.parse(body) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  rt = await startLocal({
    env: { CIVICFLOW_LOCAL_CONFIG: JSON.stringify({ notificationSender: { kind: 'webhook', url }, matching: { sliceSize: 1 } }) },
  });
  await rt.dev('POST', '/_dev/clock', { set: '2025-06-01T01:00:00.000Z' });
  const events = [
    ...profiles.map((p, i) => event('/systems/data-sharing', 'gov.enterprise.profile.updated', `wh-ent-${i}`, plain(p))),
  ];
  for (let i = 0; i < events.length; i += 100) expect((await rt.post(events.slice(i, i + 100))).status).toBe(202);
  const creditEvents = [...credits.values()].map((c, i) => event('/systems/credit', 'gov.credit.updated', `wh-credit-${i}`, plain(c)));
  if (creditEvents.length) expect((await rt.post(creditEvents)).status).toBe(202);
  await rt.drain(120_000);
}, 180_000);

afterAll(async () => {
  await rt?.stop();
  await new Promise((r) => server?.close(r));
});

describe('notifications to a webhook, continuation slices, withdrawal', () => {
  it('delivers each eligible enterprise exactly once to the webhook, through failures and retries', async () => {
    const policy = DISABILITY_LEVY_EXEMPTION;
    const compiled = compilePolicy(policy);
    const eligible = profiles
      .filter((p) => matchEnterprise(policy, compiled, plain(p), credits.get(p.creditCode), NOW).outcome === 'eligible')
      .map((p) => p.creditCode)
      .sort();
    expect(eligible.length).toBeGreaterThan(FAILING_ANSWERS);

    const out = await rt.post(event('/systems/policy', 'gov.policy.published', 'wh-pub-1', plain(policy)));
    expect(out.status).toBe(202);
    await rt.drain(120_000);

    // Slices of one profile: every shard holding more than one enterprise queued continuations.
    const fig = await rt.get(`/policies/${policy.policyId}`);
    expect(fig.status).toBe(200);
    expect(fig.body.run.complete).toBe(true);
    expect(fig.body.run.profiles).toBe(N);
    expect(fig.body.run.slicesDone).toBeGreaterThan(64);

    // The webhook answered 503 first; those were retried. Each enterprise got exactly one accepted delivery.
    expect(hits.slice(0, FAILING_ANSWERS).every((h) => h.status === 503)).toBe(true);
    const delivered = hits.filter((h) => h.status === 200);
    expect(delivered.map((h) => h.body.creditCode).sort()).toEqual(eligible);
    expect(new Set(delivered.map((h) => h.key)).size).toBe(delivered.length);
    const failedKeys = hits.filter((h) => h.status !== 200).map((h) => h.key);
    for (const k of failedKeys) expect(delivered.some((h) => h.key === k)).toBe(true);

    const pushed = await rt.get(`/policies/${policy.policyId}/entitlements?reached=NOTIFIED&limit=100`);
    expect(pushed.body.items.map((e: any) => e.creditCode).sort()).toEqual(eligible);
    expect((await rt.dev('GET', '/_dev/queues')).body.notify.dlq).toBe(0);
  });

  it('pushes nothing more for a withdrawn policy, even to an enterprise that becomes eligible afterwards', async () => {
    const policy = EXPORT_CREDIT_INSURANCE;
    expect((await rt.post(event('/systems/policy', 'gov.policy.published', 'wh-pub-2', plain(policy)))).status).toBe(202);
    await rt.drain(120_000);
    expect((await rt.post(event('/systems/policy', 'gov.policy.withdrawn', 'wh-wd-2', { policyId: policy.policyId }))).status).toBe(202);
    await rt.drain(120_000);
    const withdrawn = await rt.get(`/policies/${policy.policyId}`);
    expect(withdrawn.body.policy?.status ?? withdrawn.body.status).toBe('withdrawn');
    const notifiedAtWithdrawal = withdrawn.body.figures.notified;
    const hitsAtWithdrawal = hits.length;

    // An honest enterprise updated to meet every criterion: the policy, were it still active, would push it.
    const honest = profiles.find((p) => !credits.get(p.creditCode)?.dishonest)!;
    const target = { ...plain(honest), asOf: '2025-06-01T08:30:00+08:00', size: 'small', status: '存续', exportValueUsd: 1_000_000, employees: 50 };
    const wouldBe = matchEnterprise(policy, compilePolicy(policy), target, credits.get(target.creditCode), NOW).outcome;
    expect(wouldBe).toBe('eligible');
    expect((await rt.post(event('/systems/data-sharing', 'gov.enterprise.profile.updated', 'wh-ent-upd', target))).status).toBe(202);
    await rt.drain(120_000);

    expect(hits.slice(hitsAtWithdrawal).filter((h) => h.body.policyId === policy.policyId)).toEqual([]);
    const after = await rt.get(`/policies/${policy.policyId}`);
    expect(after.body.figures.notified).toBe(notifiedAtWithdrawal);
    const pushed = await rt.get(`/policies/${policy.policyId}/entitlements?reached=NOTIFIED&limit=100`);
    expect(pushed.body.items.map((e: any) => e.creditCode)).not.toContain(target.creditCode);
  });
});
