/**
 * The upward sender's handler (functions/review/sync.ts) passes the invocation's time left down to the
 * operator's re-push and to the send that follows it: invoked with little time left, it starts neither,
 * answers with what it left (the re-push's `deferred` and `continueWith`, the send's `deferred`), and the
 * records are as they were. Against DynamoDB Local, on a stage that reports upward.
 */
import type { Context } from 'aws-lambda';
import type { SyncRecord } from '#review/domain/upward/sync';
import { useTestDynamo } from '#support/dynamo';
import { QUIET_POWERTOOLS, useEnv } from '#support/logs';
import { stageConfig } from '#topology/stages';

useTestDynamo();
// Read when the function's modules load (and by useTestDynamo's start): a stage that reports upward, to a
// platform nothing listens on (a record sent would fail and be retried, not stay as it was).
useEnv({
  CIVICFLOW_CONFIG: JSON.stringify({ ...stageConfig('local'), upward: { profile: 'national', url: 'http://127.0.0.1:9/upward', dataSource: '144' } }),
  ...QUIET_POWERTOOLS,
});
let handler: (event: unknown, context: Context) => Promise<unknown>;
let reviewStore: typeof import('#review/store');
let syncStore: typeof import('#review/store/sync');
let reserveMs: number;
beforeAll(async () => {
  ({ handler } = (await import('#functions/review/sync')) as unknown as { handler: typeof handler });
  reviewStore = await import('#review/store');
  syncStore = await import('#review/store/sync');
  reserveMs = (await import('#review/sync')).REPUSH_TIME_RESERVE_MS;
});

function record(caseId: string, over: Partial<SyncRecord>): SyncRecord {
  return {
    recordId: `${caseId}#1`,
    key: { projectNo: caseId, assessNumber: '1' },
    kind: 'review',
    caseId,
    sourceEventAt: '2026-11-02T01:00:00.000Z',
    createdAt: '2026-11-02T02:00:00.000Z',
    payload: { projectNo: caseId, assessNumber: '1', satisfaction: '1', writingEvaluation: '' },
    state: 'PENDING',
    attempt: 0,
    attemptNo: 0,
    round: 1,
    nextAttemptAt: '2026-11-02T02:00:00.000Z',
    version: 1,
    ...over,
  };
}

/** A Lambda context with `leftMs` left, whenever it is asked. */
function contextWithLeft(leftMs: number): Context {
  return { functionName: 'upward-sync', awsRequestId: 'req-1', getRemainingTimeInMillis: () => leftMs } as unknown as Context;
}

describe('the upward sender invoked with little time left', () => {
  it('re-pushes and sends nothing, and answers with the records it left', async () => {
    const rejected = record('HS-REJ', { state: 'REJECTED', rejection: { code: 'E_DEPT_UNKNOWN', message: '部门未在平台注册', at: '2026-11-02T02:01:00.000Z' } });
    delete (rejected as { nextAttemptAt?: string }).nextAttemptAt;
    const due = record('HS-DUE', {});
    for (const r of [rejected, due]) await reviewStore.dynamoReviewStore.commit({ caseId: r.caseId, caseWrite: { expectedVersion: undefined, version: 1 }, syncRecords: [r] });

    const answer = await handler({ repush: { by: 'record', recordIds: [rejected.recordId] }, remap: false, actor: 'test:operator' }, contextWithLeft(reserveMs - 1));

    expect(answer).toMatchObject({
      repush: { repushed: [], failed: [], deferred: [rejected.recordId], continueWith: { by: 'record', recordIds: [rejected.recordId] } },
      sync: { attempted: 0, deferred: 1 },
    });
    expect(await syncStore.dynamoSyncStore.getRecord(rejected.recordId)).toMatchObject({ state: 'REJECTED', round: 1, version: 1 });
    expect(await syncStore.dynamoSyncStore.getRecord(due.recordId)).toMatchObject({ state: 'PENDING', attemptNo: 0, version: 1 });
  });
});
