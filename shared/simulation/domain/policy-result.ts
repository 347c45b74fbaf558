/**
 * What a policy simulation reports, pure: the slices' tallies summed and read as the result (the budget the
 * draft would need, the moves between classes, sorted). The matching that makes a slice's tally is
 * policy-tally.ts's; this part only adds and sorts numbers, so the query route that shows a simulation takes
 * it without the entitlement domain's matching (only its types are named here).
 */
import type { Policy } from '#entitlement';
import { timesDecimal } from '#util/decimal';

/** `notEligible` is ineligible by the criteria or excluded as dishonest. */
export type PolicyClass = 'eligible' | 'needsInfo' | 'notEligible';

export interface PolicyCounts {
  readonly eligible: number;
  readonly needsInfo: number;
  readonly ineligible: number;
  readonly excluded: number;
}

export interface PolicySliceTally {
  readonly profiles: number;
  /** Absent when the policy has no current version. */
  readonly current?: PolicyCounts;
  readonly draft: PolicyCounts;
  /** "eligible → needsInfo" → enterprises (current class → draft class); unchanged classes too. */
  readonly transitions: Readonly<Record<string, number>>;
  /** Pushed enterprises (of this slice) the draft would not find eligible. */
  readonly noLongerCovered: readonly string[];
  /** Why the draft would push nothing now (outside its validity), if so. */
  readonly draftInactive?: string;
}

const add = (a: PolicyCounts | undefined, b: PolicyCounts | undefined): PolicyCounts | undefined =>
  a === undefined ? b : b === undefined ? a : { eligible: a.eligible + b.eligible, needsInfo: a.needsInfo + b.needsInfo, ineligible: a.ineligible + b.ineligible, excluded: a.excluded + b.excluded };

const ZERO: PolicyCounts = { eligible: 0, needsInfo: 0, ineligible: 0, excluded: 0 };

export function mergePolicyTallies(tallies: readonly PolicySliceTally[]): PolicySliceTally {
  const transitions: Record<string, number> = {};
  let current: PolicyCounts | undefined;
  let draft: PolicyCounts = ZERO;
  let profiles = 0;
  const noLongerCovered: string[] = [];
  let draftInactive: string | undefined;
  for (const t of tallies) {
    profiles += t.profiles;
    current = add(current, t.current);
    draft = add(draft, t.draft)!;
    noLongerCovered.push(...t.noLongerCovered);
    for (const [k, n] of Object.entries(t.transitions)) transitions[k] = (transitions[k] ?? 0) + n;
    draftInactive ??= t.draftInactive;
  }
  return { profiles, ...(current === undefined ? {} : { current }), draft, transitions, noLongerCovered, ...(draftInactive === undefined ? {} : { draftInactive }) };
}

export interface PolicySimulationResult {
  readonly profiles: number;
  readonly current: PolicyCounts | null;
  readonly draft: PolicyCounts;
  readonly transitions: readonly { readonly from: PolicyClass; readonly to: PolicyClass; readonly count: number }[];
  /**
   * What paying every enterprise the draft finds eligible would take (null: the benefit names no amount),
   * in exact decimal as the budget is reserved (3 × 99.9 is 299.7, which a budget of 299.7 pays).
   */
  readonly budget: { readonly needed: number | null; readonly budget: number | null; readonly enough: boolean | null };
  readonly noLongerCovered: readonly string[];
  readonly draftInactive: string | null;
}

export function policyResultOf(t: PolicySliceTally, draft: Policy): PolicySimulationResult {
  const amount = draft.benefit.amount;
  const needed = amount === undefined ? null : timesDecimal(Math.max(0, amount), t.draft.eligible);
  const budget = draft.budget ?? null;
  return {
    profiles: t.profiles,
    current: t.current ?? null,
    draft: t.draft,
    transitions: Object.entries(t.transitions)
      .map(([key, count]) => {
        const [from, to] = key.split(' → ') as [PolicyClass, PolicyClass];
        return { from, to, count };
      })
      .sort((a, b) => b.count - a.count || (`${a.from}>${a.to}` < `${b.from}>${b.to}` ? -1 : 1)),
    budget: { needed, budget, enough: needed === null ? null : budget === null ? true : needed <= budget },
    noLongerCovered: [...t.noLongerCovered].sort(),
    draftInactive: t.draftInactive ?? null,
  };
}
