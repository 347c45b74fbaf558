/**
 * The time index wired into the 免申即享 use cases (docs/decisions/time-index.md) on in-memory ports: a pair
 * that settles ineligible but turns eligible on a birthday is filed for that instant; the schedule reads the
 * buckets after its cursor, queues the due re-evaluations once, and the re-match pushes once; a policy
 * published before its validFrom starts its run on that day.
 */
import { jest } from '@jest/globals';
import { makeIdNumber, maskIdNumber } from '#contract/identifiers';
import { createEntitlementService, type Cause } from '#entitlement/service';
import { TIME_INDEX_TIME_RESERVE_MS } from '#entitlement/service/time';
import { bucketOf, flipShardOf, policyStart, type FlipEntry } from '#entitlement/domain/index';
import type { EntitlementPorts } from '#entitlement/ports';
import type { ItemCounts } from '#platform/time-reserve';
import { captureLogs, type CapturedLogs } from '#support/logs';
import { memoryEntitlementPorts, type MemoryWorld } from '#support/memory/entitlement';
import type { Condition } from '#rules/types';
import { credit, elderly, person } from './fixtures';

const NOW = '2025-06-01T10:00:00+08:00';
const BIRTHDAY = '2025-06-02T00:00:00+08:00'; // 80 on this local date
const TURNS_80 = makeIdNumber('440305', '19450602', '234');
const YOUNG = makeIdNumber('440305', '19900307', '345');
const LEAP = makeIdNumber('440305', '19450229'.replace('0229', '0228'), '456');

// The runs log as functions do: an INFO summary each, an ERROR for an entry that fails. Kept unprinted for
// the whole file, so that its output is only what fails; runLogged's capture sits on top of this one for
// the runs whose lines a test reads.
let quiet: CapturedLogs | undefined;
beforeAll(() => {
  quiet = captureLogs({ keep: (line) => line.startsWith('{"level":') });
});
afterAll(() => quiet?.restore());

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

  // A missing fact does not always keep the criteria from holding: under `any`, a birthday alone makes them
  // hold while the fact is still missing. Such a pair needs information now and is filed all the same.
  it('files a pair that needs information now and that a birthday alone makes eligible, by a slice and by a re-match', async () => {
    const { w, service } = world();
    const NO_LEVEL = makeIdNumber('440305', '19450602', '678');
    w.persons.set(NO_LEVEL, person(NO_LEVEL));
    const either = elderly({
      policyId: 'P-ELDER-ANY',
      criteria: {
        all: [
          { id: 'E-DIST', description: '户籍在南山区', fact: 'person.residenceDistrict', op: 'eq', value: '440305' },
          {
            any: [
              { id: 'E-AGE', description: '年满80周岁', fact: 'person.birthDate', op: 'ageAtLeast', value: 80 },
              { id: 'E-LEVEL', description: '残疾等级为一级', fact: 'person.disabilityLevel', op: 'eq', value: 1 },
            ],
          },
        ],
      },
    });
    expect(await service.publishPolicy(either, cause('gov.policy.published'))).toBe('published');
    await runSlices(w, service, 0);
    expect(w.store.entitlements.get(`P-ELDER-ANY/${NO_LEVEL}`)?.state).toBe('NEEDS_INFO');
    expect(flipEntries(w)).toEqual([expect.objectContaining({ policyId: 'P-ELDER-ANY', subjectId: NO_LEVEL, at: '2025-06-01T16:00:00.000Z' })]);
    // A re-match (a profile update that still leaves the level out) files it too.
    w.store.flips.clear();
    await service.rematchEnterprise(NO_LEVEL, 'person');
    expect(flipEntries(w)).toEqual([expect.objectContaining({ policyId: 'P-ELDER-ANY', subjectId: NO_LEVEL, at: '2025-06-01T16:00:00.000Z' })]);
    // On the birthday, with no event about the person: granted.
    w.now = '2025-06-02T00:10:00+08:00';
    expect(await service.runTimeIndex()).toMatchObject({ reevaluated: 1 });
    await deliverRematches(w, service);
    expect(w.store.entitlements.get(`P-ELDER-ANY/${NO_LEVEL}`)?.state).toBe('GRANTED');
  });

  it('files no pair that needs information for good: a missing fact under `all` keeps it from holding', async () => {
    const { w, service } = world();
    const NO_LEVEL = makeIdNumber('440305', '19450602', '789');
    w.persons.set(NO_LEVEL, person(NO_LEVEL));
    const both = elderly({
      policyId: 'P-ELDER-ALL',
      criteria: { all: [...(elderly().criteria as { all: Condition[] }).all, { id: 'E-LEVEL', description: '残疾等级为一级', fact: 'person.disabilityLevel', op: 'eq', value: 1 }] },
    });
    expect(await service.publishPolicy(both, cause('gov.policy.published'))).toBe('published');
    await runSlices(w, service, 0);
    await service.rematchEnterprise(NO_LEVEL, 'person');
    expect(flipEntries(w)).toEqual([]);
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

  it('stops reading shards when its time runs short, and the next run goes on from there without doing anything twice', async () => {
    const { w, service } = world();
    w.persons.set(TURNS_80, person(TURNS_80));
    expect(await service.publishPolicy(elderly(), cause('gov.policy.published'))).toBe('published');
    await runSlices(w, service, 0);
    const cursor = w.store.flipCursor;
    w.now = '2025-06-02T09:00:00+08:00';
    // Less than the reserve from the start: nothing read, not even the cursor; the cursor and the entry as they were.
    const cursorReads = jest.spyOn(w.store, 'getFlipCursor');
    expect(await service.runTimeIndex({ timeLeftMs: () => TIME_INDEX_TIME_RESERVE_MS - 1 })).toEqual({ buckets: 0, reevaluated: 0, policiesStarted: 0, failed: 0, changed: 0, outOfTime: true });
    expect(cursorReads).not.toHaveBeenCalled();
    cursorReads.mockRestore();
    expect([w.store.flipCursor, flipEntries(w).length, w.sent.rematches.length]).toEqual([cursor, 1, 0]);
    // Time until the birthday's entry is queued, then none: the pass stops at the next shard, short of now.
    const cut = await service.runTimeIndex({ timeLeftMs: () => (w.sent.rematches.length > 0 ? 0 : 60_000) });
    expect(cut).toMatchObject({ reevaluated: 1, failed: 0, outOfTime: true });
    expect(flipEntries(w)).toHaveLength(0);
    expect((w.store.flipCursor ?? '') < '2025-06-02T00:45:00.000Z').toBe(true);
    // The next run, with time: the rest of the buckets up to now, the entry not queued again.
    expect(await service.runTimeIndex({ timeLeftMs: () => 60_000 })).toMatchObject({ reevaluated: 0, outOfTime: false });
    expect(w.store.flipCursor).toBe('2025-06-02T00:45:00.000Z');
    expect(w.sent.rematches).toHaveLength(1);
    await deliverRematches(w, service);
    expect(w.store.entitlements.get(`P-ELDER/${TURNS_80}`)?.state).toBe('GRANTED');
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
    const published = cause('gov.policy.published');
    expect(await service.publishPolicy(elderly({ validFrom: '2025-07-01' }), published)).toBe('published');
    expect(w.sent.slices).toHaveLength(0);
    expect(flipEntries(w)).toEqual([expect.objectContaining({ policyId: 'P-ELDER', at: '2025-06-30T16:00:00.000Z', cause: published })]);
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
    // The run the day started carries the publication its entry kept, as a run started at once would: its
    // slices name the event, and the pair's line names the system that published the policy.
    expect(w.sent.slices.map((m) => m.data.cause)).toEqual([published, published]);
    await runSlices(w, service, 0);
    expect(w.store.entitlements.get(`P-ELDER/${TURNS_80}`)?.state).toBe('GRANTED');
    expect(w.store.audit.filter((a) => a.subject === `entitlement:P-ELDER/${TURNS_80}`).map((a) => [a.actor, a.details?.source])).toEqual([['/civicflow/match', '/systems/test']]);
    expect(await service.runTimeIndex()).toMatchObject({ policiesStarted: 0 });
    expect(w.sent.slices).toHaveLength(2);
  });

  it('starts the run of a policy entry filed before entries kept their publication, naming no source', async () => {
    const { w, service } = world();
    w.persons.set(TURNS_80, person(TURNS_80));
    const later = elderly({ validFrom: '2025-07-01' });
    expect(await service.publishPolicy(later, cause('gov.policy.published'))).toBe('published');
    // The entry as stored before: no `cause`.
    w.store.flips.clear();
    await w.store.putFlips([policyStart(later, w.now, 'Asia/Shanghai')!], bucketOf(Date.parse(NOW)));
    expect(flipEntries(w)[0]).not.toHaveProperty('cause');
    w.now = '2025-07-01T00:05:00+08:00';
    for (let run = 0; run < 5 && w.sent.slices.length === 0; run++) await service.runTimeIndex();
    expect(w.sent.slices.map((m) => m.data.cause)).toEqual([undefined, undefined]);
    await runSlices(w, service, 0);
    expect(w.store.audit.filter((a) => a.subject === `entitlement:P-ELDER/${TURNS_80}`).map((a) => [a.actor, a.details?.source])).toEqual([['/civicflow/match', undefined]]);
  });
});

describe('the time index past a failure', () => {
  // Three turn 80 at the same midnight, one of them the entry that fails; one more a day later.
  const SAME_DAY = [TURNS_80, makeIdNumber('440305', '19450602', '678'), makeIdNumber('440305', '19450602', '789')];
  const POISON = makeIdNumber('440305', '19450602', '891');
  const NEXT_DAY = makeIdNumber('440305', '19450603', '912');

  /** A queue that refuses every message re-matching `refused` (as SQS refuses an entry as the sender's fault). */
  function refusing(w: MemoryWorld, refused: Set<string>): void {
    const queues = w.ports.queues as { -readonly [K in keyof EntitlementPorts['queues']]: EntitlementPorts['queues'][K] };
    queues.sendRematches = async (messages) => {
      const bad = messages.find((m) => refused.has(m.data.creditCode));
      if (bad !== undefined) throw new Error(`Could not send 1 message(s): InvalidParameterValue for ${bad.data.creditCode}`);
      w.sent.rematches.push(...messages);
    };
  }

  /** The run, with what it wrote on stdout and stderr. */
  async function runLogged(service: ReturnType<typeof createEntitlementService>) {
    const logs = captureLogs();
    try {
      return { summary: await service.runTimeIndex(), log: logs.text(), lines: logs.json() };
    } finally {
      logs.restore();
    }
  }

  /**
   * POISON's entry for the birthday filed with no `atMs` (by hand, or by an older writer): an item that does
   * not read as an entry, never due. Returns it, its sort key, and the shard of the birthday's bucket it is in.
   */
  function fileUnreadable(w: MemoryWorld) {
    const birthday = bucketOf(Date.parse(BIRTHDAY));
    const shard = flipShardOf(POISON);
    const sk = `2025-06-01T16:00:00.000Z#P-ELDER#${POISON}`;
    const malformed = { policyId: 'P-ELDER', policyVersion: 1, subjectId: POISON, at: '2025-06-01T16:00:00.000Z', bucket: birthday, shard };
    if (!w.store.flips.has(`${birthday}#${shard}`)) w.store.flips.set(`${birthday}#${shard}`, new Map());
    const part = w.store.flips.get(`${birthday}#${shard}`)!;
    part.set(sk, malformed as unknown as FlipEntry);
    return { birthday, shard, sk, malformed, part };
  }

  it('goes on past an entry that fails every run, moves the cursor on, and handles it once it can', async () => {
    const { w, service } = world();
    for (const id of [...SAME_DAY, POISON, NEXT_DAY]) w.persons.set(id, person(id));
    expect(await service.publishPolicy(elderly(), cause('gov.policy.published'))).toBe('published');
    await runSlices(w, service, 0);
    const birthday = bucketOf(Date.parse(BIRTHDAY));
    expect(flipEntries(w).filter((e) => e.bucket === birthday).map((e) => e.subjectId).sort()).toEqual([...SAME_DAY, POISON].sort());
    const refused = new Set([POISON]);
    refusing(w, refused);

    // The birthday's bucket has closed: its other entries are handled, the one refused is filed again for
    // the next run, and the cursor moves past the bucket.
    w.now = '2025-06-02T00:20:00+08:00';
    const first = await runLogged(service);
    expect(first.summary).toMatchObject({ reevaluated: 3, failed: 1 });
    expect(w.sent.rematches.map((m) => m.data.creditCode).sort()).toEqual([...SAME_DAY].sort());
    expect(w.store.flipCursor).toBe(birthday);
    expect(flipEntries(w).filter((e) => e.subjectId === POISON)).toEqual([
      expect.objectContaining({ at: '2025-06-01T16:00:00.000Z', bucket: '2025-06-01T16:30:00.000Z' }),
    ]);
    // Logged at ERROR with its keys, the ID number masked (in the keys and in the error's text).
    expect(first.log).toContain('time index: entry failed');
    expect(first.log).toContain(maskIdNumber(POISON));
    expect(first.log).not.toContain(POISON);
    await deliverRematches(w, service);

    // A day later it fails again; the entry due then is handled, and the cursor moves on again.
    w.now = '2025-06-03T00:20:00+08:00';
    const second = await runLogged(service);
    expect(second.summary).toMatchObject({ reevaluated: 1, failed: 1 });
    expect(w.sent.rematches.map((m) => m.data.creditCode)).toEqual([NEXT_DAY]);
    expect(w.store.flipCursor).toBe('2025-06-02T16:00:00.000Z');
    expect(flipEntries(w).map((e) => [e.subjectId, e.bucket])).toEqual([[POISON, '2025-06-02T16:30:00.000Z']]);
    await deliverRematches(w, service);

    // Once it can be sent, the next run handles it: re-evaluated, granted, its entry gone.
    refused.clear();
    w.now = '2025-06-03T00:35:00+08:00';
    expect(await service.runTimeIndex()).toMatchObject({ reevaluated: 1, failed: 0 });
    expect(flipEntries(w)).toEqual([]);
    await deliverRematches(w, service);
    for (const id of [...SAME_DAY, POISON, NEXT_DAY]) expect(w.store.entitlements.get(`P-ELDER/${id}`)?.state).toBe('GRANTED');
    expect(await service.runTimeIndex()).toMatchObject({ reevaluated: 0, failed: 0 });
  });

  it('sets aside a stored item that does not read as an entry, and the cursor and the entries after it go on', async () => {
    const { w, service } = world();
    for (const id of [...SAME_DAY, NEXT_DAY]) w.persons.set(id, person(id));
    expect(await service.publishPolicy(elderly(), cause('gov.policy.published'))).toBe('published');
    await runSlices(w, service, 0);
    // An item with no `atMs` among the birthday's entries: never due.
    const { birthday, shard, sk, malformed } = fileUnreadable(w);

    w.now = '2025-06-02T00:20:00+08:00';
    const first = await runLogged(service);
    expect(first.summary).toMatchObject({ reevaluated: 3, failed: 1 });
    expect(w.sent.rematches.map((m) => m.data.creditCode).sort()).toEqual([...SAME_DAY].sort());
    expect(w.store.flipCursor).toBe(birthday);
    // Out of the index, whole, under the key the operations doc names; logged at ERROR, the ID masked.
    const pk = `FLIP#${birthday}#${String(shard).padStart(2, '0')}`;
    expect(w.store.unreadableFlips.get(`${pk}#${sk}`)).toEqual({
      item: { pk, sk, ...malformed },
      problem: 'atMs is missing or not a whole number',
      setAsideAt: '2025-06-02T00:20:00+08:00',
    });
    expect(flipEntries(w).map((e) => e.subjectId)).toEqual([NEXT_DAY]);
    expect(first.log).toContain('time index: stored entry does not read');
    expect(first.log).toContain(maskIdNumber(POISON));
    expect(first.log).not.toContain(POISON);
    // One line for the item, at ERROR.
    expect(first.lines.filter((l) => JSON.stringify(l).includes(maskIdNumber(POISON)))).toEqual([
      expect.objectContaining({ level: 'ERROR', message: 'time index: stored entry does not read; set aside under FLIP-UNREADABLE' }),
    ]);
    await deliverRematches(w, service);

    // The next day's entry is handled and the cursor moves on; the item set aside counts no more.
    w.now = '2025-06-03T00:20:00+08:00';
    expect(await service.runTimeIndex()).toMatchObject({ reevaluated: 1, failed: 0 });
    expect(w.sent.rematches.map((m) => m.data.creditCode)).toEqual([NEXT_DAY]);
    expect(w.store.flipCursor).toBe('2025-06-02T16:00:00.000Z');
    expect(flipEntries(w)).toEqual([]);
  });

  // The item was counted in `failed` only once setAsideFlips returned: a store failure there ended the pass
  // with the item counted nowhere and logged by no line of its own.
  it('counts an item that does not read, and logs it once, even when setting it aside fails', async () => {
    const { w, service } = world();
    for (const id of SAME_DAY) w.persons.set(id, person(id));
    expect(await service.publishPolicy(elderly(), cause('gov.policy.published'))).toBe('published');
    await runSlices(w, service, 0);
    const { sk, malformed, part } = fileUnreadable(w);
    w.store.setAsideFlips = async () => {
      throw new Error('table unreachable');
    };
    w.now = '2025-06-02T00:20:00+08:00';
    const written: ItemCounts[] = [];
    const logs = captureLogs();
    let lines: unknown[];
    try {
      await expect(service.runTimeIndex({ counted: (counts) => written.push({ ...counts }) })).rejects.toThrow('table unreachable');
      lines = logs.json();
    } finally {
      logs.restore();
    }
    expect(written).toEqual([{ failed: 1, deferred: 0 }]);
    // One line for the item, at ERROR, its ID masked; the item is where it was, for the next run.
    expect(lines.filter((l) => JSON.stringify(l).includes(maskIdNumber(POISON)))).toEqual([
      expect.objectContaining({ level: 'ERROR', message: 'time index: stored entry does not read; setting it aside failed, read again next run' }),
    ]);
    expect(JSON.stringify(lines)).not.toContain(POISON);
    expect(part.get(sk)).toBe(malformed);
    expect(w.store.unreadableFlips.size).toBe(0);
  });

  it('leaves an item that does not read where it is when an entry replaced it before the move, and handles that entry next run', async () => {
    const { w, service } = world();
    for (const id of [...SAME_DAY, POISON]) w.persons.set(id, person(id));
    expect(await service.publishPolicy(elderly(), cause('gov.policy.published'))).toBe('published');
    await runSlices(w, service, 0);
    const { birthday, sk, malformed, part } = fileUnreadable(w);
    // Between the schedule's read of that shard and the move, the writer files the same pair again, whole.
    const filed: FlipEntry = { ...malformed, atMs: Date.parse(malformed.at) };
    const query = w.store.queryFlips.bind(w.store);
    w.store.queryFlips = async (bucket, n) => {
      const read = await query(bucket, n);
      if (read.unreadable.some((u) => u.sk === sk)) part.set(sk, filed);
      return read;
    };

    w.now = '2025-06-02T00:20:00+08:00';
    const first = await runLogged(service);
    expect(first.summary).toMatchObject({ reevaluated: 3, failed: 0, changed: 1 });
    // The entry is not lost under a copy of the old item, and the cursor stops before its bucket.
    expect(part.get(sk)).toEqual(filed);
    expect(w.store.unreadableFlips.size).toBe(0);
    expect(w.store.flipCursor).toBe(new Date(Date.parse(birthday) - 15 * 60_000).toISOString());
    expect(first.log).toContain('time index: stored entry changed since it was read');
    expect(first.log).toContain(maskIdNumber(POISON));
    expect(first.log).not.toContain(POISON);
    // One line for the item, at WARN: no ERROR saying it was set aside, as it was not.
    expect(first.lines.filter((l) => JSON.stringify(l).includes(maskIdNumber(POISON)))).toEqual([
      expect.objectContaining({ level: 'WARN', message: 'time index: stored entry changed since it was read; not set aside, read again next run' }),
    ]);
    await deliverRematches(w, service);

    // The next run reads the bucket again: the entry is due, re-evaluated once, and the cursor moves on.
    expect(await service.runTimeIndex()).toMatchObject({ reevaluated: 1, failed: 0, changed: 0 });
    expect(w.sent.rematches.map((m) => m.data.creditCode)).toEqual([POISON]);
    expect(w.store.flipCursor).toBe(birthday);
    expect(flipEntries(w)).toEqual([]);
  });

  it('goes on past a policy entry whose policy cannot be read, and starts its run once it reads', async () => {
    const { w, service } = world();
    w.persons.set(TURNS_80, person(TURNS_80));
    expect(await service.publishPolicy(elderly({ validFrom: '2025-07-01' }), cause('gov.policy.published'))).toBe('published');
    expect(await service.publishPolicy(elderly({ policyId: 'P-ELDER-B', validFrom: '2025-07-01' }), cause('gov.policy.published'))).toBe('published');
    const getPolicy = w.store.getPolicy.bind(w.store);
    let unreadable = true;
    w.store.getPolicy = async (id) => {
      if (unreadable && id === 'P-ELDER') throw new Error('policy P-ELDER: stored item does not parse');
      return getPolicy(id);
    };
    w.now = '2025-07-01T00:20:00+08:00';
    for (let run = 0; run < 5 && w.sent.slices.length === 0; run++) await service.runTimeIndex();
    expect(w.sent.slices.map((m) => m.data.policyId)).toEqual(['P-ELDER-B', 'P-ELDER-B']);
    expect(w.store.flipCursor).toBe('2025-06-30T16:00:00.000Z');
    expect(flipEntries(w)).toEqual([expect.objectContaining({ policyId: 'P-ELDER', bucket: '2025-06-30T16:30:00.000Z' })]);
    unreadable = false;
    w.now = '2025-07-01T00:35:00+08:00';
    expect(await service.runTimeIndex()).toMatchObject({ policiesStarted: 1, failed: 0 });
    expect(w.sent.slices.map((m) => m.data.policyId)).toEqual(['P-ELDER-B', 'P-ELDER-B', 'P-ELDER', 'P-ELDER']);
    expect(flipEntries(w)).toEqual([]);
  });

  it('files one instant once, whatever notation its at is written in', async () => {
    const { w } = world();
    const utc: FlipEntry = {
      policyId: 'P-ELDER', policyVersion: 1, subjectId: TURNS_80, at: '2025-06-01T16:00:00.000Z', atMs: Date.parse(BIRTHDAY), bucket: bucketOf(Date.parse(BIRTHDAY)), shard: flipShardOf(TURNS_80),
    };
    // The same instant, `2025-06-02T00:00:00+08:00` and `2025-06-01T16:00:00Z`: one entry, in the UTC notation.
    await w.store.putFlips([{ ...utc, at: BIRTHDAY }], NOW);
    await w.store.putFlips([{ ...utc, at: '2025-06-01T16:00:00Z' }], NOW);
    expect(flipEntries(w)).toEqual([{ ...utc, writeId: expect.any(String) }]);
    expect([...w.store.flips.get(`${utc.bucket}#${utc.shard}`)!.keys()]).toEqual([`${utc.at}#P-ELDER#${TURNS_80}`]);
  });

  it('re-evaluates once a pair stored at one instant in two notations, and deletes both', async () => {
    const { w, service } = world();
    w.persons.set(TURNS_80, person(TURNS_80));
    expect(await service.publishPolicy(elderly(), cause('gov.policy.published'))).toBe('published');
    await runSlices(w, service, 0);
    const [filed] = flipEntries(w);
    expect(filed).toMatchObject({ subjectId: TURNS_80, at: '2025-06-01T16:00:00.000Z' });
    // Beside it, the same pair and instant as stored before filing wrote one notation (or by hand): `+08:00`.
    const offset = { ...filed!, at: BIRTHDAY };
    w.store.flips.get(`${filed!.bucket}#${filed!.shard}`)!.set(`${BIRTHDAY}#P-ELDER#${TURNS_80}`, offset);

    w.now = '2025-06-02T00:20:00+08:00';
    expect(await service.runTimeIndex()).toMatchObject({ reevaluated: 1, failed: 0, changed: 0 });
    // One re-match, named by the instant in its one notation, and both items gone.
    expect(w.sent.rematches.map((m) => m.id)).toEqual([expect.stringContaining(`:flip:2025-06-01T16:00:00.000Z:P-ELDER`)]);
    expect(w.sent.metrics.filter((m) => m.metric === 'TimeIndexReevaluations').reduce((n, m) => n + m.value, 0)).toBe(1);
    expect(flipEntries(w)).toEqual([]);
    expect(w.store.flipCursor).toBe(bucketOf(Date.parse(BIRTHDAY)));
    await deliverRematches(w, service, true);
    expect(w.store.entitlements.get(`P-ELDER/${TURNS_80}`)?.state).toBe('GRANTED');
    expect(new Set(w.sent.notifications.map((m) => m.id)).size).toBe(1);
  });

  it('re-evaluates once an entry handled twice (a run that crashed before its delete)', async () => {
    const { w, service } = world();
    w.persons.set(TURNS_80, person(TURNS_80));
    expect(await service.publishPolicy(elderly(), cause('gov.policy.published'))).toBe('published');
    await runSlices(w, service, 0);
    // The first run queues the re-match and crashes before deleting its entry; the next run sends it again.
    const deleteFlips = w.store.deleteFlips.bind(w.store);
    w.store.deleteFlips = async () => {
      throw new Error('crashed before the delete');
    };
    w.now = '2025-06-02T00:20:00+08:00';
    await expect(service.runTimeIndex()).rejects.toThrow('crashed before the delete');
    expect(w.store.flipCursor).not.toBe(bucketOf(Date.parse(BIRTHDAY)));
    w.store.deleteFlips = deleteFlips;
    expect(await service.runTimeIndex()).toMatchObject({ reevaluated: 1, failed: 0 });
    const [a, b] = w.sent.rematches;
    expect(b?.id).toBe(a?.id);
    // Both delivered, each twice: one grant, one audit line of it, one notification.
    await deliverRematches(w, service, true);
    expect(w.store.entitlements.get(`P-ELDER/${TURNS_80}`)?.state).toBe('GRANTED');
    expect(w.store.audit.filter((a) => a.subject === `entitlement:P-ELDER/${TURNS_80}`)).toHaveLength(1);
    expect(new Set(w.sent.notifications.map((m) => m.id)).size).toBe(1);
    expect(flipEntries(w)).toEqual([]);
  });

  it('never moves the cursor past an entry it could not file again', async () => {
    const { w, service } = world();
    for (const id of [TURNS_80, POISON]) w.persons.set(id, person(id));
    expect(await service.publishPolicy(elderly(), cause('gov.policy.published'))).toBe('published');
    await runSlices(w, service, 0);
    refusing(w, new Set([POISON]));
    const putFlips = w.store.putFlips.bind(w.store);
    w.store.putFlips = async () => {
      throw new Error('store unavailable');
    };
    w.now = '2025-06-02T00:20:00+08:00';
    await expect(service.runTimeIndex()).rejects.toThrow('store unavailable');
    expect(w.store.flipCursor! < bucketOf(Date.parse(BIRTHDAY))).toBe(true);
    expect(flipEntries(w).map((e) => e.subjectId)).toContain(POISON);
    w.store.putFlips = putFlips;
    expect(await service.runTimeIndex()).toMatchObject({ failed: 1 });
    expect(w.store.flipCursor).toBe(bucketOf(Date.parse(BIRTHDAY)));
    expect(flipEntries(w)).toEqual([expect.objectContaining({ subjectId: POISON, bucket: '2025-06-01T16:30:00.000Z' })]);
  });

  // The schedule's ItemsFailed came from the pass's summary: a pass that the store failed after an entry had
  // failed (logged at ERROR) returned none, and the entry was counted nowhere. It now gives its counts as it
  // ends (`counted`), however it ends; the entry is left for the next run, as ever.
  it('counts the entries that failed before a failure of the store ended the pass', async () => {
    const where = ['their filing again', 'their delete', 'the next shard\'s read'] as const;
    const written: Record<string, ItemCounts[]> = {};
    for (const fails of where) {
      const { w, service } = world();
      for (const id of [TURNS_80, POISON]) w.persons.set(id, person(id));
      expect(await service.publishPolicy(elderly(), cause('gov.policy.published'))).toBe('published');
      await runSlices(w, service, 0);
      refusing(w, new Set([POISON]));
      let poisonRead = false;
      const { putFlips, deleteFlips, queryFlips } = { putFlips: w.store.putFlips.bind(w.store), deleteFlips: w.store.deleteFlips.bind(w.store), queryFlips: w.store.queryFlips.bind(w.store) };
      w.store.putFlips = async (entries, cursor) => {
        if (fails === 'their filing again') throw new Error('table unreachable');
        return putFlips(entries, cursor);
      };
      w.store.deleteFlips = async (entries) => {
        if (fails === 'their delete' && entries.some((e) => e.subjectId === POISON)) throw new Error('table unreachable');
        return deleteFlips(entries);
      };
      w.store.queryFlips = async (bucket, shard) => {
        if (fails === 'the next shard\'s read' && poisonRead) throw new Error('table unreachable');
        const read = await queryFlips(bucket, shard);
        poisonRead ||= read.entries.some((e) => e.subjectId === POISON);
        return read;
      };
      w.now = '2025-06-02T00:20:00+08:00';
      written[fails] = [];
      await expect(service.runTimeIndex({ counted: (counts) => written[fails]!.push({ ...counts }) })).rejects.toThrow('table unreachable');
      expect(flipEntries(w).map((e) => e.subjectId)).toContain(POISON);
    }
    // Once each, the entry refused (TURNS_80's went out); no shard left unread for the time.
    expect(written).toEqual(Object.fromEntries(where.map((fails) => [fails, [{ failed: 1, deferred: 0 }]])));
  });

  it('counts a pass that stopped for its time as one deferred, and nothing when it had none', async () => {
    const { w, service } = world();
    w.now = '2025-06-02T09:00:00+08:00';
    const written: ItemCounts[] = [];
    await service.runTimeIndex({ timeLeftMs: () => TIME_INDEX_TIME_RESERVE_MS - 1, counted: (counts) => written.push({ ...counts }) });
    await service.runTimeIndex({ timeLeftMs: () => 60_000, counted: (counts) => written.push({ ...counts }) });
    expect(written).toEqual([
      { failed: 0, deferred: 1 },
      { failed: 0, deferred: 0 },
    ]);
  });
});
