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
import { maxReceivesOf } from '#platform/resources';
import { config } from '#platform/stage-config';
import { batchGetCredits, ENTERPRISE_SHARDS, getCredit, getEnterpriseProfile, queryShardProfiles } from '#registry';
import { channelSender } from './channel';
import type { EntitlementPorts, MetricsSink } from './ports';
import { createEntitlementService, type EntitlementService } from './service';
import type { NotifyPorts } from './service/notify';
import { dynamoEntitlementStore } from './store';
import { claimOutbox, markDelivered, markDeliveryFailed } from './store/outbox';

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
};

export const productionPorts: EntitlementPorts = {
  store: dynamoEntitlementStore,
  registry: { shards: ENTERPRISE_SHARDS, getEnterpriseProfile, getCredit, batchGetCredits, queryShardProfiles },
  queues: { sendSlices: sendInternal, sendNotifications: sendInternal, sendCreditMarks: sendInternal },
  outbound: { publish },
  channel,
  clock,
  // Built when first used: the stage's calendar reads the configuration.
  calendar: {
    localDate: (at) => stageCalendar().localDate(at),
    addWorkingDays: (from, n) => stageCalendar().addWorkingDays(from, n),
  },
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
