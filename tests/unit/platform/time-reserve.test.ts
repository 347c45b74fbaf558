/**
 * The time box every run that works through a list shares (shared/platform/time-reserve.ts): it starts no
 * item once the time left falls below the reserve, counts each item it did not start, and stays out of
 * time for the rest of the run. Given an `onError`, an item that fails is counted and told once, and the
 * others go on. Once middy has ended the invocation (the signal it gives the handler aborted), no time is
 * left: the run starts no item after it, whatever the clock and the reserve say.
 */
import middy, { type MiddyHandlerObject } from '@middy/core';
import type { Context } from 'aws-lambda';
import { countedRun, itemCountsTo, ITEMS_DEFERRED_METRIC, ITEMS_FAILED_METRIC, lambdaTimeLeft, timeBox, timeLeftOptions, type ItemCounts } from '#platform/time-reserve';

const RESERVE = 10_000;

describe('timeBox', () => {
  it('is never out of time without a clock to read, and defers nothing', async () => {
    const box = timeBox(RESERVE);
    const done: number[] = [];
    await box.forEachWithin([1, 2, 3], 2, async (n) => void done.push(n));
    expect({ out: box.outOfTime(), done: done.sort(), deferred: box.deferred }).toEqual({ out: false, done: [1, 2, 3], deferred: 0 });
  });

  it('keeps going with exactly the reserve left, and stops below it', () => {
    const left = [RESERVE, RESERVE - 1];
    const box = timeBox(RESERVE, () => left.shift()!);
    expect([box.outOfTime(), box.outOfTime()]).toEqual([false, true]);
    expect(box.deferred).toBe(1);
  });

  it('stays out of time once out, counting every item it turns away, and no longer reads the clock', () => {
    let reads = 0;
    const left = [30_000, RESERVE - 1, 60_000];
    const box = timeBox(RESERVE, () => (reads++, left.shift() ?? 60_000));
    expect([box.outOfTime(), box.outOfTime(), box.outOfTime(), box.outOfTime()]).toEqual([false, true, true, true]);
    expect({ deferred: box.deferred, reads }).toEqual({ deferred: 3, reads: 2 });
  });

  it('finishes the items it started, starts none once out of time, and counts over every list of the run', async () => {
    let left = 60_000;
    const box = timeBox(RESERVE, () => left);
    const done: string[] = [];
    let inFlight = 0;
    let most = 0;
    await box.forEachWithin(['a', 'b', 'c', 'd', 'e'], 2, async (id) => {
      most = Math.max(most, ++inFlight);
      if (id === 'b') left = RESERVE - 1; // the run's time runs out once b is in hand
      await new Promise((resolve) => setTimeout(resolve, 1));
      done.push(id);
      inFlight--;
    });
    // a and b were started together and both finish; c, d and e are not started.
    expect({ done: done.sort(), deferred: box.deferred, most }).toEqual({ done: ['a', 'b'], deferred: 3, most: 2 });
    await box.forEachWithin(['f', 'g'], 2, async (id) => void done.push(id));
    expect({ done: done.sort(), deferred: box.deferred }).toEqual({ done: ['a', 'b'], deferred: 5 });
  });

  it('without an onError, passes a failure of the work on to the caller', async () => {
    const box = timeBox(RESERVE, () => 60_000);
    await expect(box.forEachWithin(['a'], 1, async () => Promise.reject(new Error('throttled')))).rejects.toThrow('throttled');
    expect({ deferred: box.deferred, failed: box.failed }).toEqual({ deferred: 0, failed: 0 });
  });

  it('counts and tells an item that fails once, and goes on with the others', async () => {
    const box = timeBox(RESERVE, () => 60_000);
    const done: string[] = [];
    const told: Array<[string, string]> = [];
    const within = await box.forEachWithin(
      ['a', 'b', 'c', 'd'],
      2,
      async (id) => {
        if (id === 'b') throw new Error('throttled');
        if (id === 'c') await Promise.reject(new Error('conditional check failed'));
        done.push(id);
      },
      { onError: (id, error) => void told.push([id, error.message]) },
    );
    expect({ done: done.sort(), told: told.sort(), within, failed: box.failed, deferred: box.deferred }).toEqual({
      done: ['a', 'd'],
      told: [['b', 'throttled'], ['c', 'conditional check failed']],
      within: { failed: 2, deferred: [] },
      failed: 2,
      deferred: 0,
    });
  });

  it('counts failures over every list of the run, and names the items of each list it did not start', async () => {
    let left = 60_000;
    const box = timeBox(RESERVE, () => left);
    const told: string[] = [];
    const onError = (id: string) => void told.push(id);
    const first = await box.forEachWithin(
      ['a', 'b', 'c'],
      1,
      async (id) => {
        if (id === 'b') {
          left = RESERVE - 1; // b fails as the run's time runs out: c is not started
          throw new Error('throttled');
        }
      },
      { onError },
    );
    const second = await box.forEachWithin(['d', 'e'], 1, async () => Promise.reject(new Error('never started')), { onError });
    // A failed item is not deferred, and a deferred one is not failed: b is counted once, in `failed`.
    expect({ first, second, told, failed: box.failed, deferred: box.deferred }).toEqual({
      first: { failed: 1, deferred: ['c'] },
      second: { failed: 0, deferred: ['d', 'e'] },
      told: ['b'],
      failed: 1,
      deferred: 3,
    });
  });

  it('names the items it did not start in the order of the list, with several in flight', async () => {
    let left = 60_000;
    const box = timeBox(RESERVE, () => left);
    const within = await box.forEachWithin(['a', 'b', 'c', 'd', 'e', 'f'], 3, async (id) => {
      if (id === 'c') left = RESERVE - 1; // a, b and c are in flight
      await new Promise((resolve) => setTimeout(resolve, 1));
    });
    expect(within).toEqual({ failed: 0, deferred: ['d', 'e', 'f'] });
  });

  it('stops with no reserve once no time is left at all', () => {
    const left = [1, 0];
    const box = timeBox(0, () => left.shift()!);
    expect([box.outOfTime(), box.outOfTime()]).toEqual([false, true]);
  });

  it('refuses a reserve that is not a number of milliseconds', () => {
    expect(() => timeBox(-1)).toThrow('reserveMs must be a non-negative number of milliseconds; got -1');
    expect(() => timeBox(Number.NaN)).toThrow('reserveMs must be a non-negative number of milliseconds; got NaN');
  });
});

describe('countedRun', () => {
  it("writes the box's counts once when the run returns, and once when it throws after counting", async () => {
    for (const late of [undefined, new Error('second list unreachable')]) {
      const box = timeBox(10, () => 5);
      const written: ItemCounts[] = [];
      const run = countedRun(box, (counts) => written.push(counts), async () => {
        await box.forEachWithin(['a', 'b'], 1, async () => undefined);
        if (late !== undefined) throw late;
        return 'done';
      });
      if (late === undefined) expect(await run).toBe('done');
      else await expect(run).rejects.toThrow(late.message);
      expect(written).toEqual([{ failed: 0, deferred: 2 }]);
    }
  });
});

describe('itemCountsTo', () => {
  it('writes ItemsFailed then ItemsDeferred, each time, zeros too, through the one count it is given', () => {
    const counted: Array<[string, number]> = [];
    const write = itemCountsTo((name, value) => counted.push([name, value]));
    write({ failed: 2, deferred: 3 });
    write({ failed: 0, deferred: 0 });
    expect([ITEMS_FAILED_METRIC, ITEMS_DEFERRED_METRIC]).toEqual(['ItemsFailed', 'ItemsDeferred']);
    expect(counted).toEqual([
      ['ItemsFailed', 2],
      ['ItemsDeferred', 3],
      ['ItemsFailed', 0],
      ['ItemsDeferred', 0],
    ]);
  });

  it("with countedRun, writes the box's counts (0 and 0) when the run's first read throws", async () => {
    const box = timeBox(10, () => 60_000);
    const counted: Array<[string, number]> = [];
    await expect(
      countedRun(box, itemCountsTo((name, value) => counted.push([name, value])), async () => {
        throw new Error('due index unreachable');
      }),
    ).rejects.toThrow('due index unreachable');
    expect(counted).toEqual([
      ['ItemsFailed', 0],
      ['ItemsDeferred', 0],
    ]);
  });
});

describe('lambdaTimeLeft', () => {
  it("reads the invocation's context, called on the context itself", () => {
    const context = {
      deadline: 42_000,
      getRemainingTimeInMillis(this: { deadline: number }) {
        return this.deadline;
      },
    };
    expect(lambdaTimeLeft(context)?.()).toBe(42_000);
  });

  it('is undefined for a context without the time left (a local or test invocation)', () => {
    for (const context of [undefined, null, {}, { getRemainingTimeInMillis: 5 }]) expect(lambdaTimeLeft(context)).toBeUndefined();
  });
});

describe('timeLeftOptions', () => {
  it("gives a use case the invocation's time left, read from the context when asked", () => {
    let left = 42_000;
    const options = timeLeftOptions({ getRemainingTimeInMillis: () => left });
    left = 9_000;
    expect(options.timeLeftMs?.()).toBe(9_000);
  });

  it('gives nothing for a context without the time left, so the run takes every item', () => {
    for (const context of [undefined, null, {}, { getRemainingTimeInMillis: 5 }]) expect(timeLeftOptions(context)).toEqual({});
  });
});

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe("timeLeftOptions with middy's signal", () => {
  it('reads the clock until the signal aborts, and leaves no time after it', () => {
    const ended = new AbortController();
    const options = timeLeftOptions({ getRemainingTimeInMillis: () => 42_000 }, ended.signal);
    expect(options.timeLeftMs?.()).toBe(42_000);
    ended.abort();
    expect(options.timeLeftMs?.()).toBe(0);
  });

  it('without the clock, leaves every item to the signal alone', () => {
    const ended = new AbortController();
    const box = timeBox(RESERVE, timeLeftOptions({}, ended.signal).timeLeftMs);
    expect(box.outOfTime()).toBe(false);
    ended.abort();
    expect(box.outOfTime()).toBe(true);
  });

  it('starts no item once the invocation has ended, with time on the clock; the item in hand finishes', async () => {
    const ended = new AbortController();
    const box = timeBox(RESERVE, timeLeftOptions({ getRemainingTimeInMillis: () => 60_000 }, ended.signal).timeLeftMs);
    const started: string[] = [];
    const done: string[] = [];
    const within = await box.forEachWithin(['a', 'b', 'c', 'd'], 1, async (id) => {
      started.push(id);
      if (id === 'b') ended.abort(); // middy ends the invocation while b is in hand
      await Promise.resolve();
      done.push(id);
    });
    expect({ started, done, within, deferred: box.deferred }).toEqual({
      started: ['a', 'b'],
      done: ['a', 'b'],
      within: { failed: 0, deferred: ['c', 'd'] },
      deferred: 2,
    });
  });

  it('under middy: a run whose invocation middy ended starts nothing after the end, and its item in hand finishes', async () => {
    // Built as the schedules' handlers are. 5 ms left: middy ends the invocation at its next timer turn.
    const context = { functionName: 'schedule', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 5 } as unknown as Context;
    const aStarted = gate();
    const release = gate();
    const runEnded = gate();
    const started: string[] = [];
    const done: string[] = [];
    let within: unknown;
    const handler = middy(async (_event: unknown, ctx: Context, { signal }: MiddyHandlerObject) => {
      // No reserve: only the end of the invocation stops this run.
      const box = timeBox(0, timeLeftOptions(ctx, signal).timeLeftMs);
      within = await box.forEachWithin(['a', 'b', 'c'], 1, async (id) => {
        started.push(id);
        if (id === 'a') {
          aStarted.open();
          await release.promise;
        }
        done.push(id);
      });
      runEnded.open();
      return within;
    });

    const answer = handler({}, context).then(
      () => 'answered',
      (error: Error) => error.name,
    );
    await aStarted.promise;
    // middy answers for the invocation while a is still in hand...
    expect(await answer).toBe('TimeoutError');
    // ...and the run, which nobody waits for any more, finishes a and starts nothing else.
    release.open();
    await runEnded.promise;
    expect({ started, done, within }).toEqual({ started: ['a'], done: ['a'], within: { failed: 0, deferred: ['b', 'c'] } });
  });
});
