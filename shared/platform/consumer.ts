import middy from '@middy/core';
import { BatchProcessor, EventType, FullBatchFailureError, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseEnvelope, parseQueued, type DataSchema, type Parsed, type QueuedEnvelope, type QueuedEventOf } from '#contract/queued';
import type { InternalDataOf } from '#contract/internal';
import type { UnitOfWork } from './group-commit';
import { flushMetricsBeforeDeadline } from './metrics-deadline';
import { logger, metrics } from './powertools';
import { inboundTypesOf, type InboundTypesOf, type InternalTypesOf, type QueueName } from './resources';

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
}

/**
 * Thrown when every record of a batch failed, in place of Powertools' FullBatchFailureError, which carries
 * each record's error (their messages can quote the input: an ID number, a phone number) to Lambda's runtime,
 * which logs what a handler throws outside our masking. Each record's error is in its own masked
 * "record failed" line; this says only how many.
 */
export class BatchFailedError extends Error {
  override readonly name = 'BatchFailedError';
  constructor(
    readonly records: number,
    readonly notStarted = 0,
  ) {
    super(
      notStarted === 0
        ? `All ${records} records of the batch failed; each is logged as "record failed" with its messageId`
        : `All ${records} records of the batch failed: ${notStarted} not started, as the invocation had ended; any other is logged as "record failed" with its messageId`,
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

/** Rethrows Powertools' whole-batch failure as a BatchFailedError (no record errors); anything else as it is. */
function withoutRecordErrors(error: unknown): unknown {
  if (!(error instanceof FullBatchFailureError)) return error;
  const notStarted = error.recordErrors.filter((e) => e instanceof InvocationEndedError).length;
  return new BatchFailedError(error.recordErrors.length, notStarted);
}

function parsedOrNone<E>(parse: (body: unknown) => Parsed<E>, body: string): E[] {
  try {
    const parsed = parse(JSON.parse(body));
    return parsed.ok ? [parsed.event] : [];
  } catch {
    return [];
  }
}

/** What middy passes a handler besides its event and context: the signal it aborts when it ends the invocation. */
export interface HandlerOptions {
  readonly signal?: AbortSignal;
}

/** One invocation of a consumer, without middy: the batch in, its partial response out. */
export type SqsBatch = (event: SQSEvent, context: Context, options?: HandlerOptions) => Promise<SQSBatchResponse>;

/**
 * The batch step of `sqsConsumer`, on its own so a test can end an invocation at a chosen point.
 *
 * When middy ends the invocation (`signal` aborted, `timeoutEarlyInMillis` before the timeout), it has already
 * answered for it with a TimeoutError: Lambda fails the whole batch and SQS hands every record out again. The
 * batch then starts no new record: each record not started fails with an InvocationEndedError (no log line), so
 * the answer, were it read, would still report every record not done. A record already started finishes, and
 * the unit of work still commits what the started records deferred: their writes are conditional, so the
 * redelivery finds them done. Without this, the loop went on after the answer (in Lambda, frozen with the
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
      const { id, type } = (typeof body === 'object' && body !== null ? body : {}) as { id?: unknown; type?: unknown };
      logger.error('record failed', {
        messageId: record.messageId,
        eventId: typeof id === 'string' ? id : undefined,
        eventType: typeof type === 'string' ? type : undefined,
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
  return async (event, context, { signal } = {}) => {
    // Checked right before each record, in the order of the batch (the processor runs them one at a time).
    const unlessEnded =
      (handle: (record: SQSRecord) => Promise<void>) =>
      async (record: SQSRecord): Promise<void> => {
        if (signal?.aborted) throw new InvocationEndedError(record.messageId);
        return handle(record);
      };
    const unit = options.unitOfWork?.();
    if (!unit) {
      try {
        return await processPartialResponse(event, unlessEnded(recordHandler), new BatchProcessor(EventType.SQS), { context, processInParallel: false });
      } catch (error) {
        throw withoutRecordErrors(error);
      }
    }
    // Read-ahead for the batch: the events that parse (one that does not fails in its own record below).
    if (unit.prepare) await unit.prepare(event.Records.flatMap((record) => parsedOrNone(parse, record.body)));
    let response: SQSBatchResponse;
    try {
      response = await processPartialResponse(
        event,
        unlessEnded((record) => unit.run(record.messageId, () => recordHandler(record))),
        new BatchProcessor(EventType.SQS),
        { context, processInParallel: false },
      );
    } catch (error) {
      // Every record failed (nothing of theirs waits), but a mid-batch write may have redone one: finish it.
      await unit.commit();
      throw withoutRecordErrors(error);
    }
    const failed = await unit.commit();
    // A conflict (a concurrent or redelivered change won, or a case assumed new existed) costs its record a
    // fresh read and a write alone, and the rest of its transaction a write again.
    if (unit.stats && unit.stats.redone > 0) metrics.addMetric('RecordsRedoneAfterConflict', MetricUnit.Count, unit.stats.redone);
    const reported = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const batchItemFailures = [...response.batchItemFailures];
    for (const id of failed) if (!reported.has(id)) batchItemFailures.push({ itemIdentifier: id });
    return { batchItemFailures };
  };
}

export function sqsConsumer<E extends QueuedEnvelope = QueuedEvent>(handleRecord: RecordHandler<E>, options: ConsumerOptions<E> = {}) {
  // middy's default end (5 ms before the timeout, a TimeoutError) is kept: the batch stops at its signal.
  return middy(sqsBatch(handleRecord, options))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(flushMetricsBeforeDeadline(metrics));
}
