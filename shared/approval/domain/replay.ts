/**
 * Decisions keep the facts they saw: the snapshot of exactly what decide() read for a first
 * decision — the application, the shared profile, the applicant's e-licences, the credit record and the
 * decision moment — and the pure replay of that snapshot against another item version (a draft).
 *
 * Exact: decide() is a pure function of these facts, the item version and the calendar, so replaying a
 * snapshot against the version it was decided under gives the stored decision again. The snapshot rides
 * inside the first decision's version item (store/items.ts), not in an item of its own.
 */
import type { WorkingCalendar } from '#calendar/types';
import { decide, type DecideInput } from './decide';
import type { Decision, Outcome, ReasonCode, RuleRef } from './decision';
import { draftRulesCacheKey } from './rules';
import type { Application, CreditRecord, Licence, Profile, ServiceItem } from './types';

/** What decide() read for a first decision, besides the item and the calendar. */
export interface DecisionFacts {
  readonly application: Application;
  readonly profile?: Profile;
  readonly licences: readonly Licence[];
  readonly credit?: CreditRecord;
  /** The decision moment (ISO 8601). */
  readonly now: string;
}

/** The snapshot of a decide() input: every field it reads except the item and the calendar. */
export function factsOf(input: Omit<DecideInput, 'item' | 'calendar' | 'rulesKey'>): DecisionFacts {
  return {
    application: input.application,
    ...(input.profile === undefined ? {} : { profile: input.profile }),
    licences: input.licences,
    ...(input.credit === undefined ? {} : { credit: input.credit }),
    now: input.now,
  };
}

/** A draft item version and the id that keeps its compiled rules apart from any published version's. */
export interface Draft {
  readonly draftId: string;
  readonly item: ServiceItem;
}

/**
 * decide() again over the stored facts with the published version they were decided under, as today's
 * engine decides: the baseline a draft's replay is compared with. The stored decision is what the engine
 * of its day said; where the engine has changed since (a birth date now read from the ID number, say),
 * comparing the draft's replay with it would show the engine's change as the draft's. Pure.
 */
export function redecide(facts: DecisionFacts, item: ServiceItem, calendar: WorkingCalendar): Decision {
  return decide({ ...facts, item, calendar });
}

/** decide() again over the stored facts, with the draft in place of the item version. Pure. */
export function replay(facts: DecisionFacts, draft: Draft, calendar: WorkingCalendar): Decision {
  return decide({ ...facts, item: draft.item, calendar, rulesKey: draftRulesCacheKey(draft.item, draft.draftId) });
}

/** What turned an approval into something else: the reasons' codes and the rules (leaves) responsible. */
export interface Flip {
  readonly reasons: readonly ReasonCode[];
  readonly rules: readonly Pick<RuleRef, 'id' | 'description' | 'fact'>[];
}

export const APPROVALS: ReadonlySet<Outcome> = new Set<Outcome>(['APPROVED', 'APPROVED_ON_COMMITMENT']);

/** A regression is an approval that would become anything else. */
export function isRegression(before: Outcome, after: Outcome): boolean {
  return APPROVALS.has(before) && !APPROVALS.has(after);
}

/** Why the replayed decision is not an approval: its reason codes and the leaves that decided the rules. */
export function flipOf(after: Pick<Decision, 'reasons' | 'failedRules' | 'unknownRules'>): Flip {
  const rules = after.failedRules.length > 0 ? after.failedRules : after.unknownRules;
  return {
    reasons: [...new Set(after.reasons.map((r) => r.code))],
    rules: rules.map((r) => ({ id: r.id, description: r.description, fact: r.fact })),
  };
}

/**
 * The facts that alone keep a decision from instant approval: a MANUAL_REVIEW whose only reason is
 * RULE_UNKNOWN would be approved (on an instant item) if these facts were known. Empty otherwise.
 */
export function blockingFacts(d: Pick<Decision, 'outcome' | 'reasons' | 'unknownFacts' | 'itemMode'>): readonly string[] {
  if (d.outcome !== 'MANUAL_REVIEW' || d.itemMode !== 'instant') return [];
  return d.reasons.every((r) => r.code === 'RULE_UNKNOWN') ? d.unknownFacts : [];
}
