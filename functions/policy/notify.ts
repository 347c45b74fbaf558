/**
 * 免申即享 notifications (SPEC §5): delivers each pair's one notification to the channel sender and records
 * the delivery status on its outbox record (PENDING → SENDING → DELIVERED, or back to PENDING with the error;
 * FAILED when the message's last receive fails, before SQS moves it to the DLQ — a redrive retries it).
 *
 * "Never notified twice" is a property of the entitlement (NOTIFIED is reached once, with one outbox record).
 * Towards the channel this function is at-least-once only in one window: a crash after the webhook accepted
 * and before DELIVERED was written makes a retry (after the claim goes stale) send it again; the webhook gets
 * the same `idempotency-key` (the notification id) every time, so the messaging platform can drop it.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { queues } from '../../infra/topology';
import { sqsConsumer } from '../../shared/platform/consumer';
import { logger, metrics } from '../../shared/platform/powertools';
import { config } from '../../shared/platform/config';
import { now, nowIso } from '../../shared/platform/clock';
import { publish } from '../../shared/platform/outbound';
import { claimOutbox, markDelivered, markDeliveryFailed, NOTIFY_TYPE } from '../../shared/entitlement/store';
import type { NotificationIntent } from '../../shared/entitlement';

const WEBHOOK_TIMEOUT_MS = 10_000;
/** A SENDING claim older than this was left by a crashed attempt (well over the webhook timeout). */
const STALE_CLAIM_MS = 60_000;

async function deliver(n: NotificationIntent): Promise<void> {
  const sender = config().notificationSender;
  const message = {
    notificationId: n.notificationId,
    policyId: n.policyId,
    policyVersion: n.policyVersion,
    policyName: n.policyName,
    creditCode: n.creditCode,
    channels: n.channels,
    purpose: n.purpose,
    benefit: n.benefit,
    at: n.at,
  };
  if (sender.kind === 'log') {
    logger.info('notification (log sender)', { notification: message });
    return;
  }
  const res = await fetch(sender.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': n.notificationId },
    body: JSON.stringify(message),
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`webhook answered ${res.status} ${res.statusText}`);
}

export const handler = sqsConsumer(async (event, record) => {
  if (event.type !== NOTIFY_TYPE) throw new Error(`notify cannot handle event type ${event.type}`);
  const { policyId, creditCode } = event.data as { policyId: string; creditCode: string };
  const at = nowIso();
  const claim = await claimOutbox(policyId, creditCode, at, new Date(now().getTime() - STALE_CLAIM_MS).toISOString());
  if (claim.kind === 'delivered') return;
  if (claim.kind === 'missing') {
    // Sent only after the push committed, so this is a message from elsewhere: nothing to deliver.
    logger.warn('notification without an outbox record', { policyId, creditCode, eventId: event.id });
    return;
  }
  if (claim.kind === 'busy') throw new Error(`notification ${policyId}/${creditCode} is being delivered by another attempt`);

  const n = claim.record.notification;
  try {
    await deliver(n);
  } catch (error) {
    const receives = Number(record.attributes?.ApproximateReceiveCount ?? '1');
    const final = receives >= queues.notify.maxReceiveCount;
    await markDeliveryFailed(policyId, creditCode, String((error as Error)?.message ?? error), final, nowIso());
    metrics.addMetric('NotificationFailures', MetricUnit.Count, 1);
    throw error;
  }
  // Outbound before DELIVERED: a crash in between repeats both (same ids) rather than losing the event.
  await publish([
    {
      type: 'gov.entitlement.notified',
      id: `entitlement:${policyId}:${creditCode}:NOTIFIED`,
      subject: `${policyId}/${creditCode}`,
      time: n.at,
      data: {
        policyId,
        policyVersion: n.policyVersion,
        creditCode,
        purpose: n.purpose,
        channels: n.channels,
        benefit: n.benefit,
        deliveredAt: at,
      },
    },
  ]);
  await markDelivered(policyId, creditCode, nowIso());
  metrics.addMetric('NotificationsDelivered', MetricUnit.Count, 1);
  // Read by the saved Logs Insights query "who was pushed policy P and when" (infra/stacks/observability.ts).
  logger.info('entitlement.notified', {
    policyId,
    policyVersion: n.policyVersion,
    creditCode,
    notifiedAt: n.at,
    deliveredAt: at,
    channels: n.channels,
  });
});
