/**
 * The local outbound sink (local/sink.ts): outbound delivery is at least once with a stable id, so the sink
 * lists each (source, id) once — within a run and across restarts on the same data folder, including after
 * a kill that cut its file's last line short.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOutboundSink } from '#local/sink';

const event = (id: string) => ({ specversion: '1.0', source: '/civicflow/approval', id, type: 'gov.application.decided' });
const line = (id: string) => JSON.stringify({ receivedAt: '2026-11-03T02:16:00.000Z', event: event(id) }) + '\n';

function fakeSqs(batches: Message[][]) {
  const deleted: string[] = [];
  const client = {
    send: async (command: unknown) => {
      if (command instanceof ReceiveMessageCommand) {
        const next = batches.shift();
        if (!next) await new Promise((r) => setTimeout(r, 5));
        return { Messages: next ?? [] };
      }
      if (command instanceof DeleteMessageBatchCommand) {
        deleted.push(...command.input.Entries!.map((e) => e.ReceiptHandle!));
        return { Successful: [], Failed: [] };
      }
      throw new Error('unexpected command');
    },
  };
  return { client: client as unknown as SQSClient, deleted, drained: () => batches.length === 0 };
}

const message = (id: string): Message => ({ MessageId: `m-${id}`, ReceiptHandle: `h-${id}`, Body: JSON.stringify(event(id)) });

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'civicflow-sink-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(batches: Message[][]) {
  const sqs = fakeSqs(batches);
  const sink = startOutboundSink(sqs.client, 'http://q', dir, (error) => {
    throw error;
  });
  while (!sqs.drained()) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 20));
  await sink.stop();
  return { sink, deleted: sqs.deleted };
}

describe('the outbound sink', () => {
  it('lists an id delivered twice once, and deletes both deliveries', async () => {
    const { sink, deleted } = await run([[message('a'), message('b')], [message('a')]]);
    expect(sink.records.map((r) => r.event.id)).toEqual(['a', 'b']);
    expect([sink.listed(), sink.duplicates()]).toEqual([2, 1]);
    expect(deleted).toEqual(['h-a', 'h-b', 'h-a']);
    expect(readFileSync(join(dir, 'outbound.ndjson'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('after a restart on its folder, knows what it listed, even past a line a kill cut short', async () => {
    writeFileSync(join(dir, 'outbound.ndjson'), line('a') + line('b'));
    appendFileSync(join(dir, 'outbound.ndjson'), line('c').slice(0, 30)); // killed mid-write
    const { sink } = await run([[message('b'), message('c')]]);
    expect(sink.records.map((r) => r.event.id)).toEqual(['a', 'b', 'c']);
    expect([sink.listed(), sink.duplicates()]).toEqual([3, 1]);
    const again = await run([]);
    expect(again.sink.records.map((r) => r.event.id)).toEqual(['a', 'b', 'c']);
  });
});
