/**
 * Meters for the in-process local runtime: SQS requests (by command, empty receives apart), handler
 * invocations with their records and time (from the runtime's pollers), ingest-to-stored latency per
 * posted event (post → the delete of its message on the consuming queue, which follows the handler's
 * stored result), DynamoDB capacity units from ReturnConsumedCapacity=TOTAL set on every request of the
 * functions' shared client, and the items each write request asks for.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { functions, tables, type FunctionName, type TableSpec } from '#topology';

export interface Snapshot {
  readonly sqsRequests: Record<string, number>;
  readonly emptyReceives: number;
  readonly invocations: Record<string, number>;
  /** Records handled per function (SQS records of its batches; events of the ingest's posts). */
  readonly records: Record<string, number>;
  /** Sum of handler wall time × memory, in GB-s, per function. */
  readonly gbSeconds: Record<string, number>;
  readonly rcu: number;
  readonly wcu: number;
  /** Write units per table (topology name). */
  readonly wcuByTable: Record<string, number>;
  /** The share of `wcuByTable` written inside TransactWriteItems (2 units per KB of an item's own write). */
  readonly wcuInTransactionsByTable: Record<string, number>;
  readonly ddbRequests: Record<string, number>;
  /** Items written: inside TransactWriteItems, in batches (BatchWriteItem, BatchExecuteStatement), one per request. */
  readonly itemsWritten: ItemsWritten;
}

export interface ItemsWritten {
  transaction: number;
  batch: number;
  single: number;
}

const EVENT_ID = /"id":"(bench-[^"]+)"/;

export class Meter {
  sqsRequests: Record<string, number> = {};
  emptyReceives = 0;
  invocations: Record<string, number> = {};
  records: Record<string, number> = {};
  gbSeconds: Record<string, number> = {};
  rcu = 0;
  wcu = 0;
  wcuByTable: Record<string, number> = {};
  wcuInTransactionsByTable: Record<string, number> = {};
  ddbRequests: Record<string, number> = {};
  itemsWritten: ItemsWritten = { transaction: 0, batch: 0, single: 0 };
  /** Event id → time its POST was sent. */
  readonly posted = new Map<string, number>();
  /** Ingest → stored latencies (ms) of posted events, as their first consuming handler finished. */
  latencies: number[] = [];
  /** Event id → its measured latency (ms), to split the latencies by kind of event. */
  readonly latencyOf = new Map<string, number>();
  /** Event id → when its POST was answered (202). */
  readonly accepted = new Map<string, number>();
  /**
   * Where each measured latency went: the POST until its answer, the answer until a poller received the
   * message, the receipt until the delete (the handler and its commit). Same order as `latencies`.
   */
  stages: Array<{ ingest: number; queued: number; handled: number }> = [];
  /** Told of every DynamoDB request of the functions' client, its input as sent (marshalled). */
  onDynamoRequest: ((name: string, input: any) => void) | undefined;
  private readonly receipts = new Map<string, { at: number; id?: string; fn: string }>();
  private queueFunction: (url: string) => string | undefined = () => undefined;

  reset(): void {
    this.sqsRequests = {};
    this.emptyReceives = 0;
    this.invocations = {};
    this.records = {};
    this.gbSeconds = {};
    this.rcu = 0;
    this.wcu = 0;
    this.wcuByTable = {};
    this.wcuInTransactionsByTable = {};
    this.ddbRequests = {};
    this.itemsWritten = { transaction: 0, batch: 0, single: 0 };
    this.latencies = [];
    this.latencyOf.clear();
    this.stages = [];
  }

  snapshot(): Snapshot {
    return structuredClone({
      sqsRequests: this.sqsRequests,
      emptyReceives: this.emptyReceives,
      invocations: this.invocations,
      records: this.records,
      gbSeconds: this.gbSeconds,
      rcu: this.rcu,
      wcu: this.wcu,
      wcuByTable: this.wcuByTable,
      wcuInTransactionsByTable: this.wcuInTransactionsByTable,
      ddbRequests: this.ddbRequests,
      itemsWritten: this.itemsWritten,
    });
  }

  /** The consuming function of each local queue URL, to price its handler time at its memory size. */
  setQueues(urls: Record<string, string>): void {
    const byUrl = new Map<string, string>();
    for (const [name, spec] of Object.entries(functions)) {
      const q = 'consumes' in spec && spec.consumes ? spec.consumes.queue : undefined;
      if (q && urls[q]) byUrl.set(urls[q]!, name);
    }
    this.queueFunction = (url) => byUrl.get(url);
  }

  /**
   * One invocation of `fn` over `records` records, `ms` long (Lambda bills from the invocation's start:
   * a poller's batching window before it is not in `ms`). The runtime's pollers report each batch here.
   */
  addInvocation(fn: string, ms: number, records: number): void {
    this.invocations[fn] = (this.invocations[fn] ?? 0) + 1;
    this.records[fn] = (this.records[fn] ?? 0) + records;
    const mem = functions[fn as FunctionName]?.memoryMiB ?? 1024;
    this.gbSeconds[fn] = (this.gbSeconds[fn] ?? 0) + (Math.ceil(ms) / 1000) * (mem / 1024);
  }

  /** Patches every SQS client of the process (the runtime's pollers and the functions' shared client). */
  installSqs(): void {
    const meter = this;
    const original = SQSClient.prototype.send as (...a: unknown[]) => Promise<any>;
    (SQSClient.prototype as any).send = async function (this: SQSClient, command: any, ...rest: unknown[]) {
      const name = String(command?.constructor?.name ?? 'unknown').replace(/Command$/, '');
      const out = await original.call(this, command, ...rest);
      const now = performance.now();
      if (name === 'ReceiveMessage') {
        const messages = (out?.Messages ?? []) as Array<{ Body?: string; ReceiptHandle?: string }>;
        if (messages.length === 0) {
          meter.emptyReceives++;
          return out;
        }
        const fn = meter.queueFunction(command.input.QueueUrl);
        for (const m of messages) {
          meter.receipts.set(m.ReceiptHandle!, { at: now, id: EVENT_ID.exec(m.Body ?? '')?.[1], fn: fn ?? 'outbound sink' });
        }
      }
      meter.sqsRequests[name] = (meter.sqsRequests[name] ?? 0) + 1;
      return out;
    };
    const originalDelete = SQSClient.prototype.send;
    (SQSClient.prototype as any).send = async function (this: SQSClient, command: any, ...rest: unknown[]) {
      const name = String(command?.constructor?.name ?? '');
      if (name === 'DeleteMessageBatchCommand' || name === 'ChangeMessageVisibilityBatchCommand') {
        const now = performance.now();
        const entries = (command.input.Entries ?? []) as Array<{ ReceiptHandle: string }>;
        for (const e of entries) {
          const r = meter.receipts.get(e.ReceiptHandle);
          meter.receipts.delete(e.ReceiptHandle);
          if (name === 'DeleteMessageBatchCommand' && r?.id !== undefined) {
            const sent = meter.posted.get(r.id);
            if (sent !== undefined) {
              meter.latencies.push(now - sent);
              meter.latencyOf.set(r.id, now - sent);
              const answered = meter.accepted.get(r.id) ?? sent;
              // A poller may receive the message before the client has read the 202: no wait in the queue, not a negative one.
              meter.stages.push({ ingest: answered - sent, queued: Math.max(0, r.at - answered), handled: now - r.at });
              meter.posted.delete(r.id);
              meter.accepted.delete(r.id);
            }
          }
        }
      }
      return (originalDelete as any).call(this, command, ...rest);
    };
  }

  private addWrites(tableName: string | undefined, units: number): void {
    if (!units) return;
    this.wcu += units;
    const table = topologyTable(tableName) ?? String(tableName);
    this.wcuByTable[table] = (this.wcuByTable[table] ?? 0) + units;
  }

  /** Meters every request of the functions' shared DynamoDB client (`meterDynamo`). */
  async installDynamo(): Promise<void> {
    const { dynamo } = await import('#platform/aws');
    meterDynamo(dynamo, this);
  }

  /** Counts one request as sent (its input marshalled) and the capacity `output` reports (none when refused). */
  countDynamo(name: string, input: any, output: any): void {
    this.ddbRequests[name] = (this.ddbRequests[name] ?? 0) + 1;
    countItems(this.itemsWritten, name, input);
    const computed = writeUnitsByTable(name, input);
    if (computed !== undefined) {
      // DynamoDB Local reports one item's units per table for a whole transaction or batch write
      // (measured: 2 units for a transaction of 1, 5, 10 or 50 small puts); DynamoDB bills each item.
      for (const [table, units] of computed) {
        this.addWrites(table, units);
        if (name === 'TransactWriteItems') this.wcuInTransactionsByTable[table] = (this.wcuInTransactionsByTable[table] ?? 0) + units;
      }
      return;
    }
    const cc = output?.ConsumedCapacity;
    if (name === 'ExecuteStatement' && cc === undefined) {
      // DynamoDB Local reports no capacity for PartiQL: a SELECT is sized as the Queries it stands for.
      this.rcu += selectReadUnits(input, output);
      return;
    }
    for (const c of Array.isArray(cc) ? cc : cc ? [cc] : []) {
      this.rcu += c.ReadCapacityUnits ?? 0;
      this.addWrites(c.TableName, c.WriteCapacityUnits ?? 0);
      if (c.ReadCapacityUnits === undefined && c.WriteCapacityUnits === undefined && c.CapacityUnits !== undefined) {
        // DynamoDB reports only the total for some calls: reads for Get/Query/Scan, writes otherwise.
        if (/^(Get|BatchGet|Query|Scan|TransactGet)/.test(name)) this.rcu += c.CapacityUnits;
        else this.addWrites(c.TableName, c.CapacityUnits);
      }
    }
  }
}

/**
 * Adds ReturnConsumedCapacity=TOTAL to every request of `client` (at `initialize`, before anything is
 * serialized) and counts each request at `build`, after serialization: the document client marshals its
 * input just before the serializer, so only there are the items what DynamoDB receives and sizes
 * (`{ S: … }`), not the plain values a handler passed, whose strings would weigh nothing.
 */
export function meterDynamo(client: DynamoDBClient, meter: Meter): void {
  client.middlewareStack.add(
    (next: any) => async (args: any) => {
      if (args.input && typeof args.input === 'object') args.input.ReturnConsumedCapacity = 'TOTAL';
      return next(args);
    },
    { step: 'initialize', name: 'benchReturnConsumedCapacity' },
  );
  client.middlewareStack.add(
    (next: any, context: any) => async (args: any) => {
      const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      meter.onDynamoRequest?.(name, args.input);
      let out: any;
      try {
        out = await next(args);
      } finally {
        // A refused request (a cancelled transaction, say) was sent and worked on all the same.
        meter.countDynamo(name, args.input, out?.output);
      }
      return out;
    },
    { step: 'build', priority: 'high', name: 'benchConsumedCapacity' },
  );
}

/** Adds the items a write request asks for to `into` (what it asked, whether or not a condition then held). */
export function countItems(into: ItemsWritten, name: string, input: any): void {
  if (name === 'TransactWriteItems') into.transaction += (input?.TransactItems ?? []).filter((t: any) => t.ConditionCheck === undefined).length;
  else if (name === 'BatchWriteItem') into.batch += Object.values(input?.RequestItems ?? {}).reduce((n: number, w: any) => n + w.length, 0);
  else if (name === 'BatchExecuteStatement') into.batch += (input?.Statements ?? []).filter((st: any) => /^\s*(INSERT|UPDATE|DELETE)\b/i.test(String(st.Statement ?? ''))).length;
  else if (name === 'PutItem' || name === 'UpdateItem' || name === 'DeleteItem') into.single++;
}

/** DynamoDB's size of a marshalled attribute value, in bytes (names counted by the caller). */
function valueBytes(v: any): number {
  if (v === null || typeof v !== 'object') return 0;
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return Math.ceil(String(v.N).replace(/^-/, '').replace(/^0+/, '').length / 2) + 1;
  if (v.B !== undefined) return (v.B as Uint8Array).length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS) return v.SS.reduce((n: number, x: string) => n + Buffer.byteLength(x), 0);
  if (v.NS) return v.NS.reduce((n: number, x: string) => n + x.length, 0);
  if (v.L) return 3 + v.L.reduce((n: number, x: any) => n + 1 + valueBytes(x), 0);
  if (v.M) return 3 + itemBytes(v.M) + Object.keys(v.M).length;
  return 0;
}

/** DynamoDB's size of a marshalled item: attribute names plus values. */
export function itemBytes(item: Record<string, any> | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k) + valueBytes(v), 0);
}

const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/** The topology's name of a table (local and deployed names end with `-<name>`). */
export function topologyTable(tableName: string | undefined): string | undefined {
  return tableName === undefined ? undefined : Object.keys(tables).find((t) => tableName === t || tableName.endsWith(`-${t}`));
}

/** Partition-key attributes of the table's global secondary indexes (every index projects ALL). */
function indexKeys(tableName: string): string[] {
  const t = topologyTable(tableName);
  const spec = t ? (tables[t as keyof typeof tables] as TableSpec) : undefined;
  return Object.values(spec?.indexes ?? {}).map((i) => i.pk);
}

/**
 * Write units of a transaction or batch write as DynamoDB bills them, per table (topology name): per item, per KB, doubled in
 * a transaction. Puts are sized from the item, and a put whose item carries an index's key is written to that
 * index too (1 unit per KB: indexes are updated outside the transaction). Updates, deletes and condition checks
 * are sized from their key, at least 1 KB (their items here — counter rows, outbox marks — are under 1 KB);
 * their index writes are not counted (which index entries an update touches depends on the stored item).
 * Undefined for other calls.
 */
export function writeUnitsByTable(name: string, input: any): Map<string, number> | undefined {
  if (name === 'BatchExecuteStatement') return insertUnitsByTable(input);
  if (name !== 'TransactWriteItems' && name !== 'BatchWriteItem') return undefined;
  const out = new Map<string, number>();
  const add = (table: string, item: Record<string, any> | undefined, factor: number, isPut: boolean) => {
    let units = factor * kb(itemBytes(item));
    if (isPut) units += indexKeys(table).filter((k) => item?.[k] !== undefined).length * kb(itemBytes(item));
    const key = topologyTable(table) ?? table;
    out.set(key, (out.get(key) ?? 0) + units);
  };
  if (name === 'TransactWriteItems') {
    for (const t of input?.TransactItems ?? []) {
      const op = t.Put ?? t.Update ?? t.Delete ?? t.ConditionCheck;
      add(op?.TableName ?? '', t.Put?.Item ?? op?.Key, 2, t.Put !== undefined);
    }
  } else {
    for (const [table, writes] of Object.entries(input?.RequestItems ?? {}) as Array<[string, any[]]>) {
      for (const w of writes) add(table, w.PutRequest?.Item ?? w.DeleteRequest?.Key, 1, w.PutRequest !== undefined);
    }
  }
  return out;
}

const SELECT_IN = /^\s*SELECT\b.*\bWHERE\s+"?(\w+)"?\s+IN\s*\[/is;

/**
 * Read units of a PartiQL SELECT of partitions by `IN` on their key (as the approval consumer reads a batch's
 * licences, the review consumer its cases), which DynamoDB Local does not report: each key's partition as the
 * Query of it would be billed, half a unit per 4 KB of its items and at least half a unit, empty or not, a
 * whole unit per 4 KB when the SELECT reads strongly consistent (ConsistentRead).
 */
export function selectReadUnits(input: any, output: any): number {
  const m = SELECT_IN.exec(String(input?.Statement ?? ''));
  if (!m) return 0;
  const keyName = m[1]!;
  const bytes = new Map<string, number>();
  for (const p of input?.Parameters ?? []) if (p?.S !== undefined) bytes.set(p.S, 0);
  for (const item of output?.Items ?? []) {
    const key = item?.[keyName]?.S;
    if (key !== undefined) bytes.set(key, (bytes.get(key) ?? 0) + itemBytes(item));
  }
  const perBlock = input?.ConsistentRead === true ? 1 : 0.5;
  return [...bytes.values()].reduce((n, b) => n + perBlock * Math.max(1, Math.ceil(b / 4096)), 0);
}

const INSERT = /^INSERT INTO "([^"]+)" VALUE \{(.*)\}$/s;

/**
 * Write units of PartiQL INSERTs (BatchExecuteStatement, as ingest records events): each statement is one
 * put of the item its VALUE tuple names, 1 unit per KB plus its index writes, billed per statement.
 */
function insertUnitsByTable(input: any): Map<string, number> {
  const out = new Map<string, number>();
  for (const st of input?.Statements ?? []) {
    const m = INSERT.exec(String(st.Statement ?? ''));
    if (!m) continue;
    const names = [...m[2]!.matchAll(/'([^']+)':\s*\?/g)].map((x) => x[1]!);
    const item = Object.fromEntries(names.map((n, i) => [n, st.Parameters?.[i]]));
    const table = m[1]!;
    const bytes = kb(itemBytes(item));
    const units = bytes + indexKeys(table).filter((k) => item[k] !== undefined).length * bytes;
    const key = topologyTable(table) ?? table;
    out.set(key, (out.get(key) ?? 0) + units);
  }
  return out;
}
