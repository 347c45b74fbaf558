/**
 * What 免申即享 tells others, built from domain results: the internal events of its own queues (match
 * slices, notifications; built by the contract's builders, shared/contract/internal.ts) and the outbound
 * `gov.*` events for upstream systems, and the message a channel delivers to an enterprise. Every id is
 * deterministic per fact, so a redelivered cause sends the same messages and receivers de-duplicate.
 */
import { entitlementNotifyEvent, matchSliceEvent, type InternalDataOf } from '#contract/internal';
import type { OutboundEvent } from '#contract/outbound';
import type { Entitlement, EntitlementState, Instant, NotificationIntent, Policy, Transition } from './domain';
import type { MatchSliceMessage, NotifyMessage } from './ports';

/** One slice of a matching run, as the match worker receives it. */
export type SliceData = InternalDataOf<'civicflow.policy.match-slice'>;

/** The first slice of every registry shard for a policy version (a new version re-reads existing pairs). */
export function matchRunMessages(policy: Policy, republish: boolean, shards: number, time: Instant): MatchSliceMessage[] {
  return Array.from({ length: shards }, (_, shard) =>
    matchSliceEvent({ policyId: policy.policyId, version: policy.version, shard, ...(republish ? { republish } : {}) }, time),
  );
}

/** The rest of a slice's shard, after the last profile it read. */
export function continuationMessage(slice: SliceData, cursor: string, time: Instant): MatchSliceMessage {
  return matchSliceEvent({ ...slice, cursor }, time);
}

/** One notify message per pair whose notification is to be delivered. */
export function notifyMessages(pairs: readonly { readonly policyId: string; readonly creditCode: string }[], time: Instant): NotifyMessage[] {
  return pairs.map((p) => entitlementNotifyEvent(p.policyId, p.creditCode, time));
}

/** `gov.entitlement.<state>`: an entitlement reached a state; one id per (pair, state). */
function progressEvent(policyId: string, creditCode: string, to: EntitlementState, at: Instant, data: Record<string, unknown> = {}): OutboundEvent {
  return {
    type: `gov.entitlement.${to.toLowerCase()}`,
    id: `entitlement:${policyId}:${creditCode}:${to}`,
    subject: `${policyId}/${creditCode}`,
    time: at,
    data: { policyId, creditCode, state: to, ...data },
  };
}

/** A confirmation or disbursement applied: what was reserved or paid. */
export function transitionEvent(t: Transition): OutboundEvent {
  const data = t.to === 'DISBURSED' ? { amount: t.next.amountDisbursed } : t.reservation ? { reserved: t.reservation.amount } : {};
  return progressEvent(t.policyId, t.creditCode, t.to, t.at, data);
}

/**
 * The event of a state the entitlement already holds, for a redelivered confirmation or disbursement (the
 * first delivery may have stored the state and lost its event): the same id, timed when the state was reached.
 */
export function restatedEvent(entitlement: Entitlement, to: 'CONFIRMED' | 'DISBURSED', fallbackAt: Instant): OutboundEvent {
  const at = (to === 'CONFIRMED' ? entitlement.confirmedAt : entitlement.disbursedAt) ?? fallbackAt;
  return progressEvent(entitlement.policyId, entitlement.creditCode, to, at);
}

/** `gov.policy.withdrawn`: one per policy. */
export function policyWithdrawnEvent(policyId: string, at: Instant): OutboundEvent {
  return { type: 'gov.policy.withdrawn', id: `policy-withdrawn:${policyId}`, subject: policyId, time: at, data: { policyId, withdrawnAt: at } };
}

/** `gov.entitlement.notified`: the channel accepted the pair's notification. */
export function notifiedEvent(n: NotificationIntent, deliveredAt: Instant): OutboundEvent {
  return {
    type: 'gov.entitlement.notified',
    id: `entitlement:${n.policyId}:${n.creditCode}:NOTIFIED`,
    subject: `${n.policyId}/${n.creditCode}`,
    time: n.at,
    data: {
      policyId: n.policyId,
      policyVersion: n.policyVersion,
      creditCode: n.creditCode,
      purpose: n.purpose,
      channels: n.channels,
      benefit: n.benefit,
      deliveredAt,
    },
  };
}

/** What a channel sender delivers; `notificationId` is the same on every attempt (its idempotency key). */
export interface ChannelMessage {
  readonly notificationId: string;
  readonly policyId: string;
  readonly policyVersion: number;
  readonly policyName: string;
  readonly creditCode: string;
  readonly channels: readonly string[];
  readonly purpose: NotificationIntent['purpose'];
  readonly benefit: NotificationIntent['benefit'];
  readonly at: Instant;
}

export function channelMessage(n: NotificationIntent): ChannelMessage {
  return {
    notificationId: n.notificationId,
    policyId: n.policyId,
    policyVersion: n.policyVersion,
    policyName: n.policyName,
    creditCode: n.creditCode,
    channels: n.channels,
    purpose: n.purpose,
    benefit: n.benefit,
    at: n.at,
  };
}
