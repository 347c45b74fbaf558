/**
 * Settling matched pairs, shared by the re-match of one enterprise and the slices of a publication: plan
 * (domain/settle.ts), commit as one conditional write, plan again when a condition failed; then, after the
 * commits, queue the notifications of the pushes (the outbox pattern) and count them.
 */
import {
  compilePolicy,
  matchEnterprise,
  planSettle,
  publicityDays,
  settleNeedsBudget,
  windowFor,
  type PublicityWindow,
  type SettleContext,
  wasPushed,
  type CreditRecord,
  type SubjectProfile,
  type Entitlement,
  type Instant,
  type MatchResult,
  type Policy,
  type Transition,
} from '../domain';
import { notifyMessages, publicityListEvents } from '../messages';
import type { EntitlementPorts, EntitlementStore } from '../ports';
import { transitionsAudit, type Cause } from './records';

/**
 * What settling pairs needs: the store's entitlement, budget and window reads and the one transition write,
 * not the whole store, so a worker that only matches (functions/entitlement/match.ts) bundles nothing else.
 */
export type SettlePorts = Pick<EntitlementPorts, 'queues' | 'outbound' | 'calendar' | 'metrics' | 'settings'> & {
  readonly store: Pick<EntitlementStore, 'getEntitlement' | 'getBudget' | 'isNotificationPending' | 'applyTransitions' | 'getPublicityWindow'>;
};

export interface SettleResult {
  /** The transitions committed by this call (empty: nothing changed). */
  readonly committed: readonly Transition[];
  readonly entitlement: Entitlement | undefined;
  /** A notification to send now: just committed, or still pending from an earlier attempt. */
  readonly notify?: { readonly policyId: string; readonly creditCode: string };
}

/**
 * The publicity window of a policy with publicity, as a batch of pairs last saw it: read once per page,
 * updated when one of its pairs opens a window, so the rest join it instead of racing to open it.
 */
export interface WindowCache {
  window: PublicityWindow | undefined;
}

/** The window cache of a policy with publicity (read once), or undefined for a policy without. */
export async function loadWindow(ports: SettlePorts, policy: Policy): Promise<WindowCache | undefined> {
  if (publicityDays(policy) === undefined) return undefined;
  return { window: await ports.store.getPublicityWindow(policy.policyId) };
}

/** The window a pair listed at `now` joins (or opens). */
export function windowAt(ports: SettlePorts, policy: Policy, now: Instant, cache: WindowCache | undefined): SettleContext['window'] {
  const days = publicityDays(policy);
  if (days === undefined || cache === undefined) return undefined;
  return windowFor(cache.window, now, days, ports.calendar);
}

const MAX_SETTLE_ATTEMPTS = 8;

/**
 * The whole matching step for one (policy, enterprise): onMatched, then the push or the completion of a
 * grant, committed together; re-read and re-planned when a condition failed. `known` is the entitlement
 * as read in bulk by the caller (undefined = read it here); `cause` the event that asked for the match,
 * whose source the audit line names when an upstream system posted it.
 */
export async function settlePair(
  ports: SettlePorts,
  policy: Policy,
  match: MatchResult,
  now: Instant,
  actor: string,
  known?: { readonly entitlement: Entitlement | undefined },
  windows?: WindowCache,
  cause?: Cause,
): Promise<SettleResult> {
  const { store, settings } = ports;
  const { policyId } = policy;
  const pair = { policyId, creditCode: match.creditCode };
  let current = policy;
  let existing = known ? known.entitlement : await store.getEntitlement(policyId, match.creditCode);
  const cache = windows ?? (await loadWindow(ports, policy));
  let budget: number | undefined;
  for (let attempt = 1; attempt <= MAX_SETTLE_ATTEMPTS; attempt++) {
    const window = windowAt(ports, current, now, cache);
    let plan = planSettle(existing, current, match, now, budget, settings.timeZone, window);
    if (plan.kind === 'needsBudget') {
      budget = (await store.getBudget(policyId)) ?? 0;
      plan = planSettle(existing, current, match, now, budget, settings.timeZone, window);
    }
    if (plan.kind !== 'settle') throw new Error(`policy ${policyId}: a pair planned without its budget`);
    const { chain, entitlement } = plan;
    if (chain.length === 0) {
      // Nothing to write; a push whose notification is still undelivered is sent again (the same message id).
      const pending = wasPushed(entitlement) && (await store.isNotificationPending(policyId, match.creditCode));
      return { committed: [], entitlement, ...(pending ? { notify: pair } : {}) };
    }
    const out = await store.applyTransitions(chain, transitionsAudit(chain, actor, cause));
    if (out.ok) {
      const opened = chain.find((t) => t.window?.opens === true)?.window;
      if (opened !== undefined && cache !== undefined) cache.window = opened.window;
      const pushed = chain.some((t) => t.notification !== undefined);
      return { committed: chain, entitlement, ...(pushed ? { notify: pair } : {}) };
    }
    if (out.windowMoved && cache !== undefined) cache.window = await store.getPublicityWindow(policyId);
    if (out.withdrawn) current = { ...current, status: 'withdrawn' };
    if (out.budgetShort || settleNeedsBudget(policy)) budget = undefined;
    existing = await store.getEntitlement(policyId, match.creditCode);
  }
  throw new Error(`entitlement ${policyId}/${match.creditCode} kept changing under ${MAX_SETTLE_ATTEMPTS} attempts`);
}

/**
 * Matches one enterprise against one policy with the full trace (the entitlement keeps its explanation)
 * and settles the pair.
 */
export async function matchAndSettle(
  ports: SettlePorts,
  policy: Policy,
  profile: SubjectProfile,
  credit: CreditRecord | undefined,
  now: Instant,
  actor: string,
  cause?: Cause,
): Promise<SettleResult> {
  const { timeZone } = ports.settings;
  const match = matchEnterprise(policy, compilePolicy(policy, { timeZone }), profile, credit, now, { timeZone });
  return settlePair(ports, policy, match, now, actor, undefined, undefined, cause);
}

/**
 * The publicity list (公示名单) of what was just settled: the pairs now PUBLICIZED (just listed, or listed
 * by an earlier delivery whose event may have been lost: the same id), with the enterprises' names.
 */
export async function publishListed(
  ports: SettlePorts,
  policy: Policy,
  results: readonly SettleResult[],
  names: ReadonlyMap<string, string>,
  now: Instant,
): Promise<void> {
  const listed = results.flatMap((r) => (r.entitlement?.state === 'PUBLICIZED' && r.entitlement.publicity ? [r.entitlement] : []));
  if (listed.length === 0) return;
  await ports.outbound.publish(publicityListEvents(policy, listed, names, ports.settings.maskPublicityList, now));
}

/**
 * After the commits: queue the notifications of the pushes and count what was pushed and granted, and the
 * listed pairs that lapsed. Only what this write committed counts (`committed`): a rerun or a redelivery
 * that finds the pair already moved counts nothing.
 */
export async function afterSettle(ports: SettlePorts, results: readonly SettleResult[], now: Instant): Promise<void> {
  const pairs = results.flatMap((r) => (r.notify ? [r.notify] : []));
  if (pairs.length > 0) await ports.queues.sendNotifications(notifyMessages(pairs, now));
  const reached = results.flatMap((r) => r.committed.flatMap((t) => t.newlyReached));
  const notified = reached.filter((s) => s === 'NOTIFIED').length;
  const granted = reached.filter((s) => s === 'GRANTED').length;
  const lapsed = reached.filter((s) => s === 'LAPSED').length;
  if (notified > 0) ports.metrics.count('EntitlementsNotified', notified);
  if (granted > 0) ports.metrics.count('EntitlementsGranted', granted);
  if (lapsed > 0) ports.metrics.count('PublicityPairsLapsed', lapsed);
  const days = results.reduce((n, r) => n + r.committed.reduce((m, t) => m + (t.newlyReached.includes('NOTIFIED') ? (t.eligibleToPushDays ?? 0) : 0), 0), 0);
  if (notified > 0) ports.metrics.count('EligibleToPushDays', days);
}
