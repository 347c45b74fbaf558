/**
 * The 免申即享 use cases (shared/entitlement/service.ts) on small in-memory ports
 * (tests/support/memory/entitlement.ts): what each stores, sends and counts, and that a redelivery, a race
 * or a withdrawal in flight never pushes, counts or notifies twice.
 */
import { BatchMemo } from '#platform/batch-memo';
import { createEntitlementService, type Cause } from '#entitlement/service';
import type { Policy } from '#entitlement/domain/index';
import { memoryEntitlementPorts, type MemoryWorld } from '#support/memory/entitlement';
import { NOW, credit, entitlement, policy, profile } from './fixtures';

const LATER = '2025-06-02T10:00:00+08:00';
const CODES = { a: '91440106MA59C00011', b: '91440106MA59C00022', c: '91440106MA59C00033', d: '91440106MA59C00044' };
let serial = 0;
const cause = (type: string): Cause => ({ id: `evt-${++serial}`, source: '/systems/test', type });

function world(options: { shards?: number; sliceSize?: number } = {}) {
  const w = memoryEntitlementPorts({ now: NOW, shards: options.shards ?? 1, settings: { sliceSize: options.sliceSize ?? 100 } });
  return { w, service: createEntitlementService(w.ports) };
}

/** Eligible (a, b), needs info (c: no export figure), ineligible (d: large). */
function addProfiles(w: MemoryWorld): void {
  w.profiles.set(CODES.a, profile({ creditCode: CODES.a }));
  w.profiles.set(CODES.b, profile({ creditCode: CODES.b }));
  w.profiles.set(CODES.c, profile({ creditCode: CODES.c, exportValueUsd: undefined }));
  w.profiles.set(CODES.d, profile({ creditCode: CODES.d, size: 'large' }));
}

/** Publishes and runs every slice queued (continuations included), as the match queue would. */
async function publishAndMatch(w: MemoryWorld, service: ReturnType<typeof createEntitlementService>, p: Policy): Promise<void> {
  const from = w.sent.slices.length;
  expect(await service.publishPolicy(p, cause('gov.policy.published'))).toBe('published');
  for (let i = from; i < w.sent.slices.length; i++) await service.runMatchSlice(w.sent.slices[i]!.data);
}

describe('publishPolicy', () => {
  it('stores the first version with its run and receipt, then queues one slice per registry shard', async () => {
    const { w, service } = world({ shards: 3 });
    const published = cause('gov.policy.published');
    expect(await service.publishPolicy(policy(), published)).toBe('published');
    expect(w.store.policies.get('P-TEST')).toMatchObject({ status: 'active', publishedAt: NOW, version: 1 });
    expect(w.store.runs.get('P-TEST#1')).toMatchObject({ slicesQueued: 3, slicesDone: 0 });
    // Each slice carries the publication that started the run, whose source its pairs' lines name.
    expect(w.sent.slices.map((m) => m.data)).toEqual([0, 1, 2].map((shard) => ({ policyId: 'P-TEST', version: 1, shard, cause: published })));
    expect(w.store.receipts).toEqual([expect.objectContaining({ outcome: 'applied', effect: expect.objectContaining({ resource: 'policy', id: 'P-TEST', version: 1 }) })]);
    expect(w.store.audit).toEqual([expect.objectContaining({ subject: 'policy:P-TEST', action: 'published:v1', why: 'first version' })]);
    expect(w.store.audit[0]?.details?.source).toBe('/systems/test');
  });

  it('re-sends the fan-out for a replay of the stored version, ignores an older one, refuses other content', async () => {
    const { w, service } = world({ shards: 2 });
    await service.publishPolicy(policy({ version: 2 }), cause('gov.policy.published'));
    expect(await service.publishPolicy(policy({ version: 2 }), cause('gov.policy.published'))).toBe('unchanged:SAME_VERSION');
    // A replay whose first delivery crashed before the fan-out starts the run; as a version after the first it
    // re-reads existing pairs (the first publication had none to re-read).
    expect(w.sent.slices.map((m) => m.data.republish)).toEqual([undefined, undefined, true, true]);
    expect(await service.publishPolicy(policy({ version: 1 }), cause('gov.policy.published'))).toBe('unchanged:STALE_VERSION');
    expect(await service.publishPolicy(policy({ version: 2, name: '别的' }), cause('gov.policy.published'))).toBe('refused:VERSION_CONFLICT');
    expect(w.sent.slices).toHaveLength(4);
    expect(w.store.receipts.map((r) => r.kind ?? r.outcome)).toEqual(['applied', 'REPLAY', 'STALE', 'VERSION_CONFLICT']);
    expect([...w.store.refusals.values()]).toEqual([expect.objectContaining({ reason: 'VERSION_CONFLICT' })]);
  });

  it('moves the remaining budget by the difference of the totals when a newer version changes it', async () => {
    const { w, service } = world();
    await service.publishPolicy(policy({ budget: 5000 }), cause('gov.policy.published'));
    w.store.budgets.set('P-TEST', 3000); // 2000 reserved meanwhile
    expect(await service.publishPolicy(policy({ budget: 8000, version: 2 }), cause('gov.policy.published'))).toBe('published');
    expect(w.store.budgets.get('P-TEST')).toBe(6000);
  });
});

describe('runMatchSlice', () => {
  it('settles the candidates of a slice, queues the pushes after the commits, and counts them', async () => {
    const { w, service } = world();
    addProfiles(w);
    await publishAndMatch(w, service, policy());
    const state = (code: string) => w.store.entitlements.get(`P-TEST/${code}`)?.state;
    expect([state(CODES.a), state(CODES.b), state(CODES.c), state(CODES.d)]).toEqual(['NOTIFIED', 'NOTIFIED', 'NEEDS_INFO', undefined]);
    expect(w.sent.notifications.map((m) => m.data)).toEqual([
      { policyId: 'P-TEST', creditCode: CODES.a },
      { policyId: 'P-TEST', creditCode: CODES.b },
    ]);
    expect(w.store.outbox.get(`P-TEST/${CODES.a}`)).toMatchObject({ status: 'PENDING', notification: expect.objectContaining({ policyName: '测试政策' }) });
    expect(w.sent.metrics).toEqual(
      expect.arrayContaining([{ metric: 'EntitlementsNotified', value: 2 }, { metric: 'MatchSliceProfiles', value: 4 }, { metric: 'PublishToLastPushMs', value: 0 }]),
    );
    // Pushed in the write that matched them: 0 days from becoming eligible, for the dashboard's mean.
    expect(w.sent.metrics).toEqual(expect.arrayContaining([{ metric: 'EligibleToPushDays', value: 0 }]));
    const figures = await w.store.readFigures('P-TEST');
    expect(figures.counters).toMatchObject({ eligible: 2, notified: 2, needsInfo: 1, ineligible: 0, pushedAfterEligible: 2, eligibleToPushDays: 0 });
    expect(w.store.runs.get('P-TEST#1')).toMatchObject({ slicesDone: 1, slicesQueued: 1, profiles: 4, completedAt: NOW });
  });

  // Without its record a leaf on credit is unknown, so the pass over the page may skip the records; an
  // `exists` leaf is the exception (definite on a missing record), so such criteria read every record.
  it('finds the subjects an `exists` leaf on their credit record makes eligible, and only them', async () => {
    const { w, service } = world();
    addProfiles(w);
    w.credits.set(CODES.a, credit({ subjectId: CODES.a, rating: 'A' }));
    w.credits.set(CODES.b, credit({ subjectId: CODES.b, rating: undefined }));
    // A policy of its own: compiled conditions are cached by policy id and version.
    const rated = policy({ policyId: 'P-RATED', criteria: { all: [{ id: 'T-RATED', description: '有纳税信用评级', fact: 'credit.rating', op: 'exists', value: true }] } });
    await publishAndMatch(w, service, rated);
    const state = (code: string) => w.store.entitlements.get(`P-RATED/${code}`)?.state;
    expect([state(CODES.a), state(CODES.b), state(CODES.c), state(CODES.d)]).toEqual(['NOTIFIED', undefined, undefined, undefined]);
    expect(w.sent.notifications.map((m) => m.data.creditCode)).toEqual([CODES.a]);
  });

  it('does nothing more for a redelivered slice', async () => {
    const { w, service } = world();
    addProfiles(w);
    await publishAndMatch(w, service, policy());
    const before = { entitlements: new Map(w.store.entitlements), notifications: w.sent.notifications.length, metrics: w.sent.metrics.length };
    await service.runMatchSlice(w.sent.slices[0]!.data);
    expect(w.store.entitlements).toEqual(before.entitlements);
    expect(w.sent.notifications).toHaveLength(before.notifications);
    expect(w.sent.metrics).toHaveLength(before.metrics);
  });

  it('queues the rest of a shard first, and completes the run only with the last continuation', async () => {
    const { w, service } = world({ sliceSize: 3 });
    addProfiles(w);
    expect(await service.publishPolicy(policy(), cause('gov.policy.published'))).toBe('published');
    await service.runMatchSlice(w.sent.slices[0]!.data);
    expect(w.sent.slices[1]!.data).toEqual({ policyId: 'P-TEST', version: 1, shard: 0, cursor: CODES.c, cause: w.sent.slices[0]!.data.cause });
    expect(w.store.runs.get('P-TEST#1')).toMatchObject({ slicesDone: 1, slicesQueued: 2, profiles: 3 });
    expect(w.store.runs.get('P-TEST#1')!.completedAt).toBeUndefined();
    expect(w.sent.metrics.some((m) => m.metric === 'PublishToLastPushMs')).toBe(false);
    await service.runMatchSlice(w.sent.slices[1]!.data);
    expect(w.store.runs.get('P-TEST#1')).toMatchObject({ slicesDone: 2, slicesQueued: 2, profiles: 4, completedAt: NOW });
    expect(w.sent.metrics.filter((m) => m.metric === 'PublishToLastPushMs')).toHaveLength(1);
  });

  it('names on the lines of the pairs it settles the system that published the policy; a slice queued without it none', async () => {
    const { w, service } = world({ sliceSize: 3 });
    addProfiles(w);
    const published: Cause = { source: '/systems/policy-platform', id: 'pub-slice-src', type: 'gov.policy.published' };
    expect(await service.publishPolicy(policy({ policyId: 'P-SLICE-SRC' }), published)).toBe('published');
    // The first slice, and its continuation (queued by the first with the same cause).
    for (let i = 0; i < w.sent.slices.length; i++) await service.runMatchSlice(w.sent.slices[i]!.data);
    expect(w.sent.slices).toHaveLength(2);
    const lines = w.store.audit.filter((a) => a.subject.startsWith('entitlement:P-SLICE-SRC/'));
    expect(lines.map((a) => [a.subject, a.actor, a.details?.source])).toEqual([CODES.a, CODES.b, CODES.c].map((code) => [`entitlement:P-SLICE-SRC/${code}`, '/civicflow/match', '/systems/policy-platform']));

    // A slice queued before the run's cause was carried (the old shape) is still matched, naming no source.
    await service.publishPolicy(policy({ policyId: 'P-SLICE-OLD' }), cause('gov.policy.published'));
    await service.runMatchSlice({ policyId: 'P-SLICE-OLD', version: 1, shard: 0 });
    await service.runMatchSlice({ policyId: 'P-SLICE-OLD', version: 1, shard: 0, cursor: CODES.c });
    const old = w.store.audit.filter((a) => a.subject.startsWith('entitlement:P-SLICE-OLD/'));
    expect(old.map((a) => [a.actor, a.details?.source])).toEqual([['/civicflow/match', undefined], ['/civicflow/match', undefined], ['/civicflow/match', undefined]]);
  });

  it('ends a slice of a withdrawn policy or of an older version without a look', async () => {
    const { w, service } = world();
    addProfiles(w);
    await service.publishPolicy(policy(), cause('gov.policy.published'));
    await service.withdrawPolicy('P-TEST', cause('gov.policy.withdrawn'));
    await service.runMatchSlice(w.sent.slices[0]!.data);
    expect(w.store.entitlements.size).toBe(0);
    expect(await w.store.isSliceDone('P-TEST', 1, 0)).toBe(true);
  });

  it('pushes nothing when the withdrawal commits between the plan and the write (the guard on the figures)', async () => {
    const { w, service } = world();
    w.profiles.set(CODES.a, profile({ creditCode: CODES.a }));
    await service.publishPolicy(policy(), cause('gov.policy.published'));
    w.store.beforeApply = () => void w.store.guarded.set('P-TEST', NOW);
    await service.runMatchSlice(w.sent.slices[0]!.data);
    expect(w.store.entitlements.size).toBe(0);
    expect(w.store.outbox.size).toBe(0);
    expect(w.sent.notifications).toEqual([]);
  });

  it('re-plans a grant whose reservation lost the race for the last of the budget: one granted, one exhausted', async () => {
    const { w, service } = world();
    w.profiles.set(CODES.a, profile({ creditCode: CODES.a }));
    w.profiles.set(CODES.b, profile({ creditCode: CODES.b }));
    await publishAndMatch(w, service, policy({ kind: 'grant', budget: 1500 }));
    const states = [CODES.a, CODES.b].map((c) => w.store.entitlements.get(`P-TEST/${c}`)!.state).sort();
    expect(states).toEqual(['EXHAUSTED', 'GRANTED']);
    expect(w.store.budgets.get('P-TEST')).toBe(500);
    expect((await w.store.readFigures('P-TEST')).amountReserved).toBe(1000);
    expect(w.sent.metrics).toEqual(expect.arrayContaining([{ metric: 'EntitlementsGranted', value: 1 }]));
  });

  it('sends a still-undelivered push again when a newer version re-reads the pair, without a second transition', async () => {
    const { w, service } = world();
    w.profiles.set(CODES.a, profile({ creditCode: CODES.a }));
    await publishAndMatch(w, service, policy());
    const revision = w.store.entitlements.get(`P-TEST/${CODES.a}`)!.revision;
    await publishAndMatch(w, service, policy({ version: 2, name: '测试政策（修订）' }));
    expect(w.store.entitlements.get(`P-TEST/${CODES.a}`)).toMatchObject({ state: 'NOTIFIED', revision });
    expect(w.sent.notifications.map((m) => m.data.creditCode)).toEqual([CODES.a, CODES.a]);
    expect(w.sent.notifications[0]!.id).toBe(w.sent.notifications[1]!.id);
    expect((await w.store.readFigures('P-TEST')).counters.notified).toBe(1);
  });
});

describe('rematchEnterprise', () => {
  it('matches a changed enterprise against every active policy; a dishonest one is left out', async () => {
    const { w, service } = world();
    await service.publishPolicy(policy(), cause('gov.policy.published'));
    await service.publishPolicy(policy({ policyId: 'P-OTHER', kind: 'grant' }), cause('gov.policy.published'));
    expect(await service.rematchEnterprise(CODES.a)).toBe('nothing to match');
    w.profiles.set(CODES.a, profile({ creditCode: CODES.a }));
    expect(await service.rematchEnterprise(CODES.a)).toBe('matched 2');
    expect(w.store.entitlements.get(`P-TEST/${CODES.a}`)?.state).toBe('NOTIFIED');
    expect(w.store.entitlements.get(`P-OTHER/${CODES.a}`)?.state).toBe('GRANTED');
    expect(w.store.audit.at(-1)).toMatchObject({ actor: '/civicflow/policy' });

    w.profiles.set(CODES.b, profile({ creditCode: CODES.b }));
    w.credits.set(CODES.b, credit({ subjectId: CODES.b, dishonest: true }));
    expect(await service.rematchEnterprise(CODES.b)).toBe('matched 2');
    expect(w.store.entitlements.has(`P-TEST/${CODES.b}`)).toBe(false);
    expect(w.sent.notifications.map((m) => m.data.creditCode)).toEqual([CODES.a, CODES.a]);
  });
});

describe('rematchEnterprise after an upstream profile', () => {
  it('names the system that posted the profile in the audit line of every pair it changes, once', async () => {
    const { w, service } = world();
    await service.publishPolicy(policy({ policyId: 'P-SRC-PUSH' }), cause('gov.policy.published'));
    await service.publishPolicy(policy({ policyId: 'P-SRC-GRANT', kind: 'grant' }), cause('gov.policy.published'));
    const lines = (code: string) => w.store.audit.filter((a) => a.subject.startsWith('entitlement:') && a.subject.endsWith(`/${code}`));
    const market: Cause = { source: '/systems/market-regulation', id: 'prof-1', type: 'gov.enterprise.profile.updated' };
    const tax: Cause = { source: '/systems/tax-bureau', id: 'prof-2', type: 'gov.enterprise.profile.updated' };

    // The market regulator's profile lacks the export figure: both pairs wait for it.
    w.profiles.set(CODES.a, profile({ creditCode: CODES.a, exportValueUsd: undefined }));
    expect(await service.rematchEnterprise(CODES.a, 'enterprise', market)).toBe('matched 2');
    expect(lines(CODES.a).map((a) => [a.subject, a.action, a.actor, a.details?.source])).toEqual([
      [`entitlement:P-SRC-PUSH/${CODES.a}`, 'state:NONE->NEEDS_INFO', '/civicflow/policy', '/systems/market-regulation'],
      [`entitlement:P-SRC-GRANT/${CODES.a}`, 'state:NONE->NEEDS_INFO', '/civicflow/policy', '/systems/market-regulation'],
    ]);

    // The tax bureau's profile completes it: the pairs it made eligible name the tax bureau; sent again, no new line.
    w.profiles.set(CODES.a, profile({ creditCode: CODES.a }));
    await service.rematchEnterprise(CODES.a, 'enterprise', tax);
    await service.rematchEnterprise(CODES.a, 'enterprise', tax);
    expect(lines(CODES.a).slice(2).map((a) => [a.subject, a.action, a.details?.source])).toEqual([
      [`entitlement:P-SRC-PUSH/${CODES.a}`, 'state:NEEDS_INFO->NOTIFIED', '/systems/tax-bureau'],
      [`entitlement:P-SRC-GRANT/${CODES.a}`, 'state:NEEDS_INFO->GRANTED', '/systems/tax-bureau'],
    ]);

    // CivicFlow's own causes (a time-index re-evaluation, a credit mark) and a re-match without one name none.
    w.profiles.set(CODES.b, profile({ creditCode: CODES.b, exportValueUsd: undefined }));
    await service.rematchEnterprise(CODES.b, 'enterprise', { source: '/civicflow/entitlement/time-index', id: 'flip:x:P-SRC-PUSH', type: 'civicflow.time.flip' });
    w.profiles.set(CODES.c, profile({ creditCode: CODES.c, exportValueUsd: undefined }));
    await service.rematchEnterprise(CODES.c, 'enterprise', { source: '/civicflow/approval', id: 'credit-marked:falseCommitment:A1', type: 'civicflow.credit.marked' });
    w.profiles.set(CODES.d, profile({ creditCode: CODES.d, exportValueUsd: undefined }));
    await service.rematchEnterprise(CODES.d);
    const own = [CODES.b, CODES.c, CODES.d].flatMap(lines);
    expect(own).toHaveLength(6);
    expect(own.map((a) => [a.actor, a.details?.source])).toEqual(own.map(() => ['/civicflow/policy', undefined]));
  });
});

describe('rematchEnterprise after a false-commitment mark', () => {
  it('moves a pair not yet pushed as the marked record says, pushes once, and changes nothing when sent again', async () => {
    const { w, service } = world();
    const honest = { id: 'T-HONEST', description: '未被记录虚假承诺', fact: 'credit.falseCommitment', op: 'eq', value: false } as const;
    await service.publishPolicy(policy({ policyId: 'P-REMARK-HONEST', criteria: { all: [honest, { id: 'T-STAFF', description: '职工不超过30人', fact: 'enterprise.employees', op: 'lte', value: 30 }] } }), cause('gov.policy.published'));
    await service.publishPolicy(policy({ policyId: 'P-REMARK-REPAIR', criteria: { id: 'T-MARKED', description: '被记录虚假承诺', fact: 'credit.falseCommitment', op: 'eq', value: true } }), cause('gov.policy.published'));
    w.profiles.set(CODES.a, profile({ creditCode: CODES.a, employees: undefined }));
    w.credits.set(CODES.a, credit({ subjectId: CODES.a }));
    await service.rematchEnterprise(CODES.a);
    const pair = (policyId: string) => w.store.entitlements.get(`${policyId}/${CODES.a}`);
    expect([pair('P-REMARK-HONEST')?.state, pair('P-REMARK-REPAIR')]).toEqual(['NEEDS_INFO', undefined]);

    // The registry folded the mark in (effective falseCommitment true) and asked for this re-match.
    w.credits.set(CODES.a, credit({ subjectId: CODES.a, falseCommitment: true }));
    await service.rematchEnterprise(CODES.a);
    expect(pair('P-REMARK-HONEST')).toMatchObject({ state: 'INELIGIBLE', explanation: { failed: ['T-HONEST'] } });
    expect(pair('P-REMARK-HONEST')?.history.at(-1)).toMatchObject({ from: 'NEEDS_INFO', to: 'INELIGIBLE', reason: 'NO_LONGER_MATCHED' });
    expect(pair('P-REMARK-REPAIR')?.state).toBe('NOTIFIED');
    expect(w.sent.notifications.map((m) => m.data)).toEqual([{ policyId: 'P-REMARK-REPAIR', creditCode: CODES.a }]);
    const snapshot = () => structuredClone({ entitlements: [...w.store.entitlements], figures: [...w.store.figures], audit: w.store.audit.length });
    const after = snapshot();

    // The same re-match again (a redelivered revocation, or its mark): no write and no count; the push still
    // undelivered is queued again under its one id, and the notify worker delivers it once.
    await service.rematchEnterprise(CODES.a);
    expect(snapshot()).toEqual(after);
    expect(new Set(w.sent.notifications.map((m) => m.id))).toEqual(new Set([`notify:P-REMARK-REPAIR:${CODES.a}`]));
    for (const [i, m] of w.sent.notifications.entries()) await service.deliverNotification({ ...m.data, eventId: m.id, receiveCount: i + 1 });
    expect(w.sent.channel).toHaveLength(1);
    // Once delivered, a further re-match sends nothing.
    const sent = w.sent.notifications.length;
    const delivered = snapshot();
    await service.rematchEnterprise(CODES.a);
    expect([snapshot(), w.sent.notifications.length, w.sent.channel.length]).toEqual([delivered, sent, 1]);
  });
});

describe('rematchEnterprise in a batch of the policy queue', () => {
  it('reads the active policies once per batch, and again after a record of the batch published one', async () => {
    const { w, service } = world();
    await service.publishPolicy(policy(), cause('gov.policy.published'));
    addProfiles(w);
    let reads = 0;
    const list = w.ports.store.listActivePolicies.bind(w.ports.store);
    w.ports.store.listActivePolicies = () => {
      reads++;
      return list();
    };
    const batch = new BatchMemo();
    const outcomes: string[] = [];
    const record = (id: string, fn: () => Promise<string>) => batch.run(id, async () => void outcomes.push(await fn()));
    await record('m1', () => service.rematchEnterprise(CODES.a));
    await record('m2', () => service.rematchEnterprise(CODES.b));
    expect(reads).toBe(1);
    await record('m3', () => service.publishPolicy(policy({ policyId: 'P-OTHER', kind: 'grant' }), cause('gov.policy.published')));
    await record('m4', () => service.rematchEnterprise(CODES.c));
    expect(reads).toBe(2);
    expect(outcomes).toEqual(['matched 1', 'matched 1', 'published', 'matched 2']);
    expect(await batch.commit()).toEqual(new Set());
    // The next batch reads again; outside a batch every call reads.
    await new BatchMemo().run('m5', async () => void (await service.rematchEnterprise(CODES.d)));
    await service.rematchEnterprise(CODES.d);
    expect(reads).toBe(4);
  });
});

describe('recordProgress', () => {
  async function notified() {
    const { w, service } = world();
    w.profiles.set(CODES.a, profile({ creditCode: CODES.a }));
    await publishAndMatch(w, service, policy({ budget: 1500 }));
    w.now = LATER;
    return { w, service };
  }

  it('confirms a pushed entitlement, reserving from the budget, with the event receipt in the same write', async () => {
    const { w, service } = await notified();
    const input = { kind: 'confirmed', policyId: 'P-TEST', creditCode: CODES.a, at: LATER } as const;
    expect(await service.recordProgress(input, cause('gov.policy.confirmed'))).toBe('NOTIFIED->CONFIRMED');
    expect(w.store.budgets.get('P-TEST')).toBe(500);
    expect(w.sent.outbound).toEqual([
      expect.objectContaining({ type: 'gov.entitlement.confirmed', id: `entitlement:P-TEST:${CODES.a}:CONFIRMED`, data: expect.objectContaining({ reserved: 1000 }) }),
    ]);
    expect(w.store.receipts.at(-1)).toMatchObject({ outcome: 'applied', effect: { resource: 'entitlement', state: 'CONFIRMED' } });
    // The confirmation's line names the system that posted it; the push's, the system that published the policy.
    expect(w.store.audit.filter((a) => a.subject === `entitlement:P-TEST/${CODES.a}`).map((a) => [a.action, a.actor, a.details?.source])).toEqual([
      [expect.any(String), '/civicflow/match', '/systems/test'],
      ['state:NOTIFIED->CONFIRMED', '/systems/test', '/systems/test'],
    ]);

    // A redelivery changes nothing and re-sends the same event, timed when the state was reached.
    expect(await service.recordProgress(input, cause('gov.policy.confirmed'))).toBe('unchanged:ALREADY_CONFIRMED');
    expect(w.sent.outbound.map((e) => e.id)).toEqual([`entitlement:P-TEST:${CODES.a}:CONFIRMED`, `entitlement:P-TEST:${CODES.a}:CONFIRMED`]);
    expect(w.sent.outbound[1]!.time).toBe(LATER);
    expect(w.store.budgets.get('P-TEST')).toBe(500);
    expect(w.store.receipts.at(-1)).toMatchObject({ kind: 'DUPLICATE' });

    const paid = { kind: 'disbursed', policyId: 'P-TEST', creditCode: CODES.a, at: LATER, amount: 1000 } as const;
    expect(await service.recordProgress(paid, cause('gov.policy.disbursed'))).toBe('CONFIRMED->DISBURSED');
    expect(w.sent.outbound.at(-1)).toMatchObject({ type: 'gov.entitlement.disbursed', data: { amount: 1000 } });
    expect((await w.store.readFigures('P-TEST')).amountDisbursed).toBe(1000);
  });

  it.each([
    ['Asia/Shanghai', 21],
    ['Europe/London', 22],
  ])('counts the days from listing to payment between local dates of the stage (%s)', async (timeZone, days) => {
    // Listed at 04:00 on 2 October in Shanghai (21:00 on 1 October in London), paid on 23 October in both.
    const listedAt = '2025-10-01T20:00:00.000Z';
    const paidAt = '2025-10-23T10:00:00.000Z';
    const w = memoryEntitlementPorts({ now: paidAt, shards: 1, settings: { timeZone } });
    const service = createEntitlementService(w.ports);
    w.store.policies.set('P-TEST', policy({ kind: 'grant', publicity: { workingDays: 5 } }));
    w.store.entitlements.set(`P-TEST/${CODES.a}`, entitlement({
      creditCode: CODES.a,
      state: 'GRANTED',
      reached: ['ELIGIBLE', 'PUBLICIZED', 'NOTIFIED', 'GRANTED'],
      publicity: { windowId: '2025-10-02', listedAt, closesAt: '2025-10-17T15:59:59.999Z' },
      publicizedAt: listedAt,
      amountReserved: 1000,
    }));
    const paid = { kind: 'disbursed', policyId: 'P-TEST', creditCode: CODES.a, at: paidAt, amount: 1000 } as const;
    expect(await service.recordProgress(paid, cause('gov.policy.disbursed'))).toBe('GRANTED->DISBURSED');
    expect((await w.store.readFigures('P-TEST')).counters).toMatchObject({ paidAfterPublicity: 1, publicityToPaymentDays: days });
  });

  it('records a refusal once, with its receipt and audit line, and never throws it', async () => {
    const { w, service } = await notified();
    const unknown = { kind: 'confirmed', policyId: 'P-TEST', creditCode: CODES.b, at: LATER } as const;
    const c = cause('gov.policy.confirmed');
    expect(await service.recordProgress(unknown, c)).toBe('refused:ENTITLEMENT_UNKNOWN');
    expect(await service.recordProgress(unknown, c)).toBe('refused:ENTITLEMENT_UNKNOWN');
    expect([...w.store.refusals.values()]).toEqual([expect.objectContaining({ reason: 'ENTITLEMENT_UNKNOWN', creditCode: CODES.b, type: 'gov.policy.confirmed' })]);
    expect(w.store.audit.filter((a) => a.action === 'refused:gov.policy.confirmed').map((a) => a.details?.source)).toEqual(['/systems/test']);
    expect(w.sent.outbound).toEqual([]);
  });
});

describe('deliverNotification', () => {
  async function pushed() {
    const { w, service } = world();
    w.profiles.set(CODES.a, profile({ creditCode: CODES.a }));
    await publishAndMatch(w, service, policy());
    const request = { policyId: 'P-TEST', creditCode: CODES.a, eventId: w.sent.notifications[0]!.id, receiveCount: 1 };
    return { w, service, request };
  }

  it('delivers once: the channel gets the notification id, then the outbound event, then DELIVERED is counted', async () => {
    const { w, service, request } = await pushed();
    await service.deliverNotification(request);
    const outbox = w.store.outbox.get(`P-TEST/${CODES.a}`)!;
    expect(w.sent.channel).toEqual([expect.objectContaining({ notificationId: outbox.notification.notificationId, creditCode: CODES.a, policyName: '测试政策' })]);
    expect(w.sent.outbound).toEqual([expect.objectContaining({ type: 'gov.entitlement.notified', id: `entitlement:P-TEST:${CODES.a}:NOTIFIED` })]);
    expect(outbox).toMatchObject({ status: 'DELIVERED', attempts: 1 });
    expect((await w.store.readFigures('P-TEST')).delivered).toBe(1);
    expect(w.sent.metrics).toEqual(expect.arrayContaining([{ metric: 'NotificationsDelivered', value: 1 }]));

    await service.deliverNotification({ ...request, receiveCount: 2 });
    expect(w.sent.channel).toHaveLength(1);
    expect((await w.store.readFigures('P-TEST')).delivered).toBe(1);
  });

  it('throws a failed delivery back for SQS to retry, and marks it FAILED on the last receive', async () => {
    const { w, service, request } = await pushed();
    w.channelError = new Error('webhook answered 503 Service Unavailable');
    await expect(service.deliverNotification(request)).rejects.toThrow('503');
    expect(w.store.outbox.get(`P-TEST/${CODES.a}`)).toMatchObject({ status: 'PENDING', lastError: 'webhook answered 503 Service Unavailable' });
    await expect(service.deliverNotification({ ...request, receiveCount: 3 })).rejects.toThrow('503');
    expect(w.store.outbox.get(`P-TEST/${CODES.a}`)).toMatchObject({ status: 'FAILED', attempts: 2 });
    expect(w.sent.metrics.filter((m) => m.metric === 'NotificationFailures')).toHaveLength(2);
    expect(w.sent.outbound).toEqual([]);
    // A redrive after the channel recovered delivers it.
    delete w.channelError;
    await service.deliverNotification({ ...request, receiveCount: 1 });
    expect(w.store.outbox.get(`P-TEST/${CODES.a}`)!.status).toBe('DELIVERED');
  });

  it('leaves a claim in progress to its attempt (until it is stale) and ignores a message without an outbox record', async () => {
    const { w, service, request } = await pushed();
    // Claims are compared as the functions' clock writes them (UTC).
    const claimedAt = new Date(Date.parse(NOW)).toISOString();
    await w.store.claimOutbox('P-TEST', CODES.a, claimedAt, '2000-01-01T00:00:00Z');
    await expect(service.deliverNotification(request)).rejects.toThrow('being delivered by another attempt');
    w.now = new Date(Date.parse(NOW) + 30_000).toISOString();
    await expect(service.deliverNotification(request)).rejects.toThrow('being delivered by another attempt');
    w.now = new Date(Date.parse(NOW) + 61_000).toISOString();
    await service.deliverNotification(request);
    expect(w.sent.channel).toHaveLength(1);
    await service.deliverNotification({ ...request, creditCode: CODES.b });
    expect(w.sent.channel).toHaveLength(1);
  });
});

describe('withdrawPolicy', () => {
  it('withdraws once, guards the figures and tells upstream; a repeat re-applies the guard; an unknown policy is refused', async () => {
    const { w, service } = world();
    await service.publishPolicy(policy(), cause('gov.policy.published'));
    expect(await service.withdrawPolicy('P-TEST', cause('gov.policy.withdrawn'))).toBe('withdrawn');
    expect(w.store.policies.get('P-TEST')).toMatchObject({ status: 'withdrawn', withdrawnAt: NOW });
    expect(await w.store.listActivePolicies()).toEqual([]);
    expect(w.sent.outbound).toEqual([expect.objectContaining({ type: 'gov.policy.withdrawn', id: 'policy-withdrawn:P-TEST' })]);
    expect((await w.store.readFigures('P-TEST')).withdrawnAt).toBe(NOW);

    expect(await service.withdrawPolicy('P-TEST', cause('gov.policy.withdrawn'))).toBe('unchanged:ALREADY_WITHDRAWN');
    expect(w.sent.outbound).toHaveLength(1);
    expect(await service.withdrawPolicy('P-NONE', cause('gov.policy.withdrawn'))).toBe('refused:POLICY_UNKNOWN');
    expect(await service.publishPolicy(policy({ version: 2 }), cause('gov.policy.published'))).toBe('refused:POLICY_WITHDRAWN');
  });
});
