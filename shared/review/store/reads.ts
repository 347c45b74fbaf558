/**
 * Reads of the `reviews` table: a case's partition, figure rows, and the due index.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { OutboundEvent } from '#contract/outbound';
import { ddb } from '#platform/aws';
import { batchGetAll } from '#platform/batch-get';
import { compareSortKeys, queryAll, selectPartitionsIn } from '#platform/paging';
import { daysOf, emptyCounters, sourcesOf, sumByKey, type Dimension, type Period, type RowSource } from '../domain/figures';
import { COUNTER_NAMES, type CaseReviewState, type Counters, type Rectification, type Review } from '../domain/types';
import type { CaseBundle, CaseRecord, DueQueue, FigureRow, Rejection } from '../ports';
import { casePk, DUE_PK, figureKey, table } from './keys';

/** Everything stored for a case, strongly consistent. */
export async function loadCase(caseId: string): Promise<CaseBundle> {
  const items = await queryAll({ TableName: table(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': casePk(caseId) }, ConsistentRead: true });
  return caseBundleOf(caseId, items);
}

/**
 * Everything stored for each of several cases, strongly consistent, as `loadCase` gives it: one PartiQL SELECT
 * per 50 cases instead of a Query each (the review consumer reads a batch's cases ahead).
 */
export async function loadCases(caseIds: readonly string[]): Promise<Map<string, CaseBundle>> {
  const byCase = new Map<string, Record<string, unknown>[]>(caseIds.map((id) => [casePk(id), []]));
  for (const item of await selectPartitionsIn(table(), undefined, 'pk', [...byCase.keys()], { consistent: true })) byCase.get(item.pk as string)?.push(item);
  return new Map(caseIds.map((id) => [id, caseBundleOf(id, byCase.get(casePk(id)) ?? [])]));
}

/** A case's items (its partition, in any order) as the bundle the use cases decide on. */
function caseBundleOf(caseId: string, items: readonly Record<string, unknown>[]): CaseBundle {
  let record: CaseRecord | undefined;
  let rectification: Rectification | undefined;
  const rejections: Array<{ sk: string; rejection: Rejection }> = [];
  const outbox: Array<{ sk: string; event: OutboundEvent }> = [];
  for (const item of items) {
    const sk = item.sk as string;
    if (sk === 'STATE') {
      record = {
        version: item.version as number,
        ...(item.state ? { state: item.state as CaseReviewState } : {}),
        parked: (item.parked as Review[] | undefined) ?? [],
      };
    } else if (sk === 'RECT') rectification = item.rect as Rectification;
    else if (sk.startsWith('REJECTED#')) rejections.push({ sk, rejection: item.rejection as Rejection });
    else if (sk.startsWith('OUTBOX#')) outbox.push({ sk, event: item.event as OutboundEvent });
  }
  // In the partition's order, as a Query returns them.
  const bySk = (a: { sk: string }, b: { sk: string }) => compareSortKeys(a.sk, b.sk);
  return {
    caseId,
    ...(record ? { record } : {}),
    ...(rectification ? { rectification } : {}),
    rejections: rejections.sort(bySk).map((r) => r.rejection),
    outbox: outbox.sort(bySk).map((o) => o.event),
  };
}

/** Case ids whose due instant has come, from the sparse due index (eventually consistent: reload each). */
export async function dueCaseIds(queue: DueQueue, now: string, limit = 5000): Promise<string[]> {
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await ddb.send(
      new QueryCommand({
        TableName: table(),
        IndexName: 'byDue',
        KeyConditionExpression: 'duePk = :due AND dueAt <= :now',
        ExpressionAttributeValues: { ':due': DUE_PK[queue], ':now': now },
        ProjectionExpression: 'caseId',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of out.Items ?? []) ids.push(item.caseId as string);
    startKey = out.LastEvaluatedKey;
  } while (startKey && ids.length < limit);
  return [...new Set(ids)];
}

function countersOf(item: Record<string, unknown> | undefined): Counters {
  const counters = emptyCounters();
  if (item) for (const name of COUNTER_NAMES) if (typeof item[name] === 'number') counters[name] = item[name];
  return counters;
}

/**
 * The counters of one key of a dimension in a period (all zero when nothing was ever counted there). Rows
 * are kept per day: an item's or a staff member's month is the sum of its days' rows, read in one
 * BatchGetItem. A dimension summed from the shared rows (figures.ts `sourcesOf`) reads, for each day, the
 * rows the key can be under: a department's own shared rows by their key's prefix; a channel's or a
 * district's, every shared row of the day.
 */
export async function getCounters(dimension: Dimension, key: string, period: Period): Promise<Counters> {
  const sources = sourcesOf(dimension);
  if (sources.length === 1 && sources[0]!.rows === dimension) {
    if (period.granularity === 'day') {
      const out = await ddb.send(new GetCommand({ TableName: table(), Key: figureKey(dimension, key, period) }));
      return countersOf(out.Item);
    }
    const items = await batchGetAll(table(), daysOf(period).map((day) => figureKey(dimension, key, day)));
    return sumByKey(items.map((item) => ({ key, counters: countersOf(item) })))[0]?.counters ?? emptyCounters();
  }
  const parts = await Promise.all(sources.flatMap((source) => daysOf(period).map((day) => rowsOfDay(source, day, key))));
  return sumByKey(parts.flat()).find((row) => row.key === key)?.counters ?? emptyCounters();
}

/**
 * Every key of a dimension with counters in a period, with its counters, sorted by key: each of its sources'
 * partitions of each day (`sourcesOf`), read side by side and summed per key.
 */
export async function listCounters(dimension: Dimension, period: Period): Promise<FigureRow[]> {
  const parts = await Promise.all(sourcesOf(dimension).flatMap((source) => daysOf(period).map((day) => rowsOfDay(source, day))));
  return sumByKey(parts.flat());
}

/** One source's rows of a day, each under the dimension's key; with `key`, only the rows it can be under. */
async function rowsOfDay(source: RowSource, day: Period, key?: string): Promise<Array<{ key: string | undefined; counters: Counters }>> {
  const under = key === undefined ? undefined : source.storedUnder?.(key);
  const condition = under === undefined ? '' : 'exactly' in under ? ' AND sk = :sk' : ' AND begins_with(sk, :sk)';
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: `pk = :pk${condition}`,
    ExpressionAttributeValues: { ':pk': figureKey(source.rows, '', day).pk, ...(under === undefined ? {} : { ':sk': 'exactly' in under ? under.exactly : under.prefix }) },
  });
  return items.map((item) => ({ key: source.keyOf(item.sk as string), counters: countersOf(item) }));
}
