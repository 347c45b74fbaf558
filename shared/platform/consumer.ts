import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseEnvelope, parseQueued, type DataSchema, type Parsed, type QueuedEnvelope, type QueuedEventOf } from '#contract/queued';
import type { InternalDataOf } from '#contract/internal';
import { LOGGED, type UnitOfWork } from './group-commit';
import { flushMetricsBeforeDeadline } from './metrics-deadline';
import { logger, metrics } from './powertools';
import { inboundTypesOf, type InboundTypesOf, type InternalTypesOf, type QueueName } from './resources';
import { lambdaTimeLeft, timeBox } from './time-reserve';
import type { HandlerOptions } from './invocation-signal';

/** A message as it travels on CivicFlow's queues, before its type is known: a CloudEvent envelope. */
export type QueuedEvent = QueuedEnvelope;

export type RecordHandler<E extends QueuedEnvelope = QueuedEvent> = (event: E, record: SQSRecord) => Promise<void>;

/** Every event a queue carries (by the routing of shared/platform/resources.ts), discriminated by `type`. */
export type CarriedBy<Q extends QueueName> = QueuedEventOf<InboundTypesOf<Q> | InternalTypesOf<Q>>;

/**
 * The parse step of a queue's consumer: the inbound types the routing sends there (validated at the edge,
 * trusted), and its internal types parsed with the schemas given here, one for each type the queue carries
 * (the type checker asks for exactly those). Passing the schemas in keeps zod out of a consumer with none.
 */
export function carriedBy<Q extends QueueName>(
  queue: Q,
  internal: { readonly [K in InternalTypesOf<Q>]: DataSchema<InternalDataOf<K>> },
): (body: unknown) => Parsed<CarriedBy<Q>> {
  const contract = { inbound: inboundTypesOf(queue), internal };
  return (body) => parseQueued(body, contract);
}

/** How many times SQS has handed this record out (1 on the first delivery). */
export const receiveCountOf = (record: SQSRecord): number => Number(record.attributes?.ApproximateReceiveCount ?? '1');

/**
 * The one shape of every SQS consumer: middy + Powertools logger and metrics, a BatchProcessor that
 * reports partial batch failures (a poison record fails alone and reaches the DLQ after the queue's
 * max receives), records processed in order (two events of the same case in one batch must not race).
 * Exactly-once effects come from the record handlers' conditional writes, not from here.
 *
 * One BatchProcessor per invocation, never one per module: the processor keeps the batch's records,
 * failures and response in instance fields (outside Lambda's multi-concurrency mode), so two invocations
 * that overlap in one process (the local runtime's pollers share one) would clear and overwrite each
 * other's failures: a record that failed would be reported as done, deleted, and lost.
 */
export interface ConsumerOptions<E extends QueuedEnvelope = QueuedEvent> {
  /**
   * A unit of work per invocation (see group-commit.ts): records defer their writes to it and it writes
   * them together after the last record; the records whose writes it could not make fail with the rest.
   */
  readonly unitOfWork?: () => UnitOfWork;
  /**
   * Turns a message body into the event the record handler takes: `carriedBy(queue, schemas)` for every
   * consumer of the topology. A message it refuses is a defect (CivicFlow sent something its consumer does
   * not take): the record fails, its problem is logged (masked), and it reaches the DLQ. Without it, only
   * the envelope is checked.
   */
  readonly parse?: (body: unknown) => Parsed<E>;
  /**
   * Time kept back at the end of the invocation (ms): once less is left, the batch starts no more records
   * and answers for those it did. Unset, CONSUMER_TIME_RESERVE_MS. A consumer whose record can take longer
   * than that (a call that waits for a slow peer) keeps more.
   */
  readonly timeReserveMs?: number;
}

/**
 * The time a consumer keeps back by default: once less than this is left, its batch starts no more records,
 * commits what its unit of work holds and answers with only the records not done in `batchItemFailures`.
 * Without it middy would end the batch at the timeout (a TimeoutError): Lambda fails the whole batch, every
 * record of it (those handled and committed too) comes back with its receive count up, and a batch that
 * keeps timing out sends records that were fine to the DLQ after maxReceiveCount tries.
 *
 * Why 10 s. It must hold what follows the last record started: that record's worst time (a few reads and
 * one transaction, each retried by the SDK up to 5 attempts: under throttling its backoff alone can reach
 * ~7.5 s, though a record usually takes well under 100 ms), then the unit of work's commit (a 50-record
 * review batch is a few transactions of up to 100 items, and each record whose write conflicted runs again
 * alone: a read and a write each) and the answer. The consumers' timeouts are 30 s (batches of 10 or 50),
 * 60 s (10, or 1 for match) and 120 s (1, simulation): 10 s leaves at least two thirds of the shortest
 * for records, far more than a healthy batch takes, so the reserve only bites when DynamoDB is slow; and a
 * batch of one record has its whole time for it, as the check comes before a record starts. middy's end
 * stays the backstop for a record or a commit that outlasts the reserve.
 */
export const CONSUMER_TIME_RESERVE_MS = 10_000;

/**
 * The count of the records a batch did not start because its time was running out (left for SQS to hand
 * out again, their receive count up by one), under the consumer's `service`.
 */
export const RECORDS_DEFERRED_METRIC = 'RecordsDeferred';

/**
 * The count of the records a batch failed on for real (each logged as "record failed" with its messageId:
 * the body not JSON, a malformed message, its handler threw, its change not written or its outbox not sent),
 * once per invocation that had any, under the consumer's `service`. Not the records left for the reserve
 * (RecordsDeferred) or cut off at the invocation's end. SQS hands each out again: a failure that passes
 * (DynamoDB throttled for a moment) is done at its next receive, one that does not reaches the DLQ and its
 * alarm after the queue's max receives; this count shows both as they happen, batch by batch, where the
 * function's errors show only a batch whose every record failed.
 */
export const RECORDS_FAILED_METRIC = 'RecordsFailed';

/**
 * Thrown when every record of a batch failed (but for a batch the time reserve left whole: see processBatch),
 * in place of Powertools' FullBatchFailureError, which carries each record's error (their messages can quote
 * the input: an ID number, a phone number) to Lambda's runtime, which logs what a handler throws outside our
 * masking. Each record's error is in its own masked "record failed" line; this says only how many.
 */
export class BatchFailedError extends Error {
  override readonly name = 'BatchFailedError';
  constructor(
    readonly records: number,
    readonly notStarted = 0,
    /**
     * Why the records were not started: middy had ended the invocation, or the time reserve was reached
     * after the others had failed (a batch the reserve left whole answers with its records instead).
     */
    readonly why: 'ended' | 'reserve' = 'ended',
  ) {
    super(
      notStarted === 0
        ? `All ${records} records of the batch failed; each is logged as "record failed" with its messageId`
        : `All ${records} records of the batch failed: ${notStarted} not started, as ${why === 'ended' ? 'the invocation had ended' : "the invocation's time was running out"}; any other is logged as "record failed" with its messageId`,
    );
  }
}

/** A message its consumer's parse step refused: a defect of CivicFlow's, retried and then dead-lettered. */
export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
  constructor(
    readonly messageId: string,
    readonly problem: string,
  ) {
    super(`Message ${messageId} is malformed: ${problem}`);
  }
}

/**
 * What a record not started fails with: middy had ended the invocation (its time was up) before its turn.
 * It is not logged: middy's TimeoutError already failed the whole batch, which SQS hands out again.
 */
export class InvocationEndedError extends Error {
  override readonly name = 'InvocationEndedError';
  constructor(readonly messageId: string) {
    super(`Message ${messageId} was not started: the invocation had ended`);
  }
}

/**
 * What a record not started fails with when the batch's time left fell below its reserve: SQS hands it out
 * again. It is not logged on its own: the batch logs one line with how many it left. It is no failure of the
 * batch's: a batch none of whose records was started answers with them all, and is no Lambda error.
 */
export class TimeReserveReachedError extends Error {
  override readonly name = 'TimeReserveReachedError';
  constructor(readonly messageId: string) {
    super(`Message ${messageId} was not started: the invocation's time was running out`);
  }
}

/** Every record of the batch failed: how many, and how many of them were not started (no record error). */
function batchFailed(errors: readonly Error[]): BatchFailedError {
  const ended = errors.filter((e) => e instanceof InvocationEndedError).length;
  const deferred = errors.filter((e) => e instanceof TimeReserveReachedError).length;
  return new BatchFailedError(errors.length, ended + deferred, ended > 0 ? 'ended' : 'reserve');
}

/**
 * Runs the batch through Powertools' processor, one record at a time, and answers with the records not done.
 * A batch is judged by the records it started: when it started some and none of them succeeded, it is a
 * Lambda error (a BatchFailedError), whatever it left for the time reserve; a batch none of whose records
 * was started because the reserve was reached (every failure a TimeReserveReachedError) answers with all of
 * them in `batchItemFailures`, as a batch that did some answers with the rest. SQS hands every record out
 * again either way, its receive count up by one: only the alarm and the poller's pace differ.
 *
 * Why a real failure with the rest deferred stays an error. That is what a batch looks like when its
 * storage or a peer is failing slowly: the first record waits through the SDK's retries, fails, and leaves
 * the others to the reserve. Answered, every batch of such an outage would look healthy to Lambda: no
 * `<function>-errors` alarm (a record's failure is only logged as "record failed" and counted in
 * RecordsFailed, and reaches the DLQ alarm after the queue's max receives) and no backoff, so the poller would
 * go on handing out batches at full concurrency to a dependency that is down. A Lambda error makes
 * the poller back off and raises the alarm. A batch that started nothing has no failure to report: only
 * its time ran short, which RecordsDeferred counts (its own alarm). Powertools throws its
 * FullBatchFailureError only when asked to: it is told not to (`throwOnFullBatchFailure: false`), and the
 * records' errors decide here.
 */
async function processBatch(event: SQSEvent, handler: (record: SQSRecord) => Promise<void>, context: Context): Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const response = await processPartialResponse(event, handler, processor, { context, processInParallel: false, throwOnFullBatchFailure: false });
  // An empty batch has no error either: it answers with none, as before.
  if (processor.entireBatchFailed() && !processor.errors.every((e) => e instanceof TimeReserveReachedError)) throw batchFailed(processor.errors);
  return response;
}

/** The event id and type a message's body names, for its "record failed" line (none where it names none). */
function eventNamesOf(body: unknown): { eventId?: string; eventType?: string } {
  const { id, type } = (typeof body === 'object' && body !== null ? body : {}) as { id?: unknown; type?: unknown };
  return { ...(typeof id === 'string' ? { eventId: id } : {}), ...(typeof type === 'string' ? { eventType: type } : {}) };
}

/** A message's body as JSON, or undefined when it is not JSON. */
function jsonOrNone(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function parsedOrNone<E>(parse: (body: unknown) => Parsed<E>, body: string): E[] {
  try {
    const parsed = parse(JSON.parse(body));
    return parsed.ok ? [parsed.event] : [];
  } catch {
    return [];
  }
}

export type { HandlerOptions };

/** One invocation of a consumer, without middy: the batch in, its partial response out. */
export type SqsBatch = (event: SQSEvent, context: Context, options?: HandlerOptions) => Promise<SQSBatchResponse>;

/**
 * The batch step of `sqsConsumer`, on its own so a test can end an invocation at a chosen point.
 *
 * Before the end, the time reserve (`timeReserveMs`, CONSUMER_TIME_RESERVE_MS by default): once the time left
 * is below it, the batch starts no more records. Each record not started fails with a TimeReserveReachedError
 * (no "record failed" line; one warning and the RecordsDeferred count for the batch), the unit of work
 * commits what the started records deferred, and the answer lists only the records not done: SQS deletes the
 * others and hands out just these again, instead of the whole batch middy's TimeoutError would fail. A batch
 * below its reserve before its first record answers the same way, with every record listed: no Lambda error.
 *
 * When middy ends the invocation (`signal` aborted, `timeoutEarlyInMillis` before the timeout), it has already
 * answered for it with a TimeoutError: Lambda fails the whole batch and SQS hands every record out again. The
 * batch then starts no new record: each record not started fails with an InvocationEndedError (no log line), so
 * the answer, were it read, would still report every record not done (a batch with none started still throws
 * a BatchFailedError: nobody reads it, and middy's TimeoutError has already failed the invocation). A record
 * already started finishes, and the unit of work still commits what the started records deferred: their
 * writes are conditional, so the redelivery finds them done. Without this, the loop went on after the answer (in Lambda, frozen with the
 * sandbox and resumed at the next thaw), writing and counting for a batch already failed as a whole.
 */
export function sqsBatch<E extends QueuedEnvelope = QueuedEvent>(handleRecord: RecordHandler<E>, options: ConsumerOptions<E> = {}): SqsBatch {
  const parse = options.parse ?? (parseEnvelope as (body: unknown) => Parsed<E>);
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      logger.error('record failed', { messageId: record.messageId, error: 'the message body is not JSON' });
      throw new Error(`Message ${record.messageId} is not JSON`);
    }
    const parsed = parse(body);
    if (!parsed.ok) {
      logger.error('record failed', {
        messageId: record.messageId,
        ...eventNamesOf(body),
        receiveCount: record.attributes?.ApproximateReceiveCount,
        error: `malformed message: ${parsed.problem}`,
      });
      throw new MalformedMessageError(record.messageId, parsed.problem);
    }
    const event = parsed.event;
    try {
      await handleRecord(event, record);
    } catch (error) {
      logger.error('record failed', {
        messageId: record.messageId,
        eventId: event.id,
        eventType: event.type,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        error: error as Error,
      });
      throw error;
    }
  };
  const reserveMs = options.timeReserveMs ?? CONSUMER_TIME_RESERVE_MS;
  // Checked here, not at the first batch: a bad option is the consumer's defect, found when its module loads.
  if (!Number.isFinite(reserveMs) || reserveMs < 0) throw new Error(`timeReserveMs must be a non-negative number of milliseconds; got ${reserveMs}`);
  return async (event, context, { signal } = {}) => {
    // Without a clock (a test calling it by hand) the batch takes every record, as before.
    const timeLeft = lambdaTimeLeft(context);
    const box = timeBox(reserveMs, timeLeft);
    // Checked right before each record, in the order of the batch (the processor runs them one at a time):
    // after middy's end first (its TimeoutError answered for the batch), then the reserve.
    // The records that failed for real in this invocation (RecordsFailed), each with its "record failed" line.
    let failedRecords = 0;
    const unlessOutOfTime =
      (handle: (record: SQSRecord) => Promise<void>) =>
      async (record: SQSRecord): Promise<void> => {
        if (signal?.aborted) throw new InvocationEndedError(record.messageId);
        if (box.outOfTime()) throw new TimeReserveReachedError(record.messageId);
        try {
          return await handle(record);
        } catch (error) {
          failedRecords++;
          throw error;
        }
      };
    // One line and one count per invocation for the records the reserve left, not one "record failed" each.
    const reportDeferred = (): void => {
      if (box.deferred === 0) return;
      logger.warn('batch out of time: records left for redelivery', {
        deferred: box.deferred,
        records: event.Records.length,
        reserveMs,
        remainingMs: timeLeft?.(),
      });
      metrics.addMetric(RECORDS_DEFERRED_METRIC, MetricUnit.Count, box.deferred);
    };
    const reportFailed = (): void => {
      if (failedRecords > 0) metrics.addMetric(RECORDS_FAILED_METRIC, MetricUnit.Count, failedRecords);
    };
    const unit = options.unitOfWork?.();
    if (!unit) {
      try {
        return await processBatch(event, unlessOutOfTime(recordHandler), context);
      } finally {
        reportDeferred();
        reportFailed();
      }
    }
    // Read-ahead for the batch: the events that parse (one that does not fails in its own record below).
    if (unit.prepare) await unit.prepare(event.Records.flatMap((record) => parsedOrNone(parse, record.body)));
    let response: SQSBatchResponse;
    try {
      response = await processBatch(event, unlessOutOfTime((record) => unit.run(record.messageId, () => recordHandler(record))), context);
    } catch (error) {
      // Every record failed (nothing of theirs waits), but a mid-batch write may have redone one: finish it.
      await unit.commit();
      reportDeferred();
      reportFailed();
      throw error;
    }
    // Inside the time: the reserve is what left room for it.
    const failed = await unit.commit();
    reportDeferred();
    // A conflict (a concurrent or redelivered change won, or a case assumed new existed) costs its record a
    // fresh read and a write alone, and the rest of its transaction a write again.
    if (unit.stats && unit.stats.redone > 0) metrics.addMetric('RecordsRedoneAfterConflict', MetricUnit.Count, unit.stats.redone);
    const reported = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const batchItemFailures = [...response.batchItemFailures];
    for (const id of failed) {
      if (reported.has(id)) continue;
      batchItemFailures.push({ itemIdentifier: id });
      failedRecords++;
      // Its handler ran to the end; what failed came after (its write, its outbox's send). A redo that
      // threw has logged its own line.
      const why = unit.failureOf?.(id);
      if (why === LOGGED) continue;
      const record = event.Records.find((r) => r.messageId === id);
      logger.error('record failed', {
        messageId: id,
        ...(record ? eventNamesOf(jsonOrNone(record.body)) : {}),
        receiveCount: record?.attributes?.ApproximateReceiveCount,
        error: why instanceof Error ? why : String(why ?? 'its change was not written'),
      });
    }
    reportFailed();
    return { batchItemFailures };
  };
}

export function sqsConsumer<E extends QueuedEnvelope = QueuedEvent>(handleRecord: RecordHandler<E>, options: ConsumerOptions<E> = {}) {
  // The batch answers for itself at its time reserve; middy's default end (5 ms before the timeout, a
  // TimeoutError) is kept behind it, for a record or a commit that outlasts the reserve: the batch stops at its signal.
  return middy(sqsBatch(handleRecord, options))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(flushMetricsBeforeDeadline(metrics));
}
