// Amounts of money added and multiplied as the decimals they are written as.
import { sumDecimals, timesDecimal } from '#util/decimal';

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
