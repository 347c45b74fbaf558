/**
 * The time index wired into the 免申即享 use cases (docs/decisions/time-index.md) on in-memory ports: a pair
 * that settles ineligible but turns eligible on a birthday is filed for that instant; the schedule reads the
 * buckets after its cursor, queues the due re-evaluations once, and the re-match pushes once; a policy
 * published before its validFrom starts its run on that day.
 */
import { makeIdNumber } from '#contract/identifiers';
import { createEntitlementService, type Cause } from '#entitlement/service';
import { bucketOf } from '#entitlement/domain/index';
import { memoryEntitlementPorts, type MemoryWorld } from '#support/memory/entitlement';
import type { Condition } from '#rules/types';
import { credit, elderly, person } from './fixtures';

const NOW = '2025-06-01T10:00:00+08:00';
const BIRTHDAY = '2025-06-02T00:00:00+08:00'; // 80 on this local date
const TURNS_80 = makeIdNumber('440305', '19450602', '234');
const YOUNG = makeIdNumber('440305', '19900307', '345');
const LEAP = makeIdNumber('440305', '19450229'.replace('0229', '0228'), '456');

let serial = 0;
const cause = (type: string): Cause => ({ id: `evt-${++serial}`, source: '/systems/test', type });


function world() {
  const w = memoryEntitlementPorts({ now: NOW, shards: 2, settings: { sliceSize: 100 } });
  return { w, service: createEntitlementService(w.ports) };
}

async function runSlices(w: MemoryWorld, service: ReturnType<typeof createEntitlementService>, from: number): Promise<void> {
  for (let i = from; i < w.sent.slices.length; i++) await service.runMatchSlice(w.sent.slices[i]!.data);
}

/** The policy queue's work: each queued re-match, delivered (twice when `redeliver`), as the handler would. */
async function deliverRematches(w: MemoryWorld, service: ReturnType<typeof createEntitlementService>, redeliver = false): Promise<void> {
  for (const m of w.sent.rematches.splice(0)) {
    for (let k = 0; k < (redeliver ? 2 : 1); k++) await service.rematchEnterprise(m.data.creditCode, m.data.subjectKind ?? 'enterprise');
  }
}

const flipEntries = (w: MemoryWorld) => [...w.store.flips.values()].flatMap((m) => [...m.values()]);

describe('the time index wired', () => {
  it('files a pair that turns eligible on a birthday, and the schedule pushes it once then', async () => {
    const { w, service } = world();
    for (const id of [TURNS_80, YOUNG]) w.persons.set(id, person(id));
    expect(await service.publishPolicy(elderly(), cause('gov.policy.published'))).toBe('published');
    await runSlices(w, service, 0);
    expect(w.store.entitlements.size).toBe(0);
    // Both are filed (the young one for their own 80th birthday, in 2070: after validTo, so not at all).
    expect(flipEntries(w)).toEqual([expect.objectContaining({ policyId: 'P-ELDER', policyVersion: 1, subjectId: TURNS_80, at: '2025-06-01T16:00:00.000Z', bucket: bucketOf(Date.parse(BIRTHDAY)) })]);
    expect(w.store.flipCursor).toBe(bucketOf(Date.parse(NOW) - 15 * 60_000));

    // Before the birthday: nothing due; the cursor moves over the closed buckets only.
    w.now = '2025-06-01T23:50:00+08:00';
    expect(await service.runTimeIndex()).toMatchObject({ reevaluated: 0 });
    expect(w.sent.rematches).toHaveLength(0);
    expect(w.store.flipCursor).toBe('2025-06-01T15:30:00.000Z');

    // Just after midnight: the due pair is re-evaluated, granted and notified, once whatever is redelivered.
    w.now = '2025-06-02T00:10:00+08:00';
    expect(await service.runTimeIndex()).toMatchObject({ reevaluated: 1 });
    expect(w.sent.rematches.map((m) => m.data)).toEqual([expect.objectContaining({ creditCode: TURNS_80, subjectKind: 'person' })]);
    expect(flipEntries(w)).toEqual([]);
    // Counted by the time index as it sends (the schedule's handler counts it no more).
    expect(w.sent.metrics.filter((m) => m.metric === 'TimeIndexReevaluations').reduce((n, m) => n + m.value, 0)).toBe(1);
    await deliverRematches(w, service, true);
    expect(w.store.entitlements.get(`P-ELDER/${TURNS_80}`)?.state).toBe('GRANTED');
    expect(await service.runTimeIndex()).toMatchObject({ reevaluated: 0 });
    // A redelivered re-match re-sends a still undelivered notification under the same id; the outbox delivers it once.
    expect(new Set(w.sent.notifications.map((m) => m.id)).size).toBe(1);
    expect(w.sent.notifications.every((m) => m.data.creditCode === TURNS_80)).toBe(true);
  });

  // Criteria that read the credit record as well: the birthday makes the pair eligible only with its record,
  // so the run reads the page's records to file it (without them the pair stays unknown, never eligible).
  it('files a pair whose credit record the criteria read, for the birthday that makes it eligible', async () => {
    const { w, service } = world();
    const SPOTLESS = TURNS_80;
    const DISHONEST = makeIdNumber('440305', '19450602', '567');
    for (const id of [SPOTLESS, DISHONEST]) w.persons.set(id, person(id));
    w.credits.set(SPOTLESS, credit({ subjectId: SPOTLESS, rating: 'A' }));
    w.credits.set(DISHONEST, credit({ subjectId: DISHONEST, rating: 'D' }));
    const rated = elderly({
      policyId: 'P-ELDER-RATED',
      criteria: { all: [...(elderly().criteria as { all: Condition[] }).all, { id: 'E-RATING', description: '信用等级为A或B', fact: 'credit.rating', op: 'in', value: ['A', 'B'] }] },
    });
    expect(await service.publishPolicy(rated, cause('gov.policy.published'))).toBe('published');
    await runSlices(w, service, 0);
    expect(flipEntries(w)).toEqual([expect.objectContaining({ policyId: 'P-ELDER-RATED', subjectId: SPOTLESS, at: '2025-06-01T16:00:00.000Z' })]);
    w.now = '2025-06-02T00:10:00+08:00';
    expect(await service.runTimeIndex()).toMatchObject({ reevaluated: 1 });
    await deliverRematches(w, service);
    expect(w.store.entitlements.get(`P-ELDER-RATED/${SPOTLESS}`)?.state).toBe('GRANTED');
    expect(w.store.entitlements.get(`P-ELDER-RATED/${DISHONEST}`)).toBeUndefined();
  });

  it('files a pair a newer version settles ineligible, for the birthday that makes it eligible', async () => {
    const { w, service } = world();
    w.persons.set(TURNS_80, person(TURNS_80));
    // Version 1 reads a fact the profile lacks: the pair needs information, and has a record.
    // A policy of its own: compiled conditions are cached by policy id and version.
    const v1 = elderly({ policyId: 'P-ELDER-V2', criteria: { all: [{ id: 'E-LEVEL', description: '残疾等级为一级', fact: 'person.disabilityLevel', op: 'eq', value: 1 }] } });
    expect(await service.publishPolicy(v1, cause('gov.policy.published'))).toBe('published');
    await runSlices(w, service, 0);
    expect(w.store.entitlements.get(`P-ELDER-V2/${TURNS_80}`)?.state).toBe('NEEDS_INFO');
    const from = w.sent.slices.length;
    expect(await service.publishPolicy(elderly({ policyId: 'P-ELDER-V2', version: 2 }), cause('gov.policy.published'))).toBe('published');
    await runSlices(w, service, from);
    expect(w.store.entitlements.get(`P-ELDER-V2/${TURNS_80}`)?.state).toBe('INELIGIBLE');
    expect(flipEntries(w)).toEqual([expect.objectContaining({ policyId: 'P-ELDER-V2', policyVersion: 2, subjectId: TURNS_80, at: '2025-06-01T16:00:00.000Z' })]);
  });

  it('catches up every bucket after the cursor when the schedule was down, oldest first', async () => {
    const { w, service } = world();
    w.persons.set(TURNS_80, person(TURNS_80));
    w.persons.set(LEAP, person(LEAP)); // born 28 February 1945: 80 on 28 February 2025, eligible now
    expect(await service.publishPolicy(elderly(), cause('gov.policy.published'))).toBe('published');
    await runSlices(w, service, 0);
    expect(w.store.entitlements.get(`P-ELDER/${LEAP}`)?.state).toBe('GRANTED');
    w.now = '2025-06-03T09:00:00+08:00';
    expect(await service.runTimeIndex()).toMatchObject({ reevaluated: 1 });
    expect(w.store.flipCursor).toBe('2025-06-03T00:45:00.000Z');
  });

  it('files a person re-matched after a profile update, not one already eligible', async () => {
    const { w, service } = world();
    expect(await service.publishPolicy(elderly(), cause('gov.policy.published'))).toBe('published');
    await runSlices(w, service, 0);
    w.persons.set(TURNS_80, person(TURNS_80, { birthDate: undefined }));
    await service.rematchEnterprise(TURNS_80, 'person');
    expect(flipEntries(w).map((e) => e.subjectId)).toEqual([TURNS_80]);
  });

  it('starts the run of a policy published before its validFrom on that day, not before', async () => {
    const { w, service } = world();
    w.persons.set(TURNS_80, person(TURNS_80));
    expect(await service.publishPolicy(elderly({ validFrom: '2025-07-01' }), cause('gov.policy.published'))).toBe('published');
    expect(w.sent.slices).toHaveLength(0);
    expect(flipEntries(w)).toEqual([expect.objectContaining({ policyId: 'P-ELDER', at: '2025-06-30T16:00:00.000Z' })]);
    expect(flipEntries(w)[0]!.subjectId).toBeUndefined();
    // A month without a schedule run: each run catches up at most a week of buckets.
    w.now = '2025-06-30T23:59:00+08:00';
    let started = 0;
    for (let run = 0; run < 5; run++) started += (await service.runTimeIndex()).policiesStarted;
    expect(started).toBe(0);
    expect(w.sent.slices).toHaveLength(0);
    w.now = '2025-07-01T00:05:00+08:00';
    expect(await service.runTimeIndex()).toMatchObject({ policiesStarted: 1 });
    expect(w.sent.slices).toHaveLength(2);
    // CivicFlow starts this run itself (the day came): its slices carry no cause, and its lines name no source.
    expect(w.sent.slices.map((m) => m.data.cause)).toEqual([undefined, undefined]);
    await runSlices(w, service, 0);
    expect(w.store.entitlements.get(`P-ELDER/${TURNS_80}`)?.state).toBe('GRANTED');
    expect(w.store.audit.filter((a) => a.subject === `entitlement:P-ELDER/${TURNS_80}`).map((a) => [a.actor, a.details?.source])).toEqual([['/civicflow/match', undefined]]);
    expect(await service.runTimeIndex()).toMatchObject({ policiesStarted: 0 });
    expect(w.sent.slices).toHaveLength(2);
  });
});
