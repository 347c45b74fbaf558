/**
 * The production adapters of the 免申即享 ports: the DynamoDB store, the registry's module, the SQS queues
 * and the outbound queue, with the channel sender, clock, metrics and settings every function shares
 * (notify-adapters.ts). The notify worker takes its ports from notify-adapters.ts, not here: this module reads
 * the registry.
 */
import { stageCalendar } from '#platform/calendar';
import { publish } from '#platform/outbound';
import { sendInternal } from '#platform/queues';
import { batchGetCredits, ENTERPRISE_SHARDS, getCredit, getEnterpriseProfile, getPersonProfile, getSubject, queryShardPersons, queryShardProfiles } from '#registry';
import { channel, clock, powertoolsMetrics, settings } from './notify-adapters';
import type { EntitlementPorts, PolicyEventPorts } from './ports';
import { createEntitlementService, createPolicyEventService, type EntitlementService, type PolicyEventService } from './service';
import type { MatchPorts } from './service/matching';
import { dynamoEntitlementStore, policyEventStore } from './store';
import { applyTransitions, batchGetEntitlements, getEntitlement } from './store/entitlements';
import { readFigures } from './store/figures';
import { isNotificationPending } from './store/outbox';
import { getBudget, getPolicy } from './store/policies';
import { getPublicityWindow } from './store/publicity';
import { finishSlice, isSliceDone } from './store/runs';
import { fileFlipEntries } from './store/flips';

const queues: EntitlementPorts['queues'] = { sendSlices: sendInternal, sendNotifications: sendInternal, sendCreditMarks: sendInternal, sendRematches: sendInternal };
// Built when first used: the stage's calendar reads the configuration.
const calendar: EntitlementPorts['calendar'] = {
  localDate: (at) => stageCalendar().localDate(at),
  addWorkingDays: (from, n) => stageCalendar().addWorkingDays(from, n),
};

const registry: EntitlementPorts['registry'] = { shards: ENTERPRISE_SHARDS, getEnterpriseProfile, getPersonProfile, getCredit, getSubject, batchGetCredits, queryShardProfiles, queryShardPersons };

export const productionPorts: EntitlementPorts = {
  store: dynamoEntitlementStore,
  registry,
  queues,
  outbound: { publish },
  channel,
  clock,
  calendar,
  metrics: powertoolsMetrics,
  settings,
};

/**
 * The policy function's ports: the store's part its use cases call (ports.ts `PolicyEventStore`) and no
 * channel, so its bundle carries no outbox-delivery, publicity-schedule or time-index reads.
 */
export const policyEventPorts: PolicyEventPorts = {
  store: policyEventStore,
  registry,
  queues,
  outbound: { publish },
  clock,
  calendar,
  metrics: powertoolsMetrics,
  settings,
};

/**
 * The match worker's ports: the store's reads and writes a slice makes, not the whole store, so its bundle
 * carries no publishing, publicity-schedule, objection or delivery code.
 */
export const matchPorts: MatchPorts = {
  store: {
    getPolicy,
    getBudget,
    getEntitlement,
    batchGetEntitlements,
    applyTransitions,
    isNotificationPending,
    getPublicityWindow,
    isSliceDone,
    finishSlice,
    readFigures,
    putFlips: fileFlipEntries,
  },
  registry: { batchGetCredits, queryShardProfiles, queryShardPersons },
  queues,
  outbound: { publish },
  clock,
  calendar,
  metrics: powertoolsMetrics,
  settings,
};

/** The use cases on the production adapters. */
// Pure: a function that calls one use case directly (notify, match) leaves the rest of the service out of
// its bundle; esbuild drops this object where nothing reads it.
export const entitlementService: EntitlementService = /* @__PURE__ */ createEntitlementService(productionPorts);

/** The policy queue's use cases on the production adapters (the policy function calls no others). */
export const policyEventService: PolicyEventService = /* @__PURE__ */ createPolicyEventService(policyEventPorts);
