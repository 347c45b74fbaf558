import { toCloudEvent, type OutboundEvent } from '#contract/outbound';
import { sendMessages } from './queues';

export { OUTBOUND_SOURCE, toCloudEvent, type OutboundEvent } from '#contract/outbound';

/** Sends outbound events (shared/contract/outbound.ts) to the `outbound` queue, which upstream systems read. */
export async function publish(events: readonly OutboundEvent[]): Promise<void> {
  if (events.length === 0) return;
  await sendMessages(
    'outbound',
    events.map((e) => ({ body: toCloudEvent(e), attributes: { type: e.type, subject: e.subject } })),
  );
}
