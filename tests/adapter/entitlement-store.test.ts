/**
 * The entitlements table (shared/entitlement/store.ts) against DynamoDB Local: the key layout, the
 * transaction of a pair's transitions with its conditions (state and revision, budget, withdrawal guard)
 * and what it writes with them (counters, outbox, audit, receipt), the outbox's delivery claims, the
 * once-only slices of a run, and the readers the query routes and the monthly report use.
 */
import { jest } from '@jest/globals';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { makeIdNumber } from '#contract/identifiers';
import {
  bucketOf,
  compilePolicy,
  flipShardOf,
  matchEnterprise,
  planSettle,
  policyStart,
  retryEntry,
  type FlipEntry,
  type Policy,
  type Transition,
} from '#entitlement/domain/index';
import type { AuditEntry } from '#platform/audit';
import type { Receipt } from '#platform/receipts';
import { useTestDynamo } from '#support/dynamo';
import { SET_ASIDE_CASES, runSetAsideCase, type FlipTable } from '#support/flip-set-aside';
import { memoryEntitlementPorts } from '#support/memory/entitlement';
import { policy, profile } from '../unit/entitlement/fixtures';

const db = useTestDynamo();
let store: typeof import('#entitlement/store');
beforeAll(async () => {
  store = await import('#entitlement/store');
});

const AT = '2025-06-01T02:00:00.000Z';
let serial = 0;
const audit = (subject: string): AuditEntry => ({ subject, action: 'test', actor: '/systems/adapter-test', at: AT, why: 'adapter test', causeId: `c${++serial}` });
const receipt = (type: string): Receipt => ({ source: '/systems/adapter-test', id: `adapter-${++serial}`, type, outcome: 'applied', at: AT });

/** Publishes a policy (version 1, or the next after `fromVersion`) with a run of `slices` slices. */
async function publish(p: Policy, fromVersion: number | null = null, slices = 2): Promise<boolean> {
  return store.dynamoEntitlementStore.savePublish({
    policy: { ...p, status: 'active', publishedAt: AT },
    fromVersion,
    ...(p.budget !== undefined ? { budgetDelta: p.budget } : {}),
    slicesQueued: slices,
    at: AT,
    audit: audit(`policy:${p.policyId}`),
    receipt: receipt('gov.policy.published'),
  });
}

/** The chain that settles a fresh eligible pair (matched, then pushed or granted). */
function settleChain(p: Policy, creditCode: string, budget?: number): Transition[] {
  const match = matchEnterprise(p, compilePolicy(p), profile({ creditCode }), undefined, AT);
  const plan = planSettle(undefined, p, match, AT, budget);
  if (plan.kind !== 'settle') throw new Error('expected a settle plan');
  return [...plan.chain];
}

describe('entitlement store', () => {
  it('stores a publication as current version, version record, active index, run, budget and receipt, once', async () => {
    const p = policy({ policyId: 'AD-PUB', budget: 3000 });
    const s = store.dynamoEntitlementStore;
    expect(await publish(p)).toBe(true);
    expect(await publish(p)).toBe(false);
    const items = await db().partition('entitlements', 'POLICY#AD-PUB');
    expect(items.map((i) => i.sk)).toEqual(['BUDGET', 'CURRENT', 'RUN#000001', 'V#000001']);
    expect(await db().get('entitlements', { pk: 'POLICIES', sk: 'ACTIVE#AD-PUB' })).toBeDefined();
    expect((await s.getPolicy('AD-PUB'))?.status).toBe('active');
    expect(await s.getBudget('AD-PUB')).toBe(3000);
    expect(await store.getRun('AD-PUB', 1)).toMatchObject({ policyVersion: 1, slicesQueued: 2, slicesDone: 0 });
    expect((await s.listActivePolicies()).map((x) => x.policyId)).toContain('AD-PUB');

    // A newer version is conditional on the one it replaces; its budget moves the remaining amount.
    expect(await store.dynamoEntitlementStore.savePublish({
      policy: { ...p, version: 2, budget: 5000, status: 'active' }, fromVersion: 1, budgetDelta: 2000, slicesQueued: 2, at: AT, audit: audit('policy:AD-PUB'), receipt: receipt('gov.policy.published'),
    })).toBe(true);
    expect(await s.getBudget('AD-PUB')).toBe(5000);
    expect((await s.getPolicy('AD-PUB'))?.version).toBe(2);
  });

  it('applies a pair\'s transitions as one write, conditional on the state and revision they were planned from', async () => {
    const p = policy({ policyId: 'AD-PAIR' });
    await publish(p);
    const code = '91440106MA59AD0001';
    const chain = settleChain(p, code);
    expect(chain.map((t) => t.to)).toEqual(['ELIGIBLE', 'NOTIFIED']);
    const r = receipt('test');
    expect(await store.dynamoEntitlementStore.applyTransitions(chain, audit(`entitlement:AD-PAIR/${code}`), r)).toEqual({ ok: true });

    const stored = await db().get('entitlements', { pk: 'POLICY#AD-PAIR', sk: `ENT#${code}` });
    expect(stored).toMatchObject({ gsi1pk: `ENT#${code}`, gsi1sk: 'POLICY#AD-PAIR', state: 'NOTIFIED', revision: chain[1]!.next.revision });
    expect(await store.getOutbox('AD-PAIR', code)).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(await db().get('receipts', { pk: `RCPT#${r.source}#${r.id}`, sk: 'RECEIPT' })).toBeDefined();
    const figures = await store.readFigures('AD-PAIR');
    expect(figures.counters).toMatchObject({ eligible: 1, notified: 1 });
    expect(figures.firstPushAt).toBe(AT);
    const shard = `FIGURES#${String(store.figureShardOf(code)).padStart(2, '0')}`;
    expect(await db().get('entitlements', { pk: 'POLICY#AD-PAIR', sk: shard })).toMatchObject({ eligible: 1, notified: 1 });

    // The same plan again (a redelivery or a racing writer) fails on the entitlement and writes nothing.
    expect(await store.dynamoEntitlementStore.applyTransitions(chain, audit(`entitlement:AD-PAIR/${code}`))).toMatchObject({ ok: false, entitlementMoved: true });
    expect((await store.readFigures('AD-PAIR')).counters).toMatchObject({ eligible: 1, notified: 1 });
    expect(await store.dynamoEntitlementStore.isNotificationPending('AD-PAIR', code)).toBe(true);
    expect((await store.entitlementsOfEnterprise(code)).map((e) => e.policyId)).toEqual(['AD-PAIR']);
  });

  it('refuses a reservation above what remains, and a push onto a guarded (withdrawn) policy', async () => {
    const grant = policy({ policyId: 'AD-BUDGET', kind: 'grant', budget: 500 });
    await publish(grant);
    const short = settleChain(grant, '91440106MA59AD0002', 1500); // planned with a stale budget
    expect(short.at(-1)!.to).toBe('GRANTED');
    expect(await store.dynamoEntitlementStore.applyTransitions(short, audit('entitlement:AD-BUDGET'))).toMatchObject({ ok: false, budgetShort: true, entitlementMoved: false });
    expect(await store.dynamoEntitlementStore.getBudget('AD-BUDGET')).toBe(500);
    expect(await store.dynamoEntitlementStore.getEntitlement('AD-BUDGET', '91440106MA59AD0002')).toBeUndefined();

    const p = policy({ policyId: 'AD-GUARD' });
    await publish(p);
    await store.dynamoEntitlementStore.guardWithdrawn('AD-GUARD', AT);
    const push = settleChain(p, '91440106MA59AD0003');
    expect(await store.dynamoEntitlementStore.applyTransitions(push, audit('entitlement:AD-GUARD'))).toMatchObject({ ok: false, withdrawn: true });
    expect(await store.getOutbox('AD-GUARD', '91440106MA59AD0003')).toBeUndefined();
    expect((await store.readFigures('AD-GUARD')).withdrawnAt).toBe(AT);
    expect((await db().partition('entitlements', 'POLICY#AD-GUARD')).filter((i) => String(i.sk).startsWith('FIGURES#'))).toHaveLength(16);
    expect((await store.dynamoEntitlementStore.listActivePolicies()).map((x) => x.policyId)).not.toContain('AD-GUARD');
  });

  it('withdraws a policy once: status, index and guard', async () => {
    const p = policy({ policyId: 'AD-WD' });
    await publish(p);
    const withdrawn = { ...p, status: 'withdrawn' as const, withdrawnAt: AT };
    expect(await store.dynamoEntitlementStore.saveWithdraw(withdrawn, audit('policy:AD-WD'), receipt('gov.policy.withdrawn'))).toBe(true);
    expect(await store.dynamoEntitlementStore.saveWithdraw(withdrawn, audit('policy:AD-WD'), receipt('gov.policy.withdrawn'))).toBe(false);
    expect(await db().get('entitlements', { pk: 'POLICIES', sk: 'ACTIVE#AD-WD' })).toBeUndefined();
    expect((await store.readFigures('AD-WD')).withdrawnAt).toBe(AT);
    expect((await store.listAllPolicies()).find((x) => x.policyId === 'AD-WD')?.status).toBe('withdrawn');
  });

  it('says as it loads a policy that it carries the other kind\'s dishonest flag: once per version, both readers', async () => {
    const { logger } = await import('#platform/powertools');
    const warnings: unknown[] = [];
    const warn = jest.spyOn(logger, 'warn').mockImplementation((message: unknown, ...rest: unknown[]) => {
      if (message === 'policy carries a dishonest flag of the other subject kind: ignored') warnings.push(rest[0]);
    });
    try {
      // Stored before the publication refused it (an enterprise policy with excludeDishonest).
      await publish(policy({ policyId: 'AD-FLAG', excludeDishonest: false }));
      await publish(policy({ policyId: 'AD-NOFLAG', includeDishonest: true }));
      expect(warnings).toEqual([]);
      const s = store.dynamoEntitlementStore;
      expect((await s.getPolicy('AD-FLAG'))?.excludeDishonest).toBe(false);
      expect(warnings).toEqual([expect.objectContaining({ policyId: 'AD-FLAG', version: 1, subjectKind: 'enterprise', field: 'excludeDishonest', value: false, excludesDishonest: true })]);
      await s.getPolicy('AD-FLAG');
      await s.getPolicy('AD-NOFLAG');
      await s.listActivePolicies();
      expect(warnings).toHaveLength(1);
      // A policy first loaded through the active index is said there.
      await s.savePublish({
        policy: { ...policy({ policyId: 'AD-FLAG', excludeDishonest: true }), version: 2, status: 'active' }, fromVersion: 1, slicesQueued: 1, at: AT, audit: audit('policy:AD-FLAG'), receipt: receipt('gov.policy.published'),
      });
      await s.listActivePolicies();
      expect(warnings).toEqual([expect.objectContaining({ version: 1 }), expect.objectContaining({ policyId: 'AD-FLAG', version: 2, value: true, excludesDishonest: true })]);
    } finally {
      warn.mockRestore();
    }
  });

  it('sums a policy\'s figure shards\' yuan as exact decimals, as each shard\'s ADD keeps them', async () => {
    const shard = (n: number, amounts: Record<string, number>) =>
      db().doc.send(new PutCommand({ TableName: db().tables.entitlements, Item: { pk: 'POLICY#AD-SUM', sk: `FIGURES#${String(n).padStart(2, '0')}`, ...amounts } }));
    await shard(0, { amountReserved: 100.1, amountDisbursed: 0.1, amountRecovered: 99.9 });
    await shard(1, { amountReserved: 200.2, amountDisbursed: 0.2, amountRecovered: 0.2 });
    const f = await store.readFigures('AD-SUM');
    // In floating point: 300.29999999999995, 0.30000000000000004, 100.10000000000001.
    expect([f.amountReserved, f.amountDisbursed, f.amountRecovered]).toEqual([300.3, 0.3, 100.1]);
  });

  it('claims a notification for one attempt at a time, and counts its delivery once', async () => {
    const p = policy({ policyId: 'AD-OUT' });
    await publish(p);
    const code = '91440106MA59AD0004';
    await store.dynamoEntitlementStore.applyTransitions(settleChain(p, code), audit('entitlement:AD-OUT'));
    const s = store.dynamoEntitlementStore;
    const t0 = '2025-06-01T02:00:00.000Z';
    const t1 = '2025-06-01T02:00:30.000Z';
    const t2 = '2025-06-01T02:02:00.000Z';
    expect(await s.claimOutbox('AD-OUT', code, t0, '2025-06-01T01:59:00.000Z')).toMatchObject({ kind: 'claimed', record: { status: 'SENDING', attempts: 1 } });
    expect(await s.claimOutbox('AD-OUT', code, t1, '2025-06-01T01:59:30.000Z')).toEqual({ kind: 'busy' });
    await s.markDeliveryFailed('AD-OUT', code, 'webhook answered 503', false, t1);
    expect(await store.getOutbox('AD-OUT', code)).toMatchObject({ status: 'PENDING', lastError: 'webhook answered 503' });
    expect(await s.claimOutbox('AD-OUT', code, t1, '2025-06-01T01:59:30.000Z')).toMatchObject({ kind: 'claimed', record: { attempts: 2 } });
    // A claim left by a crashed attempt is taken over once it is stale.
    expect(await s.claimOutbox('AD-OUT', code, t2, '2025-06-01T02:01:00.000Z')).toMatchObject({ kind: 'claimed', record: { attempts: 3 } });
    expect(await s.markDelivered('AD-OUT', code, t2)).toBe(true);
    expect(await s.markDelivered('AD-OUT', code, t2)).toBe(false);
    expect((await store.readFigures('AD-OUT')).delivered).toBe(1);
    expect(await s.claimOutbox('AD-OUT', code, t2, t2)).toEqual({ kind: 'delivered' });
    expect(await s.claimOutbox('AD-OUT', '91440106MA59AD0999', t2, t2)).toEqual({ kind: 'missing' });
    expect((await store.batchGetOutbox('AD-OUT', [code])).get(code)?.status).toBe('DELIVERED');
  });

  it('records each slice of a run once, and says which one completed the run', async () => {
    const p = policy({ policyId: 'AD-RUN' });
    await publish(p, null, 2);
    const s = store.dynamoEntitlementStore;
    expect(await s.finishSlice('AD-RUN', 1, 0, undefined, { profiles: 10, continued: true, at: AT })).toEqual({ recorded: true, completed: false });
    expect(await s.finishSlice('AD-RUN', 1, 0, undefined, { profiles: 10, continued: true, at: AT })).toEqual({ recorded: false, completed: false });
    expect(await s.isSliceDone('AD-RUN', 1, 0)).toBe(true);
    expect(await s.isSliceDone('AD-RUN', 1, 0, 'X')).toBe(false);
    expect(await s.finishSlice('AD-RUN', 1, 1, undefined, { profiles: 5, continued: false, at: AT })).toEqual({ recorded: true, completed: false });
    expect(await s.finishSlice('AD-RUN', 1, 0, 'X', { profiles: 3, continued: false, at: AT })).toEqual({ recorded: true, completed: true });
    expect(await store.getRun('AD-RUN', 1)).toMatchObject({ slicesQueued: 3, slicesDone: 3, profiles: 18, completedAt: AT });
  });

  it('keeps the first refusal of a redelivered event', async () => {
    const s = store.dynamoEntitlementStore;
    const r = receipt('gov.policy.confirmed');
    const refusal = { type: 'gov.policy.confirmed', reason: 'NOT_NOTIFIED', message: 'first', at: AT };
    const first = { ...r, outcome: 'refused', kind: 'NOT_NOTIFIED', reason: 'first' } as const;
    expect(await s.recordRefusal('AD-REF', 'evt-1', refusal, first, audit('policy:AD-REF'))).toEqual(first);
    // The receipt that stands is answered: the first delivery's.
    expect(await s.recordRefusal('AD-REF', 'evt-1', { ...refusal, message: 'second' }, { ...first, kind: 'OBJECTION_OUT_OF_WINDOW', reason: 'second' }, audit('policy:AD-REF'))).toMatchObject({ kind: 'NOT_NOTIFIED', reason: 'first' });
    expect(await db().get('entitlements', { pk: 'POLICY#AD-REF', sk: 'REFUSAL#evt-1' })).toMatchObject({ reason: 'NOT_NOTIFIED', message: 'first' });
  });

  it('lists a policy\'s entitlements by state in credit-code order, a page at a time', async () => {
    const p = policy({ policyId: 'AD-LIST' });
    await publish(p);
    const codes = ['91440106MA59AD0101', '91440106MA59AD0102', '91440106MA59AD0103'];
    for (const code of codes) await store.dynamoEntitlementStore.applyTransitions(settleChain(p, code), audit(`entitlement:AD-LIST/${code}`));
    const first = await store.listEntitlements('AD-LIST', { state: 'NOTIFIED' }, 2);
    expect(first.items.map((e) => e.creditCode)).toEqual(codes.slice(0, 2));
    const rest = await store.listEntitlements('AD-LIST', { reached: 'NOTIFIED' }, 2, first.cursor);
    expect(rest).toEqual({ items: [expect.objectContaining({ creditCode: codes[2] })] });
    expect((await store.listEntitlements('AD-LIST', { state: 'GRANTED' }, 5)).items).toEqual([]);
  });
});

describe('entitlement store: the time index', () => {
  it('keeps a policy entry\'s publication, reads one stored without it, and files a failed entry again under a later bucket', async () => {
    const s = store.dynamoEntitlementStore;
    const later = policy({ policyId: 'P-FLIP-LATER', validFrom: '2025-07-01' });
    const publication = { source: '/systems/policy', id: 'evt-flip-1', type: 'gov.policy.published' };
    const kept = policyStart(later, AT, 'Asia/Shanghai', publication)!;
    const old = policyStart(policy({ policyId: 'P-FLIP-OLD', validFrom: '2025-07-01' }), AT, 'Asia/Shanghai')!;
    await s.putFlips([kept, old], '2025-06-01T01:45:00.000Z');
    const { entries: read, unreadable } = await s.queryFlips(kept.bucket, 0);
    expect(read).toEqual(expect.arrayContaining([kept, old]));
    expect(unreadable).toEqual([]);
    expect(read.find((e) => e.policyId === 'P-FLIP-LATER')?.cause).toEqual(publication);
    expect(read.find((e) => e.policyId === 'P-FLIP-OLD')).not.toHaveProperty('cause');

    // Filed again, then the original deleted: the same entry under the bucket after the current one.
    const again = retryEntry(kept, '2025-06-30T16:20:00.000Z');
    await s.putFlips([again], '2025-06-01T01:45:00.000Z');
    await s.deleteFlips([kept]);
    expect((await s.queryFlips(kept.bucket, 0)).entries.map((e) => e.policyId)).toEqual(['P-FLIP-OLD']);
    expect(await s.queryFlips(again.bucket, 0)).toEqual({ entries: [again], unreadable: [] });
  });

  it('sets aside an item that does not read as an entry, and the schedule goes on past it', async () => {
    const s = store.dynamoEntitlementStore;
    const { runTimeIndex } = await import('#entitlement/service/time');
    // Two buckets of their own (the cursor is one item, so it is set here): a pair due in each, and in the
    // first, on the same shard, an item written by hand without `atMs` — never due, so it held the cursor.
    const first = bucketOf(Date.parse('2025-09-01T16:00:00.000Z'));
    const second = bucketOf(Date.parse(first) + 15 * 60_000);
    const bad = makeIdNumber('440305', '19450901', '345');
    const shard = flipShardOf(bad);
    const pair = (subjectId: string, at: string): FlipEntry => ({
      policyId: 'P-FLIP-PAIR', policyVersion: 1, subjectId, at, atMs: Date.parse(at), bucket: bucketOf(Date.parse(at)), shard: flipShardOf(subjectId),
    });
    const sameShard = (n: number): string => {
      for (let k = n; ; k++) {
        const id = `91440300MA5FLIP${String(k).padStart(3, '0')}`;
        if (flipShardOf(id) === shard) return id;
      }
    };
    const due = [pair(sameShard(1), '2025-09-01T16:00:00.000Z'), pair(sameShard(500), '2025-09-01T16:20:00.000Z')];
    await s.putFlips(due, first);
    const pk = `FLIP#${first}#${String(shard).padStart(2, '0')}`;
    const sk = `2025-09-01T16:00:00.000Z#P-FLIP-PAIR#${bad}`;
    const item = { pk, sk, policyId: 'P-FLIP-PAIR', policyVersion: 1, subjectId: bad, at: '2025-09-01T16:00:00.000Z', bucket: first, shard };
    await db().doc.send(new PutCommand({ TableName: db().tables.entitlements, Item: item }));
    const before = new Date(Date.parse(first) - 15 * 60_000).toISOString();
    await db().doc.send(new PutCommand({ TableName: db().tables.entitlements, Item: { pk: 'FLIP-CURSOR', sk: 'CURSOR', bucket: before } }));

    const w = memoryEntitlementPorts({ now: '2025-09-01T16:35:00.000Z' });
    const summary = await runTimeIndex({ ...w.ports, store: s }, async () => {});
    expect(await s.getFlipCursor()).toBe(second);
    expect(summary).toMatchObject({ buckets: 3, reevaluated: 2, failed: 1 });
    expect(w.sent.rematches.map((m) => m.data.creditCode)).toEqual(due.map((e) => e.subjectId));
    expect(await s.queryFlips(first, shard)).toEqual({ entries: [], unreadable: [] });
    // Where the operations doc says: under FLIP-UNREADABLE, whole, with why.
    expect(await db().get('entitlements', { pk: 'FLIP-UNREADABLE', sk: `${pk}#${sk}` })).toEqual({
      pk: 'FLIP-UNREADABLE',
      sk: `${pk}#${sk}`,
      item,
      problem: 'atMs is missing or not a whole number',
      setAsideAt: '2025-09-01T16:35:00.000Z',
    });
  });

  it('files an entry due before its bucket closes under the next one, so a run that finished its own bucket first still reads it', async () => {
    const s = store.dynamoEntitlementStore;
    const { fileFlips, runTimeIndex } = await import('#entitlement/service/time');
    const subjectId = '91440300MA5FRACE01';
    const at = '2025-11-03T02:14:58.001Z';
    const entry: FlipEntry = { policyId: 'P-FLIP-RACE', policyVersion: 1, subjectId, at, atMs: Date.parse(at), bucket: bucketOf(Date.parse(at)), shard: flipShardOf(subjectId) };
    // A run read the entry's bucket once it closed, found nothing and finished it; the filing, computed
    // 3 s before the instant, is written after that.
    await db().doc.send(new PutCommand({ TableName: db().tables.entitlements, Item: { pk: 'FLIP-CURSOR', sk: 'CURSOR', bucket: entry.bucket } }));
    await fileFlips(s, [entry], '2025-11-03T02:14:55.000Z');
    const next = '2025-11-03T02:15:00.000Z';
    expect(await s.queryFlips(next, entry.shard)).toEqual({ entries: [{ ...entry, bucket: next }], unreadable: [] });

    const w = memoryEntitlementPorts({ now: '2025-11-03T02:30:01.000Z' });
    expect(await runTimeIndex({ ...w.ports, store: s }, async () => {})).toMatchObject({ reevaluated: 1, failed: 0 });
    expect(w.sent.rematches.map((m) => m.id)).toEqual([expect.stringContaining(`flip:${at}:P-FLIP-RACE`)]);
    expect(await s.getFlipCursor()).toBe(next);
  });
});

describe('entitlement store: time-index items that do not read', () => {
  const quarter = 15 * 60_000;
  const shardOf = (id: string) => String(flipShardOf(id)).padStart(2, '0');
  const pair = (subjectId: string, at: string): FlipEntry => ({
    policyId: 'P-FLIP-NUM', policyVersion: 1, subjectId, at, atMs: Date.parse(at), bucket: bucketOf(Date.parse(at)), shard: flipShardOf(subjectId),
  });
  /** The cursor, set (one item for the file's tests) to the bucket before `bucket`. */
  const cursorBefore = (bucket: string) =>
    db().doc.send(new PutCommand({ TableName: db().tables.entitlements, Item: { pk: 'FLIP-CURSOR', sk: 'CURSOR', bucket: new Date(Date.parse(bucket) - quarter).toISOString() } }));
  /** One item as DynamoDB holds it, numbers as their text. */
  const raw = async (pk: string, sk: string) => {
    const { dynamo } = await import('#platform/aws');
    return (await dynamo.send(new GetItemCommand({ TableName: db().tables.entitlements, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }))).Item;
  };

  it('sets aside an item holding a number no JavaScript number holds, digits kept, and the schedule goes on past it', async () => {
    const s = store.dynamoEntitlementStore;
    const { runTimeIndex } = await import('#entitlement/service/time');
    const { dynamo } = await import('#platform/aws');
    const at = '2025-10-01T16:00:00.000Z';
    const first = bucketOf(Date.parse(at));
    const second = bucketOf(Date.parse(first) + quarter);
    const good = pair('91440300MA5FNUM001', at);
    const shard = shardOf(good.subjectId!);
    const pk = `FLIP#${first}#${shard}`;
    // Written with the low-level client, as a hand or another writer could: `atMs` 12345678901234567890.5,
    // which the document client's default reading refused (a whole Query failed on it, run after run); and
    // `atMs` the right instant plus a fraction a double rounds away, which it read as that instant.
    const bad = (subjectId: string, atMs: string) => ({
      pk: { S: pk }, sk: { S: `${at}#P-FLIP-NUM#${subjectId}` }, policyId: { S: 'P-FLIP-NUM' }, policyVersion: { N: '1' }, subjectId: { S: subjectId },
      at: { S: at }, atMs: { N: atMs }, bucket: { S: first }, shard: { N: String(Number(shard)) },
    });
    const huge = bad('91440300MA5FNUM002', '12345678901234567890.5');
    const rounded = bad('91440300MA5FNUM003', `${Date.parse(at)}.00000000001`);
    await s.putFlips([good, pair('91440300MA5FNUM004', '2025-10-01T16:20:00.000Z')], first);
    for (const Item of [huge, rounded]) await dynamo.send(new PutItemCommand({ TableName: db().tables.entitlements, Item }));
    await cursorBefore(first);

    const w = memoryEntitlementPorts({ now: '2025-10-01T16:35:00.000Z' });
    const summary = await runTimeIndex({ ...w.ports, store: s }, async () => {});
    expect(summary).toMatchObject({ reevaluated: 2, failed: 2 });
    expect(w.sent.rematches.map((m) => m.data.creditCode).sort()).toEqual(['91440300MA5FNUM001', '91440300MA5FNUM004']);
    expect(await s.getFlipCursor()).toBe(second);
    expect(await db().partition('entitlements', pk)).toEqual([]);
    // Under FLIP-UNREADABLE, each whole, its numbers to the digit.
    for (const item of [huge, rounded]) {
      const copy = await raw('FLIP-UNREADABLE', `${pk}#${item.sk.S}`);
      expect(copy?.item).toEqual({ M: item });
      expect(copy?.problem).toEqual({ S: 'atMs is missing or not a whole number' });
    }
    // The client of every other read still reads a number as a number (rounded, where a double cannot hold it).
    const { ddb } = await import('#platform/aws');
    const copy = await ddb.send(new GetCommand({ TableName: db().tables.entitlements, Key: { pk: 'FLIP-UNREADABLE', sk: `${pk}#${rounded.sk.S}` } }));
    expect(copy.Item?.item).toMatchObject({ policyVersion: 1, atMs: Date.parse(at) });
  });

  it('moves an item only while it is the one read: one filed again since is left as filed, and returned', async () => {
    const s = store.dynamoEntitlementStore;
    const at = '2025-10-02T16:00:00.000Z';
    const entry = pair('91440300MA5FNUM011', at);
    const pk = `FLIP#${entry.bucket}#${shardOf(entry.subjectId!)}`;
    const sk = `${at}#P-FLIP-NUM#${entry.subjectId}`;
    const { atMs: _atMs, ...noAtMs } = entry;
    // Every kind of value an item may hold, so the condition is shown to hold on each as stored.
    const junk = { note: null, flag: false, tags: ['a', 1], nested: { a: { b: 2 } }, labels: new Set(['x', 'y']), counts: new Set([1, 2]), blob: new Uint8Array([1, 2]), empty: '' };
    const other = pair('91440300MA5FNUM012', at);
    const otherPk = `FLIP#${other.bucket}#${shardOf(other.subjectId!)}`;
    const otherSk = `${at}#P-FLIP-NUM#${other.subjectId}`;
    const { atMs: _otherAtMs, ...otherNoAtMs } = other;
    for (const Item of [{ pk, sk, ...noAtMs }, { pk: otherPk, sk: otherSk, ...otherNoAtMs, ...junk }]) {
      await db().doc.send(new PutCommand({ TableName: db().tables.entitlements, Item }));
    }
    const read = [...(await s.queryFlips(entry.bucket, entry.shard)).unreadable, ...(await s.queryFlips(other.bucket, other.shard)).unreadable];
    expect(read.map((u) => u.sk).sort()).toEqual([sk, otherSk].sort());

    // Between the read and the move, the writer files the first one again, whole.
    await s.putFlips([entry], entry.bucket);
    const left = await s.setAsideFlips(read, '2025-10-02T16:35:00.000Z');
    expect(left.map((u) => u.sk)).toEqual([sk]);
    expect(await s.queryFlips(entry.bucket, entry.shard)).toMatchObject({ entries: expect.arrayContaining([entry]), unreadable: [] });
    expect(await db().get('entitlements', { pk: 'FLIP-UNREADABLE', sk: `${pk}#${sk}` })).toBeUndefined();
    // The other, unchanged, is moved whatever it holds.
    expect(await db().get('entitlements', { pk: otherPk, sk: otherSk })).toBeUndefined();
    expect((await db().get('entitlements', { pk: 'FLIP-UNREADABLE', sk: `${otherPk}#${otherSk}` }))?.item).toEqual({ pk: otherPk, sk: otherSk, ...otherNoAtMs, ...junk });
  });

  // Stored before items had a `writeId`, or with one (a writer that sets it, whose item a reader refuses).
  it.each([
    ['without a writeId', '2025-10-03', {}],
    ['with a writeId', '2025-10-04', { writeId: 'w-before' }],
  ])('leaves, in a run, an item (%s) replaced by an entry after the read: its bucket not finished, the entry handled next run', async (_kind, day, stamp) => {
    const s = store.dynamoEntitlementStore;
    const { runTimeIndex } = await import('#entitlement/service/time');
    const at = `${day}T16:00:00.000Z`;
    const entry = pair('91440300MA5FNUM021', at);
    const pk = `FLIP#${entry.bucket}#${shardOf(entry.subjectId!)}`;
    const sk = `${at}#P-FLIP-NUM#${entry.subjectId}`;
    const { atMs: _atMs, ...noAtMs } = entry;
    await db().doc.send(new PutCommand({ TableName: db().tables.entitlements, Item: { pk, sk, ...noAtMs, ...stamp } }));
    await cursorBefore(entry.bucket);
    // A write between the schedule's read of that shard and its move: the same pair filed again, whole.
    const between: typeof s = {
      ...s,
      async queryFlips(bucket, shard) {
        const out = await s.queryFlips(bucket, shard);
        if (out.unreadable.some((u) => u.sk === sk)) await s.putFlips([entry], bucket);
        return out;
      },
    };

    const w = memoryEntitlementPorts({ now: `${day}T16:35:00.000Z` });
    expect(await runTimeIndex({ ...w.ports, store: between }, async () => {})).toMatchObject({ reevaluated: 0, failed: 0, changed: 1 });
    expect(await s.getFlipCursor()).toBe(new Date(Date.parse(entry.bucket) - quarter).toISOString());
    expect(await db().get('entitlements', { pk, sk })).toEqual({ pk, sk, ...entry, writeId: expect.any(String) });
    expect(await db().get('entitlements', { pk: 'FLIP-UNREADABLE', sk: `${pk}#${sk}` })).toBeUndefined();

    expect(await runTimeIndex({ ...w.ports, store: between }, async () => {})).toMatchObject({ reevaluated: 1, failed: 0, changed: 0 });
    expect(w.sent.rematches.map((m) => m.data.creditCode)).toEqual([entry.subjectId]);
    expect(await s.getFlipCursor()).toBe(new Date(Date.parse(entry.bucket) + quarter).toISOString());
    expect(await db().get('entitlements', { pk, sk })).toBeUndefined();
  });

  it('sets aside an item of 300 attributes, with a writeId or without one: its condition is one comparison, or one per entry field', async () => {
    const s = store.dynamoEntitlementStore;
    const at = '2025-10-05T16:00:00.000Z';
    // 300 attributes with long names: a condition comparing each (14 KB of expression here) was refused by
    // DynamoDB's 4 KB limit, run after run, so such an item was never moved and its bucket never finished.
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, k) => [`attribute-written-by-hand-${String(k).padStart(3, '0')}`, k]));
    const items = [
      { ...pair('91440300MA5FNUM031', at) },
      { ...pair('91440300MA5FNUM032', at), writeId: 'w-by-hand' },
    ].map(({ atMs: _atMs, ...noAtMs }) => ({
      pk: `FLIP#${noAtMs.bucket}#${shardOf(noAtMs.subjectId!)}`,
      sk: `${at}#P-FLIP-NUM#${noAtMs.subjectId}`,
      ...noAtMs,
      ...many,
    }));
    for (const Item of items) await db().doc.send(new PutCommand({ TableName: db().tables.entitlements, Item }));
    const read = (await Promise.all(items.map((i) => s.queryFlips(i.bucket, i.shard)))).flatMap((r) => r.unreadable);
    expect(read.map((u) => u.sk).sort()).toEqual(items.map((i) => i.sk).sort());

    expect(await s.setAsideFlips(read, '2025-10-05T16:35:00.000Z')).toEqual([]);
    for (const item of items) {
      expect(await db().get('entitlements', { pk: item.pk, sk: item.sk })).toBeUndefined();
      expect((await db().get('entitlements', { pk: 'FLIP-UNREADABLE', sk: `${item.pk}#${item.sk}` }))?.item).toEqual(item);
    }
  });

  it('moves an item with a writeId only while it holds that writeId; one without, only while no writer has put it since', async () => {
    const s = store.dynamoEntitlementStore;
    const at = '2025-10-06T16:00:00.000Z';
    const entries = ['91440300MA5FNUM041', '91440300MA5FNUM042', '91440300MA5FNUM043'].map((id) => pair(id, at));
    const keyOf = (e: FlipEntry) => ({ pk: `FLIP#${e.bucket}#${shardOf(e.subjectId!)}`, sk: `${at}#P-FLIP-NUM#${e.subjectId}` });
    const noAtMs = (e: FlipEntry) => {
      const { atMs: _atMs, ...rest } = e;
      return { ...keyOf(e), ...rest };
    };
    const [stamped, legacy, untouched] = [noAtMs(entries[0]!), noAtMs(entries[1]!), noAtMs(entries[2]!)];
    const put = (Item: Record<string, unknown>) => db().doc.send(new PutCommand({ TableName: db().tables.entitlements, Item }));
    await put({ ...stamped, writeId: 'w-1' });
    await put(legacy);
    await put({ ...untouched, writeId: 'w-2' });
    const read = (await Promise.all(entries.map((e) => s.queryFlips(e.bucket, e.shard)))).flatMap((r) => r.unreadable);
    expect(read).toHaveLength(3);

    // Between the read and the move: the first filed again by the writer (a fresh writeId); the second by a
    // writer that sets none (a function not yet updated, mid-deployment), whole and valid.
    await s.putFlips([entries[0]!], entries[0]!.bucket);
    await put({ ...keyOf(entries[1]!), ...entries[1]! });
    const left = await s.setAsideFlips(read, '2025-10-06T16:35:00.000Z');
    expect(left.map((u) => u.sk).sort()).toEqual([stamped.sk, legacy.sk].sort());
    expect(await db().get('entitlements', keyOf(entries[0]!))).toEqual({ ...keyOf(entries[0]!), ...entries[0]!, writeId: expect.not.stringMatching(/^w-1$/) });
    expect(await db().get('entitlements', keyOf(entries[1]!))).toEqual({ ...keyOf(entries[1]!), ...entries[1]! });
    for (const e of entries.slice(0, 2)) expect(await db().get('entitlements', { pk: 'FLIP-UNREADABLE', sk: `${keyOf(e).pk}#${keyOf(e).sk}` })).toBeUndefined();
    // The third, unchanged, moved.
    expect(await db().get('entitlements', keyOf(entries[2]!))).toBeUndefined();
    expect((await db().get('entitlements', { pk: 'FLIP-UNREADABLE', sk: `${untouched.pk}#${untouched.sk}` }))?.item).toEqual({ ...untouched, writeId: 'w-2' });
  });

  it('handles an entry whose at has an offset at its instant, though its key sorts after the later UTC ones', async () => {
    const s = store.dynamoEntitlementStore;
    const { runTimeIndex } = await import('#entitlement/service/time');
    // Same shard, same bucket: 16:00 written as 00:00+08:00 (its key sorts last; stored before filing wrote
    // one notation, or by hand), and a UTC entry at 16:10.
    const offset = { ...pair('91440300MA5FNUM051', '2025-10-07T16:00:00.000Z'), at: '2025-10-08T00:00:00+08:00' };
    const later = { ...pair('91440300MA5FNUM051', '2025-10-07T16:10:00.000Z'), policyId: 'P-FLIP-NUM2' };
    const offsetPk = `FLIP#${offset.bucket}#${shardOf(offset.subjectId!)}`;
    await db().doc.send(new PutCommand({ TableName: db().tables.entitlements, Item: { pk: offsetPk, sk: `${offset.at}#P-FLIP-NUM#${offset.subjectId}`, ...offset } }));
    await s.putFlips([later], offset.bucket);
    await cursorBefore(offset.bucket);

    const w = memoryEntitlementPorts({ now: '2025-10-07T16:05:00.000Z' });
    expect(await runTimeIndex({ ...w.ports, store: s }, async () => {})).toMatchObject({ reevaluated: 1, failed: 0, changed: 0 });
    // Its re-match named by the instant in its one notation: the id its UTC twin's gets.
    expect(w.sent.rematches.map((m) => m.id)).toEqual([expect.stringContaining('flip:2025-10-07T16:00:00.000Z:P-FLIP-NUM')]);
    expect((await s.queryFlips(offset.bucket, offset.shard)).entries).toEqual([later]);
    w.now = '2025-10-07T16:20:00.000Z';
    expect(await runTimeIndex({ ...w.ports, store: s }, async () => {})).toMatchObject({ reevaluated: 1, failed: 0 });
    expect(await s.getFlipCursor()).toBe(offset.bucket);
  });

  it('files one instant once whatever its notation, and re-evaluates once a pair stored in two', async () => {
    const s = store.dynamoEntitlementStore;
    const { runTimeIndex } = await import('#entitlement/service/time');
    // Filed in both notations (two writers, or a redelivery): one item, under the UTC key.
    const utc = pair('91440300MA5FNUM061', '2025-10-08T16:00:00.000Z');
    const offset = { ...utc, at: '2025-10-09T00:00:00+08:00' };
    const pk = `FLIP#${utc.bucket}#${shardOf(utc.subjectId!)}`;
    await s.putFlips([offset], utc.bucket);
    await s.putFlips([utc], utc.bucket);
    expect(await db().partition('entitlements', pk)).toEqual([{ pk, sk: `${utc.at}#P-FLIP-NUM#${utc.subjectId}`, ...utc, writeId: expect.any(String) }]);

    // Stored in both (the offset one before filing wrote one notation): one re-evaluation, both deleted.
    await db().doc.send(new PutCommand({ TableName: db().tables.entitlements, Item: { pk, sk: `${offset.at}#P-FLIP-NUM#${utc.subjectId}`, ...offset } }));
    expect((await s.queryFlips(utc.bucket, utc.shard)).entries).toHaveLength(2);
    await cursorBefore(utc.bucket);
    const w = memoryEntitlementPorts({ now: '2025-10-08T16:20:00.000Z' });
    expect(await runTimeIndex({ ...w.ports, store: s }, async () => {})).toMatchObject({ reevaluated: 1, failed: 0, changed: 0 });
    expect(w.sent.rematches.map((m) => m.id)).toEqual([expect.stringContaining('flip:2025-10-08T16:00:00.000Z:P-FLIP-NUM')]);
    expect(await db().partition('entitlements', pk)).toEqual([]);
    expect(await s.getFlipCursor()).toBe(utc.bucket);
  });
});

describe('entitlement store: the time index\'s set-aside, as the memory store does it', () => {
  // The contract both stores are held to (tests/support/flip-set-aside.ts); memory: flip-set-aside.test.ts.
  const table = (): FlipTable => ({
    store: store.dynamoEntitlementStore,
    async putRaw(item) {
      await db().doc.send(new PutCommand({ TableName: db().tables.entitlements, Item: item }));
    },
    get: (pk, sk) => db().get('entitlements', { pk, sk }),
    async setAside(pk, sk) {
      return (await db().get('entitlements', { pk: 'FLIP-UNREADABLE', sk: `${pk}#${sk}` }))?.item as Record<string, unknown> | undefined;
    },
  });
  it.each(SET_ASIDE_CASES.map((c, k) => [c.name, c, k] as const))('%s', async (_name, c, k) => {
    // A key of its own per case: the table is the file's.
    await runSetAsideCase(table(), c, `91440300MA5FCASE${String(k).padStart(2, '0')}`, '2025-11-01T16:00:00.000Z');
  });
});

describe('entitlement store: publicity and objections', () => {
  const W = { windowId: '2025-06-01', openedAt: AT, closesAt: '2025-06-09T15:59:59.999Z' };
  const listing = (p: Policy, creditCode: string, window: typeof W, opens: boolean, budget?: number): Transition[] => {
    const match = matchEnterprise(p, compilePolicy(p), profile({ creditCode }), undefined, AT);
    const plan = planSettle(undefined, p, match, AT, budget, 'Asia/Shanghai', { window, opens });
    if (plan.kind !== 'settle') throw new Error('expected a settle plan');
    return [...plan.chain];
  };

  it('opens a window with the first pair listed (racers opening the same one pass; another open one is refused), and indexes it as due', async () => {
    const p = policy({ policyId: 'AD-PUBL', kind: 'grant', budget: 3000, publicity: {} });
    const s = store.dynamoEntitlementStore;
    await publish(p);
    expect(await s.applyTransitions(listing(p, '91440106MA59CP0001', W, true, 3000), audit('e'))).toEqual({ ok: true });
    expect(await s.applyTransitions(listing(p, '91440106MA59CP0002', W, true, 2000), audit('e'))).toEqual({ ok: true });
    const other = { ...W, windowId: '2025-06-02' };
    expect(await s.applyTransitions(listing(p, '91440106MA59CP0003', other, true, 1000), audit('e'))).toMatchObject({ ok: false, windowMoved: true, entitlementMoved: false });
    expect(await s.getPublicityWindow('AD-PUBL')).toEqual(W);
    expect(await s.getBudget('AD-PUBL')).toBe(1000);
    expect(await s.listDueWindows('2025-06-09T15:59:59.999Z', 10)).toEqual([]);
    const due = await s.listDueWindows('2025-06-10T00:00:00.000Z', 10);
    expect(due).toContainEqual({ policyId: 'AD-PUBL', windowId: W.windowId, closesAt: W.closesAt });
    expect((await s.listInWindow('AD-PUBL', W.windowId)).map((e) => e.creditCode).sort()).toEqual(['91440106MA59CP0001', '91440106MA59CP0002']);
    expect((await s.listInState('AD-PUBL', 'PUBLICIZED')).length).toBe(2);
    expect((await s.readFigures('AD-PUBL')).counters).toMatchObject({ eligible: 2, publicized: 2 });
    const mine = due.find((d) => d.policyId === 'AD-PUBL')!;
    expect(await s.isWindowReleased(mine)).toBe(false);
    await s.markWindowReleased(mine, '2025-06-09T00:00:00.000Z');
    expect(await s.isWindowReleased(mine)).toBe(true);
    expect(await s.listDueWindows('2025-06-10T00:00:00.000Z', 10)).toContainEqual(mine);
    await s.finishWindow(mine);
    expect((await s.listDueWindows('2025-06-10T00:00:00.000Z', 10)).filter((d) => d.policyId === 'AD-PUBL')).toEqual([]);
    expect(await s.isWindowReleased(mine)).toBe(true);
    // Marking a finished window again does not bring it back.
    await s.markWindowReleased(mine, '2025-06-09T00:00:00.000Z');
    expect((await s.listDueWindows('2025-06-10T00:00:00.000Z', 10)).filter((d) => d.policyId === 'AD-PUBL')).toEqual([]);
  });

  it('moves the budget by a chain\'s net: a pair listed and lapsed in one write leaves it as it was', async () => {
    // A self-objection received in time, processed after the close of a window that ended past validTo.
    const p = policy({ policyId: 'AD-LAPSE', kind: 'grant', budget: 2000, publicity: {}, validTo: '2025-06-05' });
    const s = store.dynamoEntitlementStore;
    await publish(p);
    const code = '91440106MA59CL0001';
    const chain = listing(p, code, W, true, 2000);
    const { planRelease } = await import('#entitlement/domain/index');
    const lapse = planRelease(chain.at(-1)!.next, p, '2025-06-10T01:00:00.000Z', 'Asia/Shanghai');
    if (lapse.kind !== 'transition') throw new Error('expected a transition');
    expect([lapse.transition.to, lapse.transition.release]).toEqual(['LAPSED', { amount: 1000 }]);
    expect(await s.applyTransitions([...chain, lapse.transition], audit('e'))).toEqual({ ok: true });
    expect(await s.getBudget('AD-LAPSE')).toBe(2000);
    expect((await s.getEntitlement('AD-LAPSE', code))?.state).toBe('LAPSED');
    const f = await s.readFigures('AD-LAPSE');
    expect(f.counters).toMatchObject({ eligible: 0, publicized: 1, lapsed: 1 });
    expect(f.amountReserved).toBe(0);
  });

  it('writes an objection with its change once, returns a release to the budget, and keeps a lone objection create-only', async () => {
    const p = policy({ policyId: 'AD-OBJ', kind: 'grant', budget: 2000, publicity: {} });
    const s = store.dynamoEntitlementStore;
    await publish(p);
    const code = '91440106MA59CO0001';
    await s.applyTransitions(listing(p, code, W, true, 2000), audit('e'));
    const held = await s.getEntitlement('AD-OBJ', code);
    const { planThirdPartyObjection, planResolution } = await import('#entitlement/domain/index');
    const hold = planThirdPartyObjection(held, p, { objectionId: 'AO-1', receivedAt: AT });
    if (hold.kind !== 'transition') throw new Error('expected a transition');
    const objection = { objectionId: 'AO-1', policyId: 'AD-OBJ', creditCode: code, by: 'thirdParty' as const, reason: 'r', receivedAt: AT, state: 'OPEN' as const };
    const write = { objection, expect: 'new' as const, counts: { objectionsFiled: 1 } };
    expect(await s.applyTransitions([hold.transition], audit('o'), receipt('gov.policy.objection.filed'), write)).toEqual({ ok: true });
    expect(await s.saveObjection(write, audit('o2'), receipt('gov.policy.objection.filed'))).toBe(false);
    expect(await s.getObjection('AO-1')).toEqual(objection);

    const remove = planResolution(hold.transition.next, p, 'AO-1', true, AT);
    if (remove.kind !== 'transition') throw new Error('expected a transition');
    const upheld = { objection: { ...objection, state: 'UPHELD' as const }, expect: 'OPEN' as const, counts: { objectionsUpheld: 1 } };
    expect(await s.applyTransitions([remove.transition], audit('u'), receipt('gov.policy.objection.resolved'), upheld)).toEqual({ ok: true });
    expect(await s.applyTransitions([remove.transition], audit('u'), receipt('gov.policy.objection.resolved'), upheld)).toMatchObject({ ok: false, objectionMoved: true });
    expect(await s.getBudget('AD-OBJ')).toBe(2000);
    const f = await s.readFigures('AD-OBJ');
    expect(f.counters).toMatchObject({ eligible: 0, removed: 1, objectionsFiled: 1, objectionsUpheld: 1 });
    expect(f.amountReserved).toBe(0);
  });

  it('writes a recovery once: RECOVERED, the amount back in the budget, counted and summed with its receipt', async () => {
    const p = policy({ policyId: 'AD-REC', kind: 'grant', budget: 2000 });
    const s = store.dynamoEntitlementStore;
    await publish(p);
    const code = '91440106MA59RC0001';
    const { onDisbursed, onRecovered } = await import('#entitlement/domain/index');
    expect(await s.applyTransitions(settleChain(p, code, 2000), audit('g'))).toEqual({ ok: true });
    const paid = onDisbursed(await s.getEntitlement('AD-REC', code), 1000, AT);
    if (paid.kind !== 'transition') throw new Error('expected a transition');
    expect(await s.applyTransitions([paid.transition], audit('d'), receipt('gov.policy.disbursed'))).toEqual({ ok: true });
    expect(await s.getBudget('AD-REC')).toBe(1000);

    const recovery = onRecovered(await s.getEntitlement('AD-REC', code), { amount: 600, reason: 'fraud', at: AT });
    if (recovery.kind !== 'transition') throw new Error('expected a transition');
    const r = receipt('gov.policy.recovered');
    expect(await s.applyTransitions([recovery.transition], audit('r'), r)).toEqual({ ok: true });
    expect(await s.applyTransitions([recovery.transition], audit('r'), r)).toMatchObject({ ok: false, entitlementMoved: true });
    expect(await s.getBudget('AD-REC')).toBe(1600);
    expect(await s.getEntitlement('AD-REC', code)).toMatchObject({ state: 'RECOVERED', amountRecovered: 600, amountReserved: 400, recovery: { amount: 600, reason: 'fraud', credited: 600 } });
    expect(await db().get('receipts', { pk: `RCPT#${r.source}#${r.id}`, sk: 'RECEIPT' })).toBeDefined();
    const f = await s.readFigures('AD-REC');
    expect(f.counters).toMatchObject({ eligible: 1, granted: 1, disbursed: 1, recovered: 1 });
    expect([f.amountReserved, f.amountDisbursed, f.amountRecovered]).toEqual([400, 1000, 600]);
    expect((await s.listInState('AD-REC', 'EXHAUSTED')).length).toBe(0);
  });
});
