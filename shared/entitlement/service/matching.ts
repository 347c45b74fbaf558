/**
 * Matching: an enterprise whose profile or credit record changed, against every active policy; and one
 * slice of a publication's run, against the policy version it was published for.
 */
import { inPool } from '#platform/pool';
import { logger } from '#platform/powertools';
import { instantOf } from '#rules/dates';
import type { CompiledCondition } from '#rules/types';
import {
  compilePolicy,
  matchEnterprise,
  matchNeedsEveryCredit,
  matchSlice,
  settleNeedsBudget,
  pairFlip,
  pairFlipper,
  subjectFacts,
  subjectIdOf,
  subjectKindOf,
  type CreditRecord,
  type FlipEntry,
  type Entitlement,
  type Instant,
  type Policy,
  type SubjectKind,
  type SubjectProfile,
} from '../domain';
import { continuationMessage, type SliceData } from '../messages';
import type { EntitlementPorts, EntitlementStore, PolicyEventPorts } from '../ports';
import { MATCH_ACTOR, POLICY_ACTOR, type Cause } from './records';
import { fileFlips, flipsOf } from './time';
import { forgetInBatch, memoInBatch } from '#platform/batch-memo';
import { afterSettle, loadWindow, matchAndSettle, publishListed, settlePair, type SettlePorts, type SettleResult } from './settle';

/**
 * What one match slice needs: settling, the slice's run records and the registry's shard pages and credit
 * records. The match worker is given only these (adapters.ts `matchPorts`), so its bundle leaves out the
 * publishing, publicity-schedule, objection and notification-outbox code of the store.
 */
export type MatchPorts = SettlePorts &
  Pick<EntitlementPorts, 'clock'> & {
    readonly store: SettlePorts['store'] & Pick<EntitlementStore, 'isSliceDone' | 'finishSlice' | 'getPolicy' | 'readFigures' | 'batchGetEntitlements' | 'putFlips'>;
    readonly registry: Pick<EntitlementPorts['registry'], 'queryShardProfiles' | 'queryShardPersons' | 'batchGetCredits'>;
  };

/** Pairs settled at once within a slice: enough to hide DynamoDB latency, few enough to rarely conflict. */
const PAIR_CONCURRENCY = 12;

const ACTIVE_POLICIES = 'entitlement:active-policies';

/** Forgets the batch's read of the active policies (after a record that changed them). */
export const forgetActivePolicies = (): void => forgetInBatch(ACTIVE_POLICIES);

/**
 * A profile or credit record changed: match the enterprise (or person) against every active policy for its
 * kind. The active policies are read once per batch of the policy queue, and the subject (one request) only
 * when a policy of its kind is active: a population loaded before its first policy is published (every
 * profile asks for a re-match) reads no profile twice, one request per person less. `cause`
 * is the event that changed the subject, as the re-match message carries it: when an upstream system posted
 * it (a `gov.*` profile or credit update), the audit line of every pair it changes names that system in
 * `details.source`; CivicFlow's own causes (a credit mark, a time-index re-evaluation) name none.
 */
export async function rematchEnterprise(ports: PolicyEventPorts, creditCode: string, kind: SubjectKind = 'enterprise', cause?: Cause): Promise<string> {
  const { registry, store, clock } = ports;
  const all = await memoInBatch(ACTIVE_POLICIES, () => store.listActivePolicies());
  const policies = all.filter((p) => subjectKindOf(p) === kind);
  if (policies.length === 0) return 'nothing to match';
  const { profile, credit } = await registry.getSubject(kind, creditCode);
  if (profile === undefined) return 'nothing to match';
  const now = clock.now();
  const results: SettleResult[] = [];
  const names = new Map([[creditCode, profile.name]]);
  const flips: FlipEntry[] = [];
  for (const policy of policies) {
    const result = await matchAndSettle(ports, policy, profile, credit, now, POLICY_ACTOR, cause);
    results.push(result);
    await publishListed(ports, policy, [result], names, now);
    // Not eligible now: when time alone will make the criteria hold (a birthday), the pair is filed for then.
    if (awaitsTime(result.entitlement)) {
      const { timeZone } = ports.settings;
      const entry = pairFlip(policy, compilePolicy(policy, { timeZone }), creditCode, subjectFacts(profile, credit, now), now, timeZone);
      if (entry !== null) flips.push(entry);
    }
  }
  // Filed by the clock as it is written (the settling took time since `now`): fileFlips.
  await fileFlips(ports.store, flips, clock.now());
  await afterSettle(ports, results, now);
  return `matched ${policies.length}`;
}

/**
 * The pairs of a page to settle: the candidates of the bulk pass (eligible or unknown), and for a newer
 * version also every enterprise of the page already holding an entitlement (its record moves to the new
 * version, or leaves ELIGIBLE). Returns them with their entitlements as read in bulk.
 */
async function candidatesOf(
  ports: MatchPorts,
  policy: Policy,
  slice: SliceData,
  profiles: readonly SubjectProfile[],
  bulk: { readonly eligible: readonly string[]; readonly needsInfo: readonly string[] },
): Promise<{ codes: Set<string>; existing: Map<string, Entitlement> }> {
  const codes = new Set([...bulk.eligible, ...bulk.needsInfo]);
  const existing = new Map<string, Entitlement>();
  if (slice.republish) {
    for (const [code, e] of await ports.store.batchGetEntitlements(policy.policyId, profiles.map(subjectIdOf))) {
      existing.set(code, e);
      codes.add(code);
    }
  } else if (codes.size > 0) {
    for (const [code, e] of await ports.store.batchGetEntitlements(policy.policyId, [...codes])) existing.set(code, e);
  }
  return { codes, existing };
}

/**
 * Settles the candidates of one page: each re-matched with its credit record and trace, a few at a time;
 * `cause` the publication that started the run, whose source their audit lines name.
 */
async function settlePage(
  ports: MatchPorts,
  policy: Policy,
  compiled: CompiledCondition,
  targets: readonly SubjectProfile[],
  existing: ReadonlyMap<string, Entitlement>,
  credits: ReadonlyMap<string, CreditRecord>,
  now: Instant,
  cause: Cause | undefined,
): Promise<SettleResult[]> {
  const { timeZone } = ports.settings;
  const windows = targets.length > 0 ? await loadWindow(ports, policy) : undefined;
  // A listing reserves the budget in the pinned order (first eligible first, ties by credit code): the pairs
  // of one page become eligible at the same instant, so a budgeted grant with publicity lists them in order.
  const ordered = windows !== undefined && settleNeedsBudget(policy);
  return inPool(targets, ordered ? 1 : PAIR_CONCURRENCY, (profile) => {
    const id = subjectIdOf(profile);
    const match = matchEnterprise(policy, compiled, profile, credits.get(id), now, { timeZone });
    return settlePair(ports, policy, match, now, MATCH_ACTOR, { entitlement: existing.get(id) }, windows, cause);
  });
}

/** Records the slice once; the slice that completes the run reports the publication's time to its last push. */
async function finish(ports: MatchPorts, policy: Policy, slice: SliceData, profiles: number, continued: boolean): Promise<void> {
  const { policyId, version, shard, cursor } = slice;
  const done = await ports.store.finishSlice(policyId, version, shard, cursor, { profiles, continued, at: ports.clock.now() });
  if (!done.completed) return;
  const figures = await ports.store.readFigures(policyId);
  if (figures.lastPushAt !== undefined && policy.publishedAt !== undefined) {
    ports.metrics.publishToLastPush(policyId, instantOf(figures.lastPushAt) - instantOf(policy.publishedAt));
  }
  logger.info('matching run completed', { policyId, version, lastPushAt: figures.lastPushAt, notified: figures.counters.notified });
}

/**
 * Whether a settled pair is one time alone may still make eligible, to be filed for that instant: one left
 * with no entitlement or an INELIGIBLE one, and one that needs information — a missing fact keeps `all`
 * from holding, but not `any` (`any[age ≥ 80, disability level 1]` holds on the 80th birthday with the level
 * still missing). Filing costs nothing when it never does: nextFlip then finds no flip to true.
 */
const awaitsTime = (e: Entitlement | undefined): boolean => e === undefined || e.state === 'INELIGIBLE' || e.state === 'NEEDS_INFO';

/** The flips of the settled pairs of a page (`results` in the order of `targets`) that did not end eligible. */
function settledFlips(
  policy: Policy,
  compiled: CompiledCondition,
  targets: readonly SubjectProfile[],
  results: readonly SettleResult[],
  credits: ReadonlyMap<string, CreditRecord>,
  now: Instant,
  timeZone: string,
): FlipEntry[] {
  if (!compiled.factPaths.includes('now')) return [];
  const flipOf = pairFlipper(policy, compiled, now, timeZone);
  const flips: FlipEntry[] = [];
  targets.forEach((profile, i) => {
    const entitlement = results[i]?.entitlement;
    if (!awaitsTime(entitlement)) return;
    const id = subjectIdOf(profile);
    const entry = flipOf(id, subjectFacts(profile, credits.get(id), now));
    if (entry !== null) flips.push(entry);
  });
  return flips;
}

/**
 * One match slice: up to `sliceSize` profiles of one registry shard. A slice that leaves more in its shard
 * first queues the continuation, so every message does bounded work.
 *
 * A slice is bulk-matched without traces (matchSlice); only the candidates are re-matched with their credit
 * record and trace and settled one conditional transaction each. A finished slice is recorded once
 * (finishSlice), so a redelivered slice, a duplicate continuation or a replayed publication does nothing more.
 */
export async function runMatchSlice(ports: MatchPorts, slice: SliceData): Promise<void> {
  const { store, registry, queues, clock, settings } = ports;
  const { policyId, version, shard, cursor } = slice;
  if (await store.isSliceDone(policyId, version, shard, cursor)) return;

  const now = clock.now();
  const policy = await store.getPolicy(policyId);
  // A withdrawn policy, or a newer version (which has its own run), ends this run's slice without a look.
  if (policy === undefined || policy.version !== version || policy.status === 'withdrawn') {
    await store.finishSlice(policyId, version, shard, cursor, { profiles: 0, continued: false, at: now });
    logger.info('slice skipped', { policyId, version, shard, status: policy?.status, current: policy?.version });
    return;
  }

  // A person policy reads the person profiles of the shard, an enterprise policy the enterprises'.
  const page: { readonly profiles: readonly SubjectProfile[]; readonly next?: string } =
    subjectKindOf(policy) === 'person'
      ? await registry.queryShardPersons(shard, settings.sliceSize, cursor)
      : await registry.queryShardProfiles(shard, settings.sliceSize, cursor);
  if (page.next !== undefined) await queues.sendSlices([continuationMessage(slice, page.next, now)]);

  const compiled = compilePolicy(policy, { timeZone: settings.timeZone });
  // Without credit records a criterion on credit is unknown, never false, so this pass finds a superset of
  // the candidates (Kleene logic is monotonic) while reading no credit record of the ineligible majority.
  // Criteria for which that does not hold (matchNeedsEveryCredit) read the whole page's records. Dishonest
  // subjects stay candidates either way: settling each pair decides their exclusion.
  const credits = matchNeedsEveryCredit(policy.criteria) ? await registry.batchGetCredits(page.profiles.map(subjectIdOf)) : undefined;
  const bulk = matchSlice(policy, page.profiles, credits, now, { compiled, timeZone: settings.timeZone, excludeDishonest: false });
  const { codes, existing } = await candidatesOf(ports, policy, slice, page.profiles, bulk);
  const targets = page.profiles.filter((p) => codes.has(subjectIdOf(p)));
  // The rest settle ineligible with no record: those time alone will turn eligible are filed for then.
  await fileFlips(store, flipsOf(policy, compiled, page.profiles, codes, now, settings.timeZone, credits), clock.now());
  const targetCredits = credits ?? (targets.length > 0 ? await registry.batchGetCredits(targets.map(subjectIdOf)) : new Map<string, CreditRecord>());
  const results = await settlePage(ports, policy, compiled, targets, existing, targetCredits, now, slice.cause);
  // So are the settled pairs that ended ineligible (a newer version's pair that no longer holds, a candidate
  // its credit record rules out), as a re-match files them.
  await fileFlips(store, settledFlips(policy, compiled, targets, results, targetCredits, now, settings.timeZone), clock.now());
  await publishListed(ports, policy, results, new Map(targets.map((p) => [subjectIdOf(p), p.name])), now);
  await afterSettle(ports, results, now);

  ports.metrics.count('MatchSliceProfiles', page.profiles.length);
  await finish(ports, policy, slice, page.profiles.length, page.next !== undefined);
  logger.debug('slice matched', {
    policyId,
    version,
    shard,
    profiles: page.profiles.length,
    eligible: bulk.eligible.length,
    needsInfo: bulk.needsInfo.length,
    settled: targets.length,
  });
}
