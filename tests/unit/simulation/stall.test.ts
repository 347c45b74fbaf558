// A simulation queued and not moving: `stalled` once no slice was stored for longer than STALL_MS since it
// last moved, judged at read time with the clock passed in (pure); the limit is longer than a slice message
// can take to reach the DLQ.
import { isStalled, STALL_MS } from '#simulation/domain/stall';
import { functions, queues } from '#topology';

const AT = '2026-12-07T02:00:00.000Z';
const later = (ms: number) => new Date(Date.parse(AT) + ms).toISOString();

describe('a stalled simulation', () => {
  it('waits out longer than a slice takes to reach the DLQ, with the same again for a queue of other slices', () => {
    const toDlqMs = queues.simulation.visibilityTimeoutSeconds * queues.simulation.maxReceiveCount * 1000;
    expect(STALL_MS).toBeGreaterThanOrEqual(2 * toDlqMs);
    expect(queues.simulation.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(functions.simulation.timeoutSeconds);
  });

  it('is stalled only past the limit since it last moved', () => {
    expect(isStalled(AT, AT)).toBe(false);
    expect(isStalled(AT, later(STALL_MS))).toBe(false);
    expect(isStalled(AT, later(STALL_MS + 1))).toBe(true);
    // Instants compared, whatever the offset they are written in.
    expect(isStalled('2026-12-07T10:00:00+08:00', later(STALL_MS + 1))).toBe(true);
    expect(isStalled('2026-12-07T10:00:01+08:00', later(STALL_MS + 1))).toBe(false);
    // A clock set back (the local runtime's) never makes a job stalled.
    expect(isStalled(AT, later(-STALL_MS * 10))).toBe(false);
  });
});
