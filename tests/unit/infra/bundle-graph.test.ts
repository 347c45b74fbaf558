/**
 * The modules each function's build reads, from esbuild's metafile with the functions' own options
 * (infra/constructs/function-bundle.ts): one build of every entry, written nowhere. Tree shaking keeps a
 * module nobody calls out of the bundle's bytes (tests/infra/bundling.test.ts reads the staged bundles), so a
 * stray import of another capability costs no byte today; it is one call from carrying that capability's code
 * (and its module-scope clients) into a function that has no use for it. These tests find such imports in the
 * module graph, where they show before they cost.
 */
import { build, type Metafile } from 'esbuild';
import { join } from 'node:path';
import { functionBuildOptions } from '#infra/constructs/function-bundle';
import { functions, type FunctionName } from '#topology';

const ROOT = join(import.meta.dirname, '../../..');
const CAPABILITIES = ['approval', 'entitlement', 'review', 'registry', 'hardcase', 'ingest', 'query', 'report', 'simulation'];

/** `shared/approval/store/case.ts` → `approval`; a library, a package or a function's own file → undefined. */
function capabilityOf(file: string): string | undefined {
  const name = /^shared\/([^/]+)\//.exec(file)?.[1];
  return name !== undefined && CAPABILITIES.includes(name) ? name : undefined;
}

/**
 * A function's build where a capability is read and none of its code is used (its lean module, `lean.ts`, aside:
 * that is the way to read a capability for a constant): `function: capability`. Each
 * is for the capability's owners to remove (by giving the function a module of its own to import); an entry
 * that no longer occurs fails, so the list only shrinks.
 */
const KNOWN_STRAYS: readonly string[] = [];

let meta: Metafile;
/** Output bytes by input file, per function. */
const bytesOut = new Map<FunctionName, ReadonlyMap<string, number>>();
const names = Object.keys(functions) as FunctionName[];

beforeAll(async () => {
  const { outfile: _outfile, entryPoints: _entryPoints, ...options } = functionBuildOptions(join(ROOT, functions.query.entry), 'unused.mjs');
  const result = await build({
    ...options,
    entryPoints: Object.fromEntries(names.map((name) => [name, join(ROOT, functions[name].entry)])),
    outdir: join(ROOT, 'cdk.out', 'bundle-graph'),
    // Nothing is written, and a source map changes nothing of what is read or kept: it is only time.
    sourcemap: false,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  meta = result.metafile;
  for (const output of Object.values(result.metafile.outputs)) {
    const name = names.find((n) => functions[n].entry === output.entryPoint);
    if (name !== undefined) bytesOut.set(name, new Map(Object.entries(output.inputs).map(([file, v]) => [file, v.bytesInOutput])));
  }
}, 120_000);

/** Every module the build reads starting from `file` (metafile paths, relative to the repository root). */
function reachedFrom(file: string): Set<string> {
  const seen = new Set([file]);
  const todo = [file];
  while (todo.length > 0) {
    for (const { path, external } of meta.inputs[todo.pop()!]?.imports ?? []) {
      if (external || seen.has(path)) continue;
      seen.add(path);
      todo.push(path);
    }
  }
  return seen;
}

describe('function bundles: the modules each build reads', () => {
  it('builds every function', () => {
    expect([...bytesOut.keys()].sort()).toEqual([...names].sort());
  });

  it('the query routes show a simulation without reading the approval domain, or any other capability, for it', () => {
    const query = reachedFrom(functions.query.entry);
    // The query routes read simulations through the capability's public module.
    expect(query.has('shared/simulation/index.ts')).toBe(true);
    const others = [...reachedFrom('shared/simulation/index.ts')].filter((file) => ![undefined, 'simulation'].includes(capabilityOf(file)));
    expect(others).toEqual([]);
  });

  it('the simulation API slices a job by the shard counts, reading of approval and the registry only their lean modules', () => {
    // Through their index.ts it read 38 modules of approval and 5 of the registry, for one constant each.
    const read = [...reachedFrom(functions.simulations.entry)].filter((file) => ['approval', 'registry'].includes(capabilityOf(file)!));
    expect(read.sort()).toEqual(['shared/approval/lean.ts', 'shared/registry/lean.ts']);
  });

  it('reads no capability whose code it does not use, but those known', () => {
    const strays = names.flatMap((name) => {
      const used = new Map<string, number>();
      for (const file of reachedFrom(functions[name].entry)) {
        const capability = capabilityOf(file);
        // A lean module is there to be read for a constant or two, which esbuild inlines: no byte of it is kept.
        if (capability !== undefined && !file.endsWith('/lean.ts')) used.set(capability, (used.get(capability) ?? 0) + (bytesOut.get(name)!.get(file) ?? 0));
      }
      return [...used].filter(([, bytes]) => bytes === 0).map(([capability]) => `${name}: ${capability}`);
    });
    expect(strays.filter((s) => !KNOWN_STRAYS.includes(s))).toEqual([]);
    expect(KNOWN_STRAYS.filter((s) => !strays.includes(s))).toEqual([]);
  });
});
