/**
 * Stored numbers read exactly, for a reader that reads through `ddbNumbersAsText` (aws.ts): each number comes
 * as its decimal text (the SDK's NumberValue) and becomes a JavaScript number only where that number is the
 * stored one. So an item holding a number no JavaScript number holds (past 2^53, more digits than a double
 * keeps) reads as an item with a field of the wrong type, which the reader's own check refuses, rather than
 * failing the whole read or being rounded into a value nobody stored.
 */
import { NumberValue } from '@aws-sdk/lib-dynamodb';

/**
 * A decimal's value as `<significant digits>e<exponent>` ("1.50", "15e-1" and "0.15E1" alike: "15e-1"; any
 * zero: "0"), or undefined when the text is not a decimal. DynamoDB returns its numbers in plain notation
 * without trailing zeros, JavaScript writes small and large ones with an exponent: the two compared by value.
 */
function decimal(text: string): string | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text);
  if (m === null) return undefined;
  const [, sign, whole = '', fraction = '', exponent = '0'] = m;
  if (whole === '' && fraction === '') return undefined;
  const digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return '0';
  const significant = digits.replace(/0+$/, '');
  const power = Number(exponent) - fraction.length + (digits.length - significant.length);
  return `${sign === '-' ? '-' : ''}${significant}e${power}`;
}

/**
 * A stored number (a NumberValue) as a JavaScript number when one holds it exactly and within ±(2^53 − 1)
 * (past that, integer arithmetic is not exact, and the document client refuses to write such a number back);
 * otherwise the NumberValue as it came. Anything else is returned as it is.
 */
export function exactNumber(value: unknown): unknown {
  if (!(value instanceof NumberValue)) return value;
  const text = value.toString();
  const n = Number(text);
  return Number.isFinite(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER && decimal(String(n)) === decimal(text) ? n : value;
}

/** An item's top-level attributes with exactNumber applied (the values nested in maps and lists as they came). */
export function withExactNumbers(item: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, exactNumber(value)]));
}
