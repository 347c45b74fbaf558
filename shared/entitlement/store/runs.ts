/** Matching runs: a version's run record and its finished slices (each recorded once). */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '#platform/aws';
import type { RunProgress, SliceOutcome } from '../ports';
import { policyPk, runSk, sliceSk, table } from './keys';
import { isConditionFailure, transact } from './transact';

export async function getRun(policyId: string, version: number): Promise<RunProgress | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: { pk: policyPk(policyId), sk: runSk(version) } }));
  if (!out.Item) return undefined;
  const { policyVersion, startedAt, slicesQueued, slicesDone, profiles, completedAt, lastSliceAt } = out.Item;
  return { policyVersion, startedAt, slicesQueued, slicesDone, profiles, completedAt, lastSliceAt } as RunProgress;
}

export async function isSliceDone(policyId: string, version: number, shard: number, cursor?: string): Promise<boolean> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: { pk: policyPk(policyId), sk: sliceSk(version, shard, cursor) } }));
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
  result: SliceOutcome,
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
