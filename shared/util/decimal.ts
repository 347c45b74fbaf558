/**
 * Sums and multiples of amounts of money (yuan, with fen or finer) as the decimals they are written as,
 * not in binary floating point. DynamoDB keeps a number as a decimal and adds exactly: a budget of 299.7
 * pays three grants of 99.9 (`ADD remaining -amount` if `remaining >= amount`), where `3 * 99.9` in
 * JavaScript is 299.70000000000005. A figure computed here is the decimal the store's arithmetic gives,
 * returned as the number nearest to it (299.7), so it compares with a stored amount as the store would.
 */

interface Scaled {
  /** The decimal's digits as an integer: 299.7 is 2997 at scale 1. */
  readonly units: bigint;
  readonly scale: number;
}

/** A finite number as the decimal JavaScript writes it (the shortest form that reads back as it), scaled. */
function scaled(n: number): Scaled {
  if (!Number.isFinite(n)) throw new RangeError(`an amount must be a finite number; got ${n}`);
  const [mantissa = '0', exponent = '0'] = String(n).split('e');
  const negative = mantissa.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? mantissa.slice(1) : mantissa).split('.');
  let units = BigInt(`${whole}${fraction}`);
  let scale = fraction.length - Number(exponent);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units: negative ? -units : units, scale };
}

const at = (d: Scaled, scale: number): bigint => d.units * 10n ** BigInt(scale - d.scale);

const toNumber = (d: Scaled): number => Number(`${d.units}e-${d.scale}`);

/**
 * The exact decimal sum of the amounts, as the nearest number (0 for none). One pass, rescaling the running
 * sum when an amount has more decimals: a report sums every entitlement of a district, and a scale taken by
 * spreading them all into `Math.max` throws past about a hundred thousand.
 */
export function sumDecimals(values: Iterable<number>): number {
  let sum: Scaled = { units: 0n, scale: 0 };
  for (const value of values) {
    const d = scaled(value);
    const scale = Math.max(sum.scale, d.scale);
    sum = { units: at(sum, scale) + at(d, scale), scale };
  }
  return toNumber(sum);
}

/** The exact decimal product of an amount and a whole count, as the nearest number. */
export function timesDecimal(amount: number, count: number): number {
  if (!Number.isSafeInteger(count)) throw new RangeError(`a count must be a whole number; got ${count}`);
  const d = scaled(amount);
  return toNumber({ units: d.units * BigInt(count), scale: d.scale });
}
