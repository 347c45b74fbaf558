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

/** 10 ** 15 is the largest power of ten below 2 ** 53: past it a rescaled sum cannot stay a safe integer. */
const MAX_SMALL_SCALE = 15;
const POWERS = Array.from({ length: MAX_SMALL_SCALE + 1 }, (_, k) => 10 ** k);
const FIFTEEN_DIGITS = 1e15;

/**
 * A running exact decimal sum, for a figure that adds amounts as it walks a district's records. While the
 * digits fit a safe integer (any realistic total of yuan and fen) it adds plain integers, as fast as `+`;
 * past that it goes on in BigInt. The scale grows with the amount with the most decimals.
 */
export class DecimalSum {
  /** The digits of the sum at `scale`: a safe integer (`small`) or, past that, a BigInt (`big`). */
  private small = 0;
  private big: bigint | undefined;
  private scale = 0;

  add(value: number): this {
    if (this.big === undefined) {
      let units = value;
      let scale = 0;
      if (!Number.isSafeInteger(value)) {
        // The fewest decimals that read back as the value: with at most 15 digits that decimal is the only
        // one that does, so it is the one JavaScript writes (as `scaled` reads it), found without a string.
        for (scale = 1; scale <= MAX_SMALL_SCALE; scale++) {
          units = Math.round(value * POWERS[scale]!);
          if (Math.abs(units) >= FIFTEEN_DIGITS) break;
          if (units / POWERS[scale]! === value) break;
        }
        if (scale > MAX_SMALL_SCALE || Math.abs(units) >= FIFTEEN_DIGITS) return this.addScaled(scaled(value));
      }
      if (this.addSmall(units, scale)) return this;
    }
    return this.addScaled(scaled(value));
  }

  /** The sum as the number nearest to the exact decimal. */
  value(): number {
    return toNumber({ units: this.big ?? BigInt(this.small), scale: this.scale });
  }

  /**
   * Adds `units` at `scale` (a safe integer) while the sum stays a safe integer: each rescaled operand and
   * the sum are then exact. False when it would not (the caller goes on in BigInt).
   */
  private addSmall(units: number, scale: number): boolean {
    if (!Number.isSafeInteger(units)) return false;
    const to = Math.max(this.scale, scale);
    if (to > MAX_SMALL_SCALE) return false;
    const mine = to === this.scale ? this.small : this.small * 10 ** (to - this.scale);
    const theirs = to === scale ? units : units * 10 ** (to - scale);
    const sum = mine + theirs;
    if (!Number.isSafeInteger(mine) || !Number.isSafeInteger(theirs) || !Number.isSafeInteger(sum)) return false;
    this.small = sum;
    this.scale = to;
    return true;
  }

  private addScaled(d: Scaled): this {
    const scale = Math.max(this.scale, d.scale);
    const mine: Scaled = { units: this.big ?? BigInt(this.small), scale: this.scale };
    this.big = at(mine, scale) + at(d, scale);
    this.scale = scale;
    return this;
  }
}

/**
 * The exact decimal sum of the amounts, as the nearest number (0 for none). One pass, rescaling the running
 * sum when an amount has more decimals: a report sums every entitlement of a district, and a scale taken by
 * spreading them all into `Math.max` throws past about a hundred thousand.
 */
export function sumDecimals(values: Iterable<number>): number {
  const sum = new DecimalSum();
  for (const value of values) sum.add(value);
  return sum.value();
}

/** The exact decimal product of an amount and a whole count, as the nearest number. */
export function timesDecimal(amount: number, count: number): number {
  if (!Number.isSafeInteger(count)) throw new RangeError(`a count must be a whole number; got ${count}`);
  const d = scaled(amount);
  return toNumber({ units: d.units * BigInt(count), scale: d.scale });
}
