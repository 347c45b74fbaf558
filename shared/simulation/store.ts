/**
 * The simulations table (the SimulationStore port). One partition per simulation:
 *
 *   SIM#<simulationId>  JOB          the request (draft, window), who asked, when, how many slices; create-only
 *                                    but for `pending` (true until its slices were all queued; a job stored
 *                                    before the sweep existed has none: it was queued)
 *   PENDING             <createdAt>#<simulationId>
 *                                    a job stored and not queued yet, written with the job and deleted
 *                                    with its `pending` once its slices are queued: the simulation sweep
 *                                    reads this one partition (a few items at most: starts are rare)
 *   SIM#<simulationId>  SLICE#<nn>   one slice's tally, create-only: a redelivered slice stores nothing twice
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
import { RETENTION_HOURS, type KeyRecord } from './domain/idempotency';
import type { AnyTally, SimulationJob, SimulationStore } from './ports';

const table = () => tableName('simulations');
const pkOf = (id: string) => `SIM#${id}`;
const JOB_SK = 'JOB';
const SLICE_PREFIX = 'SLICE#';
const sliceSk = (shard: number) => `${SLICE_PREFIX}${String(shard).padStart(2, '0')}`;
const keyOf = (keyId: string) => ({ pk: `KEY#${keyId}`, sk: 'KEY' });
const PENDING_PK = 'PENDING';
const pendingOf = (job: Pick<SimulationJob, 'simulationId' | 'createdAt'>) => ({ pk: PENDING_PK, sk: `${job.createdAt}#${job.simulationId}` });
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
  async markJobQueued(job) {
    try {
      await ddb.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: table(),
                Key: { pk: pkOf(job.simulationId), sk: JOB_SK },
                UpdateExpression: 'REMOVE pending',
                ConditionExpression: 'attribute_exists(pk)',
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
    const items = await queryAll({
      TableName: table(),
      KeyConditionExpression: 'pk = :p AND sk < :s',
      ExpressionAttributeValues: { ':p': PENDING_PK, ':s': `${createdUpTo}$` },
      ConsistentRead: true,
    });
    return items.map((i) => ({ simulationId: i.simulationId as string, createdAt: i.createdAt as string }));
  },
  async loadJob(simulationId) {
    const out = await ddb.send(new GetCommand({ TableName: table(), Key: { pk: pkOf(simulationId), sk: JOB_SK }, ConsistentRead: true }));
    return out.Item === undefined ? undefined : unpack<SimulationJob>(out.Item);
  },
  async isJobQueued(simulationId) {
    const out = await ddb.send(new GetCommand({ TableName: table(), Key: { pk: pkOf(simulationId), sk: JOB_SK }, ProjectionExpression: 'pk, pending', ConsistentRead: true }));
    return out.Item !== undefined && out.Item.pending !== true;
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
    for (const item of items) if (item.kind === 'slice') slices.set(item.shard as number, unpack<AnyTally>(item));
    return { job: unpack<SimulationJob>(found), slices, queued: found.pending !== true };
  },
};
