/**
 * The approval consumer's group commit (approvalBatch in shared/approval/service.ts) over the in-memory
 * DynamoDB/SQS: a batch's new applications are decided one by one but written in one transaction, their
 * outboxes sent together and marked sent in one BatchWrite; a known application in the batch runs again
 * on its own and decides nothing new.
 */
import { jest } from '@jest/globals';
import { approvalBatch, submitApplication } from '#approval/service';
import { fakeAwsWithWeatherApplicant, setTestEnv, TABLES, QUEUES, type FakeAws } from './fake-aws';
import { weatherApp } from './fixtures';

setTestEnv();

const cause = (id: string) => ({ source: '/gov/portal', id, type: 'gov.application.submitted' });
let aws: FakeAws;

beforeEach(() => {
  aws = fakeAwsWithWeatherApplicant();
});
afterEach(() => jest.restoreAllMocks());

const outbound = () => aws.sent.filter((m) => m.queue === QUEUES.outbound).map((m) => m.body.id as string);
const pending = (id: string) => aws.get(TABLES.approvals, `APP#${id}`, 'OUTBOX#V#000001')?.duePk === 'OUTBOX';
const versions = (id: string) => [...aws.tables.get(TABLES.approvals)!.values()].filter((i) => i.pk === `APP#${id}` && String(i.sk).startsWith('V#'));
const writes = () => aws.requests.filter((r) => !r.startsWith('BatchGet') && !r.startsWith('Query'));

describe('approval group commit', () => {
  it('writes three new applications in one transaction and marks their outboxes sent in one BatchWrite', async () => {
    const unit = approvalBatch();
    for (const n of [1, 2, 3]) await unit.run(`m${n}`, () => submitApplication(weatherApp({ applicationId: `APP-${n}` }), cause(`e-${n}`)));
    expect(writes()).toEqual([]);
    expect((await unit.commit()).size).toBe(0);

    expect(writes()).toEqual(['TransactWrite', `BatchWrite ${TABLES.approvals}`]);
    expect(outbound().sort()).toEqual(['decision:APP-1:1', 'decision:APP-2:1', 'decision:APP-3:1']);
    for (const n of [1, 2, 3]) {
      expect(versions(`APP-${n}`)).toHaveLength(1);
      expect(pending(`APP-${n}`)).toBe(false);
      expect(aws.get(TABLES.approvals, `APP#APP-${n}`, 'OUTBOX#V#000001')?.sentAt).toEqual(expect.any(String));
    }
  });

  it('decides a redelivery in the same batch once: the second record finds the first written and sends nothing new', async () => {
    const unit = approvalBatch();
    await unit.run('m1', () => submitApplication(weatherApp({ applicationId: 'APP-1' }), cause('e-1')));
    await unit.run('m2', () => submitApplication(weatherApp({ applicationId: 'APP-2' }), cause('e-2')));
    await unit.run('m3', () => submitApplication(weatherApp({ applicationId: 'APP-1' }), cause('e-1')));
    expect((await unit.commit()).size).toBe(0);

    expect(versions('APP-1')).toHaveLength(1);
    expect(outbound().sort()).toEqual(['decision:APP-1:1', 'decision:APP-2:1']);
    expect(unit.stats.redone).toBe(1);
  });

  it('runs a known application of the batch again on its own; the others are written without it', async () => {
    await submitApplication(weatherApp({ applicationId: 'APP-OLD' }), cause('e-0'));
    aws.requests.length = 0;
    const unit = approvalBatch();
    await unit.run('m1', () => submitApplication(weatherApp({ applicationId: 'APP-OLD' }), cause('e-0')));
    await unit.run('m2', () => submitApplication(weatherApp({ applicationId: 'APP-NEW' }), cause('e-9')));
    expect((await unit.commit()).size).toBe(0);

    // Cancelled (APP-OLD exists), written without it, then APP-OLD's record alone: its transaction is
    // cancelled too and it loads the case, which owes nothing.
    expect(writes()).toEqual(['TransactWrite', 'TransactWrite', `BatchWrite ${TABLES.approvals}`, 'TransactWrite']);
    expect(versions('APP-OLD')).toHaveLength(1);
    expect(outbound().sort()).toEqual(['decision:APP-NEW:1', 'decision:APP-OLD:1']);
  });

  it('fails the records whose outboxes could not be sent; their redelivery sends them', async () => {
    const unit = approvalBatch();
    await unit.run('m1', () => submitApplication(weatherApp({ applicationId: 'APP-1' }), cause('e-1')));
    aws.failNextSend(new Error('outbound queue unreachable'));
    expect([...(await unit.commit())]).toEqual(['m1']);
    expect(pending('APP-1')).toBe(true);

    await submitApplication(weatherApp({ applicationId: 'APP-1' }), cause('e-1'));
    expect(outbound()).toEqual(['decision:APP-1:1']);
    expect(pending('APP-1')).toBe(false);
  });
});
