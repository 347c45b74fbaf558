import { inPool } from '#platform/pool';

const tick = () => new Promise((r) => setImmediate(r));

describe('inPool', () => {
  it('returns the results in the order of the items, whatever order they finish in', async () => {
    const out = await inPool([30, 10, 20, 0], 2, async (ms) => {
      for (let i = 0; i < ms; i++) await tick();
      return ms * 2;
    });
    expect(out).toEqual([60, 20, 40, 0]);
  });

  it('never has more than `limit` calls in flight, and uses all of them', async () => {
    let inFlight = 0;
    let most = 0;
    await inPool(Array.from({ length: 25 }, (_, i) => i), 4, async (i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      for (let k = 0; k < (i % 3) + 1; k++) await tick();
      inFlight--;
    });
    expect(most).toBe(4);
    expect(inFlight).toBe(0);
  });

  it('rejects with the first failure; a caller that goes on catches inside fn', async () => {
    await expect(inPool([1, 2, 3], 2, async (n) => {
      if (n === 2) throw new Error('two failed');
      return n;
    })).rejects.toThrow('two failed');
    const seen: number[] = [];
    const out = await inPool([1, 2, 3], 2, async (n) => {
      try {
        if (n === 2) throw new Error('two failed');
        seen.push(n);
        return n;
      } catch {
        return -1;
      }
    });
    expect(out).toEqual([1, -1, 3]);
    expect(seen.sort()).toEqual([1, 3]);
  });

  it('does nothing for no items, and runs one at a time for a limit below 1', async () => {
    expect(await inPool([], 8, async () => 1)).toEqual([]);
    let inFlight = 0;
    let most = 0;
    await inPool([1, 2, 3], 0, async () => {
      most = Math.max(most, ++inFlight);
      await tick();
      inFlight--;
    });
    expect(most).toBe(1);
  });
});
