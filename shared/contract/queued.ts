/**
 * A message on one of CivicFlow's queues, as its consumer receives it: a CloudEvent of one of the types the
 * queue carries, discriminated by `type`, with the `data` of that type.
 *
 * Inbound `gov.*` events were validated whole at the edge, recorded and routed by CivicFlow itself: the
 * consumer checks the envelope and that the queue carries the type, and trusts the data. Validating again
 * would cost every record a parse, and would refuse (into the DLQ) an event the edge had already accepted
 * and receipted if the schemas changed between the two deployments. Internal `civicflow.*` events are parsed
 * with their schema (internal-schemas.ts), which the consumer passes in: a failure means a producer and a
 * consumer disagree.
 *
 * No zod here (consumers that take only inbound events stay without it).
 */
import type { InboundType } from './inbound';
import type { DataOf } from './schemas';
import type { InternalDataOf, InternalType } from './internal';

export type QueuedType = InboundType | InternalType;

/** The CloudEvents attributes every queued message has. */
export type QueuedAttributes = {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly time: string;
  readonly subject?: string;
  /** When ingest received an inbound event (CloudEvents extension set by CivicFlow's front door). */
  readonly receivedat?: string;
};

/** The data of a queued event of type T. */
export type QueuedDataOf<T extends QueuedType> = T extends InboundType ? DataOf<T> : T extends InternalType ? InternalDataOf<T> : never;

/** A queued event of type T; a union of types gives the discriminated union of their events. */
export type QueuedEventOf<T extends QueuedType> = T extends QueuedType ? QueuedAttributes & { readonly type: T; readonly data: QueuedDataOf<T> } : never;

/** Any queued message whose envelope is well formed, type and data not yet known. */
export type QueuedEnvelope = QueuedAttributes & { readonly type: string; readonly data: Readonly<Record<string, unknown>> };

/** What a schema of zod/mini offers, as far as parsing needs it. */
export interface DataSchema<D> {
  safeParse(input: unknown): { success: true; data: D } | { success: false; error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } };
}

/** What one queue carries: its inbound types (trusted) and its internal types, each with its schema. */
export interface QueueContract<I extends InboundType, N extends InternalType> {
  readonly inbound: readonly I[];
  readonly internal: { readonly [K in N]: DataSchema<InternalDataOf<K>> };
}

export type Parsed<E> = { readonly ok: true; readonly event: E } | { readonly ok: false; readonly problem: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** Checks the CloudEvents envelope of a queued message: the attributes every consumer relies on. */
export function parseEnvelope(body: unknown): Parsed<QueuedEnvelope> {
  if (!isObject(body)) return { ok: false, problem: 'the message is not a JSON object' };
  const missing = [
    ...(body.specversion === '1.0' ? [] : ['specversion']),
    ...(['id', 'source', 'type', 'time'] as const).filter((k) => !isText(body[k])),
    ...(body.subject === undefined || typeof body.subject === 'string' ? [] : ['subject']),
    ...(isObject(body.data) ? [] : ['data']),
  ];
  if (missing.length > 0) return { ok: false, problem: `the message is not a CloudEvent of CivicFlow's: ${missing.join(', ')} missing or malformed` };
  // Checked field by field above.
  return { ok: true, event: body as QueuedEnvelope };
}

function issuesOf(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues.map((i) => `${['data', ...i.path.map(String)].join('.')}: ${i.message}`).join('; ');
}

/** The message as an event of a type the queue carries, or what is wrong with it. */
export function parseQueued<I extends InboundType, N extends InternalType>(body: unknown, contract: QueueContract<I, N>): Parsed<QueuedEventOf<I | N>> {
  const envelope = parseEnvelope(body);
  if (!envelope.ok) return envelope;
  const event = envelope.event;
  if ((contract.inbound as readonly string[]).includes(event.type)) {
    // Validated whole at the edge (see above): trusted as the type it names.
    return { ok: true, event: event as QueuedEventOf<I> };
  }
  const schema = Object.hasOwn(contract.internal, event.type) ? contract.internal[event.type as N] : undefined;
  if (!schema) return { ok: false, problem: `${event.type} is not a type this queue carries` };
  const parsed = schema.safeParse(event.data);
  if (!parsed.success) return { ok: false, problem: `${event.type} ${event.id}: ${issuesOf(parsed.error.issues)}` };
  return { ok: true, event: { ...event, data: parsed.data } as QueuedEventOf<N> };
}
