/**
 * The time index: when time alone will turn a (policy, subject) pair eligible. Criteria that read `now`
 * (ages, dates before or after now) and a policy's own start (`validFrom`) change results with no event
 * arriving; someone who turns 80 must receive 高龄津贴 on the birthday with no profile update anywhere.
 *
 * For each pair the criteria hold false (or unknown) now, the next instant at which they would hold is
 * computed from the condition itself (`nextFlip`, the rules library's oracle) and filed under a time bucket.
 * A schedule reads the buckets that have come due and re-evaluates their pairs; a pair then files its next
 * flip, if any. A whole policy that starts later is filed once, as a policy entry, and its run is started
 * then. The design and its costs: docs/decisions/time-index.md. Pure: the instant and zone are passed in.
 */
import { eventRef, type EventRef } from '#platform/inbound';
import { nextFlip } from '#rules';
import type { CompiledCondition, Facts } from '#rules';
import { policyWindowMs } from './policy';
import type { Instant, Policy } from './types';
import { shardOfKey } from '#util/shard';

/** Width of a bucket: the schedule runs every 15 minutes, so one run reads about one bucket. */
export const FLIP_BUCKET_MINUTES = 15;
const BUCKET_MS = FLIP_BUCKET_MINUTES * 60_000;
/** Partitions per bucket, so a birthday midnight of a whole district does not make one hot partition. */
export const FLIP_SHARDS = 16;
/** A schedule that was down catches up at most this many buckets (a week) per run, oldest first. */
export const MAX_BUCKETS_PER_RUN = 7 * 24 * (60 / FLIP_BUCKET_MINUTES);

/** A pair (or, with no subject, a whole policy) to evaluate again at `at`. */
export interface FlipEntry {
  readonly policyId: string;
  readonly policyVersion: number;
  /** Absent for a policy entry: the policy's run starts at `at` (its `validFrom`). */
  readonly subjectId?: string;
  /** ISO 8601 UTC: the first instant the criteria hold. */
  readonly at: Instant;
  readonly atMs: number;
  /** The bucket's first millisecond, as ISO 8601 UTC: the partition the entry is filed under. */
  readonly bucket: string;
  readonly shard: number;
  /**
   * A policy entry's publication (the event that asked for the run, as its first slices would carry it),
   * so the run started that day names the same source. Absent on a pair entry, and on a policy entry filed
   * before entries kept it: that run names none.
   */
  readonly cause?: EventRef;
}

export function bucketOf(atMs: number): string {
  return new Date(Math.floor(atMs / BUCKET_MS) * BUCKET_MS).toISOString();
}

/** A stable shard of a subject id (FNV-1a), the same for every policy: a subject's entries spread evenly. */
export function flipShardOf(subjectId: string): number {
  return shardOfKey(subjectId, FLIP_SHARDS);
}

/**
 * The entry of a pair whose criteria do not hold at `now`: the first later instant at which they hold,
 * within the policy's validity (a flip after `validTo` is no entitlement). Null when time alone never makes
 * them hold, or when the policy starts later (its policy entry re-evaluates every subject then).
 */
export function pairFlip(
  policy: Policy,
  compiled: CompiledCondition,
  subjectId: string,
  facts: Facts,
  now: Instant,
  timeZone: string,
): FlipEntry | null {
  return pairFlipper(policy, compiled, now, timeZone)(subjectId, facts);
}

/**
 * `pairFlip` for many subjects of one policy at one moment (a page of a match run): the policy's window
 * and the moment are read once, not once per subject.
 */
export function pairFlipper(
  policy: Policy,
  compiled: CompiledCondition,
  now: Instant,
  timeZone: string,
): (subjectId: string, facts: Facts) => FlipEntry | null {
  const none = () => null;
  if (!compiled.factPaths.includes('now')) return none;
  const window = policyWindowMs(policy, timeZone);
  const nowMs = Date.parse(now);
  if (!(window.from <= nowMs)) return none;
  const { policyId, version: policyVersion } = policy;
  return (subjectId, facts) => {
    const flip = nextFlip(compiled, facts, nowMs, { to: true, timeZone, leaves: false });
    if (flip === null || !(flip.atMs <= window.to)) return null;
    return { policyId, policyVersion, subjectId, at: flip.at, atMs: flip.atMs, bucket: bucketOf(flip.atMs), shard: flipShardOf(subjectId) };
  };
}

/**
 * The entry of a policy published before its `validFrom`: its matching run starts at the first local instant
 * of that day, carrying `cause` (the publication) as a run started at once would.
 */
export function policyStart(policy: Policy, now: Instant, timeZone: string, cause?: EventRef): FlipEntry | null {
  const { from } = policyWindowMs(policy, timeZone);
  if (!(from > Date.parse(now))) return null;
  const at = new Date(from).toISOString();
  return {
    policyId: policy.policyId,
    policyVersion: policy.version,
    at,
    atMs: from,
    bucket: bucketOf(from),
    shard: 0,
    ...(cause === undefined ? {} : { cause: eventRef(cause) }),
  };
}

/**
 * The buckets a schedule run reads: every bucket after the last one finished (`after`, exclusive; none yet,
 * as on a stage's first run: the previous bucket and the current one) up to the one holding `now`, oldest
 * first, at most MAX_BUCKETS_PER_RUN. An entry filed in the current bucket but due later in it waits for the
 * next run (`isDue`).
 */
export function dueBuckets(after: string | undefined, now: Instant): string[] {
  const current = Math.floor(Date.parse(now) / BUCKET_MS) * BUCKET_MS;
  const first = after === undefined ? current - BUCKET_MS : Date.parse(after) + BUCKET_MS;
  const out: string[] = [];
  for (let t = first; t <= current && out.length < MAX_BUCKETS_PER_RUN; t += BUCKET_MS) out.push(new Date(t).toISOString());
  return out;
}

/**
 * An entry whose handling failed in a run at `now`, filed again under the bucket after the one holding `now`
 * (its instant, and so its re-match's event id, unchanged): the run that failed it reads up to the current
 * bucket and does not try it twice, the next run reads it (it is due), and no run marks that bucket finished
 * before its span has passed. So the failed entry's own bucket can be finished without it.
 */
export function retryEntry(entry: FlipEntry, now: Instant): FlipEntry {
  return { ...entry, bucket: bucketOf(Date.parse(now) + BUCKET_MS) };
}

/**
 * An entry as it is filed at `now` (the filer's clock, read just before the put): under its own bucket when
 * that bucket is after the one holding `now`, else under the bucket after the one holding `now`, its instant
 * (and so its re-match's event id) unchanged. A run may finish a bucket as soon as its span has passed, so an
 * entry filed under the current bucket, or one already behind (a filer slower than the gap between its own
 * `now` and the flip), could land after a run finished that bucket and be read by none. Filed so, the bucket
 * ends at least one bucket's span after the filing: the put has landed long before a run can finish it.
 * Such an entry is due when the next run reads it, the run that would have read it in its own bucket.
 */
export function fileableEntry(entry: FlipEntry, now: Instant): FlipEntry {
  const earliest = bucketOf(Date.parse(now) + BUCKET_MS);
  return entry.bucket < earliest ? { ...entry, bucket: earliest } : entry;
}

/**
 * An entry's instant in the one notation every entry is filed in: ISO 8601 UTC with milliseconds, as
 * `nextFlip` and `policyStart` write it (`2026-12-31T16:00:00.000Z`, never `2027-01-01T00:00:00+08:00`).
 * Read from `atMs`, the instant due-ness reads.
 */
export function flipInstant(entry: Pick<FlipEntry, 'atMs'>): Instant {
  return new Date(entry.atMs).toISOString();
}

/**
 * The entry as it is filed: its `at` in the one notation (flipInstant). The sort key is written from `at`, so
 * one instant in two notations would be two items, each due and each re-evaluated; filed so, a second filing
 * of the same pair and instant, whatever notation it came in, rewrites the first.
 */
export function inOneNotation(entry: FlipEntry): FlipEntry {
  const at = flipInstant(entry);
  return at === entry.at ? entry : { ...entry, at };
}

/**
 * The due entries of a shard taken once per instant, policy and subject: items stored before filing wrote one
 * notation (or by hand) may hold the same pair and instant twice, in two notations, under two sort keys. One
 * of each is handled (the highest policy version: a policy entry starts its run only for the current one), and
 * every one of them is deleted with it. The order is kept.
 */
export function oncePerInstant(entries: readonly FlipEntry[]): FlipEntry[] {
  const kept = new Map<string, FlipEntry>();
  for (const e of entries) {
    const key = `${e.atMs}#${e.policyId}#${e.subjectId ?? ''}`;
    const seen = kept.get(key);
    if (seen === undefined || e.policyVersion > seen.policyVersion) kept.set(key, e);
  }
  const once = new Set(kept.values());
  return entries.filter((e) => once.has(e));
}

/**
 * The fields of an entry, each of which a stored item may lack or hold wrong: what the set-aside compares on an
 * item stored without a `writeId` (store/flips.ts, unchangedSince; the in-memory store does as it does).
 */
export const FLIP_ENTRY_FIELDS: readonly (keyof FlipEntry)[] = Object.keys({
  policyId: 0, policyVersion: 0, subjectId: 0, at: 0, atMs: 0, bucket: 0, shard: 0, cause: 0,
} satisfies Record<keyof FlipEntry, 0>) as (keyof FlipEntry)[];

/** A stored entry read back: the entry, or why the item cannot be one (the field named, never its value). */
export type FlipRead = { readonly ok: true; readonly entry: FlipEntry } | { readonly ok: false; readonly problem: string };

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isSafeInteger = (v: unknown): v is number => Number.isSafeInteger(v);

/**
 * A stored item of the shard `shard` of `bucket` as an entry, every field the schedule reads checked: an item
 * written by hand, or by an older or broken writer, that is missing `atMs` or has it as text would never come
 * due, so its closed bucket would never be finished and every flip after it would wait for good (`runTimeIndex`
 * sets such an item aside). An entry must also lie in the partition it was read from, no later than its
 * bucket's end (as bucketOf and retryEntry file it): else it would never come due in a closed bucket either.
 * Its `atMs` must be the instant its `at` names, as every writer files them.
 * A number is one only where a JavaScript number holds the stored one exactly: the store passes any other as
 * it read it (the SDK's text, never a number), so it fails here as a field of the wrong type.
 */
export function readFlipEntry(item: Readonly<Record<string, unknown>>, bucket: string, shard: number): FlipRead {
  const problem = (text: string): FlipRead => ({ ok: false, problem: text });
  const { policyId, policyVersion, subjectId, at, atMs, cause } = item;
  if (!isText(policyId)) return problem('policyId is missing or not text');
  if (!Number.isSafeInteger(policyVersion) || (policyVersion as number) < 1) return problem('policyVersion is not a positive integer');
  if (subjectId !== undefined && !isText(subjectId)) return problem('subjectId is not text');
  if (!isText(at) || Number.isNaN(Date.parse(at))) return problem('at is missing or not an instant');
  // Milliseconds are whole: a fraction, or a number past 2^53 (read as a stored number no JavaScript number
  // holds exactly, or rounded), is not an instant any writer files.
  if (!isSafeInteger(atMs)) return problem('atMs is missing or not a whole number');
  if (item.bucket !== bucket) return problem(`bucket is not the one it is filed under (${bucket})`);
  if (item.shard !== shard) return problem(`shard is not the one it is filed under (${shard})`);
  if (!(atMs < Date.parse(bucket) + BUCKET_MS)) return problem('atMs is after its bucket');
  // The sort key is written from `at`, due-ness is read from `atMs`: two instants would have the item handled
  // at neither's time (filed and ordered by one, come due by the other). One instant in another notation
  // (`+08:00`) reads: its key sorts elsewhere among the UTC ones, but a shard is read whole and due-ness is
  // `atMs`, so only the order the shard's due entries are sent in moves. (Filing writes one notation,
  // inOneNotation; one stored beside its UTC twin is handled once with it, oncePerInstant.)
  if (atMs !== Date.parse(at)) return problem('atMs is not the instant at names');
  if (cause !== undefined) {
    const c = cause as Partial<Record<keyof EventRef, unknown>> | null;
    if (typeof c !== 'object' || c === null || !isText(c.source) || !isText(c.id) || !isText(c.type)) return problem('cause is not an event reference');
  }
  return {
    ok: true,
    entry: {
      policyId,
      policyVersion: policyVersion as number,
      ...(subjectId === undefined ? {} : { subjectId }),
      at,
      atMs,
      bucket,
      shard,
      ...(cause === undefined ? {} : { cause: eventRef(cause as EventRef) }),
    },
  };
}

/** Whether an entry has come due at `now` (a bucket's later entries wait for the next run). */
export function isDue(entry: Pick<FlipEntry, 'atMs'>, now: Instant): boolean {
  return entry.atMs <= Date.parse(now);
}

/**
 * Whether a run may mark a bucket finished: only a bucket whose whole span has passed, so entries filed
 * into the current bucket after the run still find a later run to read them.
 */
export function isBucketClosed(bucket: string, now: Instant): boolean {
  return Date.parse(bucket) + BUCKET_MS <= Date.parse(now);
}
