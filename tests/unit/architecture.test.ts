/**
 * The dependency rules of the code base, read from the import graph (tests/support/import-graph.ts):
 *
 * 1. shared/ and functions/ never import deployment wiring or tooling: topology/, infra/, local/, bench/,
 *    scripts/, tests/ (they learn resource names from shared/platform/resources.ts); shared/ never imports
 *    functions/.
 * 2. The libraries (contract, platform, rules, calendar, util, auth) may be imported by anyone and import no
 *    capability.
 * 3. A capability (approval, entitlement, review, registry, and the edges ingest, query, report) imports
 *    another capability only through its public modules: `shared/<capability>/index.ts`, or its lean module
 *    `shared/<capability>/lean.ts` (what others need of it without its domain, store or clients, such as a shard
 *    count), which imports no capability, its own included, so that a build taking it reads one module.
 * 4. No import cycle between folders (shared/<x>, functions/<x>, and each top-level folder).
 * 5. functions/ holds no `as unknown as`, and every queue consumer parses its input (`carriedBy`).
 *
 * What today's code still does against rule 3 is listed in ALLOWED, one edge each, for the per-capability
 * work to remove; an entry that no longer occurs fails the test, so the list only shrinks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importGraph, ROOT, sourceFiles, type ImportEdge } from '#support/import-graph';

const LIBRARIES = ['contract', 'platform', 'rules', 'calendar', 'util', 'auth'];
const CAPABILITIES = ['approval', 'entitlement', 'review', 'registry', 'hardcase', 'ingest', 'query', 'report', 'simulation'];
const WIRING_AND_TOOLING = ['topology', 'infra', 'local', 'bench', 'scripts', 'tests'];

/**
 * Rule-3 edges that remain, `from -> to`: none. The query routes and the monthly report read the other
 * capabilities through their index.ts; keep it so (a new edge here needs a reason, and goes again).
 */
const ALLOWED: readonly string[] = [];

/** `shared/approval/x.ts` → `shared/approval`; `functions/review/h.ts` → `functions/review`; `infra/…` → `infra`. */
function folderOf(path: string): string {
  const [top, second] = path.split('/');
  return (top === 'shared' || top === 'functions') && second !== undefined && path.split('/').length > 2 ? `${top}/${second}` : top!;
}

/** What another capability may import of capability `y`. */
const publicModules = (y: string) => [`shared/${y}/index.ts`, `shared/${y}/lean.ts`];

const sharedName = (folder: string) => (folder.startsWith('shared/') ? folder.slice('shared/'.length) : undefined);

/** Every edge that breaks rules 1–3, as `from -> to (rule)`. */
function ruleViolations(edges: readonly ImportEdge[]): string[] {
  const out: string[] = [];
  for (const { from, to } of edges) {
    const a = folderOf(from);
    const b = folderOf(to);
    if (a === b) continue;
    const inner = a.startsWith('shared/') || a.startsWith('functions/');
    if (inner && WIRING_AND_TOOLING.includes(b)) out.push(`${from} -> ${to} (shared/ and functions/ never import ${b}/)`);
    if (a.startsWith('shared/') && b.startsWith('functions/')) out.push(`${from} -> ${to} (shared/ never imports functions/)`);
    const [x, y] = [sharedName(a), sharedName(b)];
    if (x !== undefined && y !== undefined && LIBRARIES.includes(x) && CAPABILITIES.includes(y)) {
      out.push(`${from} -> ${to} (a library imports no capability)`);
    }
    if (x !== undefined && y !== undefined && CAPABILITIES.includes(x) && CAPABILITIES.includes(y) && !publicModules(y).includes(to)) {
      out.push(`${from} -> ${to} (another capability only through shared/${y}/index.ts or lean.ts)`);
    }
  }
  for (const { from, to } of edges) {
    const lean = /^shared\/([^/]+)\/lean\.ts$/.exec(from)?.[1];
    const y = sharedName(folderOf(to));
    if (lean !== undefined && CAPABILITIES.includes(lean) && y !== undefined && CAPABILITIES.includes(y)) {
      out.push(`${from} -> ${to} (a lean module imports no capability)`);
    }
  }
  return out;
}

/** The folders that import each other in a circle (strongly connected components of the folder graph). */
function folderCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const [a, b] = [folderOf(from), folderOf(to)];
    if (a === b) continue;
    next.set(a, (next.get(a) ?? new Set()).add(b));
    if (!next.has(b)) next.set(b, new Set());
  }
  // Tarjan's algorithm.
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!indices.has(v)) visit(v);
  return cycles;
}

const edges = importGraph();
const edgeKey = (v: string) => v.replace(/ \(.*\)$/, '');

describe('architecture: the import graph', () => {
  it('reads the whole code base, resolving #subpaths and relative imports', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(200);
    expect(edges.some((e) => e.specifier.startsWith('#') && e.to === 'shared/platform/consumer.ts')).toBe(true);
    expect(edges.some((e) => e.specifier.startsWith('./') && e.from.startsWith('shared/approval/'))).toBe(true);
  });

  it('keeps shared/ and functions/ free of wiring and tooling, libraries free of capabilities, capabilities behind their index.ts', () => {
    const found = ruleViolations(edges);
    const unexpected = found.filter((v) => !ALLOWED.includes(edgeKey(v)));
    expect(unexpected).toEqual([]);
  });

  it('lists in ALLOWED only violations that still occur (fixing one means deleting its entry)', () => {
    const found = new Set(ruleViolations(edges).map(edgeKey));
    expect(ALLOWED.filter((a) => !found.has(a))).toEqual([]);
  });

  it('has no import cycle between folders', () => {
    expect(folderCycles(edges)).toEqual([]);
  });

  it('has no `as unknown as` in functions/, and every queue consumer there parses its input', () => {
    const handlers = sourceFiles().filter((f) => f.startsWith('functions/'));
    const casts = handlers.filter((f) => /\bas unknown as\b/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(casts).toEqual([]);
    const consumers = handlers.filter((f) => readFileSync(join(ROOT, f), 'utf8').includes('sqsConsumer('));
    expect(consumers.length).toBeGreaterThanOrEqual(5);
    expect(consumers.filter((f) => !/\bcarriedBy\(/.test(readFileSync(join(ROOT, f), 'utf8')))).toEqual([]);
  });
});

describe('architecture: the rules themselves', () => {
  const edge = (from: string, to: string): ImportEdge => ({ from, to, specifier: to });

  it('finds each kind of violation in a made-up graph', () => {
    expect(
      ruleViolations([
        edge('shared/platform/queues.ts', 'topology/index.ts'),
        edge('functions/review/handler.ts', 'local/runtime.ts'),
        edge('shared/review/service.ts', 'functions/review/schedule.ts'),
        edge('shared/platform/audit.ts', 'shared/approval/index.ts'),
        edge('shared/approval/service.ts', 'shared/registry/store.ts'),
        edge('shared/approval/lean.ts', 'shared/approval/store/keys.ts'),
        edge('shared/simulation/lean.ts', 'shared/registry/lean.ts'),
        // Allowed: a capability's public modules, a library, and anything within one folder.
        edge('shared/approval/service.ts', 'shared/registry/index.ts'),
        edge('shared/simulation/service/start.ts', 'shared/approval/lean.ts'),
        edge('shared/approval/lean.ts', 'shared/util/shard.ts'),
        edge('shared/approval/service.ts', 'shared/platform/queues.ts'),
        edge('shared/approval/service.ts', 'shared/approval/store.ts'),
        edge('infra/app.ts', 'topology/index.ts'),
      ]).map((v) => v.replace(/ -> .*/, '')),
    ).toEqual([
      'shared/platform/queues.ts',
      'functions/review/handler.ts',
      'shared/review/service.ts',
      'shared/platform/audit.ts',
      'shared/approval/service.ts',
      'shared/approval/lean.ts',
      'shared/simulation/lean.ts',
    ]);
  });

  it('finds a cycle between folders, not within one', () => {
    expect(
      folderCycles([
        edge('shared/approval/a.ts', 'shared/registry/index.ts'),
        edge('shared/registry/b.ts', 'shared/review/c.ts'),
        edge('shared/review/c.ts', 'shared/approval/index.ts'),
        edge('shared/platform/x.ts', 'shared/platform/y.ts'),
        edge('shared/platform/y.ts', 'shared/platform/x.ts'),
      ]),
    ).toEqual([['shared/approval', 'shared/registry', 'shared/review']]);
  });
});
