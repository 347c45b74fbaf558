/**
 * The simulations table (the SimulationStore port). One partition per simulation:
 *
 *   SIM#<simulationId>  JOB          the request (draft, window), who asked, when, how many slices; create-only
 *                                    but for `pending` (true until its slices were all queued; a job stored
 *                                    before the sweep existed has none: it was queued) and `queuedAt` (when
 *                                    they were first all queued: a job's progress is counted from it)
 *   PENDING#<n>         <createdAt>#<simulationId>
 *                                    a job stored and not queued yet, written with the job and deleted
 *                                    with its `pending` once its slices are queued; n (0–7) from a hash of
 *                                    the simulation id, so the starts and queueings of every bureau do not
 *                                    all write one partition key. The simulation sweep reads every shard,
 *                                    and deletes an entry whose job is not there (deleted by hand)
 *   PENDING             <createdAt>#<simulationId>
 *                                    the same entry as written before the entries were sharded: the sweep
 *                                    moves each one it lists to its shard (see LEGACY_PENDING_PK)
 *   SIM#<simulationId>  SLICE#<nn>   one slice's tally, create-only: a redelivered slice stores nothing twice;
 *                                    `storedAt`, when it was stored
 *   KEY#<keyId>         KEY          an Idempotency-Key's record (keyId: hash of principal and key): the
 *                                    simulation it started, the hash of its request, whether the slices
 *                                    were queued, `expiresAt` (epoch seconds, 24 h after the first request
 *                                    by the functions' clock); written with its job in one transaction.
 *                                    `purgeAt` is the table's TTL attribute: `expiresAt`, but never sooner
 *                                    than 24 h of the wall clock (DynamoDB's TTL reads the wall clock; a
 *                                    local runtime whose clock is set back must not lose a key it still keeps)
 *
 * Bodies are gzip-compressed JSON (`bodyGz`): a draft and a slice's regressions can be large.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ddb } from '#platform/aws';
import { queryAll } from '#platform/paging';
import { tableName } from '#platform/resources';
import { cancellationCodes } from '#platform/transactions';
import { StorageUnavailableError } from '#platform/unavailable';
import { shardOfKey } from '#util/shard';
import { RETENTION_HOURS, type KeyRecord } from './domain/idempotency';
import type { AnyTally, SimulationJob, SimulationStore, StoredJob } from './ports';

const table = () => tableName('simulations');
const pkOf = (id: string) => `SIM#${id}`;
const JOB_SK = 'JOB';
const SLICE_PREFIX = 'SLICE#';
const sliceSk = (shard: number) => `${SLICE_PREFIX}${String(shard).padStart(2, '0')}`;
const keyOf = (keyId: string) => ({ pk: `KEY#${keyId}`, sk: 'KEY' });
/**
 * Shards of the pending entries: every start writes one and every queueing deletes it, and a partition key
 * takes at most 1,000 writes a second; a few shards are enough for starts, and the sweep reads them all.
 */
const PENDING_SHARDS = 8;
const pendingPk = (shard: number) => `PENDING#${shard}`;
const pendingOf = (job: Pick<SimulationJob, 'simulationId' | 'createdAt'>) => ({
  pk: pendingPk(shardOfKey(job.simulationId, PENDING_SHARDS)),
  sk: `${job.createdAt}#${job.simulationId}`,
});
/**
 * The one partition the entries were written to before they were sharded. A job stranded before this
 * release is listed only there, and a function of the release before may still write there while this one
 * deploys, so the sweep reads it too and moves each entry it lists to its shard, where marking the job
 * queued deletes it. Reading it can go in the release after this one, once a sweep has run on every stage:
 * its first run moves every entry past the grace period, and an older function's start lasts 10 s at most
 * (check that `pk = PENDING` holds no item before removing it).
 */
const LEGACY_PENDING_PK = 'PENDING';
const jobItem = (job: SimulationJob) => ({ pk: pkOf(job.simulationId), sk: JOB_SK, kind: 'job', createdAt: job.createdAt, pending: true, bodyGz: pack(job) });
const pendingItem = (job: SimulationJob) => ({ ...pendingOf(job), kind: 'pending', simulationId: job.simulationId, createdAt: job.createdAt });
/** Tries of the keyed create when a concurrent transaction on the same key made it cancel. */
const KEYED_ATTEMPTS = 5;

const pack = (value: unknown) => gzipSync(JSON.stringify(value));
const unpack = <T>(item: Record<string, unknown>): T => JSON.parse(gunzipSync(item.bodyGz as Uint8Array).toString('utf8')) as T;

async function putOnce(item: Record<string, unknown>): Promise<boolean> {
  try {
    await ddb.send(new PutCommand({ TableName: table(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

function keyRecordOf(item: Record<string, unknown>): KeyRecord {
  return {
    keyId: item.keyId as string,
    principal: item.principal as string,
    simulationId: item.simulationId as string,
    requestHash: item.requestHash as string,
    createdAt: item.createdAt as string,
    expiresAt: item.expiresAt as number,
    queued: item.queued === true,
  };
}

async function loadKey(keyId: string): Promise<KeyRecord | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: keyOf(keyId), ConsistentRead: true }));
  return out.Item === undefined ? undefined : keyRecordOf(out.Item);
}

export const simulationStore: SimulationStore = {
  async createJob(job) {
    try {
      await ddb.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: table(), Item: jobItem(job), ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: table(), Item: pendingItem(job) } },
          ],
        }),
      );
    } catch (error) {
      if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') throw new Error(`simulation ${job.simulationId} exists`);
      throw error;
    }
  },
  async createKeyedJob(job, key) {
    const nowSeconds = Math.floor(Date.parse(key.createdAt) / 1000);
    for (let attempt = 1; ; attempt++) {
      try {
        await ddb.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: table(),
                  Item: { ...keyOf(key.keyId), kind: 'key', ...key, purgeAt: Math.max(key.expiresAt, Math.floor(Date.now() / 1000) + RETENTION_HOURS * 3600) },
                  // A record past its expiry counts as none, whether or not the TTL has removed it yet.
                  ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
                  ExpressionAttributeValues: { ':now': nowSeconds },
                },
              },
              { Put: { TableName: table(), Item: jobItem(job), ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: table(), Item: pendingItem(job) } },
            ],
          }),
        );
        return { created: true };
      } catch (error) {
        const codes = cancellationCodes(error);
        if (codes === undefined) throw error;
        if (codes[1] === 'ConditionalCheckFailed') throw new Error(`simulation ${job.simulationId} exists`);
        if (codes[0] === 'ConditionalCheckFailed') {
          const existing = await loadKey(key.keyId);
          // Removed by the TTL between the two: try again.
          if (existing !== undefined) return { created: false, existing };
        }
        // A concurrent first request's transaction on the same key: the next try finds its record.
        if (attempt >= KEYED_ATTEMPTS) throw new StorageUnavailableError(`the key's record kept conflicting (${codes.join(', ')})`);
        await new Promise((r) => setTimeout(r, 20 * 2 ** attempt * (0.5 + Math.random())));
      }
    }
  },
  loadKey,
  async markQueued(keyId) {
    try {
      await ddb.send(new UpdateCommand({ TableName: table(), Key: keyOf(keyId), UpdateExpression: 'SET queued = :t', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':t': true } }));
    } catch (error) {
      // Removed by the TTL already: nothing left to mark (and no partial record made).
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  },
  async markJobQueued(job, at) {
    try {
      await ddb.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: table(),
                Key: { pk: pkOf(job.simulationId), sk: JOB_SK },
                // The first time it was queued stays: the view counts a job's progress from it.
                UpdateExpression: 'REMOVE pending SET queuedAt = if_not_exists(queuedAt, :at)',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':at': at },
              },
            },
            { Delete: { TableName: table(), Key: pendingOf(job) } },
          ],
        }),
      );
    } catch (error) {
      // No such job: nothing to mark (a pending entry never exists without its job).
      if (cancellationCodes(error)?.[0] !== 'ConditionalCheckFailed') throw error;
    }
  },
  async pendingJobs(createdUpTo) {
    // `<createdAt>#<id>` sorts by creation time (ISO 8601 in one form); '$' follows '#', so a job created
    // at `createdUpTo` itself is listed.
    const listed = (pk: string) =>
      queryAll({
        TableName: table(),
        KeyConditionExpression: 'pk = :p AND sk < :s',
        ExpressionAttributeValues: { ':p': pk, ':s': `${createdUpTo}$` },
        ConsistentRead: true,
      });
    const [legacy, ...shards] = await Promise.all([listed(LEGACY_PENDING_PK), ...Array.from({ length: PENDING_SHARDS }, (_, n) => listed(pendingPk(n)))]);
    const moved = await Promise.all(legacy.map(moveToShard));
    // An entry another run moved first is gone from the old partition, so this run does not list it twice.
    return [...shards.flat(), ...legacy.filter((_, i) => moved[i])]
      .map((i) => ({ sk: i.sk as string, simulationId: i.simulationId as string, createdAt: i.createdAt as string }))
      .sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0))
      .map(({ simulationId, createdAt }) => ({ simulationId, createdAt }));
  },
  async removeOrphanedEntry(entry) {
    try {
      await ddb.send(
        new TransactWriteCommand({
          TransactItems: [
            { ConditionCheck: { TableName: table(), Key: { pk: pkOf(entry.simulationId), sk: JOB_SK }, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Delete: { TableName: table(), Key: pendingOf(entry), ConditionExpression: 'attribute_exists(pk)' } },
          ],
        }),
      );
      return true;
    } catch (error) {
      // The job is there (it was not an orphan), or another run removed the entry first.
      if (cancellationCodes(error)?.some((code) => code === 'ConditionalCheckFailed')) return false;
      throw error;
    }
  },
  async loadJob(simulationId) {
    const out = await ddb.send(new GetCommand({ TableName: table(), Key: { pk: pkOf(simulationId), sk: JOB_SK }, ConsistentRead: true }));
    return out.Item === undefined ? undefined : storedJobOf(out.Item);
  },
  async hasSlice(simulationId, shard) {
    const out = await ddb.send(new GetCommand({ TableName: table(), Key: { pk: pkOf(simulationId), sk: sliceSk(shard) }, ProjectionExpression: 'pk', ConsistentRead: true }));
    return out.Item !== undefined;
  },
  putSlice: (simulationId, shard, tally, at) =>
    putOnce({ pk: pkOf(simulationId), sk: sliceSk(shard), kind: 'slice', shard, storedAt: at, bodyGz: pack(tally) }),
  async load(simulationId) {
    const items = await queryAll({ TableName: table(), KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': pkOf(simulationId) } });
    const found = items.find((i) => i.sk === JOB_SK);
    if (found === undefined) return undefined;
    const slices = new Map<number, AnyTally>();
    let progressedAt = (found.queuedAt ?? found.createdAt) as string;
    for (const item of items) {
      if (item.kind !== 'slice') continue;
      slices.set(item.shard as number, unpack<AnyTally>(item));
      if (Date.parse(item.storedAt as string) > Date.parse(progressedAt)) progressedAt = item.storedAt as string;
    }
    return { ...storedJobOf(found), slices, progressedAt };
  },
};

/** A job's item: the job, and whether its slices were queued (`pending` absent: a job from before the sweep was, too). */
function storedJobOf(item: Record<string, unknown>): StoredJob {
  return { job: unpack<SimulationJob>(item), queued: item.pending !== true };
}

/**
 * Moves an entry of the unsharded partition to its shard; false when it is gone already (its job was
 * queued meanwhile, by a function of the release before, or another sweep run moved it).
 */
async function moveToShard(item: Record<string, unknown>): Promise<boolean> {
  const entry = { simulationId: item.simulationId as string, createdAt: item.createdAt as string };
  try {
    await ddb.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: table(), Key: { pk: LEGACY_PENDING_PK, sk: item.sk }, ConditionExpression: 'attribute_exists(pk)' } },
          { Put: { TableName: table(), Item: { ...item, ...pendingOf(entry) } } },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') return false;
    throw error;
  }
}
