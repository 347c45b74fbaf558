/**
 * The local stand-in for the upstream systems that read the outbound queue: it keeps what arrives in
 * memory (GET /_dev/outbound) and, with a data folder, in outbound.ndjson.
 *
 * Outbound delivery is at least once with a stable event id (a process killed between sending an outbox
 * entry and marking it sent sends it again after the restart, and so does a redelivered approval event
 * for the version it made; the sink itself can be stopped between
 * writing a line and deleting the message). A consumer de-duplicates on the id, and so does this sink:
 * each id is listed once, across restarts on the same data folder.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface OutboundRecord {
  readonly receivedAt: string;
  readonly event: Record<string, unknown>;
}

/** In memory, the sink keeps this many events (the file keeps all). */
const MEMORY_LIMIT = 50_000;

export interface OutboundSink {
  readonly records: OutboundRecord[];
  /** Ids listed since the sink started (the data folder's included), however many the memory keeps. */
  readonly listed: () => number;
  /** Deliveries of an id already listed, dropped. */
  readonly duplicates: () => number;
  stop(): Promise<void>;
}

function idOf(event: Record<string, unknown>): string {
  return `${String(event.source ?? '')}\n${String(event.id ?? '')}`;
}

export function startOutboundSink(sqs: SQSClient, queueUrl: string, dataDir: string | undefined, onError: (error: unknown) => void): OutboundSink {
  const records: OutboundRecord[] = [];
  const seen = new Set<string>();
  const file = dataDir ? join(dataDir, 'outbound.ndjson') : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  if (file && existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    // A kill mid-write can leave a partial last line: end it, so the next line starts on its own.
    if (text.length > 0 && !text.endsWith('\n')) appendFileSync(file, '\n');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const record = JSON.parse(line) as OutboundRecord;
        if (seen.has(idOf(record.event))) continue;
        seen.add(idOf(record.event));
        records.push(record);
      } catch {
        /* a line cut short by a kill: the message is still in the queue and will be listed again */
      }
    }
    if (records.length > MEMORY_LIMIT) records.splice(0, records.length - MEMORY_LIMIT);
  }
  let duplicates = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        const messages = out.Messages ?? [];
        if (messages.length === 0) continue;
        const lines: string[] = [];
        for (const m of messages) {
          const event = JSON.parse(m.Body ?? '{}') as Record<string, unknown>;
          const id = idOf(event);
          if (seen.has(id)) {
            duplicates++;
            continue;
          }
          seen.add(id);
          const record = { receivedAt: new Date().toISOString(), event };
          records.push(record);
          if (records.length > MEMORY_LIMIT) records.shift();
          lines.push(JSON.stringify(record) + '\n');
        }
        // A line ends with its newline in one write, so a kill leaves at most one partial last line.
        if (file && lines.length) appendFileSync(file, lines.join(''));
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      } catch (error) {
        if (running) onError(error);
      }
    }
  })();
  return {
    records,
    listed: () => seen.size,
    duplicates: () => duplicates,
    async stop() {
      running = false;
      await loop;
    },
  };
}
