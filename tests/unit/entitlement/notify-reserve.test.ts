/**
 * The notify consumer (functions/entitlement/notify.ts) keeps the webhook's timeout and 5 s more back at the
 * end of its invocation: a record can wait that long for the channel, then write its delivery. With less
 * left it starts no record (left for SQS to hand out again); with more it delivers. The outbox claim is
 * stubbed: whether it is called says whether the record started.
 */
import { jest } from '@jest/globals';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { QUIET_POWERTOOLS, useEnv } from '#support/logs';

// Read when the Powertools logger and metrics are created, on the handler's import below.
useEnv(QUIET_POWERTOOLS);

function batch(): SQSEvent {
  const body = JSON.stringify({
    specversion: '1.0',
    id: 'n-1',
    source: 'civicflow',
    type: 'civicflow.entitlement.notify',
    time: '2026-12-07T01:00:00Z',
    data: { policyId: 'P-1', creditCode: '91310000MA1FL0001X' },
  });
  const record: SQSRecord = {
    messageId: 'm-1',
    receiptHandle: 'h-1',
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'test', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:notify',
    awsRegion: 'us-east-1',
  };
  return { Records: [record] };
}

const withLeft = (leftMs: number) => ({ functionName: 'notify', awsRequestId: 'r-1', getRemainingTimeInMillis: () => leftMs }) as unknown as Context;

describe('the notify consumer near the end of its invocation', () => {
  it('starts no delivery with less than the webhook timeout and 5 s left, and delivers with more', async () => {
    const { handler } = await import('#functions/entitlement/notify');
    const { notifyPorts } = await import('#entitlement/notify-adapters');
    const { WEBHOOK_TIMEOUT_MS } = await import('#entitlement/channel');
    const claim = jest.spyOn(notifyPorts.store, 'claimOutbox').mockResolvedValue({ kind: 'delivered' } as never);
    try {
      const short = await handler(batch(), withLeft(WEBHOOK_TIMEOUT_MS + 5_000 - 1)).then(
        (response: unknown) => response,
        (error: Error) => error.message,
      );
      // Left for SQS to hand out again, listed in the answer: no Lambda error.
      expect({ short, claims: claim.mock.calls.length }).toEqual({ short: { batchItemFailures: [{ itemIdentifier: 'm-1' }] }, claims: 0 });
      expect(await handler(batch(), withLeft(WEBHOOK_TIMEOUT_MS + 5_000))).toEqual({ batchItemFailures: [] });
      expect(claim).toHaveBeenCalledTimes(1);
    } finally {
      claim.mockRestore();
    }
  });
});
