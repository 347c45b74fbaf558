/**
 * The registry's storage adapter: reference data in the `registry` table.
 *
 *   ITEM#<code>       V#<000001>   one service item version (immutable once written; `cause` = the event)
 *   ITEM#<code>       CURRENT      the newest active version (copy)
 *   PERSON#<id>       PROFILE      person profile            (newer asOf wins)
 *   ENT#<code>        PROFILE      enterprise profile        (newer asOf wins; gsi1 = ENTSHARD#nn / code)
 *   LIC#<no>          LICENCE      e-licence                 (gsi1 = HOLDER#<id> / LIC#<type>#<no>)
 *   CREDIT#<id>       CREDIT       credit record             (newer asOf wins, `creditEvent` brought it;
 *                                                             falseCommitmentMark is ours)
 *   CONFLICT#<kind>#<key> <eventId> a re-publication with other content, kept for auditors
 *
 * asOf may be a date (the start of that local day) or a timestamp; `asOfMs` / `asOfAt` hold the instant
 * it stands for, which is what "newer" compares. Each write goes with its event's receipt
 * (shared/platform/receipts.ts).
 */
import { ConditionalCheckFailedException, type AttributeValue, type TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from '#platform/batch-get';
import { queryAll } from '#platform/paging';
import { ddb } from '#platform/aws';
import { tableName } from '#platform/resources';
import { asOfInstant } from '#platform/calendar';
import { cancellationCodes, type TransactItem } from '#platform/transactions';
import { applied, getReceipt, receiptPut, recordReceipt, withKind, type EffectPointer, type EventRef, type Receipt } from '#platform/receipts';
import { contentHash } from '#util/canonical';
import type { CreditRecord, EnterpriseProfile, Licence, PersonProfile, ServiceItem } from '#contract/schemas';

const table = () => tableName('registry');

/** Keys of the records an application is decided on (read alone, or together by getApplicationRecords). */
const currentItemKey = (itemCode: string) => ({ pk: `ITEM#${itemCode}`, sk: 'CURRENT' });
const profileKey = (kind: 'person' | 'enterprise', id: string) => ({ pk: kind === 'person' ? `PERSON#${id}` : `ENT#${id}`, sk: 'PROFILE' });
const creditKey = (subjectId: string) => ({ pk: `CREDIT#${subjectId}`, sk: 'CREDIT' });

/** Enterprise profiles are spread over this many shards so a policy can be matched in parallel slices. */
export const ENTERPRISE_SHARDS = 64;

export function shardOf(creditCode: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < creditCode.length; i++) {
    h ^= creditCode.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % ENTERPRISE_SHARDS;
}
export const shardKey = (shard: number) => `ENTSHARD#${String(shard).padStart(2, '0')}`;

const isConditionFailure = (e: unknown) => e instanceof ConditionalCheckFailedException;

/**
 * The change of one reference-data event and its receipt in one transaction (SPEC §9): both or neither.
 * A redelivered event finds its receipt there (the second item's condition) and gets the first outcome
 * back; when only the change's own condition failed, `onRefused` says what became of the event instead.
 */
async function changeWithReceipt(
  change: TransactItem,
  receipt: Receipt,
  onRefused: (stored: Record<string, AttributeValue> | undefined) => Promise<Receipt>,
): Promise<Receipt> {
  try {
    await ddb.send(new TransactWriteCommand({ TransactItems: [change, receiptPut(receipt)] }));
    return receipt;
  } catch (error) {
    const codes = cancellationCodes(error);
    if (!codes) throw error;
    if (codes[1] === 'ConditionalCheckFailed') return (await getReceipt(receipt.source, receipt.id)) ?? receipt;
    if (codes[0] === 'ConditionalCheckFailed') {
      const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
      return onRefused(reasons[0]?.Item);
    }
    // A concurrent transaction on the same record: thrown, so SQS retries the event.
    throw error;
  }
}

const itemHref = (itemCode: string, version: number) => `/items/${encodeURIComponent(itemCode)}?version=${version}`;

/**
 * A service item version: stored once (immutable), then made CURRENT unless a newer version is. The
 * version records the event that brought it, so a redelivery tells itself from a re-publication (REPLAY)
 * and from the same version with other content (VERSION_CONFLICT, refused; the first stands).
 */
export async function putItemVersion(item: ServiceItem, ref: EventRef, at: string): Promise<Receipt> {
  const hash = contentHash(item);
  const version = `V#${String(item.version).padStart(6, '0')}`;
  const cause = `${ref.source}#${ref.id}`;
  const effect = { resource: 'item', id: item.itemCode, version: item.version, href: itemHref(item.itemCode, item.version) };
  let replay = false;
  try {
    await ddb.send(
      new PutCommand({
        TableName: table(),
        Item: { pk: `ITEM#${item.itemCode}`, sk: version, kind: 'item', hash, cause, item },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const existing = await ddb.send(new GetCommand({ TableName: table(), Key: { pk: `ITEM#${item.itemCode}`, sk: version } }));
    if (existing.Item?.hash !== hash) {
      await recordConflict('item', `${item.itemCode}@${item.version}`, ref.id, item);
      return recordReceipt(
        withKind(ref, at, 'VERSION_CONFLICT', `service item ${item.itemCode} version ${item.version} was published before with other content; the first stands`, { effect }),
      );
    }
    replay = existing.Item?.cause !== undefined && existing.Item.cause !== cause;
    // Same content again: fall through so that a CURRENT update lost by a crash is made now.
  }
  let current = true;
  try {
    await ddb.send(
      new PutCommand({
        TableName: table(),
        Item: { ...currentItemKey(item.itemCode), kind: 'item', hash, version: item.version, item },
        ConditionExpression: 'attribute_not_exists(pk) OR version <= :v',
        ExpressionAttributeValues: { ':v': item.version },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    current = false;
  }
  if (replay) {
    return recordReceipt(withKind(ref, at, 'REPLAY', `service item ${item.itemCode} version ${item.version} was published before with the same content`, { effect }));
  }
  // An older version arriving after a newer one is stored as that version, but does not become current.
  return recordReceipt(applied(ref, at, effect, { current }));
}

export async function getCurrentItem(itemCode: string): Promise<ServiceItem | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: currentItemKey(itemCode) }));
  return out.Item?.item as ServiceItem | undefined;
}

export async function getItemVersion(itemCode: string, version: number): Promise<ServiceItem | undefined> {
  const out = await ddb.send(
    new GetCommand({ TableName: table(), Key: { pk: `ITEM#${itemCode}`, sk: `V#${String(version).padStart(6, '0')}` } }),
  );
  return out.Item?.item as ServiceItem | undefined;
}

/**
 * A profile, if its asOf is not older than the stored one's (equal rewrites the same record, so a
 * redelivery that crashed after writing still re-runs what follows); an older one is STALE.
 */
async function putProfile(
  key: { pk: string; sk: string },
  asOf: string,
  profile: Record<string, unknown>,
  extra: Record<string, unknown>,
  ref: EventRef,
  at: string,
  effect: EffectPointer,
): Promise<Receipt> {
  const asOfAt = asOfInstant(asOf);
  const asOfMs = Date.parse(asOfAt);
  return changeWithReceipt(
    {
      Put: {
        TableName: table(),
        Item: { ...key, asOfMs, asOfAt, profile, ...extra },
        ConditionExpression: 'attribute_not_exists(pk) OR asOfMs <= :asOfMs',
        ExpressionAttributeValues: { ':asOfMs': asOfMs },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    applied(ref, at, effect, { asOf: asOfAt }),
    (stored) => recordReceipt(stale(ref, at, effect, asOfAt, stored?.profile?.M?.asOf?.S)),
  );
}

function stale(ref: EventRef, at: string, effect: EffectPointer, asOfAt: string, storedAsOf: string | undefined): Receipt {
  return withKind(ref, at, 'STALE', `asOf ${asOfAt} is older than the stored record's${storedAsOf ? ` (${storedAsOf})` : ''}; the stored record stands`, {
    effect,
    details: { asOf: asOfAt, ...(storedAsOf ? { storedAsOf } : {}) },
  });
}

export const putPersonProfile = (p: PersonProfile, ref: EventRef, at: string) =>
  putProfile(profileKey('person', p.idNumber), p.asOf, p, { kind: 'person' }, ref, at, { resource: 'personProfile', id: p.idNumber });

export const putEnterpriseProfile = (p: EnterpriseProfile, ref: EventRef, at: string) =>
  putProfile(
    profileKey('enterprise', p.creditCode),
    p.asOf,
    p,
    { kind: 'enterprise', gsi1pk: shardKey(shardOf(p.creditCode)), gsi1sk: p.creditCode },
    ref,
    at,
    { resource: 'enterpriseProfile', id: p.creditCode, href: `/enterprises/${encodeURIComponent(p.creditCode)}/policies` },
  );

export async function getPersonProfile(idNumber: string): Promise<PersonProfile | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: profileKey('person', idNumber) }));
  return out.Item?.profile as PersonProfile | undefined;
}

export async function getEnterpriseProfile(creditCode: string): Promise<EnterpriseProfile | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: profileKey('enterprise', creditCode) }));
  return out.Item?.profile as EnterpriseProfile | undefined;
}

/** A page of one shard's enterprise profiles, in credit-code order. */
export interface ProfilePage {
  readonly profiles: EnterpriseProfile[];
  /** The last credit code read, when the shard has more. */
  readonly next?: string;
}

/** Up to `limit` enterprise profiles of one shard, after `cursor` (a page's `next`): a slice of a matching run. */
export async function queryShardProfiles(shard: number, limit: number, cursor?: string): Promise<ProfilePage> {
  const gsi1pk = shardKey(shard);
  const out = await ddb.send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :s',
      ExpressionAttributeValues: { ':s': gsi1pk },
      Limit: limit,
      ...(cursor !== undefined ? { ExclusiveStartKey: { gsi1pk, gsi1sk: cursor, ...profileKey('enterprise', cursor) } } : {}),
    }),
  );
  const profiles = (out.Items ?? []).map((i) => i.profile as EnterpriseProfile).filter((p) => p !== undefined);
  const next = out.LastEvaluatedKey ? (out.LastEvaluatedKey.gsi1sk as string) : undefined;
  return next !== undefined ? { profiles, next } : { profiles };
}

/** Stored licence: the issued record plus `revokedAt` when a revocation arrived (even before the issue). */
export type StoredLicence = Licence & { revokedAt?: string };

export async function putLicence(l: Licence, ref: EventRef, at: string): Promise<Receipt> {
  // SET every issued field but never revokedAt: a revocation that arrived first stays in force.
  const fields = { ...l } as Record<string, unknown>;
  const names: Record<string, string> = { '#licence': 'licence' };
  const effect = { resource: 'licence', id: l.licenceNo };
  return changeWithReceipt(
    {
      Update: {
        TableName: table(),
        Key: { pk: `LIC#${l.licenceNo}`, sk: 'LICENCE' },
        UpdateExpression: 'SET #licence = :l, kind = :k, gsi1pk = :h, gsi1sk = :s',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ':l': fields,
          ':k': 'licence',
          ':h': `HOLDER#${l.holderId}`,
          ':s': `LIC#${l.licenceType}#${l.licenceNo}`,
        },
      },
    },
    applied(ref, at, effect),
    () => Promise.reject(new Error(`licence ${l.licenceNo}: an unconditional update failed its condition`)),
  );
}

export async function revokeLicence(licenceNo: string, revokedAt: string, ref: EventRef, at: string): Promise<Receipt> {
  // The earliest revocation wins; a later or repeated one changes nothing.
  const when = new Date(revokedAt).toISOString();
  const effect = { resource: 'licence', id: licenceNo };
  return changeWithReceipt(
    {
      Update: {
        TableName: table(),
        Key: { pk: `LIC#${licenceNo}`, sk: 'LICENCE' },
        UpdateExpression: 'SET revokedAt = :r',
        ConditionExpression: 'attribute_not_exists(revokedAt) OR revokedAt > :r',
        ExpressionAttributeValues: { ':r': when },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    applied(ref, at, effect, { revokedAt: when }),
    (stored) => {
      const earlier = stored?.revokedAt?.S;
      return recordReceipt(withKind(ref, at, 'DUPLICATE', `licence ${licenceNo} was already revoked${earlier ? ` at ${earlier}` : ''}`, { effect, details: { revokedAt: earlier ?? null } }));
    },
  );
}

export async function licencesOfHolder(holderId: string): Promise<StoredLicence[]> {
  const items = await queryAll({
    TableName: table(),
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :h',
    ExpressionAttributeValues: { ':h': `HOLDER#${holderId}` },
  });
  return items.map((item) => ({ ...(item.licence as Licence), ...(item.revokedAt ? { revokedAt: item.revokedAt as string } : {}) }));
}

export type StoredCredit = CreditRecord & { falseCommitmentMark?: { at: string; applicationId: string } };

export async function putCredit(c: CreditRecord, ref: EventRef, at: string): Promise<Receipt> {
  const asOfAt = asOfInstant(c.asOf);
  const asOfMs = Date.parse(asOfAt);
  const effect = { resource: 'credit', id: c.subjectId, href: `/credit/${encodeURIComponent(c.subjectId)}` };
  return changeWithReceipt(
    {
      Update: {
        TableName: table(),
        Key: creditKey(c.subjectId),
        UpdateExpression: 'SET credit = :c, asOfMs = :a, kind = :k, creditEvent = :e',
        ConditionExpression: 'attribute_not_exists(asOfMs) OR asOfMs <= :a',
        ExpressionAttributeValues: { ':c': c, ':a': asOfMs, ':k': 'credit', ':e': { source: ref.source, id: ref.id, asOfAt } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    applied(ref, at, effect, { asOf: asOfAt }),
    (stored) => recordReceipt(stale(ref, at, effect, asOfAt, stored?.credit?.M?.asOf?.S)),
  );
}

/**
 * Marks a subject as having made a false commitment (SPEC §4 step 6). Kept apart from the upstream
 * record, so a later credit update cannot erase the mark.
 */
export async function markFalseCommitment(subjectId: string, applicationId: string, at: string): Promise<void> {
  await ddb.send(
    new UpdateCommand({
      TableName: table(),
      Key: creditKey(subjectId),
      UpdateExpression: 'SET falseCommitmentMark = if_not_exists(falseCommitmentMark, :m), kind = :k',
      ExpressionAttributeValues: { ':m': { at, applicationId }, ':k': 'credit' },
    }),
  );
}

/** A credit record as stored: the upstream record (and the event that brought it) and the marks set here. */
export interface CreditRecordView {
  readonly upstream?: CreditRecord;
  readonly upstreamEvent?: { readonly source: string; readonly id: string; readonly asOfAt: string };
  readonly falseCommitmentMark?: { readonly at: string; readonly applicationId: string };
}

export async function getCreditRecord(subjectId: string): Promise<CreditRecordView | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: creditKey(subjectId), ConsistentRead: true }));
  if (!out.Item) return undefined;
  const item = out.Item;
  return {
    ...(item.credit ? { upstream: item.credit as CreditRecord } : {}),
    ...(item.creditEvent ? { upstreamEvent: item.creditEvent as CreditRecordView['upstreamEvent'] & object } : {}),
    ...(item.falseCommitmentMark ? { falseCommitmentMark: item.falseCommitmentMark as CreditRecordView['falseCommitmentMark'] & object } : {}),
  };
}

/** The effective credit record: upstream data with our own false-commitment mark folded in. */
export async function getCredit(subjectId: string): Promise<StoredCredit | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: creditKey(subjectId) }));
  return out.Item ? creditOf(subjectId, out.Item) : undefined;
}

function creditOf(subjectId: string, item: Record<string, unknown>): StoredCredit {
  const upstream = item.credit as CreditRecord | undefined;
  const mark = item.falseCommitmentMark as StoredCredit['falseCommitmentMark'];
  // Only our mark and no upstream record: rating stays unknown (a rule on it evaluates to unknown).
  const base = upstream ?? ({ subjectId, asOf: mark?.at ?? '', dishonest: false, falseCommitment: false } as unknown as CreditRecord);
  return { ...base, falseCommitment: base.falseCommitment || Boolean(mark), ...(mark ? { falseCommitmentMark: mark } : {}) };
}

/** Effective credit records of many subjects (as getCredit folds them), by subject id; absent ones left out. */
export async function batchGetCredits(subjectIds: readonly string[]): Promise<Map<string, StoredCredit>> {
  const items = await batchGetAll(table(), [...new Set(subjectIds)].map(creditKey), { consistent: true });
  return new Map(
    items.map((item) => {
      const subjectId = (item.pk as string).slice('CREDIT#'.length);
      return [subjectId, creditOf(subjectId, item)];
    }),
  );
}

/** The records an application is decided on that live in this table (the licences come from a Query on gsi1). */
export interface ApplicationRecords {
  readonly item?: ServiceItem;
  readonly profile?: PersonProfile | EnterpriseProfile;
  readonly credit?: StoredCredit;
}

export async function getApplicationRecords(
  itemCode: string,
  applicant: { readonly kind: 'person' | 'enterprise'; readonly id: string },
): Promise<ApplicationRecords> {
  const keys = { item: currentItemKey(itemCode), profile: profileKey(applicant.kind, applicant.id), credit: creditKey(applicant.id) };
  const found = new Map<string, Record<string, unknown>>();
  for (const item of await batchGetAll(table(), Object.values(keys))) found.set(`${item.pk as string}|${item.sk as string}`, item);
  const of = (key: { pk: string; sk: string }) => found.get(`${key.pk}|${key.sk}`);
  const item = of(keys.item)?.item as ServiceItem | undefined;
  const profile = of(keys.profile)?.profile as PersonProfile | EnterpriseProfile | undefined;
  const creditItem = of(keys.credit);
  return {
    ...(item ? { item } : {}),
    ...(profile ? { profile } : {}),
    ...(creditItem ? { credit: creditOf(applicant.id, creditItem) } : {}),
  };
}

async function recordConflict(kind: string, key: string, eventId: string, content: unknown): Promise<void> {
  await ddb.send(
    new PutCommand({
      TableName: table(),
      Item: { pk: `CONFLICT#${kind}#${key}`, sk: eventId, kind: 'conflict', content },
    }),
  );
}
