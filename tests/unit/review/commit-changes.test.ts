/**
 * `commitChanges` (shared/review/store.ts), the review consumer's group-commit writer, with DynamoDB's
 * `send` replaced: the changes of a batch go in one TransactWriteItems with each counter row added once
 * (summed), split at DynamoDB's 100 items; a failed condition is pinned on the change that owns the item
 * and the rest is written without it; other errors fail the changes of that transaction only.
 */
import { jest } from '@jest/globals';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ddb } from '#platform/aws';
import { commitChanges, type ReviewChange } from '#review/store';

process.env.TABLE_REVIEWS = 'reviews-test';
process.env.TABLE_AUDIT = 'audit-test';

type Item = { Put?: { Item: Record<string, any> }; Update?: { Key: Record<string, any>; ExpressionAttributeValues: Record<string, any> } };

function change(caseId: string, department = 'D1'): ReviewChange {
  return {
    caseId,
    caseWrite: { expectedVersion: undefined, version: 1 },
    figureDeltas: [
      {
        subject: { caseId, departmentCode: department, itemCode: 'SJ-0001', channel: 'window', completedDay: '2026-11-02', completedMonth: '2026-11' },
        add: { completedCases: 1 },
      },
    ],
    audits: [{ subject: `case:${caseId}`, action: 'case:completed', actor: 't', at: '2026-11-02T01:00:00.000Z', why: 'w', causeId: caseId }],
  };
}

function cancelled(codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

let sent: Item[][];
let answers: Array<(items: Item[]) => void>;

beforeEach(() => {
  sent = [];
  answers = [];
  jest.spyOn(ddb, 'send').mockImplementation((async (command: { input: { TransactItems: Item[] } }) => {
    const items = command.input.TransactItems;
    sent.push(items);
    answers.shift()?.(items);
    return {};
  }) as never);
});
afterEach(() => jest.restoreAllMocks());

const counterRows = (items: Item[]) => items.filter((i) => i.Update);
const casePuts = (items: Item[]) => items.filter((i) => i.Put?.Item.sk === 'STATE').map((i) => i.Put!.Item.caseId);

describe('commitChanges', () => {
  it('writes ten cases in one transaction with each counter row once, summed', async () => {
    const changes = Array.from({ length: 10 }, (_, i) => change(`C${i}`));
    expect(await commitChanges(changes)).toEqual(Array(10).fill('committed'));
    expect(sent).toHaveLength(1);
    const rows = counterRows(sent[0]!);
    expect(casePuts(sent[0]!)).toEqual(changes.map((c) => c.caseId));
    for (const row of rows) expect(row.Update!.ExpressionAttributeValues[':c0']).toBe(10);
    // As many rows as one case alone writes: every case of the batch shares them.
    sent = [];
    await commitChanges([change('X')]);
    expect(rows.length).toBe(counterRows(sent[0]!).length);
    expect(rows.length).toBeGreaterThanOrEqual(8);
  });

  it('splits at 100 items per transaction and still sums the counters of each transaction', async () => {
    const changes = Array.from({ length: 60 }, (_, i) => change(`C${i}`));
    expect(await commitChanges(changes)).toEqual(Array(60).fill('committed'));
    expect(sent.length).toBeGreaterThan(1);
    for (const items of sent) expect(items.length).toBeLessThanOrEqual(100);
    expect(sent.flatMap(casePuts)).toEqual(changes.map((c) => c.caseId));
    const perRow = new Map<string, number>();
    for (const items of sent) {
      for (const row of counterRows(items)) {
        const key = `${row.Update!.Key.pk}|${row.Update!.Key.sk}`;
        perRow.set(key, (perRow.get(key) ?? 0) + row.Update!.ExpressionAttributeValues[':c0']);
      }
    }
    for (const total of perRow.values()) expect(total).toBe(60);
  });

  it('pins a failed condition on the change that owns the item and writes the others without it', async () => {
    const changes = [change('A'), change('B'), change('C')];
    answers.push((items) => {
      const codes = items.map((i) => (i.Put?.Item.caseId === 'B' && i.Put.Item.sk === 'STATE' ? 'ConditionalCheckFailed' : 'None'));
      throw cancelled(codes);
    });
    expect(await commitChanges(changes)).toEqual(['committed', 'conflict', 'committed']);
    expect(sent).toHaveLength(2);
    expect(casePuts(sent[1]!)).toEqual(['A', 'C']);
    for (const row of counterRows(sent[1]!)) expect(row.Update!.ExpressionAttributeValues[':c0']).toBe(2);
  });

  it('tries a transaction conflict again, then leaves the changes to their own reload-and-decide', async () => {
    const conflict = (items: Item[]) => {
      throw cancelled(items.map((i) => (i.Update ? 'TransactionConflict' : 'None')));
    };
    answers.push(conflict);
    expect(await commitChanges([change('A')])).toEqual(['committed']);
    expect(sent).toHaveLength(2);
    sent = [];
    answers.push(conflict, conflict, conflict);
    expect(await commitChanges([change('A'), change('B')])).toEqual(['conflict', 'conflict']);
    expect(sent).toHaveLength(3);
  });

  it('fails the changes of a transaction DynamoDB did not take (not a cancellation), and only those', async () => {
    const changes = Array.from({ length: 60 }, (_, i) => change(`C${i}`));
    answers.push(() => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' });
    });
    const results = await commitChanges(changes);
    const firstSize = casePuts(sent[0]!).length;
    expect(results.slice(0, firstSize)).toEqual(Array(firstSize).fill('failed'));
    expect(results.slice(firstSize)).toEqual(Array(60 - firstSize).fill('committed'));
  });
});
