/**
 * The time box every run that works through a list shares (shared/platform/time-reserve.ts): it starts no
 * item once the time left falls below the reserve, counts each item it did not start, and stays out of
 * time for the rest of the run.
 */
import { lambdaTimeLeft, timeBox } from '#platform/time-reserve';

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

  it('passes a failure of the work on to the caller, which decides what a failed item means', async () => {
    const box = timeBox(RESERVE, () => 60_000);
    await expect(box.forEachWithin(['a'], 1, async () => Promise.reject(new Error('throttled')))).rejects.toThrow('throttled');
    expect(box.deferred).toBe(0);
  });

  it('refuses a reserve that is not a number of milliseconds', () => {
    expect(() => timeBox(-1)).toThrow('reserveMs must be a non-negative number of milliseconds; got -1');
    expect(() => timeBox(Number.NaN)).toThrow('reserveMs must be a non-negative number of milliseconds; got NaN');
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
