/**
 * Sending stored outboxes (see store.ts): the internal events of a version's effects (the review case to
 * the review queue, the credit mark to the registry's), then its outbound events, then the outbox is
 * marked sent. Every step is idempotent (deterministic message ids, a create-once credit mark), so sending
 * again after a crash only repeats what receivers already de-duplicate. A failure throws: the caller's
 * event is redelivered, or the deadlines schedule picks the outbox up.
 */
import type { InternalEvent } from '#contract/internal';
import type { Decision } from '../domain/decision';
import type { ApprovalPorts, Outbox, OutboxRef } from '../ports';

export interface Sending {
  readonly ref: OutboxRef;
  readonly outbox: Outbox;
  /** The internal events of `outbox.effects` (messages.ts builds them). */
  readonly internal: readonly InternalEvent[];
}

export interface OutboxSender {
  send(sending: Sending): Promise<void>;
  /** The outboxes of a batch's first decisions (group commit): one send per queue, marked together. */
  sendAll(sendings: readonly Sending[]): Promise<void>;
}

/** The outbox of a decision version. */
export const versionOutbox = (decision: Pick<Decision, 'applicationId' | 'sequence'>): OutboxRef => ({
  applicationId: decision.applicationId,
  of: 'version',
  sequence: decision.sequence,
});

export function outboxSender({ store, messenger, now }: Pick<ApprovalPorts, 'store' | 'messenger' | 'now'>): OutboxSender {
  const deliver = async (sendings: readonly Sending[]) => {
    const internal = sendings.flatMap((s) => s.internal);
    if (internal.length > 0) await messenger.sendInternal(internal);
    await messenger.publish(sendings.flatMap((s) => s.outbox.outbound));
  };
  return {
    async send(sending) {
      await deliver([sending]);
      await store.markSent(sending.ref, now());
    },
    async sendAll(sendings) {
      if (sendings.length === 0) return;
      await deliver(sendings);
      await store.markAllSent(
        sendings.map(({ ref, outbox }) => ({ ref, outbox })),
        now(),
      );
    },
  };
}
