import { functions, internalRouting, queues, routing, tables } from '#topology';
import { INBOUND_TYPES } from '#contract/inbound';
import { INTERNAL_TYPES } from '#contract/internal';
import { QUEUE_NAMES, TABLE_NAMES } from '#platform/resources';
import { stageConfig, stages } from '#topology/stages';

describe('topology', () => {
  it('routes every inbound type to a queue that some function consumes', () => {
    const consumed = new Set(
      Object.values(functions).flatMap((f) => ('consumes' in f && f.consumes ? [f.consumes.queue] : [])),
    );
    for (const [type, queue] of Object.entries(routing)) {
      expect([type, consumed.has(queue)]).toEqual([type, true]);
    }
  });

  it('routes every internal event type to a queue that some function consumes', () => {
    const consumed = new Set(
      Object.values(functions).flatMap((f) => ('consumes' in f && f.consumes ? [f.consumes.queue] : [])),
    );
    expect(Object.keys(internalRouting).sort()).toEqual([...INTERNAL_TYPES].sort());
    for (const [type, queue] of Object.entries(internalRouting)) {
      expect([type, consumed.has(queue)]).toEqual([type, true]);
    }
  });

  it('declares exactly the contract\'s inbound types in the routing, and exactly the resource names', () => {
    expect(Object.keys(routing).sort()).toEqual([...INBOUND_TYPES].sort());
    expect(Object.keys(tables).sort()).toEqual([...TABLE_NAMES].sort());
    expect(Object.keys(queues).sort()).toEqual([...QUEUE_NAMES].sort());
  });

  it('gives every consumed queue a visibility timeout of at least 6x its consumer timeout', () => {
    for (const f of Object.values(functions)) {
      if (!('consumes' in f) || !f.consumes) continue;
      expect(queues[f.consumes.queue].visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * f.timeoutSeconds);
    }
  });

  it('keeps every message long enough that a consumer down over a long weekend loses none', () => {
    // A message past its queue's retention is dropped without reaching the DLQ: nothing would show it was lost.
    for (const [name, q] of Object.entries(queues)) {
      expect([name, q.retentionDays >= 4 && q.retentionDays <= 14]).toEqual([name, true]);
    }
  });

  it('asks of every event source mapping only what Lambda accepts: a batch over 10 needs a batching window', () => {
    for (const [name, f] of Object.entries(functions)) {
      if (!('consumes' in f) || !f.consumes) continue;
      const { batchSize, maxBatchingWindowSeconds } = f.consumes;
      expect([name, Number.isInteger(maxBatchingWindowSeconds) && maxBatchingWindowSeconds >= 0 && maxBatchingWindowSeconds <= 300]).toEqual([name, true]);
      expect([name, batchSize >= 1 && (batchSize <= 10 || maxBatchingWindowSeconds >= 1)]).toEqual([name, true]);
    }
  });

  it('holds no 秒批 submission in a batching window: the approval consumer invokes with what is queued', () => {
    expect(functions.approval.consumes).toMatchObject({ queue: 'approval', maxBatchingWindowSeconds: 0 });
    expect(functions.approval.consumes.batchSize).toBeLessThanOrEqual(10);
  });

  it('names only known tables in function grants', () => {
    for (const f of Object.values(functions)) {
      for (const t of Object.keys(f.tables)) expect(Object.keys(tables)).toContain(t);
    }
  });

  it('validates every stage configuration', () => {
    for (const name of Object.keys(stages)) expect(stageConfig(name).stage).toBe(name);
    expect(() => stageConfig('nope')).toThrow(/Unknown stage/);
  });
});
