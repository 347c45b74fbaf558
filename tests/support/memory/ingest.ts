/**
 * The ingest ports in memory, for unit tests of its use case (shared/ingest/service.ts): recorded hashes by
 * (source, id), as the events table keeps them (create-only), and the events queued, in order.
 */
import type { AcceptedEvent } from '#ingest/domain/types';
import type { IngestPorts } from '#ingest/ports';

export function memoryIngest() {
  const recorded = new Map<string, string>();
  const queued: AcceptedEvent[] = [];
  const ports: IngestPorts = {
    async record(events) {
      return events.map((e) => {
        const key = `${e.source}|${e.id}`;
        const old = recorded.get(key);
        if (old === undefined) {
          recorded.set(key, e.hash);
          return 'new';
        }
        return old === e.hash ? 'duplicate' : 'conflict';
      });
    },
    async enqueue(events) {
      queued.push(...events);
    },
  };
  return { ports, recorded, queued };
}
