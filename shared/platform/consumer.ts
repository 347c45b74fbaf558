import middy from '@middy/core';
import { BatchProcessor, EventType, FullBatchFailureError, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { UnitOfWork } from './group-commit';
import { logger, metrics } from './powertools';

/** A message as it travels on CivicFlow's queues: a CloudEvent (inbound, or internal `civicflow.*`). */
export interface QueuedEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly time: string;
  readonly subject?: string;
  readonly data: Record<string, unknown>;
}

export type RecordHandler = (event: QueuedEvent, record: SQSRecord) => Promise<void>;

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
export interface ConsumerOptions {
  /**
   * A unit of work per invocation (see group-commit.ts): records defer their writes to it and it writes
   * them together after the last record; the records whose writes it could not make fail with the rest.
   */
  readonly unitOfWork?: () => UnitOfWork;
}

/**
 * Thrown when every record of a batch failed, in place of Powertools' FullBatchFailureError, which carries
 * each record's error (their messages can quote the input: an ID number, a phone number) to Lambda's runtime,
 * which logs what a handler throws outside our masking. Each record's error is in its own masked
 * "record failed" line; this says only how many.
 */
export class BatchFailedError extends Error {
  override readonly name = 'BatchFailedError';
  constructor(readonly records: number) {
    super(`All ${records} records of the batch failed; each is logged as "record failed" with its messageId`);
  }
}

/** Rethrows Powertools' whole-batch failure as a BatchFailedError (no record errors); anything else as it is. */
function withoutRecordErrors(error: unknown): unknown {
  return error instanceof FullBatchFailureError ? new BatchFailedError(error.recordErrors.length) : error;
}

export function sqsConsumer(handleRecord: RecordHandler, options: ConsumerOptions = {}) {
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    let event: QueuedEvent;
    try {
      event = JSON.parse(record.body) as QueuedEvent;
    } catch {
      logger.error('record failed', { messageId: record.messageId, error: 'the message body is not JSON' });
      throw new Error(`Message ${record.messageId} is not JSON`);
    }
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
  const process = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const unit = options.unitOfWork?.();
    if (!unit) {
      try {
        return await processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), { context, processInParallel: false });
      } catch (error) {
        throw withoutRecordErrors(error);
      }
    }
    let response: SQSBatchResponse;
    try {
      response = await processPartialResponse(
        event,
        (record: SQSRecord) => unit.run(record.messageId, () => recordHandler(record)),
        new BatchProcessor(EventType.SQS),
        { context, processInParallel: false },
      );
    } catch (error) {
      // Every record failed (nothing of theirs waits), but a mid-batch write may have redone one: finish it.
      await unit.commit();
      throw withoutRecordErrors(error);
    }
    const failed = await unit.commit();
    const reported = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const batchItemFailures = [...response.batchItemFailures];
    for (const id of failed) if (!reported.has(id)) batchItemFailures.push({ itemIdentifier: id });
    return { batchItemFailures };
  };
  return middy(process)
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}
