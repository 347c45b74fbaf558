/**
 * Which items of a bundle apply to an applicant: each item's `appliesWhen`, three-valued. An item with no
 * condition always applies. If any item's condition is unknown, the whole application needs answers
 * (NEEDS_ANSWER) before anything is decided, never a silent skip: the questions to ask are those whose
 * `answers.<id>` leaves are unknown in the conditions still unknown, in the bundle's question order; any
 * other fact unknown there (a profile field, a form field) is listed as an unknown fact.
 *
 * An item whose child was decided before is not asked again: `settled` gives its applicability as found
 * when it was first decided (application.ts says why), whatever its condition says on today's facts.
 */
import { compileCached } from '#rules';
import { boundedExplanation } from '#rules/trace-values';
import type { Explanation, Facts, LeafTrace, TraceNode, Truth } from '#rules/types';
import type { Bundle, Question } from './types';

export interface Applicability {
  readonly itemCode: string;
  readonly required: boolean;
  /** true: applies; false: does not; null: unknown until the applicant answers. */
  readonly applies: Truth;
  /** The condition's trace; null for an item that always applies. */
  readonly explanation: Explanation | null;
}

export type ApplicabilityResult =
  | { readonly status: 'known'; readonly items: readonly Applicability[] }
  | {
      readonly status: 'NEEDS_ANSWER';
      readonly items: readonly Applicability[];
      readonly questions: readonly Question[];
      readonly unknownFacts: readonly string[];
    };

/** The facts an `appliesWhen` reads: the item facts of the application, and the answers under `answers`. */
export function bundleFacts(itemFacts: Facts, answers: Readonly<Record<string, unknown>>): Facts {
  return { ...itemFacts, answers };
}

export function whichItemsApply(bundle: Bundle, facts: Facts, timeZone: string, settled: ReadonlyMap<string, Applicability> = new Map()): ApplicabilityResult {
  const items = bundle.items.map((item): Applicability => {
    const fixed = settled.get(item.itemCode);
    if (fixed !== undefined) return fixed;
    if (item.appliesWhen === undefined) return { itemCode: item.itemCode, required: item.required, applies: true, explanation: null };
    const key = `bundle:${bundle.bundleCode}@${bundle.version}:${item.itemCode}`;
    // Kept in the bundle's state: a value over 1 KB as its marker, as a decision's trace keeps it.
    const explanation = boundedExplanation(compileCached(item.appliesWhen, key, { timeZone }).explain(facts));
    return { itemCode: item.itemCode, required: item.required, applies: explanation.result, explanation };
  });
  const unknown = items.filter((i) => i.applies === null);
  if (unknown.length === 0) return { status: 'known', items };

  const otherFacts = new Set<string>();
  const asked = new Set<string>();
  for (const { explanation } of unknown) {
    for (const leaf of explanation ? unknownLeaves(explanation.tree) : []) {
      const [root, id] = leaf.fact.split('.');
      if (root === 'answers' && id !== undefined) asked.add(id);
      else otherFacts.add(leaf.fact);
    }
  }
  const questions = (bundle.questions ?? []).filter((q) => asked.has(q.id));
  // The edge refuses an answers.<id> with no question; one that slips through is still reported, as a fact.
  for (const id of asked) if (!questions.some((q) => q.id === id)) otherFacts.add(`answers.${id}`);
  return { status: 'NEEDS_ANSWER', items, questions, unknownFacts: [...otherFacts] };
}

/**
 * The unknown leaves that keep a condition unknown: only under parts still unknown. A leaf unknown under an
 * `all` already false (or an `any` already true) cannot change the result, so its question is not asked.
 */
function unknownLeaves(node: TraceNode): LeafTrace[] {
  if (node.result !== null) return [];
  if ('all' in node) return node.all.flatMap(unknownLeaves);
  if ('any' in node) return node.any.flatMap(unknownLeaves);
  if ('not' in node) return unknownLeaves(node.not);
  return [node];
}
