/**
 * Every scheduled run over a list writes ItemsDeferred once, beside ItemsFailed: the items it had no time to
 * start (each function's `<function>-items-deferred` alarm reads its own). The review schedule and the upward
 * sender count it in their use cases (tests/unit/review); the other schedules in their handlers, here, their
 * services stubbed. Each writes both even when it throws after its items were counted (a later list's read, its
 * figures), through `countedRun`: the 免申即享 schedule's time index pass gives its counts as it ends, and
 * the handler writes them with the windows'.
 */
import { jest } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { QUIET_POWERTOOLS, useEnv } from '#support/logs';
import { stageConfig } from '#topology/stages';

// Read when the functions' modules load and the Powertools logger and metrics are created, on the handlers'
// imports below: the local stage (its calendar), nothing logged or written.
useEnv({ ...QUIET_POWERTOOLS, CIVICFLOW_CONFIG: JSON.stringify(stageConfig('local')) });
afterEach(() => jest.restoreAllMocks());

/** A context with plenty of time: the services are stubbed, the time box is theirs. */
const context = (functionName: string) => ({ functionName, awsRequestId: 'r-1', getRemainingTimeInMillis: () => 60_000 }) as unknown as Context;

/** The values of the run-level counts (ItemsFailed, ItemsDeferred) the handler wrote, in order. */
async function counted(): Promise<Array<[string, number]>> {
  const { metrics } = await import('#platform/powertools');
  const added: Array<[string, number]> = [];
  jest.spyOn(metrics, 'addMetric').mockImplementation((name, _unit, value) => {
    if (name === 'ItemsFailed' || name === 'ItemsDeferred') added.push([name, value]);
    return metrics;
  });
  return added;
}

describe('ItemsDeferred, once per scheduled run', () => {
  it('the 秒批 deadlines: the cases, bundles and outboxes it did not start', async () => {
    const { handler } = await import('#functions/approval/deadlines');
    const { deadlinesService } = await import('#approval/adapters');
    // The run gives its counts as it ends (`counted`), as runDeadlines does whether it returns or throws.
    jest.spyOn(deadlinesService(), 'runDeadlines').mockImplementation(async (options) => {
      options?.counted?.({ failed: 1, deferred: 4 });
      return { terminated: 1, bundlesTerminated: 0, flagged: 0, resent: 0, deferred: 4, failed: 1 };
    });
    const added = await counted();
    await handler({}, context('approval-deadlines'));
    expect(added).toEqual([
      ['ItemsFailed', 1],
      ['ItemsDeferred', 4],
    ]);
  });

  it('the hard-case schedule: the ids its time box did not start, over every pass of the run', async () => {
    const { runHardCaseSchedule } = await import('#functions/hardcase/schedule');
    const { HARDCASE_TIME_RESERVE_MS } = await import('#hardcase/schedule');
    const { stageHardCaseService } = await import('#hardcase');
    jest.spyOn(stageHardCaseService(), 'runSchedule').mockImplementation(async (_now, forEach) => {
      const failed = (await forEach(['a', 'b'], async () => undefined)) + (await forEach(['c'], async () => undefined));
      return { overdue: 0, offered: 0, failed };
    });
    const added = await counted();
    // Below the reserve from the start: no id is started.
    const summary = await runHardCaseSchedule('2026-11-02T01:00:00.000Z', { timeLeftMs: () => HARDCASE_TIME_RESERVE_MS - 1 });
    expect({ deferred: summary.deferred, added }).toEqual({
      deferred: 3,
      added: [
        ['ItemsFailed', 0],
        ['ItemsDeferred', 3],
      ],
    });
  });

  it('the 秒批 deadlines: the counts the run gives as it ends, even when a later pass throws', async () => {
    const { handler } = await import('#functions/approval/deadlines');
    const { deadlinesService } = await import('#approval/adapters');
    jest.spyOn(deadlinesService(), 'runDeadlines').mockImplementation(async (options) => {
      options?.counted?.({ failed: 2, deferred: 3 });
      throw new Error('verification index unreachable');
    });
    const added = await counted();
    await expect(handler({}, context('approval-deadlines'))).rejects.toThrow('verification index unreachable');
    expect(added).toEqual([
      ['ItemsFailed', 2],
      ['ItemsDeferred', 3],
    ]);
  });

  it('the hard-case schedule: the cases that failed or were not started, even when the watches cannot be read', async () => {
    const { runHardCaseSchedule } = await import('#functions/hardcase/schedule');
    const { HARDCASE_TIME_RESERVE_MS } = await import('#hardcase/schedule');
    const { stageHardCaseService } = await import('#hardcase');
    jest.spyOn(stageHardCaseService(), 'runSchedule').mockImplementation(async (_now, forEach) => {
      await forEach(['a', 'b', 'c'], async (id) => {
        if (id === 'a') throw new Error('throttled');
      });
      throw new Error('watch index unreachable');
    });
    const added = await counted();
    // Time for the first two cases, then below the reserve: 'a' fails, 'b' is done, 'c' is not started.
    const left = [60_000, 60_000];
    const timeLeftMs = () => left.shift() ?? HARDCASE_TIME_RESERVE_MS - 1;
    await expect(runHardCaseSchedule('2026-11-02T01:00:00.000Z', { timeLeftMs })).rejects.toThrow('watch index unreachable');
    expect(added).toEqual([
      ['ItemsFailed', 1],
      ['ItemsDeferred', 1],
    ]);
  });

  it('the simulation sweep: the stranded jobs it did not start', async () => {
    const { runSimulationSweep } = await import('#functions/simulation/sweep');
    const { simulationSweepPorts } = await import('#simulation/job-adapters');
    jest.spyOn(simulationSweepPorts.store, 'pendingJobs').mockResolvedValue([
      { simulationId: 'S-1', createdAt: '2026-01-01T00:00:00.000Z' },
      { simulationId: 'S-2', createdAt: '2026-01-01T00:00:01.000Z' },
    ]);
    const added = await counted();
    expect(await runSimulationSweep({ timeLeftMs: () => 0 })).toMatchObject({ requeued: 0, deferred: 2 });
    expect(added).toEqual([
      ['ItemsFailed', 0],
      ['ItemsDeferred', 2],
    ]);
  });

  it('the 免申即享 schedule: the windows not started and a time index pass cut short, one count for the run', async () => {
    const { handler } = await import('#functions/entitlement/schedule');
    const { entitlementService } = await import('#entitlement/adapters');
    jest.spyOn(entitlementService, 'closePublicityWindows').mockResolvedValue({ windows: 1, released: 0, lapsed: 0, failed: 0, deferred: 2 });
    // The pass gives its counts as it ends (`counted`), as runTimeIndex does whether it returns or throws.
    jest.spyOn(entitlementService, 'runTimeIndex').mockImplementation(async (options) => {
      options?.counted?.({ failed: 0, deferred: 1 });
      return { buckets: 1, reevaluated: 0, policiesStarted: 0, failed: 0, changed: 0, outOfTime: true };
    });
    const added = await counted();
    await handler({}, context('entitlement-schedule'));
    expect(added).toEqual([
      ['ItemsFailed', 0],
      ['ItemsDeferred', 3],
    ]);
  });

  it('the 免申即享 schedule: the windows not started, even when the time index pass throws', async () => {
    const { handler } = await import('#functions/entitlement/schedule');
    const { entitlementService } = await import('#entitlement/adapters');
    jest.spyOn(entitlementService, 'closePublicityWindows').mockResolvedValue({ windows: 0, released: 0, lapsed: 0, failed: 1, deferred: 5 });
    jest.spyOn(entitlementService, 'runTimeIndex').mockImplementation(async (options) => {
      options?.counted?.({ failed: 0, deferred: 0 });
      throw new Error('table unreachable');
    });
    const added = await counted();
    await expect(handler({}, context('entitlement-schedule'))).rejects.toThrow('table unreachable');
    expect(added).toEqual([
      ['ItemsFailed', 1],
      ['ItemsDeferred', 5],
    ]);
  });

  // The handler wrote its counts in a `finally` of its own, from the pass's summary: a pass that a store
  // failure ended after some entries failed returned none, and those entries were counted nowhere.
  it('the 免申即享 schedule: the time index\'s entries that failed before a store failure ended its pass', async () => {
    const { handler } = await import('#functions/entitlement/schedule');
    const { entitlementService } = await import('#entitlement/adapters');
    jest.spyOn(entitlementService, 'closePublicityWindows').mockResolvedValue({ windows: 0, released: 0, lapsed: 0, failed: 1, deferred: 5 });
    jest.spyOn(entitlementService, 'runTimeIndex').mockImplementation(async (options) => {
      options?.counted?.({ failed: 2, deferred: 0 });
      throw new Error('table unreachable');
    });
    const added = await counted();
    await expect(handler({}, context('entitlement-schedule'))).rejects.toThrow('table unreachable');
    expect(added).toEqual([
      ['ItemsFailed', 3],
      ['ItemsDeferred', 5],
    ]);
  });

  // A run whose first read threw before its counts were guarded wrote none: the items-failed alarm and its
  // function's items-deferred alarm saw missing data for the period, not a run that did no items.
  it('the 免申即享 schedule: 0 and 0 when the due windows cannot be read', async () => {
    const { handler } = await import('#functions/entitlement/schedule');
    const { entitlementService } = await import('#entitlement/adapters');
    jest.spyOn(entitlementService, 'closePublicityWindows').mockRejectedValue(new Error('window index unreachable'));
    const runTimeIndex = jest.spyOn(entitlementService, 'runTimeIndex');
    const added = await counted();
    await expect(handler({}, context('entitlement-schedule'))).rejects.toThrow('window index unreachable');
    expect({ added, timeIndexRuns: runTimeIndex.mock.calls.length }).toEqual({
      added: [
        ['ItemsFailed', 0],
        ['ItemsDeferred', 0],
      ],
      timeIndexRuns: 0,
    });
  });

  it('the simulation sweep: 0 and 0 when the pending jobs cannot be read', async () => {
    const { runSimulationSweep } = await import('#functions/simulation/sweep');
    const { simulationSweepPorts } = await import('#simulation/job-adapters');
    jest.spyOn(simulationSweepPorts.store, 'pendingJobs').mockRejectedValue(new Error('table unreachable'));
    const added = await counted();
    await expect(runSimulationSweep({ timeLeftMs: () => 60_000 })).rejects.toThrow('table unreachable');
    expect(added).toEqual([
      ['ItemsFailed', 0],
      ['ItemsDeferred', 0],
    ]);
  });
});
