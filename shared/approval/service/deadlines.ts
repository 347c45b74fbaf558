/**
 * The deadlines schedule: a 容缺 case still pending a grace period after its supplement deadline
 * (`receiptGraceMs`) is TERMINATED (a bundle's child too, with the bundle's roll-up recomputed); an approval on
 * commitment not verified the same grace after its due date is flagged, once (a bundle's child too); outboxes a crash left unsent (single items'
 * and bundles') are sent again. Every write is conditional on the version it was computed from, so
 * overlapping runs or a rerun change nothing twice.
 *
 * Each case, bundle and outbox is its own: one that fails (a read, a write or a send refused, a stored
 * version the code cannot take) is logged with its id, counted in `failed` and left as it was, due, for the
 * next run, and the run goes on with the others. Each list comes oldest due first, so a case that fails every
 * time would otherwise stop every case due after it, run after run.
 */
import { countedRun, timeBox, type TimeBox, type TimeLeft, type WriteItemCounts } from '#platform/time-reserve';
import { overdueAudit } from '../domain/audit';
import type { Cause } from '../domain/decision';
import { bundleNextDue, flaggedIn } from '../domain/bundle/later';
import { isVerificationOverdue, onSupplementDeadline, dueBeforeGrace } from '../domain/lifecycle';
import { OVERDUE_VERIFICATION } from '../domain/metrics';
import { effectEvents, verificationOverdueFor } from '../messages';
import type { BundleDeadlinesStore } from '../bundle-ports';
import type { DeadlinesPorts, Outbox, OutboxRef } from '../ports';
import { outboxSender } from './outbox';
import { bundleService, type BundlePorts, type BundleService } from './bundle';
import { storeVersion } from './versions';

const DEADLINES_SOURCE = '/civicflow/approval-deadlines';
const DEADLINES_TYPE = 'civicflow.schedule.approval-deadlines';
/** An outbox younger than this is probably being sent right now by the handler that wrote it. */
const OUTBOX_GRACE_MS = 2 * 60_000;

/**
 * How long a supplement or a verification report received (at ingest) by its deadline may wait in the approval
 * queue before its first receive: a backlog the consumer works off (its `oldest-message` alarm fires at 5 minutes), a consumer
 * throttled or failing for a while. An hour, beyond which it is an outage to be redriven.
 */
export const RECEIPT_QUEUE_WAIT_MS = 60 * 60_000;

/**
 * How long after a deadline the schedule waits before acting on it: terminating a case still pending materials,
 * flagging a verification not reported. It is the longest a supplement or report received in time can wait in
 * the queue (RECEIPT_QUEUE_WAIT_MS) and then take over its receives — the approval queue's visibility timeout × maxReceiveCount, `deliveryMs` (the
 * deployment's DELIVERY_SECONDS_APPROVAL) — so such a supplement is decided on its materials first, and
 * such a report recorded before any flag. The deadline shown (`supplementDue`, `verificationDue`) stays the
 * deadline: the grace only delays the schedule. A supplement delayed longer still (a redrive after a long
 * outage) is refused SUPPLEMENT_IN_TIME_AFTER_TERMINATION (domain/lifecycle.ts `supplement`); a report keeps
 * the flag already raised and is recorded in time (`onVerification`).
 */
export function receiptGraceMs(deliveryMs: number): number {
  if (!Number.isFinite(deliveryMs) || deliveryMs < 0) throw new Error(`the approval queue's longest delivery must be a non-negative number of milliseconds, got ${deliveryMs}`);
  return RECEIPT_QUEUE_WAIT_MS + deliveryMs;
}

export interface DeadlinesSummary {
  readonly terminated: number;
  /** Bundle applications whose children past their supplement deadline were terminated. */
  readonly bundlesTerminated: number;
  /** Verifications flagged overdue: single items' and bundle children's. */
  readonly flagged: number;
  /** Outboxes found unsent after a crash and sent now. */
  readonly resent: number;
  /** Due cases, bundles and outboxes not started because the run's time was running out: the next run takes them. */
  readonly deferred: number;
  /** Due cases, bundles and outboxes whose work failed (each logged): left due, the next run tries them again. */
  readonly failed: number;
}

export interface DeadlinesRunOptions {
  /** The time the run has left (ms), the function's; unset, the run takes everything that is due. */
  readonly timeLeftMs?: TimeLeft;
  /**
   * Where the run writes its `failed` and `deferred` (ItemsFailed, ItemsDeferred): once, as it ends, even when
   * a later pass throws after earlier ones counted their items (the summary is then never returned).
   */
  readonly counted?: WriteItemCounts;
}

/**
 * Time kept back at the end of a run: the case in hand finishes (a load, a write and its outbound events,
 * well under a second) and the run returns, so its summary is logged and no timeout is reported as the
 * function's error. A backlog (after an outage) is then worked off over several runs, each ending cleanly.
 */
export const DEADLINES_TIME_RESERVE_MS = 10_000;

/**
 * One run: its clock's time; the cut-off, the grace before it (`receiptGraceMs`), the deadlines it may act on
 * end before; and its time box (the time it has left, and what it left for the next run).
 */
interface Run {
  readonly now: string;
  readonly dueBefore: string;
  readonly box: TimeBox;
}

export interface DeadlinesService {
  /** One run at the clock's time. */
  runDeadlines(options?: DeadlinesRunOptions): Promise<DeadlinesSummary>;
}

/** What the schedule needs for bundle applications: their store (with the schedule's queries), the catalogue, the registry and the calendar. */
export type DeadlinesBundlePorts = Pick<BundlePorts, 'catalogue' | 'registry' | 'calendar'> & { readonly bundles: BundleDeadlinesStore };

export function createDeadlinesService(ports: DeadlinesPorts, bundlePorts?: DeadlinesBundlePorts): DeadlinesService {
  const { store, telemetry, receiptGraceMs: graceMs } = ports;
  const bundles: BundleService | undefined = bundlePorts && bundleService({ ...ports, ...bundlePorts });
  const outbox = outboxSender(ports);
  const cause = (id: string): Cause => ({ source: DEADLINES_SOURCE, id, type: DEADLINES_TYPE });
  /** Runs `work` over a list one at a time within the run's time box; a failed item is logged and counted. */
  const eachDue = <T>(run: Run, what: string, idOf: (item: T) => Record<string, unknown>, items: readonly T[], work: (item: T) => Promise<void>) =>
    run.box.forEachWithin(items, 1, work, {
      onError: (item, error) => telemetry.error(`approval deadlines: ${what} failed; it stays due and is tried again next run`, { ...idOf(item), error }),
    });

  async function terminateMissedSupplements(run: Run): Promise<number> {
    const { now } = run;
    let terminated = 0;
    // Not started once out of time: left due for the next run, counted as deferred. Only cases the grace past
    // their deadline: a supplement received in time and still queued is decided first.
    const overdue = await store.overdue('SUPPLEMENT', run.dueBefore);
    await eachDue(run, 'supplement deadline', (due) => ({ applicationId: due.applicationId }), overdue, async (due) => {
      // The index is eventually consistent and another run may be at work: decide on the stored case.
      const known = await store.loadCase(due.applicationId);
      if (!known.decision) return;
      const next = onSupplementDeadline(known.decision, now, graceMs);
      if (!next) return;
      const why = cause(`supplement-deadline:${due.applicationId}:${known.decision.sequence}`);
      // 'raced': a supplement or another run got there first; the next run looks again.
      const stored = await storeVersion(ports, outbox, { previous: known.decision, decision: next, cause: why, causeKind: 'supplementDeadline', now });
      if (stored === 'stored') terminated++;
    });
    return terminated;
  }

  /**
   * Bundles with a child deadline past: children past their supplement deadline terminated (one version),
   * then children's verifications past their due date flagged (another), each keyed by the version it
   * follows. A bundle the index lists with nothing left to do (a final bundle's pending child, an entry
   * written before) is put back under what is next due, or taken out of the index.
   */
  async function sweepBundles(run: Run): Promise<{ terminated: number; flagged: number }> {
    const counts = { terminated: 0, flagged: 0 };
    if (bundles === undefined || bundlePorts === undefined) return counts;
    const store = bundlePorts.bundles;
    // Both things a bundle waits on (a supplement deadline, a verification due date) are acted on only the
    // grace after them: a bundle inside it has nothing to do yet.
    const due = await store.overdueBundles(run.dueBefore);
    await eachDue(run, 'bundle', (applicationId) => ({ applicationId }), due, async (applicationId) => {
      const before = (await store.loadBundle(applicationId)).state;
      if (before === undefined) return;
      // Each step answers with the bundle as it left it: the next step is keyed by that version.
      const terminated = await bundles.terminateMissed(applicationId, cause(`bundle-supplement-deadline:${applicationId}:${before.sequence}`), graceMs);
      if (terminated === undefined) return;
      if (terminated.sequence > before.sequence) counts.terminated++;
      const after = await bundles.flagOverdue(applicationId, cause(`bundle-verification-overdue:${applicationId}:${terminated.sequence}`), graceMs);
      if (after === undefined) return;
      if (after.sequence > terminated.sequence) counts.flagged += flaggedIn(after).length;
      // Nothing stored this run: the entry no longer says what is due.
      if (after.sequence === before.sequence) await store.reindexBundleDue(applicationId, after.sequence, bundleNextDue(after));
    });
    return counts;
  }

  async function resendUnsentBundles(run: Run, before: string): Promise<number> {
    if (bundles === undefined || bundlePorts === undefined) return 0;
    let resent = 0;
    const unsent = await bundlePorts.bundles.unsentBundleOutboxes(before);
    await eachDue(run, 'bundle outbox', (u) => ({ ...u }), unsent, async ({ applicationId, sequence }) => {
      if (await bundles.resendBundle(applicationId, sequence)) resent++;
    });
    return resent;
  }

  async function flagOverdueVerifications(run: Run): Promise<number> {
    const { now } = run;
    let flagged = 0;
    // Only verifications the grace past their due date, the same as a supplement's (`receiptGraceMs`): a
    // report received in time and still queued is processed first. The event's due date stays the due date.
    const overdue = await store.overdue('VERIFICATION', run.dueBefore);
    await eachDue(run, 'verification deadline', (due) => ({ applicationId: due.applicationId }), overdue, async (due) => {
      const known = await store.loadCase(due.applicationId);
      const decision = known.decision;
      if (!decision || known.overdueFlag || !isVerificationOverdue(decision, now, graceMs)) return;
      const box: Outbox = { outbound: [verificationOverdueFor(decision, now)], effects: [] };
      const audit = overdueAudit(decision, cause(`verification-overdue:${decision.applicationId}`), now);
      if ((await store.storeOverdueFlag({ decision, flaggedAt: now, outbox: box, audit })) === 'raced') return;
      flagged++;
      telemetry.metrics([OVERDUE_VERIFICATION]);
      telemetry.info('verification overdue', { applicationId: decision.applicationId, itemCode: decision.itemCode });
      // A send that fails leaves the flag's outbox pending: a later run's resend finds it.
      await outbox.send({ ref: { applicationId: decision.applicationId, of: 'overdueFlag' }, outbox: box, internal: [] });
    });
    return flagged;
  }

  async function resendUnsent(run: Run): Promise<number> {
    const { now } = run;
    let resent = 0;
    const before = new Date(Date.parse(now) - OUTBOX_GRACE_MS).toISOString();
    await eachDue(run, 'outbox', (ref) => ({ ...ref }), await store.unsentOutboxes(before), async (ref) => {
      const waiting = await pendingOutbox(ref);
      // The store lists the outboxes of this schedule's own changes: a TERMINATED version with its hard-case
      // notice, an overdue flag. One written before it listed only those can be an event's, with effects
      // (review case, credit mark) that need grants this function does not have: that event's redelivery
      // sends it.
      if (!waiting || waiting.effects.some((e) => e.kind !== 'tellHardCase')) return;
      await outbox.send({ ref, outbox: waiting, internal: effectEvents(waiting.effects) });
      resent++;
    });
    resent += await resendUnsentBundles(run, before);
    if (resent > 0) telemetry.warn('resent unsent outboxes', { resent });
    return resent;
  }

  /** The outbox as the case holds it, if still unsent (the index is eventually consistent). */
  async function pendingOutbox(ref: OutboxRef): Promise<Outbox | undefined> {
    const known = await store.loadCase(ref.applicationId);
    const owner = ref.of === 'overdueFlag' ? known.overdueFlag : known.versions.find((v) => v.decision.sequence === ref.sequence);
    return owner?.pending ? owner.outbox : undefined;
  }

  return {
    async runDeadlines(options = {}) {
      const now = ports.now();
      const run: Run = { now, dueBefore: dueBeforeGrace(now, graceMs), box: timeBox(DEADLINES_TIME_RESERVE_MS, options.timeLeftMs) };
      return countedRun(run.box, options.counted ?? (() => undefined), async () => {
        const terminated = await terminateMissedSupplements(run);
        const swept = await sweepBundles(run);
        const summary = {
          terminated,
          bundlesTerminated: swept.terminated,
          flagged: (await flagOverdueVerifications(run)) + swept.flagged,
          resent: await resendUnsent(run),
          deferred: run.box.deferred,
          failed: run.box.failed,
        };
        telemetry.info('approval deadlines', { ...summary, now });
        return summary;
      });
    },
  };
}
