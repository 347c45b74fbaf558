/**
 * Sends stored outboxes (see store.ts): the domain effects as internal events (the review case to the
 * review queue, the credit mark to the registry's), then the outbound events, then marks them sent. Every
 * step is idempotent (deterministic message ids, a create-once credit mark), so sending again after a crash
 * only repeats what receivers already de-duplicate. A failure throws: the caller's event is redelivered, or
 * the deadlines schedule picks the outbox up.
 */
import { publish } from '#platform/outbound';
import { sendInternal } from '#platform/queues';
import { nowIso } from '#platform/clock';
import { effectEvents } from './messages';
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
  const internal = entries.flatMap(({ outbox }) => effectEvents(outbox.effects));
  if (internal.length > 0) await sendInternal(internal);
  await publish(entries.flatMap((e) => e.outbox.outbound));
}
