/** The bench's DynamoDB item size (what the time index's cost is computed from), hand-computed. */
import { itemBytes } from '#bench/persons';

describe('itemBytes', () => {
  it('counts attribute names and values as DynamoDB bills them', () => {
    // "pk" + "ab" = 4; "n" + 12345 (5 digits: 3 + 1) = 5.
    expect(itemBytes({ pk: 'ab', n: 12345 })).toBe(9);
    // Strings in UTF-8: "名" is 3 bytes; "atMs" + 1921420800000 (significant digits 19214208: 4 + 1) = 9.
    expect(itemBytes({ k: '名', atMs: 1_921_420_800_000 })).toBe(1 + 3 + 9);
    // Absent values are not stored; a zero is one digit.
    expect(itemBytes({ a: undefined, z: 0 })).toBe(1 + 2);
  });
});
