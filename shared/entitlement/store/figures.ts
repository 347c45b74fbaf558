/** A policy's figures: the counter shards summed (the query API and the monthly report serve these). */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '#platform/aws';
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
  let amountReserved = 0;
  let amountDisbursed = 0;
  let amountRecovered = 0;
  let delivered = 0;
  let firstPushAt: string | undefined;
  let lastPushAt: string | undefined;
  let withdrawnAt: string | undefined;
  for (const item of page.Items ?? []) {
    for (const c of COUNTERS) counters[c] += Number(item[c] ?? 0);
    amountReserved += Number(item.amountReserved ?? 0);
    amountDisbursed += Number(item.amountDisbursed ?? 0);
    amountRecovered += Number(item.amountRecovered ?? 0);
    delivered += Number(item.delivered ?? 0);
    const f = item.firstPushAt as string | undefined;
    const l = item.lastPushAt as string | undefined;
    if (f !== undefined && (firstPushAt === undefined || Date.parse(f) < Date.parse(firstPushAt))) firstPushAt = f;
    if (l !== undefined && (lastPushAt === undefined || Date.parse(l) > Date.parse(lastPushAt))) lastPushAt = l;
    withdrawnAt ??= item.withdrawn as string | undefined;
  }
  return {
    counters,
    amountReserved,
    amountDisbursed,
    amountRecovered,
    delivered,
    ...(firstPushAt ? { firstPushAt } : {}),
    ...(lastPushAt ? { lastPushAt } : {}),
    ...(withdrawnAt ? { withdrawnAt } : {}),
  };
}
