/**
 * The ingest ports as deployed: the events table (store.ts) and the queues that own each type. One object,
 * so the bench can time each step of a post by wrapping its two functions.
 */
import { sendMessages } from '#platform/queues';
import type { ReceivedEvent } from './domain/types';
import type { IngestPorts } from './ports';
import { recordEvents } from './store';

/** SQS takes at most ten messages per SendMessageBatch. */
const PER_SEND = 10;

/**
 * Sends each event to the queue that owns its type, as its own message with its type and source, stamped
 * with its receipt at ingest.
 */
async function enqueueEvents(events: readonly ReceivedEvent[]): Promise<void> {
  const stamped = (e: ReceivedEvent) => ({ ...e.event, receivedat: e.receivedAt });
  const byQueue = new Map<ReceivedEvent['queue'], ReceivedEvent[]>();
  for (const e of events) byQueue.set(e.queue, [...(byQueue.get(e.queue) ?? []), e]);
  // Every queue's batches of 10 at once, not one after the other: the post waits for the slowest send only.
  await Promise.all(
    [...byQueue].flatMap(([queue, list]) => {
      const sends: Promise<void>[] = [];
      for (let i = 0; i < list.length; i += PER_SEND) {
        sends.push(sendMessages(queue, list.slice(i, i + PER_SEND).map((e) => ({ body: stamped(e), attributes: { type: e.type, source: e.source } }))));
      }
      return sends;
    }),
  );
}

export const ingestPorts: IngestPorts = { record: recordEvents, enqueue: enqueueEvents };
