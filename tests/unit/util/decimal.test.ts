// Amounts of money added and multiplied as the decimals they are written as.
import { DecimalSum, sumDecimals, timesDecimal } from '#util/decimal';

describe('amounts in exact decimal', () => {
  it('multiply by a count as the store would reserve them', () => {
    expect(timesDecimal(99.9, 3)).toBe(299.7);
    expect(timesDecimal(1234.56, 3)).toBe(3703.68);
    expect(timesDecimal(30_000, 5)).toBe(150_000);
    expect(timesDecimal(1e-7, 3)).toBe(3e-7);
    expect(timesDecimal(0, 4)).toBe(0);
    expect(() => timesDecimal(1, 1.5)).toThrow('whole number');
  });

  it('add up to the exact sum', () => {
    expect(sumDecimals([0.1, 0.2])).toBe(0.3);
    expect(sumDecimals([100.1, 200.2])).toBe(300.3);
    expect(sumDecimals([10.1, 20.2, 0.3])).toBe(30.6);
    expect(sumDecimals([])).toBe(0);
    expect(() => sumDecimals([Number.NaN])).toThrow('finite');
  });
});

describe('a district-sized sum', () => {
  it('adds 300,000 amounts without spreading them into one call', () => {
    const amounts = Array.from({ length: 300_000 }, (_, i) => (i % 3 === 0 ? 0.1 : 0.2));
    // 100,000 × 0.1 + 200,000 × 0.2 = 50,000 exactly.
    expect(sumDecimals(amounts)).toBe(50_000);
  });
});

describe('a running sum', () => {
  /** The sum as the decimals are written, in BigInt throughout: what the fast integer path must agree with. */
  function reference(values: readonly number[]): number {
    let units = 0n;
    let scale = 0;
    for (const v of values) {
      const [mantissa = '0', exponent = '0'] = String(v).split('e');
      const negative = mantissa.startsWith('-');
      const [whole = '0', fraction = ''] = (negative ? mantissa.slice(1) : mantissa).split('.');
      let u = BigInt(`${whole}${fraction}`);
      let s = fraction.length - Number(exponent);
      if (s < 0) [u, s] = [u * 10n ** BigInt(-s), 0];
      if (negative) u = -u;
      const to = Math.max(scale, s);
      units = units * 10n ** BigInt(to - scale) + u * 10n ** BigInt(to - s);
      scale = to;
    }
    return Number(`${units}e-${scale}`);
  }

  it('agrees with the decimals as written, in any mix of scales, signs and sizes', () => {
    let seed = 20261208;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = (): number => {
      const kind = Math.floor(random() * 6);
      const digits = Math.floor(random() * 1e9);
      if (kind === 0) return digits; // whole yuan
      if (kind === 1) return digits / 100; // yuan and fen
      if (kind === 2) return -(digits % 100_000) / 10; // a release
      if (kind === 3) return digits / 10 ** (1 + Math.floor(random() * 12)); // many decimals
      if (kind === 4) return random() * 1e18; // past the safe integers
      return [0.1, 0.2, 99.9, 100.1, 200.2, 1e-7, 1e21, 123456789.123456, -0][Math.floor(random() * 9)]!;
    };
    for (let run = 0; run < 300; run++) {
      const values = Array.from({ length: 1 + Math.floor(random() * 40) }, pick);
      expect(sumDecimals(values)).toBe(reference(values));
    }
  });

  it('adds one at a time what sumDecimals adds at once', () => {
    const sum = new DecimalSum();
    for (const v of [100.1, 200.2, -0.3, 99.9]) sum.add(v);
    expect(sum.value()).toBe(399.9);
    expect(new DecimalSum().value()).toBe(0);
    expect(() => new DecimalSum().add(Number.POSITIVE_INFINITY)).toThrow('finite');
  });
});
