/**
 * The close of publicity windows (公示期满), run by the entitlement schedule: every window that closed (a
 * grace period ago: objections received in time may still be queued) is finished — its listed pairs
 * proceed as they would have without publicity (a confirm policy invites, a grant policy grants with what
 * was reserved at the listing), without being evaluated again — then it is no longer due. Pairs held by an objection stay held; their resolution moves them on.
 * A pair whose policy ended first (withdrawn before the close, or past its validTo when the window ended)
 * lapses instead (LAPSED): nobody is notified and its reservation goes back to the budget, in the same write.
 *
 * Re-running changes nothing: a moved pair is not PUBLICIZED any more, and a pair whose notification was
 * committed but not yet sent (a crash in between) is sent again (the same message id) before the window
 * is finished.
 *
 * Until the close has finished a window, a dismissal or a self-objection processed after its end leaves the
 * pair PUBLICIZED for the close to release (so an objection received in time, still queued, can hold it);
 * once released, they release it themselves. A pair put back on the list while the close runs is caught by
 * one of the two: the close marks the window released, then looks at its pairs once more before finishing
 * it, and the writer, after its commit, asks whether the window was released and releases the pair itself
 * when it was (releaseIfWindowReleased; its redelivery asks again, should it crash in between).
 */
import { inPool } from '#platform/pool';
import { logger } from '#platform/powertools';
import { timeBox, type TimeLeftOptions } from '#platform/time-reserve';
import { budgetOrder, closeDueBefore, isOpenAt, planRelease, type Entitlement, type Instant, type Policy } from '../domain';
import type { DueWindow, EntitlementPorts, PolicyEventPorts } from '../ports';
import { transitionsAudit, type Cause } from './records';
import { afterSettle, type SettleResult } from './settle';

/** The actor of the audit lines the schedule writes. */
export const SCHEDULE_ACTOR = '/civicflow/schedule';
const WINDOWS_PER_RUN = 25;
const PAIR_CONCURRENCY = 8;
const MAX_ATTEMPTS = 5;

export interface PublicitySummary {
  /** Windows closed by this run. */
  readonly windows: number;
  /** Pairs moved on at the close: pushed, or lapsed with their policy. */
  readonly released: number;
  /** Of those, the pairs that lapsed (their policy withdrawn or expired): not pushed, budget returned. */
  readonly lapsed: number;
  /** Windows whose close failed (each logged): still due, the next run closes them. */
  readonly failed: number;
  /** Windows not started because the run's time was running out: still due, for the next run. */
  readonly deferred: number;
}

/**
 * Time kept back at the end of the windows' pass: the window in hand finishes (its pairs released, up to a
 * few seconds for a long list) and the schedule's time index pass after it still has time to run.
 */
export const PUBLICITY_TIME_RESERVE_MS = 20_000;

/**
 * The pair's release at the close, committed; re-planned on a race. `cause`: the upstream event whose write
 * left the pair to release late (a dismissal or a self-objection in the grace), named in the line's
 * `details.source`; none for the close itself.
 */
export async function releasePair(ports: PolicyEventPorts, policy: Policy, listed: Entitlement, now: Instant, cause?: Cause): Promise<SettleResult> {
  const { store, settings } = ports;
  const pair = { policyId: listed.policyId, creditCode: listed.creditCode };
  let current: Policy = policy;
  let e: Entitlement | undefined = listed;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS && e !== undefined; attempt++) {
    if (e.state !== 'PUBLICIZED') {
      // Moved on by an earlier run: its notification is sent again if it is still undelivered.
      const pending = e.reached.includes('NOTIFIED') && (await store.isNotificationPending(pair.policyId, pair.creditCode));
      return { committed: [], entitlement: e, ...(pending ? { notify: pair } : {}) };
    }
    const plan = planRelease(e, current, now, settings.timeZone);
    if (plan.kind !== 'transition') return { committed: [], entitlement: e };
    const t = plan.transition;
    const out = await store.applyTransitions([t], transitionsAudit([t], SCHEDULE_ACTOR, cause));
    if (out.ok) return { committed: [t], entitlement: t.next, ...(t.notification ? { notify: pair } : {}) };
    if (out.withdrawn) current = { ...current, status: 'withdrawn' };
    e = await store.getEntitlement(pair.policyId, pair.creditCode);
  }
  throw new Error(`entitlement ${pair.policyId}/${pair.creditCode} kept changing at the close of its window`);
}

/**
 * Releases the pairs, then queues the notifications and counts the pushes and lapses of every pair whose
 * release committed — also when another pair's release failed (that failure is thrown after): a rerun finds
 * the committed pairs moved and counts nothing for them, so counting them here is their one chance.
 */
async function releaseAll(ports: EntitlementPorts, policy: Policy, pairs: readonly Entitlement[], now: Instant): Promise<SettleResult[]> {
  const outcomes = await inPool(pairs, PAIR_CONCURRENCY, (e) =>
    releasePair(ports, policy, e, now).then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    ),
  );
  const results = outcomes.flatMap((o) => ('result' in o ? [o.result] : []));
  await afterSettle(ports, results, now);
  const failed = outcomes.find((o) => 'error' in o);
  if (failed !== undefined && 'error' in failed) throw failed.error;
  return results;
}

/** One closed window: its pairs released in the budget's order, their notifications queued, then finished. */
async function finishWindow(ports: EntitlementPorts, due: DueWindow, now: Instant): Promise<{ released: number; lapsed: number }> {
  const { store } = ports;
  const policy = await store.getPolicy(due.policyId);
  if (policy !== undefined) {
    const pairs = (await store.listInWindow(due.policyId, due.windowId))
      .filter((e) => e.publicity !== undefined && !isOpenAt(e.publicity.closesAt, now))
      .sort(budgetOrder);
    const results = await releaseAll(ports, policy, pairs, now);
    await store.markWindowReleased(due, now);
    // Pairs put back on the list while this ran (a dismissal, a self-objection) before the window was marked
    // released; from the mark on, their writers release them. A crash before the finish runs all this again.
    const late = (await store.listInWindow(due.policyId, due.windowId))
      .filter((e) => e.state === 'PUBLICIZED' && e.publicity !== undefined && !isOpenAt(e.publicity.closesAt, now))
      .sort(budgetOrder);
    const after = await releaseAll(ports, policy, late, now);
    await store.finishWindow(due);
    const moved = [...results, ...after].filter((r) => r.committed.length > 0);
    const released = moved.length;
    const lapsed = moved.filter((r) => r.entitlement?.state === 'LAPSED').length;
    logger.info('publicity window closed', { policyId: due.policyId, windowId: due.windowId, listed: pairs.length, released, lapsed });
    return { released, lapsed };
  }
  await store.finishWindow(due);
  return { released: 0, lapsed: 0 };
}

/**
 * Whether the close has released the window of a listed pair: its window ended and the schedule marked it
 * released (or finished it). False while the window is open, and during the grace after its end.
 */
export async function windowReleased(
  ports: PolicyEventPorts,
  policyId: string,
  window: { readonly windowId: string; readonly closesAt: Instant } | undefined,
  now: Instant,
): Promise<boolean> {
  if (window === undefined || isOpenAt(window.closesAt, now)) return false;
  return ports.store.isWindowReleased({ policyId, windowId: window.windowId, closesAt: window.closesAt });
}

/**
 * After a write that left a pair PUBLICIZED in a window that has ended (a dismissal or a self-objection in
 * the grace): when the close released the window in the meantime, the pair is released here, as the close
 * would have released it (its line names the close as the actor and `cause`'s system as the source).
 * Undefined when there is nothing to release.
 */
export async function releaseIfWindowReleased(ports: PolicyEventPorts, policy: Policy, e: Entitlement, now: Instant, cause: Cause): Promise<SettleResult | undefined> {
  if (e.state !== 'PUBLICIZED' || !(await windowReleased(ports, e.policyId, e.publicity, now))) return undefined;
  const result = await releasePair(ports, policy, e, now, cause);
  await afterSettle(ports, [result], now);
  return result;
}

/**
 * The schedule's pass: every window that closed more than the grace ago (settings.publicityCloseGraceMs,
 * the policy queue's longest delivery, so an objection received in time has been processed), a bounded
 * number per run; the rest next run. A window whose close fails is logged, counted in `failed` and left due
 * (what its close committed stays committed and counted: a rerun finishes it), and the others go on: the
 * windows come oldest first, so one that failed every time would otherwise hold up every window after it.
 */
export async function closePublicityWindows(ports: EntitlementPorts, options: TimeLeftOptions = {}): Promise<PublicitySummary> {
  const now = ports.clock.now();
  const due = await ports.store.listDueWindows(closeDueBefore(now, ports.settings.publicityCloseGraceMs), WINDOWS_PER_RUN);
  let windows = 0;
  let released = 0;
  let lapsed = 0;
  const box = timeBox(PUBLICITY_TIME_RESERVE_MS, options.timeLeftMs);
  await box.forEachWithin(
    due,
    1,
    async (w) => {
      const out = await finishWindow(ports, w, now);
      // Counted as each window finishes: a later window's failure does not take this count back.
      ports.metrics.count('PublicityWindowsClosed', 1);
      windows++;
      released += out.released;
      lapsed += out.lapsed;
    },
    {
      onError: (w, error) =>
        logger.error('publicity window: close failed; it stays due and is tried again next run', { policyId: w.policyId, windowId: w.windowId, error }),
    },
  );
  return { windows, released, lapsed, failed: box.failed, deferred: box.deferred };
}
