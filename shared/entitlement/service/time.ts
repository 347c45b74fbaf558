/**
 * The time index wired (docs/decisions/time-index.md): pairs that time alone can turn eligible are filed
 * when they settle ineligible or needing information, a policy published before its `validFrom` is filed
 * once, and the entitlement schedule reads the buckets that came due — after its cursor, so none is skipped
 * or read twice — and queues their re-evaluations.
 */
import { isValidIdNumber } from '#contract/identifiers';
import { enterpriseRematchEvent } from '#contract/internal';
import type { EventRef } from '#platform/inbound';
import { logger } from '#platform/powertools';
import { countedRun, timeBox, type TimeLeftOptions, type WriteItemCounts } from '#platform/time-reserve';
import {
  bucketOf,
  dueBuckets,
  fileableEntry,
  FLIP_SHARDS,
  flipInstant,
  isBucketClosed,
  isDue,
  maskedSubjectId,
  oncePerInstant,
  pairFlipper,
  policyStart,
  retryEntry,
  subjectFacts,
  subjectIdOf,
  type CreditRecord,
  type FlipEntry,
  type Instant,
  type Policy,
  type SubjectProfile,
} from '../domain';
import type { CompiledCondition } from '#rules/types';
import type { EntitlementPorts, EntitlementStore, RematchMessage, UnreadableFlip } from '../ports';

const FLIP_SOURCE = '/civicflow/entitlement/time-index';
/** The bucket before the one holding `now`: the cursor a first filing sets, so the schedule reads from there. */
const cursorBefore = (now: Instant) => bucketOf(Date.parse(now) - 15 * 60_000);

/**
 * The entries of the profiles of a page that settle ineligible now and that time alone will turn eligible
 * (the candidates — eligible or unknown — are settled, not filed). Empty when the criteria do not read `now`.
 * `credits` holds the page's credit records when the criteria read them (matchNeedsEveryCredit).
 */
export function flipsOf(
  policy: Policy,
  compiled: CompiledCondition,
  profiles: readonly SubjectProfile[],
  candidates: ReadonlySet<string>,
  now: Instant,
  timeZone: string,
  credits?: ReadonlyMap<string, CreditRecord>,
): FlipEntry[] {
  if (!compiled.factPaths.includes('now')) return [];
  const flipOf = pairFlipper(policy, compiled, now, timeZone);
  const out: FlipEntry[] = [];
  for (const profile of profiles) {
    const id = subjectIdOf(profile);
    if (candidates.has(id)) continue;
    const entry = flipOf(id, subjectFacts(profile, credits?.get(id), now));
    if (entry !== null) out.push(entry);
  }
  return out;
}

/**
 * Files entries with the cursor a first filing needs. `now` is the clock as the filing is written, not the
 * moment the entries were computed at (a slice or re-match reads its clock first, and files after its
 * settling): an entry whose bucket is not after the one holding `now` is filed under the next bucket
 * (fileableEntry), so no run finishes its bucket before the put lands.
 */
export async function fileFlips(store: Pick<EntitlementStore, 'putFlips'>, entries: readonly FlipEntry[], now: Instant): Promise<void> {
  if (entries.length > 0) await store.putFlips(entries.map((e) => fileableEntry(e, now)), cursorBefore(now));
}

/**
 * A policy published before its `validFrom`: its run waits, filed once to start at that day's first instant,
 * with `cause` (the publication) for that run to carry.
 */
export async function deferredStart(
  ports: { readonly store: Pick<EntitlementStore, 'putFlips'>; readonly settings: Pick<EntitlementPorts['settings'], 'timeZone'> },
  policy: Policy,
  now: Instant,
  cause?: EventRef,
): Promise<boolean> {
  const entry = policyStart(policy, now, ports.settings.timeZone, cause);
  if (entry === null) return false;
  await fileFlips(ports.store, [entry], now);
  return true;
}

export interface TimeIndexSummary {
  readonly buckets: number;
  readonly reevaluated: number;
  readonly policiesStarted: number;
  /**
   * True when the pass stopped for its time (TIME_INDEX_TIME_RESERVE_MS) before reading every due bucket:
   * the cursor stays where it was finished, and the next run goes on from there.
   */
  readonly outOfTime: boolean;
  /**
   * Due entries whose handling failed (each logged): still due, filed again for the next run to try; and
   * stored items that do not read as entries (each logged): set aside under `FLIP-UNREADABLE`.
   */
  readonly failed: number;
  /**
   * Stored items that did not read as entries but changed between the read and their move (each logged):
   * left where they are, and their bucket not finished, so the next run reads them as they are now.
   */
  readonly changed: number;
}

/**
 * The time the pass keeps back at the end of its invocation: it reads no further shard once less is left. A
 * shard's due entries are handled in one go (a read, their re-matches ten to a request, their policy runs'
 * starts, the retries filed, a delete): a day's birthdays in one shard of a big district are a few hundred
 * entries, a few seconds; 10 s leaves room for that and for the run's answer. The publicity windows before it
 * stop with 20 s left (PUBLICITY_TIME_RESERVE_MS), so the pass has at least 10 s every run.
 */
export const TIME_INDEX_TIME_RESERVE_MS = 10_000;

export interface TimeIndexOptions extends TimeLeftOptions {
  /**
   * Where the pass writes its counts (ItemsFailed, ItemsDeferred): its `failed`, and 1 as `deferred` when it
   * stopped for its time. Once, as it ends, even when the store fails after entries failed and were logged
   * (the summary is then never returned, and those entries would be counted nowhere).
   */
  readonly counted?: WriteItemCounts;
}

/** Starts the run of a policy entry's version, with the publication the entry carries (none on older entries). */
export type StartRun = (policy: Policy, cause?: EventRef) => Promise<void>;

/**
 * One schedule run: every bucket after the cursor up to the current one, oldest first. Due entries of a
 * pair become a re-match of their subject on the policy queue (one event id per entry: a second run, or a
 * crash before the delete, sends the same ids again); a policy entry starts its run. A bucket is finished
 * (the cursor moved onto it) only when its span has passed and every entry in it was due.
 *
 * An entry whose handling fails (its message refused, its policy unreadable) is logged, counted in `failed`,
 * and filed again under the bucket after the current one (retryEntry), before its original is deleted; the
 * others go on. The invariant: every entry not yet handled is in a bucket after the cursor — the cursor moves
 * onto a bucket only after each entry read in it was either handled and deleted, or failed and filed again
 * later — so a failure holds up neither the flips due after it nor the cursor, run after run, and is
 * tried again every run until it succeeds. A stored item that does not read as an entry (readFlipEntry: a
 * field missing or of the wrong type, so it might never come due) is logged, counted in `failed`, and moved
 * under `FLIP-UNREADABLE` (its copy put and its original deleted in one transaction) before the cursor can
 * move past its bucket: so every item read is handled, filed again later, or set aside whole where an
 * operator finds it (docs/operations.md) — none holds up the cursor, none is lost. One changed between the read
 * and its move (an entry filed under its key meanwhile) is not moved: it stays, counted in `changed`, and the
 * cursor does not move onto its bucket, so the next run reads it again. A failure to read, file,
 * set aside or delete (the store itself) still throws, before the cursor moves: the next run reads that
 * bucket again. An item that does not read is counted in `failed` and logged once whatever its setting
 * aside does: moved, changed since (not counted: `changed`), or failed with the store.
 */
export async function runTimeIndex(ports: EntitlementPorts, startRun: StartRun, options: TimeIndexOptions = {}): Promise<TimeIndexSummary> {
  const { store, clock } = ports;
  const now = clock.now();
  let reevaluated = 0;
  let policiesStarted = 0;
  let changed = 0;
  let buckets = 0;
  const box = timeBox(TIME_INDEX_TIME_RESERVE_MS, options.timeLeftMs);
  // What the pass has counted so far, read as it ends: a store failure after some entries failed keeps them.
  // `deferred` is 1 once the pass stopped for its time, the one record of that (the summary's `outOfTime`);
  // short of time from the start (middy has ended the invocation, say), the pass reads not even the cursor.
  const counts = { failed: 0, deferred: box.outOfTime() ? 1 : 0 };
  return countedRun(counts, options.counted ?? (() => undefined), async () => {
    const due = counts.deferred > 0 ? [] : dueBuckets(await store.getFlipCursor(), now);
    passes: for (const bucket of due) {
      let waiting = false;
      for (let shard = 0; shard < FLIP_SHARDS; shard++) {
        // Checked before each shard: a shard already read had its due entries handled and deleted, so stopping
        // here leaves the cursor before this bucket, and the next run reads the rest of it (the shards done are
        // empty by then) and the buckets after it.
        if (box.outOfTime()) {
          counts.deferred = 1;
          break passes;
        }
        const { entries, unreadable } = await store.queryFlips(bucket, shard);
        if (unreadable.length > 0) {
          const left = await setAside(store, unreadable, now, counts);
          // One line per item, once its move is known: set aside (ERROR, counted in `failed`), or changed since
          // the read (WARN: what it was read as says nothing of what it is now). The sort key holds the
          // subject: masked as every string the logger writes (maskSensitive).
          const kept = new Set(left.map((u) => `${u.pk}#${u.sk}`));
          for (const u of unreadable) {
            if (kept.has(`${u.pk}#${u.sk}`)) logger.warn('time index: stored entry changed since it was read; not set aside, read again next run', { pk: u.pk, sk: u.sk });
            else logger.error('time index: stored entry does not read; set aside under FLIP-UNREADABLE', { pk: u.pk, sk: u.sk, problem: u.problem });
          }
          counts.failed += unreadable.length - left.length;
          changed += left.length;
          // Not handled: the cursor stays before this bucket (the invariant), and the next run reads it.
          waiting ||= left.length > 0;
        }
        const due = entries.filter((e) => isDue(e, now));
        waiting ||= due.length < entries.length;
        if (due.length === 0) continue;
        // One instant, one re-evaluation: the same pair and instant stored twice (two notations of `at`, two
        // sort keys) is handled once, and both items are deleted below.
        const out = await handleDue(ports, oncePerInstant(due), now, startRun);
        // Counted as soon as they failed (each logged): a filing or a delete that throws next does not undo that.
        counts.failed += out.failed.length;
        if (out.failed.length > 0) await fileFlips(store, out.failed.map((e) => retryEntry(e, now)), now);
        await store.deleteFlips(due);
        // Counted once its entries are gone, shard by shard: a run cut short keeps the count of what it did.
        if (out.rematches > 0) ports.metrics.count('TimeIndexReevaluations', out.rematches);
        reevaluated += out.rematches;
        policiesStarted += out.policiesStarted;
      }
      buckets++;
      if (waiting || !isBucketClosed(bucket, now)) break;
      await store.advanceFlipCursor(bucket);
    }
    const { failed } = counts;
    const outOfTime = counts.deferred > 0;
    if (reevaluated + policiesStarted + failed + changed > 0 || outOfTime) logger.info('time index', { buckets, reevaluated, policiesStarted, failed, changed, outOfTime });
    return { buckets, reevaluated, policiesStarted, failed, changed, outOfTime };
  });
}

/**
 * Sets the unreadable items of a shard aside (store.setAsideFlips), returning those changed since the read.
 * Should the store fail, each item is still counted in `failed` and logged once (ERROR) before the failure
 * ends the pass: it does not read, whatever became of its move, and the next run reads it again.
 */
async function setAside(store: Pick<EntitlementStore, 'setAsideFlips'>, unreadable: readonly UnreadableFlip[], now: Instant, counts: { failed: number }): Promise<readonly UnreadableFlip[]> {
  try {
    return await store.setAsideFlips(unreadable, now);
  } catch (error) {
    counts.failed += unreadable.length;
    for (const u of unreadable) logger.error('time index: stored entry does not read; setting it aside failed, read again next run', { pk: u.pk, sk: u.sk, problem: u.problem });
    throw error;
  }
}

/**
 * The due entries of one shard of a bucket, each handled on its own: the re-matches queued ten to a request
 * (a request that fails is sent again one message at a time, so one message SQS refuses fails alone), the
 * policy entries' runs started. Returns the entries that failed, each logged.
 */
async function handleDue(
  ports: EntitlementPorts,
  due: readonly FlipEntry[],
  now: Instant,
  startRun: StartRun,
): Promise<{ rematches: number; policiesStarted: number; failed: FlipEntry[] }> {
  const failed: FlipEntry[] = [];
  const fail = (e: FlipEntry, error: unknown) => {
    failed.push(e);
    // The subject masked as on a channel (an ID number never unmasked); the error's text the logger masks.
    logger.error('time index: entry failed; it stays due and is tried again next run', {
      policyId: e.policyId,
      policyVersion: e.policyVersion,
      ...(e.subjectId === undefined ? {} : { subject: maskedSubjectId(e.subjectId) }),
      at: e.at,
      bucket: e.bucket,
      shard: e.shard,
      error,
    });
  };
  const pairs: { entry: FlipEntry; message: RematchMessage }[] = [];
  for (const e of due) {
    if (e.subjectId === undefined) continue;
    try {
      pairs.push({ entry: e, message: rematchOf(e, now) });
    } catch (error) {
      fail(e, error);
    }
  }
  let rematches = 0;
  for (let i = 0; i < pairs.length; i += 10) {
    const batch = pairs.slice(i, i + 10);
    try {
      await ports.queues.sendRematches(batch.map((p) => p.message));
      rematches += batch.length;
    } catch {
      for (const p of batch) {
        try {
          await ports.queues.sendRematches([p.message]);
          rematches++;
        } catch (error) {
          fail(p.entry, error);
        }
      }
    }
  }
  let policiesStarted = 0;
  for (const e of due.filter((x) => x.subjectId === undefined)) {
    try {
      policiesStarted += (await startPolicy(ports, e, startRun)) ? 1 : 0;
    } catch (error) {
      fail(e, error);
    }
  }
  return { rematches, policiesStarted, failed };
}

function rematchOf(e: FlipEntry, now: Instant) {
  const kind = isValidIdNumber(e.subjectId) ? 'person' : 'enterprise';
  // The instant in its one notation (flipInstant, what every entry is filed with): the same instant stored as
  // `…+08:00` gives the same id as its UTC twin, so a run that sends one and a later run the other (one failed
  // and filed again) send one event id.
  return enterpriseRematchEvent(e.subjectId!, { source: FLIP_SOURCE, id: `flip:${flipInstant(e)}:${e.policyId}`, type: 'civicflow.time.flip' }, now, kind);
}

/** A policy entry: the run of the version it was filed for, if that is still the current, active version. */
async function startPolicy(ports: EntitlementPorts, e: FlipEntry, startRun: StartRun): Promise<boolean> {
  const policy = await ports.store.getPolicy(e.policyId);
  if (policy === undefined || policy.version !== e.policyVersion || policy.status === 'withdrawn') return false;
  await startRun(policy, e.cause);
  return true;
}
