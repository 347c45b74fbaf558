import { jest } from '@jest/globals';
import { ExecuteStatementCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '#platform/aws';
import { licencesOfHolders } from '#registry/store';

// DynamoDB Local answers a SELECT in one page, in the index's order: this fake answers as DynamoDB may,
// ten items a page with a NextToken, in no particular order, so the paging and the sort are what is tested.
process.env.TABLE_REGISTRY = 'registry-test';

type Item = Record<string, unknown>;

const licenceItem = (holderId: string, licenceType: string, licenceNo: string, revokedAt?: string): Item => ({
  pk: `LIC#${licenceNo}`,
  sk: 'LICENCE',
  gsi1pk: `HOLDER#${holderId}`,
  gsi1sk: `LIC#${licenceType}#${licenceNo}`,
  licence: { licenceNo, licenceType, holderId, validFrom: '2026-01-01', validTo: '2030-12-31' },
  ...(revokedAt ? { revokedAt } : {}),
});

/** A fixed shuffle (reversed halves, interleaved), so the order the fake answers in is far from the index's. */
const scrambled = <T>(xs: readonly T[]): T[] => {
  const a = xs.slice(0, Math.ceil(xs.length / 2)).reverse();
  const b = xs.slice(Math.ceil(xs.length / 2)).reverse();
  return a.flatMap((x, i) => (b[i] === undefined ? [x] : [b[i]!, x]));
};

/** Answers each SELECT with the stored items whose gsi1pk it names, scrambled, ten a page. */
function fakeSelect(stored: readonly Item[]) {
  const statements: Array<{ statement: string; keys: string[]; token?: string }> = [];
  const pages = new Map<string, Item[]>();
  jest.spyOn(ddb, 'send').mockImplementation((async (command: unknown) => {
    if (!(command instanceof ExecuteStatementCommand)) throw new Error(`unexpected command ${String(command)}`);
    const { Statement, Parameters, NextToken } = command.input;
    const keys = Parameters as string[];
    statements.push({ statement: Statement!, keys, ...(NextToken ? { token: NextToken } : {}) });
    const all = NextToken ? pages.get(NextToken)! : scrambled(stored.filter((s) => keys.includes(s.gsi1pk as string)));
    const rest = all.slice(10);
    const token = rest.length > 0 ? `token-${statements.length}` : undefined;
    if (token) pages.set(token, rest);
    return { Items: all.slice(0, 10), ...(token ? { NextToken: token } : {}) };
  }) as never);
  return statements;
}

afterEach(() => jest.restoreAllMocks());

describe('licencesOfHolders', () => {
  const holder = '91440300MA5FXXXX1A';
  // Types whose UTF-16 order differs from their UTF-8 byte order (an astral character sorts before U+FF71
  // by code units, after it by bytes), beside Chinese and ASCII ones.
  const types = ['食品经营许可证', 'ｱ-type', '😀-type', 'A-type', '卫生许可证', 'b-type', '排污许可证', 'Z-type', '药品经营许可证', '建筑业企业资质', '道路运输经营许可证', '危险化学品经营许可证'];
  const own = types.map((t, i) => licenceItem(holder, t, `L-${String(i).padStart(3, '0')}`, i === 3 ? '2026-06-01T00:00:00.000Z' : undefined));
  const others = Array.from({ length: 25 }, (_, i) => licenceItem(`HOLDER-${i}`, '卫生许可证', `M-${i}`));

  it('reads every page of a SELECT and gives each holder its licences in the index order (UTF-8 bytes of gsi1sk)', async () => {
    const statements = fakeSelect([...own, ...others]);
    const byHolder = await licencesOfHolders([holder, 'HOLDER-0', 'HOLDER-1', 'NOBODY']);

    const expected = [...own].sort((a, b) => Buffer.compare(Buffer.from(a.gsi1sk as string, 'utf8'), Buffer.from(b.gsi1sk as string, 'utf8')));
    expect(byHolder.get(holder)!.map((l) => l.licenceNo)).toEqual(expected.map((i) => (i.licence as { licenceNo: string }).licenceNo));
    // By bytes, not by JavaScript's code units: the two orders differ on these types.
    const byCodeUnits = [...own].sort((a, b) => ((a.gsi1sk as string) < (b.gsi1sk as string) ? -1 : 1));
    expect(expected.map((i) => i.gsi1sk)).not.toEqual(byCodeUnits.map((i) => i.gsi1sk));
    expect(byHolder.get(holder)!.find((l) => l.licenceType === 'A-type')?.revokedAt).toBe('2026-06-01T00:00:00.000Z');
    expect(byHolder.get('HOLDER-0')!.map((l) => l.licenceNo)).toEqual(['M-0']);
    expect(byHolder.get('NOBODY')).toEqual([]);
    expect([...byHolder.keys()].sort()).toEqual([holder, 'HOLDER-0', 'HOLDER-1', 'NOBODY'].sort());
    // 14 items: two pages of one SELECT, the second asked for by its token.
    expect(statements).toHaveLength(2);
    expect(statements[0]!.statement).toBe('SELECT * FROM "registry-test"."gsi1" WHERE "gsi1pk" IN [?, ?, ?, ?]');
    expect(statements[1]!.token).toBe('token-1');
  });

  it('sends one SELECT per 50 distinct holders', async () => {
    const statements = fakeSelect(others);
    const holders = Array.from({ length: 120 }, (_, i) => `HOLDER-${i}`);
    const byHolder = await licencesOfHolders([...holders, 'HOLDER-0']);
    // The first 50 hold all 25 licences: that SELECT takes three pages, each asked with the same keys.
    const first = statements.filter((s) => s.token === undefined);
    expect(first.map((s) => s.keys.length).sort((a, b) => a - b)).toEqual([20, 50, 50]);
    expect(statements.filter((s) => s.token !== undefined).map((s) => s.keys)).toEqual([first[0]!.keys, first[0]!.keys]);
    expect(byHolder.size).toBe(120);
    expect(byHolder.get('HOLDER-24')!.map((l) => l.licenceNo)).toEqual(['M-24']);
    expect(byHolder.get('HOLDER-25')).toEqual([]);
  });
});
