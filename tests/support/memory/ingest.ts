/**
 * The ingest ports in memory, for unit tests of its use case (shared/ingest/service.ts): recorded hashes and
 * first receipts by (source, id), as the events table keeps them (create-only), and the events queued, in order.
 */
import type { ReceivedEvent } from '#ingest/domain/types';
import type { IngestPorts } from '#ingest/ports';

export function memoryIngest() {
  const recorded = new Map<string, { hash: string; receivedAt: string }>();
  const queued: ReceivedEvent[] = [];
  const ports: IngestPorts = {
    async record(events, receivedAt) {
      return events.map((e) => {
        const key = `${e.source}|${e.id}`;
        const old = recorded.get(key);
        if (old === undefined) {
          recorded.set(key, { hash: e.hash, receivedAt });
          return { outcome: 'new', receivedAt };
        }
        return { outcome: old.hash === e.hash ? 'duplicate' : 'conflict', receivedAt: old.receivedAt };
      });
    },
    async enqueue(events) {
      queued.push(...events);
    },
  };
  return { ports, recorded, queued };
}
