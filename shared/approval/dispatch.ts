/**
 * Sends stored outboxes (see store.ts): the domain effects, then the outbound events, then marks them
 * sent. Every step is idempotent (deterministic message ids, a create-once credit mark), so sending again
 * after a crash only repeats what receivers already de-duplicate. A failure throws: the caller's event is
 * redelivered, or the deadlines schedule picks the outbox up.
 */
import { markFalseCommitment } from '#registry/store';
import { publish } from '#platform/outbound';
import { sendMessages } from '#platform/queues';
import { nowIso } from '#platform/clock';
import { caseOpenedFor } from './messages';
import { markAllSent, markSent, type Outbox } from './store';

export interface Dispatch {
  readonly applicationId: string;
  /** The version (or flag) whose outbox this is. */
  readonly sk: string;
  readonly outbox: Outbox;
}

export async function dispatch(applicationId: string, sk: string, outbox: Outbox): Promise<void> {
  await send([{ applicationId, sk, outbox }]);
  await markSent(applicationId, sk, nowIso());
}

/** The outboxes of a batch's first decisions (group commit): one send per queue, marks 25 per request. */
export async function dispatchAll(entries: readonly Dispatch[]): Promise<void> {
  if (entries.length === 0) return;
  await send(entries);
  await markAllSent(entries, nowIso());
}

async function send(entries: readonly Dispatch[]): Promise<void> {
  const review = [];
  for (const { outbox } of entries) {
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
  }
  if (review.length > 0) await sendMessages('review', review);
  await publish(entries.flatMap((e) => e.outbox.outbound));
}
