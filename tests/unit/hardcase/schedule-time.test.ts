/**
 * The hard-case schedule counts what it did (HardCasesOverdue, HardCasesOffered) when its run returns. A run
 * the function's timeout cut short would lose those counts for good, the cases it moved being no longer
 * due: once the time left falls below the reserve it starts no more cases, and they stay due.
 */
import type { ItemCounts } from '#platform/time-reserve';
import type { ForEach } from '#hardcase/service';
import { useEnv } from '#support/logs';

type Module = typeof import('#hardcase/schedule');
let runWithin: Module['runWithin'];
let TIME_RESERVE_MS: number;

useEnv({ LOG_LEVEL: 'SILENT' }); // read when the logger is created: quiet the expected failure line
beforeAll(async () => {
  ({ runWithin, HARDCASE_TIME_RESERVE_MS: TIME_RESERVE_MS } = await import('#hardcase/schedule'));
});

/** Five ids through the one forEach a run is given (H2's work failing if told), and what the run saw. */
async function fiveIds(timeLeftMs: (() => number) | undefined, failing?: string) {
  const written: ItemCounts[] = [];
  const given: unknown[][] = [];
  const done: string[] = [];
  const summary = await runWithin({ timeLeftMs, counted: (counts) => void written.push(counts) }, async (...args: [ForEach]) => {
    given.push(args);
    const [forEach] = args;
    const failed = await forEach(['H1', 'H2', 'H3', 'H4', 'H5'], async (id) => {
      if (id === failing) throw new Error('throttled');
      done.push(id);
    });
    return { failed };
  });
  return { summary, written, given, done };
}

describe('the hard-case schedule near its timeout', () => {
  it('starts no more ids once the time left falls below the reserve, and counts them as deferred', async () => {
    const left = [30_000, 30_000, TIME_RESERVE_MS - 1];
    const { summary, written, given, done } = await fiveIds(() => left.shift() ?? TIME_RESERVE_MS - 1, 'H2');
    expect(done).toEqual(['H1']);
    // One place for the run's counts: written once as it ends (the handler's ItemsFailed and ItemsDeferred),
    // the same `deferred` beside what the run returned (its summary's).
    expect({ summary, written }).toEqual({ summary: { failed: 1, deferred: 3 }, written: [{ failed: 1, deferred: 3 }] });
    // The run is given its loop alone: not the time box that keeps the counts, nor a way to read them.
    expect(given.map((args) => args.map((arg) => [typeof arg, Object.keys(arg as object)]))).toEqual([[['function', []]]]);
  });

  it('takes every id when the time left is unknown or ample', async () => {
    for (const timeLeftMs of [undefined, () => 60_000]) {
      const { summary, written, done } = await fiveIds(timeLeftMs);
      expect({ done: done.sort(), summary, written }).toEqual({
        done: ['H1', 'H2', 'H3', 'H4', 'H5'],
        summary: { failed: 0, deferred: 0 },
        written: [{ failed: 0, deferred: 0 }],
      });
    }
  });
});
