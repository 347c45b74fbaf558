/**
 * The 免申即享 storage adapter: the `entitlements` table (profiles and credit records are read through the
 * registry's module, shared/registry/index.ts). Layout:
 *
 *   POLICY#<id>   CURRENT              the newest version, its status (active | withdrawn) and publishedAt
 *   POLICY#<id>   V#<000001>           each published version (immutable)
 *   POLICY#<id>   BUDGET               remaining (yuan) — `ADD remaining -amount` if `remaining >= amount`
 *   POLICY#<id>   FIGURES#<nn>         counter shard nn (00..15): eligible, needsInfo, … ADDed in the same
 *                                      transaction as the transition they count; `withdrawn` guard flag
 *   POLICY#<id>   ENT#<creditCode>     the entitlement (gsi1 = ENT#<creditCode> / POLICY#<id>)
 *   POLICY#<id>   OUTBOX#<creditCode>  the pair's one notification: PENDING → SENDING → DELIVERED | FAILED
 *   POLICY#<id>   RUN#<000001>         a version's matching run: slicesQueued, slicesDone, profiles, completedAt
 *   POLICY#<id>   SLICE#<v>#<shard>#<cursor>  a finished slice (create-only, so redelivery counts nothing twice)
 *   POLICY#<id>   REFUSAL#<eventId>    a confirmation or disbursement that could not apply, with the reason
 *   POLICIES      ACTIVE#<id>          the active (not withdrawn) policies with a copy of the current version,
 *                                      which a profile update is matched against
 *
 * Figures are sharded (16 shards by a hash of the credit code, independent of the registry's 64 enterprise
 * shards, so writers of one slice spread over all of them): one hot counter item would make concurrent
 * transactions conflict. The same shards carry the withdrawal guard: a withdrawal sets `withdrawn` on every
 * shard, and a transition that pushes requires `attribute_not_exists(withdrawn)` on its shard, so no slice
 * still in flight can notify after the withdrawal has been applied.
 *
 * Every transition is one TransactWrite: the entitlement (condition `state = from AND revision =
 * fromRevision`, or `attribute_not_exists` when new), the budget reservation, the counter ADDs, the
 * notification outbox record and the audit line. A cancelled transaction is re-read and re-planned by the
 * caller (settlePair): a redelivery or a race then plans `unchanged`.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metrics } from '#platform/powertools';
import { sendInternal } from '#platform/queues';
import { entitlementNotifyEvent, type InternalDataOf } from '#contract/internal';
import { ddb } from '#platform/aws';
import { queryAll } from '#platform/paging';
import { batchGetAll } from '#platform/batch-get';
import { tableName } from '#platform/resources';
import { auditPut, type AuditEntry } from '#platform/audit';
import { receiptPut, type Receipt } from '#platform/receipts';
import { ENTERPRISE_SHARDS } from '#registry';
import { COUNTERS, counterDeltas, emptyCounters, type CounterValues } from './figures';
import { matchEnterprise, compilePolicy, type MatchResult } from './match';
import {
  onMatched,
  planGrant,
  planNotification,
  reservationAmount,
  type NotificationIntent,
  type Plan,
  type PolicyPlan,
  type Transition,
} from './transitions';
import type { CreditRecord, EnterpriseProfile, Entitlement, EntitlementState, Instant, Policy } from './types';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const table = () => tableName('entitlements');

export const FIGURE_SHARDS = 16;
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const policyPk = (policyId: string) => `POLICY#${policyId}`;
const versionSk = (v: number) => `V#${pad(v, 6)}`;
const runSk = (v: number) => `RUN#${pad(v, 6)}`;
const ACTIVE_PK = 'POLICIES';

/** A hash other than the registry's shard hash, so one slice's enterprises spread over every figure shard. */
export function figureShardOf(creditCode: string): number {
  let h = 5381;
  for (let i = 0; i < creditCode.length; i++) h = (Math.imul(h, 33) + creditCode.charCodeAt(i)) | 0;
  return (h >>> 0) % FIGURE_SHARDS;
}
const figuresSk = (shard: number) => `FIGURES#${pad(shard, 2)}`;

const isCancelled = (e: unknown): e is TransactionCanceledException => e instanceof TransactionCanceledException;
const isConditionFailure = (e: unknown) => (e as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a transaction, retrying only what is nobody's fault: conflicts with another transaction on a hot item. */
async function transact(items: TransactItem[]): Promise<{ ok: true } | { ok: false; failed: number[] }> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ddb.send(new TransactWriteCommand({ TransactItems: items }));
      return { ok: true };
    } catch (error) {
      if (!isCancelled(error)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failed = reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : []));
      if (failed.length > 0) return { ok: false, failed };
      const conflict = reasons.some((r) => r.Code === 'TransactionConflict') || reasons.length === 0;
      if (!conflict || attempt >= 12) throw error;
      // Jitter (adapter, not domain): racing writers of one hot item must not retry in lockstep.
      await sleep(Math.min(400, 5 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Policies


export async function getPolicy(policyId: string): Promise<Policy | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: { pk: policyPk(policyId), sk: 'CURRENT' } }));
  return out.Item?.policy as Policy | undefined;
}

/** Active (not withdrawn) policies; whether each is within its window at a given moment is the domain's call. */
export async function listActivePolicies(): Promise<Policy[]> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': ACTIVE_PK },
  });
  return items.map((item) => item.policy as Policy);
}

/**
 * Stores a publish plan: the current version (conditional on the version it was planned from), the version
 * record, the active index, the budget, the run record and the audit line, in one transaction.
 * Returns false when another writer moved the policy first (re-plan).
 */
export async function savePublish(
  plan: Extract<PolicyPlan, { kind: 'publish' }>,
  previous: Policy | undefined,
  audit: AuditEntry,
  at: Instant,
  receipt?: Receipt,
): Promise<boolean> {
  const { policy, fromVersion } = plan;
  const pk = policyPk(policy.policyId);
  const items: TransactItem[] = [
    {
      Put: {
        TableName: table(),
        Item: { pk, sk: 'CURRENT', kind: 'policy', version: policy.version, status: 'active', policy },
        ConditionExpression:
          fromVersion === null ? 'attribute_not_exists(pk)' : '#version = :from AND #status = :active',
        ...(fromVersion === null
          ? {}
          : {
              ExpressionAttributeNames: { '#version': 'version', '#status': 'status' },
              ExpressionAttributeValues: { ':from': fromVersion, ':active': 'active' },
            }),
      },
    },
    { Put: { TableName: table(), Item: { pk, sk: versionSk(policy.version), kind: 'policy-version', policy } } },
    { Put: { TableName: table(), Item: { pk: ACTIVE_PK, sk: `ACTIVE#${policy.policyId}`, kind: 'active-policy', policy } } },
    {
      Put: {
        TableName: table(),
        Item: {
          pk,
          sk: runSk(policy.version),
          kind: 'run',
          policyVersion: policy.version,
          startedAt: at,
          slicesQueued: ENTERPRISE_SHARDS,
          slicesDone: 0,
          profiles: 0,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    { Put: auditPut(audit) },
    // The publication's receipt, with it (the version condition above makes it happen once).
    ...(receipt ? [receiptPut(receipt, 'replace')] : []),
  ];
  if (policy.budget !== undefined) {
    // A new version's budget moves what remains by the difference, so what was already reserved stays spent.
    const delta = policy.budget - (previous?.budget ?? 0);
    items.push({
      Update: {
        TableName: table(),
        Key: { pk, sk: 'BUDGET' },
        UpdateExpression: 'ADD remaining :d SET #total = :t, kind = :k',
        ExpressionAttributeNames: { '#total': 'total' },
        ExpressionAttributeValues: { ':d': delta, ':t': policy.budget, ':k': 'budget' },
      },
    });
  }
  const out = await transact(items);
  return out.ok;
}

/** Withdraws: the current version's status, the active index, and the guard on every figure shard. */
export async function saveWithdraw(policy: Policy, audit: AuditEntry, receipt?: Receipt): Promise<boolean> {
  const pk = policyPk(policy.policyId);
  const out = await transact([
    {
      Put: {
        TableName: table(),
        Item: { pk, sk: 'CURRENT', kind: 'policy', version: policy.version, status: 'withdrawn', policy },
        ConditionExpression: '#version = :v AND #status = :active',
        ExpressionAttributeNames: { '#version': 'version', '#status': 'status' },
        ExpressionAttributeValues: { ':v': policy.version, ':active': 'active' },
      },
    },
    { Delete: { TableName: table(), Key: { pk: ACTIVE_PK, sk: `ACTIVE#${policy.policyId}` } } },
    { Put: auditPut(audit) },
    ...(receipt ? [receiptPut(receipt, 'replace')] : []),
  ]);
  if (!out.ok) return false;
  await guardWithdrawn(policy.policyId, policy.withdrawnAt ?? audit.at);
  return true;
}

/** Idempotent: a redelivered withdrawal re-applies it, so a crash between the two steps loses nothing. */
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
  // The index entry may have been re-created by nothing else, but a crash could have left it: remove it.
  await ddb.send(new DeleteCommand({ TableName: table(), Key: { pk: ACTIVE_PK, sk: `ACTIVE#${policyId}` } }));
}

export async function getBudget(policyId: string): Promise<number | undefined> {
  const out = await ddb.send(
    new GetCommand({ TableName: table(), Key: { pk: policyPk(policyId), sk: 'BUDGET' }, ConsistentRead: true }),
  );
  return out.Item?.remaining as number | undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Matching runs

export interface RunProgress {
  readonly policyVersion: number;
  readonly startedAt: Instant;
  readonly slicesQueued: number;
  readonly slicesDone: number;
  readonly profiles: number;
  readonly completedAt?: Instant;
  readonly lastSliceAt?: Instant;
}

export async function getRun(policyId: string, version: number): Promise<RunProgress | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: { pk: policyPk(policyId), sk: runSk(version) } }));
  if (!out.Item) return undefined;
  const { policyVersion, startedAt, slicesQueued, slicesDone, profiles, completedAt, lastSliceAt } = out.Item;
  return { policyVersion, startedAt, slicesQueued, slicesDone, profiles, completedAt, lastSliceAt } as RunProgress;
}

const sliceSk = (version: number, shard: number, cursor: string | undefined) =>
  `SLICE#${pad(version, 6)}#${pad(shard, 2)}#${cursor ?? ''}`;

export async function isSliceDone(policyId: string, version: number, shard: number, cursor?: string): Promise<boolean> {
  const out = await ddb.send(
    new GetCommand({ TableName: table(), Key: { pk: policyPk(policyId), sk: sliceSk(version, shard, cursor) } }),
  );
  return out.Item !== undefined;
}

/**
 * Records a finished slice once, with its continuation counted as queued in the same write, so
 * `slicesDone === slicesQueued` means the run is over. Returns whether this call completed the run.
 */
export async function finishSlice(
  policyId: string,
  version: number,
  shard: number,
  cursor: string | undefined,
  result: { profiles: number; continued: boolean; at: Instant },
): Promise<{ recorded: boolean; completed: boolean }> {
  const pk = policyPk(policyId);
  const out = await transact([
    {
      Put: {
        TableName: table(),
        Item: { pk, sk: sliceSk(version, shard, cursor), kind: 'slice', profiles: result.profiles, at: result.at },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Update: {
        TableName: table(),
        Key: { pk, sk: runSk(version) },
        UpdateExpression: 'ADD slicesDone :one, slicesQueued :q, profiles :p SET lastSliceAt = :at',
        ExpressionAttributeValues: { ':one': 1, ':q': result.continued ? 1 : 0, ':p': result.profiles, ':at': result.at },
      },
    },
  ]);
  if (!out.ok) return { recorded: false, completed: false };
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk, sk: runSk(version) },
        UpdateExpression: 'SET completedAt = :at',
        ConditionExpression: 'attribute_not_exists(completedAt) AND slicesDone = slicesQueued',
        ExpressionAttributeValues: { ':at': result.at },
      }),
    );
    return { recorded: true, completed: true };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return { recorded: true, completed: false };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Entitlements

const entSk = (creditCode: string) => `ENT#${creditCode}`;
const outboxSk = (creditCode: string) => `OUTBOX#${creditCode}`;

export async function getEntitlement(policyId: string, creditCode: string): Promise<Entitlement | undefined> {
  const out = await ddb.send(
    new GetCommand({ TableName: table(), Key: { pk: policyPk(policyId), sk: entSk(creditCode) }, ConsistentRead: true }),
  );
  return out.Item?.entitlement as Entitlement | undefined;
}

export async function batchGetEntitlements(policyId: string, codes: readonly string[]): Promise<Map<string, Entitlement>> {
  const items = await batchGetAll(table(), [...new Set(codes)].map((c) => ({ pk: policyPk(policyId), sk: entSk(c) })), { consistent: true });
  return new Map(items.map((i) => [(i.sk as string).slice(4), i.entitlement as Entitlement]));
}

/** The entitlements of one enterprise, across policies (the calculator). */
export async function entitlementsOfEnterprise(creditCode: string): Promise<Entitlement[]> {
  const items = await queryAll({
    TableName: table(),
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :e',
    ExpressionAttributeValues: { ':e': entSk(creditCode) },
  });
  return items.map((item) => item.entitlement as Entitlement);
}

export type ApplyOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly entitlementMoved: boolean; readonly budgetShort: boolean; readonly withdrawn: boolean };

/**
 * Applies consecutive transitions of one pair (each planned from the previous one's `next`) as ONE
 * conditional write: the condition of the first, the record of the last, the sum of their counters.
 */
export async function applyTransitions(chain: readonly Transition[], actor: string, receipt?: Receipt): Promise<ApplyOutcome> {
  const first = chain[0]!;
  const last = chain[chain.length - 1]!;
  const pk = policyPk(first.policyId);
  const items: TransactItem[] = [];
  const next = last.next;
  items.push({
    Put: {
      TableName: table(),
      Item: {
        pk,
        sk: entSk(first.creditCode),
        kind: 'entitlement',
        gsi1pk: entSk(first.creditCode),
        gsi1sk: pk,
        state: next.state,
        revision: next.revision,
        reached: next.reached,
        policyVersion: next.policyVersion,
        updatedAt: next.updatedAt,
        entitlement: next,
      },
      ...(first.from === null
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#state = :from AND #revision = :rev',
            ExpressionAttributeNames: { '#state': 'state', '#revision': 'revision' },
            ExpressionAttributeValues: { ':from': first.from, ':rev': first.fromRevision },
          }),
    },
  });

  // Counters: the sum over the chain, with the push time.
  const counts: Record<string, number> = {};
  let reserved = 0;
  let disbursed = 0;
  let pushedAt: Instant | undefined;
  let notification: NotificationIntent | undefined;
  for (const t of chain) {
    const d = counterDeltas(t);
    for (const [k, v] of Object.entries(d.counts)) counts[k] = (counts[k] ?? 0) + (v ?? 0);
    reserved += d.amountReserved;
    disbursed += d.amountDisbursed;
    if (d.pushedAt !== undefined) pushedAt = d.pushedAt;
    if (t.notification !== undefined) notification = t.notification;
  }
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':k': 'figures' };
  const adds: string[] = [];
  for (const c of COUNTERS) {
    const v = counts[c];
    if (v === undefined || v === 0) continue;
    names[`#${c}`] = c;
    values[`:${c}`] = v;
    adds.push(`#${c} :${c}`);
  }
  if (reserved !== 0) {
    adds.push('amountReserved :ar');
    values[':ar'] = reserved;
  }
  if (disbursed !== 0) {
    adds.push('amountDisbursed :ad');
    values[':ad'] = disbursed;
  }
  const sets = ['kind = :k'];
  if (pushedAt !== undefined) {
    // Last commit wins: concurrent pushes commit within milliseconds of their own clocks' readings.
    sets.push('lastPushAt = :push', 'firstPushAt = if_not_exists(firstPushAt, :push)');
    values[':push'] = pushedAt;
  }
  const figuresIndex = items.length;
  items.push({
    Update: {
      TableName: table(),
      Key: { pk, sk: figuresSk(figureShardOf(first.creditCode)) },
      UpdateExpression: `${adds.length > 0 ? `ADD ${adds.join(', ')} ` : ''}SET ${sets.join(', ')}`,
      ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
      ...(notification !== undefined ? { ConditionExpression: 'attribute_not_exists(withdrawn)' } : {}),
    },
  });

  let budgetIndex = -1;
  if (reserved > 0) {
    budgetIndex = items.length;
    items.push({
      Update: {
        TableName: table(),
        Key: { pk, sk: 'BUDGET' },
        UpdateExpression: 'ADD remaining :neg',
        ConditionExpression: 'remaining >= :amount',
        ExpressionAttributeValues: { ':neg': -reserved, ':amount': reserved },
      },
    });
  }
  if (notification !== undefined) {
    items.push({
      Put: {
        TableName: table(),
        Item: {
          pk,
          sk: outboxSk(first.creditCode),
          kind: 'outbox',
          status: 'PENDING',
          attempts: 0,
          createdAt: notification.at,
          notification,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
  }
  const steps = chain.flatMap((t) => t.steps);
  items.push({
    Put: auditPut({
      subject: `entitlement:${first.policyId}/${first.creditCode}`,
      action: steps.length > 0 ? `state:${first.from ?? 'NONE'}->${next.state}` : 'refreshed',
      actor,
      at: last.at,
      why: steps.map((s) => s.reason).join(',') || last.reason,
      causeId: `r${next.revision}`,
      details: { policyVersion: next.policyVersion, ...(next.explanation ? { explanation: next.explanation } : {}) },
    }),
  });
  // An external event's receipt (a confirmation, a disbursement), guarded by the entitlement's revision.
  if (receipt) items.push(receiptPut(receipt, 'replace'));

  const out = await transact(items);
  if (out.ok) return out;
  return {
    ok: false,
    entitlementMoved: out.failed.includes(0),
    budgetShort: out.failed.includes(budgetIndex),
    withdrawn: out.failed.includes(figuresIndex),
  };
}

export interface SettleResult {
  /** The transitions committed by this call (empty: nothing changed). */
  readonly committed: readonly Transition[];
  readonly entitlement: Entitlement | undefined;
  /** A notification to send now: just committed, or still pending from an earlier attempt. */
  readonly notify?: { policyId: string; creditCode: string };
}

const MAX_SETTLE_ATTEMPTS = 8;

/**
 * The whole matching step for one (policy, enterprise): onMatched, then the push (planNotification) or the
 * completion of a grant (planGrant), committed together; re-read and re-planned when a condition failed.
 * `known` is the entitlement as read in bulk by the caller (undefined = read it here).
 */
export async function settlePair(
  policy: Policy,
  match: MatchResult,
  now: Instant,
  actor: string,
  known?: { entitlement: Entitlement | undefined },
): Promise<SettleResult> {
  let current = policy;
  let existing = known ? known.entitlement : await getEntitlement(policy.policyId, match.creditCode);
  let budget: number | undefined;
  const needsBudget = reservationAmount(policy) > 0 && policy.kind === 'grant';
  for (let attempt = 1; attempt <= MAX_SETTLE_ATTEMPTS; attempt++) {
    const chain: Transition[] = [];
    let cur = existing;
    const take = (plan: Plan) => {
      if (plan.kind === 'transition') {
        chain.push(plan.transition);
        cur = plan.transition.next;
      }
    };
    take(onMatched(existing, current, match, now));
    if (cur !== undefined && cur.state === 'ELIGIBLE') {
      if (needsBudget && budget === undefined) budget = (await getBudget(policy.policyId)) ?? 0;
      take(planNotification(cur, current, now, budget));
    } else if (cur !== undefined && cur.state === 'NOTIFIED' && current.kind === 'grant') {
      if (needsBudget && budget === undefined) budget = (await getBudget(policy.policyId)) ?? 0;
      take(planGrant(cur, current, now, budget));
    }
    if (chain.length === 0) {
      const pending = cur !== undefined && (cur as Entitlement).reached.includes('NOTIFIED')
        ? await pendingNotification(policy.policyId, match.creditCode)
        : false;
      return { committed: [], entitlement: cur, ...(pending ? { notify: { policyId: policy.policyId, creditCode: match.creditCode } } : {}) };
    }
    const out = await applyTransitions(chain, actor);
    if (out.ok) {
      const notified = chain.some((t) => t.notification !== undefined);
      return {
        committed: chain,
        entitlement: cur,
        ...(notified ? { notify: { policyId: policy.policyId, creditCode: match.creditCode } } : {}),
      };
    }
    if (out.withdrawn) current = { ...current, status: 'withdrawn' };
    if (out.budgetShort || needsBudget) budget = undefined;
    existing = await getEntitlement(policy.policyId, match.creditCode);
  }
  throw new Error(`entitlement ${policy.policyId}/${match.creditCode} kept changing under ${MAX_SETTLE_ATTEMPTS} attempts`);
}

/**
 * Re-matches one enterprise against one policy with the full trace and settles the pair (profile updates and
 * publish slices share this).
 */
export async function rematchPair(
  policy: Policy,
  profile: EnterpriseProfile,
  credit: CreditRecord | undefined,
  now: Instant,
  actor: string,
  known?: { entitlement: Entitlement | undefined },
): Promise<SettleResult> {
  const match = matchEnterprise(policy, compilePolicy(policy), profile, credit, now);
  return settlePair(policy, match, now, actor, known);
}

/**
 * Applies a planned external transition (confirmation, disbursement) alone; false when the pair or the budget
 * moved meanwhile (re-plan).
 */
export async function applyOne(t: Transition, actor: string, receipt?: Receipt): Promise<ApplyOutcome> {
  return applyTransitions([t], actor, receipt);
}

export async function recordRefusal(
  policyId: string,
  eventId: string,
  refusal: { type: string; creditCode?: string; reason: string; message: string; at: Instant },
): Promise<void> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: table(),
        Item: { pk: policyPk(policyId), sk: `REFUSAL#${eventId}`, kind: 'refusal', ...refusal },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Notification outbox

export type DeliveryStatus = 'PENDING' | 'SENDING' | 'DELIVERED' | 'FAILED';

export interface OutboxRecord {
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly notification: NotificationIntent;
  readonly createdAt: Instant;
  readonly claimedAt?: Instant;
  readonly deliveredAt?: Instant;
  readonly lastError?: string;
}

export async function getOutbox(policyId: string, creditCode: string): Promise<OutboxRecord | undefined> {
  const out = await ddb.send(
    new GetCommand({ TableName: table(), Key: { pk: policyPk(policyId), sk: outboxSk(creditCode) }, ConsistentRead: true }),
  );
  return out.Item as OutboxRecord | undefined;
}

export async function batchGetOutbox(policyId: string, codes: readonly string[]): Promise<Map<string, OutboxRecord>> {
  const items = await batchGetAll(table(), codes.map((c) => ({ pk: policyPk(policyId), sk: outboxSk(c) })), { consistent: true });
  return new Map(items.map((i) => [(i.sk as string).slice('OUTBOX#'.length), i as unknown as OutboxRecord]));
}

async function pendingNotification(policyId: string, creditCode: string): Promise<boolean> {
  const o = await getOutbox(policyId, creditCode);
  return o !== undefined && (o.status === 'PENDING' || o.status === 'FAILED');
}

export type Claim =
  | { readonly kind: 'claimed'; readonly record: OutboxRecord }
  | { readonly kind: 'delivered' }
  | { readonly kind: 'busy' }
  | { readonly kind: 'missing' };

/**
 * Claims the pair's notification for one delivery attempt (PENDING | FAILED | a SENDING claim older than
 * `staleBefore` → SENDING), so two copies of a message never deliver at the same time.
 */
export async function claimOutbox(policyId: string, creditCode: string, at: Instant, staleBefore: Instant): Promise<Claim> {
  try {
    const out = await ddb.send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: policyPk(policyId), sk: outboxSk(creditCode) },
        UpdateExpression: 'SET #status = :sending, claimedAt = :at ADD attempts :one',
        ConditionExpression:
          'attribute_exists(pk) AND (#status IN (:pending, :failed) OR (#status = :sending AND claimedAt < :stale))',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':sending': 'SENDING',
          ':pending': 'PENDING',
          ':failed': 'FAILED',
          ':at': at,
          ':stale': staleBefore,
          ':one': 1,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { kind: 'claimed', record: out.Attributes as OutboxRecord };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const current = await getOutbox(policyId, creditCode);
    if (current === undefined) return { kind: 'missing' };
    return current.status === 'DELIVERED' ? { kind: 'delivered' } : { kind: 'busy' };
  }
}

/** SENDING → DELIVERED, and the pair's figure shard counts one delivery (once: the condition). */
export async function markDelivered(policyId: string, creditCode: string, at: Instant): Promise<boolean> {
  const pk = policyPk(policyId);
  const out = await transact([
    {
      Update: {
        TableName: table(),
        Key: { pk, sk: outboxSk(creditCode) },
        UpdateExpression: 'SET #status = :delivered, deliveredAt = :at REMOVE lastError',
        ConditionExpression: '#status = :sending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':delivered': 'DELIVERED', ':sending': 'SENDING', ':at': at },
      },
    },
    {
      Update: {
        TableName: table(),
        Key: { pk, sk: figuresSk(figureShardOf(creditCode)) },
        UpdateExpression: 'ADD delivered :one SET kind = :k',
        ExpressionAttributeValues: { ':one': 1, ':k': 'figures' },
      },
    },
  ]);
  return out.ok;
}

/** SENDING → PENDING (will be retried) or FAILED (the message goes to the DLQ), with the error. */
export async function markDeliveryFailed(
  policyId: string,
  creditCode: string,
  error: string,
  final: boolean,
  at: Instant,
): Promise<void> {
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: policyPk(policyId), sk: outboxSk(creditCode) },
        UpdateExpression: 'SET #status = :s, lastError = :e, lastErrorAt = :at',
        ConditionExpression: '#status = :sending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':s': final ? 'FAILED' : 'PENDING', ':e': error.slice(0, 500), ':sending': 'SENDING', ':at': at },
      }),
    );
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Figures and listings (query side)

export interface StoredFigures {
  readonly counters: CounterValues;
  readonly amountReserved: number;
  readonly amountDisbursed: number;
  readonly delivered: number;
  readonly firstPushAt?: Instant;
  readonly lastPushAt?: Instant;
  readonly withdrawnAt?: Instant;
}

export async function readFigures(policyId: string): Promise<StoredFigures> {
  const page = await ddb.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :f)',
      ExpressionAttributeValues: { ':pk': policyPk(policyId), ':f': 'FIGURES#' },
      ConsistentRead: true,
    }),
  );
  const counters = emptyCounters();
  let amountReserved = 0;
  let amountDisbursed = 0;
  let delivered = 0;
  let firstPushAt: string | undefined;
  let lastPushAt: string | undefined;
  let withdrawnAt: string | undefined;
  for (const item of page.Items ?? []) {
    for (const c of COUNTERS) counters[c] += Number(item[c] ?? 0);
    amountReserved += Number(item.amountReserved ?? 0);
    amountDisbursed += Number(item.amountDisbursed ?? 0);
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
    delivered,
    ...(firstPushAt ? { firstPushAt } : {}),
    ...(lastPushAt ? { lastPushAt } : {}),
    ...(withdrawnAt ? { withdrawnAt } : {}),
  };
}

export interface EntitlementPage {
  readonly items: Entitlement[];
  /** Opaque: pass back as `cursor` for the next page. */
  readonly cursor?: string;
}

/**
 * A policy's entitlements in credit-code order, filtered by current `state` or by a state ever `reached`
 * (who was pushed: reached=NOTIFIED). The cursor is the last credit code returned.
 */
export async function listEntitlements(
  policyId: string,
  filter: { state?: EntitlementState; reached?: EntitlementState },
  limit: number,
  cursor?: string,
): Promise<EntitlementPage> {
  const items: Entitlement[] = [];
  let start: Record<string, unknown> | undefined = cursor ? { pk: policyPk(policyId), sk: entSk(cursor) } : undefined;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':pk': policyPk(policyId), ':e': 'ENT#' };
  let filterExpression: string | undefined;
  if (filter.state) {
    names['#state'] = 'state';
    values[':s'] = filter.state;
    filterExpression = '#state = :s';
  }
  if (filter.reached) {
    values[':r'] = filter.reached;
    filterExpression = [filterExpression, 'contains(reached, :r)'].filter(Boolean).join(' AND ');
  }
  for (;;) {
    const page = await ddb.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
        ExpressionAttributeValues: values,
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ...(filterExpression ? { FilterExpression: filterExpression } : {}),
        Limit: Math.max(limit, 100),
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      items.push(item.entitlement as Entitlement);
      if (items.length === limit) {
        const more = page.LastEvaluatedKey !== undefined || item !== page.Items![page.Items!.length - 1];
        return more ? { items, cursor: (item.entitlement as Entitlement).creditCode } : { items };
      }
    }
    start = page.LastEvaluatedKey;
    if (!start) return { items };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Messages between the policy, match and notify functions: internal events of the contract
// (shared/contract/internal.ts), with deterministic ids for tracing and dedupe.

/** One slice of a matching run, as the match worker receives it. */
export type SliceData = InternalDataOf<'civicflow.policy.match-slice'>;

/** Sends the notifications of committed pushes (after the commit: the outbox pattern) and counts them. */
export async function afterSettle(results: readonly SettleResult[], now: string): Promise<void> {
  const notify = results.flatMap((r) => (r.notify ? [entitlementNotifyEvent(r.notify.policyId, r.notify.creditCode, now)] : []));
  if (notify.length > 0) await sendInternal(notify);
  const reached = results.flatMap((r) => r.committed.flatMap((t) => t.newlyReached));
  const notified = reached.filter((s) => s === 'NOTIFIED').length;
  const granted = reached.filter((s) => s === 'GRANTED').length;
  if (notified > 0) metrics.addMetric('EntitlementsNotified', MetricUnit.Count, notified);
  if (granted > 0) metrics.addMetric('EntitlementsGranted', MetricUnit.Count, granted);
}

