/**
 * Where DynamoDB Local's CPU goes, by kind of request: a uniform sample of the day's requests (reservoir
 * sampling, up to `SAMPLE_PER_KIND` of each kind, as the functions sent them), replayed after the day with the
 * JVM's CPU measured per kind. Reads go to the day's own tables (they change nothing and find the day's data);
 * writes go to empty copies of the tables they name (same keys and indexes), each request's partition keys
 * suffixed so that no two meet on an item, and every condition made to hold (`(<condition>) OR
 * attribute_not_exists(<partition key>)`: the condition is still parsed and evaluated, and the write still
 * happens), so a replayed write costs what it cost on the day, not what a refusal would.
 */
import {
  BatchExecuteStatementCommand,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ExecuteStatementCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { countItems, itemBytes, topologyTable, type ItemsWritten } from './meter';

export const SAMPLE_PER_KIND = 300;

/** The request kinds replayed, writes first (into copies), then reads (against the day's tables). */
const COMMANDS = {
  TransactWriteItems: TransactWriteItemsCommand,
  BatchWriteItem: BatchWriteItemCommand,
  BatchExecuteStatement: BatchExecuteStatementCommand,
  PutItem: PutItemCommand,
  UpdateItem: UpdateItemCommand,
  DeleteItem: DeleteItemCommand,
  Query: QueryCommand,
  BatchGetItem: BatchGetItemCommand,
  GetItem: GetItemCommand,
  ExecuteStatement: ExecuteStatementCommand,
} as const;
type Kind = keyof typeof COMMANDS;
const WRITES = new Set<Kind>(['TransactWriteItems', 'BatchWriteItem', 'BatchExecuteStatement', 'PutItem', 'UpdateItem', 'DeleteItem']);

/** A uniform sample of each kind's requests, of at most `cap` (Algorithm R, with a seeded generator). */
export class RequestSample {
  readonly seen: Record<string, number> = {};
  readonly kept: Record<string, unknown[]> = {};
  private seed = 20261204;

  constructor(private readonly cap = SAMPLE_PER_KIND) {}

  offer(name: string, input: unknown): void {
    if (!(name in COMMANDS)) return;
    const n = (this.seen[name] = (this.seen[name] ?? 0) + 1);
    const kept = (this.kept[name] ??= []);
    if (kept.length < this.cap) kept.push(structuredClone(input));
    else {
      const j = this.next() % n;
      if (j < this.cap) kept[j] = structuredClone(input);
    }
  }

  /** xorshift32: the same sample for the same day. */
  private next(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed;
  }
}

export interface KindCost {
  readonly kind: string;
  /** Requests of this kind in the day. */
  readonly requests: number;
  readonly replayed: number;
  /** Replayed requests refused all the same (a transaction cancelled, say): their cost is a refusal's. */
  readonly failed: number;
  /** The first failure's message, if any. */
  readonly firstFailure?: string;
  /** DynamoDB Local's CPU per request of this kind, and the Node process's (the SDK client's side). */
  readonly jvmMsPerRequest: number;
  readonly nodeMsPerRequest: number;
  /** Writes: the replayed requests' items per request, and the mean size of those put whole (bytes). */
  readonly itemsPerRequest?: number;
  readonly bytesPerPut?: number;
}

interface CpuMeter {
  (): { node: number; standIns: number };
}

/** Replays the sample kind by kind, 8 requests in flight, and measures each kind's CPU per request. */
export async function replaySample(sample: RequestSample, endpoint: string | undefined, cpu: CpuMeter): Promise<KindCost[]> {
  const client = new DynamoDBClient({ endpoint, maxAttempts: 3 });
  const copies = new Map<string, Copy>();
  try {
    for (const kind of WRITES) {
      for (const input of sample.kept[kind] ?? []) for (const t of tablesOf(kind, input)) if (!copies.has(t)) copies.set(t, await copyTable(client, t, true));
    }
    const out: KindCost[] = [];
    const measure = async (kind: Kind, inputs: unknown[]) => {
      const c0 = cpu();
      const { failed, firstFailure } = await sendAll(client, kind, inputs);
      const c1 = cpu();
      out.push({
        kind,
        requests: sample.seen[kind] ?? 0,
        replayed: inputs.length,
        failed,
        ...(firstFailure === undefined ? {} : { firstFailure }),
        jvmMsPerRequest: ((c1.standIns - c0.standIns) * 1000) / inputs.length,
        nodeMsPerRequest: ((c1.node - c0.node) * 1000) / inputs.length,
        ...(WRITES.has(kind) ? writeShape(kind, sample.kept[kind] ?? []) : {}),
      });
    };
    for (const kind of Object.keys(COMMANDS) as Kind[]) {
      const inputs = (sample.kept[kind] ?? []).map((input, n) => (WRITES.has(kind) ? intoCopies(kind, input, n, copies) : input));
      if (inputs.length > 0) await measure(kind, inputs);
    }
    return out;
  } finally {
    for (const { name } of copies.values()) await client.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
    client.destroy();
  }
}

/**
 * A lever measured without building it: the audit lines written by a change-data-capture consumer (DynamoDB
 * Streams) instead of inside each transaction. The sampled transactions are replayed three ways into three
 * sets of empty copies: as sent; without their audit lines; and without them into copies whose tables (the
 * audit table's aside) have streams of new and old images, as such a consumer needs to say what changed. Then
 * the lines are written as that consumer would, by BatchWriteItem of 25, and the streams read as Lambda's
 * poller reads them (GetRecords of 100). The sample is cut into rounds and each round runs every step back to
 * back, so the machine's drift over the replay falls on all of them alike. The JVM's CPU of each step, per
 * transaction replayed.
 */
export interface CdcWhatIf {
  readonly transactions: number;
  readonly rounds: number;
  readonly auditItemsPerTransaction: number;
  readonly streamRecordsPerTransaction: number;
  readonly jvmMsPerTransaction: {
    /** As the day sent them, in this replay (side by side with the rest). */
    readonly asSent: number;
    /** Control: without their audit lines into copies without streams (what removing the lines alone saves). */
    readonly withoutAuditNoStreams: number;
    readonly withoutAudit: number;
    readonly auditBatches: number;
    readonly streamReads: number;
  };
  /** Requests refused all the same (their cost is a refusal's), and the first reason. */
  readonly failed: number;
  readonly firstFailure?: string;
}

/** Rounds of a what-if: each runs every step back to back, so the machine's drift falls on all steps alike. */
const WHAT_IF_ROUNDS = 6;

/** The sampled transactions cut into at most `WHAT_IF_ROUNDS` rounds: each round's part and its first one's index. */
function roundsOf<T>(transactions: readonly T[]): Array<{ round: number; from: number; part: T[] }> {
  const rounds = Math.min(WHAT_IF_ROUNDS, transactions.length);
  return Array.from({ length: rounds }, (_, round) => {
    const from = Math.floor((round * transactions.length) / rounds);
    return { round, from, part: transactions.slice(from, Math.floor(((round + 1) * transactions.length) / rounds)) };
  });
}

/** A what-if's steps: the stand-in's CPU of each summed under its name over the rounds, and the requests refused. */
class Steps<K extends string> {
  private readonly ms: Record<K, number>;
  private failed = 0;
  private firstFailure: string | undefined;

  constructor(
    private readonly cpu: CpuMeter,
    names: readonly K[],
  ) {
    this.ms = Object.fromEntries(names.map((k) => [k, 0])) as Record<K, number>;
  }

  async run(name: K, step: () => Promise<{ failed: number; firstFailure?: string } | void>): Promise<void> {
    const c0 = this.cpu();
    const r = await step();
    this.ms[name] += (this.cpu().standIns - c0.standIns) * 1000;
    if (r) {
      this.failed += r.failed;
      this.firstFailure ??= r.firstFailure;
    }
  }

  /** Each step's JVM ms per unit (transaction, item) of `units`. */
  per(units: number): Record<K, number> {
    return Object.fromEntries(Object.entries<number>(this.ms).map(([k, ms]) => [k, ms / units])) as Record<K, number>;
  }

  /** Requests refused all the same (their cost is a refusal's), and the first reason. */
  refusals(): { failed: number; firstFailure?: string } {
    return { failed: this.failed, ...(this.firstFailure === undefined ? {} : { firstFailure: this.firstFailure }) };
  }
}

export async function replayAuditByCdc(sample: RequestSample, endpoint: string | undefined, cpu: CpuMeter): Promise<CdcWhatIf | undefined> {
  const transactions = (sample.kept.TransactWriteItems ?? []) as any[];
  const isAudit = (table: string) => topologyTable(table) === 'audit';
  if (!transactions.some((t) => (t.TransactItems ?? []).some((i: any) => isAudit(i.Put?.TableName ?? '')))) return undefined;
  const client = new DynamoDBClient({ endpoint, maxAttempts: 3 });
  const sets = { asSent: new Map<string, Copy>(), control: new Map<string, Copy>(), cdc: new Map<string, Copy & { streamArn?: string }>() };
  try {
    for (const input of transactions) {
      for (const t of tablesOf('TransactWriteItems', input)) {
        if (sets.asSent.has(t)) continue;
        sets.asSent.set(t, await copyTable(client, t, true, { suffix: 'cdc-as-sent', stream: false }));
        sets.control.set(t, await copyTable(client, t, true, { suffix: 'cdc-control', stream: false }));
        sets.cdc.set(t, await copyTable(client, t, true, { suffix: 'cdc', stream: !isAudit(t) }));
      }
    }
    const auditCopies = new Set([...sets.cdc, ...sets.control].filter(([t]) => isAudit(t)).map(([, c]) => c.name));
    /** The n-th transaction aimed at `into`, without its audit lines (kept in `lines`). */
    const stripped = (input: unknown, n: number, into: Map<string, Copy>, lines: Array<{ table: string; item: unknown }>) => {
      const aimed = intoCopies('TransactWriteItems', input, n, into) as any;
      const rest: unknown[] = [];
      for (const t of aimed.TransactItems as any[]) {
        if (t.Put !== undefined && auditCopies.has(t.Put.TableName)) lines.push({ table: t.Put.TableName, item: t.Put.Item });
        else rest.push(t);
      }
      return rest.length > 0 ? [{ ...aimed, TransactItems: rest }] : [];
    };
    const tails = [...sets.cdc.values()].flatMap(({ streamArn }) => (streamArn === undefined ? [] : [new StreamTail(endpoint!, streamArn)]));
    const steps = new Steps(cpu, ['asSent', 'withoutAuditNoStreams', 'withoutAudit', 'auditBatches', 'streamReads']);
    let lines = 0;
    let records = 0;
    const rounds = roundsOf(transactions);
    for (const { from, part } of rounds) {
      const auditLines: Array<{ table: string; item: unknown }> = [];
      const asSent = part.map((input, i) => intoCopies('TransactWriteItems', input, from + i, sets.asSent));
      const control = part.flatMap((input, i) => stripped(input, from + i, sets.control, []));
      const cdc = part.flatMap((input, i) => stripped(input, from + i, sets.cdc, auditLines));
      lines += auditLines.length;
      await steps.run('asSent', () => sendAll(client, 'TransactWriteItems', asSent));
      await steps.run('withoutAuditNoStreams', () => sendAll(client, 'TransactWriteItems', control));
      await steps.run('withoutAudit', () => sendAll(client, 'TransactWriteItems', cdc));
      await steps.run('auditBatches', () => sendAll(client, 'BatchWriteItem', batchesOf(auditLines)));
      await steps.run('streamReads', async () => {
        for (const tail of tails) records += await tail.readNew();
      });
    }
    const per = (x: number) => x / transactions.length;
    return {
      transactions: transactions.length,
      rounds: rounds.length,
      auditItemsPerTransaction: per(lines),
      streamRecordsPerTransaction: per(records),
      jvmMsPerTransaction: steps.per(transactions.length),
      ...steps.refusals(),
    };
  } finally {
    const names = [...sets.asSent.values(), ...sets.control.values(), ...sets.cdc.values()].map((c) => c.name);
    for (const name of names) await client.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
    client.destroy();
  }
}

/** The payload of the stand-in's write probes: an item of ~0.5 KB with it. */
export const PROBE_PAYLOAD = 'x'.repeat(400);
/** The transaction probe's item: create-only, ~0.5 KB, a partition per transaction, no index key. */
export const probePut = (TableName: string, transaction: string, k: number) => ({
  Put: { TableName, Item: { pk: { S: transaction }, sk: { S: `ITEM#${k}` }, payload: { S: PROBE_PAYLOAD } }, ConditionExpression: 'attribute_not_exists(pk)' },
});
/** The transaction probe's size: an approval batch's first decisions when it was set, 10 of 5 items (4 each since 7a9ea56; kept so that runs compare). */
export const PROBE_TRANSACTION_ITEMS = 50;

/**
 * Why an item of the day's transactions costs the stand-in more than an item of the transaction probe. The
 * sampled transactions are replayed five ways, in rounds that each run every step back to back, each step
 * changing one thing from the one before:
 * - as sent, into empty copies with the tables' indexes;
 * - the same, each put without its index-key attributes (what the index entries cost);
 * - the same, into copies without indexes (what the tables' indexes cost every write, entry or not);
 * - the same transactions, same sizes and tables, each item replaced by the probe's item (`probePut`), into
 *   tables without indexes (what the items' content costs: their attributes, maps, conditions and updates);
 * - as many probe items in transactions of the probe's size into one table (what the transactions' sizes cost).
 * The last step is the probe's own shape, so it also shows what replaying after the day does to the probe's
 * figure. The JVM's CPU of each step, per item.
 */
export interface ShapeWhatIf {
  readonly transactions: number;
  readonly rounds: number;
  readonly itemsPerTransaction: number;
  readonly jvmMsPerItem: {
    readonly asSent: number;
    readonly withoutIndexKeys: number;
    readonly withoutIndexes: number;
    readonly probeItems: number;
    readonly probeShape: number;
  };
  /** Requests refused all the same (their cost is a refusal's), and the first reason. */
  readonly failed: number;
  readonly firstFailure?: string;
}

export async function replayTransactionShapes(sample: RequestSample, endpoint: string | undefined, cpu: CpuMeter): Promise<ShapeWhatIf | undefined> {
  const transactions = (sample.kept.TransactWriteItems ?? []) as any[];
  if (transactions.length === 0) return undefined;
  const client = new DynamoDBClient({ endpoint, maxAttempts: 3 });
  const sets = { asSent: new Map<string, Copy>(), withoutIndexKeys: new Map<string, Copy>(), withoutIndexes: new Map<string, Copy>(), probeItems: new Map<string, Copy>() };
  const shapeTable = 'bench-replay-probe-shape';
  try {
    for (const input of transactions) {
      for (const t of tablesOf('TransactWriteItems', input)) {
        if (sets.asSent.has(t)) continue;
        sets.asSent.set(t, await copyTable(client, t, true, { suffix: 'shape-as-sent', stream: false }));
        sets.withoutIndexKeys.set(t, await copyTable(client, t, true, { suffix: 'shape-no-keys', stream: false }));
        sets.withoutIndexes.set(t, await copyTable(client, t, false, { suffix: 'shape-plain', stream: false }));
        sets.probeItems.set(t, await probeTable(client, `${t}-replay-shape-probe`));
      }
    }
    await probeTable(client, shapeTable);
    const steps = new Steps(cpu, ['asSent', 'withoutIndexKeys', 'withoutIndexes', 'probeItems', 'probeShape']);
    const step = (key: Parameters<typeof steps.run>[0], inputs: unknown[]) => steps.run(key, () => sendAll(client, 'TransactWriteItems', inputs));
    const tableOf = (op: any) => sets.probeItems.get(op.TableName)!.name;
    let items = 0;
    const rounds = roundsOf(transactions);
    for (const { round, from, part } of rounds) {
      const probeItems = part.map((input, i) => ({
        TransactItems: (input.TransactItems as any[]).map((t, k) => probePut(tableOf(t.Put ?? t.Update ?? t.Delete ?? t.ConditionCheck), `SHAPE#${from + i}`, k)),
      }));
      const count = probeItems.reduce((n, t) => n + t.TransactItems.length, 0);
      const probeShape: unknown[] = [];
      for (let k = 0; k < count; k += PROBE_TRANSACTION_ITEMS) {
        const size = Math.min(PROBE_TRANSACTION_ITEMS, count - k);
        probeShape.push({ TransactItems: Array.from({ length: size }, (_, j) => probePut(shapeTable, `SHAPE#${round}#${k}`, j)) });
      }
      items += count;
      await step('asSent', part.map((input, i) => intoCopies('TransactWriteItems', input, from + i, sets.asSent)));
      const keyless = part.map((input) => withoutIndexKeys(input, sets.asSent));
      await step('withoutIndexKeys', keyless.map((input, i) => intoCopies('TransactWriteItems', input, from + i, sets.withoutIndexKeys)));
      await step('withoutIndexes', keyless.map((input, i) => intoCopies('TransactWriteItems', input, from + i, sets.withoutIndexes)));
      await step('probeItems', probeItems);
      await step('probeShape', probeShape);
    }
    return {
      transactions: transactions.length,
      rounds: rounds.length,
      itemsPerTransaction: items / transactions.length,
      jvmMsPerItem: steps.per(items),
      ...steps.refusals(),
    };
  } finally {
    const names = Object.values(sets).flatMap((set) => [...set.values()].map((c) => c.name));
    for (const name of [...names, shapeTable]) await client.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
    client.destroy();
  }
}

/**
 * A transaction with each put's index-key attributes removed (by the tables' `copies`, keyed by the day's table
 * names): its items then get no index entry in any table. Updates are left as they are.
 */
export function withoutIndexKeys(input: any, copies: Map<string, Copy>): unknown {
  const r = structuredClone(input);
  for (const t of r.TransactItems ?? []) if (t.Put !== undefined) for (const k of copies.get(t.Put.TableName)?.indexKeys ?? []) delete t.Put.Item[k];
  return r;
}

/** An empty table for the probe's items: string keys pk and sk, no index. */
export async function probeTable(client: DynamoDBClient, TableName: string): Promise<Copy> {
  await client.send(
    new CreateTableCommand({
      TableName,
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
  return { name: TableName, hashKey: 'pk', indexKeys: [] };
}

/** Items put by BatchWriteItem, 25 a request. */
function batchesOf(items: ReadonlyArray<{ table: string; item: unknown }>): unknown[] {
  const batches: unknown[] = [];
  for (let i = 0; i < items.length; i += 25) {
    const RequestItems: Record<string, unknown[]> = {};
    for (const { table, item } of items.slice(i, i + 25)) (RequestItems[table] ??= []).push({ PutRequest: { Item: item } });
    batches.push({ RequestItems });
  }
  return batches;
}

/**
 * A stream read as a consumer reads it: each call reads what was added since the last, every shard, 100
 * records a GetRecords call, from a fresh iterator after the last sequence number read (DynamoDB Local
 * refuses an iterator handed on by an empty read once records have arrived after it).
 */
class StreamTail {
  /** Shard → the sequence number of its last record read (undefined: none yet). */
  private readonly last = new Map<string, string | undefined>();

  constructor(
    private readonly endpoint: string,
    private readonly streamArn: string,
  ) {}

  /** Reads every record not read yet; how many. */
  async readNew(): Promise<number> {
    let records = 0;
    let from: string | undefined;
    do {
      const d = (await streamsCall(this.endpoint, 'DescribeStream', { StreamArn: this.streamArn, ...(from ? { ExclusiveStartShardId: from } : {}) })).StreamDescription;
      for (const shard of d.Shards ?? []) if (!this.last.has(shard.ShardId)) this.last.set(shard.ShardId, undefined);
      from = d.LastEvaluatedShardId;
    } while (from);
    for (const [shard, after] of this.last) {
      const start = await streamsCall(this.endpoint, 'GetShardIterator', {
        StreamArn: this.streamArn,
        ShardId: shard,
        ...(after === undefined ? { ShardIteratorType: 'TRIM_HORIZON' } : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }),
      });
      let iterator: string | undefined = start.ShardIterator;
      while (iterator !== undefined) {
        const out = await streamsCall(this.endpoint, 'GetRecords', { ShardIterator: iterator, Limit: 100 });
        const read = (out.Records ?? []) as Array<{ dynamodb?: { SequenceNumber?: string } }>;
        records += read.length;
        if (read.length > 0) this.last.set(shard, read[read.length - 1]!.dynamodb?.SequenceNumber);
        // An open shard always hands on an iterator: the end of what is there is an empty read.
        iterator = read.length > 0 ? out.NextShardIterator : undefined;
      }
    }
    return records;
  }
}

/** A DynamoDB Streams call to DynamoDB Local (one database for any credentials; the signature is not checked). */
async function streamsCall(endpoint: string, operation: string, body: unknown): Promise<any> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDBStreams_20120810.${operation}`,
      authorization: 'AWS4-HMAC-SHA256 Credential=local/20261204/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`DynamoDB Streams ${operation}: ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

export interface Copy {
  readonly name: string;
  readonly hashKey: string;
  /** The attributes the copied table's indexes are keyed by, whether or not the copy has its indexes. */
  readonly indexKeys?: readonly string[];
}

/** Sends every input as a `kind` request, 8 in flight; counts the refused ones and keeps the first reason. */
async function sendAll(client: DynamoDBClient, kind: Kind, inputs: readonly unknown[]): Promise<{ failed: number; firstFailure?: string }> {
  const Command = COMMANDS[kind] as unknown as new (input: unknown) => Parameters<DynamoDBClient['send']>[0];
  let failed = 0;
  let firstFailure: string | undefined;
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < inputs.length) {
        const input = inputs[next++];
        try {
          await client.send(new Command(input));
        } catch (error) {
          failed++;
          firstFailure ??= `${(error as Error).name}: ${(error as Error).message}`;
        }
      }
    }),
  );
  return { failed, ...(firstFailure === undefined ? {} : { firstFailure }) };
}

/** The items per request of a sample of write requests, and the mean size of the items they put whole. */
function writeShape(kind: Kind, inputs: readonly unknown[]): { itemsPerRequest: number; bytesPerPut?: number } {
  const items: ItemsWritten = { transaction: 0, batch: 0, single: 0 };
  let puts = 0;
  let bytes = 0;
  const put = (item: Record<string, unknown> | undefined) => {
    if (item === undefined) return;
    puts++;
    bytes += itemBytes(item);
  };
  for (const input of inputs as any[]) {
    countItems(items, kind, input);
    if (kind === 'TransactWriteItems') for (const t of input.TransactItems ?? []) put(t.Put?.Item);
    else if (kind === 'BatchWriteItem') for (const w of Object.values(input.RequestItems ?? {}).flat() as any[]) put(w.PutRequest?.Item);
    else if (kind === 'PutItem') put(input.Item);
    else if (kind === 'BatchExecuteStatement') for (const st of input.Statements ?? []) put(Object.fromEntries((st.Parameters ?? []).map((v: unknown, i: number) => [`p${i}`, v])));
  }
  const n = items.transaction + items.batch + items.single;
  return { itemsPerRequest: n / Math.max(1, inputs.length), ...(puts > 0 ? { bytesPerPut: bytes / puts } : {}) };
}

/** The tables a write request names. */
function tablesOf(kind: Kind, input: any): string[] {
  switch (kind) {
    case 'TransactWriteItems':
      return (input.TransactItems ?? []).map((t: any) => (t.Put ?? t.Update ?? t.Delete ?? t.ConditionCheck).TableName);
    case 'BatchWriteItem':
      return Object.keys(input.RequestItems ?? {});
    case 'BatchExecuteStatement':
      return (input.Statements ?? []).map((s: any) => /"([^"]+)"/.exec(String(s.Statement))?.[1]).filter(Boolean);
    default:
      return [input.TableName];
  }
}

/**
 * An empty copy of `table`: same keys, on demand, with the same indexes or none. A `variant` names the copy
 * with its own suffix and may give it a stream of new and old images.
 */
async function copyTable(client: DynamoDBClient, table: string, indexes: boolean, variant?: { suffix: string; stream: boolean }): Promise<Copy & { streamArn?: string }> {
  const t = (await client.send(new DescribeTableCommand({ TableName: table }))).Table!;
  const name = `${table}-replay${variant ? `-${variant.suffix}` : ''}`;
  const keys = new Set(t.KeySchema!.map((k) => k.AttributeName));
  const input: CreateTableCommandInput = {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: indexes ? t.AttributeDefinitions : t.AttributeDefinitions!.filter((a) => keys.has(a.AttributeName)),
    KeySchema: t.KeySchema,
    ...(indexes && t.GlobalSecondaryIndexes?.length
      ? { GlobalSecondaryIndexes: t.GlobalSecondaryIndexes.map((g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection })) }
      : {}),
    ...(variant?.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
  };
  const created = await client.send(new CreateTableCommand(input));
  const streamArn = created.TableDescription?.LatestStreamArn;
  const indexKeys = [...new Set((t.GlobalSecondaryIndexes ?? []).flatMap((g) => g.KeySchema!.map((k) => k.AttributeName!)))];
  return { name, hashKey: t.KeySchema!.find((k) => k.KeyType === 'HASH')!.AttributeName!, indexKeys, ...(streamArn ? { streamArn } : {}) };
}

/**
 * A copy of the `n`-th write request of its kind aimed at the tables' copies: every partition key it names
 * gets the suffix `#replay-<kind>-<n>`, so no two replayed requests meet on an item (the kind too: a
 * transaction and an update of the same index may name the same key), and each condition is made to hold there.
 */
export function intoCopies(kind: Kind, input: any, n: number, copies: Map<string, Copy>): unknown {
  const r = structuredClone(input);
  const suffix = `#replay-${kind}-${n}`;
  const rekey = (item: any, hashKey: string) => {
    if (item?.[hashKey]?.S !== undefined) item[hashKey] = { S: item[hashKey].S + suffix };
  };
  const aim = (op: any) => {
    const copy = copies.get(op.TableName)!;
    op.TableName = copy.name;
    rekey(op.Item ?? op.Key, copy.hashKey);
    if (op.ConditionExpression !== undefined && !/^attribute_not_exists\(\w+\)$/.test(op.ConditionExpression.trim())) {
      op.ConditionExpression = `(${op.ConditionExpression}) OR attribute_not_exists(#replayKey)`;
      op.ExpressionAttributeNames = { ...op.ExpressionAttributeNames, '#replayKey': copy.hashKey };
    }
  };
  switch (kind) {
    case 'TransactWriteItems':
      for (const t of r.TransactItems ?? []) aim(t.Put ?? t.Update ?? t.Delete ?? t.ConditionCheck);
      break;
    case 'BatchWriteItem':
      r.RequestItems = Object.fromEntries(
        Object.entries(r.RequestItems ?? {}).map(([table, writes]) => {
          const copy = copies.get(table)!;
          for (const w of writes as any[]) rekey(w.PutRequest?.Item ?? w.DeleteRequest?.Key, copy.hashKey);
          return [copy.name, writes];
        }),
      );
      break;
    case 'BatchExecuteStatement':
      for (const st of r.Statements ?? []) {
        const copy = copies.get(/"([^"]+)"/.exec(String(st.Statement))![1]!)!;
        st.Statement = String(st.Statement).replace(/"([^"]+)"/, `"${copy.name}"`);
        // INSERT … VALUE {'pk': ?, …}: the hash key's parameter is the one its name stands before.
        const names = [...String(st.Statement).matchAll(/'([^']+)':\s*\?/g)].map((m) => m[1]);
        const at = names.indexOf(copy.hashKey);
        if (at >= 0 && st.Parameters?.[at]?.S !== undefined) st.Parameters[at] = { S: st.Parameters[at].S + suffix };
      }
      break;
    default:
      aim(r);
  }
  return r;
}
