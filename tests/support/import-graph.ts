/**
 * The import graph of the repository's TypeScript sources, for tests/unit/architecture.test.ts: every
 * static, type-only, re-exporting and dynamic import, resolved through relative paths and the subpaths of
 * package.json#imports (bare package names are left out).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SOURCE_DIRS = ['functions', 'shared', 'topology', 'infra', 'local', 'bench', 'scripts', 'tests'] as const;

export interface ImportEdge {
  /** Repository-relative paths, e.g. `shared/approval/service.ts`. */
  readonly from: string;
  readonly to: string;
  /** As written in the source. */
  readonly specifier: string;
}

function filesUnder(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(join(ROOT, path)).isDirectory()) return filesUnder(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

export function sourceFiles(): string[] {
  return SOURCE_DIRS.flatMap((d) => filesUnder(d)).sort();
}

const subpaths = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { imports: Record<string, string> }).imports;

/** A `#…` specifier through package.json#imports (exact keys first, then `prefix*` patterns). */
function resolveSubpath(specifier: string): string | undefined {
  const exact = subpaths[specifier];
  if (exact !== undefined) return exact.replace(/^\.\//, '');
  for (const [key, target] of Object.entries(subpaths)) {
    if (!key.endsWith('*')) continue;
    const prefix = key.slice(0, -1);
    if (specifier.startsWith(prefix)) return target.replace(/^\.\//, '').replace('*', specifier.slice(prefix.length));
  }
  return undefined;
}

/** The repository file an import names, or undefined for a package. Throws on one that names nothing. */
export function resolveImport(from: string, specifier: string): string | undefined {
  let base: string;
  if (specifier.startsWith('#')) {
    const target = resolveSubpath(specifier);
    if (target === undefined) throw new Error(`${from}: ${specifier} is not a subpath of package.json#imports`);
    base = target;
  } else if (specifier.startsWith('.')) {
    base = relative(ROOT, resolve(ROOT, dirname(from), specifier));
  } else {
    return undefined;
  }
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(join(ROOT, candidate)) && statSync(join(ROOT, candidate)).isFile()) return candidate;
  }
  throw new Error(`${from}: ${specifier} resolves to nothing (${base})`);
}

export function importsOf(file: string): ImportEdge[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles.flatMap(({ fileName }) => {
    const to = resolveImport(file, fileName);
    return to === undefined ? [] : [{ from: file, to, specifier: fileName }];
  });
}

export function importGraph(files: readonly string[] = sourceFiles()): ImportEdge[] {
  return files.flatMap(importsOf);
}
