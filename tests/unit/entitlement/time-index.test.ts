/**
 * The time index in the pure domain: when time alone turns a pair eligible (an 80th birthday, a 29 February
 * birthday in a common year, a date leaf under `not`), within the policy's validity; a policy that starts
 * later; the buckets a schedule run reads, and when a bucket may be marked finished.
 */
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { compileCondition, type Condition } from '#rules';
import {
  bucketOf,
  dueBuckets,
  FLIP_SHARDS,
  flipInstant,
  flipShardOf,
  inOneNotation,
  isBucketClosed,
  isDue,
  MAX_BUCKETS_PER_RUN,
  oncePerInstant,
  pairFlip,
  policyStart,
  readFlipEntry,
  retryEntry,
  type FlipEntry,
} from '#entitlement/domain/index';
import { policy } from './fixtures';

const ZONE = 'Asia/Shanghai';
const aged80: Condition = { id: 'P-AGE', description: '年满80周岁', fact: 'person.birthDate', op: 'ageAtLeast', value: 80 };
const elderly = policy({ policyId: 'P-GAOLING', criteria: aged80, validFrom: '2026-01-01', validTo: '2027-12-31' });
const compiled = compileCondition(aged80, { timeZone: ZONE });
const NOW = '2026-12-02T06:00:00.000Z'; // 14:00 in Shanghai

describe('pairFlip: when time alone makes the criteria hold', () => {
  it('files a 79-year-old under the local midnight that starts the 80th birthday', () => {
    const entry = pairFlip(elderly, compiled, '110101194612150018', { person: { birthDate: '1946-12-15' } }, NOW, ZONE);
    // 00:00 on 15 December in Shanghai is 16:00Z the day before.
    expect(entry).toEqual({
      policyId: 'P-GAOLING',
      policyVersion: 1,
      subjectId: '110101194612150018',
      at: '2026-12-14T16:00:00.000Z',
      atMs: Date.parse('2026-12-14T16:00:00.000Z'),
      bucket: '2026-12-14T16:00:00.000Z',
      shard: flipShardOf('110101194612150018'),
    });
  });

  it('reaches a 29 February birthday on 28 February in a common year', () => {
    // 65 is not a multiple of 4, so someone born on 29 February turns 65 in a common year.
    const aged65: Condition = { ...aged80, value: 65 };
    const p = policy({ policyId: 'P-65', criteria: aged65, validFrom: '2026-01-01', validTo: '2030-12-31' });
    const entry = pairFlip(p, compileCondition(aged65, { timeZone: ZONE }), 'S-LEAP', { person: { birthDate: '1964-02-29' } }, NOW, ZONE);
    expect(entry?.at).toBe('2029-02-27T16:00:00.000Z');
  });

  it('files nothing when the criteria already hold, when time never makes them hold, or after validTo', () => {
    expect(pairFlip(elderly, compiled, 'S-OLD', { person: { birthDate: '1930-05-01' } }, NOW, ZONE)).toBeNull();
    expect(pairFlip(elderly, compiled, 'S-NONE', { person: {} }, NOW, ZONE)).toBeNull();
    // Turns 80 in 2028, after the policy ends.
    expect(pairFlip(elderly, compiled, 'S-LATE', { person: { birthDate: '1948-03-01' } }, NOW, ZONE)).toBeNull();
  });

  it('files nothing for criteria that do not read now', () => {
    const p = policy();
    expect(pairFlip(p, compileCondition(p.criteria), 'S-1', { enterprise: { size: 'large' } }, '2025-06-01T00:00:00Z', ZONE)).toBeNull();
  });

  it('follows a date leaf under `not`: eligible once a sanction has ended', () => {
    // all[ not(sanctionEnds after now) ]: while the sanction runs the pair is not eligible.
    const criteria: Condition = { all: [{ not: { id: 'P-SANCTION', description: '处罚期未满', fact: 'enterprise.sanctionEnds', op: 'after', value: 'now' } }] };
    const p = policy({ criteria, validFrom: '2026-01-01', validTo: '2027-12-31' });
    const entry = pairFlip(p, compileCondition(criteria, { timeZone: ZONE }), 'S-SANCTION', { enterprise: { sanctionEnds: '2026-12-20' } }, NOW, ZONE);
    // The end date is not after today from the 20th on: the pair holds from the start of the 20th in Shanghai.
    expect(entry?.at).toBe('2026-12-19T16:00:00.000Z');
  });

  it('leaves a policy that has not started to its policy entry', () => {
    const later = policy({ policyId: 'P-LATER', criteria: aged80, validFrom: '2027-01-01', validTo: '2027-12-31' });
    expect(pairFlip(later, compiled, 'S-1', { person: { birthDate: '1946-12-15' } }, NOW, ZONE)).toBeNull();
    expect(policyStart(later, NOW, ZONE)).toMatchObject({ policyId: 'P-LATER', at: '2026-12-31T16:00:00.000Z', bucket: '2026-12-31T16:00:00.000Z' });
    expect(policyStart(elderly, NOW, ZONE)).toBeNull();
  });

  it('keeps the publication on a policy entry, its three fields only, and none when there is none', () => {
    const later = policy({ policyId: 'P-LATER', criteria: aged80, validFrom: '2027-01-01', validTo: '2027-12-31' });
    const publication = { source: '/systems/policy', id: 'evt-9', type: 'gov.policy.published', data: { policyId: 'P-LATER' } };
    expect(policyStart(later, NOW, ZONE, publication)?.cause).toEqual({ source: '/systems/policy', id: 'evt-9', type: 'gov.policy.published' });
    expect(policyStart(later, NOW, ZONE)).not.toHaveProperty('cause');
  });
});

describe('buckets', () => {
  it('files an instant under the start of its 15-minute bucket, and spreads subjects over the shards', () => {
    expect(bucketOf(Date.parse('2026-12-14T16:14:59.999Z'))).toBe('2026-12-14T16:00:00.000Z');
    expect(bucketOf(Date.parse('2026-12-14T16:15:00.000Z'))).toBe('2026-12-14T16:15:00.000Z');
    const counts = new Array(FLIP_SHARDS).fill(0);
    for (let i = 0; i < 16_000; i++) counts[flipShardOf(`11010119${String(40_000_000 + i * 37)}`)]++;
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1200);
  });

  it('reads every bucket after the last finished one up to now, and a first run reads the previous and current', () => {
    expect(dueBuckets('2026-12-14T15:30:00.000Z', '2026-12-14T16:05:00.000Z')).toEqual(['2026-12-14T15:45:00.000Z', '2026-12-14T16:00:00.000Z']);
    expect(dueBuckets(undefined, '2026-12-14T16:05:00.000Z')).toEqual(['2026-12-14T15:45:00.000Z', '2026-12-14T16:00:00.000Z']);
    expect(dueBuckets('2026-12-14T16:00:00.000Z', '2026-12-14T16:05:00.000Z')).toEqual([]);
    expect(dueBuckets('2026-01-01T00:00:00.000Z', '2026-12-14T16:05:00.000Z')).toHaveLength(MAX_BUCKETS_PER_RUN);
  });

  it('marks a bucket finished only once its whole span has passed, and an entry due only at its instant', () => {
    expect(isBucketClosed('2026-12-14T16:00:00.000Z', '2026-12-14T16:14:59.999Z')).toBe(false);
    expect(isBucketClosed('2026-12-14T16:00:00.000Z', '2026-12-14T16:15:00.000Z')).toBe(true);
    expect(isDue({ atMs: Date.parse('2026-12-14T16:10:00.000Z') }, '2026-12-14T16:05:00.000Z')).toBe(false);
    expect(isDue({ atMs: Date.parse('2026-12-14T16:10:00.000Z') }, '2026-12-14T16:10:00.000Z')).toBe(true);
  });
});

describe('retryEntry: a failed entry filed again', () => {
  it('goes under the bucket after the current one, keeping its instant (and so its event id) and shard', () => {
    const entry = pairFlip(elderly, compiled, '110101194612150018', { person: { birthDate: '1946-12-15' } }, NOW, ZONE)!;
    const now = '2026-12-14T16:20:00.000Z';
    const again = retryEntry(entry, now);
    expect(again).toEqual({ ...entry, bucket: '2026-12-14T16:30:00.000Z' });
    expect(isDue(again, now)).toBe(true);
    // Not among the buckets this run reads, and among the next run's.
    expect(dueBuckets('2026-12-14T15:45:00.000Z', now)).not.toContain(again.bucket);
    expect(dueBuckets('2026-12-14T16:00:00.000Z', '2026-12-14T16:35:00.000Z')).toContain(again.bucket);
  });
});

describe('one instant, one entry', () => {
  /** A pair entry of `subjectId`, or with null a policy entry. */
  const entry = (at: string, policyVersion = 1, subjectId: string | null = 'S1'): FlipEntry => {
    const atMs = Date.parse(at);
    return { policyId: 'P1', policyVersion, ...(subjectId === null ? {} : { subjectId }), at, atMs, bucket: bucketOf(atMs), shard: 0 };
  };

  it('files an entry with its at in one notation: UTC with milliseconds, read from atMs', () => {
    expect(inOneNotation(entry('2027-01-01T00:00:00+08:00'))).toEqual(entry('2026-12-31T16:00:00.000Z'));
    expect(inOneNotation(entry('2026-12-31T16:00:00Z'))).toEqual(entry('2026-12-31T16:00:00.000Z'));
    const utc = entry('2026-12-31T16:00:00.000Z');
    expect(inOneNotation(utc)).toBe(utc);
    expect(flipInstant(entry('2027-01-01T00:00:00+08:00'))).toBe('2026-12-31T16:00:00.000Z');
  });

  it('takes due entries once per instant, policy and subject, the highest version of each, in their order', () => {
    const a = entry('2027-01-01T00:00:00+08:00');
    const b = entry('2026-12-31T16:00:00.000Z');
    const other = entry('2026-12-31T16:00:00.000Z', 1, 'S2');
    const later = entry('2026-12-31T16:05:00.000Z');
    expect(oncePerInstant([a, other, b, later])).toEqual([a, other, later]);
    // A policy entry filed for two versions in two notations: the current one's start is the one kept.
    const v1 = entry('2027-01-01T00:00:00+08:00', 1, null);
    const v2 = entry('2026-12-31T16:00:00.000Z', 2, null);
    expect(oncePerInstant([v1, v2])).toEqual([v2]);
    expect(oncePerInstant([])).toEqual([]);
  });
});

describe('readFlipEntry: a stored item read back', () => {
  const entry = pairFlip(elderly, compiled, '110101194612150018', { person: { birthDate: '1946-12-15' } }, NOW, ZONE)!;
  const cause = { source: '/systems/policy', id: 'evt-1', type: 'gov.policy.published' };
  const started = policyStart(policy({ policyId: 'P-LATER', criteria: aged80, validFrom: '2027-01-01', validTo: '2027-12-31' }), NOW, ZONE, cause)!;
  const read = (item: Record<string, unknown>) => readFlipEntry(item, item.bucket as string, item.shard as number);

  it('is the entry that was filed, a pair or a policy entry (its cause kept), with no other attribute', () => {
    expect(read({ ...entry })).toEqual({ ok: true, entry });
    expect(read({ ...started })).toEqual({ ok: true, entry: started });
    expect(read({ pk: 'FLIP#x', sk: 'y', ...entry })).toEqual({ ok: true, entry });
  });

  it('names the field an item lacks or has of the wrong type, never its value', () => {
    const { atMs: _atMs, ...noAtMs } = entry;
    expect(read(noAtMs)).toEqual({ ok: false, problem: 'atMs is missing or not a whole number' });
    expect(read({ ...entry, atMs: String(entry.atMs) })).toEqual({ ok: false, problem: 'atMs is missing or not a whole number' });
    expect(read({ ...entry, policyId: undefined })).toEqual({ ok: false, problem: 'policyId is missing or not text' });
    expect(read({ ...entry, policyVersion: '1' })).toEqual({ ok: false, problem: 'policyVersion is not a positive integer' });
    expect(read({ ...entry, subjectId: 42 })).toEqual({ ok: false, problem: 'subjectId is not text' });
    expect(read({ ...entry, at: 'soon' })).toEqual({ ok: false, problem: 'at is missing or not an instant' });
    expect(read({ ...started, cause: 'gov.policy.published' })).toEqual({ ok: false, problem: 'cause is not an event reference' });
    expect(JSON.stringify(read({ ...entry, atMs: null }))).not.toContain('110101194612150018');
  });

  it('takes a number only where it is exact: a whole number of milliseconds, within 2^53', () => {
    // A fraction of a millisecond, or far in the past: before, any finite number passed, and such an entry
    // was due at once whatever its `at` said.
    expect(read({ ...entry, atMs: entry.atMs + 0.5 })).toEqual({ ok: false, problem: 'atMs is missing or not a whole number' });
    expect(read({ ...entry, atMs: -1e300 })).toEqual({ ok: false, problem: 'atMs is missing or not a whole number' });
    // A stored number no JavaScript number holds, as the store passes it on: never a number.
    expect(read({ ...entry, atMs: BigInt(entry.atMs) })).toEqual({ ok: false, problem: 'atMs is missing or not a whole number' });
    expect(read({ ...entry, atMs: NumberValue.from('12345678901234567890.5') })).toEqual({ ok: false, problem: 'atMs is missing or not a whole number' });
    expect(read({ ...entry, policyVersion: NumberValue.from('1') })).toEqual({ ok: false, problem: 'policyVersion is not a positive integer' });
    expect(readFlipEntry({ ...entry, shard: NumberValue.from(String(entry.shard)) }, entry.bucket, entry.shard)).toMatchObject({ ok: false, problem: expect.stringContaining('shard') });
  });

  it('refuses an entry outside the partition it was read from, or due after its bucket (never due while it is read)', () => {
    expect(readFlipEntry({ ...entry }, '2026-12-14T16:15:00.000Z', entry.shard)).toMatchObject({ ok: false, problem: expect.stringContaining('bucket') });
    expect(readFlipEntry({ ...entry }, entry.bucket, entry.shard + 1)).toMatchObject({ ok: false, problem: expect.stringContaining('shard') });
    expect(read({ ...entry, atMs: Date.parse(entry.bucket) + 15 * 60_000 })).toEqual({ ok: false, problem: 'atMs is after its bucket' });
    // Filed again later (retryEntry): its instant before its new bucket, so it reads.
    const again = retryEntry(entry, '2026-12-15T16:20:00.000Z');
    expect(read({ ...again })).toEqual({ ok: true, entry: again });
  });

  it('refuses an entry whose atMs is not the instant its at names (filed by one, due by the other)', () => {
    // Both within its bucket, a minute apart: the sort key says 16:00, due-ness would say 16:01.
    expect(read({ ...entry, atMs: entry.atMs + 60_000 })).toEqual({ ok: false, problem: 'atMs is not the instant at names' });
    expect(read({ ...entry, at: '2026-12-14T16:01:00.000Z' })).toEqual({ ok: false, problem: 'atMs is not the instant at names' });
  });

  it('reads an entry whose at names its atMs with an offset: it is read with its shard and comes due at that instant', () => {
    // Its sort key (2026-12-15T00:00…) sorts after every UTC key of its bucket (2026-12-14T16:…); but a shard
    // is read whole (no range on the sort key), due-ness is `atMs`, and it is deleted by its own key: only the
    // order it is sent in moves.
    const at = '2026-12-15T00:00:00+08:00';
    expect(Date.parse(at)).toBe(entry.atMs);
    expect(read({ ...entry, at })).toEqual({ ok: true, entry: { ...entry, at } });
    expect(isDue({ atMs: entry.atMs }, '2026-12-14T15:59:59.999Z')).toBe(false);
    expect(isDue({ atMs: entry.atMs }, entry.at)).toBe(true);
  });
});
