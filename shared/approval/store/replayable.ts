/**
 * The bulk read of a simulation: one shard of one item's first decisions, with the facts each
 * saw (docs/decisions/decision-facts.md). The byItem index (DECISION items, sort key `<item>#<id>`) gives
 * the item's applications in the shard and their submission times; the window is applied to those; then
 * the first version items are read 100 per BatchGetItem. Nothing here writes.
 */
import { batchGetAll } from '#platform/batch-get';
import { queryAll } from '#platform/paging';
import type { Decision } from '../domain/decision';
import type { DecisionFacts } from '../domain/replay';
import { decodeVersion, type CurrentDecision } from './items';
import { applicationIdOf, pkOf, table, versionSk } from './keys';

/** A stored first decision and what it saw (absent for decisions stored before facts were kept). */
export interface Replayable {
  readonly applicationId: string;
  readonly decision: Decision;
  readonly facts?: DecisionFacts;
}

/** Submitted in [from, to) — ISO 8601 instants compared as instants. */
export interface Window {
  readonly from: string;
  readonly to: string;
}

export async function replayableDecisions(itemCode: string, shard: number, window: Window): Promise<Replayable[]> {
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  const current = await queryAll({
    TableName: table(),
    IndexName: 'byItem',
    KeyConditionExpression: 'itemShard = :s AND begins_with(itemKey, :i)',
    ExpressionAttributeValues: { ':s': `DECISION#${shard}`, ':i': `${itemCode}#` },
    ProjectionExpression: 'pk, body',
  });
  const ids = current
    .map((item) => JSON.parse(item.body as string) as CurrentDecision)
    .filter((d) => {
      const at = Date.parse(d.submittedAt);
      return at >= from && at < to;
    })
    .map((d) => d.applicationId);
  const items = await batchGetAll(
    table(),
    ids.map((id) => ({ pk: pkOf(id), sk: versionSk(1) })),
  );
  return items
    .map((item) => {
      const { decision, facts } = decodeVersion(item);
      return { applicationId: applicationIdOf(item.pk as string), decision, ...(facts === undefined ? {} : { facts }) };
    })
    .sort((a, b) => (a.applicationId < b.applicationId ? -1 : a.applicationId > b.applicationId ? 1 : 0));
}
