/**
 * The hard-case schedule counts what it did (HardCasesOverdue, HardCasesOffered) when its run returns. A run
 * the function's timeout cut short would lose those counts for good, the cases it moved being no longer
 * due: once the time left falls below the reserve it starts no more cases, and they stay due.
 */
import { useEnv } from '#support/logs';

type Module = typeof import('#hardcase/schedule');
let forEachWithin: Module['forEachWithin'];
let TIME_RESERVE_MS: number;

useEnv({ LOG_LEVEL: 'SILENT' }); // read when the logger is created: quiet the expected failure line
beforeAll(async () => {
  ({ forEachWithin, HARDCASE_TIME_RESERVE_MS: TIME_RESERVE_MS } = await import('#hardcase/schedule'));
});

describe('the hard-case schedule near its timeout', () => {
  it('starts no more ids once the time left falls below the reserve, and counts them as deferred', async () => {
    const left = [30_000, 30_000, TIME_RESERVE_MS - 1];
    const within = forEachWithin(() => left.shift() ?? TIME_RESERVE_MS - 1);
    const done: string[] = [];
    const failed = await within.forEach(['H1', 'H2', 'H3', 'H4', 'H5'], async (id) => {
      if (id === 'H2') throw new Error('throttled');
      done.push(id);
    });
    expect({ done, failed }).toEqual({ done: ['H1'], failed: 1 });
    // One place for the run's counts (the handler's ItemsFailed and ItemsDeferred, its summary's `deferred`):
    // the counts alone, not the time box that keeps them, nor a second way to read `deferred`.
    expect(within.counts).toEqual({ failed: 1, deferred: 3 });
    expect(Object.keys(within).sort()).toEqual(['counts', 'forEach']);
  });

  it('takes every id when the time left is unknown or ample', async () => {
    for (const within of [forEachWithin(), forEachWithin(() => 60_000)]) {
      const done: string[] = [];
      expect(await within.forEach(['H1', 'H2', 'H3', 'H4', 'H5'], async (id) => void done.push(id))).toBe(0);
      expect({ done: done.sort(), counts: within.counts }).toEqual({ done: ['H1', 'H2', 'H3', 'H4', 'H5'], counts: { failed: 0, deferred: 0 } });
    }
  });
});
