/**
 * The review consumer (好差评): completed cases (from departments, and from 秒批 approvals as the internal
 * `civicflow.case.opened`), reviews from every channel, and rectification steps. Parses the message
 * (shared/contract/queued.ts), maps it to the domain (shared/review/inbound.ts) and dispatches it to its use
 * case (shared/review/service.ts), which records refusals, counts and logs after commit. What throws is
 * retried by SQS and reaches the DLQ after the queue's max receives.
 */
import { caseOpenedSchema } from '#contract/internal-schemas';
import { carriedBy, receiveCountOf, sqsConsumer } from '#platform/consumer';
import { eventRef } from '#platform/inbound';
import { caseOf, loadedCaseIds, reviewOf, stepOf } from '#review/inbound';
import { stageReviewService } from '#review/adapters';

/** The review queue: inbound cases, reviews and rectification steps, and the cases approvals open. */
const parse = carriedBy('review', { 'civicflow.case.opened': caseOpenedSchema });

/**
 * The records of a batch write together (shared/platform/group-commit.ts): the use cases defer their
 * changes to the batch's unit of work and count their outcomes once the change is written. The cases its
 * reviews and steps name are read ahead for the whole batch.
 */
export const handler = sqsConsumer(
  async (event, record) => {
    const reviews = stageReviewService();
    switch (event.type) {
      case 'gov.case.completed':
      case 'civicflow.case.opened':
        await reviews.completeCase(caseOf(event), eventRef(event));
        return;
      case 'gov.review.submitted':
        await reviews.submitReview(reviewOf(event));
        return;
      case 'gov.rectification.updated':
        await reviews.applyStep(stepOf(event), { receiveCount: receiveCountOf(record) });
        return;
    }
  },
  { parse, unitOfWork: () => stageReviewService().unitOfWork(loadedCaseIds) },
);
