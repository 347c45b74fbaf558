/**
 * The adapter tier's DynamoDB: ONE DynamoDB Local (in memory) per test file, with every table of the
 * topology created as the local runtime creates them (local/provision.ts), and this process's SDK
 * clients and table variables pointed at it. A store is then tested against a real table: its keys,
 * conditions, transactions and indexes, not a fake's idea of them.
 *
 *   const db = useTestDynamo();
 *   let store: typeof import('#registry/store');
 *   beforeAll(async () => { store = await import('#registry/store'); });   // after useTestDynamo: the
 *                                                                           // SDK clients read the endpoint at import
 *
 * The tables are shared by the file's tests: give each test its own keys rather than relying on order.
 * CIVICFLOW_CONFIG is the local stage's unless the file set its own first. The end puts back only the
 * variables the start set, so `useEnv` (tests/support/logs.ts) may be called before or after this.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { provisionTables } from '#local/provision';
import { startDynamo, type DynamoStandIn } from '#local/standins';
import { env, type TableName } from '#topology';
import { stageConfig } from '#topology/stages';

export interface TestDynamo {
  readonly endpoint: string;
  /** Physical table names, by topology name. */
  readonly tables: Readonly<Record<TableName, string>>;
  /** A DocumentClient of the test's own, for arranging and inspecting items. */
  readonly doc: DynamoDBDocumentClient;
  /** One item by its key, as stored. */
  get(table: TableName, key: { readonly pk: string; readonly sk: string }): Promise<Record<string, unknown> | undefined>;
  /** Every item of one partition, in sort-key order. */
  partition(table: TableName, pk: string): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

/** Starts the DynamoDB Local of one test file and provisions the topology's tables. */
export async function startTestDynamo(): Promise<TestDynamo> {
  let standIn: DynamoStandIn | undefined;
  let admin: DynamoDBClient | undefined;
  try {
    standIn = await startDynamo();
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    admin = new DynamoDBClient({ endpoint: standIn.endpoint, region: 'us-east-1', credentials });
    const tables = await provisionTables(admin);
    const putBack = setEnv({
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: standIn.endpoint,
      // Stores read the stage's time zone (a date asOf is the start of that local day), as functions do.
      CIVICFLOW_CONFIG: process.env.CIVICFLOW_CONFIG ?? JSON.stringify(stageConfig('local')),
      ...Object.fromEntries(Object.entries(tables).map(([name, physical]) => [env.table(name as TableName), physical])),
    });
    const doc = DynamoDBDocumentClient.from(admin, { marshallOptions: { removeUndefinedValues: true } });
    const running = standIn;
    const client = admin;
    return {
      endpoint: running.endpoint,
      tables,
      doc,
      async get(table, key) {
        return (await doc.send(new GetCommand({ TableName: tables[table], Key: key, ConsistentRead: true }))).Item;
      },
      async partition(table, pk) {
        const items: Record<string, unknown>[] = [];
        let start: QueryCommandInput['ExclusiveStartKey'];
        do {
          const page = await doc.send(
            new QueryCommand({ TableName: tables[table], KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ExclusiveStartKey: start, ConsistentRead: true }),
          );
          items.push(...((page.Items ?? []) as Record<string, unknown>[]));
          start = page.LastEvaluatedKey;
        } while (start);
        return items;
      },
      async stop() {
        client.destroy();
        await running.stop();
        putBack();
      },
    };
  } catch (error) {
    admin?.destroy();
    await standIn?.stop();
    throw error;
  }
}

/**
 * Sets `vars` in process.env and returns what puts back, for each variable this changed, the value it had
 * before; a variable changed again since (a `useEnv` of the file putting back its own, in whichever order
 * their hooks run) is left as it is now. Nothing else is touched, so the file's own settings outlive this.
 */
function setEnv(vars: Readonly<Record<string, string>>): () => void {
  const changed = Object.entries(vars).filter(([k, v]) => process.env[k] !== v);
  const earlier = changed.map(([k]) => [k, process.env[k]] as const);
  for (const [k, v] of changed) process.env[k] = v;
  return () => {
    for (const [i, [k, before]] of earlier.entries()) {
      if (process.env[k] !== changed[i]![1]) continue;
      if (before === undefined) delete process.env[k];
      else process.env[k] = before;
    }
  };
}

/**
 * Registers the file's DynamoDB Local: started before its first test (register this before the hook that
 * imports the store under test), stopped after its last. Returns a getter for the running instance.
 */
export function useTestDynamo(): () => TestDynamo {
  let db: TestDynamo | undefined;
  beforeAll(async () => {
    db = await startTestDynamo();
  }, 120_000);
  afterAll(async () => {
    await db?.stop();
  });
  return () => {
    if (!db) throw new Error('DynamoDB Local is not running: call useTestDynamo() at the top of the file and use it in tests or hooks');
    return db;
  };
}
