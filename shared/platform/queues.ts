import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { sdkLogger } from './aws';
import { abortsWithInvocation } from './invocation-scope';
import { internalRouting, queueUrl, type QueueName } from './resources';
import type { InternalEvent } from '#contract/internal';
import { toMessageBody } from '#util/message-body';
import { StorageUnavailableError } from './unavailable';

export { toMessageBody };

export interface QueueMessage {
  /** Message body (JSON-serialised by the caller's choice of object). */
  readonly body: unknown;
  /** String attributes, e.g. the CloudEvent type, for filtering and observability. */
  readonly attributes?: Readonly<Record<string, string>>;
  readonly delaySeconds?: number;
}

/**
 * The SQS client at module scope, reused across invocations; `AWS_ENDPOINT_URL_SQS` (set by the local runtime)
 * points it at the stand-in, whose queue URLs' host is not an address to call, hence `useQueueUrlAsEndpoint`.
 * A send made by an HTTP function is cut off when middy ends its invocation (invocation-signal.ts).
 */
export const sqs = abortsWithInvocation(new SQSClient({ maxAttempts: 5, logger: sdkLogger, useQueueUrlAsEndpoint: !process.env.AWS_ENDPOINT_URL_SQS }));

const MAX_BATCH = 10;

/**
 * Sends messages in batches of ten. An entry SQS reports as failed is retried (with the SDK's retries
 * underneath); if any still fails the whole call throws, so the caller never reports success for a
 * message that was not queued.
 */
export async function sendMessages(queue: QueueName, messages: readonly QueueMessage[]): Promise<void> {
  const url = queueUrl(queue);
  for (let start = 0; start < messages.length; start += MAX_BATCH) {
    let entries: SendMessageBatchRequestEntry[] = messages.slice(start, start + MAX_BATCH).map((m, i) => ({
      Id: String(i),
      MessageBody: toMessageBody(m.body),
      DelaySeconds: m.delaySeconds,
      MessageAttributes: Object.fromEntries(
        Object.entries(m.attributes ?? {}).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
      ),
    }));
    for (let attempt = 1; entries.length > 0; attempt++) {
      const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
      const failed = new Set((out.Failed ?? []).map((f) => f.Id));
      entries = entries.filter((e) => failed.has(e.Id));
      if (entries.length > 0 && attempt >= 3) {
        const reasons = (out.Failed ?? []).map((f) => `${f.Code}: ${f.Message}`).join('; ');
        const message = `Could not send ${entries.length} message(s) to queue ${queue}: ${reasons}`;
        // SQS's own failures are "not now"; an entry refused as the sender's fault is ours to fix.
        throw (out.Failed ?? []).some((f) => f.SenderFault) ? new Error(message) : new StorageUnavailableError(message);
      }
    }
  }
}

/**
 * Sends internal events (shared/contract/internal.ts) to the queues that carry their types, in the order
 * given within each queue. The CloudEvent type rides along as a message attribute, for filtering and tracing.
 */
export async function sendInternal(events: readonly InternalEvent[]): Promise<void> {
  const byQueue = new Map<QueueName, QueueMessage[]>();
  for (const event of events) {
    const queue = internalRouting[event.type];
    byQueue.set(queue, [...(byQueue.get(queue) ?? []), { body: event, attributes: { type: event.type } }]);
  }
  for (const [queue, messages] of byQueue) await sendMessages(queue, messages);
}
