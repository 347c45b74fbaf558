/**
 * `npm run redrive -- <queue> [--url URL | --stage STAGE] [--max N] [--region REGION]` (`-- --help`)
 *
 * Moves the messages of a queue's DLQ back to the queue, after the cause of their failure is fixed.
 * Locally (`--url`, else CIVICFLOW_URL, else http://127.0.0.1:3000) it asks the running runtime where its SQS
 * stand-in listens (GET /_dev/sqs); against a deployed stage (`--stage dev`) it uses the AWS credentials
 * of the environment and the queues `civicflow-<stage>-<queue>-dlq` → `civicflow-<stage>-<queue>`.
 *
 * Each message is received from the DLQ, sent to the queue with its body and attributes, then deleted
 * from the DLQ. The same code runs in both places (fauxqs has no StartMessageMoveTask). If the process
 * dies between send and delete, the message is in both queues and a second redrive sends it again: the
 * consumers' effects are idempotent (conditional writes keyed by domain ids), so that costs nothing.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import { queues, type QueueName } from '#topology';
import { commandLine, runMain, runtimeUrl, UsageError, wholeNumber, type CommandSpec, type Parsed } from '#local/cli';

export const REDRIVE: CommandSpec = {
  command: 'npm run redrive',
  positionals: '<queue>',
  maxPositionals: 1,
  summary: "Moves the messages of a queue's DLQ back to the queue, once the cause of their failure is fixed.",
  options: [
    { name: 'url', value: 'URL', help: 'the local runtime (default: $CIVICFLOW_URL, else http://127.0.0.1:3000)' },
    { name: 'stage', value: 'STAGE', help: "a deployed stage instead (the environment's AWS credentials)" },
    { name: 'region', value: 'REGION', help: "with --stage: the stage's region (default: the environment's)" },
    { name: 'max', value: 'N', help: 'move at most N messages' },
  ],
  notes: [`Queues: ${Object.keys(queues).join(', ')}`],
};

export interface RedriveTarget {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly dlqUrl: string;
}

export interface RedriveResult {
  readonly queue: string;
  readonly moved: number;
}

/** Where to redrive: the local runtime at `url`, or the deployed `stage`. */
export async function resolveTarget(queue: QueueName, where: { url?: string; stage?: string; region?: string }): Promise<RedriveTarget> {
  if (where.stage) {
    const client = new SQSClient(where.region ? { region: where.region } : {});
    const name = `civicflow-${where.stage}-${queue}`;
    const [q, dlq] = await Promise.all([
      client.send(new GetQueueUrlCommand({ QueueName: name })),
      client.send(new GetQueueUrlCommand({ QueueName: `${name}-dlq` })),
    ]);
    return { client, queueUrl: q.QueueUrl!, dlqUrl: dlq.QueueUrl! };
  }
  const base = runtimeUrl(where.url);
  const res = await fetch(`${base}/_dev/sqs`);
  if (!res.ok) throw new Error(`GET ${base}/_dev/sqs answered ${res.status}: is a CivicFlow local runtime running there? (a deployed stage: --stage NAME)`);
  const info = (await res.json()) as { endpoint: string; region: string; queues: Record<string, { url: string; dlqUrl: string }> };
  const urls = info.queues[queue];
  if (!urls) throw new Error(`the runtime at ${base} has no queue "${queue}"`);
  // fauxqs matches queues by the exact URL it gave, whose host does not resolve: talk to its endpoint.
  const client = new SQSClient({
    endpoint: info.endpoint,
    region: info.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    useQueueUrlAsEndpoint: false,
  });
  return { client, queueUrl: urls.url, dlqUrl: urls.dlqUrl };
}

function copyAttributes(attrs: Record<string, MessageAttributeValue> | undefined): Record<string, MessageAttributeValue> | undefined {
  if (!attrs) return undefined;
  const out: Record<string, MessageAttributeValue> = {};
  for (const [k, v] of Object.entries(attrs)) {
    out[k] = { DataType: v.DataType, ...(v.StringValue !== undefined ? { StringValue: v.StringValue } : {}), ...(v.BinaryValue !== undefined ? { BinaryValue: v.BinaryValue } : {}) };
  }
  return Object.keys(out).length ? out : undefined;
}

/** Moves up to `max` messages from the DLQ back to the queue; stops when the DLQ answers empty twice. */
export async function redrive(queue: string, target: RedriveTarget, max = Number.POSITIVE_INFINITY): Promise<RedriveResult> {
  const { client, queueUrl, dlqUrl } = target;
  let moved = 0;
  let empty = 0;
  while (moved < max && empty < 2) {
    const out = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: Math.min(10, max - moved),
        WaitTimeSeconds: 1,
        // Long enough to send and delete; a failure makes them visible in the DLQ again.
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) {
      empty++;
      continue;
    }
    empty = 0;
    const sent = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), MessageBody: m.Body ?? '', MessageAttributes: copyAttributes(m.MessageAttributes) })),
      }),
    );
    if (sent.Failed?.length) {
      throw new Error(`could not send ${sent.Failed.length} message(s) back to ${queue}: ${sent.Failed.map((f) => f.Message).join('; ')} (they stay in the DLQ)`);
    }
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: dlqUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
    moved += messages.length;
  }
  return { queue, moved };
}

async function main(cli: Parsed): Promise<number> {
  const queue = cli.positionals[0];
  if (!queue || !(queue in queues)) {
    throw new UsageError(`${queue ? `no queue "${queue}"` : 'give the queue'}: one of ${Object.keys(queues).join(', ')}; usage: npm run redrive -- <queue> [--url URL | --stage STAGE] [--max N]`);
  }
  if (cli.values.url !== undefined && cli.values.stage !== undefined) throw new UsageError('give --url (local) or --stage (deployed), not both');
  const max = wholeNumber('max', cli.values.max, 1) ?? Number.POSITIVE_INFINITY;
  const target = await resolveTarget(queue as QueueName, { url: cli.values.url, stage: cli.values.stage, region: cli.values.region });
  try {
    const result = await redrive(queue, target, max);
    console.log(JSON.stringify(result));
  } finally {
    target.client.destroy();
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('scripts/redrive.ts')) {
  const cli = commandLine(REDRIVE);
  runMain(REDRIVE, () => main(cli), () => (cli.values.stage === undefined ? runtimeUrl(cli.values.url) : ''));
}
