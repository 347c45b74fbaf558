import { createRng, enterpriseCreditCode, generateEnterprises, isValidUscc, usccCheckCharacter } from '#bench/fixtures/enterprises';

describe('usccCheckCharacter (GB 32100-2015)', () => {
  it.each([
    // Codes of well-known enterprises, as published.
    ['91350100M000100Y4', '3'],
    ['91110108551385082', 'Q'],
    ['91440300708461136', 'T'],
    ['91440300192203821', '6'],
  ])('%s → %s', (first17, check) => {
    expect(usccCheckCharacter(first17)).toBe(check);
    expect(isValidUscc(first17 + check)).toBe(true);
  });

  it('rejects characters outside the charset (I, O, S, V, Z) and wrong lengths', () => {
    expect(usccCheckCharacter('9135010OM000100Y4')).toBeUndefined();
    expect(usccCheckCharacter('91350100M000100Y')).toBeUndefined();
    expect(isValidUscc('91350100M000100Y44')).toBe(false);
    expect(isValidUscc('91350100M000100Y4')).toBe(false);
  });

  it('maps a sum divisible by 31 to 0', () => {
    expect(usccCheckCharacter('00000000000000000')).toBe('0');
    expect(isValidUscc('000000000000000000')).toBe(true);
  });

  it('builds enterprise codes with a valid GB 11714 organisation code inside', () => {
    const code = enterpriseCreditCode('440106', 12345678);
    expect(code.slice(0, 8)).toBe('91440106');
    expect(isValidUscc(code)).toBe(true);
    const org = code.slice(8, 17);
    const w = [3, 7, 9, 10, 5, 8, 4, 2];
    const c = 11 - ([...org.slice(0, 8)].reduce((s, ch, i) => s + Number(ch) * w[i]!, 0) % 11);
    expect(org[8]).toBe(c === 10 ? 'X' : c === 11 ? '0' : String(c));
  });
});

describe('createRng', () => {
  it('is deterministic per seed and uniform-ish in [0, 1)', () => {
    const a = createRng(1);
    const b = createRng(1);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(createRng(2)()).not.toBe(createRng(1)());
  });
});

describe('generateEnterprises', () => {
  const N = 50_000;
  const { profiles, credits } = generateEnterprises(N, 2025);

  it('is deterministic: the same seed gives the same profiles and credit records', () => {
    const again = generateEnterprises(2_000, 2025);
    expect(again.profiles).toEqual(profiles.slice(0, 2_000).map((p) => p));
    expect(JSON.stringify([...again.credits])).toBe(JSON.stringify([...generateEnterprises(2_000, 2025).credits]));
    expect(generateEnterprises(100, 2026).profiles).not.toEqual(profiles.slice(0, 100));
  });

  it('gives every enterprise a valid, unique credit code in its district', () => {
    expect(profiles).toHaveLength(N);
    const codes = new Set(profiles.map((p) => p.creditCode));
    expect(codes.size).toBe(N);
    for (const p of profiles) {
      expect(isValidUscc(p.creditCode)).toBe(true);
      expect(p.creditCode.slice(2, 8)).toBe(p.region);
    }
  });

  const share = (pred: (p: (typeof profiles)[number]) => boolean) => profiles.filter(pred).length / N;

  it('has realistic proportions', () => {
    expect(share((p) => p.size === 'micro')).toBeGreaterThan(0.7);
    expect(share((p) => p.size === 'large')).toBeLessThan(0.03);
    expect(share((p) => p.size === 'large')).toBeGreaterThan(0);
    expect(share((p) => p.status === '存续')).toBeGreaterThan(0.9);
    expect(share((p) => p.status === '注销')).toBeGreaterThan(0);
    expect(share((p) => (p.exportValueUsd ?? 0) > 0)).toBeGreaterThan(0.03);
    expect(share((p) => (p.exportValueUsd ?? 0) > 0)).toBeLessThan(0.2);
    expect(new Set(profiles.map((p) => p.industry)).has('制造业')).toBe(true);
    expect(new Set(profiles.map((p) => p.taxCreditRating))).toEqual(new Set(['A', 'B', 'M', 'C', 'D', undefined]));
  });

  it('keeps employees within the range of each size', () => {
    const ranges = { micro: [1, 19], small: [20, 99], medium: [100, 999], large: [1000, 20000] } as const;
    for (const p of profiles) {
      if (p.employees === undefined) continue;
      const [lo, hi] = ranges[p.size as keyof typeof ranges];
      expect(p.employees).toBeGreaterThanOrEqual(lo);
      expect(p.employees).toBeLessThanOrEqual(hi);
    }
  });

  it('leaves some fields missing so that needs-info happens', () => {
    expect(share((p) => p.employees === undefined)).toBeGreaterThan(0.01);
    expect(share((p) => p.exportValueUsd === undefined)).toBeGreaterThan(0.01);
    expect(share((p) => p.taxCreditRating === undefined)).toBeGreaterThan(0.01);
  });

  it('creates credit records for some enterprises, a few of them dishonest', () => {
    const records = [...credits.values()];
    expect(records.length / N).toBeGreaterThan(0.1);
    expect(records.length / N).toBeLessThan(0.2);
    const dishonest = records.filter((c) => c.dishonest).length / N;
    expect(dishonest).toBeGreaterThan(0.005);
    expect(dishonest).toBeLessThan(0.02);
    for (const [code, c] of credits) {
      expect(c.subjectId).toBe(code);
      if (c.dishonest) expect(c.rating).toBe('D');
    }
  });

  it('honours its options', () => {
    const g = generateEnterprises(1_000, 1, { asOf: '2025-03-01T00:00:00+08:00', districts: [{ code: '110105', name: '北京市朝阳区' }], missingRate: 0, creditRecordRate: 0 });
    expect(g.profiles.every((p) => p.asOf === '2025-03-01T00:00:00+08:00' && p.region === '110105' && p.name.startsWith('北京'))).toBe(true);
    expect(g.profiles.every((p) => p.employees !== undefined && p.exportValueUsd !== undefined)).toBe(true);
    expect(g.credits.size).toBe(0);
  });
});
