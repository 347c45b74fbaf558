/**
 * A policy's entitlements filtered by state (GET /policies/{policyId}/entitlements?state=…) against DynamoDB
 * Local: the state is a filter over the policy's partition, so a state few pairs are in ("who was objected
 * to" among a million matched) used to be read through the whole partition in one request, 100 items a
 * query, past the query function's timeout. A request now reads a bounded part of the partition and hands a
 * cursor for the rest, as DynamoDB itself does: a page may hold fewer items than asked for, even none.
 */
import { jest } from '@jest/globals';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { makeCreditCode } from '#contract/identifiers';
import { useTestDynamo } from '#support/dynamo';

const db = useTestDynamo();
let store: typeof import('#entitlement/store');
let aws: typeof import('#platform/aws');
beforeAll(async () => {
  store = await import('#entitlement/store');
  aws = await import('#platform/aws');
});

const N = 6000;
const code = (i: number) => makeCreditCode(`91440300MA${String(i).padStart(7, '0')}`);

/** N entitlements of one policy, all NOTIFIED but the one at `objectedAt`, which is OBJECTED. */
async function seed(policyId: string, objectedAt: number): Promise<void> {
  const items = Array.from({ length: N }, (_, i) => {
    const state = i === objectedAt ? 'OBJECTED' : 'NOTIFIED';
    const entitlement = { policyId, creditCode: code(i), state, reached: ['ELIGIBLE', state], policyVersion: 1, history: [] };
    return { pk: `POLICY#${policyId}`, sk: `ENT#${code(i)}`, kind: 'entitlement', state, reached: entitlement.reached, entitlement };
  });
  for (let i = 0; i < items.length; i += 25) {
    await db().doc.send(new BatchWriteCommand({ RequestItems: { [db().tables.entitlements]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
}

describe('listing a policy\'s entitlements by a rare state', () => {
  it('reads a bounded part of the partition per request, and the cursors lead to every match once', async () => {
    await seed('AD-SCAN', N - 3);
    const send = jest.spyOn(aws.ddb, 'send');
    const found: string[] = [];
    let cursor: string | undefined;
    let requests = 0;
    let mostQueries = 0;
    do {
      send.mockClear();
      const page = await store.listEntitlements('AD-SCAN', { state: 'OBJECTED' }, 50, cursor);
      mostQueries = Math.max(mostQueries, send.mock.calls.length);
      found.push(...page.items.map((e) => e.creditCode));
      cursor = page.cursor;
      requests++;
    } while (cursor !== undefined && requests < 100);
    send.mockRestore();
    expect(found).toEqual([code(N - 3)]);
    // Before: one request, 60 queries of 100 items. Now a handful of queries per request.
    expect(mostQueries).toBeLessThanOrEqual(5);
    expect(requests).toBeGreaterThan(1);
  });

  it('still fills a page from one request when matches are common, with a cursor to the next', async () => {
    const first = await store.listEntitlements('AD-SCAN', { state: 'NOTIFIED' }, 100);
    expect(first.items).toHaveLength(100);
    expect(first.items.map((e) => e.creditCode)).toEqual(Array.from({ length: 100 }, (_, i) => code(i)));
    const next = await store.listEntitlements('AD-SCAN', { state: 'NOTIFIED' }, 100, first.cursor);
    expect(next.items[0]!.creditCode).toBe(code(100));
  });
});
