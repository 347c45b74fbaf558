/**
 * `npm start [-- options]` — runs CivicFlow locally (`npm start -- --help` lists the options).
 * Environment: PORT (when --port is not given), LOG_LEVEL, CIVICFLOW_LOCAL_CONFIG (JSON overriding top-level
 * fields of the local stage's configuration, e.g. '{"notificationSender":{"kind":"webhook","url":"http://127.0.0.1:8080/hook"}}').
 */
import { startRuntime, StartError } from './runtime';
import { schedules } from '#topology';
import { devKey } from '#auth/signature';
import { maskSensitive } from '#contract/identifiers';
import { commandLine, UsageError, wholeNumber, type CommandSpec } from './cli';

export const START: CommandSpec = {
  command: 'npm start',
  maxPositionals: 0,
  summary: 'Runs the whole topology on this machine: DynamoDB Local, an SQS stand-in, the HTTP API, pollers and schedules.',
  options: [
    { name: 'port', value: 'N', help: 'HTTP port (default: $PORT, else 3000; 0 = any free port)' },
    { name: 'data', value: 'DIR', help: 'keep tables, queues and outbound events in DIR across restarts (default: in memory)' },
    { name: 'no-timers', help: 'do not fire schedules on timers (fire them with POST /_dev/schedules/<name>)' },
    { name: 'retry-delay', value: 'S', help: 'make failed records visible again after S seconds, not the full visibility timeout' },
    { name: 'pollers', value: 'N', help: "concurrent batches per queue (default 2; capped by each function's maxConcurrency)" },
    { name: 'lambda-batching', help: "wait out each function's batching window to fill a batch, as Lambda does (default: invoke with what is queued)" },
    { name: 'json', help: 'print one JSON line {"url","port"} when ready, for scripts and tests' },
  ],
  notes: [
    'Environment: PORT, LOG_LEVEL (default INFO), CIVICFLOW_LOCAL_CONFIG (JSON overriding the local stage configuration).',
    'Example: npm start -- --port 3201 --data .local-data     then: export CIVICFLOW_URL=http://127.0.0.1:3201',
  ],
};

function options() {
  const cli = commandLine(START);
  try {
    const portText = cli.values.port ?? process.env.PORT;
    return {
      port: portText === undefined ? 3000 : wholeNumber(cli.values.port === undefined ? 'port (from PORT)' : 'port', portText, 0, 65535)!,
      dataDir: cli.values.data,
      timers: !cli.flags.has('no-timers'),
      retryDelaySeconds: wholeNumber('retry-delay', cli.values['retry-delay'], 0, 43_200),
      pollersPerQueue: wholeNumber('pollers', cli.values.pollers, 1, 100),
      batchingWindow: cli.flags.has('lambda-batching') ? ('lambda' as const) : ('none' as const),
      json: cli.flags.has('json'),
    };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${START.command}: ${error.message}`);
    process.exit(2);
  }
}

const opts = options();

// A signal while the stand-ins start must still stop them: remember it, and stop once they are up.
let signalled: string | undefined;
let shutdown: (signal: string) => void = (signal) => (signalled = signal);
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

let runtime: Awaited<ReturnType<typeof startRuntime>>;
try {
  runtime = await startRuntime({
    ...opts,
    // The runtime's own lines (error stacks) can quote event content: masked like every function log line.
    log: (line) => console.error(maskSensitive(line)),
  });
} catch (error) {
  // startRuntime has stopped whatever it started. One line; the stack only when asked for (LOG_LEVEL=DEBUG).
  const debug = process.env.LOG_LEVEL?.toUpperCase() === 'DEBUG';
  const detail = error instanceof StartError || !debug ? (error as Error)?.message ?? String(error) : (error as Error)?.stack;
  console.error(`npm start: ${maskSensitive(String(detail))}`);
  process.exit(1);
}

if (opts.json) {
  console.log(JSON.stringify({ url: runtime.url, port: runtime.port }));
} else {
  const source = '/systems/catalog';
  console.log(`
CivicFlow local runtime (stage "${runtime.config.stage}", ${runtime.config.district.name}, ${runtime.config.timeZone})
  HTTP API     ${runtime.url}   (OpenAPI: ${runtime.url}/openapi.json)
  data         ${opts.dataDir ?? 'in memory (use --data DIR to keep it)'}
  schedules    ${opts.timers ? schedules.map((s) => `${s.name} every ${s.everyMinutes} min`).join(', ') : 'off (--no-timers)'}
  dev controls ${runtime.url}/_dev/clock, /_dev/schedules/<name>, /_dev/queues, /_dev/outbound, /_dev/audit, /_dev/drain,
               /_dev/pollers, /_dev/faults/dynamo (docs/walkthroughs/README.md)

In another terminal, point the commands and the docs' recipes at it, then post a sample event:
  export CIVICFLOW_URL=${runtime.url}
  npm run post -- events/samples/gov.catalog.item.published/weather-certificate.json
Development keys are public and local-only: key = "${devKey(source).replace(source, '<principal>')}".
Ctrl-C stops.`);
}

let stopping = false;
shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.error(`\n${signal}: stopping...`);
  const force = setTimeout(() => process.exit(1), 15_000);
  void runtime.stop().then(() => {
    clearTimeout(force);
    process.exit(0);
  });
};
if (signalled) shutdown(signalled);
