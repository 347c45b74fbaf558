/**
 * Step 4: the item's rules, three-valued. Any false → rejected with the failing rules' descriptions; any
 * unknown → a person, with the unknown facts; all true → the mode decides.
 *
 * Dates compare as local dates in the zone the rules are compiled for (the stage calendar's), so `now` is
 * passed as the instant it is: the engine reads the local date itself (docs/decisions/time-in-rules.md).
 */
import { withBirthDate } from '#contract/identifiers';
import { compileCached } from '#rules/compile';
import { boundedExplanation } from '#rules/trace-values';
import type { Condition, Explanation, Facts, LeafTrace, Truth } from '#rules/types';
import type { RuleRef, StepResult } from './decision';
import { unique, type Finding, type StepReport } from './step';
import type { Application, CreditRecord, Licence, Profile, ServiceItem } from './types';

/** Rules are compiled once per item version; the key names the version so a new one recompiles. */
export function rulesCacheKey(item: Pick<ServiceItem, 'itemCode' | 'version'>): string {
  return `approval:${item.itemCode}@${item.version}`;
}

/**
 * A draft's key (a simulation's): drafts are not published, so one may carry the number of a published
 * version (or of another draft) with other rules. It must never share that version's compiled rules, so
 * its key names the draft and can never equal a published version's.
 */
export function draftRulesCacheKey(item: Pick<ServiceItem, 'itemCode' | 'version'>, draftId: string): string {
  return `approval-draft:${draftId}:${item.itemCode}@${item.version}`;
}

export interface RulesStep extends StepReport {
  readonly explanation: Explanation;
  /** Rules responsible for a false result (Kleene: only the leaves that decided it). */
  readonly failedRules: readonly RuleRef[];
  /** Rules responsible for an unknown result. */
  readonly unknownRules: readonly RuleRef[];
}

export function evaluateRules(
  item: Pick<ServiceItem, 'itemCode' | 'version' | 'rules'>,
  facts: Facts,
  timeZone: string,
  cacheKey: string = rulesCacheKey(item),
): RulesStep {
  // The trace keeps a fact value (or operand) over 1 KB of JSON as a marker, in every copy the decision
  // makes of it (tree, leaves, failed or unknown rules, the reason's details): the decision's size no longer
  // grows with how often its rules read one large value. The facts kept for replay stay whole.
  const explanation = boundedExplanation(compileCached(item.rules, cacheKey, { timeZone }).explain(facts));
  const traces = new Map(explanation.leaves.map((l) => [l.id, l] as const));
  if (explanation.result === false) {
    const failedRules = responsibleLeaves(item.rules, traces, explanation, false);
    const finding: Finding = {
      tag: 'reject',
      reason: { code: 'RULE_FALSE', message: `不符合以下条件：${failedRules.map((r) => r.description).join('；')}`, details: { rules: failedRules } },
    };
    const note = `不满足：${failedRules.map((r) => `${r.id} ${r.description}`).join('；')}`;
    return { ...report('reject', note, finding), explanation, failedRules, unknownRules: [] };
  }
  if (explanation.result === null) {
    const unknownRules = responsibleLeaves(item.rules, traces, explanation, null);
    const factsMissing = unique(unknownRules.map((r) => r.fact));
    const finding: Finding = {
      tag: 'manual',
      reason: {
        code: 'RULE_UNKNOWN',
        message: `以下信息无法确认，转人工审核：${unknownRules.map((r) => r.description).join('；')}`,
        details: { facts: factsMissing, rules: unknownRules },
      },
    };
    return { ...report('manual', `无法确认（缺少 ${factsMissing.join('、')}）`, finding), explanation, failedRules: [], unknownRules };
  }
  return { ...report('pass', `全部 ${explanation.leaves.length} 项条件满足`), explanation, failedRules: [], unknownRules: [] };
}

function report(result: StepResult, note: string, finding?: Finding): StepReport {
  return { trace: { step: 'rules', result, notes: [note] }, findings: finding ? [finding] : [] };
}

export interface RuleFactsInput {
  readonly application: Pick<Application, 'applicant' | 'form'>;
  readonly profile?: Profile;
  readonly credit?: CreditRecord;
  readonly now: string;
}

/** The facts the rules read: applicant.* (and enterprise.*), form.*, licence.<type>.*, credit.*, now. */
export function ruleFacts(input: RuleFactsInput, licences: ReadonlyMap<string, Licence>): Facts {
  const { application, profile, credit, now } = input;
  const { kind, id, name } = application.applicant;
  // The shared profile is the authoritative record; the application only fixes who is applying. A person's
  // birth date is the profile's, else the one in the ID number (with or without a profile).
  const shared: Record<string, unknown> = { name, ...profile, kind, id };
  const applicant = kind === 'person' ? withBirthDate(shared, id) : shared;
  const licenceFacts: Record<string, unknown> = {};
  for (const [type, l] of licences) {
    licenceFacts[type] = {
      ...l.attributes,
      licenceNo: l.licenceNo,
      trustLevel: l.trustLevel,
      validUntil: l.validUntil,
      issuer: l.issuer,
      issuedAt: l.issuedAt,
    };
  }
  return {
    applicant,
    ...(kind === 'enterprise' ? { enterprise: applicant } : {}),
    form: application.form,
    licence: licenceFacts,
    // Without a record the credit facts are missing, so a rule that reads them is unknown, not false.
    credit: credit === undefined ? {} : { rating: credit.rating, dishonest: credit.dishonest, falseCommitment: credit.falseCommitment },
    now,
  };
}

/**
 * The leaves that decided a false or unknown result. Under Kleene logic a false leaf under an `any` with a
 * true sibling decided nothing, and under `not` a true leaf is what failed, so the tree is walked with
 * each node's value rather than listing every false leaf.
 */
function responsibleLeaves(condition: Condition, traces: ReadonlyMap<string, LeafTrace>, explanation: Explanation, wanted: false | null): RuleRef[] {
  const out: LeafTrace[] = [];
  blame(condition, traces, out);
  if (out.length === 0) {
    // The engine and this walk disagree (e.g. a leaf missing from the trace): fall back to the raw leaves.
    out.push(...explanation.leaves.filter((l) => l.result === wanted));
  }
  const seen = new Set<string>();
  const refs: RuleRef[] = [];
  for (const leaf of out) {
    if (seen.has(leaf.id)) continue;
    seen.add(leaf.id);
    refs.push({ id: leaf.id, description: leaf.description, fact: leaf.fact, seen: leaf.seen });
  }
  return refs;
}

function valueOf(node: Condition, traces: ReadonlyMap<string, LeafTrace>): Truth | undefined {
  if ('all' in node) {
    const values = node.all.map((c) => valueOf(c, traces));
    if (values.includes(false)) return false;
    return values.every((v) => v === true) ? true : null;
  }
  if ('any' in node) {
    const values = node.any.map((c) => valueOf(c, traces));
    if (values.includes(true)) return true;
    return values.every((v) => v === false) ? false : null;
  }
  if ('not' in node) {
    const v = valueOf(node.not, traces);
    return v === true ? false : v === false ? true : v === null ? null : undefined;
  }
  return traces.get(node.id)?.result;
}

function blame(node: Condition, traces: ReadonlyMap<string, LeafTrace>, out: LeafTrace[]): void {
  if ('not' in node) {
    blame(node.not, traces, out);
    return;
  }
  if ('all' in node || 'any' in node) {
    const children = 'all' in node ? node.all : node.any;
    // A combination takes the value of the children that share it: all is false because of its false
    // children and unknown because of its unknown ones; any is true, false or unknown likewise.
    const value = valueOf(node, traces);
    for (const child of children) {
      if (valueOf(child, traces) === value) blame(child, traces, out);
    }
    return;
  }
  const trace = traces.get(node.id);
  if (trace !== undefined) out.push(trace);
}
