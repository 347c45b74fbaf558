/** Policies: the current version, each version, the active index, the budget and the withdrawal guard. */
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '#platform/aws';
import { auditPut, type AuditEntry } from '#platform/audit';
import { queryAll, scanAll } from '#platform/paging';
import { receiptPut, type Receipt } from '#platform/receipts';
import type { Instant, Policy } from '../domain';
import type { PublishWrite } from '../ports';
import {
  ACTIVE_PK,
  activeSk,
  BUDGET_SK,
  CURRENT_SK,
  FIGURE_SHARDS,
  figuresSk,
  policyPk,
  runSk,
  table,
  versionSk,
} from './keys';
import { noteStoredPolicy } from './stored-policy';
import { transact, type TransactItem } from './transact';

/**
 * The current version; a stored policy with the other kind's dishonest flag is noted as it loads (stored-policy.ts).
 * Strongly consistent: a publication's match slices are sent after its commit and each reads this to find
 * its version, and a read lagging the commit (no policy, or the version before) would record the slice
 * done without matching its shard.
 */
export async function getPolicy(policyId: string): Promise<Policy | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: { pk: policyPk(policyId), sk: CURRENT_SK }, ConsistentRead: true }));
  const policy = out.Item?.policy as Policy | undefined;
  if (policy !== undefined) noteStoredPolicy(policy);
  return policy;
}

/**
 * Active (not withdrawn) policies; whether each is within its window at a given moment is the domain's call.
 * Each is noted as it loads, as getPolicy does.
 */
export async function listActivePolicies(): Promise<Policy[]> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': ACTIVE_PK },
  });
  const policies = items.map((item) => item.policy as Policy);
  for (const policy of policies) noteStoredPolicy(policy);
  return policies;
}

/** Every policy ever published, withdrawn ones too, in its current version (a scan: for the monthly report). */
export async function listAllPolicies(): Promise<Policy[]> {
  const items = await scanAll({
    TableName: table(),
    FilterExpression: 'sk = :c',
    ExpressionAttributeValues: { ':c': CURRENT_SK },
  });
  return items.map((i) => i.policy as Policy).filter((p) => p !== undefined);
}

/**
 * Stores a publication: the current version (conditional on the version it was planned from), the version
 * record, the active index, the budget, the run record, the audit line and the receipt, in one transaction.
 * Returns false when another writer moved the policy first (plan again).
 */
export async function savePublish(write: PublishWrite): Promise<boolean> {
  const { policy, fromVersion, at } = write;
  const pk = policyPk(policy.policyId);
  const items: TransactItem[] = [
    {
      Put: {
        TableName: table(),
        Item: { pk, sk: CURRENT_SK, kind: 'policy', version: policy.version, status: 'active', policy },
        ConditionExpression: fromVersion === null ? 'attribute_not_exists(pk)' : '#version = :from AND #status = :active',
        ...(fromVersion === null
          ? {}
          : {
              ExpressionAttributeNames: { '#version': 'version', '#status': 'status' },
              ExpressionAttributeValues: { ':from': fromVersion, ':active': 'active' },
            }),
      },
    },
    { Put: { TableName: table(), Item: { pk, sk: versionSk(policy.version), kind: 'policy-version', policy } } },
    { Put: { TableName: table(), Item: { pk: ACTIVE_PK, sk: activeSk(policy.policyId), kind: 'active-policy', policy } } },
    {
      Put: {
        TableName: table(),
        Item: { pk, sk: runSk(policy.version), kind: 'run', policyVersion: policy.version, startedAt: at, slicesQueued: write.slicesQueued, slicesDone: 0, profiles: 0 },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    { Put: auditPut(write.audit) },
    // The publication's receipt, with it (the version condition above makes it happen once).
    receiptPut(write.receipt, 'replace'),
  ];
  if (write.budgetDelta !== undefined) {
    items.push({
      Update: {
        TableName: table(),
        Key: { pk, sk: BUDGET_SK },
        UpdateExpression: 'ADD remaining :d SET #total = :t, kind = :k',
        ExpressionAttributeNames: { '#total': 'total' },
        ExpressionAttributeValues: { ':d': write.budgetDelta, ':t': policy.budget, ':k': 'budget' },
      },
    });
  }
  return (await transact(items)).ok;
}

/** Withdraws: the current version's status, the active index, and the guard on every figure shard. */
export async function saveWithdraw(policy: Policy, audit: AuditEntry, receipt: Receipt): Promise<boolean> {
  const pk = policyPk(policy.policyId);
  const out = await transact([
    {
      Put: {
        TableName: table(),
        Item: { pk, sk: CURRENT_SK, kind: 'policy', version: policy.version, status: 'withdrawn', policy },
        ConditionExpression: '#version = :v AND #status = :active',
        ExpressionAttributeNames: { '#version': 'version', '#status': 'status' },
        ExpressionAttributeValues: { ':v': policy.version, ':active': 'active' },
      },
    },
    { Delete: { TableName: table(), Key: { pk: ACTIVE_PK, sk: activeSk(policy.policyId) } } },
    { Put: auditPut(audit) },
    receiptPut(receipt, 'replace'),
  ]);
  if (!out.ok) return false;
  await guardWithdrawn(policy.policyId, policy.withdrawnAt ?? audit.at);
  return true;
}

/**
 * Sets the withdrawal guard on every figure shard (a transition that pushes requires its shard to have
 * none). Idempotent: a redelivered withdrawal re-applies it, so a crash between the two steps loses nothing.
 */
export async function guardWithdrawn(policyId: string, at: Instant): Promise<void> {
  await Promise.all(
    Array.from({ length: FIGURE_SHARDS }, (_, shard) =>
      ddb.send(
        new UpdateCommand({
          TableName: table(),
          Key: { pk: policyPk(policyId), sk: figuresSk(shard) },
          UpdateExpression: 'SET withdrawn = if_not_exists(withdrawn, :at), kind = :k',
          ExpressionAttributeValues: { ':at': at, ':k': 'figures' },
        }),
      ),
    ),
  );
  // A crash could have left the index entry: remove it.
  await ddb.send(new DeleteCommand({ TableName: table(), Key: { pk: ACTIVE_PK, sk: activeSk(policyId) } }));
}

export async function getBudget(policyId: string): Promise<number | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: { pk: policyPk(policyId), sk: BUDGET_SK }, ConsistentRead: true }));
  return out.Item?.remaining as number | undefined;
}
