/**
 * Sends a stored outbox (see store.ts): the domain effects, then the outbound events, then marks it sent.
 * Every step is idempotent (deterministic message ids, a create-once credit mark), so sending again after
 * a crash only repeats what receivers already de-duplicate. A failure throws: the caller's event is
 * redelivered, or the deadlines schedule picks the outbox up.
 */
import { markFalseCommitment } from '../registry/store';
import { publish } from '../platform/outbound';
import { sendMessages } from '../platform/queues';
import { nowIso } from '../platform/clock';
import { caseOpenedFor } from './messages';
import { markSent, type Outbox } from './store';

export async function dispatch(applicationId: string, sk: string, outbox: Outbox): Promise<void> {
  const review = [];
  for (const effect of outbox.effects) {
    switch (effect.kind) {
      case 'openReviewCase':
        review.push({ body: caseOpenedFor(effect), attributes: { type: 'civicflow.case.opened' } });
        break;
      case 'markFalseCommitment':
        await markFalseCommitment(effect.subjectId, effect.applicationId, effect.at);
        break;
    }
  }
  if (review.length > 0) await sendMessages('review', review);
  await publish(outbox.outbound);
  await markSent(applicationId, sk, nowIso());
}
