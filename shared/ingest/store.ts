/**
 * The ingest's storage adapter: every accepted event in the `events` table, once per (source, id).
 *
 *   EVT#<source>#<id>   EVENT   source, id, type, queue, hash (of the validated event), receivedAt,
 *                               event (the validated event as JSON)
 *
 * Why batched: a 100-event post used to be 100 conditional PutItems, and a request is what DynamoDB Local
 * (and the SDK client the local runtime's functions share) charges most for; under a consumer backlog the
 * consumers' requests queue in front of every one of them, so a batch's time grew with the backlog until it
 * passed the function's 10 s timeout (bench: "Ingest under a consumer backlog"). PartiQL INSERT keeps each
 * event's create-only condition at one write unit per KB, 25 events per request.
 */
import { BatchExecuteStatementCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '#platform/aws';
import { batchGetAll } from '#platform/batch-get';
import { tableName } from '#platform/resources';
import { StorageUnavailableError } from '#platform/unavailable';
import type { AcceptedEvent, Recorded } from './domain/types';

export const eventKey = (source: string, id: string) => ({ pk: `EVT#${source}#${id}`, sk: 'EVENT' });

/** PartiQL statements per BatchExecuteStatement request (DynamoDB's limit). */
const STATEMENTS_PER_REQUEST = 25;
const ATTEMPTS = 5;
/** Per-statement errors worth another try: nobody's fault, and the statement changed nothing. */
const TRANSIENT = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded', 'TransactionConflict', 'InternalServerError']);

/**
 * One accepted event as a create-only insert: INSERT fails with DuplicateItem when (source, id) is there,
 * as `attribute_not_exists(pk)` would, one statement per event.
 */
function insertOf(e: AcceptedEvent, receivedAt: string, table: string) {
  const { pk, sk } = eventKey(e.source, e.id);
  return {
    Statement: `INSERT INTO "${table}" VALUE {'pk': ?, 'sk': ?, 'source': ?, 'id': ?, 'type': ?, 'queue': ?, 'hash': ?, 'receivedAt': ?, 'event': ?}`,
    Parameters: [pk, sk, e.source, e.id, e.type, e.queue, e.hash, receivedAt, JSON.stringify(e.event)],
  };
}

/**
 * Records up to 25 events in one request, retrying the statements that failed for a transient reason.
 * Writes `outcomes[i]` for the new ones and returns the indices found already recorded.
 */
async function insertChunk(events: readonly AcceptedEvent[], indices: readonly number[], receivedAt: string, table: string, outcomes: Recorded[]): Promise<number[]> {
  const existing: number[] = [];
  let pending = [...indices];
  for (let attempt = 1; pending.length > 0; attempt++) {
    const out = await ddb.send(new BatchExecuteStatementCommand({ Statements: pending.map((i) => insertOf(events[i]!, receivedAt, table)) }));
    const retry: number[] = [];
    // Responses come in the order of the statements.
    pending.forEach((i, k) => {
      const code = out.Responses?.[k]?.Error?.Code;
      if (code === undefined) outcomes[i] = { outcome: 'new', receivedAt };
      else if (code === 'DuplicateItem') existing.push(i);
      else if (TRANSIENT.has(code)) retry.push(i);
      else throw new Error(`recording event (${events[i]!.source}, ${events[i]!.id}) failed: ${code} ${out.Responses?.[k]?.Error?.Message ?? ''}`);
    });
    if (retry.length > 0 && attempt >= ATTEMPTS) throw new StorageUnavailableError(`${retry.length} event record(s) kept failing with a transient error`);
    if (retry.length > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt * (0.5 + Math.random())));
    pending = retry;
  }
  return existing;
}

/**
 * Records each event under (source, id) if new; for each, in order: 'new', 'duplicate' (the same content
 * was recorded before: accepted again) or 'conflict' (other content under the same (source, id)), with the
 * receipt it stands under: `receivedAt` for a new one, the stored item's for the others (`receivedAt` again
 * for an item recorded before the receipt was stored with it).
 */
export async function recordEvents(events: readonly AcceptedEvent[], receivedAt: string): Promise<Recorded[]> {
  const table = tableName('events');
  const outcomes: Recorded[] = new Array(events.length);
  const chunks: number[][] = [];
  for (let i = 0; i < events.length; i += STATEMENTS_PER_REQUEST) {
    chunks.push(Array.from({ length: Math.min(STATEMENTS_PER_REQUEST, events.length - i) }, (_, k) => i + k));
  }
  const existing = (await Promise.all(chunks.map((c) => insertChunk(events, c, receivedAt, table, outcomes)))).flat();
  if (existing.length > 0) {
    const stored = await batchGetAll(
      table,
      existing.map((i) => eventKey(events[i]!.source, events[i]!.id)),
      { consistent: true },
    );
    // The same consistent read gives the content hash and the first receipt: a retry is queued under it.
    const byKey = new Map(stored.map((item) => [item.pk as string, item]));
    for (const i of existing) {
      const e = events[i]!;
      const item = byKey.get(eventKey(e.source, e.id).pk);
      const first = typeof item?.receivedAt === 'string' ? item.receivedAt : receivedAt;
      outcomes[i] = { outcome: item?.hash === e.hash ? 'duplicate' : 'conflict', receivedAt: first };
    }
  }
  return outcomes;
}

/** An accepted event as recorded at the edge (what `GET /events/{id}` shows), or undefined. */
export async function getAcceptedEvent(source: string, id: string): Promise<Record<string, unknown> | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: tableName('events'), Key: eventKey(source, id) }));
  return out.Item;
}
