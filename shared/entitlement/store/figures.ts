/** A policy's figures: the counter shards summed (the query API and the monthly report serve these). */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '#platform/aws';
import { DecimalSum } from '#util/decimal';
import { COUNTERS, emptyCounters } from '../domain';
import type { StoredFigures } from '../ports';
import { FIGURES_PREFIX, policyPk, table } from './keys';

export async function readFigures(policyId: string): Promise<StoredFigures> {
  const page = await ddb.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :f)',
      ExpressionAttributeValues: { ':pk': policyPk(policyId), ':f': FIGURES_PREFIX },
      ConsistentRead: true,
    }),
  );
  const counters = emptyCounters();
  // Each shard's total is an exact decimal (kept by ADD); so is their sum.
  const amountReserved = new DecimalSum();
  const amountDisbursed = new DecimalSum();
  const amountRecovered = new DecimalSum();
  let delivered = 0;
  let firstPushAt: string | undefined;
  let lastPushAt: string | undefined;
  let withdrawnAt: string | undefined;
  for (const item of page.Items ?? []) {
    for (const c of COUNTERS) counters[c] += Number(item[c] ?? 0);
    amountReserved.add(Number(item.amountReserved ?? 0));
    amountDisbursed.add(Number(item.amountDisbursed ?? 0));
    amountRecovered.add(Number(item.amountRecovered ?? 0));
    delivered += Number(item.delivered ?? 0);
    const f = item.firstPushAt as string | undefined;
    const l = item.lastPushAt as string | undefined;
    if (f !== undefined && (firstPushAt === undefined || Date.parse(f) < Date.parse(firstPushAt))) firstPushAt = f;
    if (l !== undefined && (lastPushAt === undefined || Date.parse(l) > Date.parse(lastPushAt))) lastPushAt = l;
    withdrawnAt ??= item.withdrawn as string | undefined;
  }
  return {
    counters,
    amountReserved: amountReserved.value(),
    amountDisbursed: amountDisbursed.value(),
    amountRecovered: amountRecovered.value(),
    delivered,
    ...(firstPushAt ? { firstPushAt } : {}),
    ...(lastPushAt ? { lastPushAt } : {}),
    ...(withdrawnAt ? { withdrawnAt } : {}),
  };
}
