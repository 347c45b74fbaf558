/**
 * Returned budget (an upheld objection, a recovery) goes to the EXHAUSTED pairs first (pinned), the first
 * to become eligible first, ties by subject id, while the budget pays them: a policy with publicity lists
 * each in the window open now (or a new one); a grant policy without publicity pushes and grants it. Only
 * pairs never notified qualify; re-running it passes on nothing twice (each move is a conditional write
 * that takes the budget in the same transaction).
 *
 * A `confirm` policy's EXHAUSTED pairs were refused at their confirmation: the returned budget stays
 * available for the next confirmations instead (a confirmation that found the budget spent is not re-run).
 *
 * `cause` is the upstream event that returned the budget (the recovery, the upheld objection): the audit
 * line of every pair it moves names its source, with CivicFlow (`/civicflow/policy`) as the actor.
 */
import { budgetOrder, planListing, planReturnedGrant, reservationAmount, subjectIdOf, subjectKindOf, type Entitlement, type Instant, type Policy } from '../domain';
import type { PolicyEventPorts } from '../ports';
import { POLICY_ACTOR, transitionsAudit, type Cause } from './records';
import { afterSettle, loadWindow, publishListed, windowAt, type SettleResult } from './settle';

export async function passOnBudget(ports: PolicyEventPorts, policy: Policy, cause: Cause): Promise<number> {
  const { store, clock, registry } = ports;
  const amount = reservationAmount(policy);
  if (policy.kind !== 'grant' || amount === 0 || policy.status === 'withdrawn') return 0;
  const waiting = (await store.listInState(policy.policyId, 'EXHAUSTED')).filter((e) => !e.reached.includes('NOTIFIED')).sort(budgetOrder);
  const windows = await loadWindow(ports, policy);
  const now = clock.now();
  const moved: SettleResult[] = [];
  for (const e of waiting) {
    const budget = (await store.getBudget(policy.policyId)) ?? 0;
    if (budget < amount) break;
    const committed = windows === undefined ? await grantExhausted(ports, policy, e, now, budget, cause) : await listExhausted(ports, policy, e, now, budget, windows, cause);
    if (committed !== undefined) moved.push(committed);
  }
  if (moved.length === 0) return 0;
  if (windows === undefined) {
    await afterSettle(ports, moved, now);
    return moved.length;
  }
  const person = subjectKindOf(policy) === 'person';
  const profiles = await Promise.all(moved.map((r) => (person ? registry.getPersonProfile(r.entitlement!.creditCode) : registry.getEnterpriseProfile(r.entitlement!.creditCode))));
  const names = new Map(profiles.flatMap((p) => (p ? [[subjectIdOf(p), p.name] as const] : [])));
  await publishListed(ports, policy, moved, names, now);
  return moved.length;
}

/** A grant policy without publicity: the exhausted pair is pushed and granted with the returned budget. */
async function grantExhausted(ports: PolicyEventPorts, policy: Policy, e: Entitlement, now: Instant, budget: number, cause: Cause): Promise<SettleResult | undefined> {
  const plan = planReturnedGrant(e, policy, now, budget, ports.settings.timeZone);
  if (plan.kind !== 'transition') return undefined;
  const t = plan.transition;
  const out = await ports.store.applyTransitions([t], transitionsAudit([t], POLICY_ACTOR, cause));
  if (!out.ok) return undefined;
  return { committed: [t], entitlement: t.next, notify: { policyId: t.policyId, creditCode: t.creditCode } };
}

async function listExhausted(
  ports: PolicyEventPorts,
  policy: Policy,
  e: Entitlement,
  now: Instant,
  budget: number,
  windows: NonNullable<Awaited<ReturnType<typeof loadWindow>>>,
  cause: Cause,
): Promise<SettleResult | undefined> {
  const window = windowAt(ports, policy, now, windows);
  if (window === undefined) return undefined;
  const plan = planListing(e, policy, now, window, budget, ports.settings.timeZone);
  if (plan.kind !== 'transition' || plan.transition.to !== 'PUBLICIZED') return undefined;
  const t = plan.transition;
  const out = await ports.store.applyTransitions([t], transitionsAudit([t], POLICY_ACTOR, cause));
  if (!out.ok) {
    if (out.windowMoved) windows.window = await ports.store.getPublicityWindow(policy.policyId);
    return undefined;
  }
  if (t.window?.opens) windows.window = t.window.window;
  return { committed: [t], entitlement: t.next };
}
