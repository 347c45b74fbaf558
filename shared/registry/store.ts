/**
 * The registry's storage adapter: reference data in the `registry` table.
 *
 *   ITEM#<code>       V#<000001>   one service item version (immutable once written)
 *   ITEM#<code>       CURRENT      the newest active version (copy)
 *   PERSON#<id>       PROFILE      person profile            (newer asOf wins)
 *   ENT#<code>        PROFILE      enterprise profile        (newer asOf wins; gsi1 = ENTSHARD#nn / code)
 *   LIC#<no>          LICENCE      e-licence                 (gsi1 = HOLDER#<id> / LIC#<type>#<no>)
 *   CREDIT#<id>       CREDIT       credit record             (newer asOf wins; falseCommitmentMark is ours)
 *   CONFLICT#<kind>#<key> <eventId> a re-publication with other content, kept for auditors
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from '../platform/batch-get';
import { queryAll } from '../platform/paging';
import { env } from '../../infra/topology';
import { ddb } from '../platform/aws';
import { requireEnv } from '../platform/config';
import { contentHash } from '../util/canonical';
import type { CreditRecord, EnterpriseProfile, Licence, PersonProfile, ServiceItem } from '../contract/schemas';

const table = () => requireEnv(env.table('registry'));

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

export type UpsertOutcome = 'applied' | 'stale' | 'conflict' | 'duplicate';

export async function putItemVersion(item: ServiceItem, eventId: string): Promise<UpsertOutcome> {
  const hash = contentHash(item);
  const version = `V#${String(item.version).padStart(6, '0')}`;
  try {
    await ddb.send(
      new PutCommand({
        TableName: table(),
        Item: { pk: `ITEM#${item.itemCode}`, sk: version, kind: 'item', hash, item },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const existing = await ddb.send(new GetCommand({ TableName: table(), Key: { pk: `ITEM#${item.itemCode}`, sk: version } }));
    if (existing.Item?.hash !== hash) {
      await recordConflict('item', `${item.itemCode}@${item.version}`, eventId, item);
      return 'conflict';
    }
    // Same content again: fall through so that a CURRENT update lost by a crash is made now.
  }
  try {
    await ddb.send(
      new PutCommand({
        TableName: table(),
        Item: { ...currentItemKey(item.itemCode), kind: 'item', hash, version: item.version, item },
        ConditionExpression: 'attribute_not_exists(pk) OR version <= :v',
        ExpressionAttributeValues: { ':v': item.version },
      }),
    );
    return 'applied';
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return 'stale';
  }
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

async function putProfile(pk: string, asOf: string, profile: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<UpsertOutcome> {
  const asOfMs = Date.parse(asOf);
  try {
    await ddb.send(
      new PutCommand({
        TableName: table(),
        Item: { pk, sk: 'PROFILE', asOfMs, profile, ...extra },
        // Equal asOf rewrites the same record: a redelivery that crashed after writing still re-runs what follows.
        ConditionExpression: 'attribute_not_exists(pk) OR asOfMs <= :asOfMs',
        ExpressionAttributeValues: { ':asOfMs': asOfMs },
      }),
    );
    return 'applied';
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return 'stale';
  }
}

export const putPersonProfile = (p: PersonProfile) => putProfile(profileKey('person', p.idNumber).pk, p.asOf, p, { kind: 'person' });

export const putEnterpriseProfile = (p: EnterpriseProfile) =>
  putProfile(profileKey('enterprise', p.creditCode).pk, p.asOf, p, { kind: 'enterprise', gsi1pk: shardKey(shardOf(p.creditCode)), gsi1sk: p.creditCode });

export async function getPersonProfile(idNumber: string): Promise<PersonProfile | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: profileKey('person', idNumber) }));
  return out.Item?.profile as PersonProfile | undefined;
}

export async function getEnterpriseProfile(creditCode: string): Promise<EnterpriseProfile | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: profileKey('enterprise', creditCode) }));
  return out.Item?.profile as EnterpriseProfile | undefined;
}

/** Stored licence: the issued record plus `revokedAt` when a revocation arrived (even before the issue). */
export type StoredLicence = Licence & { revokedAt?: string };

export async function putLicence(l: Licence): Promise<void> {
  // SET every issued field but never revokedAt: a revocation that arrived first stays in force.
  const fields = { ...l } as Record<string, unknown>;
  const names: Record<string, string> = { '#licence': 'licence' };
  await ddb.send(
    new UpdateCommand({
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
    }),
  );
}

export async function revokeLicence(licenceNo: string, revokedAt: string): Promise<void> {
  // The earliest revocation wins; a redelivery changes nothing.
  await ddb.send(
    new UpdateCommand({
      TableName: table(),
      Key: { pk: `LIC#${licenceNo}`, sk: 'LICENCE' },
      UpdateExpression: 'SET revokedAt = :r',
      ConditionExpression: 'attribute_not_exists(revokedAt) OR revokedAt > :r',
      ExpressionAttributeValues: { ':r': new Date(revokedAt).toISOString() },
    }),
  ).catch((error: unknown) => {
    if (!isConditionFailure(error)) throw error;
  });
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

export async function putCredit(c: CreditRecord): Promise<UpsertOutcome> {
  const asOfMs = Date.parse(c.asOf);
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: table(),
        Key: creditKey(c.subjectId),
        UpdateExpression: 'SET credit = :c, asOfMs = :a, kind = :k',
        ConditionExpression: 'attribute_not_exists(asOfMs) OR asOfMs <= :a',
        ExpressionAttributeValues: { ':c': c, ':a': asOfMs, ':k': 'credit' },
      }),
    );
    return 'applied';
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return 'stale';
  }
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
