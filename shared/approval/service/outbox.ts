/**
 * Sending what a version owes: the internal events of its effects (the review case to the review queue,
 * the credit mark to the registry's), then its outbound events. Every step is idempotent (deterministic
 * message ids, a create-once credit mark), so sending again after a crash only repeats what receivers
 * already de-duplicate. A failure throws: the caller's event is redelivered, or the deadlines schedule
 * picks the outbox up.
 *
 * Only the changes the deadlines schedule makes keep an outbox item (`resentBySchedule`), marked sent after
 * the send. An event's change keeps none: its redelivery, finding the version its event made, sends what
 * the version derives again.
 */
import type { InternalEvent } from '#contract/internal';
import type { Decision } from '../domain/decision';
import { effectEvents, messagesOf } from '../messages';
import { sendsAgain, type ApprovalPorts, type Outbox, type OutboxRef, type StoredVersion } from '../ports';

/** What one version (or flag) sends. */
export interface Messages {
  readonly outbox: Outbox;
  /** The internal events of `outbox.effects` (messages.ts builds them). */
  readonly internal: readonly InternalEvent[];
}

/** A stored outbox item's messages, with the item to mark sent. */
export interface Sending extends Messages {
  readonly ref: OutboxRef;
}

export interface OutboxSender {
  /** A stored outbox: sent, then marked sent. */
  send(sending: Sending): Promise<void>;
  /** Messages no outbox item tracks (an event's changes): sent, nothing to mark. A batch's go out together, one send per queue. */
  deliver(messages: readonly Messages[]): Promise<void>;
  /**
   * What a stored version still owes when an event comes again: its outbox item while pending; without an
   * item, what the version derives, when `redelivery` says this event made the version (nothing records
   * whether the first attempt sent it, so it is sent again).
   */
  resend(version: StoredVersion, redelivery: boolean): Promise<void>;
}

/** The outbox of a decision version. */
export const versionOutbox = (decision: Pick<Decision, 'applicationId' | 'sequence'>): OutboxRef => ({
  applicationId: decision.applicationId,
  of: 'version',
  sequence: decision.sequence,
});

export function outboxSender({ store, messenger, now }: Pick<ApprovalPorts, 'store' | 'messenger' | 'now'>): OutboxSender {
  const deliver = async (messages: readonly Messages[]) => {
    if (messages.length === 0) return;
    const internal = messages.flatMap((m) => m.internal);
    if (internal.length > 0) await messenger.sendInternal(internal);
    await messenger.publish(messages.flatMap((m) => m.outbox.outbound));
  };
  const send = async (sending: Sending) => {
    await deliver([sending]);
    await store.markSent(sending.ref, now());
  };
  return {
    send,
    deliver,
    async resend(version, redelivery) {
      const { outbox, decision } = version;
      if (!sendsAgain({ marked: outbox !== undefined, pending: version.pending }, redelivery)) return;
      if (outbox !== undefined) await send({ ref: versionOutbox(decision), outbox, internal: effectEvents(outbox.effects) });
      else await deliver([messagesOf(decision, version.causeKind)]);
    },
  };
}
