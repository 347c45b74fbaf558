/**
 * What only the deadlines schedule asks of the approvals table: the byDue index's entries (single items'
 * supplement and verification deadlines, bundles with a child deadline, outboxes of the schedule's own
 * changes a crash left unsent), the overdue flag, and a bundle's due entry moved. The layout is documented
 * in store.ts and store/bundle.ts.
 *
 * Kept apart from the consumer's store so that the approval consumer, which calls none of it, does not carry
 * it: esbuild leaves out a module none of whose exports a function uses (package.json's "sideEffects"),
 * where an operation of the `approvalStore` object stays in every bundle that takes the object.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '#platform/aws';
import { queryAll } from '#platform/paging';
import type { BundleDeadlinesStore } from '../bundle-ports';
import type { DeadlinesStore } from '../ports';
import { approvalStore, unlessRaced } from '../store';
import { BUNDLE_DUE, BUNDLE_OUTBOX_DUE, BUNDLE_SUPPLEMENT_DUE, bundleIdOf, bundlePkOf, bundleStore, STATE_SK } from './bundle';
import { overdueFlagItems } from './items';
import { applicationIdOf, duePkOf, OUTBOX, OUTBOX_PREFIX, outboxRefOf, table, VERSION_PREFIX } from './keys';

/** The items of one byDue partition whose time is before `before` (eventually consistent: callers re-check). */
const queryDue = (duePk: string, before: string): Promise<Record<string, unknown>[]> =>
  queryAll({ TableName: table(), IndexName: 'byDue', KeyConditionExpression: 'duePk = :p AND dueAt < :before', ExpressionAttributeValues: { ':p': duePk, ':before': before } });


export const deadlinesStore: DeadlinesStore = {
  ...approvalStore,
  storeOverdueFlag: (flag) => unlessRaced(overdueFlagItems(flag)),
  overdue: async (kind, before) =>
    (await queryDue(duePkOf(kind), before)).map((item) => ({ applicationId: applicationIdOf(item.pk as string), dueAt: item.dueAt as string })),
  unsentOutboxes: async (before) => (await queryDue(OUTBOX, before)).map((item) => outboxRefOf(applicationIdOf(item.pk as string), item.sk as string)),
};

export const bundleDeadlinesStore: BundleDeadlinesStore = {
  ...bundleStore,
  async overdueBundles(before) {
    const [current, earlier] = await Promise.all([queryDue(BUNDLE_DUE, before), queryDue(BUNDLE_SUPPLEMENT_DUE, before)]);
    return [...new Set([...current, ...earlier].map((item) => bundleIdOf(item.pk as string)))];
  },
  async reindexBundleDue(applicationId, sequence, dueAt) {
    try {
      await ddb.send(
        new UpdateCommand({
          TableName: table(),
          Key: { pk: bundlePkOf(applicationId), sk: STATE_SK },
          ...(dueAt === undefined
            ? { UpdateExpression: 'REMOVE duePk, dueAt', ExpressionAttributeValues: { ':seq': sequence } }
            : { UpdateExpression: 'SET duePk = :p, dueAt = :at', ExpressionAttributeValues: { ':seq': sequence, ':p': BUNDLE_DUE, ':at': dueAt } }),
          ConditionExpression: '#seq = :seq',
          ExpressionAttributeNames: { '#seq': 'sequence' },
        }),
      );
    } catch (error) {
      // Another version was stored meanwhile: it indexed itself.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  },
  unsentBundleOutboxes: async (before) =>
    (await queryDue(BUNDLE_OUTBOX_DUE, before)).map((item) => ({
      applicationId: bundleIdOf(item.pk as string),
      sequence: Number((item.sk as string).slice(`${OUTBOX_PREFIX}${VERSION_PREFIX}`.length)),
    })),
};
