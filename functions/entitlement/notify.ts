/**
 * 免申即享 notifications (SPEC §5): delivers each pair's one notification to the channel sender. Thin: the
 * use case (claim, send, record the delivery status, outbound event) is deliverNotification in
 * shared/entitlement/service.ts; a failed delivery throws so SQS retries it.
 */
import { receiveCountOf, sqsConsumer } from '#platform/consumer';
import { deliverNotification } from '#entitlement/service';
import { NOTIFY_TYPE } from '#entitlement/store';

export const handler = sqsConsumer(async (event, record) => {
  if (event.type !== NOTIFY_TYPE) throw new Error(`notify cannot handle event type ${event.type}`);
  const { policyId, creditCode } = event.data as { policyId: string; creditCode: string };
  await deliverNotification({
    policyId,
    creditCode,
    eventId: event.id,
    receiveCount: receiveCountOf(record),
  });
});
