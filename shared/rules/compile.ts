import {
  ageAtLeast,
  compareFactDate,
  compareFactDates,
  contains,
  dateListTest,
  LEAF_TESTS,
  listHasDate,
  ruleDate,
  scalarTypes,
  UNKNOWN,
  type LeafTest,
  type Tri,
} from './operators';
import type {
  CompileOptions,
  CompiledCondition,
  Condition,
  Explanation,
  Facts,
  IdSink,
  Issue,
  Leaf,
  LeafTrace,
  TraceNode,
  Truth,
} from './types';
import { isDateString } from './dates';
import { validateCondition } from './validate';
import { DEFAULT_TIME_ZONE, timeZone, type TimeZone } from './zone';

export class InvalidConditionError extends Error {
  override readonly name = 'InvalidConditionError';
  readonly code = 'INVALID_CONDITION';
  constructor(readonly issues: readonly Issue[]) {
    super(`invalid condition: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

const EMPTY_FACTS: Facts = Object.freeze({});
/** `in` lists up to this size compile to a chain of `===`, which beats Set#has on short lists. */
const INLINE_IN_LIMIT = 8;

function isLeaf(c: Condition): c is Leaf {
  return 'op' in c;
}

// ---------------------------------------------------------------------------------------------------
// evaluate: the condition is generated into one straight-line function, so V8 sees a single
// monomorphic body with named property loads instead of a tree of megamorphic closure calls. Only
// validated property names (as JSON string literals) and integer indexes reach the source; every
// rule value is passed in through the `k` array, never spliced into the code.
// ---------------------------------------------------------------------------------------------------

interface Gen {
  readonly lines: string[];
  readonly consts: unknown[];
  readonly zone: TimeZone;
  vars: number;
  /** In a generated loop (selectEach), the root fact held in a local variable instead of read off `f`. */
  readonly direct?: { readonly root: string; readonly name: string };
}

const HELPERS = { compareFactDate, compareFactDates, contains, ageAtLeast } as const;

function constant(g: Gen, value: unknown): string {
  g.consts.push(value);
  return `k[${g.consts.length - 1}]`;
}

function literal(value: string | number | boolean): string {
  // JSON is a subset of JS literals for finite numbers, booleans and strings.
  return JSON.stringify(value);
}

function genGetter(g: Gen, fact: string): void {
  const segments = fact.split('.');
  const [root, ...rest] = segments as [string, ...string[]];
  g.lines.push(g.direct?.root === root ? `v = ${g.direct.name};` : `v = f[${literal(root)}];`);
  for (const segment of rest) {
    g.lines.push(`if (typeof v === "object" && v !== null) {`, `v = v[${literal(segment)}];`);
  }
  for (let i = 0; i < rest.length; i += 1) g.lines.push(`} else v = undefined;`);
}

function genDateCompare(g: Gen, target: string, value: string, pass: string): void {
  const { day, ms } = ruleDate(value, g.zone);
  g.lines.push(`t = compareFactDate(v, ${day}, ${ms === ms ? ms : 'NaN'}, z);`);
  g.lines.push(`${target} = t !== t ? 2 : t ${pass} 0 ? 1 : 0;`);
}

const RELATIONS = { gt: '>', gte: '>=', lt: '<', lte: '<=', before: '<', after: '>' } as const;

function genLeaf(g: Gen, leaf: Leaf, target: string): void {
  genGetter(g, leaf.fact);
  const value = leaf.value;
  switch (leaf.op) {
    case 'eq':
    case 'ne': {
      // A date compares as a date (as LEAF_TESTS' eq and ne): the same local date, not the same text.
      if (isDateString(value)) {
        genDateCompare(g, target, value, leaf.op === 'eq' ? '===' : '!==');
        return;
      }
      const [hit, miss] = leaf.op === 'eq' ? [1, 0] : [0, 1];
      const lit = literal(value as string | number | boolean);
      g.lines.push(`${target} = v === ${lit} ? ${hit} : typeof v === ${literal(typeof value)} ? ${miss} : 2;`);
      return;
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const rel = RELATIONS[leaf.op];
      if (typeof value === 'number') {
        g.lines.push(`${target} = typeof v !== "number" || v !== v ? 2 : v ${rel} ${literal(value)} ? 1 : 0;`);
      } else {
        genDateCompare(g, target, value as string, rel);
      }
      return;
    }
    case 'between': {
      const [low, high] = value as [unknown, unknown];
      if (typeof low === 'number' && typeof high === 'number') {
        g.lines.push(
          `${target} = typeof v !== "number" || v !== v ? 2 : v >= ${literal(low)} && v <= ${literal(high)} ? 1 : 0;`,
        );
      } else {
        const lo = ruleDate(low as string, g.zone);
        const hi = ruleDate(high as string, g.zone);
        const num = (n: number) => (n === n ? String(n) : 'NaN');
        g.lines.push(`t = compareFactDate(v, ${lo.day}, ${num(lo.ms)}, z);`);
        g.lines.push(
          `${target} = t !== t ? 2 : t >= 0 && compareFactDate(v, ${hi.day}, ${num(hi.ms)}, z) <= 0 ? 1 : 0;`,
        );
      }
      return;
    }
    case 'in':
    case 'notIn': {
      const list = value as readonly (string | number | boolean)[];
      // A list naming a date compares as eq does with each item (LEAF_TESTS' in and notIn, called as they
      // are); a list without a date keeps the inline membership test below.
      if (listHasDate(list)) {
        g.lines.push(`${target} = ${constant(g, dateListTest(list, g.zone, leaf.op === 'notIn'))}(v, f);`);
        return;
      }
      const [hit, miss] = leaf.op === 'in' ? [1, 0] : [0, 1];
      const membership =
        list.length <= INLINE_IN_LIMIT
          ? list.map((x) => `v === ${literal(x)}`).join(' || ')
          : `${constant(g, new Set(list))}.has(v)`;
      const typeCheck = [...scalarTypes(list)].map((t) => `typeof v === ${literal(t)}`).join(' || ');
      g.lines.push(`${target} = ${membership} ? ${hit} : ${typeCheck} ? ${miss} : 2;`);
      return;
    }
    case 'contains':
      g.lines.push(`${target} = contains(v, ${constant(g, value)});`);
      return;
    case 'exists': {
      const [yes, no] = value === false ? [0, 1] : [1, 0];
      g.lines.push(`${target} = v !== undefined && v !== null ? ${yes} : ${no};`);
      return;
    }
    case 'before':
    case 'after': {
      const rel = RELATIONS[leaf.op];
      if (value === 'now') {
        g.lines.push(`t = compareFactDates(v, f.now, z);`, `${target} = t !== t ? 2 : t ${rel} 0 ? 1 : 0;`);
      } else {
        genDateCompare(g, target, value as string, rel);
      }
      return;
    }
    case 'ageAtLeast':
      g.lines.push(`${target} = ageAtLeast(v, f.now, ${literal(value as number)}, z);`);
      return;
  }
}

/** Emits code that leaves the node's Tri in `target`; `all`/`any` break out of a labelled block early. */
function genNode(g: Gen, node: Condition, target: string): void {
  if (isLeaf(node)) {
    genLeaf(g, node, target);
    return;
  }
  if ('not' in node) {
    const inner = `r${g.vars++}`;
    genNode(g, node.not, inner);
    g.lines.push(`${target} = ${inner} === 2 ? 2 : 1 - ${inner};`);
    return;
  }
  const isAll = 'all' in node;
  const children = isAll ? node.all : node.any;
  const [decisive, neutral] = isAll ? [0, 1] : [1, 0];
  const label = `b${g.vars++}`;
  g.lines.push(`${target} = ${neutral};`, `${label}: {`);
  for (const child of children) {
    const inner = `r${g.vars++}`;
    genNode(g, child, inner);
    g.lines.push(`if (${inner} === ${decisive}) { ${target} = ${decisive}; break ${label}; }`);
    g.lines.push(`if (${inner} === 2) ${target} = 2;`);
  }
  g.lines.push(`}`);
}

type Evaluate = (facts: Facts) => Truth;

/**
 * What a generated function does before its body: nothing (`STAY`), hand the call to a reordered
 * version (`DELEGATE`), or still learn the order (`LEARN`, the first ADAPT_CALLS calls).
 */
const STAY = 2;
const DELEGATE = 1;
const LEARN = 0;

interface AdaptState {
  mode: number;
  next: Evaluate | null;
  learn(facts: Facts): void;
}

interface Adaptive {
  readonly evaluate: Evaluate;
  /** The order the condition settled on; undefined while it is still learning. */
  settled(): Condition | undefined;
}

function generate(condition: Condition, zone: TimeZone, state?: AdaptState): Evaluate {
  const g: Gen = { lines: [], consts: [EMPTY_FACTS], zone, vars: 1 };
  genNode(g, condition, 'r0');
  const declarations = Array.from({ length: g.vars }, (_, i) => `r${i}`).join(', ');
  const body = [
    `"use strict";`,
    // One load and compare once the order is settled; the reordered function is called from this one
    // site only, so V8 inlines it.
    ...(state ? [`if (s.mode !== ${STAY}) { if (s.mode === ${DELEGATE}) return s.next(f); s.learn(f); }`] : []),
    `if (f === undefined || f === null) f = k[0];`,
    `let v, t, ${declarations};`,
    ...g.lines,
    `return r0 === 2 ? null : r0 === 1;`,
  ].join('\n');
  return instantiate(g, `return function evaluateCondition(f) {\n${body}\n};`, state) as Evaluate;
}

const EACH_RUN = 2048;

/** Pushes the id of each subject of `subjects[start..end)` to `held` or `unknown` by its truth; returns how many were false. */
type SelectEach = (subjects: readonly unknown[], start: number, end: number, facts: Facts, held: IdSink, unknown: IdSink) => number;

/**
 * The bulk form: the same body inside one loop over the subjects, each placed at `facts[key]` and read from
 * a local variable wherever the condition reads that root, with no call per subject.
 */
function generateEach(condition: Condition, zone: TimeZone, key: string, idKey: string): SelectEach {
  const g: Gen = { lines: [], consts: [EMPTY_FACTS], zone, vars: 1, direct: { root: key, name: 'x' } };
  genNode(g, condition, 'r0');
  const declarations = Array.from({ length: g.vars }, (_, i) => `r${i}`).join(', ');
  const body = [
    `"use strict";`,
    `let v, t, x, n = 0, ${declarations};`,
    `for (let i = start; i < end; i++) {`,
    `x = items[i];`,
    // Where the body reads the facts object (another root, now, a helper handed the facts), it holds the
    // subject too; where it does not, that store is left out.
    ...(g.lines.some((line) => /\bf\b/.test(line)) ? [`f[${literal(key)}] = x;`] : []),
    ...g.lines,
    // The id is read while the subject is still in the cache, not in a second pass over the subjects.
    `if (r0 === 0) n++; else (r0 === 1 ? held : unknown).push(x[${literal(idKey)}]);`,
    `}`,
    `return n;`,
  ].join('\n');
  return instantiate(g, `return function selectEach(items, start, end, f, held, unknown) {\n${body}\n};`) as SelectEach;
}

function instantiate(g: Gen, source: string, state?: AdaptState): unknown {
  const factory = new Function('k', 'compareFactDate', 'compareFactDates', 'contains', 'ageAtLeast', 'z', 's', source) as (
    k: unknown[],
    ...helpers: unknown[]
  ) => unknown;
  const { compareFactDate: cfd, compareFactDates: cfds, contains: has, ageAtLeast: age } = HELPERS;
  return factory(g.consts, cfd, cfds, has, age, g.zone, state);
}

// ---------------------------------------------------------------------------------------------------
// Adaptive order: `all` and `any` stop at their first decisive child, so the order of the children
// decides the cost, not the answer (Kleene logic is commutative). For its first ADAPT_CALLS calls a
// compiled condition samples the full trace of one call in ADAPT_SAMPLE_EVERY (explain, which never
// short-circuits, so every child's frequency is seen unbiased), then regenerates itself with the
// children of every node ordered by how often each settles its node per unit of cost — the order a
// person writes by hand after looking at the data. The answers never change; only the speed does.
// ---------------------------------------------------------------------------------------------------

export const ADAPT_CALLS = 1024;
const ADAPT_SAMPLE_EVERY = 4;

/** A node's relative cost: a leaf 1, a date leaf 3 (it scans strings), a node the sum of its children. */
function costOf(node: Condition): number {
  if (isLeaf(node)) {
    const dated = node.op === 'ageAtLeast' || node.op === 'before' || node.op === 'after' || (typeof node.value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(node.value)) || (Array.isArray(node.value) && listHasDate(node.value));
    return dated ? 3 : 1;
  }
  if ('not' in node) return costOf(node.not);
  return ('all' in node ? node.all : node.any).reduce((n, c) => n + costOf(c), 0);
}

/** Per `all`/`any` node in pre-order: how often each child settled it. */
type Profile = Float64Array[];

function emptyProfile(node: Condition, into: Profile = []): Profile {
  if (isLeaf(node)) return into;
  if ('not' in node) return emptyProfile(node.not, into);
  const children = 'all' in node ? node.all : node.any;
  into.push(new Float64Array(children.length));
  for (const c of children) emptyProfile(c, into);
  return into;
}

/** Counts, walking the condition and its trace together in pre-order, which children were decisive. */
function record(node: Condition, trace: TraceNode, profile: Profile, at = { i: 0 }): void {
  if (isLeaf(node)) return;
  if ('not' in node) return 'not' in trace ? record(node.not, trace.not, profile, at) : undefined;
  const isAll = 'all' in node;
  const children = isAll ? node.all : node.any;
  const traced = 'all' in trace ? trace.all : 'any' in trace ? trace.any : [];
  const counts = profile[at.i++]!;
  children.forEach((c, k) => {
    if (traced[k]!.result === !isAll) counts[k]! += 1;
    record(c, traced[k]!, profile, at);
  });
}

/** The condition with every node's children ordered by settling frequency per cost (stable). */
function reorder(node: Condition, profile: Profile, samples: number, at = { i: 0 }): Condition {
  if (isLeaf(node)) return node;
  if ('not' in node) return { ...node, not: reorder(node.not, profile, samples, at) };
  const isAll = 'all' in node;
  const counts = profile[at.i++]!;
  const children = (isAll ? node.all : node.any).map((c, k) => ({
    child: reorder(c, profile, samples, at),
    score: (counts[k]! + 0.5) / (samples + 1) / costOf(c),
    k,
  }));
  const ordered = [...children].sort((a, b) => b.score - a.score || a.k - b.k).map((x) => x.child);
  return isAll ? { ...node, all: ordered } : { ...node, any: ordered };
}

/** The written-order function that learns the order for ADAPT_CALLS calls and then hands over. */
function adaptive(condition: Condition, zone: TimeZone, explain: ExplainNode): Adaptive {
  if (isLeaf(condition)) return { evaluate: generate(condition, zone), settled: () => condition };
  const profile = emptyProfile(condition);
  let calls = 0;
  let samples = 0;
  let order: Condition | undefined;
  const state: AdaptState = {
    mode: LEARN,
    next: null,
    learn(facts) {
      calls += 1;
      if (calls % ADAPT_SAMPLE_EVERY === 0) {
        record(condition, explain(facts ?? EMPTY_FACTS, []), profile);
        samples += 1;
      }
      if (calls < ADAPT_CALLS) return;
      const ordered = reorder(condition, profile, samples);
      if (JSON.stringify(ordered) === JSON.stringify(condition)) {
        order = condition;
        state.mode = STAY;
      } else {
        order = ordered;
        state.next = generate(ordered, zone);
        state.mode = DELEGATE;
      }
    },
  };
  return { evaluate: generate(condition, zone, state), settled: () => order };
}

// ---------------------------------------------------------------------------------------------------
// explain: closures over the reference operator semantics; never short-circuits, so the trace holds
// every node (each all, any, not and leaf) with its result, and every leaf with what it saw. Only
// decisions and the policy calculator ask for it; bulk matching and the bench use evaluate.
// ---------------------------------------------------------------------------------------------------

type ExplainNode = (facts: Facts, leaves: LeafTrace[]) => TraceNode;

export function readFact(segments: readonly string[], facts: Facts): unknown {
  let v: unknown = facts;
  for (const s of segments) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[s];
  }
  return v;
}

const toTruth = (t: Tri): Truth => (t === UNKNOWN ? null : t === 1);

function explainNode(node: Condition, path: string, zone: TimeZone): ExplainNode {
  if (isLeaf(node)) {
    const segments = node.fact.split('.');
    const test: LeafTest = LEAF_TESTS[node.op](node.value, 'value' in node, zone);
    const base = {
      path,
      id: node.id,
      description: node.description,
      fact: node.fact,
      op: node.op,
      ...('value' in node ? { value: node.value } : {}),
    };
    return (facts, leaves) => {
      const seen = readFact(segments, facts);
      const trace: LeafTrace = { ...base, seen, result: toTruth(test(seen, facts)) };
      leaves.push(trace);
      return trace;
    };
  }
  const child = (segment: string) => (path === '' ? segment : `${path}.${segment}`);
  if ('not' in node) {
    const inner = explainNode(node.not, child('not'), zone);
    return (facts, leaves) => {
      const t = inner(facts, leaves);
      return { not: t, result: t.result === null ? null : !t.result };
    };
  }
  const isAll = 'all' in node;
  const key = isAll ? 'all' : 'any';
  const children = (isAll ? node.all : node.any).map((c, i) => explainNode(c, child(`${key}[${i}]`), zone));
  const decisive: Truth = !isAll;
  return (facts, leaves) => {
    const traced = children.map((c) => c(facts, leaves));
    let result: Truth = isAll;
    for (const t of traced) {
      if (t.result === decisive) result = decisive;
      else if (t.result === null && result !== decisive) result = null;
    }
    return isAll ? { all: traced, result } : { any: traced, result };
  };
}

function collectFactPaths(node: Condition, into: Set<string>): void {
  if (isLeaf(node)) {
    into.add(node.fact);
    if (node.op === 'ageAtLeast' || node.value === 'now') into.add('now');
  } else if ('not' in node) collectFactPaths(node.not, into);
  else for (const child of 'all' in node ? node.all : node.any) collectFactPaths(child, into);
}

/**
 * Validates and compiles a condition once per rules version. Throws InvalidConditionError with every
 * issue when the condition is not valid data, InvalidTimeZoneError for an unknown `timeZone`. Dates
 * compare as local dates in `options.timeZone` (default Asia/Shanghai; see dates.ts).
 */
export function compileCondition(condition: Condition, options: CompileOptions = {}): CompiledCondition {
  const zone = timeZone(options.timeZone ?? DEFAULT_TIME_ZONE);
  const issues = validateCondition(condition);
  if (issues.length > 0) throw new InvalidConditionError(issues);
  const explainRoot = explainNode(condition, '', zone);
  const { evaluate, settled } = adaptive(condition, zone, explainRoot);
  const paths = new Set<string>();
  collectFactPaths(condition, paths);
  // One loop per key the subjects are placed at, generated once the order has settled.
  const loops = new Map<string, SelectEach>();
  return {
    condition,
    timeZone: zone.name,
    evaluate,
    selectEach(subjects, key, idKey, facts, held, unknown, start = 0, end = subjects.length) {
      const f = facts as Record<string, unknown>;
      let i = Math.max(0, start);
      const last = Math.min(subjects.length, end);
      let falses = 0;
      // While the order is still being learned, one call at a time (that is what it learns from).
      for (; i < last && settled() === undefined; i++) {
        const subject = subjects[i] as Record<string, unknown>;
        f[key] = subject;
        const truth = evaluate(f);
        if (truth === false) falses++;
        else (truth ? held : unknown).push(subject[idKey]);
      }
      if (i >= last) return falses;
      const loopKey = `${key}\u0000${idKey}`;
      let loop = loops.get(loopKey);
      if (loop === undefined) {
        loop = generateEach(settled()!, zone, key, idKey);
        loops.set(loopKey, loop);
      }
      // In runs of EACH_RUN subjects, so that V8 optimizes the loop as a whole function early on, rather
      // than running one long call through on-stack replacement.
      for (; i < last; i += EACH_RUN) falses += loop(subjects, i, Math.min(last, i + EACH_RUN), f, held, unknown);
      return falses;
    },
    explain(facts: Facts): Explanation {
      const leaves: LeafTrace[] = [];
      const tree = explainRoot(facts ?? EMPTY_FACTS, leaves);
      return { result: tree.result, tree, leaves };
    },
    factPaths: Object.freeze([...paths]),
  };
}

/** Compiled rules versions are immutable, so a version key identifies the compiled form for good. */
export const COMPILE_CACHE_LIMIT = 1000;
const cache = new Map<string, CompiledCondition>();

/**
 * Compiles at most once per key (e.g. `${itemCode}@${version}`) and time zone; least recently used
 * entries are dropped past COMPILE_CACHE_LIMIT so a long-lived Lambda cannot grow without bound.
 */
export function compileCached(condition: Condition, key: string, options: CompileOptions = {}): CompiledCondition {
  const zoneName = options.timeZone ?? DEFAULT_TIME_ZONE;
  const cacheKey = zoneName === DEFAULT_TIME_ZONE ? key : `${key}\u0000${zoneName}`;
  const hit = cache.get(cacheKey);
  if (hit !== undefined) {
    cache.delete(cacheKey);
    cache.set(cacheKey, hit);
    return hit;
  }
  const compiled = compileCondition(condition, { timeZone: zoneName });
  cache.set(cacheKey, compiled);
  if (cache.size > COMPILE_CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return compiled;
}
