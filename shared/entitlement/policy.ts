import { dayOf, instantOf } from '#rules/dates';
import type { Condition } from '#rules/types';
import type { Instant, Policy } from './types';

/**
 * China Standard Time has had no daylight saving since 1991, so a fixed offset is exact for
 * Asia/Shanghai; a bureau elsewhere passes its own.
 */
export const DEFAULT_UTC_OFFSET_MINUTES = 480;

const DAY_MS = 86_400_000;

export type PolicyInactiveReason =
  | 'POLICY_WITHDRAWN'
  | 'POLICY_NOT_YET_VALID'
  | 'POLICY_EXPIRED'
  | 'POLICY_WINDOW_INVALID';

/** Why a policy pushes nothing at `now`, or undefined when it is active. */
export function policyInactiveReason(
  policy: Policy,
  now: Instant,
  utcOffsetMinutes = DEFAULT_UTC_OFFSET_MINUTES,
): PolicyInactiveReason | undefined {
  if (policy.status === 'withdrawn') return 'POLICY_WITHDRAWN';
  const offsetMs = utcOffsetMinutes * 60_000;
  const from = startMs(policy.validFrom, offsetMs);
  const to = endMs(policy.validTo, offsetMs);
  const at = startMs(now, offsetMs);
  if (from !== from || to !== to || at !== at) return 'POLICY_WINDOW_INVALID';
  if (at < from) return 'POLICY_NOT_YET_VALID';
  if (at > to) return 'POLICY_EXPIRED';
  return undefined;
}

export function isPolicyActive(policy: Policy, now: Instant, utcOffsetMinutes?: number): boolean {
  return policyInactiveReason(policy, now, utcOffsetMinutes) === undefined;
}

/** The first millisecond of a date-only value in local time, or the instant itself. */
function startMs(value: string, offsetMs: number): number {
  if (typeof value !== 'string') return NaN;
  if (value.length === 10) return dayOf(value) * DAY_MS - offsetMs;
  return instantOf(value);
}

/** The last millisecond of a date-only value in local time, or the instant itself. */
function endMs(value: string, offsetMs: number): number {
  if (typeof value !== 'string') return NaN;
  if (value.length === 10) return (dayOf(value) + 1) * DAY_MS - offsetMs - 1;
  return instantOf(value);
}

/** The key under which a policy version's compiled criteria are cached. */
export function policyCacheKey(policy: Policy): string {
  return `policy:${policy.policyId}@${policy.version}`;
}

/**
 * For each leaf in document order, whether it counts for eligibility when true (false under an odd
 * number of `not`s), so an explanation says which criteria held rather than which leaves were true.
 */
export function leafPolarities(condition: Condition): boolean[] {
  const out: boolean[] = [];
  const walk = (c: Condition, positive: boolean): void => {
    if ('all' in c) for (const child of c.all) walk(child, positive);
    else if ('any' in c) for (const child of c.any) walk(child, positive);
    else if ('not' in c) walk(c.not, !positive);
    else out.push(positive);
  };
  walk(condition, true);
  return out;
}

/** Every fact path the condition reads. */
export function factPathsOf(condition: Condition): string[] {
  const out = new Set<string>();
  const walk = (c: Condition): void => {
    if ('all' in c) c.all.forEach(walk);
    else if ('any' in c) c.any.forEach(walk);
    else if ('not' in c) walk(c.not);
    else out.add(c.fact);
  };
  walk(condition);
  return [...out];
}
