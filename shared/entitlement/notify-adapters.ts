/**
 * The deployed ports every 免申即享 function shares (the clock, Powertools metrics, the stage's settings, the
 * channel sender) and the notify worker's. Apart from adapters.ts, whose ports for the other functions read the
 * registry's profiles and credit: the notify worker's build reads no registry.
 * The stage's settings are read when first used (the match function has no notify queue to read the
 * receive count of).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterCommit } from '#platform/group-commit';
import { nowIso } from '#platform/clock';
import { publish } from '#platform/outbound';
import { metrics } from '#platform/powertools';
import { deliverySecondsOf, maxReceivesOf } from '#platform/resources';
import { config } from '#platform/stage-config';
import { channelSender } from './channel';
import type { EntitlementPorts, MetricsSink } from './ports';
import type { NotifyPorts } from './service/notify';
import { claimOutbox, markDelivered, markDeliveryFailed } from './store/outbox';

export const powertoolsMetrics: MetricsSink = {
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
export const channel = /* @__PURE__ */ channelSender(() => config().notificationSender);
export const clock = { now: nowIso };
export const settings: EntitlementPorts['settings'] = {
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
