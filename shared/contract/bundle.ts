/**
 * The `data` of `gov.catalog.bundle.published`: a 一件事 bundle (several service items applied for with one
 * form, one material set and the applicant's answers to situation questions). Built from the field builders
 * of schemas.ts, passed in (schemas.ts imports this module, so it cannot import them back).
 *
 * What the edge checks on its own, naming the field: duplicate item codes and question ids, an `after` that
 * names an item outside the bundle or closes a cycle, an `appliesWhen` that is not a valid condition, and an
 * `answers.<id>` fact with no question `<id>` to ask (an unknown answer must always become a question).
 * What needs the catalogue (an unknown item code, a material the items describe differently) is checked by
 * the registry when it stores the bundle, and refused there with a receipt.
 */
import * as z from 'zod/mini';
import type { Condition } from '#rules/types';
import { LIMITS } from './limits';

type Text = (max: number) => z.ZodMiniString<string>;
type Field = () => z.ZodMiniString<string>;
type Issue = { readonly path: readonly (string | number)[]; readonly message: string; readonly input: unknown };

export const QUESTION_KINDS = ['boolean', 'choice', 'number', 'text', 'date'] as const;

/** A question id is the key of its answer (`answers.<id>`), so it must be one plain path segment. */
const QUESTION_ID = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

interface BundleShape {
  readonly items: readonly { readonly itemCode: string; readonly appliesWhen?: Condition | undefined; readonly after?: readonly string[] | undefined }[];
  readonly questions?: readonly { readonly id: string }[] | undefined;
}

export function bundleSchema({ code, name, text, dayCount, condition }: { code: Field; name: Field; text: Text; dayCount: (min: number) => z.ZodMiniNumber<number>; condition: (field: string) => z.ZodMiniType<Condition> }) {
  const bundleItemSchema = z.strictObject({
    itemCode: code(),
    /** A required item decides the bundle: rejected, the bundle is rejected; optional ones only add. */
    required: z.boolean(),
    /** When the item applies to this applicant; absent: always. Three-valued: unknown asks a question. */
    appliesWhen: z.optional(condition('appliesWhen')),
    /** Items of this bundle decided before this one; their certificates serve it as e-licences. */
    after: z.optional(z.array(code()).check(z.maxLength(LIMITS.bundleItems))),
  });

  const questionSchema = z
    .looseObject({
      id: z.string().check(z.regex(QUESTION_ID, 'must be a letter then letters, digits or _ (at most 64): it is the key answers.<id>')),
      text: text(LIMITS.text),
      kind: z.enum(QUESTION_KINDS),
      /** The choices of a `choice` question. */
      options: z.optional(z.array(name()).check(z.minLength(1), z.maxLength(LIMITS.channels))),
    })
    .check(
      z.superRefine((q, ctx) => {
        if (q.kind === 'choice' && q.options === undefined) ctx.addIssue({ code: 'custom', path: ['options'], input: undefined, message: 'is required when kind is choice' });
      }),
    );

  return z
    .looseObject({
      bundleCode: code(),
      name: name(),
      /** Owns the bundle's review case and answers for its deadline. */
      leadDepartmentCode: code(),
      /** Working days from submission to the bundle's outcome (限时办结). */
      promisedDays: dayCount(1),
      items: z.array(bundleItemSchema).check(z.minLength(1), z.maxLength(LIMITS.bundleItems)),
      questions: z.optional(z.array(questionSchema).check(z.maxLength(LIMITS.bundleQuestions))),
      version: z.int().check(z.minimum(1)),
      active: z.boolean(),
    })
    .check(
      z.superRefine((bundle, ctx) => {
        for (const issue of bundleProblems(bundle)) ctx.addIssue({ code: 'custom', path: [...issue.path], input: issue.input, message: issue.message });
      }),
    );
}

/** Every cross-field problem of a bundle, each at the field that causes it. */
export function bundleProblems(bundle: BundleShape): Issue[] {
  return [...duplicateCodes(bundle), ...duplicateQuestions(bundle), ...afterProblems(bundle), ...unaskedAnswers(bundle)];
}

function duplicateCodes(bundle: BundleShape): Issue[] {
  const first = new Map<string, number>();
  const issues: Issue[] = [];
  bundle.items.forEach((item, i) => {
    const at = first.get(item.itemCode);
    if (at === undefined) first.set(item.itemCode, i);
    else issues.push({ path: ['items', i, 'itemCode'], input: item.itemCode, message: `duplicate item code "${item.itemCode}" (first at items[${at}])` });
  });
  return issues;
}

function duplicateQuestions(bundle: BundleShape): Issue[] {
  const seen = new Set<string>();
  const issues: Issue[] = [];
  (bundle.questions ?? []).forEach((q, i) => {
    if (seen.has(q.id)) issues.push({ path: ['questions', i, 'id'], input: q.id, message: `duplicate question id "${q.id}"` });
    seen.add(q.id);
  });
  return issues;
}

/** `after` names items of the bundle only, and following them never leads back to where it started. */
function afterProblems(bundle: BundleShape): Issue[] {
  const codes = new Set(bundle.items.map((i) => i.itemCode));
  const issues: Issue[] = [];
  bundle.items.forEach((item, i) =>
    (item.after ?? []).forEach((predecessor, j) => {
      if (!codes.has(predecessor)) issues.push({ path: ['items', i, 'after', j], input: predecessor, message: `names item "${predecessor}", which is not an item of this bundle` });
    }),
  );
  return [...issues, ...cycles(bundle)];
}

/** Depth-first over `after` edges; an edge back to an item still on the path closes a cycle, reported at that edge. */
function cycles(bundle: BundleShape): Issue[] {
  const index = new Map(bundle.items.map((item, i) => [item.itemCode, i] as const));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const issues: Issue[] = [];
  const visit = (code: string): void => {
    state.set(code, 'open');
    stack.push(code);
    const i = index.get(code) ?? 0;
    (bundle.items[i]?.after ?? []).forEach((next, j) => {
      if (!index.has(next)) return;
      const seen = state.get(next);
      if (seen === 'open') {
        const loop = [...stack.slice(stack.indexOf(next)), next].join(' → ');
        issues.push({ path: ['items', i, 'after', j], input: next, message: `closes a cycle of after: ${loop}` });
      } else if (seen === undefined) visit(next);
    });
    stack.pop();
    state.set(code, 'done');
  };
  for (const item of bundle.items) if (!state.has(item.itemCode)) visit(item.itemCode);
  return issues;
}

/**
 * An `answers.<id>` fact needs a question `<id>`: an unknown answer becomes that question, never a silent
 * skip. With no questions at all, `questions` is the field that is missing; else each leaf is named.
 */
function unaskedAnswers(bundle: BundleShape): Issue[] {
  const ids = new Set((bundle.questions ?? []).map((q) => q.id));
  const issues: Issue[] = [];
  if (bundle.questions === undefined) {
    const asked = [...new Set(bundle.items.flatMap((item) => (item.appliesWhen ? leavesOf(item.appliesWhen, []) : [])).flatMap((leaf) => answerId(leaf.fact)))];
    return asked.length === 0 ? [] : [{ path: ['questions'], input: undefined, message: `is required: appliesWhen reads ${asked.map((id) => `answers.${id}`).join(', ')}` }];
  }
  bundle.items.forEach((item, i) => {
    if (item.appliesWhen === undefined) return;
    for (const leaf of leavesOf(item.appliesWhen, [])) {
      const [id] = answerId(leaf.fact);
      if (id !== undefined && !ids.has(id)) {
        issues.push({ path: ['items', i, 'appliesWhen', ...leaf.path, 'fact'], input: leaf.fact, message: `asks answers.${id}, but the bundle has no question with id "${id}"` });
      }
    }
  });
  return issues;
}

/** The question id an `answers.<id>…` fact reads, as a list of none or one. */
function answerId(fact: string): string[] {
  const [root, id] = fact.split('.');
  return root === 'answers' && id !== undefined ? [id] : [];
}

function leavesOf(c: unknown, path: readonly (string | number)[]): { path: readonly (string | number)[]; fact: string }[] {
  if (typeof c !== 'object' || c === null) return [];
  const node = c as Record<string, unknown>;
  if (Array.isArray(node.all)) return node.all.flatMap((part, i) => leavesOf(part, [...path, 'all', i]));
  if (Array.isArray(node.any)) return node.any.flatMap((part, i) => leavesOf(part, [...path, 'any', i]));
  if ('not' in node) return leavesOf(node.not, [...path, 'not']);
  return typeof node.fact === 'string' ? [{ path, fact: node.fact }] : [];
}
