/**
 * Faithful translations of CivicFlow conditions into the peers' languages, for facts where every path
 * is present: json-rules-engine (two-valued, JSONPath into top-level facts, custom operators where it has
 * none) and GoRules ZEN expressions (evaluated with the synchronous expression API, its fastest).
 */
import { Engine, type TopLevelCondition, type NestedCondition } from 'json-rules-engine';
import { evaluateExpressionSync } from '@gorules/zen-engine';
import type { Condition, Facts, Leaf } from '#rules';

const isLeaf = (c: Condition): c is Leaf => 'op' in c;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function splitFact(fact: string): { root: string; rest: string[] } {
  const [root, ...rest] = fact.split('.');
  return { root: root!, rest };
}

/**
 * Date order by moment when both are instants, else by the date as written. CivicFlow takes an instant's
 * local date in the bureau's zone; the bench writes every instant in +08:00, so the two agree here.
 */
function dayOrder(a: unknown, b: unknown): number {
  if (typeof a !== 'string' || typeof b !== 'string') return NaN;
  if (a.length > 10 && b.length > 10) return Date.parse(a) - Date.parse(b);
  const x = a.slice(0, 10);
  const y = b.slice(0, 10);
  return x < y ? -1 : x > y ? 1 : 0;
}

function ageInYears(birth: string, now: string): number {
  const b = +birth.slice(0, 4) * 10000 + +birth.slice(5, 7) * 100 + +birth.slice(8, 10);
  const n = +now.slice(0, 4) * 10000 + +now.slice(5, 7) * 100 + +now.slice(8, 10);
  return Math.floor(n / 10000) - Math.floor(b / 10000) - (n % 10000 < b % 10000 ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------------
// json-rules-engine
// ---------------------------------------------------------------------------------------------------

function jrePath(rest: string[]): string {
  return '$' + rest.map((s) => (IDENT.test(s) ? `.${s}` : `['${s}']`)).join('');
}

const JRE_OPS: Record<string, string> = {
  eq: 'equal',
  ne: 'notEqual',
  gt: 'greaterThan',
  gte: 'greaterThanInclusive',
  lt: 'lessThan',
  lte: 'lessThanInclusive',
  in: 'in',
  notIn: 'notIn',
  contains: 'contains',
};

function jreLeaf(leaf: Leaf): NestedCondition {
  const { root, rest } = splitFact(leaf.fact);
  const at = rest.length > 0 ? { path: jrePath(rest) } : {};
  const dateValued = typeof leaf.value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(leaf.value);
  switch (leaf.op) {
    case 'exists':
      return { fact: root, ...at, operator: 'exists', value: leaf.value !== false };
    case 'between':
      return { fact: root, ...at, operator: 'between', value: leaf.value as never };
    case 'before':
    case 'after':
      return { fact: root, ...at, operator: leaf.op, value: leaf.value === 'now' ? { fact: 'now' } : (leaf.value as string) };
    case 'ageAtLeast':
      // The age is a derived fact in json-rules-engine's idiom: a dynamic fact with params.
      return { fact: 'ageOf', params: { root, path: jrePath(rest) }, operator: 'greaterThanInclusive', value: leaf.value as number };
    default:
      if (dateValued && ['gt', 'gte', 'lt', 'lte'].includes(leaf.op)) {
        const op = { gt: 'after', lt: 'before', gte: 'notBefore', lte: 'notAfter' }[leaf.op as 'gt'];
        return { fact: root, ...at, operator: op, value: leaf.value as string };
      }
      return { fact: root, ...at, operator: JRE_OPS[leaf.op]!, value: leaf.value as never };
  }
}

function jreNode(c: Condition): NestedCondition {
  if (isLeaf(c)) return jreLeaf(c);
  if ('not' in c) return { not: jreNode(c.not) };
  if ('all' in c) return { all: c.all.map(jreNode) };
  return { any: c.any.map(jreNode) };
}

export function toJsonRulesEngine(c: Condition): TopLevelCondition {
  const node = jreNode(c);
  // The top level must be all/any/not; a single leaf is wrapped.
  return ('all' in node || 'any' in node || 'not' in node ? node : { all: [node] }) as TopLevelCondition;
}

export interface JreEvaluator {
  readonly engine: Engine;
  evaluate(facts: Facts): Promise<boolean>;
}

export function jreEvaluator(c: Condition): JreEvaluator {
  const engine = new Engine([], { allowUndefinedFacts: true });
  engine.addOperator('exists', (v: unknown, want: boolean) => (v !== undefined && v !== null) === want);
  engine.addOperator('between', (v: unknown, range: [number, number]) => typeof v === 'number' && v >= range[0] && v <= range[1]);
  engine.addOperator('before', (v: unknown, d: string) => dayOrder(v, d) < 0);
  engine.addOperator('after', (v: unknown, d: string) => dayOrder(v, d) > 0);
  engine.addOperator('notBefore', (v: unknown, d: string) => dayOrder(v, d) >= 0);
  engine.addOperator('notAfter', (v: unknown, d: string) => dayOrder(v, d) <= 0);
  engine.addFact('ageOf', async (raw: unknown, almanac) => {
    const params = raw as { root: string; path: string };
    const birth = await almanac.factValue<string>(params.root, {}, params.path);
    const now = await almanac.factValue<string>('now');
    return typeof birth === 'string' && typeof now === 'string' ? ageInYears(birth, now) : undefined;
  });
  engine.addRule({ conditions: toJsonRulesEngine(c), event: { type: 'held' } });
  return {
    engine,
    async evaluate(facts) {
      const out = await engine.run(facts as Record<string, unknown>);
      return out.events.length > 0;
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// ZEN expressions
// ---------------------------------------------------------------------------------------------------

const zenString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
function zenLiteral(v: unknown): string {
  if (typeof v === 'string') return zenString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(zenLiteral).join(', ')}]`;
  throw new Error(`bench: no ZEN literal for ${JSON.stringify(v)}`);
}

function zenPath(fact: string): string {
  const { root, rest } = splitFact(fact);
  return root + rest.map((s) => (IDENT.test(s) ? `.${s}` : `[${zenString(s)}]`)).join('');
}

/** A rule date: "now" is compared by its day as written (ZEN's d() keeps the wall-clock time). */
const zenDay = (v: unknown) => (v === 'now' ? `d(now).startOf('day')` : `d(${zenLiteral(v)})`);

function zenLeaf(leaf: Leaf): string {
  const p = zenPath(leaf.fact);
  const v = leaf.value;
  const rel = { eq: '==', ne: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=', before: '<', after: '>' } as const;
  switch (leaf.op) {
    case 'eq':
    case 'ne':
      return `${p} ${rel[leaf.op]} ${zenLiteral(v)}`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return typeof v === 'number' ? `${p} ${rel[leaf.op]} ${v}` : `d(${p}) ${rel[leaf.op]} ${zenDay(v)}`;
    case 'in':
      return `${p} in ${zenLiteral(v)}`;
    case 'notIn':
      return `not (${p} in ${zenLiteral(v)})`;
    case 'contains':
      return `contains(${p}, ${zenLiteral(v)})`;
    case 'exists':
      return v === false ? `${p} == null` : `${p} != null`;
    case 'between': {
      const [lo, hi] = v as [unknown, unknown];
      return typeof lo === 'number'
        ? `(${p} >= ${lo} and ${p} <= ${hi as number})`
        : `(d(${p}) >= ${zenDay(lo)} and d(${p}) <= ${zenDay(hi)})`;
    }
    case 'before':
    case 'after':
      return `d(${p}) ${rel[leaf.op]} ${zenDay(v)}`;
    case 'ageAtLeast':
      return `d(${p}).add(${v as number}, 'y') <= d(now).startOf('day')`;
  }
}

export function toZenExpression(c: Condition): string {
  if (isLeaf(c)) return zenLeaf(c);
  if ('not' in c) return `not (${toZenExpression(c.not)})`;
  const parts = ('all' in c ? c.all : c.any).map((x) => `(${toZenExpression(x)})`);
  return parts.join('all' in c ? ' and ' : ' or ');
}

export function zenEvaluator(c: Condition): { expression: string; evaluate(facts: Facts): boolean } {
  const expression = toZenExpression(c);
  return { expression, evaluate: (facts) => evaluateExpressionSync(expression, facts) === true };
}
