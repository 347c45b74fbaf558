/**
 * What 免申即享 tells others, built from domain results: the internal events of its own queues (match
 * slices, notifications; built by the contract's builders, shared/contract/internal.ts) and the outbound
 * `gov.*` events for upstream systems, and the message a channel delivers to an enterprise. Every id is
 * deterministic per fact, so a redelivered cause sends the same messages and receivers de-duplicate.
 */
import { createHash } from 'node:crypto';
import { isValidIdNumber } from '#contract/identifiers';
import { benefitFraudMarkedEvent, entitlementNotifyEvent, matchSliceEvent, type EventCause, type InternalDataOf } from '#contract/internal';
import type { OutboundEvent } from '#contract/outbound';
import { maskedSubjectId, maskPersonName, subjectKindOf, type Entitlement, type EntitlementState, type Instant, type NotificationIntent, type Policy, type Transition } from './domain';
import type { CreditMarkMessage, MatchSliceMessage, NotifyMessage } from './ports';
import { eventRef } from '#platform/inbound';

/** One slice of a matching run, as the match worker receives it. */
export type SliceData = InternalDataOf<'civicflow.policy.match-slice'>;

/**
 * The first slice of every registry shard for a policy version (a new version re-reads existing pairs), with
 * the publication that started the run, if an event did (continuations carry it on).
 */
export function matchRunMessages(policy: Policy, republish: boolean, shards: number, time: Instant, cause?: EventCause): MatchSliceMessage[] {
  const by = cause === undefined ? {} : { cause: eventRef(cause) };
  return Array.from({ length: shards }, (_, shard) =>
    matchSliceEvent({ policyId: policy.policyId, version: policy.version, shard, ...(republish ? { republish } : {}), ...by }, time),
  );
}

/** The rest of a slice's shard, after the last profile it read (the same run: the same cause). */
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

/**
 * `gov.entitlement.recovered` (追回): what was taken back, why, and what went back to the budget; the same
 * id for a redelivered recovery, timed when the entitlement was recovered.
 */
export function recoveredEvent(entitlement: Entitlement): OutboundEvent {
  const r = entitlement.recovery!;
  return progressEvent(entitlement.policyId, entitlement.creditCode, 'RECOVERED', r.at, { amount: r.amount, reason: r.reason, creditedToBudget: r.credited });
}

/**
 * `gov.credit.marked`: a benefit-fraud mark for the credit system, which decides any exclusion (the mark
 * itself excludes nobody). One per (policy, subject), as the registry keeps it.
 */
export function benefitFraudEvent(entitlement: Entitlement): OutboundEvent {
  const r = entitlement.recovery!;
  return {
    type: 'gov.credit.marked',
    id: `credit-marked:benefitFraud:${entitlement.policyId}:${entitlement.creditCode}`,
    subject: entitlement.creditCode,
    time: r.at,
    data: { subjectId: entitlement.creditCode, kind: 'benefitFraud', policyId: entitlement.policyId, amount: r.amount, at: r.at, setBy: 'civicflow' },
  };
}

/** The internal event that asks the registry to record the benefit-fraud mark (same id as the outbound one). */
export function benefitFraudMark(entitlement: Entitlement): CreditMarkMessage {
  const r = entitlement.recovery!;
  return benefitFraudMarkedEvent({ subjectId: entitlement.creditCode, policyId: entitlement.policyId, amount: r.amount, at: r.at });
}

/**
 * Masking of a publicity list, when the stage asks for it: the name keeps its first two and last four
 * characters (the place and the legal form), the credit code its first six (registration authority and
 * district) and last four.
 */
export function maskEnterpriseName(name: string): string {
  const chars = [...name];
  return chars.length <= 6 ? `${chars[0] ?? ''}${'*'.repeat(Math.max(0, chars.length - 1))}` : `${chars.slice(0, 2).join('')}${'*'.repeat(chars.length - 6)}${chars.slice(-4).join('')}`;
}
export function maskCreditCode(code: string): string {
  return code.length < 10 ? '*'.repeat(code.length) : `${code.slice(0, 6)}${'*'.repeat(code.length - 10)}${code.slice(-4)}`;
}

/**
 * `gov.policy.publicity.listed`: entries of a policy's publicity list (公示名单), PUBLICIZED pairs only,
 * one event per window and batch of pairs listed together. Its id is derived from the window and the
 * credit codes, so a redelivered batch publishes the same event again and receivers keep one.
 */
export function publicityListEvents(
  policy: Policy,
  listed: readonly Entitlement[],
  names: ReadonlyMap<string, string>,
  mask: boolean,
  time: Instant,
): OutboundEvent[] {
  const byWindow = new Map<string, Entitlement[]>();
  for (const e of listed) {
    const id = e.publicity!.windowId;
    byWindow.set(id, [...(byWindow.get(id) ?? []), e]);
  }
  return [...byWindow].map(([windowId, pairs]) => {
    const codes = pairs.map((e) => e.creditCode).sort();
    const digest = createHash('sha256').update(codes.join(',')).digest('hex').slice(0, 16);
    return {
      type: 'gov.policy.publicity.listed',
      id: `publicity:${policy.policyId}:${windowId}:${digest}`,
      subject: `${policy.policyId}/${windowId}`,
      time,
      data: {
        policyId: policy.policyId,
        policyName: policy.name,
        windowId,
        closesAt: pairs[0]!.publicity!.closesAt,
        entries: codes.map((code) => {
          const name = names.get(code) ?? '';
          // Persons are always listed with their names and ID numbers masked.
          if (subjectKindOf(policy) === 'person') return { name: maskPersonName(name), idNumber: maskedSubjectId(code) };
          return mask ? { name: maskEnterpriseName(name), creditCode: maskCreditCode(code) } : { name, creditCode: code };
        }),
      },
    };
  });
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

/**
 * What a channel sender delivers; `notificationId` is the same on every attempt (its idempotency key). An
 * enterprise is named by its credit code; a person never by an unmasked ID number: `subjectId`
 * is masked and the id is a digest, the same on every attempt.
 */
export interface ChannelMessage {
  readonly notificationId: string;
  readonly policyId: string;
  readonly policyVersion: number;
  readonly policyName: string;
  readonly creditCode?: string;
  readonly subjectKind?: 'person';
  readonly subjectId?: string;
  readonly channels: readonly string[];
  readonly purpose: NotificationIntent['purpose'];
  readonly benefit: NotificationIntent['benefit'];
  readonly at: Instant;
}

export function channelMessage(n: NotificationIntent): ChannelMessage {
  const person = isValidIdNumber(n.creditCode);
  const digest = () => createHash('sha256').update(`${n.policyId}#${n.creditCode}`).digest('hex').slice(0, 32);
  return {
    notificationId: person ? `${n.policyId}#P${digest()}` : n.notificationId,
    policyId: n.policyId,
    policyVersion: n.policyVersion,
    policyName: n.policyName,
    ...(person ? { subjectKind: 'person' as const, subjectId: maskedSubjectId(n.creditCode) } : { creditCode: n.creditCode }),
    channels: n.channels,
    purpose: n.purpose,
    benefit: n.benefit,
    at: n.at,
  };
}
