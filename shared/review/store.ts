/**
 * 好差评 storage adapter on the `reviews` table: the `ReviewStore` port (ports.ts) on DynamoDB. Keys,
 * items and transactions only; what to write is the use cases' decision. Everything about one case lives
 * in one partition, so a single strongly consistent Query loads it all:
 *
 *   pk                                   sk                        what
 *   CASE#<caseId>                        STATE                     the case record: `version`, `state` (CaseReviewState,
 *                                                                  absent while the case is unknown) and `parked` reviews
 *                                                                  (reviews that arrived before their case)
 *   CASE#<caseId>                        RECT                      the rectification of the case's 差评 (`version`, `rect`)
 *   CASE#<caseId>                        REJECTED#REVIEW#<reviewId> a refused review, with code and reason (create-only)
 *   CASE#<caseId>                        REJECTED#STEP#<actionKey>  a refused rectification step (create-only)
 *   CASE#<caseId>                        OUTBOX#<eventId>          an outbound event written with its state change and
 *                                                                  deleted once published (see below)
 *   FIG#<kind>#day#<YYYY-MM-DD>          <key>                     additive counters of one figure row (COUNTER_NAMES),
 *                                                                  changed only by atomic ADD. Kinds: `item` and `staff`
 *                                                                  (keyed by their code), and `departmentChannelDistrict`
 *                                                                  (keyed by the JSON array [department, channel,
 *                                                                  district or ""]), which department, channel,
 *                                                                  district and `all` are summed from; rows of
 *                                                                  `department`, `channel` and `district` of their own
 *                                                                  were written before it and are still read. A month
 *                                                                  is read as the sum of its days (reads.ts;
 *                                                                  figures.ts `sourcesOf`)
 *
 * Due index (GSI `byDue`, sparse): the STATE item carries `duePk = DUE#INVITE` and the RECT item
 * `duePk = DUE#RECT`, with `dueAt` the next instant the schedule must look at them (`domain/due.ts`);
 * the attributes are dropped when nothing more can fall due. The schedule queries `dueAt <= now`.
 *
 * Every state change is one TransactWriteCommand (store/items.ts): the state item(s) with a condition on
 * the loaded `version` (or `attribute_not_exists` when created), the counter ADDs, the create-only audit
 * lines, the rejection records, the outbox items and the receipts of the events it answers. A condition
 * failure means a concurrent or redelivered change won: `VersionConflict` tells the caller to reload and
 * decide again (the domain is idempotent, so the second decision is usually a no-op). Figure rows are
 * keyed by (kind, day) so one Query lists every row of a kind on a day. A change adds to two rows, three
 * with a staff member (2 write units each in the transaction), which a batch shares but an event alone
 * pays in full: only days are kept, and one row serves department, channel, district and `all`. A month
 * is read as its days' partitions side by side, summed per key (the ranking, the monthly report, the
 * figures route); see docs/decisions/figure-rows-per-day.md.
 *
 * Outbox: outbound events are written in the same transaction as the change that causes them, then
 * published and deleted. If publishing fails the SQS record is retried; the retry finds the change
 * already made (a no-op) and the outbox still full, and publishes it then. Event ids are deterministic,
 * so a publish repeated after a crash between publish and delete is de-duplicated by receivers.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { auditPut, type AuditEntry } from '#platform/audit';
import { ddb } from '#platform/aws';
import { batchWriteAll } from '#platform/batch-write';
import type { CommitResult } from '#platform/group-commit';
import { receiptPut, recordReceipt, type Receipt } from '#platform/receipts';
import { cancellationCodes, MAX_TRANSACTION_ITEMS, writeChanges } from '#platform/transactions';
import { VersionConflict, type Rejection, type ReviewChange, type ReviewStore } from './ports';
import { counterRowKeys, counterUpdates, ownItems, transactItems } from './store/items';
import { outboxKey, rejectionKey, table } from './store/keys';
import { dueCaseIds, getCounters, listCounters, loadCase, loadCases } from './store/reads';

export { dueCaseIds, getCounters, listCounters, loadCase };

/**
 * Writes one change atomically. Throws `VersionConflict` when a condition failed (a state item moved
 * on, or the change was already made); any other error is an infrastructure error for SQS to retry.
 */
async function commit(change: ReviewChange): Promise<void> {
  const items = transactItems(change);
  if (items.length === 0) return;
  if (items.length > MAX_TRANSACTION_ITEMS) {
    throw new Error(`case ${change.caseId}: a change of ${items.length} items exceeds DynamoDB's ${MAX_TRANSACTION_ITEMS}-item transaction`);
  }
  try {
    await ddb.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    const reasons = cancellationCodes(error);
    if (reasons && (reasons.length === 0 || reasons.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict'))) {
      throw new VersionConflict(change.caseId, reasons.join(','));
    }
    throw error;
  }
}

/**
 * The group-commit writer (platform/group-commit.ts): the changes of several cases (one per case) in as
 * few transactions as fit, each case's items as `commit` writes them and the counter rows of all of them
 * summed (one ADD per row per transaction).
 */
function commitMany(changes: readonly ReviewChange[]): Promise<CommitResult[]> {
  return writeChanges(changes.map(ownItems), {
    keysOf: (i) => counterRowKeys(changes[i]!.figureDeltas ?? []),
    items: (indices) => counterUpdates(indices.flatMap((i) => changes[i]!.figureDeltas ?? [])),
  });
}

/** Deletes published events from their cases' outboxes (25 per request). */
async function clearOutbox(sent: readonly Pick<ReviewChange, 'caseId' | 'outbound'>[]): Promise<void> {
  const keys = sent.flatMap((c) => (c.outbound ?? []).map((event) => outboxKey(c.caseId, event.id)));
  if (keys.length === 0) return;
  await batchWriteAll(table(), keys.map((Key) => ({ DeleteRequest: { Key } })));
}

/**
 * Records a refusal, its audit line and the event's receipt once, in one transaction (the refusal record is
 * create-only). A redelivered refusal keeps the first record (returns false).
 */
async function recordRejection(caseId: string, rejection: Rejection, audit: AuditEntry, receipt?: Receipt): Promise<boolean> {
  try {
    await ddb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table(),
              Item: { ...rejectionKey(caseId, rejection.kind, rejection.ref), kind: 'rejection', caseId, rejection },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: auditPut(audit) },
          ...(receipt ? [receiptPut(receipt, 'replace')] : []),
        ],
      }),
    );
    return true;
  } catch (error) {
    if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') return false;
    throw error;
  }
}

export const dynamoReviewStore: ReviewStore = {
  loadCase,
  loadCases,
  commit,
  commitMany,
  clearOutbox,
  recordRejection,
  async recordReceipt(receipt) {
    await recordReceipt(receipt);
  },
  dueCaseIds: (queue, now) => dueCaseIds(queue, now),
  listCounters,
};
