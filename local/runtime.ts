/**
 * The local runtime: the one topology run on a laptop. Stand-ins on 127.0.0.1, tables and queues created
 * from infra/topology.ts, the same handler modules behind an HTTP gateway and queue pollers, timers for
 * the schedules, and development-only controls for the clock and the schedules.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ChangeMessageVisibilityBatchCommand, ReceiveMessageCommand, DeleteMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduledEvent } from 'aws-lambda';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { env, functions, queues, schedules, type FunctionName, type QueueName } from '../infra/topology';
import { stageConfig, validateStageConfig, type StageConfig } from '../infra/config';
import { devKey } from '../shared/auth/signature';
import { clockOffset, setClockOffset } from '../shared/platform/clock';
import { startDynamo, startSqs, type DynamoStandIn, type SqsStandIn } from './standins';
import { provisionQueues, provisionTables, localQueueName, localDlqName, type LocalQueue } from './provision';
import { Poller, lambdaContext, type SqsHandler } from './pollers';
import { createGateway, type DevRoute, type HttpHandler } from './gateway';
import { installPriority } from './priority';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface RuntimeOptions {
  /** HTTP port; 0 picks a free one. */
  readonly port?: number;
  /** Keep DynamoDB and SQS data in this folder across restarts. */
  readonly dataDir?: string;
  /** Fire schedules on timers (default true). */
  readonly timers?: boolean;
  /** Pollers per consumed queue (default 2; never more than the function's maxConcurrency). */
  readonly pollersPerQueue?: number;
  /** See PollerOptions.retryDelaySeconds. */
  readonly retryDelaySeconds?: number;
  readonly config?: StageConfig;
  readonly log?: (line: string) => void;
}

export interface OutboundRecord {
  readonly receivedAt: string;
  readonly event: Record<string, unknown>;
}

export interface Runtime {
  readonly url: string;
  readonly port: number;
  readonly config: StageConfig;
  readonly queues: Record<QueueName, LocalQueue>;
  readonly outbound: OutboundRecord[];
  fireSchedule(name: string): Promise<unknown>;
  drain(timeoutMs?: number): Promise<boolean>;
  queueDepths(): Record<string, { visible: number; inFlight: number; delayed: number; dlq: number }>;
  stop(): Promise<void>;
}

type AnyHandler = (event: unknown, context: unknown) => Promise<unknown>;

async function loadHandler(name: FunctionName): Promise<AnyHandler> {
  const entry = pathToFileURL(join(ROOT, functions[name].entry)).href;
  const mod = (await import(entry)) as { handler?: AnyHandler };
  if (typeof mod.handler !== 'function') throw new Error(`${functions[name].entry} does not export a handler`);
  return mod.handler;
}

/**
 * The local stage's configuration, with top-level fields overridden by `CIVICFLOW_LOCAL_CONFIG` (JSON), e.g.
 * `{"notificationSender":{"kind":"webhook","url":"http://127.0.0.1:8080/hook"},"matching":{"sliceSize":50}}`.
 * Lets a developer or a test point the runtime at a webhook or shrink the slices without a new stage.
 */
export function localConfig(): StageConfig {
  const base = stageConfig('local');
  const raw = process.env.CIVICFLOW_LOCAL_CONFIG;
  if (!raw) return base;
  let override: Partial<StageConfig>;
  try {
    override = JSON.parse(raw) as Partial<StageConfig>;
  } catch (error) {
    throw new Error(`CIVICFLOW_LOCAL_CONFIG is not JSON: ${(error as Error).message}`);
  }
  const merged = { ...base, ...override, stage: 'local' } as StageConfig;
  validateStageConfig(merged);
  return merged;
}

const DURATION = /^(-?\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') return value;
  const m = DURATION.exec(value.trim());
  if (!m) throw new Error(`"${value}" is not a duration like 90s, 15m, 3h or 7d`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const log = options.log ?? ((line: string) => console.log(line));
  const config = options.config ?? localConfig();
  const started: Array<() => Promise<void>> = [];
  let dynamo: DynamoStandIn | undefined;
  let sqsStandIn: SqsStandIn | undefined;
  try {
    [dynamo, sqsStandIn] = await Promise.all([startDynamo(options.dataDir), startSqs(options.dataDir)]);
  } catch (error) {
    await Promise.allSettled([dynamo?.stop(), sqsStandIn?.stop()]);
    throw error;
  }
  started.push(() => dynamo!.stop(), () => sqsStandIn!.stop());

  // The functions find everything through the same variables the CDK sets in AWS.
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SQS: sqsStandIn.endpoint,
    CIVICFLOW_CONFIG: JSON.stringify(config),
    CIVICFLOW_LOCAL: '1',
    POWERTOOLS_METRICS_NAMESPACE: 'CivicFlow',
    POWERTOOLS_SERVICE_NAME: 'civicflow-local',
    SIGNING_KEYS: JSON.stringify(
      Object.fromEntries([...Object.keys(config.sources), ...config.readers].map((p) => [p, devKey(p)])),
    ),
  });
  process.env.LOG_LEVEL ??= 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

  const ddbAdmin = new DynamoDBClient({ endpoint: dynamo.endpoint });
  const dynamoPort = Number(new URL(dynamo.endpoint).port);
  let dynamoDown = false;
  const sqs = new SQSClient({ endpoint: sqsStandIn.endpoint, useQueueUrlAsEndpoint: false });
  const tableNames = await provisionTables(ddbAdmin);
  const localQueues = await provisionQueues(sqs);
  for (const [name, table] of Object.entries(tableNames)) process.env[env.table(name as never)] = table;
  for (const [name, q] of Object.entries(localQueues)) process.env[env.queueUrl(name as QueueName)] = q.url;

  // A data folder may hold messages the previous process had received but not finished (it stopped or
  // was killed mid-batch). This runtime's pollers and sink are the only consumers of its queues, so no
  // one else holds them: make them visible now instead of after the full visibility timeout (minutes).
  if (options.dataDir) {
    let released = 0;
    for (const name of Object.keys(queues) as QueueName[]) {
      for (const queueName of [localQueueName(name), localDlqName(name)]) {
        const inspected = sqsStandIn.server.inspectQueue(queueName);
        const handles = (inspected?.messages.inflight ?? []).map((m) => m.receiptHandle);
        for (let i = 0; i < handles.length; i += 10) {
          await sqs.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: inspected!.url,
              // 1 s, not 0: fauxqs 2.4 fails to persist a change to 0 (it writes a NULL receive count).
              Entries: handles.slice(i, i + 10).map((h, j) => ({ Id: String(j), ReceiptHandle: h, VisibilityTimeout: 1 })),
            }),
          );
        }
        released += handles.length;
      }
    }
    if (released > 0) log(`[restart] released ${released} message(s) left in flight by the previous run`);
  }

  const onError = (error: unknown) => log(`[error] ${(error as Error)?.stack ?? String(error)}`);

  // Handlers are imported only now: their modules read the environment at load, as in Lambda.
  const handlers = {} as Record<FunctionName, AnyHandler>;
  for (const name of Object.keys(functions) as FunctionName[]) handlers[name] = await loadHandler(name);
  await installPriority();

  const pollers: Poller[] = [];
  for (const [name, spec] of Object.entries(functions) as Array<[FunctionName, (typeof functions)[FunctionName]]>) {
    if (!('consumes' in spec) || !spec.consumes) continue;
    const q = localQueues[spec.consumes.queue];
    const count = Math.max(1, Math.min(spec.consumes.maxConcurrency, options.pollersPerQueue ?? 2));
    for (let i = 0; i < count; i++) {
      const poller = new Poller(
        sqs,
        handlers[name] as SqsHandler,
        {
          functionName: name,
          queueUrl: q.url,
          queueArn: q.arn,
          batchSize: spec.consumes.batchSize,
          timeoutSeconds: spec.timeoutSeconds,
          retryDelaySeconds: options.retryDelaySeconds,
        },
        onError,
      );
      poller.start();
      pollers.push(poller);
    }
  }
  started.push(async () => {
    await Promise.all(pollers.map((p) => p.stop()));
  });

  // The outbound queue has no consumer in the project: upstream systems read it. Locally a sink keeps
  // what arrives in memory (GET /_dev/outbound) and, with a data folder, in outbound.ndjson.
  const outbound: OutboundRecord[] = [];
  let sinkRunning = true;
  const outboundFile = options.dataDir ? join(options.dataDir, 'outbound.ndjson') : undefined;
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const sink = (async () => {
    while (sinkRunning) {
      try {
        const out = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: localQueues.outbound.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        const messages = out.Messages ?? [];
        if (messages.length === 0) continue;
        for (const m of messages) {
          const record = { receivedAt: new Date().toISOString(), event: JSON.parse(m.Body ?? '{}') as Record<string, unknown> };
          outbound.push(record);
          if (outbound.length > 50_000) outbound.shift();
          if (outboundFile) appendFileSync(outboundFile, JSON.stringify(record) + '\n');
        }
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: localQueues.outbound.url,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      } catch (error) {
        if (sinkRunning) onError(error);
      }
    }
  })();
  started.push(async () => {
    sinkRunning = false;
    await sink;
  });

  let schedulesRunning = 0;
  async function fireSchedule(name: string): Promise<unknown> {
    const schedule = schedules.find((s) => s.name === name);
    if (!schedule) throw new Error(`unknown schedule "${name}"; known: ${schedules.map((s) => s.name).join(', ')}`);
    const event: ScheduledEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: new Date(Date.now() + clockOffset()).toISOString(),
      region: 'us-east-1',
      resources: [`arn:aws:events:us-east-1:000000000000:rule/${name}`],
      detail: {},
    };
    schedulesRunning++;
    try {
      return await handlers[schedule.function](event, lambdaContext(schedule.function, functions[schedule.function].timeoutSeconds));
    } finally {
      schedulesRunning--;
    }
  }
  const timers: NodeJS.Timeout[] = [];
  if (options.timers ?? true) {
    for (const s of schedules) {
      timers.push(setInterval(() => fireSchedule(s.name).catch(onError), s.everyMinutes * 60_000));
    }
  }
  started.push(async () => timers.forEach(clearInterval));

  // The local face of the DLQ alarms (CloudWatch in AWS): a line on stderr when a DLQ grows, and the
  // list at GET /_dev/alarms.
  const alarms: Array<{ at: string; queue: QueueName; dlq: number; message: string }> = [];
  const dlqSeen: Partial<Record<QueueName, number>> = {};
  const alarmTimer = setInterval(() => {
    for (const [name, d] of Object.entries(queueDepths()) as Array<[QueueName, { dlq: number }]>) {
      if (d.dlq > (dlqSeen[name] ?? 0)) {
        const message = `DLQ ${localDlqName(name)} holds ${d.dlq} message(s); fix the cause, then: npm run redrive -- ${name} --url <runtime url>`;
        alarms.push({ at: new Date().toISOString(), queue: name, dlq: d.dlq, message });
        log(`[alarm] ${message}`);
      }
      dlqSeen[name] = d.dlq;
    }
  }, 500);
  started.push(async () => clearInterval(alarmTimer));

  function queueDepths() {
    const out: Record<string, { visible: number; inFlight: number; delayed: number; dlq: number }> = {};
    for (const name of Object.keys(queues) as QueueName[]) {
      const q = sqsStandIn!.server.inspectQueue(localQueueName(name));
      const d = sqsStandIn!.server.inspectQueue(localDlqName(name));
      out[name] = {
        visible: q?.messages.ready.length ?? 0,
        inFlight: q?.messages.inflight.length ?? 0,
        delayed: q?.messages.delayed.length ?? 0,
        dlq: (d?.messages.ready.length ?? 0) + (d?.messages.inflight.length ?? 0) + (d?.messages.delayed.length ?? 0),
      };
    }
    return out;
  }

  /** Resolves true once every queue is empty and nothing is being handled, twice in a row. */
  async function drain(timeoutMs = 60_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let quiet = 0;
    while (Date.now() < deadline) {
      const depths = queueDepths();
      const pending = Object.values(depths).reduce((n, d) => n + d.visible + d.inFlight + d.delayed, 0);
      const busy = pollers.reduce((n, p) => n + p.busy, 0) + schedulesRunning;
      quiet = pending === 0 && busy === 0 ? quiet + 1 : 0;
      if (quiet >= 3) return true;
      await new Promise((r) => setTimeout(r, 40));
    }
    return false;
  }

  const openapi = readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8');
  const dev: Record<string, DevRoute> = {
    'GET /_dev/health': async () => ({ status: 200, body: { ok: true } }),
    'GET /openapi.json': async () => ({ status: 200, body: openapi }),
    'GET /_dev/clock': async () => ({ status: 200, body: clockState() }),
    'POST /_dev/clock': async (_req, body) => {
      let input: { set?: string; advance?: string | number; reset?: boolean };
      try {
        input = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        return { status: 400, body: { error: 'body must be JSON: {"set": ISO time} | {"advance": "7d"} | {"reset": true}' } };
      }
      if (input.reset) setClockOffset(0);
      else if (input.set !== undefined) {
        const at = Date.parse(input.set);
        if (Number.isNaN(at)) return { status: 400, body: { error: `set: "${input.set}" is not an RFC 3339 time` } };
        setClockOffset(at - Date.now());
      } else if (input.advance !== undefined) {
        try {
          setClockOffset(clockOffset() + parseDuration(input.advance));
        } catch (error) {
          return { status: 400, body: { error: `advance: ${(error as Error).message}` } };
        }
      } else return { status: 400, body: { error: 'give one of "set", "advance" or "reset"' } };
      return { status: 200, body: clockState() };
    },
    'POST /_dev/schedules/*': async (_req, _body, url) => {
      const name = decodeURIComponent(url.pathname.slice('/_dev/schedules/'.length));
      try {
        const result = await fireSchedule(name);
        return { status: 200, body: { fired: name, result: result ?? null } };
      } catch (error) {
        return { status: /unknown schedule/.test(String(error)) ? 404 : 500, body: { error: (error as Error).message } };
      }
    },
    'GET /_dev/queues': async () => ({ status: 200, body: queueDepths() }),
    'GET /_dev/alarms': async () => ({ status: 200, body: { alarms } }),
    // Where the SQS stand-in listens and the URLs it gave each queue (for `npm run redrive`).
    'GET /_dev/sqs': async () => ({
      status: 200,
      body: {
        endpoint: sqsStandIn!.endpoint,
        region: 'us-east-1',
        queues: Object.fromEntries(Object.entries(localQueues).map(([n, q]) => [n, { url: q.url, dlqUrl: q.dlqUrl }])),
      },
    }),
    // Fault injection: DynamoDB Local down ({"down": true}) and back on the same port and data ({"down": false}).
    'POST /_dev/faults/dynamo': async (_req, body) => {
      if (!options.dataDir) return { status: 409, body: { error: 'needs --data DIR: an in-memory DynamoDB Local would come back empty' } };
      let input: { down?: unknown };
      try {
        input = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        return { status: 400, body: { error: 'body must be JSON: {"down": true|false}' } };
      }
      if (typeof input.down !== 'boolean') return { status: 400, body: { error: 'down: give true or false' } };
      if (input.down && !dynamoDown) {
        dynamoDown = true;
        await dynamo!.stop();
        log('[fault] DynamoDB Local stopped');
      } else if (!input.down && dynamoDown) {
        dynamo = await startDynamo(options.dataDir, dynamoPort);
        dynamoDown = false;
        log('[fault] DynamoDB Local restarted');
      }
      return { status: 200, body: { dynamoDown } };
    },
    'POST /_dev/drain': async (_req, _body, url) => {
      const ok = await drain(Number(url.searchParams.get('timeoutMs') ?? 60_000));
      return { status: ok ? 200 : 504, body: { drained: ok, queues: queueDepths() } };
    },
    'GET /_dev/outbound': async (_req, _body, url) => {
      const type = url.searchParams.get('type');
      const subject = url.searchParams.get('subject');
      const events = outbound
        .map((o) => o.event)
        .filter((e) => (!type || e.type === type) && (!subject || e.subject === subject));
      return { status: 200, body: { count: events.length, events } };
    },
  };
  function clockState() {
    return { now: new Date(Date.now() + clockOffset()).toISOString(), offsetMs: clockOffset() };
  }

  const httpHandlers: Record<string, { handler: HttpHandler; timeoutSeconds: number }> = {};
  for (const name of Object.keys(functions) as FunctionName[]) {
    httpHandlers[name] = { handler: handlers[name] as unknown as HttpHandler, timeoutSeconds: functions[name].timeoutSeconds };
  }
  const server: Server = createGateway({ handlers: httpHandlers, dev, onError });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  started.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );

  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    config,
    queues: localQueues,
    outbound,
    fireSchedule,
    drain,
    queueDepths,
    async stop() {
      if (stopped) return;
      stopped = true;
      // Stop intake first (gateway, pollers, timers), then the stand-ins.
      for (const stop of started.reverse()) {
        try {
          await stop();
        } catch (error) {
          onError(error);
        }
      }
      ddbAdmin.destroy();
      sqs.destroy();
    },
  };
}
