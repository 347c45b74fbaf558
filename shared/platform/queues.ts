import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { env, type QueueName } from '../../infra/topology';
import { sqs } from './aws';
import { requireEnv } from './config';

export interface QueueMessage {
  /** Message body (JSON-serialised by the caller's choice of object). */
  readonly body: unknown;
  /** String attributes, e.g. the CloudEvent type, for filtering and observability. */
  readonly attributes?: Readonly<Record<string, string>>;
  readonly delaySeconds?: number;
}

const MAX_BATCH = 10;

/**
 * Characters outside #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD, per UTF-16 unit. SQS accepts
 * supplementary characters (emoji, CJK Extension B such as 𠮷 in names) but the local stand-in does not;
 * written as JSON `\u` escapes they are plain ASCII everywhere and parse back to the same string.
 */
const SQS_UNSAFE = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD]/g;

/** The message body of `body`: its JSON, with every character SQS implementations may refuse escaped. */
export function toMessageBody(body: unknown): string {
  return JSON.stringify(body).replace(SQS_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Sends messages in batches of ten. An entry SQS reports as failed is retried (with the SDK's retries
 * underneath); if any still fails the whole call throws, so the caller never reports success for a
 * message that was not queued.
 */
export async function sendMessages(queue: QueueName, messages: readonly QueueMessage[]): Promise<void> {
  const url = requireEnv(env.queueUrl(queue));
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
        throw new Error(`Could not send ${entries.length} message(s) to queue ${queue}: ${reasons}`);
      }
    }
  }
}
