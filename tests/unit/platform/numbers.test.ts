import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { exactNumber, withExactNumbers } from '#platform/numbers';

/** A stored number as `ddbNumbersAsText` reads it: its decimal text, as DynamoDB returns it. */
const stored = (text: string) => NumberValue.from(text);

describe('exactNumber: a stored number read exactly', () => {
  it('is a number where a number holds the stored one exactly, whatever notation either is in', () => {
    expect(exactNumber(stored('1756742400000'))).toBe(1_756_742_400_000);
    expect(exactNumber(stored('-42'))).toBe(-42);
    expect(exactNumber(stored('1.5'))).toBe(1.5);
    // DynamoDB writes no exponent; JavaScript writes 1e-7.
    expect(exactNumber(stored('0.0000001'))).toBe(1e-7);
    expect(exactNumber(stored('0'))).toBe(0);
    expect(exactNumber(stored(String(Number.MAX_SAFE_INTEGER)))).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('stays the stored text where a number would round it or lies past 2^53', () => {
    for (const text of ['12345678901234567890.5', '123456789012345678901', '150000000000000000000', '9007199254740993', '1756742400000.00000000001', `1${'0'.repeat(125)}`]) {
      const read = exactNumber(stored(text));
      expect(read).toBeInstanceOf(NumberValue);
      expect(String(read)).toBe(text);
    }
  });

  it('leaves what is not a stored number as it is, and an item\'s nested values as they came', () => {
    expect(exactNumber('12')).toBe('12');
    expect(exactNumber(12)).toBe(12);
    expect(exactNumber(null)).toBeNull();
    const nested = { n: stored('7') };
    expect(withExactNumbers({ pk: 'p', n: stored('7'), big: stored('123456789012345678901'), nested })).toEqual({
      pk: 'p',
      n: 7,
      big: stored('123456789012345678901'),
      nested,
    });
  });
});
