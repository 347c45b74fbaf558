/**
 * The adapter tier's DynamoDB Local (tests/support/dynamo.ts) and the environment: its end puts back the
 * variables its start set and nothing else. It used to put back the whole environment its start had found,
 * which undid what the file set in between and, after a `useEnv` that had already put its own back, set
 * that file's values again: `useEnv` had to be called after `useTestDynamo()`.
 */
import { startTestDynamo, useTestDynamo } from '#support/dynamo';
import { useEnv } from '#support/logs';

// The environment this file found, as far as the instances below touch it (Jest gives each file its own).
delete process.env.AWS_REGION;
useEnv({ AWS_REGION: 'eu-west-9' });
// Registered after useEnv: its afterAll runs second, when useEnv has put AWS_REGION back already.
useTestDynamo();
afterAll(() => {
  expect('AWS_REGION' in process.env).toBe(false);
});

describe('startTestDynamo', () => {
  it('puts back what it set, and leaves what was set while it ran', async () => {
    const region = process.env.AWS_REGION;
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    process.env.CIVICFLOW_DYNAMO_ENV_BEFORE = 'set before';
    const db = await startTestDynamo();
    try {
      expect(process.env.AWS_REGION).toBe('us-east-1');
      expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(db.endpoint);
      process.env.CIVICFLOW_DYNAMO_ENV_DURING = 'set while it ran';
      process.env.AWS_ACCESS_KEY_ID = 'changed while it ran';
    } finally {
      await db.stop();
    }
    expect(process.env.AWS_REGION).toBe(region);
    expect('AWS_ENDPOINT_URL_DYNAMODB' in process.env).toBe(false);
    expect(process.env.CIVICFLOW_DYNAMO_ENV_BEFORE).toBe('set before');
    expect(process.env.CIVICFLOW_DYNAMO_ENV_DURING).toBe('set while it ran');
    expect(process.env.AWS_ACCESS_KEY_ID).toBe('changed while it ran');
  }, 120_000);
});

describe('useTestDynamo after useEnv', () => {
  it("runs with the instance's region over the file's, and its end keeps the one useEnv put back", () => {
    expect(process.env.AWS_REGION).toBe('us-east-1');
  });
});
