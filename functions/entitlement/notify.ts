/**
 * 免申即享 notifications (SPEC §5): delivers each pair's one notification to the channel sender. Thin: the
 * use case (claim, send, record the delivery status, outbound event) is deliverNotification in
 * shared/entitlement/service.ts; a failed delivery throws so SQS retries it.
 */
import { entitlementNotifySchema } from '#contract/internal-schemas';
import { carriedBy, receiveCountOf, sqsConsumer } from '#platform/consumer';
import { deliverNotification } from '#entitlement/service';

const parse = carriedBy('notify', { 'civicflow.entitlement.notify': entitlementNotifySchema });

export const handler = sqsConsumer(
  async (event, record) => {
    await deliverNotification({
      policyId: event.data.policyId,
      creditCode: event.data.creditCode,
      eventId: event.id,
      receiveCount: receiveCountOf(record),
    });
  },
  { parse },
);
