import { compileCached } from '#rules';
import { boundedExplanation } from '#rules/trace-values';
import type { CompiledCondition, Explanation, IdSink, LeafTrace, Operator, Truth } from '#rules/types';
import {
  factPathsOf,
  leafPolarities,
  policyCacheKey,
  policyInactiveReason,
  type PolicyInactiveReason,
} from './policy';
import { excludesDishonest, personFacts, subjectKindOf, subjectFacts, subjectIdOf, type PolicyFacts } from './subject';
import type { CreditRecord, EnterpriseProfile, ExplanationSummary, Instant, PersonProfile, Policy, SubjectProfile } from './types';

export type MatchOutcome = 'eligible' | 'ineligible' | 'needsInfo' | 'excluded';

export type MatchReason =
  | 'CRITERIA_HELD'
  | 'CRITERIA_FAILED'
  | 'CRITERIA_UNKNOWN'
  | 'DISHONEST'
  | PolicyInactiveReason;

export interface MatchResult {
  readonly outcome: MatchOutcome;
  readonly reason: MatchReason;
  readonly policyId: string;
  readonly policyVersion: number;
  readonly creditCode: string;
  /** The criteria's three-valued result; absent when the policy is inactive (nothing evaluated). */
  readonly result?: Truth;
  /** Absent when the policy is inactive. */
  readonly summary?: ExplanationSummary;
}

/** Credit records by subject id: a map, a lookup function, or nothing (nobody has a record). */
export type CreditLookup =
  | ReadonlyMap<string, CreditRecord>
  | ((creditCode: string) => CreditRecord | undefined)
  | undefined;

export interface MatchOptions {
  /**
   * The stage's IANA time zone (default Asia/Shanghai): where a date-only policy bound or criterion value
   * starts and ends. Pass the zone the criteria were compiled for.
   */
  readonly timeZone?: string;
}

/**
 * The compiled criteria of one policy version, compiled once per zone and cached by policy id and version.
 * Dates in the criteria compare as local dates in `timeZone` (the stage's; Asia/Shanghai by default).
 */
export function compilePolicy(policy: Policy, options: MatchOptions = {}): CompiledCondition {
  return compileCached(policy.criteria, policyCacheKey(policy), options.timeZone === undefined ? {} : { timeZone: options.timeZone });
}

/** The facts a policy's criteria see: `enterprise.*` or `person.*`, `credit.*` and `now`. */
export function policyFacts(profile: SubjectProfile, credit: CreditRecord | undefined, now: Instant): PolicyFacts {
  return subjectFacts(profile, credit, now);
}

function isExcludedAsDishonest(policy: Policy, credit: CreditRecord | undefined): boolean {
  return credit !== undefined && credit.dishonest === true && excludesDishonest(policy);
}

/**
 * Matches one enterprise against one policy with the full trace (for re-matching on a profile update
 * and for the entitlement's stored explanation). An inactive policy is checked first and evaluates
 * nothing.
 */
export function matchEnterprise(
  policy: Policy,
  compiled: CompiledCondition,
  profile: SubjectProfile,
  credit: CreditRecord | undefined,
  now: Instant,
  options: MatchOptions = {},
): MatchResult {
  const base = { policyId: policy.policyId, policyVersion: policy.version, creditCode: subjectIdOf(profile) };
  const inactive = policyInactiveReason(policy, now, options.timeZone);
  if (inactive !== undefined) return { ...base, outcome: 'excluded', reason: inactive };
  const explanation = compiled.explain(policyFacts(profile, credit, now));
  const summary = summarize(policy, explanation);
  return { ...base, ...verdictOf(policy, credit, explanation.result), result: explanation.result, summary };
}

/**
 * Failed criteria decide before dishonesty: a dishonest enterprise that fails the criteria is simply
 * ineligible, so `excluded` counts the dishonest who would otherwise have been pushed or asked for
 * information — and the bulk path need not look up the credit record of every ineligible enterprise.
 */
function verdictOf(
  policy: Policy,
  credit: CreditRecord | undefined,
  result: Truth,
): { outcome: MatchOutcome; reason: MatchReason } {
  if (result !== false && isExcludedAsDishonest(policy, credit)) return { outcome: 'excluded', reason: 'DISHONEST' };
  return outcomeOf(result);
}

function outcomeOf(result: Truth): { outcome: MatchOutcome; reason: MatchReason } {
  if (result === true) return { outcome: 'eligible', reason: 'CRITERIA_HELD' };
  if (result === false) return { outcome: 'ineligible', reason: 'CRITERIA_FAILED' };
  return { outcome: 'needsInfo', reason: 'CRITERIA_UNKNOWN' };
}

/** Leaf id → whether it counts for eligibility when true, per policy version. */
const polarityCache = new WeakMap<Policy['criteria'], boolean[]>();

function polarities(policy: Policy): boolean[] {
  let p = polarityCache.get(policy.criteria);
  if (p === undefined) {
    p = leafPolarities(policy.criteria);
    polarityCache.set(policy.criteria, p);
  }
  return p;
}

/** A leaf's effect on eligibility: true held, false failed, null unknown. */
function effect(leaf: LeafTrace, positive: boolean | undefined): Truth {
  if (leaf.result === null) return null;
  return positive === false ? !leaf.result : leaf.result;
}

export function summarize(policy: Policy, explanation: Explanation): ExplanationSummary {
  const p = polarities(policy);
  const held: string[] = [];
  const failed: string[] = [];
  const unknown: string[] = [];
  explanation.leaves.forEach((leaf, i) => {
    const e = effect(leaf, p[i]);
    (e === true ? held : e === false ? failed : unknown).push(leaf.id);
  });
  return { held, failed, unknown };
}

export interface SliceOptions extends MatchOptions {
  /** Index of the first profile of the slice (default 0). */
  readonly start?: number;
  /** Index after the last profile of the slice (default profiles.length). */
  readonly end?: number;
  /** Already compiled criteria (default: compiled once per policy version and cached). */
  readonly compiled?: CompiledCondition;
  /** Whether dishonest subjects are left out (default: as the policy says); a match run settles that per pair. */
  readonly excludeDishonest?: boolean;
}

export interface SliceResult {
  readonly policyId: string;
  readonly policyVersion: number;
  /** Credit codes whose criteria all held. */
  readonly eligible: string[];
  /** Credit codes with a criterion unknown. */
  readonly needsInfo: string[];
  readonly ineligible: number;
  /** Dishonest enterprises left out that the criteria did not already rule out. */
  readonly excluded: number;
  /** Set when the policy pushes nothing at `now`; then no profile was looked at. */
  readonly inactive?: PolicyInactiveReason;
}

/**
 * Publish-time bulk matching over one slice of profiles: evaluate() without a trace, one facts object
 * reused for every profile, and credit lookups skipped when nothing depends on them. Handlers then call
 * matchEnterprise only for the (few) eligible and needs-info codes, to store their explanations.
 */
export function matchSlice(
  policy: Policy,
  profiles: readonly SubjectProfile[],
  credits: CreditLookup,
  now: Instant,
  options: SliceOptions = {},
): SliceResult {
  const eligible: string[] = [];
  const needsInfo: string[] = [];
  const result = { policyId: policy.policyId, policyVersion: policy.version, eligible, needsInfo };
  const inactive = policyInactiveReason(policy, now, options.timeZone);
  if (inactive !== undefined) return { ...result, ineligible: 0, excluded: 0, inactive };

  const compiled = options.compiled ?? compilePolicy(policy, options);
  const excludeDishonest = options.excludeDishonest ?? excludesDishonest(policy);
  const readsCredit = factPathsOf(policy.criteria).some((p) => p === 'credit' || p.startsWith('credit.'));
  const lookup = toLookup(credits, excludeDishonest || readsCredit);
  // One facts object for the slice, shaped as the evaluation sees it from the first profile on; the kind
  // is the policy's (a page holds profiles of that kind), not asked of every profile — asking a profile of
  // one of many shapes for a field it lacks is a slow lookup. A person's birth date is filled from the ID
  // number when missing.
  const persons = subjectKindOf(policy) === 'person';
  const facts: { enterprise?: EnterpriseProfile; person?: PersonProfile; credit: CreditRecord | undefined; now: Instant } = persons
    ? { person: undefined, credit: undefined, now }
    : { enterprise: undefined, credit: undefined, now };
  const place = (profile: SubjectProfile): void => {
    if (persons) facts.person = personFacts(profile as PersonProfile);
    else facts.enterprise = profile as EnterpriseProfile;
  };
  const idOf = (profile: SubjectProfile): string => (persons ? (profile as PersonProfile).idNumber : (profile as EnterpriseProfile).creditCode);
  const start = Math.max(0, options.start ?? 0);
  const end = Math.min(profiles.length, options.end ?? profiles.length);
  let ineligible = 0;
  let excluded = 0;
  if (readsCredit) {
    for (let i = start; i < end; i++) {
      const profile = profiles[i]!;
      place(profile);
      const id = idOf(profile);
      const credit = lookup === undefined ? undefined : lookup(id);
      facts.credit = credit;
      const truth = compiled.evaluate(facts);
      if (truth === false) ineligible++;
      else if (excludeDishonest && credit !== undefined && credit.dishonest === true) excluded++;
      else if (truth === true) eligible.push(id);
      else needsInfo.push(id);
    }
  } else if (!persons) {
    // The criteria cannot see the credit record, so only those not already ineligible need one: credit
    // lookups are random memory reads and would cost more than the evaluation itself. The condition's
    // generated loop evaluates the slice with no call per profile and hands over the codes of the rest;
    // with credit records to check, each code is looked up as it is handed over, while the profile is
    // still in the cache, and the dishonest are taken out there.
    if (lookup === undefined) {
      ineligible = compiled.selectEach(profiles, 'enterprise', 'creditCode', facts, eligible, needsInfo, start, end);
    } else {
      const honestInto = (into: string[]): IdSink => ({
        push(id) {
          const credit = lookup(id as string);
          if (credit !== undefined && credit.dishonest === true) excluded++;
          else into.push(id as string);
          return undefined;
        },
      });
      ineligible = compiled.selectEach(profiles, 'enterprise', 'creditCode', facts, honestInto(eligible), honestInto(needsInfo), start, end);
    }
  } else {
    // A person's facts are built per profile (the birth date from the ID number), one call each.
    for (let i = start; i < end; i++) {
      const profile = profiles[i]!;
      place(profile);
      const truth = compiled.evaluate(facts);
      if (truth === false) {
        ineligible++;
        continue;
      }
      const id = idOf(profile);
      if (lookup !== undefined) {
        const credit = lookup(id);
        if (credit !== undefined && credit.dishonest === true) {
          excluded++;
          continue;
        }
      }
      if (truth === true) eligible.push(id);
      else needsInfo.push(id);
    }
  }
  return { ...result, ineligible, excluded };
}

function toLookup(
  credits: CreditLookup,
  needed: boolean,
): ((creditCode: string) => CreditRecord | undefined) | undefined {
  if (!needed || credits === undefined) return undefined;
  if (typeof credits === 'function') return credits;
  if (credits.size === 0) return undefined;
  return (code) => credits.get(code);
}

export interface CriterionView {
  readonly id: string;
  readonly description: string;
  readonly fact: string;
  readonly op: Operator;
  readonly value?: unknown;
  /** The enterprise's value the criterion saw (undefined when missing). */
  readonly seen: unknown;
  /** The criterion sits under a `not`: it held because its own test was false. */
  readonly negated: boolean;
}

export interface PolicyExplanation {
  readonly policyId: string;
  readonly policyVersion: number;
  readonly policyName: string;
  readonly creditCode: string;
  readonly outcome: MatchOutcome;
  readonly reason: MatchReason;
  /** The criteria's result, evaluated even when excluded so the calculator can still show why. */
  readonly result: Truth;
  /** What the criteria alone say, whatever excludes the enterprise. */
  readonly criteriaOutcome: MatchOutcome;
  /** Why the enterprise is excluded whatever its criteria say, first to last (e.g. `dishonest`). */
  readonly exclusions: readonly ('dishonest' | 'policyInactive')[];
  readonly held: readonly CriterionView[];
  readonly failed: readonly CriterionView[];
  readonly unknown: readonly CriterionView[];
}

/**
 * The policy calculator (政策计算器) for one enterprise and one policy: the outcome and every criterion
 * that held, failed or was unknown, with its Chinese description and the value it saw.
 */
export function explainEnterprise(
  policy: Policy,
  profile: SubjectProfile,
  credit: CreditRecord | undefined,
  now: Instant,
  options: MatchOptions & { readonly compiled?: CompiledCondition } = {},
): PolicyExplanation {
  const compiled = options.compiled ?? compilePolicy(policy, options);
  // Each criterion shows the value it saw and its operand: one over 1 KB of JSON as the trace's marker, as a
  // decision's trace keeps it, so an answer listing every policy's criteria stays bounded.
  const explanation = boundedExplanation(compiled.explain(policyFacts(profile, credit, now)));
  const p = polarities(policy);
  const held: CriterionView[] = [];
  const failed: CriterionView[] = [];
  const unknown: CriterionView[] = [];
  explanation.leaves.forEach((leaf, i) => {
    const view: CriterionView = {
      id: leaf.id,
      description: leaf.description,
      fact: leaf.fact,
      op: leaf.op,
      ...('value' in leaf ? { value: leaf.value } : {}),
      seen: leaf.seen,
      negated: p[i] === false,
    };
    const e = effect(leaf, p[i]);
    (e === true ? held : e === false ? failed : unknown).push(view);
  });
  const inactive = policyInactiveReason(policy, now, options.timeZone);
  const dishonest = isExcludedAsDishonest(policy, credit);
  // A policy that excludes a dishonest enterprise says so first, even when its criteria fail too
  // (matching itself lets failed criteria decide, see verdictOf; the calculator explains).
  const verdict: { outcome: MatchOutcome; reason: MatchReason } =
    inactive !== undefined
      ? { outcome: 'excluded', reason: inactive }
      : dishonest
        ? { outcome: 'excluded', reason: 'DISHONEST' }
        : outcomeOf(explanation.result);
  return {
    policyId: policy.policyId,
    policyVersion: policy.version,
    policyName: policy.name,
    creditCode: subjectIdOf(profile),
    ...verdict,
    result: explanation.result,
    criteriaOutcome: outcomeOf(explanation.result).outcome,
    exclusions: [...(dishonest ? (['dishonest'] as const) : []), ...(inactive !== undefined ? (['policyInactive'] as const) : [])],
    held,
    failed,
    unknown,
  };
}
