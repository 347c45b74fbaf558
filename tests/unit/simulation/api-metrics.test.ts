/**
 * POST /simulations writes SimulationsStarted as every function writes its counts: Powertools' EMF line on
 * stdout, written by `logMetrics` as the invocation ends, named under the function's `service`. Nothing about
 * it waits on a setting of its own: only POWERTOOLS_METRICS_DISABLED, which the local runtime sets for every
 * function (local/runtime.ts), keeps it off the dev runtime. The real handler, with its table and queue
 * stubbed; metrics on, as in Lambda.
 */
import { jest } from '@jest/globals';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { signedHeaders } from '#auth/signature';
import { encodeAccess, functionConfig } from '#platform/stage-config';
import type { KeyRecord } from '#simulation/domain/idempotency';
import type { SimulationJob } from '#simulation/ports';
import { stageConfig } from '#topology/stages';
import { captureLogs, useEnv } from '#support/logs';
import { posterItem } from '../approval/fixtures';

const READER = '/auditors/district';
const KEY = 'api-metrics-test-key';
const config = stageConfig('dev');

// Read when the Powertools logger and metrics are created, and by the handler's access check and signature.
useEnv({
  LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'false',
  POWERTOOLS_DEV: undefined,
  POWERTOOLS_SERVICE_NAME: 'simulations',
  POWERTOOLS_METRICS_NAMESPACE: 'CivicFlow',
  CIVICFLOW_CONFIG: JSON.stringify(functionConfig(config)),
  CIVICFLOW_ACCESS: encodeAccess(config),
  SIGNING_KEYS: JSON.stringify({ [READER]: KEY }),
  SIGNING_KEYS_SECRET_ARN: undefined,
});

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
let handler: Handler;

beforeAll(async () => {
  handler = (await import('#functions/simulation/api')).handler as unknown as Handler;
  const { simulationStore } = await import('#simulation/store');
  const { simulationStartPorts } = await import('#simulation/start-adapters');
  // The table and the queue, in memory: jobs, keys and what was queued.
  const jobs = new Map<string, SimulationJob>();
  const keys = new Map<string, KeyRecord>();
  jest.spyOn(simulationStore, 'createJob').mockImplementation(async (job) => void jobs.set(job.simulationId, job));
  jest.spyOn(simulationStore, 'createKeyedJob').mockImplementation(async (job, key) => {
    const existing = keys.get(key.keyId);
    if (existing !== undefined) return { created: false, existing };
    keys.set(key.keyId, key);
    jobs.set(job.simulationId, job);
    return { created: true };
  });
  jest.spyOn(simulationStore, 'markJobQueued').mockImplementation(async () => undefined);
  jest.spyOn(simulationStore, 'markQueued').mockImplementation(async (keyId) => void keys.set(keyId, { ...keys.get(keyId)!, queued: true }));
  jest.spyOn(simulationStore, 'loadKey').mockImplementation(async (keyId) => keys.get(keyId));
  jest.spyOn(simulationStore, 'loadJob').mockImplementation(async (id) => (jobs.has(id) ? { job: jobs.get(id)!, queued: true } : undefined));
  jest.spyOn(simulationStartPorts, 'sendSlices').mockImplementation(async () => undefined);
});
afterAll(() => jest.restoreAllMocks());

const body = JSON.stringify({ draft: { ...posterItem, itemCode: 'API-METRICS-1', version: 9 }, from: '2026-11-01T00:00:00+08:00', to: '2026-12-01T00:00:00+08:00' });

function post(headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /simulations',
    rawPath: '/simulations',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...signedHeaders(READER, KEY, 'POST', '/simulations', body), ...headers },
    requestContext: { http: { method: 'POST', path: '/simulations' } } as APIGatewayProxyEventV2['requestContext'],
    body,
    isBase64Encoded: false,
  };
}

const context = { functionName: 'simulations', awsRequestId: 'req' } as unknown as Context;

/** The invocation's answer, and the metrics of each EMF line it printed (by name), with their `service`. */
async function invoke(event: APIGatewayProxyEventV2) {
  const written: Array<Record<string, unknown>> = [];
  const out = captureLogs({ from: 'stdout', keep: (line) => line.includes('"_aws"') });
  try {
    const answer = await handler(event, context);
    for (const emf of out.json()) {
      const { CloudWatchMetrics } = emf._aws as { CloudWatchMetrics: Array<{ Namespace: string; Metrics: Array<{ Name: string }> }> };
      for (const d of CloudWatchMetrics) for (const m of d.Metrics) written.push({ namespace: d.Namespace, service: emf.service, [m.Name]: emf[m.Name] });
    }
    return { status: answer.statusCode, written };
  } finally {
    out.restore();
  }
}

describe('POST /simulations, as deployed', () => {
  it('writes SimulationsStarted once per simulation it starts, as an EMF line under its service', async () => {
    const first = await invoke(post());
    expect(first).toEqual({ status: 202, written: [{ namespace: 'CivicFlow', service: 'simulations', SimulationsStarted: 1 }] });
    // Without a key every post is a simulation of its own.
    expect(await invoke(post())).toEqual(first);
  });

  it('writes it for the first post of an Idempotency-Key, and nothing for its repeat', async () => {
    expect(await invoke(post({ 'idempotency-key': 'api-metrics-k1' }))).toEqual({ status: 202, written: [{ namespace: 'CivicFlow', service: 'simulations', SimulationsStarted: 1 }] });
    expect(await invoke(post({ 'idempotency-key': 'api-metrics-k1' }))).toEqual({ status: 202, written: [] });
  });
});
