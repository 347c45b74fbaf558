/**
 * The local poller (local/pollers.ts) against a fake SQS client: it fills a batch over 10 from what is
 * queued, deletes and requeues at most 10 entries per request (SQS's limit), and, as Lambda does, treats a
 * `batchItemFailures` identifier that is empty or not of the batch as a failure of the whole batch; while
 * paused (the local storage restarting) it receives nothing.
 */
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Poller } from '#local/pollers';

function fakeSqs(queued: Message[]) {
  const calls: { deleted: string[][]; requeued: string[][]; receives: number } = { deleted: [], requeued: [], receives: 0 };
  const client = {
    send: async (command: unknown) => {
      if (command instanceof ReceiveMessageCommand) {
        calls.receives++;
        const n = Math.min(10, command.input.MaxNumberOfMessages ?? 1);
        const out = queued.splice(0, n);
        if (out.length === 0) await new Promise((r) => setTimeout(r, 5));
        return { Messages: out };
      }
      if (command instanceof DeleteMessageBatchCommand) {
        if (command.input.Entries!.length > 10) throw new Error('TooManyEntriesInBatchRequest');
        calls.deleted.push(command.input.Entries!.map((e) => e.ReceiptHandle!));
        return { Successful: [], Failed: [] };
      }
      if (command instanceof ChangeMessageVisibilityBatchCommand) {
        if (command.input.Entries!.length > 10) throw new Error('TooManyEntriesInBatchRequest');
        calls.requeued.push(command.input.Entries!.map((e) => e.ReceiptHandle!));
        return { Successful: [], Failed: [] };
      }
      throw new Error(`unexpected ${(command as object).constructor.name}`);
    },
  };
  return { client: client as unknown as SQSClient, calls };
}

const messages = (n: number): Message[] =>
  Array.from({ length: n }, (_, i) => ({ MessageId: `m${i}`, ReceiptHandle: `h${i}`, Body: '{}', Attributes: { ApproximateReceiveCount: '1' } }));

/** Runs the poller until it has invoked the handler once, then stops it. */
async function oneBatch(queued: Message[], batchSize: number, answer: (event: SQSEvent) => SQSBatchResponse) {
  const { client, calls } = fakeSqs(queued);
  const sizes: number[] = [];
  const errors: unknown[] = [];
  const poller = new Poller(
    client,
    async (event) => {
      sizes.push(event.Records.length);
      return answer(event);
    },
    { functionName: 'f', queueUrl: 'http://q', queueArn: 'arn:q', batchSize, timeoutSeconds: 30, retryDelaySeconds: 1 },
    (error) => errors.push(error),
  );
  poller.start();
  // Stop once the first invocation's deletes and requeues are done (or the poller reported an error).
  while ((poller.invocations === 0 || poller.busy > 0) && errors.length === 0) await new Promise((r) => setTimeout(r, 2));
  await poller.stop();
  if (errors.length > 0) throw errors[0];
  return { sizes, calls };
}

describe('local Poller', () => {
  it('fills a batch of 50 from what is queued and deletes the handled records 10 per request', async () => {
    const { sizes, calls } = await oneBatch(messages(50), 50, () => ({ batchItemFailures: [{ itemIdentifier: 'm7' }, { itemIdentifier: 'm42' }] }));
    expect(sizes[0]).toBe(50);
    expect(calls.deleted.map((d) => d.length)).toEqual([10, 10, 10, 10, 8]);
    expect(calls.deleted.flat()).not.toContain('h7');
    expect(calls.requeued).toEqual([['h7', 'h42']]);
  });

  it('takes no more than the batch size, and no more than is queued', async () => {
    expect((await oneBatch(messages(25), 20, () => ({ batchItemFailures: [] }))).sizes[0]).toBe(20);
    expect((await oneBatch(messages(3), 20, () => ({ batchItemFailures: [] }))).sizes[0]).toBe(3);
  });

  it.each([
    ['an identifier not in the batch', 'm-other'],
    ['an empty identifier', ''],
  ])('fails the whole batch on %s, as Lambda does', async (_, id) => {
    const { calls } = await oneBatch(messages(4), 10, () => ({ batchItemFailures: [{ itemIdentifier: id }] }));
    expect(calls.deleted).toEqual([]);
    expect(calls.requeued).toEqual([['h0', 'h1', 'h2', 'h3']]);
  });
});

describe('a paused poller (the storage restarting)', () => {
  it('receives nothing while paused, and takes the queue up again after', async () => {
    const { client, calls } = fakeSqs(messages(3));
    let paused = true;
    const handled: number[] = [];
    const poller = new Poller(
      client,
      async (event) => {
        handled.push(event.Records.length);
        return { batchItemFailures: [] };
      },
      { functionName: 'f', queueUrl: 'http://q', queueArn: 'arn:q', batchSize: 10, timeoutSeconds: 30, paused: () => paused },
      (error) => {
        throw error;
      },
    );
    poller.start();
    await new Promise((r) => setTimeout(r, 450));
    expect([calls.receives, handled]).toEqual([0, []]);
    paused = false;
    while (poller.invocations === 0) await new Promise((r) => setTimeout(r, 5));
    await poller.stop();
    expect(handled).toEqual([3]);
  });
});
