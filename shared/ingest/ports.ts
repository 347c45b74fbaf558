/** What the ingest use case (service.ts) needs: the events table and the queues (adapters.ts in production). */
import type { AcceptedEvent, ReceivedEvent, Recorded } from './domain/types';

export interface IngestPorts {
  /**
   * Records each event under (source, id) if new, in the order given (each (source, id) once per call), as
   * received at `receivedAt`. Returns for each its outcome — 'new', 'duplicate' (same content already
   * recorded) or 'conflict' (the same (source, id) was accepted with other content) — and the receipt it
   * stands under: `receivedAt` for a new one, the one stored with the first recording for the others.
   */
  record(events: readonly AcceptedEvent[], receivedAt: string): Promise<Recorded[]>;
  /**
   * Queues events for their owning capability, each stamped with its own receipt at ingest (the CloudEvents
   * extension `receivedat`: a consumer decides "in time" by it); throws if any could not be queued.
   */
  enqueue(events: readonly ReceivedEvent[]): Promise<void>;
}
