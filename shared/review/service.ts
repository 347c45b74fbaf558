/**
 * 好差评 use cases of the review consumer: load a case through the store port, decide (service/cases.ts,
 * steps.ts over the pure domain), carry the decision out and publish (service/carry-out.ts), and only then
 * count and log (service/telemetry.ts). The schedule's use case is schedule.ts, on the same path.
 *
 * Outcomes a caller sees:
 * - a state change: committed in one transaction (state + counters + audit + outbox + receipts), then
 *   published; in a consumer's batch it is deferred to the group commit and written with the others;
 * - a redelivery: the domain calls it a duplicate and nothing is written but the event's receipt (a
 *   pending outbox is re-sent);
 * - a semantic refusal (second review, mismatch, forbidden step): recorded with its reason, not thrown;
 * - `StepBeforeRectification`, `StepOutOfOrder` (service/steps.ts): thrown so SQS retries the step, for a
 *   few receives; on the last of them the step is refused and recorded like any other, never dead-lettered;
 * - anything else thrown is an infrastructure error for SQS to retry.
 */
import { afterCommit, GroupCommit } from '#platform/group-commit';
import type { EventRef } from '#platform/receipts';
import type { Case, Review } from './domain/types';
import type { ReviewChange, ReviewPorts } from './ports';
import { decideAndCarryOut, primeCase, publishAndClear } from './service/carry-out';
import { decideCaseCompleted, decideReview } from './service/cases';
import type { Outcome } from './service/decision';
import { decideStep, OUT_OF_ORDER_RECEIVES, type Step } from './service/steps';
import { caseCompleted, reviewSubmitted, stepTaken } from './service/telemetry';

export type { Outcome } from './service/decision';
export { OUT_OF_ORDER_RECEIVES, StepBeforeRectification, StepOutOfOrder, type Step } from './service/steps';

export interface ReviewService {
  /** gov.case.completed, or the case an approval opened (`cause` is the event that says so). */
  completeCase(kase: Case, cause: EventRef): Promise<Outcome>;
  /** gov.review.submitted. */
  submitReview(review: Review): Promise<Outcome>;
  /** gov.rectification.updated; `receiveCount` is the message's SQS ApproximateReceiveCount. */
  applyStep(step: Step, options?: { readonly receiveCount?: number }): Promise<Outcome>;
  /**
   * The consumer's unit of work (platform/group-commit.ts): the changes of a batch's records written
   * together, each counter row once per transaction, then their outboxes published. `readAhead` names the
   * cases a batch's records will load (from its parsed events): read in one request before they run.
   */
  unitOfWork(readAhead?: (events: readonly unknown[]) => readonly string[]): GroupCommit<ReviewChange>;
}

export function createReviewService(ports: ReviewPorts): ReviewService {
  return {
    // A case is nearly always completed before anything else names it: in a batch it is decided as new
    // without a read (service/carry-out.ts `assumeNew`); when it was there, its record runs again and loads it.
    async completeCase(kase, cause) {
      const input: Case = kase.district === undefined && ports.district !== undefined ? { ...kase, district: ports.district } : kase;
      const out = await decideAndCarryOut(ports, kase.caseId, ports.now(), decideCaseCompleted, { kase: input, cause }, { assumeNew: true });
      afterCommit(() => caseCompleted(ports, out));
      return out;
    },

    async submitReview(review) {
      const out = await decideAndCarryOut(ports, review.caseId, ports.now(), decideReview, review);
      afterCommit(() => reviewSubmitted(ports, review, out));
      return out;
    },

    async applyStep(step, options = {}) {
      const receiveCount = options.receiveCount ?? OUT_OF_ORDER_RECEIVES;
      const out = await decideAndCarryOut(ports, step.caseId, ports.now(), decideStep, { step, receiveCount });
      afterCommit(() => stepTaken(ports, step, out));
      return out;
    },

    unitOfWork(readAhead) {
      const { store } = ports;
      const loadCases = readAhead && store.loadCases ? store.loadCases.bind(store) : undefined;
      const prepare =
        readAhead && loadCases
          ? async (events: readonly unknown[]) => {
              const caseIds = [...new Set(readAhead(events))];
              // One case: its own Query costs what one SELECT does.
              if (caseIds.length < 2) return;
              for (const [caseId, bundle] of await loadCases(caseIds)) primeCase(caseId, bundle);
            }
          : undefined;
      return new GroupCommit<ReviewChange>({
        keyOf: (change) => change.caseId,
        write: (changes) => store.commitMany(changes),
        afterWrite: (changes) => publishAndClear(ports, changes),
        ...(prepare ? { prepare } : {}),
      });
    },
  };
}
