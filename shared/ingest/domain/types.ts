/** What the front door takes and answers: an accepted event, a rejection, the HTTP answer. */
import type { InboundEvent } from '#contract/envelope';
import type { InboundType } from '#contract/inbound';
import type { QueueName } from '#platform/resources';
import type { SourceConfig } from '#platform/stage-config';
import type { Issue } from '#rules/types';

export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_BATCH_EVENTS = 100;
/** SQS's limit on a message (body and attributes): an event must fit its queue as it is sent there. */
export const MAX_EVENT_BYTES = 256 * 1024;

export const CONTENT_TYPE_SINGLE = 'application/cloudevents+json';
export const CONTENT_TYPE_BATCH = 'application/cloudevents-batch+json';

export interface AcceptedEvent {
  readonly source: string;
  readonly id: string;
  readonly type: InboundType;
  readonly queue: QueueName;
  readonly hash: string;
  /** The validated event, as it is recorded and queued. */
  readonly event: InboundEvent;
}

/** What recording an event under its (source, id) found: new, the same content again, or other content. */
export type RecordOutcome = 'new' | 'duplicate' | 'conflict';

/** What recording an event found, and the receipt at ingest it stands under. */
export interface Recorded {
  readonly outcome: RecordOutcome;
  /**
   * When ingest first received the event: this post's time for a new one, the time stored with its first
   * recording for a duplicate (a retry's copy is as in time as the first post was).
   */
  readonly receivedAt: string;
}

/** An accepted event as queued: with its receipt at ingest, which a consumer judges "in time" by. */
export interface ReceivedEvent extends AcceptedEvent {
  readonly receivedAt: string;
}

export interface IngestRequest {
  readonly principal: string;
  readonly contentType: string | undefined;
  readonly body: Buffer;
  readonly sources: Readonly<Record<string, SourceConfig>>;
  readonly receivedAt: string;
  /** The local date at the edge ("YYYY-MM-DD"): ID numbers born after it are refused, and date-only asOf after it. */
  readonly today?: string;
  /** The stage's IANA time zone: a date-only policy bound is a local day in it. */
  readonly timeZone?: string;
}

export interface Rejection {
  readonly id: string | null;
  readonly errors: readonly Issue[];
}

export type IngestResponse =
  | { status: 202; body: { accepted: string[]; rejected: Rejection[] } }
  | { status: 400 | 403 | 413; body: { error: string; accepted?: string[]; rejected?: Rejection[] } };

/** A request refused whole, before any event of it is looked at. */
export type RequestProblem = Extract<IngestResponse, { status: 400 | 403 | 413 }>;
