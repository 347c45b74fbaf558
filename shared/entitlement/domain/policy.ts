import { boundMs } from '#rules/bounds';
import { DEFAULT_TIME_ZONE } from '#rules/zone';
import type { Condition } from '#rules/types';
import type { Instant, Policy } from './types';

export { DEFAULT_TIME_ZONE };

export type PolicyInactiveReason =
  | 'POLICY_WITHDRAWN'
  | 'POLICY_NOT_YET_VALID'
  | 'POLICY_EXPIRED'
  | 'POLICY_WINDOW_INVALID';

/**
 * Why a policy pushes nothing at `now`, or undefined when it is active. A date-only bound is a whole local
 * day in `timeZone` (the stage's, as criteria are compiled for; Asia/Shanghai by default), so the window
 * agrees with `withinWindow` of the rules library, which #17's schedule of next flips reads.
 */
export function policyInactiveReason(
  policy: Policy,
  now: Instant,
  timeZone: string = DEFAULT_TIME_ZONE,
): PolicyInactiveReason | undefined {
  if (policy.status === 'withdrawn') return 'POLICY_WITHDRAWN';
  const from = startMs(policy.validFrom, timeZone);
  const to = endMs(policy.validTo, timeZone);
  const at = startMs(now, timeZone);
  if (from !== from || to !== to || at !== at) return 'POLICY_WINDOW_INVALID';
  if (at < from) return 'POLICY_NOT_YET_VALID';
  if (at > to) return 'POLICY_EXPIRED';
  return undefined;
}

export function isPolicyActive(policy: Policy, now: Instant, timeZone?: string): boolean {
  return policyInactiveReason(policy, now, timeZone) === undefined;
}

/** The first and last millisecond of a policy's validity in the zone (NaN when a bound is not a date). */
export function policyWindowMs(policy: Policy, timeZone: string = DEFAULT_TIME_ZONE): { readonly from: number; readonly to: number } {
  return { from: startMs(policy.validFrom, timeZone), to: endMs(policy.validTo, timeZone) };
}

/** The first millisecond of a date-only value in the zone, or the instant itself. */
const startMs = (value: string, zone: string): number => boundMs(value, 'start', zone);

/** The last millisecond of a date-only value in the zone, or the instant itself. */
const endMs = (value: string, zone: string): number => boundMs(value, 'end', zone);

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

/**
 * Whether a match run must read every profile's credit record, where it otherwise reads only the
 * candidates'. Without the record a leaf on `credit` is unknown, so a pass without records finds a superset
 * of the candidates — but for two kinds of criteria: an `exists` leaf on `credit`, definite on a missing
 * record, and criteria that read both `credit` and `now`, whose non-candidates are filed for the instant
 * time alone turns them eligible, which their record decides.
 */
export function matchNeedsEveryCredit(condition: Condition): boolean {
  let credit = false;
  let now = false;
  let creditExists = false;
  const walk = (c: Condition): void => {
    if ('all' in c) c.all.forEach(walk);
    else if ('any' in c) c.any.forEach(walk);
    else if ('not' in c) walk(c.not);
    else {
      const onCredit = c.fact === 'credit' || c.fact.startsWith('credit.');
      credit ||= onCredit;
      creditExists ||= onCredit && c.op === 'exists';
      now ||= c.fact === 'now' || c.value === 'now' || c.op === 'ageAtLeast';
    }
  };
  walk(condition);
  return creditExists || (credit && now);
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
