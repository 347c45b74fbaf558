/**
 * Bundle applications (一件事) in the approvals table, each in its own partition:
 *
 *   BUNDLE#<applicationId>  APPLICATION                  the submitted application (created once: the exactly-once gate)
 *   BUNDLE#<applicationId>  STATE                        the current version, small (`sequence` is the optimistic
 *                                                        lock; `summary` is what the figures read); byItem keys
 *                                                        itemShard = BUNDLE#<0..15>, itemKey = <bundleCode>#<id>;
 *                                                        while a child has a deadline the schedule must look
 *                                                        at (a supplement deadline of a child pending materials
 *                                                        in an open bundle, a verification due date of a child
 *                                                        approved on commitment, neither verified nor flagged),
 *                                                        byDue keys duePk = DUE#BUNDLE, dueAt = the earliest
 *                                                        (gone with the version that ends it). Items written
 *                                                        before sit under DUE#BUNDLE_SUPPLEMENT: still read, and
 *                                                        moved or taken out by the schedule when it finds them
 *   BUNDLE#<applicationId>  V#<000001>                   every version, append-only: the whole bundle state with
 *                                                        each child's decision and trace (packed when large), its cause
 *   BUNDLE#<applicationId>  OUTBOX#V#<000001>            only for a version the deadlines schedule made (it resends
 *                                                        those): `pending` until sent, with the byDue keys duePk =
 *                                                        BUNDLE_OUTBOX, dueAt = when written. A version an event
 *                                                        made has none: the event's redelivery sends it again.
 *                                                        What a version sends is derived from it (`bundleMessages`),
 *                                                        not stored: a bundle's events are several KB. Items of
 *                                                        events' versions written before (`pending`, in no index;
 *                                                        older ones holding `outbox`) are still read and sent
 *   BUNDLE#<applicationId>  REFUSAL#<source>#<eventId>   a later event refused, with its reason
 *   BUNDLE#<applicationId>  CONFLICT#<source>#<eventId>  the same applicationId submitted with other content
 *                                                        (its hash and the stored one; the first submission stands),
 *                                                        or a single-item application under this id (service/one-id.ts)
 *
 * Each version is one transaction with its audit line and its event's receipt, so a crash between steps
 * leaves either nothing or the whole version (whose outbox the redelivered event sends).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '#platform/aws';
import { batchGetAll } from '#platform/batch-get';
import { auditPut } from '#platform/audit';
import { queryAll } from '#platform/paging';
import { receiptPut } from '#platform/receipts';
import { cancellationCodes, type TransactItem } from '#platform/transactions';
import type { BundleFirstRecord, BundleReader, BundleStore, BundleSummary, BundleVersionRecord, StoredBundle, StoredBundleConflict, StoredBundleVersion } from '../bundle-ports';
import type { BundleState } from '../domain/bundle/application';
import { bundleNextDue } from '../domain/bundle/later';
import { causeKey, type Cause, type VersionCause } from '../domain/decision';
import { resentBySchedule, type Outbox, type RefusalRecord, type StoredRefusal } from '../ports';
import { conflictFieldsOf, refusalOf } from './case';
import { conflictItems, decodeBody, encodeBody } from './items';
import { DECISION_SHARDS, decisionIndexKeys, OUTBOX_PREFIX, table, versionSk, VERSION_PREFIX } from './keys';

export const bundlePkOf = (applicationId: string) => `BUNDLE#${applicationId}`;
/** The application id of a bundle's partition key: bundlePkOf's inverse. */
export const bundleIdOf = (pk: string) => pk.slice('BUNDLE#'.length);
export const STATE_SK = 'STATE';
const APPLICATION_SK = 'APPLICATION';
const REFUSAL_PREFIX = 'REFUSAL#';
const CONFLICT_PREFIX = 'CONFLICT#';
/** The byDue partitions of bundles: a child's deadline (supplement or verification), and outboxes not yet sent. */
export const BUNDLE_DUE = 'DUE#BUNDLE';
/** Read only: where versions written before verification due dates were indexed kept their supplement deadline. */
export const BUNDLE_SUPPLEMENT_DUE = 'DUE#BUNDLE_SUPPLEMENT';
export const BUNDLE_OUTBOX_DUE = 'BUNDLE_OUTBOX';

export function summaryOf(s: BundleState): BundleSummary {
  const { applicationId, bundleCode, status, noPerson, materialsSaved, legalDaysSum, submittedAt, decidedAt } = s;
  const overdueVerifications = s.children.flatMap((c) => (c.verificationOverdueAt === undefined ? [] : [{ itemCode: c.itemCode, departmentCode: c.departmentCode }]));
  return { applicationId, bundleCode, status, noPerson, materialsSaved, legalDaysSum, submittedAt, decidedAt, overdueVerifications };
}

const createOnce = (item: Record<string, unknown>): TransactItem => ({ Put: { TableName: table(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' } });

function stateItem(s: BundleState) {
  const { itemShard, itemKey } = decisionIndexKeys(s.applicationId, s.bundleCode);
  const due = bundleNextDue(s);
  return {
    pk: bundlePkOf(s.applicationId),
    sk: STATE_SK,
    kind: 'bundleState',
    sequence: s.sequence,
    status: s.status,
    summary: JSON.stringify(summaryOf(s)),
    itemShard: itemShard.replace('DECISION#', 'BUNDLE#'),
    itemKey,
    ...(due === undefined ? {} : { duePk: BUNDLE_DUE, dueAt: due }),
  };
}

function versionItems(r: BundleVersionRecord): TransactItem[] {
  const { state, cause, causeKind } = r;
  const pk = bundlePkOf(state.applicationId);
  const sk = versionSk(state.sequence);
  return [
    createOnce({ pk, sk, kind: 'bundleVersion', sequence: state.sequence, status: state.status, cause, causeKey: causeKey(cause), causeKind, ...encodeBody(state) }),
    // Only the schedule's own versions have an OUTBOX item (2 write units here, 1 to mark it sent): an
    // event's version is sent again by that event's redelivery.
    ...(resentBySchedule(causeKind) ? [createOnce({ pk, sk: `${OUTBOX_PREFIX}${sk}`, kind: 'outbox', pending: true, duePk: BUNDLE_OUTBOX_DUE, dueAt: state.updatedAt })] : []),
    { Put: auditPut({ ...r.audit, details: { ...r.audit.details, version: `${pk}/${sk}` } }) },
    ...(r.receipt ? [receiptPut(r.receipt, 'replace')] : []),
  ];
}

export function firstBundleItems(first: BundleFirstRecord): TransactItem[] {
  return [
    createOnce({
      pk: bundlePkOf(first.application.applicationId),
      sk: APPLICATION_SK,
      kind: 'bundleApplication',
      applicationHash: first.applicationHash,
      cause: first.cause,
      receivedAt: first.receivedAt,
      body: JSON.stringify(first.application),
    }),
    createOnce(stateItem(first.state)),
    ...versionItems(first),
  ];
}

export function nextBundleItems(next: BundleVersionRecord): TransactItem[] {
  return [
    {
      Put: {
        TableName: table(),
        Item: stateItem(next.state),
        ConditionExpression: '#seq = :previous',
        ExpressionAttributeNames: { '#seq': 'sequence' },
        ExpressionAttributeValues: { ':previous': next.state.sequence - 1 },
      },
    },
    ...versionItems(next),
  ];
}

export function bundleRefusalItems(r: RefusalRecord): TransactItem[] {
  return [
    createOnce({ pk: bundlePkOf(r.applicationId), sk: `${REFUSAL_PREFIX}${causeKey(r.cause)}`, kind: 'refusal', cause: r.cause, at: r.at, code: r.code, message: r.message }),
    { Put: auditPut(r.audit) },
    ...(r.receipt ? [receiptPut(r.receipt, 'replace')] : []),
  ];
}

/** True when stored; false when a condition failed (which one: `first` only, or any). */
async function transact(items: TransactItem[], onlyFirst: boolean): Promise<boolean> {
  try {
    await ddb.send(new TransactWriteCommand({ TransactItems: items }));
    return true;
  } catch (error) {
    const codes = cancellationCodes(error);
    if (codes?.includes('ConditionalCheckFailed') && (!onlyFirst || codes[0] === 'ConditionalCheckFailed')) return false;
    throw error;
  }
}

type Item = Record<string, unknown>;

export function bundleOf(items: readonly Item[]): StoredBundle {
  let application: StoredBundle['application'];
  let current: number | undefined;
  const versions: StoredBundleVersion[] = [];
  const outboxes = new Map<string, { outbox?: Outbox; marked: true; pending: boolean }>();
  const refusals: StoredRefusal[] = [];
  const conflicts: StoredBundleConflict[] = [];
  for (const item of items) {
    const sk = item.sk as string;
    if (sk === APPLICATION_SK) {
      application = { application: JSON.parse(item.body as string), applicationHash: item.applicationHash as string, cause: item.cause as Cause, receivedAt: item.receivedAt as string };
    } else if (sk === STATE_SK) current = item.sequence as number;
    else if (sk.startsWith(OUTBOX_PREFIX)) {
      const stored = typeof item.outbox === 'string' ? { outbox: JSON.parse(item.outbox) as Outbox } : {};
      outboxes.set(sk.slice(OUTBOX_PREFIX.length), { ...stored, marked: true, pending: item.pending === true });
    } else if (sk.startsWith(VERSION_PREFIX)) {
      versions.push({ sequence: item.sequence as number, cause: item.cause as Cause, causeKind: item.causeKind as VersionCause, state: decodeBody<BundleState>(item), marked: false, pending: false });
    } else if (sk.startsWith(REFUSAL_PREFIX)) refusals.push(refusalOf(item));
    else if (sk.startsWith(CONFLICT_PREFIX)) conflicts.push(conflictFieldsOf(item));
  }
  conflicts.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  const withOutboxes = versions.map((v) => ({ ...v, ...outboxes.get(versionSk(v.sequence)) }));
  // The latest version seen stands (a write based on it fails its sequence condition and reloads).
  const latest = Math.max(current ?? 0, ...versions.map((v) => v.sequence));
  const state = versions.find((v) => v.sequence === latest)?.state;
  return { ...(application ? { application } : {}), ...(state ? { state } : {}), versions: withOutboxes, refusals, conflicts };
}

export const bundleStore: BundleStore = {
  async loadBundle(applicationId) {
    const items = await queryAll({ TableName: table(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': bundlePkOf(applicationId) }, ConsistentRead: true });
    return bundleOf(items);
  },
  createBundle: async (first) => ((await transact(firstBundleItems(first), true)) ? 'stored' : 'exists'),
  storeBundleVersion: async (next) => ((await transact(nextBundleItems(next), false)) ? 'stored' : 'raced'),
  recordBundleRefusal: (refusal) => transact(bundleRefusalItems(refusal), true),
  recordBundleConflict: (conflict) => transact(conflictItems(conflict, bundlePkOf(conflict.application.applicationId)), true),
  /** Their STATE items (small), in one strongly consistent BatchGetItem per 100 ids: 1 read unit an id, no write unit. */
  async heldBundleIds(applicationIds) {
    const unique = [...new Set(applicationIds)];
    if (unique.length === 0) return new Set();
    const found = await batchGetAll(table(), unique.map((id) => ({ pk: bundlePkOf(id), sk: STATE_SK })), { consistent: true });
    return new Set(found.map((item) => bundleIdOf(item.pk as string)));
  },
  async markBundleSent(applicationId, sequence, at) {
    try {
      await ddb.send(
        new UpdateCommand({
          TableName: table(),
          Key: { pk: bundlePkOf(applicationId), sk: `${OUTBOX_PREFIX}${versionSk(sequence)}` },
          UpdateExpression: 'REMOVE pending, duePk, dueAt SET sentAt = :at',
          ConditionExpression: 'attribute_exists(pending)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  },
};

/**
 * The readers' operations (the query routes' bundle figures, the monthly report), which the approval
 * consumer and the deadlines schedule never call: a query of all 16 byItem shards. An object of its own,
 * not in `bundleStore`, because esbuild keeps every property of an object a bundle takes.
 */
export const bundleReader: BundleReader = {
  async bundleSummaries(bundleCode) {
    const pages = await Promise.all(
      Array.from({ length: DECISION_SHARDS }, (_, shard) =>
        queryAll({
          TableName: table(),
          IndexName: 'byItem',
          KeyConditionExpression: bundleCode === undefined ? 'itemShard = :s' : 'itemShard = :s AND begins_with(itemKey, :b)',
          ExpressionAttributeValues: bundleCode === undefined ? { ':s': `BUNDLE#${shard}` } : { ':s': `BUNDLE#${shard}`, ':b': `${bundleCode}#` },
          ProjectionExpression: 'summary',
        }),
      ),
    );
    return pages.flat().map((item) => JSON.parse(item.summary as string) as BundleSummary);
  },
};
