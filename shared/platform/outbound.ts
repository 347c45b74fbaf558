import { sendMessages } from './queues';

/** An outbound CloudEvent (SPEC §8) for upstream systems. */
export interface OutboundEvent {
  readonly type: `gov.${string}`;
  /** Deterministic id, so that a redelivered step publishes the same id and receivers can de-duplicate. */
  readonly id: string;
  /** What the event is about, e.g. the application id. */
  readonly subject: string;
  readonly time: string;
  readonly data: Record<string, unknown>;
}

export const OUTBOUND_SOURCE = '/civicflow';

export function toCloudEvent(e: OutboundEvent): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: e.id,
    source: OUTBOUND_SOURCE,
    type: e.type,
    subject: e.subject,
    time: e.time,
    datacontenttype: 'application/json',
    data: e.data,
  };
}

export async function publish(events: readonly OutboundEvent[]): Promise<void> {
  if (events.length === 0) return;
  await sendMessages(
    'outbound',
    events.map((e) => ({ body: toCloudEvent(e), attributes: { type: e.type, subject: e.subject } })),
  );
}
