/**
 * "Days from becoming eligible to being pushed" (a per-policy figure, pinned: natural days between local
 * dates; "pushed" means notified, or granted for a grant policy — a grant is notified and granted in one
 * write, so both are the transition that first reaches NOTIFIED).
 *
 * "Becoming eligible" is the start of the pair's current stretch of eligibility: the last ELIGIBLE step of
 * its history before the push (a pair that went back to needs-info or ineligible became eligible again
 * when it returned). A listed pair (公示) passed ELIGIBLE when it was listed, so its days include the window.
 */
import { timeZone as zoneNamed } from '#rules/zone';
import { instantOf } from '#rules/dates';
import type { Entitlement, Instant } from './types';

/** When the pair last became eligible at or before `at`, or undefined when its history has no such step. */
export function eligibleSinceAt(e: Entitlement, at: Instant): Instant | undefined {
  const limit = instantOf(at);
  let since: Instant | undefined;
  for (const h of e.history) if (h.to === 'ELIGIBLE' && instantOf(h.at) <= limit) since = h.at;
  return since;
}

/** Natural days between the local dates of becoming eligible and of the push at `pushedAt`. */
export function eligibleToPushDays(e: Entitlement, pushedAt: Instant, timeZone?: string): number | undefined {
  const since = eligibleSinceAt(e, pushedAt);
  if (since === undefined) return undefined;
  const zone = zoneNamed(timeZone);
  return zone.dayOf(instantOf(pushedAt)) - zone.dayOf(instantOf(since));
}
