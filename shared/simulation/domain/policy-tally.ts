/**
 * A policy draft's simulation, pure: each slice (one registry shard of the profiles the policy is for,
 * enterprises or persons, as they are now) is matched against the current version and the draft; the slices' tallies sum. Reports
 * eligible / needs-info / not eligible under each, the moves between them, the budget the draft would need
 * against its budget, and the pushed entitlements the draft would no longer cover (they are never
 * withdrawn by a new version: this only says who they are).
 */
import { compileCondition } from '#rules/compile';
import { matchSlice, subjectIdOf, type CreditLookup, type Policy, type SubjectProfile } from '#entitlement';

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
  /** What paying every enterprise the draft finds eligible would take (null: the benefit names no amount). */
  readonly budget: { readonly needed: number | null; readonly budget: number | null; readonly enough: boolean | null };
  readonly noLongerCovered: readonly string[];
  readonly draftInactive: string | null;
}

export function policyResultOf(t: PolicySliceTally, draft: Policy): PolicySimulationResult {
  const amount = draft.benefit.amount;
  const needed = amount === undefined ? null : t.draft.eligible * Math.max(0, amount);
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
