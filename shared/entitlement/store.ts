/**
 * The 免申即享 storage adapter: the `entitlements` table, keys, items and transactions only (what to write
 * is decided by the domain and the use cases; profiles and credit records are read through the registry's
 * module). Layout:
 *
 *   POLICY#<id>   CURRENT              the newest version, its status (active | withdrawn) and publishedAt
 *   POLICY#<id>   V#<000001>           each published version (immutable)
 *   POLICY#<id>   BUDGET               remaining (yuan) — `ADD remaining -amount` if `remaining >= amount`
 *   POLICY#<id>   FIGURES#<nn>         counter shard nn (00..15): eligible, needsInfo, … ADDed in the same
 *                                      transaction as the transition they count; `withdrawn` guard flag
 *   POLICY#<id>   ENT#<creditCode>     the entitlement (gsi1 = ENT#<creditCode> / POLICY#<id>)
 *   POLICY#<id>   OUTBOX#<creditCode>  the pair's one notification: PENDING → SENDING → DELIVERED | FAILED
 *   POLICY#<id>   RUN#<000001>         a version's matching run: slicesQueued, slicesDone, profiles, completedAt
 *   POLICY#<id>   SLICE#<v>#<shard>#<cursor>  a finished slice (create-only, so redelivery counts nothing twice)
 *   POLICY#<id>   REFUSAL#<eventId>    a confirmation or disbursement that could not apply, with the reason
 *   POLICY#<id>   PUBLICITY            the newest publicity window (公示期): windowId (its local opening date),
 *                                      closesAt; opened in the transaction of the first pair listed in it
 *   PUBLICITY-DUE DUE#<closesAt>#<id>#<windowId>  a window the schedule has still to finish (deleted when done)
 *   OBJECTION#<objectionId>  OBJECTION  an objection (异议): policy, enterprise, by, state OPEN → UPHELD |
 *                                      DISMISSED, or ADDED | UNCHANGED for a self-objection
 *   POLICIES      ACTIVE#<id>          the active (not withdrawn) policies with a copy of the current version,
 *                                      which a profile update is matched against
 *
 * Figures are sharded (16 shards by a hash of the credit code, independent of the registry's enterprise
 * shards, so writers of one slice spread over all of them): one hot counter item would make concurrent
 * transactions conflict. The same shards carry the withdrawal guard: a withdrawal sets `withdrawn` on every
 * shard, and a transition that pushes requires `attribute_not_exists(withdrawn)` on its shard, so no slice
 * still in flight can notify after the withdrawal has been applied.
 *
 * Every transition is one TransactWrite: the entitlement (condition `state = from AND revision =
 * fromRevision`, or `attribute_not_exists` when new), the budget reservation, the counter ADDs, the
 * notification outbox record, the audit line and an external event's receipt. A cancelled transaction
 * says which condition failed; the use case re-reads and plans again (a redelivery or a race then plans
 * `unchanged`).
 *
 * The files under store/ hold the items of each part; this module is the adapter of the EntitlementStore
 * port (ports.ts) and the readers the query routes and the monthly report use.
 */
import { appendAudit } from '#platform/audit';
import { recordReceipt, type Receipt } from '#platform/receipts';
import type { EntitlementStore, PolicyEventStore } from './ports';
import { applyTransitions, batchGetEntitlements, getEntitlement, putRefusal } from './store/entitlements';
import { readFigures } from './store/figures';
import { claimOutbox, isNotificationPending, markDelivered, markDeliveryFailed } from './store/outbox';
import { getBudget, getPolicy, guardWithdrawn, listActivePolicies, savePublish, saveWithdraw } from './store/policies';
import { finishSlice, isSliceDone } from './store/runs';
import { advanceFlipCursor, deleteFlips, fileFlipEntries, getFlipCursor, queryFlips, setAsideFlips } from './store/flips';
import { finishWindow, getObjection, getPublicityWindow, isWindowReleased, listDueWindows, markWindowReleased, listInState, listInWindow, saveObjection } from './store/publicity';

export { FIGURE_SHARDS, figureShardOf } from './store/keys';
export { getBudget, getPolicy, listActivePolicies, listAllPolicies } from './store/policies';
export { getRun } from './store/runs';
export { entitlementsOfEnterprise, getEntitlement, listEntitlements, type EntitlementPage } from './store/entitlements';
export { batchGetOutbox, getOutbox } from './store/outbox';
export { readFigures } from './store/figures';
export { getObjection, getPublicityWindow } from './store/publicity';
export type { Claim, DeliveryStatus, OutboxRecord, RunProgress, StoredFigures } from './ports';

async function recordRefusal(...[policyId, eventId, refusal, receipt, audit]: Parameters<EntitlementStore['recordRefusal']>): Promise<Receipt> {
  // Three create-only writes: a redelivery finds each there and keeps the first.
  await putRefusal(policyId, eventId, refusal);
  const standing = await recordReceipt(receipt);
  await appendAudit(audit);
  return standing;
}

async function recordReceiptAlone(receipt: Parameters<EntitlementStore['recordReceipt']>[0]): Promise<void> {
  await recordReceipt(receipt);
}

// Both objects are listed in full, not one spread into the other: esbuild keeps an unused object literal
// that spreads, so the policy function's bundle would carry the whole store again.

/** The store port of the policy queue's use cases on DynamoDB (what the policy function is given). */
export const policyEventStore: PolicyEventStore = {
  getPolicy,
  listActivePolicies,
  savePublish,
  saveWithdraw,
  guardWithdrawn,
  getBudget,
  isSliceDone,
  finishSlice,
  getEntitlement,
  batchGetEntitlements,
  applyTransitions,
  isNotificationPending,
  readFigures,
  listInState,
  listInWindow,
  getPublicityWindow,
  isWindowReleased,
  getObjection,
  saveObjection,
  recordRefusal,
  recordReceipt: recordReceiptAlone,
  putFlips: fileFlipEntries,
};

/** The EntitlementStore port on DynamoDB. */
export const dynamoEntitlementStore: EntitlementStore = {
  getPolicy,
  listActivePolicies,
  savePublish,
  saveWithdraw,
  guardWithdrawn,
  getBudget,
  isSliceDone,
  finishSlice,
  getEntitlement,
  batchGetEntitlements,
  applyTransitions,
  isNotificationPending,
  claimOutbox,
  markDelivered,
  markDeliveryFailed,
  readFigures,
  listInState,
  listInWindow,
  getPublicityWindow,
  listDueWindows,
  finishWindow,
  markWindowReleased,
  isWindowReleased,
  getObjection,
  saveObjection,
  recordRefusal,
  recordReceipt: recordReceiptAlone,
  putFlips: fileFlipEntries,
  queryFlips,
  deleteFlips,
  setAsideFlips,
  getFlipCursor,
  advanceFlipCursor,
};
