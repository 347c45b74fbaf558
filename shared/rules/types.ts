/**
 * The one rules language of CivicFlow, shared by service items (秒批) and policies (免申即享).
 * Rules are data: validated when published, compiled once per version, evaluated three-valued.
 */

export const OPERATORS = [
  'eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'contains', 'exists',
  'between', 'before', 'after', 'ageAtLeast',
] as const;
export type Operator = (typeof OPERATORS)[number];

/**
 * Roots a fact path may start with. `now` is the decision moment (an RFC 3339 instant); `person` is a
 * resident's profile, for person policies; `answers` are an applicant's answers to a bundle's situation
 * questions (一件事). Each schema narrows the roots its conditions may use.
 */
export const FACT_ROOTS = ['applicant', 'form', 'licence', 'credit', 'enterprise', 'person', 'answers', 'now'] as const;
export type FactRoot = (typeof FACT_ROOTS)[number];

export interface Leaf {
  /** Stable id of the rule, e.g. "R-AGE-18"; appears in traces and reason texts. */
  readonly id: string;
  /** Chinese description shown to applicants and auditors, e.g. "申请人年满18周岁". */
  readonly description: string;
  /** Dot path into the facts, e.g. "applicant.birthDate", "licence.营业执照.status". */
  readonly fact: string;
  readonly op: Operator;
  readonly value?: unknown;
}
export type Condition =
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition }
  | Leaf;

/** Kleene three-valued truth: `null` is unknown (a fact was missing). Never treat null as false. */
export type Truth = boolean | null;

/** The facts of one decision: plain JSON-like objects keyed by the roots above. */
export type Facts = Readonly<Record<string, unknown>>;

/** A field-level problem, in the same shape as the ingest API's errors. */
export interface Issue {
  readonly path: string;
  readonly message: string;
}

export interface LeafTrace {
  /**
   * Where the leaf sits in the condition, as in validation issues (`all[2].not`; empty for a lone leaf).
   * A leaf under a `not` failing is what makes the `not` hold: read its result with the path.
   */
  readonly path: string;
  readonly id: string;
  readonly description: string;
  readonly fact: string;
  readonly op: Operator;
  readonly value?: unknown;
  /** The fact value the leaf saw (undefined when missing). */
  readonly seen: unknown;
  readonly result: Truth;
}

/** A node of the condition with its result: the condition's own shape, every combination included. */
export type TraceNode =
  | { readonly all: readonly TraceNode[]; readonly result: Truth }
  | { readonly any: readonly TraceNode[]; readonly result: Truth }
  | { readonly not: TraceNode; readonly result: Truth }
  | LeafTrace;

export interface Explanation {
  readonly result: Truth;
  /** The whole condition, each `all`, `any`, `not` and leaf with its result. */
  readonly tree: TraceNode;
  /** Every leaf, in document order, with where it sits, what it saw and its result. */
  readonly leaves: readonly LeafTrace[];
}

export interface CompileOptions {
  /**
   * The bureau's IANA time zone: date-only values are local dates in it, and an instant meeting one
   * stands for its local date there. Default Asia/Shanghai.
   */
  readonly timeZone?: string;
}

/** Where the bulk path puts the ids it selects: an array, or anything that takes them one at a time. */
export interface IdSink {
  push(id: unknown): unknown;
}

export interface CompiledCondition {
  /** The condition as validated (next-flip reads its time leaves). */
  readonly condition: Condition;
  /** The IANA zone its dates are compared in. */
  readonly timeZone: string;
  /** Fast path: no allocation per call beyond what the operators need. */
  evaluate(facts: Facts): Truth;
  /**
   * Bulk path: evaluates `subjects[start..end)` (default: all), each subject standing at `facts[key]` (the
   * one facts object reused, and left holding one of the subjects or none afterwards), and pushes the
   * `idKey` property of each subject whose truth is true to `held`, unknown to `unknown`, in order. Returns
   * how many were false. The same answers as `evaluate`, in one generated loop with no call per subject.
   * `held` and `unknown` may be any sink with a `push`: one that looks each id up as it arrives does so
   * while the subject is still in the cache.
   */
  selectEach(
    subjects: readonly object[],
    key: string,
    idKey: string,
    facts: Facts,
    held: IdSink,
    unknown: IdSink,
    start?: number,
    end?: number,
  ): number;
  /** Slow path with the full trace (for decisions and the policy calculator). */
  explain(facts: Facts): Explanation;
  /** Leaf ids whose facts are referenced, for documentation. */
  readonly factPaths: readonly string[];
}
