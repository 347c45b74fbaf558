/**
 * Queue pollers: what Lambda's SQS event-source mapping does, done locally. Each poller receives up to
 * ten messages, invokes the same handler module with a real `SQSEvent`, deletes what succeeded and leaves
 * the `batchItemFailures` to the visibility timeout and the queue's redrive policy (DLQ after
 * maxReceiveCount). A handler that throws fails the whole batch, as in Lambda.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { asConsumer } from './priority';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface PollerOptions {
  readonly functionName: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly batchSize: number;
  readonly timeoutSeconds: number;
  /**
   * Locally only: make a failed record visible again after this many seconds instead of the queue's full
   * visibility timeout, so retries and the DLQ can be exercised in seconds. Unset = honour the timeout.
   */
  readonly retryDelaySeconds?: number;
  /** While true the poller receives nothing (the local runtime's storage is restarting). */
  readonly paused?: () => boolean;
  /**
   * Lambda's batching window (MaximumBatchingWindowInSeconds): once the first messages arrive, keep
   * polling until the batch is full or this many seconds have passed, as Lambda does before it invokes.
   * Unset or 0: take what is already queued and invoke at once (an idle queue adds no latency).
   */
  readonly batchingWindowSeconds?: number;
  /** Told of each invocation once the handler has returned: its records and how long it ran (ms). */
  readonly onInvoked?: (records: number, ms: number) => void;
  /** Shared by the runtime's pollers: how many batches they may handle at once (see Ramp). Unset: no limit. */
  readonly ramp?: Ramp;
  /** Shared by the runtime's pollers: a developer's hold on them (see Hold). Unset: never held. */
  readonly hold?: Hold;
}

/**
 * A developer's hold on the pollers (`POST /_dev/pollers {"paused": true}`), so a test can queue messages
 * and be sure no consumer has taken them yet, e.g. before it stops the storage. While held no poller starts
 * a receive; a batch already received is handled and deleted as usual. `hold()` settles once no receive is
 * under way (a long poll begun before it could otherwise still take a message sent after it), and
 * `release()` lets the pollers receive again at once. Apart from the supervisor's pause while the storage
 * restarts (PollerOptions.paused): the end of a restart does not release a hold.
 */
export class Hold {
  private isHeld = false;
  private receiving = 0;
  private whenIdle: Array<() => void> = [];
  private whenReleased: Array<() => void> = [];

  get held(): boolean {
    return this.isHeld;
  }

  /** Holds the pollers; settles once no receive is under way. */
  async hold(): Promise<void> {
    this.isHeld = true;
    while (this.receiving > 0) await new Promise<void>((r) => this.whenIdle.push(r));
  }

  release(): void {
    this.isHeld = false;
    for (const wake of this.whenReleased.splice(0)) wake();
  }

  /** Settles when the hold is released (at once when not held), or when `stopped` settles. */
  released(stopped: Promise<void>): Promise<void> {
    if (!this.isHeld) return Promise.resolve();
    return Promise.race([new Promise<void>((r) => this.whenReleased.push(r)), stopped]);
  }

  /**
   * Runs a receive unless the pollers are held (then `none`, without asking SQS): the check and the count
   * happen in the same turn as the receive starts, so none begins after hold() has counted those under way.
   */
  async receive<T>(receive: () => Promise<T>, none: T): Promise<T> {
    if (this.isHeld) return none;
    this.receiving++;
    try {
      return await receive();
    } finally {
      this.receiving--;
      if (this.receiving === 0) for (const wake of this.whenIdle.splice(0)) wake();
    }
  }
}

/** A poller's leave to take a batch, from Ramp.take(). */
export interface Turn {
  readonly generation: number;
  /** True while the pollers ramp up: the poller does not long-poll, so an empty queue hands its turn back at once. */
  readonly limited: boolean;
}

/**
 * How many batches the pollers may handle at once, together. No limit, until the local storage comes back
 * after a restart (`restart()`): its new JVM is cold, and the backlog the pollers resume on, all at once,
 * would make its requests time out (the HTTP functions answer 503 meanwhile). From then the pollers handle
 * one batch at a time, and each batch that succeeds doubles that (1, 2, 4, …) until it reaches the number
 * of pollers, where the limit is lifted; a batch that fails as a whole leaves it as it is. An event source
 * mapping scales up a function's concurrency gradually in the same way. Batches that began before the
 * restart count against the limit but do not raise it.
 */
export class Ramp {
  private limit = Number.POSITIVE_INFINITY;
  private generation = 0;
  private inFlight = 0;

  constructor(
    /** The normal level: the number of pollers sharing this ramp. */
    private readonly full: number,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The storage is back: one batch at a time again. */
  restart(): void {
    this.generation++;
    this.limit = 1;
    if (this.full <= 1) this.limit = Number.POSITIVE_INFINITY;
    else this.log(`[pollers] ramping up on the new JVM: 1 batch at a time, doubled with each batch that succeeds, up to ${this.full}`);
  }

  /** Batches the pollers may handle at once now (Infinity: no limit). */
  get allowed(): number {
    return this.limit;
  }

  /** Leave to receive and handle one batch, or undefined while as many as allowed are in flight. */
  take(): Turn | undefined {
    if (this.inFlight >= this.limit) return undefined;
    this.inFlight++;
    return { generation: this.generation, limited: Number.isFinite(this.limit) };
  }

  /**
   * The turn is over: `succeeded` true for a batch that did not fail as a whole, false for one that did,
   * undefined when there was nothing to receive.
   */
  done(turn: Turn, succeeded: boolean | undefined): void {
    this.inFlight--;
    if (succeeded !== true || turn.generation !== this.generation || !Number.isFinite(this.limit)) return;
    this.limit *= 2;
    if (this.limit >= this.full) {
      this.limit = Number.POSITIVE_INFINITY;
      this.log(`[pollers] back to ${this.full} batches at once after the restart`);
    }
  }
}

/** How long a poller waits for a turn while the pollers ramp up, or after an empty receive then. */
const RAMP_WAIT_MS = 20;

export function lambdaContext(functionName: string, timeoutSeconds: number): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export function toRecord(m: Message, queueArn: string): SQSRecord {
  const a = m.Attributes ?? {};
  return {
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
        k,
        { dataType: v.DataType ?? 'String', stringValue: v.StringValue, stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

/** SQS takes at most 10 entries per batch request. */
function inTens<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += 10) out.push(list.slice(i, i + 10));
  return out;
}

/** How often a poller looks for more messages while its batching window is open. */
const WINDOW_POLL_MS = 50;

export class Poller {
  private running = false;
  private loop: Promise<void> | undefined;
  /** Settles when stop() is called: a held poller waiting for its release stops at once. */
  private stopped: Promise<void> = Promise.resolve();
  private signalStop: () => void = () => undefined;
  /** Batches being handled right now (for drain detection). */
  busy = 0;
  invocations = 0;
  failures = 0;

  constructor(
    private readonly sqs: SQSClient,
    private readonly handler: SqsHandler,
    private readonly options: PollerOptions,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = new Promise((r) => (this.signalStop = r));
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.signalStop();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.options.hold?.held) {
        await this.options.hold.released(this.stopped);
        continue;
      }
      if (this.options.paused?.()) {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      const ramp = this.options.ramp;
      const turn = ramp ? ramp.take() : undefined;
      if (ramp && !turn) {
        await new Promise((r) => setTimeout(r, RAMP_WAIT_MS));
        continue;
      }
      let outcome: boolean | undefined;
      try {
        // While ramping up, no long poll: an empty queue hands the turn back to a poller with a backlog.
        outcome = await this.pollOnce(turn?.limited ? 0 : 1);
      } catch (error) {
        outcome = false;
        if (!this.running) break;
        this.onError(error);
        await new Promise((r) => setTimeout(r, 500));
      } finally {
        if (turn) ramp!.done(turn, outcome);
      }
      if (outcome === undefined && turn?.limited) await new Promise((r) => setTimeout(r, RAMP_WAIT_MS));
    }
  }

  private receive(max: number, waitSeconds: number): Promise<Message[]> {
    const receive = () =>
      this.sqs
        .send(
          new ReceiveMessageCommand({
            QueueUrl: this.options.queueUrl,
            MaxNumberOfMessages: Math.min(10, max),
            WaitTimeSeconds: waitSeconds,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        )
        .then((out) => out.Messages ?? []);
    return this.options.hold ? this.options.hold.receive(receive, []) : receive();
  }

  /** Receives and handles one batch: undefined when nothing came, else whether it did not fail as a whole. */
  private async pollOnce(waitSeconds: number): Promise<boolean | undefined> {
    const { queueUrl, queueArn, batchSize, functionName, timeoutSeconds, retryDelaySeconds } = this.options;
    const messages = await this.receive(batchSize, waitSeconds);
    if (messages.length === 0) return undefined;
    // A batch larger than one receive (SQS gives at most 10), or a batching window: Lambda keeps polling
    // until the batch is full or the window has passed. Without a window the poller takes what is already
    // queued, without waiting, so an idle queue adds no latency while a backlog is handled in full batches.
    const windowEnds = Date.now() + (this.options.batchingWindowSeconds ?? 0) * 1000;
    while (messages.length < batchSize) {
      const more = await this.receive(batchSize - messages.length, 0);
      if (more.length > 0) {
        messages.push(...more);
        continue;
      }
      const left = windowEnds - Date.now();
      // Held: what was received goes now; the window would only wait on receives the hold refuses.
      if (left <= 0 || !this.running || this.options.hold?.held) break;
      await new Promise((r) => setTimeout(r, Math.min(WINDOW_POLL_MS, left)));
    }
    this.busy++;
    try {
      const event: SQSEvent = { Records: messages.map((m) => toRecord(m, queueArn)) };
      let failed: Set<string>;
      const started = performance.now();
      try {
        const response = await asConsumer(() => this.handler(event, lambdaContext(functionName, timeoutSeconds)));
        const ids = (response?.batchItemFailures ?? []).map((f) => f?.itemIdentifier);
        const inBatch = new Set(messages.map((m) => m.MessageId!));
        // As Lambda: an identifier that is empty, null or not a message of this batch fails the whole batch.
        failed = ids.every((id) => typeof id === 'string' && inBatch.has(id)) ? new Set(ids) : inBatch;
      } catch (error) {
        this.onError(error);
        failed = new Set(messages.map((m) => m.MessageId!));
      }
      this.invocations++;
      this.options.onInvoked?.(messages.length, performance.now() - started);
      this.failures += failed.size;
      for (const entries of inTens(messages.filter((m) => !failed.has(m.MessageId!)))) {
        await this.sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })) }),
        );
      }
      if (retryDelaySeconds !== undefined) {
        for (const entries of inTens(messages.filter((m) => failed.has(m.MessageId!)))) {
          await this.sqs.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: queueUrl,
              Entries: entries.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: retryDelaySeconds })),
            }),
          );
        }
      }
      return failed.size < messages.length;
    } finally {
      this.busy--;
    }
  }
}
