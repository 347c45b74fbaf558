/**
 * The simulations table (the SimulationStore port). One partition per simulation:
 *
 *   SIM#<simulationId>  JOB          the request (draft, window), who asked, when, how many slices; create-only
 *   SIM#<simulationId>  SLICE#<nn>   one slice's tally, create-only: a redelivered slice stores nothing twice
 *
 * Bodies are gzip-compressed JSON (`bodyGz`): a draft and a slice's regressions can be large.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ddb } from '#platform/aws';
import { queryAll } from '#platform/paging';
import { tableName } from '#platform/resources';
import type { AnyTally, SimulationJob, SimulationStore } from './ports';

const table = () => tableName('simulations');
const pkOf = (id: string) => `SIM#${id}`;
const JOB_SK = 'JOB';
const SLICE_PREFIX = 'SLICE#';
const sliceSk = (shard: number) => `${SLICE_PREFIX}${String(shard).padStart(2, '0')}`;

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

export const simulationStore: SimulationStore = {
  async createJob(job) {
    if (!(await putOnce({ pk: pkOf(job.simulationId), sk: JOB_SK, kind: 'job', createdAt: job.createdAt, bodyGz: pack(job) }))) {
      throw new Error(`simulation ${job.simulationId} exists`);
    }
  },
  async loadJob(simulationId) {
    const out = await ddb.send(new GetCommand({ TableName: table(), Key: { pk: pkOf(simulationId), sk: JOB_SK }, ConsistentRead: true }));
    return out.Item === undefined ? undefined : unpack<SimulationJob>(out.Item);
  },
  putSlice: (simulationId, shard, tally, at) =>
    putOnce({ pk: pkOf(simulationId), sk: sliceSk(shard), kind: 'slice', shard, storedAt: at, bodyGz: pack(tally) }),
  async load(simulationId) {
    const items = await queryAll({ TableName: table(), KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': pkOf(simulationId) } });
    const jobItem = items.find((i) => i.sk === JOB_SK);
    if (jobItem === undefined) return undefined;
    const slices = new Map<number, AnyTally>();
    for (const item of items) if (item.kind === 'slice') slices.set(item.shard as number, unpack<AnyTally>(item));
    return { job: unpack<SimulationJob>(jobItem), slices };
  },
};
