/**
 * Delivering a pair's one notification to the channel that reaches the enterprise, with its delivery
 * status on the outbox record: PENDING → SENDING → DELIVERED, or back to PENDING with the error (FAILED on
 * the message's last receive, before SQS moves it to the DLQ — a redrive retries it). A failed delivery
 * throws, so SQS retries it.
 *
 * "Never notified twice" is a property of the entitlement (NOTIFIED is reached once, with one outbox
 * record). Towards the channel this is at-least-once only in one window: a crash after the channel
 * accepted and before DELIVERED was written makes a retry (after the claim goes stale) send it again; the
 * channel gets the same notification id every time (the webhook's `idempotency-key`), so it can drop it.
 */
import { logger } from '#platform/powertools';
import { channelMessage, notifiedEvent } from '../messages';
import type { EntitlementPorts } from '../ports';

/** A SENDING claim older than this was left by a crashed attempt (well over the webhook timeout). */
export const STALE_CLAIM_MS = 60_000;

export interface DeliveryRequest {
  readonly policyId: string;
  readonly creditCode: string;
  /** The id of the notify message, for the log. */
  readonly eventId: string;
  /** The SQS ApproximateReceiveCount of the notify message. */
  readonly receiveCount: number;
}

/** What delivering a notification needs: its outbox record's three writes, the channel and the outbound. */
export type NotifyPorts = Pick<EntitlementPorts, 'clock' | 'channel' | 'outbound' | 'metrics' | 'settings'> & {
  readonly store: Pick<EntitlementPorts['store'], 'claimOutbox' | 'markDelivered' | 'markDeliveryFailed'>;
};

export async function deliverNotification(ports: NotifyPorts, request: DeliveryRequest): Promise<void> {
  const { store, clock, channel, outbound, metrics, settings } = ports;
  const { policyId, creditCode, receiveCount } = request;
  const at = clock.now();
  const claim = await store.claimOutbox(policyId, creditCode, at, new Date(Date.parse(at) - STALE_CLAIM_MS).toISOString());
  if (claim.kind === 'delivered') return;
  if (claim.kind === 'missing') {
    // Sent only after the push committed, so this is a message from elsewhere: nothing to deliver.
    logger.warn('notification without an outbox record', { policyId, creditCode, eventId: request.eventId });
    return;
  }
  if (claim.kind === 'busy') throw new Error(`notification ${policyId}/${creditCode} is being delivered by another attempt`);

  const n = claim.record.notification;
  try {
    await channel.send(channelMessage(n));
  } catch (error) {
    const final = receiveCount >= settings.notifyMaxReceives;
    await store.markDeliveryFailed(policyId, creditCode, String((error as Error)?.message ?? error), final, clock.now());
    metrics.count('NotificationFailures', 1);
    throw error;
  }
  // Outbound before DELIVERED: a crash in between repeats both (same ids) rather than losing the event.
  await outbound.publish([notifiedEvent(n, at)]);
  await store.markDelivered(policyId, creditCode, clock.now());
  metrics.count('NotificationsDelivered', 1);
  // Read by the saved Logs Insights query "who was pushed policy P and when" (infra/stacks/observability.ts).
  logger.info('entitlement.notified', {
    policyId,
    policyVersion: n.policyVersion,
    creditCode,
    notifiedAt: n.at,
    deliveredAt: at,
    channels: n.channels,
  });
}
