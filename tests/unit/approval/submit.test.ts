import { jest } from '@jest/globals';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { submitApplication } from '#approval/service';
import { fakeAwsWithWeatherApplicant, setTestEnv, TABLES, QUEUES, type FakeAws } from './fake-aws';
import { weatherApp } from './fixtures';

setTestEnv();

const cause = (id: string) => ({ source: '/gov/portal', id, type: 'gov.application.submitted' });
const APP = weatherApp();
const PK = `APP#${APP.applicationId}`;

let aws: FakeAws;

beforeEach(() => {
  aws = fakeAwsWithWeatherApplicant();
});
afterEach(() => jest.restoreAllMocks());

const outbound = () => aws.sent.filter((m) => m.queue === QUEUES.outbound).map((m) => m.body.id as string);
const versions = () => [...aws.tables.get(TABLES.approvals)!.values()].filter((i) => i.pk === PK && String(i.sk).startsWith('V#'));
const outboxPending = () => aws.get(TABLES.approvals, PK, 'OUTBOX#V#000001')?.duePk === 'OUTBOX';

describe('submitApplication', () => {
  it('decides a new application without reading its case first: one BatchGet, the licences Query, the transaction, the mark', async () => {
    await submitApplication(APP, cause('e-1'));

    expect(aws.requests).toEqual([`BatchGet ${TABLES.registry}`, `Query ${TABLES.registry}/gsi1`, 'TransactWrite', `Update ${TABLES.approvals}`]);
    expect(outbound()).toEqual([`decision:${APP.applicationId}:1`]);
    expect(versions()).toHaveLength(1);
    expect(outboxPending()).toBe(false);
    // The facts from the batch reached the decision: the e-licence waived the ID material.
    expect(JSON.parse(aws.get(TABLES.approvals, PK, 'DECISION')!.body).materialsWaived).toEqual(['ID']);
  });

  it('sends version 1 on a redelivery after a crash between the transaction and the send, deciding nothing new', async () => {
    aws.failNextSend(new Error('outbound queue unreachable'));
    await expect(submitApplication(APP, cause('e-1'))).rejects.toThrow('outbound queue unreachable');
    expect(outbound()).toEqual([]);
    expect(outboxPending()).toBe(true);

    aws.requests.length = 0;
    await submitApplication(APP, cause('e-1'));

    expect(aws.requests).toEqual([
      `BatchGet ${TABLES.registry}`,
      `Query ${TABLES.registry}/gsi1`,
      'TransactWrite', // cancelled: the application exists
      `Query ${TABLES.approvals}`,
      `Update ${TABLES.approvals}`,
    ]);
    expect(outbound()).toEqual([`decision:${APP.applicationId}:1`]);
    expect(versions()).toHaveLength(1);
    expect(outboxPending()).toBe(false);
  });

  it('sends nothing more on a redelivery after the outbox was sent', async () => {
    await submitApplication(APP, cause('e-1'));
    const stored = structuredClone([...aws.tables.get(TABLES.approvals)!.entries()]);
    await submitApplication(APP, cause('e-1'));
    await submitApplication(APP, cause('e-2')); // the same content resubmitted under another event id

    expect(outbound()).toEqual([`decision:${APP.applicationId}:1`]);
    expect([...aws.tables.get(TABLES.approvals)!.entries()]).toEqual(stored);
  });

  it('records other content under the same id as a conflict, once, and leaves the first decision standing', async () => {
    await submitApplication(APP, cause('e-1'));
    const decision = aws.get(TABLES.approvals, PK, 'DECISION');
    const other = weatherApp({ form: { weatherDate: '2026-11-11', purpose: '司法诉讼' } });
    await submitApplication(other, cause('e-9'));
    await submitApplication(other, cause('e-9'));

    const conflicts = [...aws.tables.get(TABLES.approvals)!.values()].filter((i) => String(i.sk).startsWith('CONFLICT#'));
    expect(conflicts.map((c) => c.sk)).toEqual(['CONFLICT#/gov/portal#e-9']);
    expect(aws.get(TABLES.approvals, PK, 'DECISION')).toEqual(decision);
    expect(versions()).toHaveLength(1);
    expect(outbound()).toEqual([`decision:${APP.applicationId}:1`]);
  });

  // storeFirstDecision says 'exists' only when the APPLICATION put (the first) failed its condition.
  it.each([
    ['a write conflict with another transaction', ['TransactionConflict', 'None', 'None', 'None', 'None']],
    ['a failed condition on another item (the audit line)', ['None', 'None', 'None', 'None', 'ConditionalCheckFailed']],
  ])('throws a cancelled transaction that is not about an existing application (%s) and decides on the retry', async (_why, codes) => {
    aws.failNextTransaction(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: codes.map((Code) => ({ Code })),
      }),
    );
    await expect(submitApplication(APP, cause('e-1'))).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(aws.requests).not.toContain(`Query ${TABLES.approvals}`);
    expect(outbound()).toEqual([]);

    await submitApplication(APP, cause('e-1'));
    expect(outbound()).toEqual([`decision:${APP.applicationId}:1`]);
  });
});
