/**
 * The registry's storage adapter: reference data in the `registry` table.
 *
 *   ITEM#<code>       V#<000001>   one service item version (immutable once written; `cause` = the event)
 *   ITEM#<code>       CURRENT      the newest version (copy; an inactive one deactivates the item)
 *   BUNDLE#<code>     V#<000001>   one 一件事 bundle version (immutable, as items; `cause` = the event)
 *   BUNDLE#<code>     CURRENT      the newest bundle version (copy)
 *   PERSON#<id>       PROFILE      person profile            (newer asOf wins; gsi1 = PERSONSHARD#nn / id)
 *   ENT#<code>        PROFILE      enterprise profile        (newer asOf wins; gsi1 = ENTSHARD#nn / code)
 *   LIC#<no>          LICENCE      e-licence                 (gsi1 = HOLDER#<id> / LIC#<type>#<no>)
 *   CREDIT#<id>       CREDIT       credit record             (newer asOf wins, `creditEvent` brought it;
 *                                                             falseCommitmentMarks (by application) and
 *                                                             benefitFraudMarks (by policy) are ours; an
 *                                                             item written before the map may hold one
 *                                                             falseCommitmentMark, still read)
 *   CONFLICT#<kind>#<key> <eventId> a re-publication with other content, kept for auditors
 *
 * asOf may be a date (the start of that local day) or a timestamp; `asOfMs` / `asOfAt` hold the instant
 * it stands for, and `asOfSub` the digits of its fraction below the millisecond (absent for none): "newer"
 * compares `asOfMs`, then `asOfSub`, so two asOf values a microsecond apart are not equal. Each change is written with its event's receipt
 * (shared/platform/receipts.ts) in one transaction. Keys, items and conditions only: what an outcome
 * means is service.ts's and domain/'s.
 */
import { ConditionalCheckFailedException, type AttributeValue, type TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from '#platform/batch-get';
import { compareSortKeys, queryAll, selectPartitionsIn } from '#platform/paging';
import { ddb } from '#platform/aws';
import { tableName } from '#platform/resources';
import { cancellationCodes, writeChanges, type TransactItem } from '#platform/transactions';
import { getReceipt, receiptPut, type Receipt } from '#platform/receipts';
import type { CreditRecord, EnterpriseProfile, Licence, PersonProfile, ServiceBundle, ServiceItem } from '#contract/schemas';
import { falseCommitmentMarksOf, foldCredit } from './domain/credit';
import { storedLicence } from './domain/licence';
import { shardOf } from './domain/shards';
import type { VersionStamp } from './domain/item';
import type { AsOf, BenefitFraudMark, CreditRecordView, FalseCommitmentMark, StoredCredit, StoredLicence, UpstreamEvent } from './domain/types';
import type { ProfileWrite, RegistryStore, StoredAsOf, WriteResult } from './ports';

export { ENTERPRISE_SHARDS } from './domain/shards';

const table = () => tableName('registry');

/** Keys of the records an application is decided on (read alone, or together by getApplicationRecords). */
const currentItemKey = (itemCode: string) => ({ pk: `ITEM#${itemCode}`, sk: 'CURRENT' });
const versionKey = (itemCode: string, version: number) => ({ pk: `ITEM#${itemCode}`, sk: `V#${String(version).padStart(6, '0')}` });
const currentBundleKey = (bundleCode: string) => ({ pk: `BUNDLE#${bundleCode}`, sk: 'CURRENT' });
const bundleVersionKey = (bundleCode: string, version: number) => ({ pk: `BUNDLE#${bundleCode}`, sk: `V#${String(version).padStart(6, '0')}` });
const profileKey = (kind: 'person' | 'enterprise', id: string) => ({ pk: kind === 'person' ? `PERSON#${id}` : `ENT#${id}`, sk: 'PROFILE' });
const licenceKey = (licenceNo: string) => ({ pk: `LIC#${licenceNo}`, sk: 'LICENCE' });
const creditKey = (subjectId: string) => ({ pk: `CREDIT#${subjectId}`, sk: 'CREDIT' });
export const shardKey = (shard: number, kind: 'person' | 'enterprise' = 'enterprise') =>
  `${kind === 'person' ? 'PERSONSHARD' : 'ENTSHARD'}#${String(shard).padStart(2, '0')}`;

const isConditionFailure = (e: unknown) => e instanceof ConditionalCheckFailedException;

/**
 * The change of one reference-data event and its receipt in one transaction: both or neither. A
 * redelivered event finds its receipt there (the second item's condition) and gets the first outcome
 * back; when only the change's own condition failed, the stored record (ALL_OLD) comes back as `refused`.
 */
async function changeWithReceipt<S>(change: TransactItem, receipt: Receipt, readStored: (item: Record<string, AttributeValue> | undefined) => S): Promise<WriteResult<S>> {
  try {
    await ddb.send(new TransactWriteCommand({ TransactItems: [change, receiptPut(receipt)] }));
    return { kind: 'written' };
  } catch (error) {
    const codes = cancellationCodes(error);
    if (!codes) throw error;
    if (codes[1] === 'ConditionalCheckFailed') return { kind: 'redelivered', receipt: (await getReceipt(receipt.source, receipt.id)) ?? receipt };
    if (codes[0] === 'ConditionalCheckFailed') {
      const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
      return { kind: 'refused', stored: readStored(reasons[0]?.Item) };
    }
    // A concurrent transaction on the same record: thrown, so SQS retries the event.
    throw error;
  }
}

// ---- service items ----------------------------------------------------------------------------------

/** A catalogue version (an item's or a bundle's) under its key, stored once: undefined when stored now, else its stamp. */
async function createVersion(key: { pk: string; sk: string }, record: Record<string, unknown>, hash: string, cause: string): Promise<VersionStamp | undefined> {
  try {
    await ddb.send(new PutCommand({ TableName: table(), Item: { ...key, ...record, hash, cause }, ConditionExpression: 'attribute_not_exists(pk)' }));
    return undefined;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // Strongly consistent: the failed condition says the version is there, and an eventually consistent
    // read may not see it yet, which would read as other content (a redelivery refused VERSION_CONFLICT).
    const existing = await ddb.send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }));
    return { ...(existing.Item?.hash ? { hash: existing.Item.hash as string } : {}), ...(existing.Item?.cause ? { cause: existing.Item.cause as string } : {}) };
  }
}

/** The CURRENT copy, unless a newer version is current; whether this one is now. */
async function putCurrent(key: { pk: string; sk: string }, record: Record<string, unknown>, hash: string, version: number): Promise<boolean> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: table(),
        Item: { ...key, ...record, hash, version },
        ConditionExpression: 'attribute_not_exists(pk) OR version <= :v',
        ExpressionAttributeValues: { ':v': version },
      }),
    );
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return false;
  }
}

const createItemVersion = (item: ServiceItem, hash: string, cause: string) => createVersion(versionKey(item.itemCode, item.version), { kind: 'item', item }, hash, cause);
const makeCurrent = (item: ServiceItem, hash: string) => putCurrent(currentItemKey(item.itemCode), { kind: 'item', item }, hash, item.version);
const createBundleVersion = (bundle: ServiceBundle, hash: string, cause: string) =>
  createVersion(bundleVersionKey(bundle.bundleCode, bundle.version), { kind: 'bundle', bundle }, hash, cause);
const makeBundleCurrent = (bundle: ServiceBundle, hash: string) => putCurrent(currentBundleKey(bundle.bundleCode), { kind: 'bundle', bundle }, hash, bundle.version);

async function keepConflict(kind: string, key: string, eventId: string, content: unknown): Promise<void> {
  await ddb.send(new PutCommand({ TableName: table(), Item: { pk: `CONFLICT#${kind}#${key}`, sk: eventId, kind: 'conflict', content } }));
}

export async function getCurrentItem(itemCode: string): Promise<ServiceItem | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: currentItemKey(itemCode) }));
  return out.Item?.item as ServiceItem | undefined;
}

/** The current version of each item code that has one (a bundle's items, read together). */
async function currentItems(itemCodes: readonly string[]): Promise<Map<string, ServiceItem>> {
  const found = await batchGetAll(table(), [...new Set(itemCodes)].map(currentItemKey), { consistent: true });
  return new Map(found.map((row) => [(row.item as ServiceItem).itemCode, row.item as ServiceItem]));
}

export async function getCurrentBundle(bundleCode: string): Promise<ServiceBundle | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: currentBundleKey(bundleCode) }));
  return out.Item?.bundle as ServiceBundle | undefined;
}

/**
 * One version of a bundle (or, below, of an item), read strongly consistent. A version is written once and
 * never deleted; a later event (a supplement, a person's decision, the deadlines schedule, a simulation)
 * reads the one its application was decided on, and an eventually consistent read lagging the write would
 * find none. A version still missing (a table restored to a point before it) fails its event with "is not
 * in the catalogue; retrying", as before.
 */
export async function getBundleVersion(bundleCode: string, version: number): Promise<ServiceBundle | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: bundleVersionKey(bundleCode, version), ConsistentRead: true }));
  return out.Item?.bundle as ServiceBundle | undefined;
}

export async function getItemVersion(itemCode: string, version: number): Promise<ServiceItem | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: versionKey(itemCode, version), ConsistentRead: true }));
  return out.Item?.item as ServiceItem | undefined;
}

// ---- profiles ----------------------------------------------------------------------------------------

/** The stored record's own asOf (as its sender wrote it), from the ALL_OLD image of a refused write. */
const storedAsOf =
  (attribute: 'profile' | 'credit') =>
  (item: Record<string, AttributeValue> | undefined): StoredAsOf => {
    const asOf = item?.[attribute]?.M?.asOf?.S;
    return asOf === undefined ? {} : { asOf };
  };

/**
 * The condition "the stored record is not newer than `asOf`", to the last digit of its fraction: `asOfMs`
 * orders by millisecond and, within one millisecond, `asOfSub` (the digits below it, trailing zeros dropped,
 * absent for none: an item written before it was kept has none) orders as text, which orders the fractions.
 * `exists` names the attribute that is absent when nothing is stored.
 */
function notNewerThan(asOf: AsOf, exists: string): { condition: string; values: Record<string, unknown> } {
  const sameMs = asOf.sub === '' ? 'attribute_not_exists(asOfSub)' : '(attribute_not_exists(asOfSub) OR asOfSub <= :asOfSub)';
  return {
    condition: `attribute_not_exists(${exists}) OR asOfMs < :asOfMs OR (asOfMs = :asOfMs AND ${sameMs})`,
    values: { ':asOfMs': asOf.ms, ...(asOf.sub === '' ? {} : { ':asOfSub': asOf.sub }) },
  };
}

/** The profile item, put unless the stored one is newer (equal rewrites it, so a crashed redelivery re-runs what follows). */
function profilePut(write: ProfileWrite): TransactItem {
  const { kind, profile, asOf } = write;
  const id = kind === 'person' ? write.profile.idNumber : write.profile.creditCode;
  const extra = kind === 'person' ? { gsi1pk: shardKey(shardOf(id), 'person'), gsi1sk: id } : { gsi1pk: shardKey(shardOf(id)), gsi1sk: id };
  const { condition, values } = notNewerThan(asOf, 'pk');
  return {
    Put: {
      TableName: table(),
      Item: { ...profileKey(kind, id), asOfMs: asOf.ms, ...(asOf.sub === '' ? {} : { asOfSub: asOf.sub }), asOfAt: asOf.at, profile, kind, ...extra },
      ConditionExpression: condition,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

const putProfile = (write: ProfileWrite) => changeWithReceipt(profilePut(write), write.receipt, storedAsOf('profile'));
const putPersonProfile = (profile: PersonProfile, asOf: AsOf, receipt: Receipt) => putProfile({ kind: 'person', profile, asOf, receipt });
const putEnterpriseProfile = (profile: EnterpriseProfile, asOf: AsOf, receipt: Receipt) => putProfile({ kind: 'enterprise', profile, asOf, receipt });

/** A batch's profiles, each with its receipt, in as few transactions as fit (50 profiles each). */
const writeProfiles = (writes: readonly ProfileWrite[]) => writeChanges(writes.map((w) => [profilePut(w), receiptPut(w.receipt)]));

export async function getPersonProfile(idNumber: string): Promise<PersonProfile | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: profileKey('person', idNumber) }));
  return out.Item?.profile as PersonProfile | undefined;
}

export async function getEnterpriseProfile(creditCode: string): Promise<EnterpriseProfile | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: profileKey('enterprise', creditCode) }));
  return out.Item?.profile as EnterpriseProfile | undefined;
}

/** A page of one shard's enterprise (or person) profiles, in credit-code (or ID number) order. */
export interface ProfilePage<P = EnterpriseProfile> {
  readonly profiles: P[];
  /** The last credit code (ID number) read, when the shard has more. */
  readonly next?: string;
}

/** Up to `limit` enterprise profiles of one shard, after `cursor` (a page's `next`): a slice of a matching run. */
export async function queryShardProfiles(shard: number, limit: number, cursor?: string): Promise<ProfilePage> {
  return queryShard<EnterpriseProfile>('enterprise', shard, limit, cursor);
}

/** The same for person profiles (person policies): persons are spread over as many shards. */
export async function queryShardPersons(shard: number, limit: number, cursor?: string): Promise<ProfilePage<PersonProfile>> {
  return queryShard<PersonProfile>('person', shard, limit, cursor);
}

async function queryShard<P>(kind: 'person' | 'enterprise', shard: number, limit: number, cursor?: string): Promise<ProfilePage<P>> {
  const gsi1pk = shardKey(shard, kind);
  const out = await ddb.send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :s',
      ExpressionAttributeValues: { ':s': gsi1pk },
      Limit: limit,
      ...(cursor !== undefined ? { ExclusiveStartKey: { gsi1pk, gsi1sk: cursor, ...profileKey(kind, cursor) } } : {}),
    }),
  );
  const profiles = (out.Items ?? []).map((i) => i.profile as P).filter((p) => p !== undefined);
  const next = out.LastEvaluatedKey ? (out.LastEvaluatedKey.gsi1sk as string) : undefined;
  return next !== undefined ? { profiles, next } : { profiles };
}

// ---- licences ------------------------------------------------------------------------------------------

async function putLicence(l: Licence, receipt: Receipt): Promise<WriteResult<never>> {
  // SET every issued field but never revokedAt: a revocation that arrived first stays in force.
  return changeWithReceipt(
    {
      Update: {
        TableName: table(),
        Key: licenceKey(l.licenceNo),
        UpdateExpression: 'SET #licence = :l, kind = :k, gsi1pk = :h, gsi1sk = :s',
        ExpressionAttributeNames: { '#licence': 'licence' },
        ExpressionAttributeValues: { ':l': { ...l }, ':k': 'licence', ':h': `HOLDER#${l.holderId}`, ':s': `LIC#${l.licenceType}#${l.licenceNo}` },
      },
    },
    receipt,
    (): never => {
      throw new Error(`licence ${l.licenceNo}: an unconditional update failed its condition`);
    },
  );
}

/** The revocation unless one as early or earlier is stored (compared as ISO UTC strings). */
function revokeLicence(licenceNo: string, revokedAt: string, receipt: Receipt) {
  return changeWithReceipt(
    {
      Update: {
        TableName: table(),
        Key: licenceKey(licenceNo),
        UpdateExpression: 'SET revokedAt = :r',
        ConditionExpression: 'attribute_not_exists(revokedAt) OR revokedAt > :r',
        ExpressionAttributeValues: { ':r': revokedAt },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    receipt,
    (item) => {
      const earlier = item?.revokedAt?.S;
      return earlier === undefined ? {} : { revokedAt: earlier };
    },
  );
}

const holderKey = (holderId: string) => `HOLDER#${holderId}`;
const asStoredLicence = (item: Record<string, unknown>) => storedLicence(item.licence as Licence, item.revokedAt as string | undefined);

export async function licencesOfHolder(holderId: string): Promise<StoredLicence[]> {
  const items = await queryAll({
    TableName: table(),
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :h',
    ExpressionAttributeValues: { ':h': holderKey(holderId) },
  });
  return items.map(asStoredLicence);
}

/**
 * The licences of many holders, each holder's as `licencesOfHolder` gives them (in the index's order of
 * gsi1sk, compared as DynamoDB compares strings: by their UTF-8 bytes); a holder without any gets an empty
 * list. One PartiQL SELECT on gsi1 per 50 holders instead of a Query each: the approval consumer reads a
 * whole batch's ahead.
 */
export async function licencesOfHolders(holderIds: readonly string[]): Promise<Map<string, StoredLicence[]>> {
  const byHolder = new Map<string, Record<string, unknown>[]>(holderIds.map((id) => [holderKey(id), []]));
  for (const item of await selectPartitionsIn(table(), 'gsi1', 'gsi1pk', [...byHolder.keys()])) byHolder.get(item.gsi1pk as string)?.push(item);
  return new Map(
    [...byHolder].map(([key, items]) => [key.slice('HOLDER#'.length), items.sort((a, b) => compareSortKeys(a.gsi1sk as string, b.gsi1sk as string)).map(asStoredLicence)]),
  );
}

// ---- credit --------------------------------------------------------------------------------------------

function putCredit(c: CreditRecord, asOf: AsOf, event: { readonly source: string; readonly id: string }, receipt: Receipt) {
  const creditEvent: UpstreamEvent = { source: event.source, id: event.id, asOfAt: asOf.at };
  const { condition, values } = notNewerThan(asOf, 'asOfMs');
  return changeWithReceipt(
    {
      Update: {
        TableName: table(),
        Key: creditKey(c.subjectId),
        UpdateExpression: `SET credit = :c, asOfMs = :asOfMs, kind = :k, creditEvent = :e${asOf.sub === '' ? ' REMOVE asOfSub' : ', asOfSub = :asOfSub'}`,
        ConditionExpression: condition,
        ExpressionAttributeValues: { ':c': c, ':k': 'credit', ':e': creditEvent, ...values },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    receipt,
    storedAsOf('credit'),
  );
}

/**
 * False-commitment marks are kept apart from the upstream record, so a later credit update cannot erase
 * them, in a map by application: a subject whose two approvals on commitment are both revoked keeps both
 * marks, and a redelivery keeps the first of one application. Two idempotent updates, as for benefit fraud
 * below. Items written before the map may still hold a single `falseCommitmentMark`: left as it is, and
 * read with the map (falseCommitmentMarksOf).
 */
async function markFalseCommitment(subjectId: string, mark: FalseCommitmentMark): Promise<void> {
  await addMark(subjectId, 'falseCommitmentMarks', mark.applicationId, { at: mark.at, applicationId: mark.applicationId });
}

/** Benefit-fraud marks are a map by policy, so marks of two policies both stand and a redelivery keeps the first of one policy. */
async function markBenefitFraud(subjectId: string, mark: BenefitFraudMark): Promise<void> {
  await addMark(subjectId, 'benefitFraudMarks', mark.policyId, { at: mark.at, policyId: mark.policyId, amount: mark.amount });
}

/**
 * Adds `value` under `key` to a map of marks on a subject's credit item, unless the key holds one already
 * (the first mark of a key stands). Two idempotent updates: DynamoDB cannot create a map and set one of its
 * keys in one.
 */
async function addMark(subjectId: string, map: 'falseCommitmentMarks' | 'benefitFraudMarks', key: string, value: Record<string, unknown>): Promise<void> {
  await ddb.send(
    new UpdateCommand({
      TableName: table(),
      Key: creditKey(subjectId),
      UpdateExpression: 'SET #m = if_not_exists(#m, :empty), kind = :k',
      ExpressionAttributeNames: { '#m': map },
      ExpressionAttributeValues: { ':empty': {}, ':k': 'credit' },
    }),
  );
  await ddb.send(
    new UpdateCommand({
      TableName: table(),
      Key: creditKey(subjectId),
      UpdateExpression: 'SET #m.#key = if_not_exists(#m.#key, :v)',
      ExpressionAttributeNames: { '#m': map, '#key': key },
      ExpressionAttributeValues: { ':v': value },
    }),
  );
}

/** A stored item's false-commitment marks, oldest first: the map by application and an older item's single mark. */
const commitmentMarksOf = (item: Record<string, unknown>): FalseCommitmentMark[] => falseCommitmentMarksOf(item.falseCommitmentMarks, item.falseCommitmentMark);

/** The marks of a stored map, oldest first (ties by policy). */
function fraudMarksOf(stored: unknown): BenefitFraudMark[] {
  if (typeof stored !== 'object' || stored === null) return [];
  return (Object.values(stored) as BenefitFraudMark[]).sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.policyId.localeCompare(b.policyId));
}

export async function getCreditRecord(subjectId: string): Promise<CreditRecordView | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: creditKey(subjectId), ConsistentRead: true }));
  if (!out.Item) return undefined;
  const item = out.Item;
  const commitmentMarks = commitmentMarksOf(item);
  const fraudMarks = fraudMarksOf(item.benefitFraudMarks);
  return {
    ...(item.credit ? { upstream: item.credit as CreditRecord } : {}),
    ...(item.creditEvent ? { upstreamEvent: item.creditEvent as UpstreamEvent } : {}),
    ...(commitmentMarks.length > 0 ? { falseCommitmentMarks: commitmentMarks } : {}),
    ...(fraudMarks.length > 0 ? { benefitFraudMarks: fraudMarks } : {}),
  };
}

const creditOf = (subjectId: string, item: Record<string, unknown>): StoredCredit => foldCredit(subjectId, item.credit as CreditRecord | undefined, commitmentMarksOf(item));

/** The effective credit record: upstream data with our own false-commitment marks folded in. */
export async function getCredit(subjectId: string): Promise<StoredCredit | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: creditKey(subjectId) }));
  return out.Item ? creditOf(subjectId, out.Item) : undefined;
}

/**
 * A subject's profile and effective credit record in one request (a re-match reads both), strongly
 * consistent: the re-match follows the write it was sent for.
 */
export async function getSubject(kind: 'person' | 'enterprise', id: string): Promise<{ profile?: PersonProfile | EnterpriseProfile; credit?: StoredCredit }> {
  const items = await batchGetAll(table(), [profileKey(kind, id), creditKey(id)], { consistent: true });
  const profile = items.find((i) => i.sk === 'PROFILE');
  const credit = items.find((i) => i.sk === 'CREDIT');
  return { ...(profile ? { profile: profile.profile as PersonProfile | EnterpriseProfile } : {}), ...(credit ? { credit: creditOf(id, credit) } : {}) };
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

// ---- an application's records --------------------------------------------------------------------------

/** The records an application is decided on that live in this table (the licences are in gsi1: `licencesOfHolder(s)`). */
export interface ApplicationRecords {
  readonly item?: ServiceItem;
  readonly profile?: PersonProfile | EnterpriseProfile;
  readonly credit?: StoredCredit;
}

type Applicant = { readonly kind: 'person' | 'enterprise'; readonly id: string };

export async function getApplicationRecords(itemCode: string, applicant: Applicant): Promise<ApplicationRecords> {
  return (await getApplicationRecordsMany([{ itemCode, applicant }]))[0]!;
}

/**
 * The records of many applications in one BatchGetItem (100 keys a request), each key read once: the
 * approval consumer reads a whole batch's ahead. In the order asked.
 */
export async function getApplicationRecordsMany(
  requests: ReadonlyArray<{ readonly itemCode: string; readonly applicant: Applicant }>,
): Promise<ApplicationRecords[]> {
  const keysOf = ({ itemCode, applicant }: (typeof requests)[number]) => ({
    item: currentItemKey(itemCode),
    profile: profileKey(applicant.kind, applicant.id),
    credit: creditKey(applicant.id),
  });
  const id = (key: { pk: string; sk: string }) => `${key.pk}|${key.sk}`;
  const unique = new Map(requests.flatMap((r) => Object.values(keysOf(r)).map((key) => [id(key), key] as const)));
  const found = new Map<string, Record<string, unknown>>();
  if (unique.size > 0) for (const item of await batchGetAll(table(), [...unique.values()])) found.set(id(item as { pk: string; sk: string }), item);
  return requests.map((r) => {
    const keys = keysOf(r);
    const item = found.get(id(keys.item))?.item as ServiceItem | undefined;
    const profile = found.get(id(keys.profile))?.profile as PersonProfile | EnterpriseProfile | undefined;
    const creditItem = found.get(id(keys.credit));
    return {
      ...(item ? { item } : {}),
      ...(profile ? { profile } : {}),
      ...(creditItem ? { credit: creditOf(r.applicant.id, creditItem) } : {}),
    };
  });
}

/** The registry table as the registry's use cases write it (ports.ts). */
export const registryStore: RegistryStore = {
  createItemVersion,
  makeCurrent,
  createBundleVersion,
  makeBundleCurrent,
  currentItems,
  keepConflict,
  putPersonProfile,
  putEnterpriseProfile,
  writeProfiles,
  putCredit,
  putLicence,
  revokeLicence,
  markFalseCommitment,
  markBenefitFraud,
};
