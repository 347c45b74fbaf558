/**
 * Metrics are written by `logMetrics` when the handler returns or throws. A function Lambda stops at its
 * timeout does neither, and the counts of the writes it had committed are lost for good: a rerun finds
 * them done and counts nothing. `flushMetricsBeforeDeadline` writes them half a second before the timeout
 * (middy's own early end, 5 ms before it, is less than a busy event loop can delay a timer). These drive
 * the real SQS consumer with a context whose time runs out, and read the EMF lines it prints on stdout.
 */
import { jest } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Logger } from '@aws-lambda-powertools/logger';
import { ROOT } from '#support/import-graph';
import { captureLogs, useEnv } from '#support/logs';

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
type Consumer = (handle: (event: { id: string }) => Promise<void>) => Handler;

// Read when the Powertools logger and metrics are created: metrics on, written to stdout as in Lambda.
useEnv({ LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'false', POWERTOOLS_DEV: undefined });
let sqsConsumer: Consumer;
let metrics: Metrics;
let logger: Logger;
let margin: number;

beforeAll(async () => {
  // No time reserve: these contexts end within seconds, under the consumers' default reserve, and what is
  // tested is the end itself (the reserve is consumer.test.ts's).
  const consumer = (await import('#platform/consumer')).sqsConsumer as unknown as (handle: Parameters<Consumer>[0], options: { timeReserveMs: number }) => Handler;
  sqsConsumer = (handle) => consumer(handle, { timeReserveMs: 0 });
  ({ metrics, logger } = await import('#platform/powertools'));
  margin = (await import('#platform/metrics-deadline')).DEADLINE_MARGIN_MS;
});

/** A context whose time runs out `timeoutMs` from now, as Lambda's does. */
function contextEnding(timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'deadline-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:deadline-test',
    memoryLimitInMB: '128',
    awsRequestId: 'req',
    logGroupName: '/aws/lambda/deadline-test',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function batchOf(id: string): SQSEvent {
  const body = JSON.stringify({ specversion: '1.0', id, source: 'test', type: 'test.event', time: '2026-12-07T01:00:00Z', data: {} });
  return {
    Records: [
      {
        messageId: `m-${id}`,
        receiptHandle: `h-${id}`,
        body,
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'test', ApproximateFirstReceiveTimestamp: '0' },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:test',
        awsRegion: 'us-east-1',
      },
    ],
  };
}

interface Written {
  /** The metrics of the EMF line, by name. */
  readonly values: Record<string, number>;
  /** The invocation's time left when it was written. */
  readonly remainingMs: number;
  /** Whether the invocation had settled by then. */
  readonly settled: boolean;
}

/** Every EMF line printed from now on (kept, not printed), with the time left then; the rest passes through. */
function capture(context: Context) {
  const lines: Written[] = [];
  const state = { settled: false };
  const out = captureLogs({
    from: 'stdout',
    keep: (line) => line.includes('"_aws"'),
    onLine: (line) => {
      const emf = JSON.parse(line) as { _aws: { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> } } & Record<string, unknown>;
      const names = emf._aws.CloudWatchMetrics.flatMap((d) => d.Metrics.map((m) => m.Name));
      lines.push({ values: Object.fromEntries(names.map((n) => [n, emf[n] as number])), remainingMs: context.getRemainingTimeInMillis(), settled: state.settled });
    },
  });
  return { lines, state, restore: out.restore };
}

const linesWith = (lines: readonly Written[], name: string) => lines.filter((l) => name in l.values);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check() && Date.now() < end) await sleep(10);
}

describe('metrics near the function timeout', () => {
  let warn: ReturnType<typeof jest.spyOn>;
  beforeEach(() => {
    warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    metrics.clearMetrics();
  });

  it('writes what was counted before the timeout when the handler outlives it, and not again at the end', async () => {
    const context = contextEnding(margin + 1_000);
    const out = capture(context);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    try {
      const handler = sqsConsumer(async () => {
        metrics.addMetric('DeadlineTestCommitted', MetricUnit.Count, 3);
        await held; // still working when the time is up
      });
      const outcome = await handler(batchOf('late-1'), context).then(
        () => 'returned',
        (error: Error) => error.name,
      );
      out.state.settled = true;
      expect(outcome).toBe('TimeoutError'); // middy ends the handler 5 ms before the timeout
      const written = linesWith(out.lines, 'DeadlineTestCommitted');
      expect(written).toHaveLength(1);
      expect(written[0]!.values.DeadlineTestCommitted).toBe(3);
      // Written by the timer, with time to spare (nominally the margin; a loaded machine delays a timer),
      // not by the end of the invocation 5 ms before the timeout.
      expect(written[0]!.remainingMs).toBeGreaterThan(100);
      expect(written[0]!.settled).toBe(false);
      expect(warn).toHaveBeenCalledWith('near the deadline: metrics flushed', { remainingMs: expect.any(Number) });
    } finally {
      release();
      out.restore();
    }
  });

  it('writes what is counted after the timer at the end, each count once', async () => {
    const context = contextEnding(margin + 600);
    const out = capture(context);
    try {
      const handler = sqsConsumer(async () => {
        metrics.addMetric('DeadlineTestBefore', MetricUnit.Count, 1);
        await until(() => linesWith(out.lines, 'DeadlineTestBefore').length > 0, margin + 1_000);
        metrics.addMetric('DeadlineTestAfter', MetricUnit.Count, 2);
      });
      await expect(handler(batchOf('late-2'), context)).resolves.toEqual({ batchItemFailures: [] });
      expect(out.lines.map((l) => l.values)).toEqual([{ DeadlineTestBefore: 1 }, { DeadlineTestAfter: 2 }]);
    } finally {
      out.restore();
    }
  });

  it('a handler done in time writes its metrics once, at the end, and leaves no timer behind', async () => {
    const context = contextEnding(margin + 200);
    const out = capture(context);
    try {
      const handler = sqsConsumer(async () => {
        metrics.addMetric('DeadlineTestFast', MetricUnit.Count, 1);
      });
      await expect(handler(batchOf('fast'), context)).resolves.toEqual({ batchItemFailures: [] });
      out.state.settled = true;
      expect(out.lines.map((l) => l.values)).toEqual([{ DeadlineTestFast: 1 }]);
      // A handler that throws clears its timer too.
      const failing = sqsConsumer(async () => {
        throw new Error('boom');
      });
      await expect(failing(batchOf('fails'), contextEnding(margin + 200))).rejects.toThrow('All 1 records of the batch failed');
      // Past the moment the timers would have fired: nothing written, nothing warned.
      metrics.addMetric('DeadlineTestStray', MetricUnit.Count, 1);
      await sleep(400);
      expect(linesWith(out.lines, 'DeadlineTestStray')).toHaveLength(0);
      expect(warn).not.toHaveBeenCalledWith(expect.stringContaining('near the deadline'), expect.anything());
    } finally {
      out.restore();
    }
  });

  it('sets no timer when less than the margin is left at the start', async () => {
    const context = contextEnding(margin - 100);
    const out = capture(context);
    try {
      const handler = sqsConsumer(async () => {
        metrics.addMetric('DeadlineTestShort', MetricUnit.Count, 1);
      });
      await expect(handler(batchOf('short'), context)).resolves.toEqual({ batchItemFailures: [] });
      expect(out.lines.map((l) => l.values)).toEqual([{ DeadlineTestShort: 1 }]);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      out.restore();
    }
  });
});

describe('every function that writes metrics', () => {
  const sources = (dir: string): string[] =>
    readdirSync(join(ROOT, dir)).flatMap((name) => {
      const path = join(dir, name);
      return statSync(join(ROOT, path)).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
    });

  it('flushes them before its timeout too', () => {
    const users = [...sources('functions'), ...sources('shared')].filter((p) => readFileSync(join(ROOT, p), 'utf8').includes('.use(logMetrics('));
    expect(users.length).toBeGreaterThanOrEqual(8);
    const without = users.filter((p) => !/\.use\(logMetrics\(metrics\)\)\s*\.use\(flushMetricsBeforeDeadline\(metrics\)\)/.test(readFileSync(join(ROOT, p), 'utf8')));
    expect(without).toEqual([]);
  });
});
