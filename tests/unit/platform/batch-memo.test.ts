/**
 * Reads shared by the records of one batch (shared/platform/batch-memo.ts): once per batch and key, read
 * again after `forgetInBatch`, never kept when the read failed, and not shared outside a batch.
 */
import { BatchMemo, forgetInBatch, memoInBatch } from '#platform/batch-memo';

describe('memoInBatch', () => {
  it('loads once per batch and key; forgotten, the next record loads again; another batch has its own', async () => {
    let loads = 0;
    const load = async () => ++loads;
    const batch = new BatchMemo();
    const seen: number[] = [];
    await batch.run('m1', async () => void seen.push(await memoInBatch('k', load), await memoInBatch('k', load)));
    await batch.run('m2', async () => void seen.push(await memoInBatch('k', load)));
    await batch.run('m3', async () => {
      forgetInBatch('k');
      seen.push(await memoInBatch('k', load));
    });
    await new BatchMemo().run('n1', async () => void seen.push(await memoInBatch('k', load)));
    expect(seen).toEqual([1, 1, 1, 2, 3]);
  });

  it('keeps no failed load, and outside a batch loads every time', async () => {
    let loads = 0;
    const batch = new BatchMemo();
    const failing = async (): Promise<number> => {
      loads++;
      throw new Error('DynamoDB unavailable');
    };
    await batch.run('m1', async () => void (await expect(memoInBatch('k', failing)).rejects.toThrow('unavailable')));
    await batch.run('m2', async () => void expect(await memoInBatch('k', async () => 7)).toBe(7));
    expect(loads).toBe(1);
    expect(await memoInBatch('k', async () => 8)).toBe(8);
    expect(await memoInBatch('k', async () => 9)).toBe(9);
  });
});
