/**
 * The local runtime's tables on a data folder kept from an earlier run: a table created before the topology
 * gave it a TTL attribute gets its TTL turned on at the next start (only a new table got it before), and a
 * start on a table whose TTL is on leaves it as it is.
 */
import { CreateTableCommand, DeleteTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localTableName, provisionTables } from '#local/provision';
import { startDynamo, type DynamoStandIn } from '#local/standins';
import { tables, type TableName } from '#topology';

let standIn: DynamoStandIn;
let client: DynamoDBClient;

beforeAll(async () => {
  standIn = await startDynamo();
  client = new DynamoDBClient({ endpoint: standIn.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}, 120_000);

afterAll(async () => {
  client?.destroy();
  await standIn?.stop();
});

const ttlOf = async (name: TableName) => (await client.send(new DescribeTimeToLiveCommand({ TableName: localTableName(name) }))).TimeToLiveDescription;

test('turns the TTL on for a table an earlier run created without it, and keeps it on', async () => {
  const withTtl = (Object.entries(tables) as [TableName, { ttlAttribute?: string }][]).filter(([, spec]) => spec.ttlAttribute !== undefined);
  expect(withTtl.map(([name]) => name)).toContain('simulations');
  await provisionTables(client);
  // The table as a data folder from before the TTL keeps it: the same keys, no TTL.
  await client.send(new DeleteTableCommand({ TableName: localTableName('simulations') }));
  await client.send(
    new CreateTableCommand({
      TableName: localTableName('simulations'),
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  expect((await ttlOf('simulations'))?.TimeToLiveStatus).toBe('DISABLED');
  await provisionTables(client);
  for (const [name, spec] of withTtl) expect(await ttlOf(name)).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: spec.ttlAttribute });
  // Started again on the same tables: nothing to change, and no error.
  await provisionTables(client);
  expect(await ttlOf('simulations')).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'purgeAt' });
}, 120_000);
