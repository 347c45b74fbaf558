/**
 * The 免申即享 schedule's handler (functions/entitlement/schedule.ts) once middy has ended its invocation
 * (5 ms before the timeout, answered with a TimeoutError) while the publicity windows' pass is still at
 * work: that pass is told no time is left, and the time index's pass is not started after the end (its due
 * buckets stay after the cursor for the next run). The service is the stage's, its two passes stubbed.
 */
import { jest } from '@jest/globals';
import type { Context } from 'aws-lambda';
import type { TimeLeftOptions } from '#platform/time-reserve';
import { QUIET_POWERTOOLS, useEnv } from '#support/logs';

// Read when the Powertools logger and metrics are created, on the handler's import below.
useEnv(QUIET_POWERTOOLS);

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('the entitlement schedule once middy has ended the invocation', () => {
  it('leaves the windows no time after the end and does not start the time index pass', async () => {
    const { handler } = await import('#functions/entitlement/schedule');
    const { entitlementService } = await import('#entitlement/adapters');
    const { metrics } = await import('#platform/powertools');
    const windowsStarted = gate();
    const release = gate();
    const runEnded = gate();
    let timeLeftAfterEnd: number | undefined;
    const windows = jest.spyOn(entitlementService, 'closePublicityWindows').mockImplementation(async (options?: TimeLeftOptions) => {
      windowsStarted.open();
      await release.promise;
      timeLeftAfterEnd = options?.timeLeftMs?.();
      return { windows: 1, released: 2, lapsed: 0, failed: 0, deferred: 0 };
    });
    // The pass gives its counts as it ends (`counted`), as runTimeIndex does, given time or not.
    const timeIndex = jest.spyOn(entitlementService, 'runTimeIndex').mockImplementation(async (options) => {
      options?.counted?.({ failed: 0, deferred: 0 });
      return { buckets: 1, reevaluated: 3, policiesStarted: 0, failed: 0, changed: 0, outOfTime: false };
    });
    // ItemsFailed is the handler's last count, written as the time index's pass ends: the run is over.
    const counted = jest.spyOn(metrics, 'addMetric').mockImplementation((name) => {
      if (name === 'ItemsFailed') runEnded.open();
      return metrics;
    });
    try {
      // 5 ms left: middy ends the invocation at its next timer turn, with the windows' pass at work.
      const context = { functionName: 'entitlement-schedule', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 5 } as unknown as Context;
      const answer = handler({}, context).then(
        () => 'answered',
        (error: Error) => error.name,
      );
      await windowsStarted.promise;
      expect(await answer).toBe('TimeoutError');
      release.open();
      await runEnded.promise;
      // The time index's pass is given no time either: it reads nothing (time-wiring.test.ts pins that).
      const givenToTimeIndex = timeIndex.mock.calls.map(([options]) => options?.timeLeftMs?.());
      expect({ timeLeftAfterEnd, givenToTimeIndex }).toEqual({ timeLeftAfterEnd: 0, givenToTimeIndex: [0] });
    } finally {
      windows.mockRestore();
      timeIndex.mockRestore();
      counted.mockRestore();
    }
  });
});
