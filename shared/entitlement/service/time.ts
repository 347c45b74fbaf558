/**
 * The time index wired (docs/decisions/time-index.md): pairs that time alone can turn eligible are filed
 * when they settle ineligible, a policy published before its `validFrom` is filed once, and the entitlement
 * schedule reads the buckets that came due — after its cursor, so none is skipped or read twice — and
 * queues their re-evaluations.
 */
import { isValidIdNumber } from '#contract/identifiers';
import { enterpriseRematchEvent } from '#contract/internal';
import { logger } from '#platform/powertools';
import {
  bucketOf,
  dueBuckets,
  FLIP_SHARDS,
  isBucketClosed,
  isDue,
  pairFlipper,
  policyStart,
  subjectFacts,
  subjectIdOf,
  type CreditRecord,
  type FlipEntry,
  type Instant,
  type Policy,
  type SubjectProfile,
} from '../domain';
import type { CompiledCondition } from '#rules/types';
import type { EntitlementPorts, EntitlementStore } from '../ports';

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

/** Files entries with the cursor a first filing needs. */
export async function fileFlips(store: Pick<EntitlementStore, 'putFlips'>, entries: readonly FlipEntry[], now: Instant): Promise<void> {
  if (entries.length > 0) await store.putFlips(entries, cursorBefore(now));
}

/** A policy published before its `validFrom`: its run waits, filed once to start at that day's first instant. */
export async function deferredStart(ports: { readonly store: Pick<EntitlementStore, 'putFlips'>; readonly settings: Pick<EntitlementPorts['settings'], 'timeZone'> }, policy: Policy, now: Instant): Promise<boolean> {
  const entry = policyStart(policy, now, ports.settings.timeZone);
  if (entry === null) return false;
  await fileFlips(ports.store, [entry], now);
  return true;
}

export interface TimeIndexSummary {
  readonly buckets: number;
  readonly reevaluated: number;
  readonly policiesStarted: number;
}

/**
 * One schedule run: every bucket after the cursor up to the current one, oldest first. Due entries of a
 * pair become a re-match of their subject on the policy queue (one event id per entry: a second run, or a
 * crash before the delete, sends the same ids again); a policy entry starts its run. A bucket is finished
 * (the cursor moved onto it) only when its span has passed and every entry in it was due.
 */
export async function runTimeIndex(ports: EntitlementPorts, startRun: (policy: Policy) => Promise<void>): Promise<TimeIndexSummary> {
  const { store, clock, queues } = ports;
  const now = clock.now();
  let reevaluated = 0;
  let policiesStarted = 0;
  let buckets = 0;
  for (const bucket of dueBuckets(await store.getFlipCursor(), now)) {
    let waiting = false;
    for (let shard = 0; shard < FLIP_SHARDS; shard++) {
      const entries = await store.queryFlips(bucket, shard);
      const due = entries.filter((e) => isDue(e, now));
      waiting ||= due.length < entries.length;
      const rematches = due.flatMap((e) => (e.subjectId === undefined ? [] : [rematchOf(e, now)]));
      for (let i = 0; i < rematches.length; i += 10) await queues.sendRematches(rematches.slice(i, i + 10));
      for (const e of due.filter((x) => x.subjectId === undefined)) policiesStarted += (await startPolicy(ports, e, startRun)) ? 1 : 0;
      await store.deleteFlips(due);
      // Counted once its entries are gone, shard by shard: a run cut short keeps the count of what it did.
      if (rematches.length > 0) ports.metrics.count('TimeIndexReevaluations', rematches.length);
      reevaluated += rematches.length;
    }
    buckets++;
    if (waiting || !isBucketClosed(bucket, now)) break;
    await store.advanceFlipCursor(bucket);
  }
  if (reevaluated + policiesStarted > 0) logger.info('time index', { buckets, reevaluated, policiesStarted });
  return { buckets, reevaluated, policiesStarted };
}

function rematchOf(e: FlipEntry, now: Instant) {
  const kind = isValidIdNumber(e.subjectId) ? 'person' : 'enterprise';
  return enterpriseRematchEvent(e.subjectId!, { source: FLIP_SOURCE, id: `flip:${e.at}:${e.policyId}`, type: 'civicflow.time.flip' }, now, kind);
}

/** A policy entry: the run of the version it was filed for, if that is still the current, active version. */
async function startPolicy(ports: EntitlementPorts, e: FlipEntry, startRun: (policy: Policy) => Promise<void>): Promise<boolean> {
  const policy = await ports.store.getPolicy(e.policyId);
  if (policy === undefined || policy.version !== e.policyVersion || policy.status === 'withdrawn') return false;
  await startRun(policy);
  return true;
}
