/**
 * 异议: objections to a policy's publicity list (gov.policy.objection.filed / .resolved).
 *
 * A third-party objection in the pair's window holds it (OBJECTED) until it is resolved: upheld removes it
 * and returns its reservation, which goes to the EXHAUSTED pairs first in the budget's order; dismissed lets
 * it proceed. A second objection on a pair that another upheld objection removed holds nothing any more:
 * its resolution is still recorded and counted, with its receipt and audit line, and moves no entitlement.
 * A self-objection re-evaluates the enterprise with the declared facts (for that evaluation only; marked
 * `declared` in the explanation) and lists it when they make it eligible; declared facts it cannot use (under
 * the other subject kind, or the subject's own id) refuse it (DECLARED_FACT_MISMATCH) rather than being left
 * out. An objection outside the window is refused, with its receipt and an audit line, and recorded as filed
 * (REFUSED, counted in objectionsFiled and objectionsOutOfWindow); a self-objection is told it is out of the
 * window before anything about its facts. The objection record is written with the change it causes,
 * create-only, so a redelivery finds it and applies nothing twice.
 *
 * "In time" is judged by the receipt at ingest, never by when the objection is processed. The close of a
 * window waits for the policy queue's deliveries (service/publicity.ts), and one processed later still (a
 * redrive from the dead-letter queue) is not refused as late: a third-party objection on a pair the close
 * already released is filed (OPEN, counted) without holding it — its resolution is recorded and moves
 * nothing, undoing a push being a recovery's business; upheld, it is counted apart (upheldAfterRelease) and
 * its receipt says the pair was not removed — and a pair a self-objection lists after the close released its
 * window is published on that window's list and released in the same write (notified, or granted), as the
 * close would have released it. In the grace between a window's end and its close, a dismissal or a
 * self-objection leaves the pair listed for the close (service/publicity.ts), so an objection received in
 * time and still queued can hold it.
 */
import { auditSource } from '#platform/inbound';
import { applied, type EffectPointer } from '#platform/receipts';
import {
  compilePolicy,
  LISTED_STATES,
  matchEnterprise,
  planResolution,
  planSettle,
  planThirdPartyObjection,
  PUSHED_STATES,
  releaseAfterClose,
  reservationAmount,
  selfObjectionWindow,
  outOfWindow,
  withDeclaredFacts,
  declaredFactsMismatch,
  fitsSubjectKind,
  subjectKindMismatch,
  subjectKindOf,
  type Counter,
  type Entitlement,
  type Instant,
  type Objection,
  type ObjectionState,
  type Plan,
  type Policy,
  type PublicityWindow,
  type Transition,
} from '../domain';
import type { ObjectionInput, ResolutionInput } from '../inbound';
import { notifyMessages } from '../messages';
import type { ObjectionWrite, PolicyEventPorts } from '../ports';
import { noEffect, refuse, transitionsAudit, type Cause } from './records';
import { passOnBudget } from './budget';
import { afterSettle, loadWindow, publishListed, windowAt, type SettleResult } from './settle';
import { releaseIfWindowReleased, windowReleased } from './publicity';
import { countCommitted } from './telemetry';

const MAX_ATTEMPTS = 5;

export const objectionEffect = (objectionId: string, state: ObjectionState): EffectPointer => ({ resource: 'objection', id: objectionId, state });

/** An objection's line: the actor and the source are the system that posted the event that changed it. */
function objectionAudit(o: Objection, cause: Cause, at: Instant, why: string) {
  return {
    subject: `objection:${o.objectionId}`,
    action: `objection:${o.state}`,
    actor: cause.source,
    at,
    why,
    causeId: cause.id,
    details: { policyId: o.policyId, creditCode: o.creditCode, by: o.by, ...auditSource(cause) },
  };
}

/** gov.policy.objection.filed. */
export async function fileObjection(ports: PolicyEventPorts, input: ObjectionInput, cause: Cause): Promise<string> {
  const { store } = ports;
  const existing = await store.getObjection(input.objectionId);
  if (existing !== undefined) {
    await resendAddedNotification(ports, existing, cause);
    await noEffect(ports, cause, 'DUPLICATE', `objection ${input.objectionId} was filed before (${existing.state})`, objectionEffect(existing.objectionId, existing.state));
    return `unchanged:${existing.state}`;
  }
  const policy = await store.getPolicy(input.policyId);
  const refusal = policy === undefined
    ? { reason: 'POLICY_UNKNOWN', message: 'no such policy' }
    : !fitsSubjectKind(policy, input.subjectId)
      ? subjectKindMismatch(policy)
      : policy.publicity === undefined
        ? { reason: 'NO_PUBLICITY', message: `policy ${input.policyId} has no publicity window` }
        : undefined;
  if (refusal !== undefined || policy === undefined) {
    await refuse(ports, cause, input.policyId, { ...refusal!, creditCode: input.subjectId });
    return `refused:${refusal!.reason}`;
  }
  if (input.by === 'thirdParty') return fileThirdParty(ports, policy, input, cause);
  // Out of the window before the declared facts: nothing sent again would be accepted, so the sender is
  // not asked to correct a fact first.
  const windows = await loadWindow(ports, policy);
  const window = selfObjectionWindow(windows?.window, input.receivedAt);
  if (window === undefined) return refuseOutOfWindow(ports, input, outOfWindow(windows?.window?.closesAt, input.receivedAt), cause);
  const mismatch = declaredFactsMismatch(policy, input.facts);
  if (mismatch !== undefined) {
    await refuse(ports, cause, input.policyId, { ...mismatch, creditCode: input.subjectId });
    return `refused:${mismatch.reason}`;
  }
  return fileSelf(ports, policy, input, window, cause);
}

/**
 * An objection received outside its window (pinned: "refused, and recorded"): refused as any refusal is
 * (its receipt, `GET /refusals`, an audit line), and recorded as an objection filed — REFUSED, counted in
 * `objectionsFiled` and `objectionsOutOfWindow` — in one create-only write, so a redelivery counts nothing
 * twice. The refusal is written first: after a crash between the two, the redelivery writes the objection.
 * Its declared facts are not kept: nothing was evaluated with them.
 *
 * The first delivery's outcome stands: an event posted again is queued again with the new post's receipt
 * time, so one first refused for something else in its window (a declared fact, a pair not listed) may come
 * back out of it — it is then neither recorded nor counted, its first refusal answered as it was.
 */
async function refuseOutOfWindow(ports: PolicyEventPorts, input: ObjectionInput, plan: Plan, cause: Cause): Promise<string> {
  if (plan.kind !== 'refused') throw new Error(`an out-of-window objection must be refused, not ${plan.kind}`);
  const receipt = await refuse(ports, cause, input.policyId, { reason: plan.reason, message: plan.message, creditCode: input.subjectId });
  if (receipt.kind !== plan.reason) return `unchanged:${receipt.kind ?? receipt.outcome}`;
  const { facts: _unused, ...filed } = objectionOf(input, 'REFUSED');
  const counts: Partial<Record<Counter, number>> = { objectionsFiled: 1, objectionsOutOfWindow: 1 };
  const write: ObjectionWrite = { objection: filed, expect: 'new', counts };
  const audit = objectionAudit(filed, cause, receipt.at, `${plan.reason}: ${plan.message}`);
  if (await ports.store.saveObjection(write, audit, receipt)) countCommitted(ports.metrics, [], counts);
  return `refused:${plan.reason}`;
}

/**
 * A self-objection that listed its pair (and, after the close, released it in the same write) may have
 * crashed before the list was published, the pair released (listed in the grace, the close releasing the
 * window meanwhile) or the notification queued: its redelivery publishes the pair's list entry again (the
 * same event id), releases the pair if its window was released, and queues a pending notification again
 * (the same message id; the outbox claim sends it once).
 */
async function resendAddedNotification(ports: PolicyEventPorts, existing: Objection, cause: Cause): Promise<void> {
  if (existing.by !== 'self' || existing.state !== 'ADDED') return;
  const { store, registry, clock } = ports;
  const [e, policy] = await Promise.all([store.getEntitlement(existing.policyId, existing.creditCode), store.getPolicy(existing.policyId)]);
  if (e === undefined || e.publicity === undefined || policy === undefined) return;
  // Listed and not moved on since by anything but its release (an objection or a removal published nothing new).
  if (e.state !== 'PUBLICIZED' && !e.reached.includes('NOTIFIED')) return;
  const shared = subjectKindOf(policy) === 'person' ? await registry.getPersonProfile(e.creditCode) : await registry.getEnterpriseProfile(e.creditCode);
  const asListed: Entitlement = { ...e, state: 'PUBLICIZED' };
  await publishListed(ports, policy, [{ committed: [], entitlement: asListed }], new Map([[e.creditCode, shared?.name ?? '']]), clock.now());
  // Listed in the grace, then a crash before the pair's release once the close had released the window.
  if (e.state === 'PUBLICIZED') await releaseIfWindowReleased(ports, policy, e, clock.now(), cause);
  if (!e.reached.includes('NOTIFIED')) return;
  if (await store.isNotificationPending(existing.policyId, existing.creditCode)) {
    await ports.queues.sendNotifications(notifyMessages([{ policyId: existing.policyId, creditCode: existing.creditCode }], clock.now()));
  }
}

function objectionOf(input: ObjectionInput, state: ObjectionState): Objection {
  return {
    objectionId: input.objectionId,
    policyId: input.policyId,
    creditCode: input.subjectId,
    by: input.by,
    reason: input.reason,
    ...(input.facts !== undefined ? { facts: input.facts } : {}),
    receivedAt: input.receivedAt,
    state,
  };
}

async function refusePlan(ports: PolicyEventPorts, cause: Cause, input: ObjectionInput, plan: Extract<Plan, { kind: 'refused' }>): Promise<string> {
  await refuse(ports, cause, input.policyId, { reason: plan.reason, message: plan.message, creditCode: input.subjectId });
  return `refused:${plan.reason}`;
}

async function fileThirdParty(ports: PolicyEventPorts, policy: Policy, input: ObjectionInput, cause: Cause): Promise<string> {
  const { store, clock } = ports;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const e = await store.getEntitlement(input.policyId, input.subjectId);
    const plan = planThirdPartyObjection(e, policy, input);
    if (plan.kind === 'refused' && plan.reason === 'OBJECTION_OUT_OF_WINDOW') return refuseOutOfWindow(ports, input, plan, cause);
    if (plan.kind === 'refused') return refusePlan(ports, cause, input, plan);
    if (plan.kind === 'unchanged' && plan.reason === 'ALREADY_RELEASED' && e !== undefined) {
      const filed = await fileAfterRelease(ports, input, e, cause);
      if (filed !== undefined) return filed;
      return fileObjection(ports, input, cause);
    }
    if (plan.kind === 'unchanged') {
      await noEffect(ports, cause, 'DUPLICATE', `objection ${input.objectionId} already holds the entitlement`, objectionEffect(input.objectionId, 'OPEN'));
      return `unchanged:${plan.reason}`;
    }
    const t = plan.transition;
    const objection = objectionOf(input, 'OPEN');
    const write: ObjectionWrite = { objection, expect: 'new', counts: { objectionsFiled: 1 } };
    const out = await store.applyTransitions([t], transitionsAudit([t], cause.source, cause), applied(cause, clock.now(), objectionEffect(input.objectionId, 'OPEN')), write);
    if (out.ok) {
      countCommitted(ports.metrics, [t], write.counts);
      return `${t.from}->${t.to}`;
    }
    if (out.objectionMoved) return fileObjection(ports, input, cause);
  }
  throw new Error(`entitlement ${input.policyId}/${input.subjectId} kept changing during an objection`);
}

/**
 * A third-party objection received in time but processed after the close released its pair (a late
 * redelivery): filed and counted (OPEN, to be resolved) with a receipt that says it holds nothing; its
 * resolution is recorded and moves no entitlement. Undefined when another delivery filed it first.
 */
async function fileAfterRelease(ports: PolicyEventPorts, input: ObjectionInput, e: Entitlement, cause: Cause): Promise<string | undefined> {
  const { store, clock } = ports;
  const now = clock.now();
  const objection = objectionOf(input, 'OPEN');
  const counts: Partial<Record<Counter, number>> = { objectionsFiled: 1 };
  const write: ObjectionWrite = { objection, expect: 'new', counts };
  const why = `received in time (${input.receivedAt}, the window closed at ${e.publicity?.closesAt}) but processed after the entitlement was released (${e.state}): filed, holds nothing`;
  const details = { outcome: 'ALREADY_RELEASED', held: false, entitlementState: e.state, ...(e.publicity ? { closesAt: e.publicity.closesAt } : {}) };
  const receipt = applied(cause, now, objectionEffect(input.objectionId, 'OPEN'), details);
  if (!(await store.saveObjection(write, objectionAudit(objection, cause, now, why), receipt))) return undefined;
  countCommitted(ports.metrics, [], counts);
  return 'filed:ALREADY_RELEASED';
}

/** A self-objection: the enterprise re-evaluated with its declared facts, listed when they make it eligible. */
async function fileSelf(ports: PolicyEventPorts, policy: Policy, input: ObjectionInput, window: PublicityWindow, cause: Cause): Promise<string> {
  const { store, registry, settings, clock } = ports;
  const kind = subjectKindOf(policy);
  const [shared, credit] = await Promise.all([
    kind === 'person' ? registry.getPersonProfile(input.subjectId) : registry.getEnterpriseProfile(input.subjectId),
    registry.getCredit(input.subjectId),
  ]);
  const { profile, declared } = withDeclaredFacts(shared, input.subjectId, input.facts, kind);
  const { timeZone } = settings;
  const match = matchEnterprise(policy, compilePolicy(policy, { timeZone }), profile, credit, input.receivedAt, { timeZone });
  const declaredMatch = match.summary ? { ...match, summary: { ...match.summary, declared } } : match;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const e = await store.getEntitlement(input.policyId, input.subjectId);
    const frozen = e !== undefined && (LISTED_STATES.has(e.state) || PUSHED_STATES.has(e.state));
    const budget = policy.kind === 'grant' && reservationAmount(policy) > 0 ? ((await store.getBudget(policy.policyId)) ?? 0) : undefined;
    const plan = frozen || match.outcome !== 'eligible'
      ? undefined
      : planSettle(e, policy, declaredMatch, input.receivedAt, budget, timeZone, windowAt(ports, policy, input.receivedAt, { window }));
    // Received in time but processed after the close released its window: the pair it lists is released at
    // once. In the grace before the close (the window ended, not yet released) it stays listed for the close.
    const now = clock.now();
    const released = plan?.kind === 'settle' && (await windowReleased(ports, policy.policyId, window, now));
    const chain = plan?.kind === 'settle' ? releaseAfterClose(plan.chain, policy, now, timeZone, released) : [];
    const added = chain.some((t) => t.steps.some((s) => s.to === 'PUBLICIZED'));
    const objection = objectionOf(input, added ? 'ADDED' : 'UNCHANGED');
    const counts: Partial<Record<Counter, number>> = { objectionsFiled: 1, [added ? 'addedBySelfObjection' : 'selfObjectionsUnchanged']: 1 };
    const write: ObjectionWrite = { objection, expect: 'new', counts };
    const details = { outcome: match.outcome, declared, ...(match.summary ? { explanation: { ...match.summary, declared } } : {}) };
    const receipt = applied(cause, clock.now(), objectionEffect(input.objectionId, objection.state), details);
    if (chain.length === 0) {
      if (await store.saveObjection(write, objectionAudit(objection, cause, clock.now(), `re-evaluated with declared facts: ${match.outcome}`), receipt)) {
        countCommitted(ports.metrics, [], counts);
        return 'UNCHANGED';
      }
      return fileObjection(ports, input, cause);
    }
    const out = await store.applyTransitions(chain, transitionsAudit(chain, cause.source, cause), receipt, write);
    if (out.ok) {
      countCommitted(ports.metrics, chain, counts);
      const pushed = chain.some((t) => t.notification !== undefined);
      const result: SettleResult = {
        committed: chain,
        entitlement: chain[chain.length - 1]!.next,
        ...(pushed ? { notify: { policyId: input.policyId, creditCode: input.subjectId } } : {}),
      };
      // On the publicity list before anyone is notified: the pair as listed (in the window it joined at the
      // receipt), even when the same write released it because the close had already released that window.
      const listed = chain.find((t) => t.steps.some((s) => s.to === 'PUBLICIZED'))?.next;
      // Named as the registry names it: the declared facts served the one re-evaluation only (a declared
      // name is not published), and a redelivery publishes this event again with the same entry.
      await publishListed(ports, policy, [{ ...result, entitlement: listed }], new Map([[input.subjectId, shared?.name ?? '']]), clock.now());
      // Pushed, or lapsed in the same write (its policy ended first): queued and counted as the close does.
      if (pushed || chain.some((t) => t.newlyReached.includes('LAPSED'))) await afterSettle(ports, [result], clock.now());
      // Listed in the grace after the window's end: the close releases it, unless it finished the window meanwhile.
      const late = pushed ? undefined : await releaseIfWindowReleased(ports, policy, result.entitlement!, clock.now(), cause);
      return added ? (pushed || (late?.committed.length ?? 0) > 0 ? 'ADDED:RELEASED' : 'ADDED') : 'UNCHANGED';
    }
    if (out.objectionMoved) return fileObjection(ports, input, cause);
  }
  throw new Error(`entitlement ${input.policyId}/${input.subjectId} kept changing during a self-objection`);
}

/** gov.policy.objection.resolved: upheld → REMOVED (budget returned and passed on), dismissed → proceeds. */
export async function resolveObjection(ports: PolicyEventPorts, input: ResolutionInput, cause: Cause): Promise<string> {
  const { store, clock, settings } = ports;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const objection = await store.getObjection(input.objectionId);
    if (objection === undefined || objection.by !== 'thirdParty' || objection.state === 'REFUSED') {
      const message = objection === undefined
        ? `no objection ${input.objectionId} was filed`
        : objection.state === 'REFUSED'
          ? `objection ${input.objectionId} was refused, received outside its publicity window: there is nothing to resolve`
          : `objection ${input.objectionId} is a self-objection, decided when it was filed`;
      await refuse(ports, cause, objection?.policyId ?? '-', { reason: 'OBJECTION_UNKNOWN', message });
      return 'refused:OBJECTION_UNKNOWN';
    }
    const [policy, e] = await Promise.all([store.getPolicy(objection.policyId), store.getEntitlement(objection.policyId, objection.creditCode)]);
    if (objection.state !== 'OPEN' || policy === undefined || e === undefined) {
      if (objection.state === 'UPHELD' && policy !== undefined) await passOnBudget(ports, policy, cause);
      // Dismissed in the grace, then a crash before the pair's release once the close had released the window.
      if (objection.state === 'DISMISSED' && policy !== undefined && e !== undefined) await releaseIfWindowReleased(ports, policy, e, clock.now(), cause);
      await noEffect(ports, cause, 'DUPLICATE', `objection ${input.objectionId} was already resolved (${objection.state})`, objectionEffect(objection.objectionId, objection.state));
      return `unchanged:${objection.state}`;
    }
    const now = clock.now();
    const state: ObjectionState = input.upheld ? 'UPHELD' : 'DISMISSED';
    const resolved: Objection = { ...objection, state, resolvedAt: now, note: input.note };
    const counts: Partial<Record<Counter, number>> = { [input.upheld ? 'objectionsUpheld' : 'objectionsDismissed']: 1 };
    // A dismissal after the window's end leaves the pair on the list until the close has released the window.
    const released = input.upheld || (await windowReleased(ports, e.policyId, e.publicity, now));
    const plan = planResolution(e, policy, objection.objectionId, input.upheld, now, settings.timeZone, released);
    if (plan.kind !== 'transition') {
      // The pair is no longer held by this objection: another one on it was upheld and removed it, or it was
      // filed after the close had released the pair (ALREADY_RELEASED). The resolution is still recorded and
      // counted, and changes no entitlement: a released pair upheld against is counted apart
      // (upheldAfterRelease) and stays as it is — taking the benefit back is a recovery (gov.policy.recovered).
      const afterRelease = e.state !== 'REMOVED' && e.reached.includes('NOTIFIED');
      const upheldAfterRelease = input.upheld && afterRelease;
      const write: ObjectionWrite = { objection: resolved, expect: 'OPEN', counts: upheldAfterRelease ? { ...counts, upheldAfterRelease: 1 } : counts };
      const why = upheldAfterRelease
        ? `resolved upheld; the entitlement was already released (${e.state}) and is not removed: taking the benefit back is a recovery`
        : `resolved ${state.toLowerCase()}; the entitlement is ${e.state} and no longer held by this objection`;
      const details = afterRelease
        ? { outcome: upheldAfterRelease ? 'UPHELD_AFTER_RELEASE' : 'ALREADY_RELEASED', removed: false, entitlementState: e.state }
        : { entitlementState: e.state };
      const receipt = applied(cause, now, objectionEffect(objection.objectionId, state), details);
      if (!(await store.saveObjection(write, objectionAudit(resolved, cause, now, why), receipt))) continue;
      countCommitted(ports.metrics, [], write.counts);
      return upheldAfterRelease ? `UPHELD_AFTER_RELEASE:${e.state}` : `${state}:${e.state}`;
    }
    const write: ObjectionWrite = { objection: resolved, expect: 'OPEN', counts };
    const t = plan.transition;
    const out = await store.applyTransitions([t], transitionsAudit([t], cause.source, cause), applied(cause, now, objectionEffect(objection.objectionId, state)), write);
    if (!out.ok) continue;
    countCommitted(ports.metrics, [t], write.counts);
    await afterResolution(ports, policy, t, now, cause);
    // Back on the list after the window's end: the close releases it, unless it finished the window meanwhile.
    const late = await releaseIfWindowReleased(ports, policy, t.next, now, cause);
    return late !== undefined && late.committed.length > 0 ? `${state}:${t.from}->${t.to}:RELEASED` : `${state}:${t.from}->${t.to}`;
  }
  throw new Error(`objection ${input.objectionId} kept changing during its resolution`);
}

async function afterResolution(ports: PolicyEventPorts, policy: Policy, t: Transition, now: Instant, cause: Cause): Promise<void> {
  const result: SettleResult = { committed: [t], entitlement: t.next, ...(t.notification ? { notify: { policyId: t.policyId, creditCode: t.creditCode } } : {}) };
  await afterSettle(ports, [result], now);
  if (t.release !== undefined) await passOnBudget(ports, policy, cause);
}
