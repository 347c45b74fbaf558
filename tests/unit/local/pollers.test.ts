/**
 * The local poller (local/pollers.ts) against a fake SQS client: it fills a batch over 10 from what is
 * queued, deletes and requeues at most 10 entries per request (SQS's limit), and, as Lambda does, treats a
 * `batchItemFailures` identifier that is empty or not of the batch as a failure of the whole batch; with a
 * batching window it waits, as Lambda does, for a batch to fill; while paused (the local storage restarting)
 * it receives nothing; once the storage is back, the pollers together ramp up from one batch at a time;
 * while held (POST /_dev/pollers) it starts no receive, and the hold waits for the receives under way.
 */
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Hold, Poller, Ramp } from '#local/pollers';

/** `longPoll`: an empty receive waits WaitTimeSeconds, as SQS does (else 5 ms). */
function fakeSqs(queued: Message[], longPoll = false) {
  const calls: { deleted: string[][]; requeued: string[][]; receives: number } = { deleted: [], requeued: [], receives: 0 };
  const client = {
    send: async (command: unknown) => {
      if (command instanceof ReceiveMessageCommand) {
        calls.receives++;
        const n = Math.min(10, command.input.MaxNumberOfMessages ?? 1);
        const out = queued.splice(0, n);
        if (out.length === 0) await new Promise((r) => setTimeout(r, longPoll ? (command.input.WaitTimeSeconds ?? 0) * 1000 || 5 : 5));
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
async function oneBatch(queued: Message[], batchSize: number, answer: (event: SQSEvent) => SQSBatchResponse, batchingWindowSeconds?: number) {
  const { client, calls } = fakeSqs(queued);
  const sizes: number[] = [];
  const errors: unknown[] = [];
  const poller = new Poller(
    client,
    async (event) => {
      sizes.push(event.Records.length);
      return answer(event);
    },
    { functionName: 'f', queueUrl: 'http://q', queueArn: 'arn:q', batchSize, timeoutSeconds: 30, retryDelaySeconds: 1, ...(batchingWindowSeconds ? { batchingWindowSeconds } : {}) },
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

  it("with a batching window, as Lambda: waits for messages that arrive within it, or not at all once full", async () => {
    const trickle = () => {
      const queued = messages(3);
      setTimeout(() => queued.push(...messages(7).slice(3)), 50);
      return queued;
    };
    // Without a window the first three go at once; with one, the four that follow join them.
    expect((await oneBatch(trickle(), 10, () => ({ batchItemFailures: [] }))).sizes[0]).toBe(3);
    expect((await oneBatch(trickle(), 10, () => ({ batchItemFailures: [] }), 2)).sizes[0]).toBe(7);
    // A full batch does not wait out the window (the test's own timeout is far shorter than 300 s).
    expect((await oneBatch(messages(20), 20, () => ({ batchItemFailures: [] }), 300)).sizes[0]).toBe(20);
  });

  it('tells of each invocation once the handler returned: its records and how long it ran', async () => {
    const { client } = fakeSqs(messages(12));
    const told: Array<[number, number]> = [];
    const poller = new Poller(
      client,
      async () => {
        await new Promise((r) => setTimeout(r, 30));
        return { batchItemFailures: [] };
      },
      { functionName: 'f', queueUrl: 'http://q', queueArn: 'arn:q', batchSize: 20, timeoutSeconds: 30, onInvoked: (records, ms) => told.push([records, ms]) },
      (error) => {
        throw error;
      },
    );
    poller.start();
    while (poller.invocations === 0) await new Promise((r) => setTimeout(r, 5));
    await poller.stop();
    expect(told).toHaveLength(1);
    expect(told[0]![0]).toBe(12);
    expect(told[0]![1]).toBeGreaterThanOrEqual(25);
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

/**
 * A fake SQS whose receives each wait until the test answers them (`answer(messages)`), so a receive can be
 * caught under way; deletes are counted.
 */
function steppedSqs() {
  const pending: Array<(messages: Message[]) => void> = [];
  const deleted: string[] = [];
  const client = {
    send: async (command: unknown) => {
      if (command instanceof ReceiveMessageCommand) return { Messages: await new Promise<Message[]>((r) => pending.push(r)) };
      if (command instanceof DeleteMessageBatchCommand) {
        deleted.push(...command.input.Entries!.map((e) => e.ReceiptHandle!));
        return { Successful: [], Failed: [] };
      }
      throw new Error(`unexpected ${(command as object).constructor.name}`);
    },
  };
  const receiving = async () => {
    while (pending.length === 0) await new Promise((r) => setTimeout(r, 2));
  };
  return {
    client: client as unknown as SQSClient,
    deleted,
    pending: () => pending.length,
    /** Waits for a receive under way, then answers it. */
    async answer(messages: Message[]) {
      await receiving();
      pending.shift()!(messages);
    },
    receiving,
  };
}

describe('held pollers (POST /_dev/pollers)', () => {
  const fail = (error: unknown) => {
    throw error;
  };

  it('start no receive while held; hold() waits for the receive under way, whose batch is handled; release() resumes', async () => {
    const sqs = steppedSqs();
    const hold = new Hold();
    const handled: string[][] = [];
    const poller = new Poller(
      sqs.client,
      async (event) => {
        handled.push(event.Records.map((r) => r.messageId));
        return { batchItemFailures: [] };
      },
      { functionName: 'f', queueUrl: 'http://q', queueArn: 'arn:q', batchSize: 1, timeoutSeconds: 30, hold },
      fail,
    );
    poller.start();
    await sqs.receiving(); // a long poll under way
    let settled = false;
    const holding = hold.hold().then(() => (settled = true));
    expect(hold.held).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false); // the receive under way could still take a message sent now
    await sqs.answer(messages(1)); // it does: that batch is handled as usual
    await holding;
    while (poller.invocations === 0 || poller.busy > 0) await new Promise((r) => setTimeout(r, 2));
    expect(handled).toEqual([['m0']]);
    expect(sqs.deleted).toEqual(['h0']);
    // Held: several of the loop's turns go by, and no receive starts.
    await new Promise((r) => setTimeout(r, 100));
    expect(sqs.pending()).toBe(0);
    hold.release();
    await sqs.answer([{ MessageId: 'later', ReceiptHandle: 'h-later', Body: '{}' }]);
    while (handled.length < 2) await new Promise((r) => setTimeout(r, 2));
    expect(handled[1]).toEqual(['later']);
    const stopping = poller.stop();
    await sqs.answer([]); // the long poll under way at stop()
    await stopping;
  });

  it('stay held when the storage comes back (the supervisor pause ends) and stop at once while held', async () => {
    const { client, calls } = fakeSqs(messages(3));
    const hold = new Hold();
    await hold.hold();
    let restarting = true;
    const poller = new Poller(
      client,
      async () => ({ batchItemFailures: [] }),
      { functionName: 'f', queueUrl: 'http://q', queueArn: 'arn:q', batchSize: 10, timeoutSeconds: 30, paused: () => restarting, ramp: new Ramp(2), hold },
      fail,
    );
    poller.start();
    await new Promise((r) => setTimeout(r, 50));
    restarting = false;
    await new Promise((r) => setTimeout(r, 300)); // past the supervisor pause's own wait (200 ms)
    expect([calls.receives, poller.invocations]).toEqual([0, 0]);
    await poller.stop(); // resolves although the hold is never released
    expect(calls.receives).toBe(0);
  });

  it('end a batching window at the hold: what was received is handled, no further receive starts', async () => {
    const sqs = steppedSqs();
    const hold = new Hold();
    const sizes: number[] = [];
    const poller = new Poller(
      sqs.client,
      async (event) => {
        sizes.push(event.Records.length);
        return { batchItemFailures: [] };
      },
      { functionName: 'f', queueUrl: 'http://q', queueArn: 'arn:q', batchSize: 10, timeoutSeconds: 30, batchingWindowSeconds: 300, hold },
      fail,
    );
    poller.start();
    await sqs.answer(messages(2)); // the first receive: the window opens
    await sqs.answer([]); // a receive to fill it: nothing more yet
    await hold.hold();
    while (poller.invocations === 0 || poller.busy > 0) await new Promise((r) => setTimeout(r, 2));
    expect(sizes).toEqual([2]); // not held for the rest of a 300 s window
    expect(sqs.pending()).toBe(0);
    await poller.stop();
  });
});

describe('the pollers after the storage restarted (Ramp)', () => {
  it('allow one batch, double with each batch that succeeds, and lift the limit at the normal level', () => {
    const ramp = new Ramp(4);
    const before = ramp.take()!; // a batch under way when the JVM died
    expect(ramp.allowed).toBe(Infinity);
    ramp.restart();
    expect(ramp.take()).toBeUndefined(); // the batch from before counts against the limit...
    ramp.done(before, true);
    expect(ramp.allowed).toBe(1); // ...but does not raise it
    const first = ramp.take()!;
    expect(first.limited).toBe(true);
    expect(ramp.take()).toBeUndefined();
    ramp.done(first, false); // failed as a whole: still one
    expect(ramp.allowed).toBe(1);
    ramp.done(ramp.take()!, undefined); // nothing to receive: still one
    expect(ramp.allowed).toBe(1);
    ramp.done(ramp.take()!, true);
    expect(ramp.allowed).toBe(2);
    const [a, b] = [ramp.take()!, ramp.take()!];
    expect(ramp.take()).toBeUndefined();
    ramp.done(a, true);
    expect(ramp.allowed).toBe(Infinity); // 4: the number of pollers, so no limit
    ramp.done(b, true);
    expect(Array.from({ length: 10 }, () => ramp.take()).every((t) => t && !t.limited)).toBe(true);
  });

  it('hand a cold store one batch first, then 2, then all pollers at once', async () => {
    const queued = messages(40);
    const { client } = fakeSqs(queued);
    const ramp = new Ramp(4);
    let inFlight = 0;
    const atStart: number[] = [];
    const handler = async () => {
      atStart.push(++inFlight);
      await new Promise((r) => setTimeout(r, 15));
      inFlight--;
      return { batchItemFailures: [] };
    };
    const pollers = Array.from(
      { length: 4 },
      () =>
        new Poller(client, handler, { functionName: 'f', queueUrl: 'http://q', queueArn: 'arn:q', batchSize: 1, timeoutSeconds: 30, ramp }, (error) => {
          throw error;
        }),
    );
    ramp.restart(); // the storage has just come back, with a backlog of 40
    pollers.forEach((p) => p.start());
    while (queued.length > 0 || pollers.some((p) => p.busy > 0)) await new Promise((r) => setTimeout(r, 5));
    await Promise.all(pollers.map((p) => p.stop()));
    expect(atStart).toHaveLength(40);
    expect(atStart[0]).toBe(1); // alone on the cold store
    expect(Math.max(...atStart.slice(0, 3))).toBeLessThanOrEqual(2); // then two
    expect(Math.max(...atStart)).toBe(4); // then every poller
  });

  it('do not long-poll while ramping up: an empty queue hands its turn to a poller with a backlog', async () => {
    const ramp = new Ramp(2);
    const idle = fakeSqs([], true);
    const busy = fakeSqs(messages(3), true);
    const handled: number[] = [];
    const options = { queueArn: 'arn:q', batchSize: 10, timeoutSeconds: 30, ramp };
    const fail = (error: unknown) => {
      throw error;
    };
    const empty = new Poller(idle.client, async () => ({ batchItemFailures: [] }), { ...options, functionName: 'idle', queueUrl: 'http://idle' }, fail);
    const backlog = new Poller(
      busy.client,
      async (event) => {
        handled.push(performance.now());
        return { batchItemFailures: [] };
      },
      { ...options, functionName: 'busy', queueUrl: 'http://busy' },
      fail,
    );
    ramp.restart();
    const began = performance.now();
    empty.start(); // takes the only turn first, on an empty queue (a long poll would keep it 1 s)
    backlog.start();
    while (handled.length === 0) await new Promise((r) => setTimeout(r, 5));
    await Promise.all([empty.stop(), backlog.stop()]);
    expect(handled[0]! - began).toBeLessThan(500);
  });
});
