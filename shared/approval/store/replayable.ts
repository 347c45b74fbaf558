/**
 * The bulk read of a simulation: one shard of one item's first decisions, with the facts each
 * saw (docs/decisions/decision-facts.md). The byItem index (DECISION items, sort key `<item>#<id>`) gives
 * the item's applications in the shard and their submission times; the window is applied to those; then
 * the first version items are read 100 per BatchGetItem. Nothing here writes.
 *
 * The children of 一件事 bundle applications are decided by the item's rules too, but a bundle version keeps
 * no facts per child: `bundleChildrenDecided` counts them (same shards, same window) so a simulation can
 * say how many of the item's applications it could not replay, rather than leave them out unsaid.
 */
import { batchGetAll } from '#platform/batch-get';
import { queryAll } from '#platform/paging';
import type { Decision } from '../domain/decision';
import type { DecisionFacts } from '../domain/replay';
import type { BundleState } from '../domain/bundle/application';
import type { BundleSummary } from '../bundle-ports';
import { decodeBody, decodeVersion, FACTS_DROPPED_FOR_SIZE, type CurrentDecision } from './items';
import { applicationIdOf, pkOf, table, versionSk } from './keys';

/**
 * A stored first decision and what it saw: absent for decisions stored before facts were kept, and for
 * those whose facts were too large to keep with them (`factsDropped`).
 */
export interface Replayable {
  readonly applicationId: string;
  readonly decision: Decision;
  readonly facts?: DecisionFacts;
  /** The decision read facts, and they were left out of its version for their size (items.ts FACTS_BUDGET). */
  readonly factsDropped?: typeof FACTS_DROPPED_FOR_SIZE;
}

/** Submitted in [from, to) — ISO 8601 instants compared as instants. */
export interface Window {
  readonly from: string;
  readonly to: string;
}

const inWindow = (window: Window) => {
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  return (submittedAt: string): boolean => {
    const at = Date.parse(submittedAt);
    return at >= from && at < to;
  };
};

export async function replayableDecisions(itemCode: string, shard: number, window: Window): Promise<Replayable[]> {
  const within = inWindow(window);
  const current = await queryAll({
    TableName: table(),
    IndexName: 'byItem',
    KeyConditionExpression: 'itemShard = :s AND begins_with(itemKey, :i)',
    ExpressionAttributeValues: { ':s': `DECISION#${shard}`, ':i': `${itemCode}#` },
    ProjectionExpression: 'pk, body',
  });
  const ids = current
    .map((item) => JSON.parse(item.body as string) as CurrentDecision)
    .filter((d) => within(d.submittedAt))
    .map((d) => d.applicationId);
  const items = await batchGetAll(
    table(),
    ids.map((id) => ({ pk: pkOf(id), sk: versionSk(1) })),
  );
  return items
    .map((item) => {
      const { decision, facts } = decodeVersion(item);
      return {
        applicationId: applicationIdOf(item.pk as string),
        decision,
        ...(facts === undefined ? {} : { facts }),
        ...(item.factsDropped === FACTS_DROPPED_FOR_SIZE ? { factsDropped: FACTS_DROPPED_FOR_SIZE } : {}),
      };
    })
    .sort((a, b) => (a.applicationId < b.applicationId ? -1 : a.applicationId > b.applicationId ? 1 : 0));
}

/**
 * How many bundle applications of one shard, submitted in the window, have a child of the item that was
 * decided (its department took it up: any outcome). The bundles' byItem keys (BUNDLE#<shard>, sorted by
 * bundle code) give the applications and their submission times; the current version of each in the
 * window is read to find its children (a bundle does not list its items in its keys). Nothing here writes.
 */
export async function bundleChildrenDecided(itemCode: string, shard: number, window: Window): Promise<number> {
  const within = inWindow(window);
  const states = await queryAll({
    TableName: table(),
    IndexName: 'byItem',
    KeyConditionExpression: 'itemShard = :s',
    ExpressionAttributeValues: { ':s': `BUNDLE#${shard}` },
    ProjectionExpression: 'pk, #seq, summary',
    ExpressionAttributeNames: { '#seq': 'sequence' },
  });
  const keys = states
    .filter((item) => within((JSON.parse(item.summary as string) as BundleSummary).submittedAt))
    .map((item) => ({ pk: item.pk as string, sk: versionSk(item.sequence as number) }));
  const versions = await batchGetAll(table(), keys);
  return versions
    .map((item) => decodeBody<BundleState>(item))
    .filter((state) => state.children.some((c) => c.itemCode === itemCode && c.decision !== undefined)).length;
}
