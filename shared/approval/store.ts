/**
 * The 秒批 storage adapter: applications and their decisions in the `approvals` table. Everything about
 * one application lives in one partition, so one Query reads the whole case.
 *
 *   APP#<applicationId>  APPLICATION                  the submitted application, its content hash and the event
 *                                                      that brought it (created once: the exactly-once gate)
 *   APP#<applicationId>  DECISION                     the current state, small: `sequence` (the optimistic lock),
 *                                                      outcome and the figures' fields (`body`, a CurrentDecision);
 *                                                      while a deadline is open it carries the byDue keys:
 *                                                        duePk = DUE#SUPPLEMENT   | DUE#VERIFICATION
 *                                                        dueAt = the ISO instant the period ends
 *                                                      they go away with the version that leaves that state
 *   APP#<applicationId>  V#<000001>                   every decision version, append-only and never updated: the
 *                                                      full decision with its trace (the one copy), and its cause
 *   APP#<applicationId>  OUTBOX#<V#000001 | FLAG#…>   what that version (or flag) must send (see below)
 *   APP#<applicationId>  FLAG#VERIFICATION_OVERDUE    the one overdue flag of an approval on commitment
 *   APP#<applicationId>  CONFLICT#<source>#<eventId>  the same applicationId submitted with other content
 *   APP#<applicationId>  REFUSAL#<source>#<eventId>   a later event refused (not pending, already verified,
 *                                                      unknown application…), with its reason
 *
 * Outbox. A version (or flag) is written in one transaction together with its outbox item — the outbound
 * event and the domain effects (review case, credit mark) — which carries the sparse byDue keys
 * duePk = OUTBOX, dueAt = when it was written. The handler sends right after the write and then removes
 * those keys. A crash in between leaves the entry in the index: the redelivered event, or else the
 * deadlines schedule, sends it again (with the same deterministic ids, so receivers de-duplicate).
 *
 * Cost. Write units are billed per KB of item, twice inside a transaction, and an update on the size of
 * the whole item. So the multi-KB trace is written once (V#, gzip-compressed when large), the items a
 * later write touches (DECISION, OUTBOX#…) stay small, and audit lines point at the version.
 *
 * Bodies (application, decision, outbox) are stored as JSON strings: traces nest deeper and vary more
 * than DynamoDB maps like, and nothing queries inside them.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ddb } from '#platform/aws';
import { queryAll } from '#platform/paging';
import { tableName } from '#platform/resources';
import { auditPut, type AuditEntry } from '#platform/audit';
import { batchWriteAll } from '#platform/batch-write';
import { cancellationCodes, type TransactItem } from '#platform/transactions';
import { applied, isInbound, receiptPut, withKind, type Receipt } from '#platform/receipts';
import type { OutboundEvent } from '#contract/outbound';
import { openDeadline, type DueKind, type VersionCause } from './messages';
import type { Application, Decision, Effect, Refusal } from './types';

const table = () => tableName('approvals');

export const pkOf = (applicationId: string) => `APP#${applicationId}`;
export const versionSk = (sequence: number) => `V#${String(sequence).padStart(6, '0')}`;
export const FLAG_OVERDUE_SK = 'FLAG#VERIFICATION_OVERDUE';
const OUTBOX = 'OUTBOX';
const OUTBOX_PREFIX = 'OUTBOX#';
export const outboxSk = (sk: string) => `${OUTBOX_PREFIX}${sk}`;
const duePkOf = (kind: DueKind) => `DUE#${kind}`;

/** The event (or schedule run) that caused a write; `(source, id)` makes a redelivery recognisable. */
export interface Cause {
  readonly source: string;
  readonly id: string;
  readonly type: string;
}
export const causeKey = (c: Pick<Cause, 'source' | 'id'>) => `${c.source}#${c.id}`;

/** What a version must send once it is stored. */
export interface Outbox {
  readonly outbound: readonly OutboundEvent[];
  readonly effects: readonly Effect[];
}

export interface StoredVersion {
  readonly sk: string;
  readonly decision: Decision;
  readonly cause: Cause;
  readonly causeKind: VersionCause;
  readonly outbox: Outbox;
  /** Still to be sent (the outbox keys are present). */
  readonly pending: boolean;
}

export interface StoredConflict {
  readonly cause: Cause;
  readonly receivedAt: string;
  readonly applicationHash: string;
  readonly storedHash: string;
  readonly application: Application;
}

export type StoredRefusalCode = Refusal['code'] | 'APPLICATION_UNKNOWN';

export interface StoredRefusal {
  readonly cause: Cause;
  readonly at: string;
  readonly code: StoredRefusalCode;
  readonly message: string;
}

export interface StoredFlag {
  readonly sk: string;
  readonly flaggedAt: string;
  readonly sequence: number;
  readonly outbox: Outbox;
  readonly pending: boolean;
}

/**
 * What the DECISION item keeps of the current version: what the byDue index, the figures and the monthly
 * report read from a Scan. The full decision (trace, reasons, licences) is in V#<sequence>.
 */
export type CurrentDecision = Pick<
  Decision,
  | 'applicationId'
  | 'itemCode'
  | 'itemVersion'
  | 'itemMode'
  | 'departmentCode'
  | 'outcome'
  | 'materialsWaived'
  | 'latencyMs'
  | 'timeLimitCompression'
  | 'submittedAt'
  | 'decidedAt'
  | 'updatedAt'
  | 'sequence'
> &
  Partial<Pick<Decision, 'supplementDue' | 'verificationDue'>>;

export function currentOf(d: Decision): CurrentDecision {
  return {
    applicationId: d.applicationId,
    itemCode: d.itemCode,
    itemVersion: d.itemVersion,
    itemMode: d.itemMode,
    departmentCode: d.departmentCode,
    outcome: d.outcome,
    materialsWaived: d.materialsWaived,
    latencyMs: d.latencyMs,
    timeLimitCompression: d.timeLimitCompression,
    submittedAt: d.submittedAt,
    decidedAt: d.decidedAt,
    updatedAt: d.updatedAt,
    sequence: d.sequence,
    ...(d.supplementDue === undefined ? {} : { supplementDue: d.supplementDue }),
    ...(d.verificationDue === undefined ? {} : { verificationDue: d.verificationDue }),
  };
}

/** Bodies above this many bytes are stored gzip-compressed (binary `bodyGz`): a trace shrinks 3–5×. */
const COMPRESS_ABOVE = 1024;

export function encodeBody(value: unknown): { body: string } | { bodyGz: Uint8Array } {
  const json = JSON.stringify(value);
  return Buffer.byteLength(json) > COMPRESS_ABOVE ? { bodyGz: gzipSync(json) } : { body: json };
}

export function decodeBody<T>(item: Record<string, unknown>): T {
  const gz = item.bodyGz as Uint8Array | undefined;
  return JSON.parse(gz === undefined ? (item.body as string) : gunzipSync(gz).toString('utf8')) as T;
}

export interface StoredCase {
  readonly application?: {
    readonly application: Application;
    readonly applicationHash: string;
    readonly cause: Cause;
    readonly receivedAt: string;
  };
  readonly decision?: Decision;
  /** Every version, oldest first. */
  readonly versions: readonly StoredVersion[];
  readonly conflicts: readonly StoredConflict[];
  readonly refusals: readonly StoredRefusal[];
  readonly overdueFlag?: StoredFlag;
}

const NOTHING_TO_SEND: Outbox = { outbound: [], effects: [] };

/** The whole case in one strongly consistent Query (a handful of items). */
export async function loadCase(applicationId: string): Promise<StoredCase> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': pkOf(applicationId) },
    ConsistentRead: true,
  });

  let application: StoredCase['application'];
  let currentSequence: number | undefined;
  let overdueFlag: StoredFlag | undefined;
  const versions: StoredVersion[] = [];
  const outboxes = new Map<string, { outbox: Outbox; pending: boolean }>();
  const conflicts: StoredConflict[] = [];
  const refusals: StoredRefusal[] = [];
  for (const item of items) {
    const sk = item.sk as string;
    if (sk === 'APPLICATION') {
      application = {
        application: JSON.parse(item.body as string) as Application,
        applicationHash: item.applicationHash as string,
        cause: item.cause as Cause,
        receivedAt: item.receivedAt as string,
      };
    } else if (sk === 'DECISION') {
      currentSequence = item.sequence as number;
    } else if (sk.startsWith(OUTBOX_PREFIX)) {
      outboxes.set(sk.slice(OUTBOX_PREFIX.length), { outbox: JSON.parse(item.outbox as string) as Outbox, pending: item.duePk === OUTBOX });
    } else if (sk.startsWith('V#')) {
      versions.push({
        sk,
        decision: decodeBody<Decision>(item),
        cause: item.cause as Cause,
        causeKind: item.causeKind as VersionCause,
        outbox: NOTHING_TO_SEND,
        pending: false,
      });
    } else if (sk === FLAG_OVERDUE_SK) {
      overdueFlag = {
        sk,
        flaggedAt: item.flaggedAt as string,
        sequence: item.sequence as number,
        outbox: NOTHING_TO_SEND,
        pending: false,
      };
    } else if (sk.startsWith('CONFLICT#')) {
      conflicts.push({
        cause: item.cause as Cause,
        receivedAt: item.receivedAt as string,
        applicationHash: item.applicationHash as string,
        storedHash: item.storedHash as string,
        application: JSON.parse(item.body as string) as Application,
      });
    } else if (sk.startsWith('REFUSAL#')) {
      refusals.push({
        cause: item.cause as Cause,
        at: item.at as string,
        code: item.code as StoredRefusalCode,
        message: item.message as string,
      });
    }
  }
  const withOutbox = <T extends { sk: string }>(entry: T): T => ({ ...entry, ...outboxes.get(entry.sk) });
  // Sort keys are zero-padded, so the Query's order is the versions' order; receivedAt orders the rest.
  const ordered = versions.map(withOutbox);
  // DECISION and its V# are written in one transaction, but a Query is not isolated across items: should
  // it see the new DECISION before its version, the latest version seen stands (a write based on it
  // fails its sequence condition and reloads).
  const decision =
    currentSequence === undefined
      ? undefined
      : (ordered.find((v) => v.decision.sequence === currentSequence) ?? ordered[ordered.length - 1])?.decision;
  conflicts.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  refusals.sort((a, b) => a.at.localeCompare(b.at));
  return {
    ...(application ? { application } : {}),
    ...(decision ? { decision } : {}),
    versions: ordered,
    conflicts,
    refusals,
    ...(overdueFlag ? { overdueFlag: withOutbox(overdueFlag) } : {}),
  };
}

/** Shards of the byItem index: the current decisions spread over partitions (no hot key at scale). */
const DECISION_SHARDS = 16;

/** The byItem index keys of a DECISION item: a shard from the application id, then item code and id. */
export function decisionIndexKeys(applicationId: string, itemCode: string): { itemShard: string; itemKey: string } {
  let h = 0;
  for (let i = 0; i < applicationId.length; i++) h = (h * 31 + applicationId.charCodeAt(i)) >>> 0;
  return { itemShard: `DECISION#${h % DECISION_SHARDS}`, itemKey: `${itemCode}#${applicationId}` };
}

function decisionItem(decision: Decision) {
  const due = openDeadline(decision);
  return {
    pk: pkOf(decision.applicationId),
    sk: 'DECISION',
    kind: 'decision',
    sequence: decision.sequence,
    outcome: decision.outcome,
    itemCode: decision.itemCode,
    updatedAt: decision.updatedAt,
    // Read as JSON by the figures route and the monthly report (shared/report/store.ts): never compressed.
    body: JSON.stringify(currentOf(decision)),
    ...decisionIndexKeys(decision.applicationId, decision.itemCode),
    ...(due ? { duePk: duePkOf(due.kind), dueAt: due.dueAt } : {}),
  };
}

function versionItem(decision: Decision, cause: Cause, causeKind: VersionCause) {
  return {
    pk: pkOf(decision.applicationId),
    sk: versionSk(decision.sequence),
    kind: 'version',
    sequence: decision.sequence,
    outcome: decision.outcome,
    cause,
    causeKey: causeKey(cause),
    causeKind,
    ...encodeBody(decision),
  };
}

function outboxPut(applicationId: string, sk: string, outbox: Outbox, at: string) {
  return {
    Put: {
      TableName: table(),
      Item: { pk: pkOf(applicationId), sk: outboxSk(sk), kind: 'outbox', outbox: JSON.stringify(outbox), duePk: OUTBOX, dueAt: at },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Which item of a cancelled transaction failed its condition (undefined: not a condition failure). */
function failedConditions(error: unknown): boolean[] | undefined {
  const codes = cancellationCodes(error);
  if (!codes?.includes('ConditionalCheckFailed')) return undefined;
  return codes.map((code) => code === 'ConditionalCheckFailed');
}

export interface FirstDecision {
  readonly application: Application;
  readonly decision: Decision;
  readonly cause: Cause;
  readonly receivedAt: string;
  readonly outbox: Outbox;
  readonly audit: AuditEntry;
}

/** The items of a first decision's transaction; the APPLICATION put comes first (see storeFirstDecision). */
export function firstDecisionItems(args: FirstDecision): TransactItem[] {
  const { application, decision, cause } = args;
  return [
    {
      Put: {
        TableName: table(),
        Item: {
          pk: pkOf(application.applicationId),
          sk: 'APPLICATION',
          kind: 'application',
          applicationHash: decision.applicationHash,
          cause,
          receivedAt: args.receivedAt,
          body: JSON.stringify(application),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    { Put: { TableName: table(), Item: decisionItem(decision), ConditionExpression: 'attribute_not_exists(pk)' } },
    {
      Put: {
        TableName: table(),
        Item: versionItem(decision, cause, 'submitted'),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    outboxPut(decision.applicationId, versionSk(decision.sequence), args.outbox, decision.updatedAt),
    { Put: auditPut(args.audit) },
    ...receiptItems(versionReceipt(decision, cause)),
  ];
}

/** The route that shows an application's decision, for receipts. */
export const applicationHref = (applicationId: string) => `/applications/${encodeURIComponent(applicationId)}`;

/** An inbound event's receipt for the decision version it made (schedule runs have none). */
export function versionReceipt(decision: Decision, cause: Cause): Receipt | undefined {
  if (!isInbound(cause)) return undefined;
  return applied(cause, decision.updatedAt, {
    resource: 'application',
    id: decision.applicationId,
    version: decision.sequence,
    state: decision.outcome,
    href: applicationHref(decision.applicationId),
  });
}

/** In the version's own transaction, whose create-only items already make it happen once: no condition of its own. */
function receiptItems(receipt: Receipt | undefined): TransactItem[] {
  return receipt ? [receiptPut(receipt, 'replace')] : [];
}

/**
 * The first decision of an application, exactly once: the application (created only if absent), the
 * current decision, version 1 with its outbox and the audit line, in one transaction. `exists` when the
 * application was already there (a redelivery, a resubmission or a conflict: the caller tells which).
 */
export async function storeFirstDecision(args: FirstDecision): Promise<'stored' | 'exists'> {
  try {
    await ddb.send(new TransactWriteCommand({ TransactItems: firstDecisionItems(args) }));
    return 'stored';
  } catch (error) {
    const failed = failedConditions(error);
    if (failed?.[0] === true) return 'exists';
    throw error;
  }
}

/** One transaction; 'raced' when one of its conditions failed (another writer got there first). */
async function transactUnlessRaced(items: TransactItem[]): Promise<'stored' | 'raced'> {
  try {
    await ddb.send(new TransactWriteCommand({ TransactItems: items }));
    return 'stored';
  } catch (error) {
    if (failedConditions(error) !== undefined) return 'raced';
    throw error;
  }
}

/**
 * A later version (supplement, deadline, verification), conditional on the current version being the
 * one it was computed from: a redelivery or a concurrent event finds `raced` and must reload.
 */
export async function storeTransition(args: {
  readonly previous: Decision;
  readonly decision: Decision;
  readonly cause: Cause;
  readonly causeKind: VersionCause;
  readonly outbox: Outbox;
  readonly audit: AuditEntry;
}): Promise<'stored' | 'raced'> {
  const { previous, decision } = args;
  if (decision.sequence !== previous.sequence + 1) {
    throw new Error(`version ${decision.sequence} of ${decision.applicationId} does not follow ${previous.sequence}`);
  }
  return transactUnlessRaced([
    {
      Put: {
        TableName: table(),
        Item: decisionItem(decision),
        ConditionExpression: '#seq = :previous',
        ExpressionAttributeNames: { '#seq': 'sequence' },
        ExpressionAttributeValues: { ':previous': previous.sequence },
      },
    },
    {
      Put: {
        TableName: table(),
        Item: versionItem(decision, args.cause, args.causeKind),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    outboxPut(decision.applicationId, versionSk(decision.sequence), args.outbox, decision.updatedAt),
    { Put: auditPut(args.audit) },
    ...receiptItems(versionReceipt(decision, args.cause)),
  ]);
}

/**
 * Flags an overdue verification once: the decision leaves the DUE#VERIFICATION index and the flag (with
 * its outbox) is created, only if the decision is still the version that was found overdue.
 */
export async function storeOverdueFlag(args: {
  readonly decision: Decision;
  readonly flaggedAt: string;
  readonly outbox: Outbox;
  readonly audit: AuditEntry;
}): Promise<'stored' | 'raced'> {
  const { decision } = args;
  return transactUnlessRaced([
    {
      Update: {
        TableName: table(),
        Key: { pk: pkOf(decision.applicationId), sk: 'DECISION' },
        UpdateExpression: 'REMOVE duePk, dueAt SET verificationOverdueAt = :at',
        ConditionExpression: '#seq = :seq AND duePk = :due',
        ExpressionAttributeNames: { '#seq': 'sequence' },
        ExpressionAttributeValues: { ':seq': decision.sequence, ':due': duePkOf('VERIFICATION'), ':at': args.flaggedAt },
      },
    },
    {
      Put: {
        TableName: table(),
        Item: {
          pk: pkOf(decision.applicationId),
          sk: FLAG_OVERDUE_SK,
          kind: 'flag',
          sequence: decision.sequence,
          flaggedAt: args.flaggedAt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    outboxPut(decision.applicationId, FLAG_OVERDUE_SK, args.outbox, args.flaggedAt),
    { Put: auditPut(args.audit) },
  ]);
}

/** Records the same applicationId submitted with other content; false when this event was recorded before. */
export async function recordConflict(args: {
  readonly application: Application;
  readonly applicationHash: string;
  readonly storedHash: string;
  readonly cause: Cause;
  readonly receivedAt: string;
  readonly audit: AuditEntry;
}): Promise<boolean> {
  return putOnceWithAudit(
    {
      pk: pkOf(args.application.applicationId),
      sk: `CONFLICT#${causeKey(args.cause)}`,
      kind: 'conflict',
      cause: args.cause,
      receivedAt: args.receivedAt,
      applicationHash: args.applicationHash,
      storedHash: args.storedHash,
      body: JSON.stringify(args.application),
    },
    args.audit,
    withKind(args.cause, args.receivedAt, 'APPLICATION_CONFLICT', '同一申请编号以不同内容再次提交，已记录为冲突，未重新审批', {
      effect: { resource: 'application', id: args.application.applicationId, href: applicationHref(args.application.applicationId) },
      details: { applicationHash: args.applicationHash, storedHash: args.storedHash },
    }),
  );
}

/** Records a refused later event with its reason (SPEC §11); false when this event was recorded before. */
export async function recordRefusal(args: {
  readonly applicationId: string;
  readonly cause: Cause;
  readonly at: string;
  readonly code: StoredRefusalCode;
  readonly message: string;
  readonly audit: AuditEntry;
}): Promise<boolean> {
  return putOnceWithAudit(
    {
      pk: pkOf(args.applicationId),
      sk: `REFUSAL#${causeKey(args.cause)}`,
      kind: 'refusal',
      cause: args.cause,
      causeKey: causeKey(args.cause),
      at: args.at,
      code: args.code,
      message: args.message,
    },
    args.audit,
    isInbound(args.cause)
      ? withKind(args.cause, args.at, args.code, args.message, {
          effect: { resource: 'application', id: args.applicationId, href: applicationHref(args.applicationId) },
        })
      : undefined,
  );
}

/**
 * A record made once with its audit line and the event's receipt (which a first delivery wrote with the
 * record, so it needs no condition of its own).
 */
async function putOnceWithAudit(item: Record<string, unknown>, audit: AuditEntry, receipt: Receipt | undefined): Promise<boolean> {
  try {
    await ddb.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: table(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: auditPut(audit) },
          ...(receipt ? [receiptPut(receipt, 'replace')] : []),
        ],
      }),
    );
    return true;
  } catch (error) {
    if (failedConditions(error)?.[0] === true) return false;
    throw error;
  }
}

/** The outbox of a version or flag (`sk`) has been sent: it leaves the OUTBOX index. */
export async function markSent(applicationId: string, sk: string, at: string): Promise<void> {
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: pkOf(applicationId), sk: outboxSk(sk) },
        UpdateExpression: 'REMOVE duePk, dueAt SET sentAt = :at',
        ConditionExpression: 'duePk = :outbox',
        ExpressionAttributeValues: { ':outbox': OUTBOX, ':at': at },
      }),
    );
  } catch (error) {
    // Already marked by a concurrent sender: nothing left to do.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/**
 * Several sent outboxes marked at once: each item rewritten in its sent form (as `markSent` leaves it:
 * out of the OUTBOX index, with `sentAt`), 25 per BatchWriteItem. Unconditional, and still safe: an outbox
 * item never changes but to be marked sent, so a concurrent marker writes the same thing.
 */
export async function markAllSent(entries: readonly { applicationId: string; sk: string; outbox: Outbox }[], at: string): Promise<void> {
  await batchWriteAll(
    table(),
    entries.map((e) => ({
      PutRequest: { Item: { pk: pkOf(e.applicationId), sk: outboxSk(e.sk), kind: 'outbox', outbox: JSON.stringify(e.outbox), sentAt: at } },
    })),
  );
}

export interface DueEntry {
  readonly applicationId: string;
  readonly sk: string;
  readonly dueAt: string;
}

async function queryDue(duePk: string, before: string): Promise<DueEntry[]> {
  const items = await queryAll({
    TableName: table(),
    IndexName: 'byDue',
    KeyConditionExpression: 'duePk = :p AND dueAt < :before',
    ExpressionAttributeValues: { ':p': duePk, ':before': before },
  });
  // An outbox entry names the version or flag it belongs to, as DECISION entries name themselves.
  return items.map((item) => {
    const sk = item.sk as string;
    return {
      applicationId: (item.pk as string).slice('APP#'.length),
      sk: sk.startsWith(OUTBOX_PREFIX) ? sk.slice(OUTBOX_PREFIX.length) : sk,
      dueAt: item.dueAt as string,
    };
  });
}

/** Decisions whose supplement or verification period ended before `now` (the index is eventually consistent: re-check). */
export const overdue = (kind: DueKind, now: string) => queryDue(duePkOf(kind), now);

/** Outboxes written before `before` and still not sent (a crash between write and send). */
export const unsentOutboxes = (before: string) => queryDue(OUTBOX, before);

/**
 * Every current decision (what the DECISION item keeps), optionally of one item: the 16 shards of the
 * byItem index queried in parallel. It was a Scan of the whole table (versions, traces, outboxes), which
 * the 20,000-event soak found past the query function's 10 s at 8,000 applications.
 */
export async function queryDecisions(itemCode?: string): Promise<CurrentDecision[]> {
  const pages = await Promise.all(
    Array.from({ length: DECISION_SHARDS }, (_, shard) =>
      queryAll({
        TableName: table(),
        IndexName: 'byItem',
        KeyConditionExpression: itemCode === undefined ? 'itemShard = :s' : 'itemShard = :s AND begins_with(itemKey, :i)',
        ExpressionAttributeValues: itemCode === undefined ? { ':s': `DECISION#${shard}` } : { ':s': `DECISION#${shard}`, ':i': `${itemCode}#` },
        ProjectionExpression: 'body',
      }),
    ),
  );
  return pages.flat().map((item) => JSON.parse(item.body as string) as CurrentDecision);
}
