/** What the ingest use case (service.ts) needs: the events table and the queues (adapters.ts in production). */
import type { AcceptedEvent, RecordOutcome } from './domain/types';

export interface IngestPorts {
  /**
   * Records each event under (source, id) if new, in the order given (each (source, id) once per call).
   * Returns 'new', 'duplicate' (same content already recorded) or 'conflict' (the same (source, id) was
   * accepted with other content) for each.
   */
  record(events: readonly AcceptedEvent[], receivedAt: string): Promise<RecordOutcome[]>;
  /**
   * Queues events for their owning capability, each stamped with when ingest received it (the CloudEvents
   * extension `receivedat`: a consumer decides "in time" by it); throws if any could not be queued.
   */
  enqueue(events: readonly AcceptedEvent[], receivedAt?: string): Promise<void>;
}
