/**
 * `sqsConsumer` must report each invocation's own failures even when two invocations overlap in one
 * process, as the local runtime's two pollers per queue do. With one BatchProcessor per module, the second
 * invocation's `prepare()` cleared the first one's failure list, the first then reported its failed record
 * as done, the poller deleted it, and it was lost (the completed case missing after the DynamoDB outage).
 */
import { jest } from '@jest/globals';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { primed, primeInBatch } from '#platform/batch-memo';
import { currentUnit, GroupCommit, type CommitResult } from '#platform/group-commit';
import { QUIET_POWERTOOLS, useEnv } from '#support/logs';

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
type Options = { unitOfWork?: () => GroupCommit<{ key: string }>; timeReserveMs?: number };
type Consumer = (handle: (event: { id: string }) => Promise<void>, options?: Options) => Handler;
type Batch = (
  handle: (event: { id: string }) => Promise<void>,
  options?: Options,
) => (event: SQSEvent, context: Context, options?: { signal?: AbortSignal }) => Promise<SQSBatchResponse>;

// Read when the Powertools logger and metrics are created: quiet the expected "record failed" lines.
useEnv(QUIET_POWERTOOLS);
let sqsConsumer: Consumer;
let sqsBatch: Batch;

beforeAll(async () => {
  ({ sqsConsumer, sqsBatch } = (await import('#platform/consumer')) as unknown as { sqsConsumer: Consumer; sqsBatch: Batch });
});

function record(id: string): SQSRecord {
  return {
    messageId: `m-${id}`,
    receiptHandle: `h-${id}`,
    body: JSON.stringify({ specversion: '1.0', id, source: 'test', type: 'test.event', time: '2026-11-02T01:00:00Z', data: {} }),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'test', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:test',
    awsRegion: 'us-east-1',
  };
}

function context(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
    memoryLimitInMB: '128',
    awsRequestId: 'req',
    logGroupName: '/aws/lambda/test',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** An invocation's outcome, caught at once (a failed one must fail the test, not the process). */
function settle(p: Promise<SQSBatchResponse>): Promise<{ response: SQSBatchResponse } | { thrown: string }> {
  return p.then(
    (response) => ({ response }),
    (error: Error) => ({ thrown: error.message }),
  );
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('sqsConsumer with overlapping invocations', () => {
  it("reports each invocation's failed records to that invocation, whatever the other does meanwhile", async () => {
    const failed = gate();
    const releaseFirst = gate();
    const secondDone = gate();
    const handler = sqsConsumer(async (event) => {
      if (event.id === 'a-fail') {
        failed.open();
        throw new Error('DynamoDB is down');
      }
      // Keeps the first batch open until the second invocation has run from start to end.
      if (event.id === 'a-later') await releaseFirst.promise;
    });

    const first = settle(handler({ Records: [record('a-fail'), record('a-later')] }, context()));
    await failed.promise;
    // The second invocation starts after the first one's record failed and ends before the first ends.
    const second = settle(handler({ Records: [record('b-ok')] }, context())).finally(() => secondDone.open());
    await secondDone.promise;
    releaseFirst.open();

    expect(await second).toEqual({ response: { batchItemFailures: [] } });
    expect(await first).toEqual({ response: { batchItemFailures: [{ itemIdentifier: 'm-a-fail' }] } });
  });

  it('reports the other way round too: a failure in the overlapping invocation stays with it', async () => {
    const firstStarted = gate();
    const releaseFirst = gate();
    const handler = sqsConsumer(async (event) => {
      if (event.id === 'a-slow') {
        firstStarted.open();
        await releaseFirst.promise;
      }
      if (event.id === 'b-fail') throw new Error('conditional write failed for another reason');
    });

    const first = settle(handler({ Records: [record('a-slow'), record('a-ok')] }, context()));
    await firstStarted.promise;
    const second = await settle(handler({ Records: [record('b-ok'), record('b-fail')] }, context()));
    releaseFirst.open();

    expect(second).toEqual({ response: { batchItemFailures: [{ itemIdentifier: 'm-b-fail' }] } });
    expect(await first).toEqual({ response: { batchItemFailures: [] } });
  });
});

describe('sqsConsumer with a unit of work (group commit)', () => {
  it('writes the records of a batch once after the last one and adds the records it could not write to the failures', async () => {
    const writes: string[][] = [];
    const unit = () =>
      new GroupCommit<{ key: string }>({
        keyOf: (c) => c.key,
        write: async (changes) => {
          writes.push(changes.map((c) => c.key));
          return changes.map((c): CommitResult => (c.key === 'b' ? 'failed' : 'committed'));
        },
      });
    const handler = sqsConsumer(async (event) => {
      if (event.id === 'c') throw new Error('poison');
      currentUnit<{ key: string }>()!.unit.defer({ key: event.id });
    }, { unitOfWork: unit });
    const out = await settle(handler({ Records: [record('a'), record('b'), record('c'), record('d')] }, context()));
    expect(writes).toEqual([['a', 'b', 'd']]);
    expect(out).toEqual({ response: { batchItemFailures: [{ itemIdentifier: 'm-c' }, { itemIdentifier: 'm-b' }] } });
  });
});

describe('sqsConsumer reading ahead for a batch', () => {
  it('gives the unit the events that parse before the records run; the records read what was read ahead', async () => {
    const prepared: string[][] = [];
    const taken: Array<[string, unknown]> = [];
    const unit = () =>
      new GroupCommit<{ key: string }>({
        keyOf: (c) => c.key,
        write: async (changes) => changes.map((): CommitResult => 'committed'),
        prepare: async (events) => {
          const ids = (events as Array<{ id: string }>).map((e) => e.id);
          prepared.push(ids);
          for (const id of ids) primeInBatch(id, `read ahead for ${id}`);
        },
      });
    const handler = sqsConsumer(async (event) => {
      taken.push([event.id, await primed(event.id)], [`${event.id} of a`, await primed('a')]);
    }, { unitOfWork: unit });
    const malformed = { ...record('x'), messageId: 'm-x', body: '{"not": "an event"' };
    const out = await settle(handler({ Records: [record('a'), malformed, record('b')] }, context()));
    expect(prepared).toEqual([['a', 'b']]);
    expect(taken).toEqual([
      ['a', 'read ahead for a'],
      ['a of a', 'read ahead for a'],
      ['b', 'read ahead for b'],
      ['b of a', 'read ahead for a'],
    ]);
    expect(out).toEqual({ response: { batchItemFailures: [{ itemIdentifier: 'm-x' }] } });
  });

  it('runs the records as usual when reading ahead fails', async () => {
    const seen: string[] = [];
    const unit = () =>
      new GroupCommit<{ key: string }>({
        keyOf: (c) => c.key,
        write: async (changes) => changes.map((): CommitResult => 'committed'),
        prepare: async () => {
          throw new Error('DynamoDB unavailable');
        },
      });
    const handler = sqsConsumer(async (event) => void seen.push(`${event.id}:${String(await primed(event.id))}`), { unitOfWork: unit });
    const out = await settle(handler({ Records: [record('a'), record('b')] }, context()));
    expect([seen, out]).toEqual([['a:undefined', 'b:undefined'], { response: { batchItemFailures: [] } }]);
  });
});

describe('sqsConsumer reporting conflicts', () => {
  it('reports the records its unit ran again after a conflict as a metric, and nothing when there were none', async () => {
    const { metrics } = await import('#platform/powertools');
    const added: Array<[string, number]> = [];
    const spy = jest.spyOn(metrics, 'addMetric').mockImplementation((name, _unit, value) => {
      added.push([name, value]);
      return metrics;
    });
    try {
      let conflicts = new Set(['b', 'c']);
      const unit = () =>
        new GroupCommit<{ key: string }>({
          keyOf: (c) => c.key,
          write: async (changes) => changes.map((c): CommitResult => (conflicts.has(c.key) ? 'conflict' : 'committed')),
        });
      const seen: string[] = [];
      const handler = sqsConsumer(async (event) => {
        const ctx = currentUnit<{ key: string }>();
        if (ctx) ctx.unit.defer({ key: event.id });
        else seen.push(`alone ${event.id}`);
      }, { unitOfWork: unit });
      const out = await settle(handler({ Records: [record('a'), record('b'), record('c')] }, context()));
      expect(out).toEqual({ response: { batchItemFailures: [] } });
      expect(seen).toEqual(['alone b', 'alone c']);
      expect(added).toEqual([['RecordsRedoneAfterConflict', 2]]);
      conflicts = new Set();
      await settle(handler({ Records: [record('d')] }, context()));
      expect(added).toEqual([['RecordsRedoneAfterConflict', 2]]);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('sqsConsumer when every record fails', () => {
  // What a handler throws, Lambda's runtime logs as it is, outside our masking.
  const ID = '110101199003074477';
  const leaks = (error: unknown) => {
    const text = JSON.stringify(error, Object.getOwnPropertyNames(error)) + String((error as Error).stack) + JSON.stringify({ ...(error as object) });
    return text.includes(ID) || text.includes('13812345678');
  };

  it.each([
    ['without a unit of work', undefined],
    ['with a unit of work', () => new GroupCommit<{ key: string }>({ keyOf: (c) => c.key, write: async (c) => c.map((): CommitResult => 'committed') })],
  ])('throws a BatchFailedError that says how many failed and quotes no record error (%s)', async (_name, unitOfWork) => {
    const handler = sqsConsumer(async (event) => {
      throw new Error(`applicant ${ID} (mobile 13812345678) of ${event.id} is unknown`);
    }, unitOfWork ? { unitOfWork } : {});
    const error = await handler({ Records: [record('a'), record('b')] }, context()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('BatchFailedError');
    expect((error as Error).message).toBe('All 2 records of the batch failed; each is logged as "record failed" with its messageId');
    expect(leaks(error)).toBe(false);
  });

  it('keeps the partial response when only some fail (Lambda retries just those)', async () => {
    const handler = sqsConsumer(async (event) => {
      if (event.id === 'b') throw new Error(`applicant ${ID}`);
    });
    expect(await settle(handler({ Records: [record('a'), record('b')] }, context()))).toEqual({ response: { batchItemFailures: [{ itemIdentifier: 'm-b' }] } });
  });
});

describe('sqsConsumer once middy has ended the invocation', () => {
  const committing = () =>
    new GroupCommit<{ key: string }>({
      keyOf: (c) => c.key,
      write: async (changes) => changes.map((): CommitResult => 'committed'),
    });

  it('starts no record after the end, finishes the one in hand, and reports every record not done', async () => {
    const ended = new AbortController();
    const started: string[] = [];
    const done: string[] = [];
    const batch = sqsBatch(async (event) => {
      started.push(event.id);
      if (event.id === 'a') throw new Error('poison');
      if (event.id === 'b') ended.abort(); // middy ends the invocation while b is in hand
      await Promise.resolve();
      done.push(event.id);
    });
    const out = await settle(batch({ Records: [record('a'), record('b'), record('c'), record('d')] }, context(), { signal: ended.signal }));
    expect({ started, done }).toEqual({ started: ['a', 'b'], done: ['b'] });
    // c and d were not started: reported with the failed a, so SQS hands them out again.
    expect(out).toEqual({ response: { batchItemFailures: [{ itemIdentifier: 'm-a' }, { itemIdentifier: 'm-c' }, { itemIdentifier: 'm-d' }] } });
  });

  it('with a unit of work, commits what the started records deferred and reports the rest', async () => {
    const ended = new AbortController();
    const writes: string[][] = [];
    const unit = () =>
      new GroupCommit<{ key: string }>({
        keyOf: (c) => c.key,
        write: async (changes) => {
          writes.push(changes.map((c) => c.key));
          return changes.map((): CommitResult => 'committed');
        },
      });
    const batch = sqsBatch(async (event) => {
      if (event.id === 'b') ended.abort();
      currentUnit<{ key: string }>()!.unit.defer({ key: event.id });
    }, { unitOfWork: unit });
    const out = await settle(batch({ Records: [record('a'), record('b'), record('c')] }, context(), { signal: ended.signal }));
    expect(writes).toEqual([['a', 'b']]);
    expect(out).toEqual({ response: { batchItemFailures: [{ itemIdentifier: 'm-c' }] } });
  });

  it.each([
    ['without a unit of work', undefined],
    ['with a unit of work', committing],
  ])('starts no record of a batch whose invocation ended before its first, and fails the batch (%s)', async (_name, unitOfWork) => {
    const ended = new AbortController();
    ended.abort();
    const started: string[] = [];
    const batch = sqsBatch(async (event) => void started.push(event.id), unitOfWork ? { unitOfWork } : {});
    const out = await settle(batch({ Records: [record('a'), record('b')] }, context(), { signal: ended.signal }));
    expect({ started, out }).toEqual({
      started: [],
      out: { thrown: 'All 2 records of the batch failed: 2 not started, as the invocation had ended; any other is logged as "record failed" with its messageId' },
    });
  });

  it('under middy: the batch answered with a TimeoutError goes on with no new record; the one in hand finishes and commits', async () => {
    // 5 ms left: middy ends the invocation at its next timer turn, with a in hand.
    const ending = { ...context(), getRemainingTimeInMillis: () => 5 };
    const aStarted = gate();
    const release = gate();
    const committed = gate();
    const started: string[] = [];
    const writes: string[][] = [];
    const unit = () =>
      new GroupCommit<{ key: string }>({
        keyOf: (c) => c.key,
        write: async (changes) => {
          writes.push(changes.map((c) => c.key));
          committed.open();
          return changes.map((): CommitResult => 'committed');
        },
      });
    const handler = sqsConsumer(async (event) => {
      started.push(event.id);
      if (event.id === 'a') {
        aStarted.open();
        await release.promise;
      }
      currentUnit<{ key: string }>()!.unit.defer({ key: event.id });
      // No reserve: this is about middy's end, which comes after it.
    }, { unitOfWork: unit, timeReserveMs: 0 });

    const answer = handler({ Records: [record('a'), record('b'), record('c')] }, ending).then(
      () => 'answered',
      (error: Error) => error.name,
    );
    await aStarted.promise;
    // The whole batch failed (Lambda reports the error; SQS hands every record out again): nothing is lost.
    expect(await answer).toBe('TimeoutError');
    release.open();
    // The commit comes after the batch's last record: by then b and c would have started.
    await committed.promise;
    expect({ started, writes }).toEqual({ started: ['a'], writes: [['a']] });
  });
});

describe('sqsConsumer once its time left falls below the reserve', () => {
  /** A context whose time left is `left.ms`, which a test lowers as records run. */
  const clocked = (left: { ms: number }): Context => ({ ...context(), getRemainingTimeInMillis: () => left.ms });
  const committing = (writes: string[][]) => () =>
    new GroupCommit<{ key: string }>({
      keyOf: (c) => c.key,
      write: async (changes) => {
        writes.push(changes.map((c) => c.key));
        return changes.map((): CommitResult => 'committed');
      },
    });

  /** What the batch logs and counts while `run` runs: its "record failed" lines, its warnings, its metrics. */
  async function observed<T>(run: () => Promise<T>): Promise<{ result: T; recordFailed: unknown[]; warnings: Array<[string, unknown]>; added: Array<[string, number]> }> {
    const { logger, metrics } = await import('#platform/powertools');
    const recordFailed: unknown[] = [];
    const warnings: Array<[string, unknown]> = [];
    const added: Array<[string, number]> = [];
    const spies = [
      jest.spyOn(logger, 'error').mockImplementation((message: unknown, ...rest: unknown[]) => {
        if (message === 'record failed') recordFailed.push(rest[0]);
      }),
      jest.spyOn(logger, 'warn').mockImplementation((message: unknown, ...rest: unknown[]) => void warnings.push([String(message), rest[0]])),
      jest.spyOn(metrics, 'addMetric').mockImplementation((name, _unit, value) => {
        added.push([name, value]);
        return metrics;
      }),
    ];
    try {
      return { result: await run(), recordFailed, warnings, added };
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  }

  it('starts no record once below it, commits the started ones once, and answers with exactly the records not started', async () => {
    const left = { ms: 30_000 };
    const writes: string[][] = [];
    const started: string[] = [];
    const batch = sqsBatch(async (event) => {
      started.push(event.id);
      currentUnit<{ key: string }>()!.unit.defer({ key: event.id });
      if (event.id === 'b') left.ms = 9_000; // b took the batch below the 10 s reserve
    }, { unitOfWork: committing(writes) });
    const { result, recordFailed, warnings, added } = await observed(() =>
      settle(batch({ Records: [record('a'), record('b'), record('c'), record('d')] }, clocked(left))),
    );
    expect({ started, writes }).toEqual({ started: ['a', 'b'], writes: [['a', 'b']] });
    // a and b are deleted; only c and d come back.
    expect(result).toEqual({ response: { batchItemFailures: [{ itemIdentifier: 'm-c' }, { itemIdentifier: 'm-d' }] } });
    expect(recordFailed).toEqual([]);
    expect(warnings).toEqual([['batch out of time: records left for redelivery', { deferred: 2, records: 4, reserveMs: 10_000, remainingMs: 9_000 }]]);
    expect(added).toEqual([['RecordsDeferred', 2]]);
  });

  it('without a unit of work too, and a record that failed is reported with the ones not started', async () => {
    const left = { ms: 30_000 };
    const started: string[] = [];
    const batch = sqsBatch(async (event) => {
      started.push(event.id);
      if (event.id === 'a') throw new Error('poison');
      left.ms = 5_000;
    });
    const { result, recordFailed, warnings, added } = await observed(() =>
      settle(batch({ Records: [record('a'), record('b'), record('c'), record('d')] }, clocked(left))),
    );
    expect(started).toEqual(['a', 'b']);
    expect(result).toEqual({ response: { batchItemFailures: [{ itemIdentifier: 'm-a' }, { itemIdentifier: 'm-c' }, { itemIdentifier: 'm-d' }] } });
    // a's own line only: b and c are in the one warning.
    expect(recordFailed).toEqual([expect.objectContaining({ messageId: 'm-a' })]);
    expect(warnings.map(([message, fields]) => [message, (fields as { deferred: number }).deferred])).toEqual([['batch out of time: records left for redelivery', 2]]);
    // a in RecordsFailed, b and c in RecordsDeferred: each once.
    expect(added).toEqual([['RecordsDeferred', 2], ['RecordsFailed', 1]]);
  });

  it('keeps the reserve its consumer asks for', async () => {
    const left = { ms: 15_000 };
    const started: string[] = [];
    const batch = sqsBatch(async (event) => void started.push(event.id), { timeReserveMs: 20_000 });
    const out = await observed(() => settle(batch({ Records: [record('a')] }, clocked(left))));
    expect({ started, result: out.result, added: out.added }).toEqual({
      started: [],
      result: { response: { batchItemFailures: [{ itemIdentifier: 'm-a' }] } },
      added: [['RecordsDeferred', 1]],
    });
    expect(() => sqsBatch(async () => undefined, { timeReserveMs: -1 })).toThrow('timeReserveMs must be a non-negative number of milliseconds; got -1');
  });

  it.each([
    ['without a unit of work', false],
    ['with a unit of work', true],
  ])('answers with every record of a batch it started none of, as no Lambda error, logged and counted once (%s)', async (_name, withUnit) => {
    const writes: string[][] = [];
    const started: string[] = [];
    const batch = sqsBatch(async (event) => void started.push(event.id), withUnit ? { unitOfWork: committing(writes) } : {});
    const { result, recordFailed, warnings, added } = await observed(() =>
      settle(batch({ Records: [record('a'), record('b'), record('c')] }, clocked({ ms: 9_000 }))),
    );
    expect({ started, writes, result, recordFailed, added }).toEqual({
      started: [],
      writes: [],
      // SQS hands all three out again, as it would after a failed invocation, but the function reports no error.
      result: { response: { batchItemFailures: [{ itemIdentifier: 'm-a' }, { itemIdentifier: 'm-b' }, { itemIdentifier: 'm-c' }] } },
      recordFailed: [],
      added: [['RecordsDeferred', 3]],
    });
    expect(warnings).toEqual([['batch out of time: records left for redelivery', { deferred: 3, records: 3, reserveMs: 10_000, remainingMs: 9_000 }]]);
  });

  it('under middy too: a batch it started none of answers with every record, not an error', async () => {
    const started: string[] = [];
    const handler = sqsConsumer(async (event) => void started.push(event.id));
    const { result } = await observed(() => settle(handler({ Records: [record('a'), record('b')] }, clocked({ ms: 3_000 }))));
    expect({ started, result }).toEqual({ started: [], result: { response: { batchItemFailures: [{ itemIdentifier: 'm-a' }, { itemIdentifier: 'm-b' }] } } });
  });

  it.each([
    ['a record that throws', false],
    ['a malformed record', true],
  ])('still fails a batch whose every record failed, one of them for real, the rest left for the reserve (%s)', async (_name, malformed) => {
    const left = { ms: 30_000 };
    // a fails (its handler throws, or its parse step refuses it), and takes the time left below the reserve.
    const batch = sqsBatch(
      async () => {
        left.ms = 5_000;
        throw new Error('poison');
      },
      malformed
        ? ({
            parse: () => {
              left.ms = 5_000;
              return { ok: false, problem: 'data: required' };
            },
          } as Options)
        : {},
    );
    const { result, recordFailed, added } = await observed(() => settle(batch({ Records: [record('a'), record('b'), record('c')] }, clocked(left))));
    expect({ result, recordFailed, added }).toEqual({
      result: { thrown: 'All 3 records of the batch failed: 2 not started, as the invocation\'s time was running out; any other is logged as "record failed" with its messageId' },
      recordFailed: [expect.objectContaining({ messageId: 'm-a' })],
      added: [['RecordsDeferred', 2], ['RecordsFailed', 1]],
    });
  });

  it('under middy too: a real failure with the rest left for the reserve is a Lambda error (the poller backs off)', async () => {
    const left = { ms: 30_000 };
    const started: string[] = [];
    // A storage that fails slowly: the first record waits out its retries, fails, and leaves the rest.
    const handler = sqsConsumer(async (event) => {
      started.push(event.id);
      left.ms = 5_000;
      throw new Error('storage down');
    });
    const { result, recordFailed, added } = await observed(() => settle(handler({ Records: [record('a'), record('b'), record('c')] }, clocked(left))));
    expect({ started, result, recordFailed, added }).toEqual({
      started: ['a'],
      result: { thrown: expect.stringMatching(/^All 3 records of the batch failed: 2 not started/) },
      recordFailed: [expect.objectContaining({ messageId: 'm-a' })],
      added: [['RecordsDeferred', 2], ['RecordsFailed', 1]],
    });
  });

  it('changes nothing for a batch with plenty of time', async () => {
    const writes: string[][] = [];
    const started: string[] = [];
    const batch = sqsBatch(async (event) => {
      started.push(event.id);
      currentUnit<{ key: string }>()!.unit.defer({ key: event.id });
    }, { unitOfWork: committing(writes) });
    const { result, warnings, added } = await observed(() => settle(batch({ Records: [record('a'), record('b'), record('c')] }, clocked({ ms: 10_001 }))));
    expect({ started, writes, result, warnings, added }).toEqual({
      started: ['a', 'b', 'c'],
      writes: [['a', 'b', 'c']],
      result: { response: { batchItemFailures: [] } },
      warnings: [],
      added: [],
    });
  });

  describe('a record that fails after its handler (its write, its outbox), counted in RecordsFailed with its own line', () => {
    const plenty = (): Context => clocked({ ms: 60_000 });
    /** A unit whose writer answers `result(key)` per change, and whose outbox send runs `after`. */
    const unitOf =
      (result: (key: string) => CommitResult | Error, after?: () => Promise<void>) =>
      () =>
        new GroupCommit<{ key: string }>({
          keyOf: (c) => c.key,
          write: async (changes) => {
            const thrown = changes.map((c) => result(c.key)).find((r): r is Error => r instanceof Error);
            if (thrown) throw thrown;
            return changes.map((c) => result(c.key) as CommitResult);
          },
          ...(after ? { afterWrite: after } : {}),
        });
    const deferring = async (event: { id: string }) => currentUnit<{ key: string }>()!.unit.defer({ key: event.id });

    it('a change the writer reported failed', async () => {
      const batch = sqsBatch(deferring, { unitOfWork: unitOf((key) => (key === 'b' ? 'failed' : 'committed')) });
      const { result, recordFailed, added } = await observed(() => settle(batch({ Records: [record('a'), record('b'), record('c')] }, plenty())));
      expect({ result, recordFailed, added }).toEqual({
        result: { response: { batchItemFailures: [{ itemIdentifier: 'm-b' }] } },
        recordFailed: [{ messageId: 'm-b', eventId: 'b', eventType: 'test.event', receiveCount: '1', error: expect.stringMatching(/^its change was not written/) }],
        added: [['RecordsFailed', 1]],
      });
    });

    it('a writer that threw, and an outbox that could not be sent: each record with the error', async () => {
      const down = new Error('store down');
      const thrown = sqsBatch(deferring, { unitOfWork: unitOf(() => down) });
      const one = await observed(() => settle(thrown({ Records: [record('a'), record('b')] }, plenty())));
      expect({ result: one.result, recordFailed: one.recordFailed, added: one.added }).toEqual({
        result: { response: { batchItemFailures: [{ itemIdentifier: 'm-a' }, { itemIdentifier: 'm-b' }] } },
        recordFailed: [
          { messageId: 'm-a', eventId: 'a', eventType: 'test.event', receiveCount: '1', error: down },
          { messageId: 'm-b', eventId: 'b', eventType: 'test.event', receiveCount: '1', error: down },
        ],
        added: [['RecordsFailed', 2]],
      });
      const unsent = new Error('queue down');
      const notSent = sqsBatch(deferring, {
        unitOfWork: unitOf(
          () => 'committed',
          async () => {
            throw unsent;
          },
        ),
      });
      const two = await observed(() => settle(notSent({ Records: [record('a')] }, plenty())));
      expect({ result: two.result, recordFailed: two.recordFailed, added: two.added }).toEqual({
        result: { response: { batchItemFailures: [{ itemIdentifier: 'm-a' }] } },
        recordFailed: [{ messageId: 'm-a', eventId: 'a', eventType: 'test.event', receiveCount: '1', error: unsent }],
        added: [['RecordsFailed', 1]],
      });
    });

    it('a conflict whose redo threw: the redo\'s own line only, counted once', async () => {
      let runs = 0;
      const batch = sqsBatch(
        async (event) => {
          runs++;
          if (currentUnit<{ key: string }>()) return deferring(event);
          throw new Error('still conflicting');
        },
        { unitOfWork: unitOf(() => 'conflict') },
      );
      const { result, recordFailed, added } = await observed(() => settle(batch({ Records: [record('a')] }, plenty())));
      expect({ runs, result, recordFailed, added }).toEqual({
        runs: 2,
        result: { response: { batchItemFailures: [{ itemIdentifier: 'm-a' }] } },
        recordFailed: [expect.objectContaining({ messageId: 'm-a', eventId: 'a' })],
        added: [['RecordsRedoneAfterConflict', 1], ['RecordsFailed', 1]],
      });
    });
  });

  it('under middy: answers for the batch itself, with no TimeoutError, before middy would end it', async () => {
    const left = { ms: 30_000 };
    const writes: string[][] = [];
    const started: string[] = [];
    const handler = sqsConsumer(async (event) => {
      started.push(event.id);
      currentUnit<{ key: string }>()!.unit.defer({ key: event.id });
      left.ms = 2_000;
    }, { unitOfWork: committing(writes) });
    const { result } = await observed(() => settle(handler({ Records: [record('a'), record('b'), record('c')] }, clocked(left))));
    expect({ started, writes, result }).toEqual({
      started: ['a'],
      writes: [['a']],
      result: { response: { batchItemFailures: [{ itemIdentifier: 'm-b' }, { itemIdentifier: 'm-c' }] } },
    });
  });
});
