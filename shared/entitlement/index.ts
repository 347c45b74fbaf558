/**
 * 免申即享's public module: what other capabilities and the edges (the query routes, the monthly report)
 * may import. The domain's types, matching and figures, and the readers of current state; the use cases
 * are reached through the queues, never called from another capability.
 */
export * from './domain';
export {
  // Policies: the current version, the active ones, every one ever published, the budget, a run's progress.
  getPolicy,
  listActivePolicies,
  listAllPolicies,
  getBudget,
  getRun,
  // Entitlements: one, an enterprise's across policies, a policy's by state; their delivery status.
  getEntitlement,
  entitlementsOfEnterprise,
  listEntitlements,
  batchGetOutbox,
  getOutbox,
  // Figures: a policy's counters summed over their shards.
  readFigures,
  // 公示 and 异议: a policy's newest publicity window, an objection.
  getPublicityWindow,
  getObjection,
  type EntitlementPage,
  type OutboxRecord,
  type DeliveryStatus,
  type RunProgress,
  type StoredFigures,
} from './store';
