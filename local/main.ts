/**
 * `npm start` — runs CivicFlow locally. Options:
 *   --port N          HTTP port (default 3000; 0 = any free port)
 *   --data DIR        keep tables and queues in DIR across restarts (default: in memory)
 *   --no-timers       do not fire schedules on timers (fire them with POST /_dev/schedules/<name>)
 *   --retry-delay S   make failed records visible again after S seconds instead of the full visibility timeout
 *   --pollers N       concurrent batches per queue (default 2; capped by each function's maxConcurrency in
 *                     infra/topology.ts, as Lambda caps its concurrent batches)
 *   --json            print one JSON line {"url": ...} when ready (for scripts and tests)
 * Environment: CIVICFLOW_LOCAL_CONFIG (JSON) overrides top-level fields of the local stage's configuration,
 * e.g. '{"notificationSender":{"kind":"webhook","url":"http://127.0.0.1:8080/hook"}}'.
 */
import { startRuntime } from './runtime';
import { schedules } from '../infra/topology';
import { devKey } from '../shared/auth/signature';
import { maskSensitive } from '../shared/contract/identifiers';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(name);

const json = flag('--json');
const retry = arg('--retry-delay');
const pollers = arg('--pollers');
if (pollers !== undefined && !(Number.isInteger(Number(pollers)) && Number(pollers) >= 1)) {
  console.error(`--pollers: expected a whole number >= 1, got "${pollers}"`);
  process.exit(2);
}
const runtime = await startRuntime({
  port: Number(arg('--port') ?? process.env.PORT ?? 3000),
  dataDir: arg('--data'),
  timers: !flag('--no-timers'),
  retryDelaySeconds: retry === undefined ? undefined : Number(retry),
  pollersPerQueue: pollers === undefined ? undefined : Number(pollers),
  // The runtime's own lines (error stacks) can quote event content: masked like every function log line.
  log: (line) => console.error(maskSensitive(line)),
});

if (json) {
  console.log(JSON.stringify({ url: runtime.url, port: runtime.port }));
} else {
  const source = '/systems/catalog';
  console.log(`
CivicFlow local runtime (stage "${runtime.config.stage}", ${runtime.config.district.name}, ${runtime.config.timeZone})
  HTTP API     ${runtime.url}   (OpenAPI: ${runtime.url}/openapi.json)
  data         ${arg('--data') ?? 'in memory (use --data DIR to keep it)'}
  schedules    ${schedules.map((s) => `${s.name} every ${s.everyMinutes} min`).join(', ')}
  dev controls ${runtime.url}/_dev/clock, /_dev/schedules/<name>, /_dev/queues, /_dev/outbound, /_dev/drain

Post a sample event (signed as a development source):
  npm run post -- events/samples/gov.catalog.item.published/weather-certificate.json --url ${runtime.url}
Development keys are public and local-only: key = "${devKey(source).replace(source, '<principal>')}" (see README).
Ctrl-C stops.`);
}

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.error(`\n${signal}: stopping...`);
  const force = setTimeout(() => process.exit(1), 15_000);
  await runtime.stop();
  clearTimeout(force);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
