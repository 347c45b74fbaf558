/**
 * The hard-case storage adapter on the `hardcases` table: keys, items and transactions only.
 *
 *   pk                     sk                          what
 *   CASE#<caseId>          STATE                       the case (`hardCase`, `version`, `reportHash`)
 *   CASE#<caseId>          REFUSED#<source>#<eventId>  an update (or report) refused after acceptance (create-only,
 *                                                      written with its audit line and receipt)
 *   CASE#<caseId>          OUTBOX#<eventId>            an outbound event written with its change, deleted once published
 *   OFFER#<applicationId>  WATCH                       the latest decision version of an application that may offer a
 *                                                      case (`sequence`, `decision`, `item`, `offeredCaseId`)
 *
 * Indexes: `byDue` (sparse: `duePk` = DUE#CASE with the case's next deadline, DUE#OFFER with the instant a
 * manual review runs past its promised days; dropped when nothing more can fall due) and `byMonth`
 * (`monthPk` = MONTH#<local month of the report>, `monthSk` = <reportedAt>#<caseId>) for the list and figures.
 *
 * A change is one TransactWriteCommand: the STATE item on the condition that its `version` is the one
 * loaded (or that it does not exist, on create), the create-only audit lines, the outbox items, the
 * create-only receipt, and for an offer the watch it closes (on the condition that the watch is still at
 * that sequence). A redelivered update finds its step in the case's history (the domain calls it a
 * duplicate) and writes nothing; a concurrent change makes the condition fail, and the caller reloads.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OutboundEvent } from '#contract/outbound';
import { auditPut, type AuditEntry } from '#platform/audit';
import { ddb } from '#platform/aws';
import { batchWriteAll } from '#platform/batch-write';
import { queryAll } from '#platform/paging';
import { isInbound, receiptPut, recordReceipt, type Receipt } from '#platform/receipts';
import { tableName } from '#platform/resources';
import { cancellationCodes, type TransactItem } from '#platform/transactions';
import type { HardCase } from './domain';
import type { CaseWrite, HardCaseStore, RefusedEvent, StoredCase, Watch } from './ports';

const table = () => tableName('hardcases');

export const DUE_CASE = 'DUE#CASE';
export const DUE_OFFER = 'DUE#OFFER';

export const caseKey = (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'STATE' });
export const outboxKey = (caseId: string, eventId: string) => ({ pk: `CASE#${caseId}`, sk: `OUTBOX#${eventId}` });
export const refusedKey = (caseId: string, source: string, eventId: string) => ({ pk: `CASE#${caseId}`, sk: `REFUSED#${source}#${eventId}` });
export const watchKey = (applicationId: string) => ({ pk: `OFFER#${applicationId}`, sk: 'WATCH' });

function stateItem(write: CaseWrite): Record<string, unknown> {
  const hc = write.hardCase;
  return {
    ...caseKey(hc.caseId),
    caseId: hc.caseId,
    version: hc.version,
    hardCase: hc,
    ...(write.reportHash !== undefined ? { reportHash: write.reportHash } : {}),
    monthPk: `MONTH#${write.month}`,
    monthSk: `${hc.reportedAt}#${hc.caseId}`,
    ...(write.dueAt !== undefined ? { duePk: DUE_CASE, dueAt: write.dueAt } : {}),
  };
}

export function caseWriteItems(write: CaseWrite): TransactItem[] {
  const caseId = write.hardCase.caseId;
  const items: TransactItem[] = [
    {
      Put: {
        TableName: table(),
        Item: stateItem(write),
        ...(write.expectedVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': write.expectedVersion } }),
      },
    },
    ...write.audits.map((entry) => ({ Put: auditPut(entry) })),
    ...write.outbound.map((event) => ({ Put: { TableName: table(), Item: { ...outboxKey(caseId, event.id), event } } })),
  ];
  if (write.receipt !== undefined && isInbound(write.receipt)) items.push(receiptPut(write.receipt));
  if (write.closesWatch !== undefined) items.push({ Update: closeWatchUpdate(write.closesWatch.applicationId, write.closesWatch.sequence, caseId) });
  return items;
}

/** The watch leaves the due index and names its case, if no newer decision version replaced it. */
function closeWatchUpdate(applicationId: string, sequence: number, caseId: string) {
  return {
    TableName: table(),
    Key: watchKey(applicationId),
    UpdateExpression: 'SET offeredCaseId = :c, #watch.offeredCaseId = :c REMOVE duePk, dueAt, #watch.dueAt',
    ConditionExpression: '#seq = :seq',
    ExpressionAttributeNames: { '#seq': 'sequence', '#watch': 'watch' },
    ExpressionAttributeValues: { ':c': caseId, ':seq': sequence },
  };
}

async function loadCase(caseId: string): Promise<StoredCase | undefined> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': `CASE#${caseId}` },
    ConsistentRead: true,
  });
  const state = items.find((i) => i.sk === 'STATE');
  if (state === undefined) return undefined;
  return {
    hardCase: state.hardCase as HardCase,
    ...(typeof state.reportHash === 'string' ? { reportHash: state.reportHash } : {}),
    refused: items.filter((i) => String(i.sk).startsWith('REFUSED#')).map((i) => i.refused as RefusedEvent),
    outbox: items.filter((i) => String(i.sk).startsWith('OUTBOX#')).map((i) => i.event as OutboundEvent),
  };
}

async function writeCase(write: CaseWrite): Promise<'committed' | 'conflict'> {
  try {
    await ddb.send(new TransactWriteCommand({ TransactItems: caseWriteItems(write) }));
    return 'committed';
  } catch (error) {
    const codes = cancellationCodes(error);
    if (codes?.includes('ConditionalCheckFailed') || codes?.includes('TransactionConflict')) return 'conflict';
    throw error;
  }
}

/**
 * The refusal record, its audit line and the receipt in one transaction. The line's key holds the time of
 * refusal, which a redelivery does not share; what keeps it from a second line is the create-only record
 * (keyed by the event) and receipt it is written with: a redelivery finds them and the whole write fails.
 */
async function recordRefusal(caseId: string | undefined, refused: RefusedEvent, audit: AuditEntry, receipt: Receipt | undefined): Promise<boolean> {
  const inbound = receipt !== undefined && isInbound(receipt);
  // No case and no receipt to keep it (only an update is refused without a case, and every update is an
  // upstream event, so this does not happen): nothing create-only would stop a redelivery's second line.
  if (caseId === undefined && !inbound) return true;
  const items: TransactItem[] = [];
  if (caseId !== undefined) {
    items.push({
      Put: {
        TableName: table(),
        Item: { ...refusedKey(caseId, refused.source, refused.eventId), refused },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
  }
  items.push({ Put: auditPut(audit) });
  if (receipt !== undefined && inbound) items.push(receiptPut(receipt));
  try {
    await ddb.send(new TransactWriteCommand({ TransactItems: items }));
    return true;
  } catch (error) {
    // Recorded by an earlier delivery of the same event: the first record stands.
    if (!cancellationCodes(error)?.includes('ConditionalCheckFailed')) throw error;
    return false;
  }
}

async function clearOutbox(caseId: string, eventIds: readonly string[]): Promise<void> {
  await batchWriteAll(table(), eventIds.map((id) => ({ DeleteRequest: { Key: outboxKey(caseId, id) } })));
}

async function loadWatch(applicationId: string): Promise<Watch | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table(), Key: watchKey(applicationId), ConsistentRead: true }));
  return out.Item?.watch as Watch | undefined;
}

async function putWatch(watch: Watch): Promise<boolean> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...watchKey(watch.applicationId),
          applicationId: watch.applicationId,
          sequence: watch.sequence,
          watch,
          ...(watch.offeredCaseId !== undefined ? { offeredCaseId: watch.offeredCaseId } : {}),
          ...(watch.dueAt !== undefined ? { duePk: DUE_OFFER, dueAt: watch.dueAt } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk) OR #seq < :seq',
        ExpressionAttributeNames: { '#seq': 'sequence' },
        ExpressionAttributeValues: { ':seq': watch.sequence },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

async function closeWatch(applicationId: string, sequence: number, caseId: string): Promise<boolean> {
  try {
    await ddb.send(new UpdateCommand(closeWatchUpdate(applicationId, sequence, caseId)));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

async function dueIds(duePk: string, now: string, attribute: string): Promise<string[]> {
  const items = await queryAll({
    TableName: table(),
    IndexName: 'byDue',
    KeyConditionExpression: 'duePk = :due AND dueAt <= :now',
    ExpressionAttributeValues: { ':due': duePk, ':now': now },
    ProjectionExpression: attribute,
  });
  return [...new Set(items.map((i) => String(i[attribute])))];
}

async function casesOfMonth(month: string): Promise<HardCase[]> {
  const items = await queryAll({
    TableName: table(),
    IndexName: 'byMonth',
    KeyConditionExpression: 'monthPk = :m',
    ExpressionAttributeValues: { ':m': `MONTH#${month}` },
  });
  return items.map((i) => i.hardCase as HardCase);
}

/** The store on DynamoDB, as the functions pass it to the use cases. */
export const dynamoHardCaseStore: HardCaseStore = {
  loadCase,
  writeCase,
  recordRefusal,
  recordReceipt: async (receipt) => {
    await recordReceipt(receipt);
  },
  clearOutbox,
  loadWatch,
  putWatch,
  closeWatch,
  dueCases: (now) => dueIds(DUE_CASE, now, 'caseId'),
  dueWatches: (now) => dueIds(DUE_OFFER, now, 'applicationId'),
  casesOfMonth,
};

// Exported for the query routes (read-only) through index.ts.
export { loadCase, casesOfMonth };
