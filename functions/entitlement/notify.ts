/**
 * 免申即享 notifications: delivers each pair's one notification to the channel sender. Parses,
 * then calls deliverNotification (shared/entitlement/service/notify.ts: claim, send, record the delivery
 * status, outbound event); a failed delivery throws so SQS retries it.
 */
import { entitlementNotifySchema } from '#contract/internal-schemas';
import { carriedBy, receiveCountOf, sqsConsumer } from '#platform/consumer';
import { notifyPorts } from '#entitlement/notify-adapters';
import { WEBHOOK_TIMEOUT_MS } from '#entitlement/channel';
import { deliverNotification } from '#entitlement/service/notify';

const parse = carriedBy('notify', { 'civicflow.entitlement.notify': entitlementNotifySchema });

export const handler = sqsConsumer(
  async (event, record) =>
    deliverNotification(notifyPorts, {
      policyId: event.data.policyId,
      creditCode: event.data.creditCode,
      eventId: event.id,
      receiveCount: receiveCountOf(record),
    }),
  // A record can wait the webhook's whole timeout, then write its delivery: the batch stops starting
  // records with that and 5 s more left, so the one in hand and the answer fit before the timeout.
  { parse, timeReserveMs: WEBHOOK_TIMEOUT_MS + 5_000 },
);
