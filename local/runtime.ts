/**
 * The local runtime: the one topology run on a laptop. Stand-ins on 127.0.0.1, tables and queues created
 * from topology/index.ts, the same handler modules behind an HTTP gateway and queue pollers, timers for
 * the schedules, and development-only controls for the clock and the schedules.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ChangeMessageVisibilityBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduledEvent } from 'aws-lambda';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type RequestListener, type Server } from 'node:http';
import { env, functions, queues, schedules, type FunctionName, type QueueName } from '#topology';
import { stageConfig, validateStageConfig, type StageConfig } from '#topology/stages';
import { devKey } from '#auth/signature';
import { CURSOR_KEY_ENTRY } from '#platform/signing-keys';
import { clockOffset } from '#platform/clock';
import { startDynamo, startSqs, StartError, type DynamoStandIn, type SqsStandIn } from './standins';
import { DynamoSupervisor } from './supervisor';
import { startOutboundSink, type OutboundRecord } from './sink';
import { provisionQueues, provisionTables, localQueueName, localDlqName, localTableName, type LocalQueue } from './provision';
import { Hold, Poller, Ramp, lambdaContext, type SqsHandler } from './pollers';
import { gatewayListener, type HttpHandler } from './gateway';
import { devRoutes } from './dev-routes';
import { installPriority } from './priority';
import { scopeInvocations, scoped } from './invocations';
import { depthsOf, drainer, watchDlqs } from './watch';
import { RECEIVER_PATH, upwardReceiver } from './upward-receiver';

export { StartError } from './standins';
export type { OutboundRecord } from './sink';
export type { Alarm } from './watch';

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
  /**
   * 'lambda': each poller waits out its function's batching window (maxBatchingWindowSeconds) to fill a
   * batch, as Lambda does, so latency and batch sizes are those of AWS (the bench's figures). 'none'
   * (default): a poller invokes with what is queued at once, which keeps tests and walkthroughs quick.
   */
  readonly batchingWindow?: 'lambda' | 'none';
  /** Told of each handler invocation by a poller: the function, its records and how long it ran (ms). */
  readonly onInvocation?: (functionName: FunctionName, records: number, ms: number) => void;
  readonly config?: StageConfig;
  readonly log?: (line: string) => void;
}

export interface Runtime {
  readonly url: string;
  readonly port: number;
  readonly config: StageConfig;
  readonly queues: Record<QueueName, LocalQueue>;
  readonly outbound: OutboundRecord[];
  /** Outbound ids the sink listed, and messages it received again under an id already listed (at least once). */
  outboundCounts(): { listed: number; duplicates: number };
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
  // Every function shares this process: each invocation gets its own Powertools state (local/invocations.ts).
  return scoped(mod.handler);
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

/** Binds the HTTP port before anything else starts, so a port in use costs no JVM; answers 503 until ready. */
async function listen(port: number): Promise<{ server: Server; serve(listener: RequestListener): void }> {
  let current: RequestListener = (_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '2' });
    res.end(JSON.stringify({ message: 'the local runtime is starting' }));
  };
  const server = createServer((req, res) => current(req, res));
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new StartError(
            `port ${port} is in use (another CivicFlow runtime or another program): start on another with \`npm start -- --port ${port + 1}\`, or \`--port 0\` for any free port`,
          ),
        );
      } else if (error.code === 'EACCES') {
        reject(new StartError(`port ${port} needs privileges: choose one above 1023, e.g. \`npm start -- --port 3000\``));
      } else reject(error);
    });
    server.listen(port, '127.0.0.1', () => resolveListen());
  });
  return { server, serve: (listener) => (current = listener) };
}

export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const log = options.log ?? ((line: string) => console.log(line));
  const config = options.config ?? localConfig();
  // What has started, stopped in reverse on stop() and on every failure before the runtime is ready.
  const started: Array<() => Promise<void>> = [];
  const stopAll = async (onError: (error: unknown) => void) => {
    for (const stop of started.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        onError(error);
      }
    }
  };
  try {
    return await assemble(options, config, log, started, stopAll);
  } catch (error) {
    await stopAll(() => undefined);
    throw error;
  }
}

/** `upward.url: "local"` points the sender at the runtime's own stand-in for the platform (local/upward-receiver.ts). */
function withLocalPlatform(config: StageConfig, port: number): StageConfig {
  if (config.upward?.url !== 'local') return config;
  return { ...config, upward: { ...config.upward, url: `http://127.0.0.1:${port}${RECEIVER_PATH}` } };
}

async function assemble(
  options: RuntimeOptions,
  asConfigured: StageConfig,
  log: (line: string) => void,
  started: Array<() => Promise<void>>,
  stopAll: (onError: (error: unknown) => void) => Promise<void>,
): Promise<Runtime> {
  const http = await listen(options.port ?? 0);
  const closeServer = () =>
    new Promise<void>((r) => {
      http.server.closeAllConnections();
      http.server.close(() => r());
    });
  started.push(closeServer);
  const config = withLocalPlatform(asConfigured, (http.server.address() as AddressInfo).port);
  const aws = await startStandIns(options, log, started);
  setFunctionEnvironment(config, aws.dynamo.endpoint, aws.sqsStandIn.endpoint);
  const localQueues = await provisionAll(aws, options, log);

  const onError = (error: unknown) => log(`[error] ${(error as Error)?.stack ?? String(error)}`);
  // Handlers are imported only now: their modules read the environment at load, as in Lambda.
  const handlers = await loadHandlers();
  await installPriority();

  const pollers = startPollers(aws.sqs, localQueues, handlers, options, onError, () => aws.supervisor.restartingNow, log);
  // A new DynamoDB Local is cold: the pollers take their backlog up on it gradually, not all at once.
  aws.supervisor.onBack(() => pollers.ramp.restart());
  started.push(async () => {
    await Promise.all(pollers.all.map((p) => p.stop()));
  });
  // The outbound queue has no consumer in the project: upstream systems read it. The sink stands in.
  const sink = startOutboundSink(aws.sqs, localQueues.outbound.url, options.dataDir, onError);
  started.push(() => sink.stop());
  const schedulesRun = startSchedules(handlers, options.timers ?? true, onError, started);

  const queueDepths = () => depthsOf(aws.sqsStandIn);
  const url = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
  const alarms = watchDlqs(queueDepths, url, log, started);
  const drain = drainer(queueDepths, () => pollers.all.reduce((n, p) => n + p.busy, 0) + schedulesRun.running(), () => pollers.hold.held);
  const { fireSchedule } = schedulesRun;

  const receiver = asConfigured.upward?.url === "local" ? upwardReceiver(asConfigured.upward.profile) : {};
  const dev = devRoutes({
    dataDir: options.dataDir,
    log,
    supervisor: aws.supervisor,
    outbound: sink.records,
    alarms,
    fireSchedule,
    invoke: (name, event) => handlers[name](event, lambdaContext(name, functions[name].timeoutSeconds)),
    drain,
    pollers: {
      paused: () => pollers.hold.held,
      pause: async () => {
        await pollers.hold.hold();
        log('[pollers] paused: no queue is received from until POST /_dev/pollers {"paused": false}');
      },
      resume: () => {
        if (pollers.hold.held) log('[pollers] resumed');
        pollers.hold.release();
      },
    },
    queueDepths,
    sqs: { endpoint: aws.sqsStandIn.endpoint, queues: localQueues },
    dynamoEndpoint: aws.dynamo.endpoint,
    audit: (subject) => auditOf(aws.ddbAdmin, subject),
    extra: receiver,
  });
  http.serve(gatewayListener({ handlers: httpHandlersOf(handlers), dev, onError, storage: () => ({ restarting: aws.supervisor.restartingNow, crashes: aws.supervisor.crashes }) }));
  // Stop intake first: the gateway closes before the pollers, timers and stand-ins.
  started.splice(started.indexOf(closeServer), 1);
  started.push(closeServer);

  let stopped = false;
  return {
    url,
    port: Number(new URL(url).port),
    config,
    queues: localQueues,
    outbound: sink.records,
    outboundCounts: () => ({ listed: sink.listed(), duplicates: sink.duplicates() }),
    fireSchedule,
    drain,
    queueDepths,
    async stop() {
      if (stopped) return;
      stopped = true;
      // Before the first await: a JVM that got the same Ctrl-C and exits now is not restarted.
      aws.supervisor.stopping();
      // Stop intake first (gateway, pollers, timers), then the stand-ins.
      await stopAll(onError);
    },
  };
}

interface LocalAws {
  readonly dynamo: DynamoStandIn;
  readonly sqsStandIn: SqsStandIn;
  readonly ddbAdmin: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly supervisor: DynamoSupervisor;
}

/** DynamoDB Local and fauxqs, their clients, and the supervisor that restarts DynamoDB Local when it dies. */
async function startStandIns(options: RuntimeOptions, log: (line: string) => void, started: Array<() => Promise<void>>): Promise<LocalAws> {
  // Both start together; when one fails, the other is stopped once it is up (never left running).
  const [dynamoStart, sqsStart] = await Promise.allSettled([startDynamo(options.dataDir), startSqs(options.dataDir)]);
  if (dynamoStart.status === 'rejected' || sqsStart.status === 'rejected') {
    await Promise.allSettled([dynamoStart, sqsStart].map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw dynamoStart.status === 'rejected' ? dynamoStart.reason : (sqsStart as PromiseRejectedResult).reason;
  }
  const dynamo: DynamoStandIn = dynamoStart.value;
  const sqsStandIn: SqsStandIn = sqsStart.value;
  started.push(() => sqsStandIn.stop());
  const ddbAdmin = new DynamoDBClient({ endpoint: dynamo.endpoint });
  const sqs = new SQSClient({ endpoint: sqsStandIn.endpoint, useQueueUrlAsEndpoint: false });
  started.push(async () => {
    ddbAdmin.destroy();
    sqs.destroy();
  });
  const supervisor = new DynamoSupervisor(dynamo, options.dataDir, Number(new URL(dynamo.endpoint).port), log, async () => {
    await provisionTables(ddbAdmin);
  });
  started.push(() => supervisor.stop());
  return { dynamo, sqsStandIn, ddbAdmin, sqs, supervisor };
}

/** The functions find everything through the same variables the CDK sets in AWS. */
function setFunctionEnvironment(config: StageConfig, dynamoEndpoint: string, sqsEndpoint: string): void {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: sqsEndpoint,
    CIVICFLOW_CONFIG: JSON.stringify(config),
    CIVICFLOW_LOCAL: '1',
    POWERTOOLS_METRICS_NAMESPACE: 'CivicFlow',
    POWERTOOLS_SERVICE_NAME: 'civicflow-local',
    SIGNING_KEYS: JSON.stringify({
      ...Object.fromEntries([...Object.keys(config.sources), ...config.readers].map((p) => [p, devKey(p)])),
      [CURSOR_KEY_ENTRY]: devKey(CURSOR_KEY_ENTRY),
    }),
  });
  // INFO: the product's own lines (decisions, notifications by the log sender, alarms) are what a
  // developer runs it to see. Metrics are off locally: nothing would read them.
  process.env.LOG_LEVEL ??= 'INFO';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  // Before the handler modules (and their shared logger) load: one scope per invocation, as on Lambda
  // Managed Instances, so a log line never names another function.
  scopeInvocations();
}

/** Every audit line of a subject (its `AUDIT#<subject>` partition), in sort-key order (by time). */
async function auditOf(client: DynamoDBClient, subject: string): Promise<Record<string, unknown>[]> {
  const doc = DynamoDBDocumentClient.from(client);
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({ TableName: localTableName('audit'), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `AUDIT#${subject}` }, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

/** The topology's tables and queues, their names in the environment, and a restart's in-flight messages released. */
async function provisionAll(aws: LocalAws, options: RuntimeOptions, log: (line: string) => void): Promise<Record<QueueName, LocalQueue>> {
  const tableNames = await provisionTables(aws.ddbAdmin);
  const localQueues = await provisionQueues(aws.sqs);
  for (const [name, table] of Object.entries(tableNames)) process.env[env.table(name as never)] = table;
  for (const [name, q] of Object.entries(localQueues)) process.env[env.queueUrl(name as QueueName)] = q.url;
  for (const [name, q] of Object.entries(queues)) process.env[env.maxReceives(name as QueueName)] = String(q.maxReceiveCount);
  for (const [name, q] of Object.entries(queues)) process.env[env.deliverySeconds(name as QueueName)] ??= String(q.visibilityTimeoutSeconds * q.maxReceiveCount);
  if (options.dataDir) await releaseInFlight(aws.sqs, aws.sqsStandIn, log);
  return localQueues;
}

async function loadHandlers(): Promise<Record<FunctionName, AnyHandler>> {
  const handlers = {} as Record<FunctionName, AnyHandler>;
  for (const name of Object.keys(functions) as FunctionName[]) handlers[name] = await loadHandler(name);
  return handlers;
}

/** The gateway's view of the handlers: each as an HTTP handler, with its timeout. */
function httpHandlersOf(handlers: Record<FunctionName, AnyHandler>): Record<string, { handler: HttpHandler; timeoutSeconds: number }> {
  const httpHandlers: Record<string, { handler: HttpHandler; timeoutSeconds: number }> = {};
  for (const name of Object.keys(functions) as FunctionName[]) {
    httpHandlers[name] = { handler: handlers[name] as unknown as HttpHandler, timeoutSeconds: functions[name].timeoutSeconds };
  }
  return httpHandlers;
}

/** The schedules: fired by name (a dev route, a test) and, unless turned off, on timers as EventBridge would. */
function startSchedules(
  handlers: Record<FunctionName, AnyHandler>,
  timers: boolean,
  onError: (error: unknown) => void,
  started: Array<() => Promise<void>>,
): { fireSchedule(name: string): Promise<unknown>; running(): number } {
  let running = 0;
  async function fireSchedule(name: string): Promise<unknown> {
    const schedule = schedules.find((s) => s.name === name);
    if (!schedule) throw new Error(`unknown schedule "${name}"; known: ${schedules.map((s) => s.name).join(', ')}`);
    running++;
    try {
      return await handlers[schedule.function](scheduledEvent(name), lambdaContext(schedule.function, functions[schedule.function].timeoutSeconds));
    } finally {
      running--;
    }
  }
  const intervals: NodeJS.Timeout[] = [];
  if (timers) {
    for (const s of schedules) intervals.push(setInterval(() => fireSchedule(s.name).catch(onError), s.everyMinutes * 60_000));
  }
  started.push(async () => intervals.forEach(clearInterval));
  return { fireSchedule, running: () => running };
}

/** The event EventBridge sends a scheduled function, at the runtime's clock (which a dev route may shift). */
function scheduledEvent(name: string): ScheduledEvent {
  return {
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
}

/**
 * A data folder may hold messages the previous process had received but not finished (it stopped or
 * was killed mid-batch). This runtime's pollers and sink are the only consumers of its queues, so no
 * one else holds them: make them visible now instead of after the full visibility timeout (minutes).
 */
async function releaseInFlight(sqs: SQSClient, standIn: SqsStandIn, log: (line: string) => void): Promise<void> {
  let released = 0;
  for (const name of Object.keys(queues) as QueueName[]) {
    for (const queueName of [localQueueName(name), localDlqName(name)]) {
      const inspected = standIn.server.inspectQueue(queueName);
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

function startPollers(
  sqs: SQSClient,
  localQueues: Record<QueueName, LocalQueue>,
  handlers: Record<FunctionName, AnyHandler>,
  options: RuntimeOptions,
  onError: (error: unknown) => void,
  paused: () => boolean,
  log: (line: string) => void,
): { all: Poller[]; ramp: Ramp; hold: Hold } {
  const pollers: Poller[] = [];
  const consumers = (Object.entries(functions) as Array<[FunctionName, (typeof functions)[FunctionName]]>).flatMap(([name, spec]) =>
    'consumes' in spec && spec.consumes ? [{ name, spec, consumes: spec.consumes }] : [],
  );
  const countOf = (maxConcurrency: number) => Math.max(1, Math.min(maxConcurrency, options.pollersPerQueue ?? 2));
  // One ramp for all: after a restart it is the one JVM that is cold, whichever queue a batch comes from.
  const ramp = new Ramp(consumers.reduce((n, c) => n + countOf(c.consumes.maxConcurrency), 0), log);
  // One hold for all: POST /_dev/pollers holds every consumer at once.
  const hold = new Hold();
  for (const { name, spec, consumes } of consumers) {
    const q = localQueues[consumes.queue];
    const count = countOf(consumes.maxConcurrency);
    for (let i = 0; i < count; i++) {
      const poller = new Poller(
        sqs,
        handlers[name] as SqsHandler,
        {
          functionName: name,
          queueUrl: q.url,
          queueArn: q.arn,
          batchSize: consumes.batchSize,
          timeoutSeconds: spec.timeoutSeconds,
          retryDelaySeconds: options.retryDelaySeconds,
          paused,
          ramp,
          hold,
          ...(options.batchingWindow === 'lambda' ? { batchingWindowSeconds: consumes.maxBatchingWindowSeconds } : {}),
          ...(options.onInvocation ? { onInvoked: (records: number, ms: number) => options.onInvocation!(name, records, ms) } : {}),
        },
        onError,
      );
      poller.start();
      pollers.push(poller);
    }
  }
  return { all: pollers, ramp, hold };
}
