/**
 * Outbound `gov.*` CloudEvents: what CivicFlow publishes for upstream systems, through the
 * `outbound` queue. Delivered at least once, so every event has an id that is stable per fact.
 */

/** An outbound event before it is wrapped in its CloudEvent envelope. */
export interface OutboundEvent {
  readonly type: `gov.${string}`;
  /** Deterministic id, so that a redelivered step publishes the same id and receivers can de-duplicate. */
  readonly id: string;
  /** What the event is about, e.g. the application id. */
  readonly subject: string;
  readonly time: string;
  readonly data: Record<string, unknown>;
}

/** An outbound event a pure function decided on, before the use case gives it its id and time. */
export type OutboundDraft = Pick<OutboundEvent, 'type' | 'subject' | 'data'>;

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
