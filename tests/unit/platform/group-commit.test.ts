/**
 * The group commit (shared/platform/group-commit.ts) with a fake writer: what a batch's records defer is
 * written together, in order, once; a conflict runs the record again on its own; a failure fails only the
 * records it concerns; and a record's outcome lines wait for its write.
 */
import { afterCommit, currentUnit, groupCommitTotals, GroupCommit, type CommitResult, type GroupWriter } from '#platform/group-commit';

interface Change {
  readonly key: string;
  readonly value: string;
}

class FakeWriter implements GroupWriter<Change> {
  readonly writes: Change[][] = [];
  readonly published: Change[][] = [];
  /** Result per key for the next write (default committed). */
  next = new Map<string, CommitResult>();
  throwOnPublish = false;
  keyOf = (c: Change) => c.key;
  write = async (changes: readonly Change[]): Promise<CommitResult[]> => {
    this.writes.push([...changes]);
    const results = changes.map((c) => this.next.get(c.key) ?? 'committed');
    this.next.clear();
    return results;
  };
  afterWrite = async (changes: readonly Change[]): Promise<void> => {
    if (this.throwOnPublish) throw new Error('SQS unavailable');
    this.published.push([...changes]);
  };
}

/** A record's use case: load (the unit may write first), then defer or commit directly. */
function useCase(key: string, value: string, log: string[]) {
  return async () => {
    const ctx = currentUnit<Change>();
    await ctx?.unit.beforeLoad(key);
    if (ctx) ctx.unit.defer({ key, value });
    else log.push(`direct ${key}=${value}`);
    afterCommit(() => log.push(`counted ${key}=${value}`));
  };
}

describe('GroupCommit', () => {
  it('writes the changes of a batch together after the last record, then their outboxes, then their outcome lines', async () => {
    const writer = new FakeWriter();
    const unit = new GroupCommit(writer);
    const log: string[] = [];
    await unit.run('m1', useCase('A', '1', log));
    await unit.run('m2', useCase('B', '1', log));
    await unit.run('m3', useCase('C', '1', log));
    expect(writer.writes).toEqual([]);
    expect(log).toEqual([]);
    const failed = await unit.commit();
    expect(failed.size).toBe(0);
    expect(writer.writes).toEqual([[{ key: 'A', value: '1' }, { key: 'B', value: '1' }, { key: 'C', value: '1' }]]);
    expect(writer.published).toEqual(writer.writes);
    expect(log).toEqual(['counted A=1', 'counted B=1', 'counted C=1']);
    expect(unit.stats).toEqual({ writes: 1, changes: 3, redone: 0 });
  });

  it('writes what is waiting before a record loads an aggregate with a waiting change (records keep their order)', async () => {
    const writer = new FakeWriter();
    const unit = new GroupCommit(writer);
    const log: string[] = [];
    await unit.run('m1', useCase('A', '1', log));
    await unit.run('m2', useCase('B', '1', log));
    await unit.run('m3', useCase('A', '2', log));
    await unit.commit();
    expect(writer.writes).toEqual([
      [{ key: 'A', value: '1' }, { key: 'B', value: '1' }],
      [{ key: 'A', value: '2' }],
    ]);
    expect(log).toEqual(['counted A=1', 'counted B=1', 'counted A=2']);
  });

  it('runs a conflicted record again on its own, outside the unit, and counts it once', async () => {
    const before = groupCommitTotals();
    const writer = new FakeWriter();
    const unit = new GroupCommit(writer);
    const log: string[] = [];
    await unit.run('m1', useCase('A', '1', log));
    await unit.run('m2', useCase('B', '1', log));
    writer.next.set('B', 'conflict');
    const failed = await unit.commit();
    expect(failed.size).toBe(0);
    expect(writer.writes).toEqual([[{ key: 'A', value: '1' }, { key: 'B', value: '1' }]]);
    expect(writer.published).toEqual([[{ key: 'A', value: '1' }]]);
    expect(log).toEqual(['counted A=1', 'direct B=1', 'counted B=1']);
    expect(unit.stats.redone).toBe(1);
    // The process's totals (what the local runtime's bench reports) add what this unit did.
    const after = groupCommitTotals();
    expect([after.writes - before.writes, after.changes - before.changes, after.redone - before.redone]).toEqual([1, 2, 1]);
  });

  it('fails the record whose redo throws, and only it', async () => {
    const writer = new FakeWriter();
    const unit = new GroupCommit(writer);
    const log: string[] = [];
    let runs = 0;
    await unit.run('m1', useCase('A', '1', log));
    await unit.run('m2', async () => {
      runs++;
      const ctx = currentUnit<Change>();
      if (!ctx) throw new Error('still conflicting');
      ctx.unit.defer({ key: 'B', value: '1' });
    });
    writer.next.set('B', 'conflict');
    expect([...(await unit.commit())]).toEqual(['m2']);
    expect(runs).toBe(2);
    expect(log).toEqual(['counted A=1']);
  });

  it('fails the records of a failed write (SQS retries them) without running them again', async () => {
    const writer = new FakeWriter();
    const unit = new GroupCommit(writer);
    const log: string[] = [];
    await unit.run('m1', useCase('A', '1', log));
    await unit.run('m2', useCase('B', '1', log));
    writer.next.set('A', 'failed');
    writer.next.set('B', 'failed');
    expect([...(await unit.commit())].sort()).toEqual(['m1', 'm2']);
    expect(log).toEqual([]);
  });

  it('fails the committed records when their outboxes cannot be sent (the retry sends them)', async () => {
    const writer = new FakeWriter();
    writer.throwOnPublish = true;
    const unit = new GroupCommit(writer);
    await unit.run('m1', useCase('A', '1', []));
    expect([...(await unit.commit())]).toEqual(['m1']);
    expect(writer.writes).toHaveLength(1);
  });

  it('drops what a record deferred when the record throws afterwards: never half-written', async () => {
    const writer = new FakeWriter();
    const unit = new GroupCommit(writer);
    const log: string[] = [];
    await unit.run('m1', useCase('A', '1', log));
    await expect(
      unit.run('m2', async () => {
        currentUnit<Change>()!.unit.defer({ key: 'B', value: '1' });
        throw new Error('boom after deferring');
      }),
    ).rejects.toThrow('boom after deferring');
    // B is no longer waiting: a later record of B loads without a write first, and may defer again.
    await unit.run('m3', useCase('B', '2', log));
    await unit.commit();
    expect(writer.writes).toEqual([[{ key: 'A', value: '1' }, { key: 'B', value: '2' }]]);
  });

  it('refuses a second waiting change of one aggregate (the use case must load first)', async () => {
    const unit = new GroupCommit(new FakeWriter());
    await unit.run('m1', useCase('A', '1', []));
    await expect(unit.run('m2', async () => currentUnit<Change>()!.unit.defer({ key: 'A', value: '2' }))).rejects.toThrow(/already waiting/);
  });

  it('runs outcome lines at once outside a unit, and for records that deferred nothing', async () => {
    const log: string[] = [];
    afterCommit(() => log.push('outside'));
    const unit = new GroupCommit(new FakeWriter());
    await unit.run('m1', async () => afterCommit(() => log.push('nothing deferred')));
    expect(log).toEqual(['outside', 'nothing deferred']);
  });
});

describe('GroupCommit reading ahead', () => {
  it('reads ahead only when its writer does (a consumer then parses its batch up front)', () => {
    expect(new GroupCommit(new FakeWriter()).prepare).toBeUndefined();
    expect(new GroupCommit({ ...new FakeWriter(), prepare: async () => undefined }).prepare).toBeInstanceOf(Function);
  });
});
