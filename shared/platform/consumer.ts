import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
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
export function sqsConsumer(handleRecord: RecordHandler) {
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    let event: QueuedEvent;
    try {
      event = JSON.parse(record.body) as QueuedEvent;
    } catch {
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
  return middy(
    async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
      processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), { context, processInParallel: false }),
  )
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}
