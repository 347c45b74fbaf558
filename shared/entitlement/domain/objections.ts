/**
 * 异议 (objections) to a publicity list:
 *
 *   PUBLICIZED → OBJECTED                    a third-party objection in the pair's window     planThirdPartyObjection
 *   OBJECTED → REMOVED                       upheld: off the list, its reservation returned   planResolution
 *   OBJECTED → PUBLICIZED                    dismissed while the window is open, or after its  planResolution
 *                                            end but before the close released the window
 *   OBJECTED → NOTIFIED (→ GRANTED)          dismissed after the close released the window    planResolution
 *   OBJECTED → LAPSED                        the same, once the policy has ended (withdrawn, or  planResolution
 *                                            expired by the window's end): its reservation returned
 *   ELIGIBLE → PUBLICIZED → NOTIFIED (→ GRANTED)   a self-objection received in time, processed   releaseAfterClose
 *                                            after the close released the window: listed and
 *                                            released in one write
 *
 * A self-objection ("I qualify and am not listed") is a re-evaluation with the declared facts
 * (`withDeclaredFacts`), applied by the ordinary match and listing; it is never upheld or dismissed.
 * Whether an objection is in time is decided by its receipt time at ingest (pinned), never by when it is
 * processed: the close of a window waits a grace period for the objection queue's deliveries, and one
 * processed later still (a redrive from the dead-letter queue) is not refused as late — a third-party
 * objection on a pair already released is recorded without holding it (`ALREADY_RELEASED`), and a pair a
 * self-objection lists after the close is released at once, as the close would have released it.
 *
 * Between a window's end and the close that releases it (the grace), a pair a dismissal or a self-objection
 * leaves on the list stays PUBLICIZED for the close to release, as if the window were still open, so an
 * objection received in time and still queued can hold it. `windowReleased` (whether the close has
 * released the pair's window) is the caller's to read from the close's due entry.
 */
import { isOpenAt, planRelease } from './publicity';
import { pushDays } from './transitions';
import { refused, transition, unchanged, type Plan, type Transition } from './plan';
import type { Entitlement, Instant, Policy, PublicityWindow, SubjectKind, SubjectProfile } from './types';

export type ObjectionBy = 'self' | 'thirdParty';

/**
 * What became of an objection: OPEN (a third-party objection holding its pair), UPHELD, DISMISSED, or for a
 * self-objection ADDED (the pair was listed) or UNCHANGED (the declared facts did not make it eligible, or it
 * was already listed); REFUSED for either kind received outside the window (pinned: refused, and recorded —
 * it was filed, so it counts as filed, and as out of window; it holds nothing and is never resolved).
 */
export type ObjectionState = 'OPEN' | 'UPHELD' | 'DISMISSED' | 'ADDED' | 'UNCHANGED' | 'REFUSED';

export interface Objection {
  readonly objectionId: string;
  readonly policyId: string;
  readonly creditCode: string;
  readonly by: ObjectionBy;
  readonly reason: string;
  readonly facts?: Readonly<Record<string, unknown>>;
  /** When ingest received it: what "in time" is decided by. */
  readonly receivedAt: Instant;
  readonly state: ObjectionState;
  readonly resolvedAt?: Instant;
  readonly note?: string;
}

/** Whether an objection received at `receivedAt` is in the window (of the pair, or the policy's open one). */
export function inWindow(closesAt: Instant | undefined, receivedAt: Instant): boolean {
  return closesAt !== undefined && isOpenAt(closesAt, receivedAt);
}

/** Refusal of an objection outside its window, with the window's end in the message. */
export function outOfWindow(closesAt: Instant | undefined, receivedAt: Instant): Plan {
  return refused(
    'OBJECTION_OUT_OF_WINDOW',
    closesAt === undefined
      ? `no publicity window of this policy is open at ${receivedAt}`
      : `the publicity window closed at ${closesAt}; the objection was received at ${receivedAt}`,
  );
}

/** A third-party objection: the listed pair is held (OBJECTED) until the objection is resolved. */
export function planThirdPartyObjection(
  entitlement: Entitlement | undefined,
  policy: Policy,
  objection: Pick<Objection, 'objectionId' | 'receivedAt'>,
): Plan {
  if (policy.publicity === undefined) return refused('NO_PUBLICITY', `policy ${policy.policyId} has no publicity window`);
  if (entitlement === undefined || entitlement.publicity === undefined) {
    return refused('NOT_LISTED', `the enterprise is not on the publicity list of policy ${policy.policyId}`);
  }
  if (!inWindow(entitlement.publicity.closesAt, objection.receivedAt)) return outOfWindow(entitlement.publicity.closesAt, objection.receivedAt);
  if (entitlement.state !== 'PUBLICIZED' && entitlement.state !== 'OBJECTED') {
    // Received in time but processed after the close released the pair (a late redelivery): not refused as
    // late; recorded, and it holds nothing (undoing a push is a recovery's business).
    if (entitlement.reached.includes('NOTIFIED')) return unchanged('ALREADY_RELEASED');
    return refused('NOT_LISTED', `the entitlement is ${entitlement.state}, no longer on the publicity list`);
  }
  const open = entitlement.openObjections ?? [];
  if (open.includes(objection.objectionId)) return unchanged('ALREADY_OBJECTED');
  const base = { policyId: policy.policyId, creditCode: entitlement.creditCode, policyVersion: entitlement.policyVersion, at: objection.receivedAt };
  return transition(entitlement, {
    ...base,
    steps: entitlement.state === 'PUBLICIZED' ? [{ from: 'PUBLICIZED', to: 'OBJECTED', reason: 'OBJECTED_BY_THIRD_PARTY' }] : [],
    set: { openObjections: [...open, objection.objectionId] },
  });
}

/**
 * `gov.policy.objection.resolved`: upheld removes the pair and returns its reservation; dismissed lets it
 * proceed once no other objection holds it — back on the list while its window is open or not yet released
 * by the close (`windowReleased` false: the grace after its end), else on to the push.
 * Unchanged when the objection does not hold the pair: resolved before, or another objection on the pair was
 * upheld and removed it (the objection is then resolved without moving the pair).
 */
export function planResolution(
  entitlement: Entitlement,
  policy: Policy,
  objectionId: string,
  upheld: boolean,
  now: Instant,
  timeZone?: string,
  windowReleased = true,
): Plan {
  const open = entitlement.openObjections ?? [];
  if (entitlement.state !== 'OBJECTED' || !open.includes(objectionId)) return unchanged('ALREADY_RESOLVED');
  const base = { policyId: policy.policyId, creditCode: entitlement.creditCode, policyVersion: entitlement.policyVersion, at: now };
  const rest = open.filter((id) => id !== objectionId);
  if (upheld) {
    const reserved = entitlement.amountReserved ?? 0;
    return transition(entitlement, {
      ...base,
      steps: [{ from: 'OBJECTED', to: 'REMOVED', reason: 'OBJECTION_UPHELD' }],
      ...(reserved > 0 ? { release: { amount: reserved } } : {}),
      set: { openObjections: undefined },
    });
  }
  if (rest.length > 0) return transition(entitlement, { ...base, steps: [], set: { openObjections: rest } });
  const cleared: Entitlement = { ...entitlement, openObjections: [] };
  const closesAt = entitlement.publicity?.closesAt;
  if (closesAt !== undefined && (isOpenAt(closesAt, now) || !windowReleased)) {
    // Still on the list: the window is open, or it ended but the close has not released it yet (the grace).
    return transition(entitlement, {
      ...base,
      steps: [{ from: 'OBJECTED', to: 'PUBLICIZED', reason: 'OBJECTION_DISMISSED' }],
      set: { openObjections: undefined },
    });
  }
  const release = planRelease(cleared, policy, now, timeZone);
  if (release.kind !== 'transition') {
    // Nothing to push it with (no channels): the pair goes back to the list it was on.
    return transition(entitlement, {
      ...base,
      steps: [{ from: 'OBJECTED', to: 'PUBLICIZED', reason: 'OBJECTION_DISMISSED' }],
      set: { openObjections: undefined },
    });
  }
  const t = release.transition;
  return transition(entitlement, {
    ...base,
    ...pushDays(entitlement, now, timeZone),
    steps: t.steps,
    ...(t.notification !== undefined ? { notification: t.notification } : {}),
    // The policy ended before the release (withdrawn, expired): the pair lapses, its reservation returned.
    ...(t.release !== undefined ? { release: t.release } : {}),
    set: { openObjections: undefined },
  });
}

/**
 * Why a self-objection's declared facts cannot be used, or undefined when they can: a path under the other
 * subject kind (`enterprise.*` for a person policy, `person.*` for an enterprise one: the criteria never read
 * it) or the subject's own id (the objection's subject is that). Refused rather than left out, so a sender
 * is never told "unchanged" about facts that were not looked at. Names the first such path; never a value.
 */
export function declaredFactsMismatch(
  policy: Pick<Policy, 'policyId' | 'subjectKind'>,
  facts: Readonly<Record<string, unknown>> | undefined,
): { reason: 'DECLARED_FACT_MISMATCH'; message: string } | undefined {
  const kind = policy.subjectKind ?? 'enterprise';
  const idField = kind === 'person' ? 'idNumber' : 'creditCode';
  for (const path of Object.keys(facts ?? {})) {
    if (!path.startsWith(`${kind}.`)) {
      const example = kind === 'person' ? 'person.residenceDistrict' : 'enterprise.exportValueUsd';
      return { reason: 'DECLARED_FACT_MISMATCH', message: `facts.${path}: policy ${policy.policyId} is for ${kind === 'person' ? 'persons' : 'enterprises'}: declared facts must be under ${kind}.* (e.g. ${example})` };
    }
    if (path === `${kind}.${idField}` || path.startsWith(`${kind}.${idField}.`)) {
      return { reason: 'DECLARED_FACT_MISMATCH', message: `facts.${path}: the subject's ${kind === 'person' ? 'ID number' : 'credit code'} cannot be declared: it is the objection's subject` };
    }
  }
  return undefined;
}

/**
 * The profile a self-objection is evaluated on: the shared profile (or only the credit code when the
 * registry has none) with the declared facts over it, for this one evaluation; the shared profile is not
 * changed. Returns the fact paths declared, for the explanation's `declared`. A path it leaves out (another
 * kind's, the subject's id) was refused before (`declaredFactsMismatch`).
 */
export function withDeclaredFacts(
  profile: SubjectProfile | undefined,
  creditCode: string,
  facts: Readonly<Record<string, unknown>> | undefined,
  kind: SubjectKind = 'enterprise',
): { readonly profile: SubjectProfile; readonly declared: readonly string[] } {
  const idField = kind === 'person' ? 'idNumber' : 'creditCode';
  const merged: Record<string, unknown> = { ...(profile ?? { [idField]: creditCode, name: '', asOf: '' }) };
  const declared: string[] = [];
  for (const [path, value] of Object.entries(facts ?? {})) {
    const field = path.startsWith(`${kind}.`) ? path.slice(kind.length + 1) : undefined;
    // One level: the profile's fields are flat; a deeper path sets a nested copy.
    if (field === undefined || field === '' || field === idField) continue;
    if (field.split('.').some((k) => k === '' || UNSAFE_KEYS.has(k))) continue;
    setPath(merged, field.split('.'), value);
    declared.push(path);
  }
  return { profile: merged as SubjectProfile, declared };
}

/** Keys that would reach object prototypes when set (the edge refuses them too). */
const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

function setPath(target: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  const [head, ...rest] = keys;
  if (head === undefined) return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const child = target[head];
  const copy: Record<string, unknown> = typeof child === 'object' && child !== null && !Array.isArray(child) ? { ...(child as Record<string, unknown>) } : {};
  target[head] = copy;
  setPath(copy, rest, value);
}

/** The window a self-objection received at `receivedAt` falls in: the policy's window, when open then. */
export function selfObjectionWindow(current: PublicityWindow | undefined, receivedAt: Instant): PublicityWindow | undefined {
  return current !== undefined && isOpenAt(current.closesAt, receivedAt) ? current : undefined;
}

/**
 * A self-objection's settlement, completed when its window has closed by `now` (it was received in time
 * but processed after the close): the pair it lists is released in the same write — notified, or granted
 * with what the listing reserved — as the close would have released it, so it cannot stay PUBLICIZED in a
 * window that is finished. Unchanged otherwise (the window still open, not yet released by the close —
 * `windowReleased` false: the close will release the pair with the rest — or nothing listed).
 */
export function releaseAfterClose(
  chain: readonly Transition[],
  policy: Policy,
  now: Instant,
  timeZone?: string,
  windowReleased = true,
): readonly Transition[] {
  const listed = chain[chain.length - 1]?.next;
  if (listed === undefined || listed.state !== 'PUBLICIZED' || listed.publicity === undefined) return chain;
  if (isOpenAt(listed.publicity.closesAt, now) || !windowReleased) return chain;
  const release = planRelease(listed, policy, now, timeZone);
  return release.kind === 'transition' ? [...chain, release.transition] : chain;
}
