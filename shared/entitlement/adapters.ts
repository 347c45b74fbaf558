/**
 * The production adapters of the 免申即享 ports: the DynamoDB store, the registry's module, the SQS queues
 * and the outbound queue, the channel sender of the stage, the functions' clock and Powertools metrics.
 * The stage's settings are read when first used (the match function has no notify queue to read the
 * receive count of).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterCommit } from '#platform/group-commit';
import { stageCalendar } from '#platform/calendar';
import { nowIso } from '#platform/clock';
import { publish } from '#platform/outbound';
import { metrics } from '#platform/powertools';
import { sendInternal } from '#platform/queues';
import { deliverySecondsOf, maxReceivesOf } from '#platform/resources';
import { config } from '#platform/stage-config';
import { batchGetCredits, ENTERPRISE_SHARDS, getCredit, getEnterpriseProfile, getPersonProfile, getSubject, queryShardPersons, queryShardProfiles } from '#registry';
import { channelSender } from './channel';
import type { EntitlementPorts, MetricsSink, PolicyEventPorts } from './ports';
import { createEntitlementService, createPolicyEventService, type EntitlementService, type PolicyEventService } from './service';
import type { MatchPorts } from './service/matching';
import type { NotifyPorts } from './service/notify';
import { dynamoEntitlementStore, policyEventStore } from './store';
import { applyTransitions, batchGetEntitlements, getEntitlement } from './store/entitlements';
import { readFigures } from './store/figures';
import { claimOutbox, isNotificationPending, markDelivered, markDeliveryFailed } from './store/outbox';
import { getBudget, getPolicy } from './store/policies';
import { getPublicityWindow } from './store/publicity';
import { finishSlice, isSliceDone } from './store/runs';
import { fileFlipEntries } from './store/flips';

const powertoolsMetrics: MetricsSink = {
  count(metric, value) {
    afterCommit(() => metrics.addMetric(metric, MetricUnit.Count, value));
  },
  publishToLastPush(policyId, ms) {
    afterCommit(() => {
      const single = metrics.singleMetric();
      single.addDimension('PolicyId', policyId);
      single.addMetric('PublishToLastPushMs', MetricUnit.Milliseconds, ms);
    });
  },
};

/**
 * The policy queue's longest delivery when the deployment did not say (its visibility timeout of 360 s ×
 * 5 receives): how long the close of a publicity window waits for objections received in time.
 */
const DEFAULT_POLICY_DELIVERY_SECONDS = 30 * 60;

// Built once and shared; marked pure so a bundle that uses none of them drops them.
const channel = /* @__PURE__ */ channelSender(() => config().notificationSender);
const clock = { now: nowIso };
const settings: EntitlementPorts['settings'] = {
  get sliceSize() {
    return config().matching.sliceSize;
  },
  get timeZone() {
    return config().timeZone;
  },
  get notifyMaxReceives() {
    return maxReceivesOf('notify');
  },
  get maskPublicityList() {
    return config().publicity?.maskEnterprises === true;
  },
  get publicityCloseGraceMs() {
    return deliverySecondsOf('policy', DEFAULT_POLICY_DELIVERY_SECONDS) * 1000;
  },
};

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

/**
 * The notify worker's ports: only the outbox record's writes, not the whole store, so its bundle carries
 * no matching, publishing or publicity code.
 */
export const notifyPorts: NotifyPorts = {
  store: { claimOutbox, markDelivered, markDeliveryFailed },
  channel,
  clock,
  outbound: { publish },
  metrics: powertoolsMetrics,
  settings,
};

/** The use cases on the production adapters. */
// Pure: a function that calls one use case directly (notify, match) leaves the rest of the service out of
// its bundle; esbuild drops this object where nothing reads it.
export const entitlementService: EntitlementService = /* @__PURE__ */ createEntitlementService(productionPorts);

/** The policy queue's use cases on the production adapters (the policy function calls no others). */
export const policyEventService: PolicyEventService = /* @__PURE__ */ createPolicyEventService(policyEventPorts);
