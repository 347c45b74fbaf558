/**
 * A policy draft's simulation, pure: each slice (one registry shard of the profiles the policy is for,
 * enterprises or persons, as they are now) is matched against the current version and the draft; the slices' tallies sum (policy-result.ts). Reports
 * eligible / needs-info / not eligible under each, the moves between them, the budget the draft would need
 * against its budget, and the pushed entitlements the draft would no longer cover (they are never
 * withdrawn by a new version: this only says who they are).
 */
import { compileCondition } from '#rules/compile';
import { matchSlice, subjectIdOf, type CreditLookup, type Policy, type SubjectProfile } from '#entitlement';
import type { PolicyClass, PolicyCounts, PolicySliceTally } from './policy-result';

export interface PolicySliceInput {
  readonly profiles: readonly SubjectProfile[];
  readonly credits: CreditLookup;
  readonly current: Policy | undefined;
  readonly draft: Policy;
  /** Credit codes the policy pushed (notified or granted), whatever their state now. */
  readonly pushed: ReadonlySet<string>;
  readonly now: string;
  readonly timeZone: string;
}

const countsOf = (r: { eligible: readonly string[]; needsInfo: readonly string[]; ineligible: number; excluded: number }): PolicyCounts => ({
  eligible: r.eligible.length,
  needsInfo: r.needsInfo.length,
  ineligible: r.ineligible,
  excluded: r.excluded,
});

function classes(r: { eligible: readonly string[]; needsInfo: readonly string[] }): (code: string) => PolicyClass {
  const eligible = new Set(r.eligible);
  const needsInfo = new Set(r.needsInfo);
  return (code) => (eligible.has(code) ? 'eligible' : needsInfo.has(code) ? 'needsInfo' : 'notEligible');
}

export function tallyPolicySlice(input: PolicySliceInput): PolicySliceTally {
  const { profiles, credits, current, draft, pushed, now, timeZone } = input;
  // Compiled here, not through the per-version cache: a draft may carry a published version's number.
  const draftResult = matchSlice(draft, profiles, credits, now, { timeZone, compiled: compileCondition(draft.criteria, { timeZone }) });
  const currentResult = current === undefined ? undefined : matchSlice(current, profiles, credits, now, { timeZone });
  const after = classes(draftResult);
  const before = currentResult === undefined ? () => 'notEligible' as const : classes(currentResult);
  const transitions: Record<string, number> = {};
  const noLongerCovered: string[] = [];
  for (const p of profiles) {
    const id = subjectIdOf(p);
    const key = `${before(id)} → ${after(id)}`;
    transitions[key] = (transitions[key] ?? 0) + 1;
    if (pushed.has(id) && after(id) !== 'eligible') noLongerCovered.push(id);
  }
  return {
    profiles: profiles.length,
    ...(currentResult === undefined ? {} : { current: countsOf(currentResult) }),
    draft: countsOf(draftResult),
    transitions,
    noLongerCovered,
    ...(draftResult.inactive === undefined ? {} : { draftInactive: draftResult.inactive }),
  };
}
