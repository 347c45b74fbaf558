/**
 * 好差评 use cases, shared by the review consumer and the review schedule: load a case through the store
 * port, decide (service/cases.ts, steps.ts, schedule.ts over the pure domain), carry the decision out,
 * publish, and only then count and log (service/telemetry.ts).
 *
 * Outcomes a caller sees:
 * - a state change: committed in one transaction (state + counters + audit + outbox + receipts), then
 *   published; in a consumer's batch it is deferred to the group commit and written with the others;
 * - a redelivery: the domain calls it a duplicate and nothing is written but the event's receipt (a
 *   pending outbox is re-sent);
 * - a semantic refusal (second review, mismatch, forbidden step): recorded with its reason, not thrown;
 * - `StepBeforeRectification`, `StepOutOfOrder` (service/steps.ts): thrown so SQS retries the step;
 * - anything else thrown is an infrastructure error for SQS to retry.
 */
import { afterCommit, currentUnit, GroupCommit } from '#platform/group-commit';
import { inPool } from '#platform/pool';
import type { EventRef } from '#platform/receipts';
import type { Case, Review } from './domain/types';
import { VersionConflict, type CaseBundle, type ReviewChange, type ReviewPorts } from './ports';
import { decideCaseCompleted, decideReview } from './service/cases';
import type { DecideContext, Decision, Effect, Outcome } from './service/decision';
import { decideInvitations, decideOverdue, figureMetrics, type ScheduleSummary } from './service/schedule';
import { decideStep, OUT_OF_ORDER_RECEIVES, type Step } from './service/steps';
import { caseCompleted, overdueFlagged, reviewSubmitted, scheduleRan, stepTaken } from './service/telemetry';

export type { Outcome } from './service/decision';
export type { ScheduleSummary } from './service/schedule';
export { OUT_OF_ORDER_RECEIVES, StepBeforeRectification, StepOutOfOrder, type Step } from './service/steps';

export interface ReviewService {
  /** gov.case.completed, or the case an approval opened (`cause` is the event that says so). */
  completeCase(kase: Case, cause: EventRef): Promise<Outcome>;
  /** gov.review.submitted. */
  submitReview(review: Review): Promise<Outcome>;
  /** gov.rectification.updated; `receiveCount` is the message's SQS ApproximateReceiveCount. */
  applyStep(step: Step, options?: { readonly receiveCount?: number }): Promise<Outcome>;
  /** The schedule: invitations, reminders, defaults and overdue flags that are due, then the month's figures. */
  runSchedule(): Promise<ScheduleSummary>;
  /**
   * The consumer's unit of work (platform/group-commit.ts): the changes of a batch's records written
   * together, each counter row once per transaction, then their outboxes published.
   */
  unitOfWork(): GroupCommit<ReviewChange>;
}

const MAX_ATTEMPTS = 6;
/** Cases the schedule works on at once. */
const SCHEDULE_CONCURRENCY = 8;

/** Publishes what committed changes produced, then clears it from their outboxes. */
async function publishAndClear(ports: ReviewPorts, changes: readonly Pick<ReviewChange, 'caseId' | 'outbound'>[]): Promise<void> {
  const events = changes.flatMap((c) => c.outbound ?? []);
  if (events.length === 0) return;
  await ports.outbound.publish(events);
  await ports.store.clearOutbox(changes);
}

async function carryOut(ports: ReviewPorts, effect: Effect): Promise<void> {
  const { store } = ports;
  switch (effect.kind) {
    case 'none':
      return;
    case 'receipt':
      await store.recordReceipt(effect.receipt);
      return;
    case 'refuse': {
      // Refused before under another event (the same reviewId or step sent twice): this event still gets its receipt.
      const recorded = await store.recordRejection(effect.caseId, effect.rejection, effect.audit, effect.receipt);
      if (!recorded && effect.receipt) await store.recordReceipt(effect.receipt);
      return;
    }
    case 'write': {
      const batch = currentUnit<ReviewChange>();
      // Written with the rest of the batch; a condition that fails then makes the record run again alone.
      if (batch) return batch.unit.defer(effect.change);
      await store.commit(effect.change);
      await publishAndClear(ports, [effect.change]);
    }
  }
}

/** Reload-and-decide: a version race means someone else changed the case; decide again on fresh state. */
async function decideAndCarryOut<T>(
  ports: ReviewPorts,
  caseId: string,
  now: string,
  decide: (bundle: CaseBundle, ctx: DecideContext) => Decision<T>,
): Promise<T> {
  const ctx: DecideContext = { now, calendar: ports.calendar, config: ports.config };
  for (let n = 1; ; n++) {
    // In a batch, a change of this case may still be waiting: write it first, then load.
    await currentUnit<ReviewChange>()?.unit.beforeLoad(caseId);
    const bundle = await ports.store.loadCase(caseId);
    // A change committed earlier whose publish failed: send it now (ids are deterministic).
    await publishAndClear(ports, [{ caseId, outbound: bundle.outbox }]);
    const decision = decide(bundle, ctx);
    try {
      await carryOut(ports, decision.effect);
      return decision.result;
    } catch (error) {
      if (!(error instanceof VersionConflict) || n >= MAX_ATTEMPTS) throw error;
      ports.log.info('version race: deciding again on fresh state', { caseId, attempt: n });
      await new Promise((r) => setTimeout(r, 10 * n));
    }
  }
}

/** Runs `work` over `ids` with bounded concurrency; a failure of one id is logged and counted, not fatal. */
async function forEachCase(ports: ReviewPorts, ids: readonly string[], work: (id: string) => Promise<void>): Promise<number> {
  let failed = 0;
  await inPool(ids, SCHEDULE_CONCURRENCY, async (id) => {
    try {
      await work(id);
    } catch (error) {
      failed++;
      ports.log.error('review schedule: case failed; it stays due and is retried next run', { caseId: id, error: error as Error });
    }
  });
  return failed;
}

/** This month's figures per department, as metrics for the dashboard. */
async function emitFigures(ports: ReviewPorts, now: string): Promise<void> {
  const month = ports.calendar.localDate(now).slice(0, 7);
  for (const row of await ports.store.listCounters('department', { granularity: 'month', value: month })) {
    const values = figureMetrics(row);
    if (values.length > 0) ports.metrics.single({ Department: row.key }, values);
  }
}

async function runSchedule(ports: ReviewPorts): Promise<ScheduleSummary> {
  const now = ports.clock();
  const counts = { invited: 0, reminded: 0, defaulted: 0, overdue: 0 };
  const failedInvites = await forEachCase(ports, await ports.store.dueCaseIds('invite', now), async (caseId) => {
    for (const action of await decideAndCarryOut(ports, caseId, now, decideInvitations)) {
      if (action === 'invite') counts.invited++;
      else if (action === 'remind') counts.reminded++;
      else counts.defaulted++;
    }
  });
  const failedRects = await forEachCase(ports, await ports.store.dueCaseIds('rectification', now), async (caseId) => {
    const flags = await decideAndCarryOut(ports, caseId, now, decideOverdue);
    counts.overdue += flags.kinds.length;
    overdueFlagged(ports, flags, now);
  });
  await emitFigures(ports, now);
  const summary: ScheduleSummary = { ...counts, failed: failedInvites + failedRects };
  scheduleRan(ports, summary, now);
  return summary;
}

export function createReviewService(ports: ReviewPorts): ReviewService {
  return {
    async completeCase(kase, cause) {
      const input: Case = kase.district === undefined && ports.district !== undefined ? { ...kase, district: ports.district } : kase;
      const out = await decideAndCarryOut(ports, kase.caseId, ports.clock(), (bundle, ctx) => decideCaseCompleted(bundle, input, cause, ctx));
      afterCommit(() => caseCompleted(ports, out));
      return out;
    },

    async submitReview(review) {
      const out = await decideAndCarryOut(ports, review.caseId, ports.clock(), (bundle, ctx) => decideReview(bundle, review, ctx));
      afterCommit(() => reviewSubmitted(ports, review, out));
      return out;
    },

    async applyStep(step, options = {}) {
      const receiveCount = options.receiveCount ?? OUT_OF_ORDER_RECEIVES;
      const out = await decideAndCarryOut(ports, step.caseId, ports.clock(), (bundle, ctx) => decideStep(bundle, step, receiveCount, ctx));
      afterCommit(() => stepTaken(ports, step, out));
      return out;
    },

    runSchedule: () => runSchedule(ports),

    unitOfWork() {
      return new GroupCommit<ReviewChange>({
        keyOf: (change) => change.caseId,
        write: (changes) => ports.store.commitMany(changes),
        afterWrite: (changes) => publishAndClear(ports, changes),
      });
    },
  };
}
