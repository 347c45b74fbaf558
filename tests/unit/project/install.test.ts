/**
 * The documented Node version installs without engine warnings: npm warns (EBADENGINE) for every package
 * whose `engines.node` the running Node does not satisfy, so each locked package that installs on this
 * platform must accept Node 24 — the version the README names, `engines` asks for and the `node`
 * devDependency runs the tests on. (A real `npm ci` on Node 24 printed nothing but "added N packages".)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** npm's own range semantics (semver, which npm uses, comes with the tooling; it ships no types). */
const semver = createRequire(import.meta.url)('semver') as {
  major(version: string): number;
  satisfies(version: string, range: string, options?: { includePrerelease?: boolean }): boolean;
};

const ROOT = join(import.meta.dirname, '../../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface Locked {
  readonly version?: string;
  readonly engines?: { readonly node?: string } | readonly string[];
  readonly os?: readonly string[];
  readonly cpu?: readonly string[];
  readonly optional?: boolean;
}

const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, Locked> };
const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; devDependencies: Record<string, string> };
/** The Node the tests run on: the locked `node` devDependency. */
const documented = lock.packages['node_modules/node']!.version!;

/** Whether npm installs the package on this machine (other platforms' optional binaries are skipped). */
function installsHere(p: Locked): boolean {
  const fits = (list: readonly string[] | undefined, value: string) =>
    list === undefined || (list.includes(value) && !list.includes(`!${value}`)) || list.every((x) => x.startsWith('!') && x !== `!${value}`);
  return fits(p.os, process.platform) && fits(p.cpu, process.arch);
}

describe('installing on the documented Node version', () => {
  it('is Node 24 everywhere: the node devDependency, engines and the README', () => {
    expect(semver.major(documented)).toBe(24);
    expect(semver.satisfies(documented, pkg.engines.node)).toBe(true);
    expect(semver.satisfies(documented, pkg.devDependencies.node!)).toBe(true);
    const readme = read('README.md');
    expect(readme).toMatch(/Node 24\b/);
    expect(readme).not.toMatch(/Node 20 or later/);
  });

  it('satisfies every locked package that installs here: no EBADENGINE warning', () => {
    const unsatisfied = Object.entries(lock.packages)
      .filter(([, p]) => installsHere(p) && p.engines && !Array.isArray(p.engines) && (p.engines as { node?: string }).node)
      .filter(([, p]) => !semver.satisfies(documented, (p.engines as { node: string }).node, { includePrerelease: true }))
      .map(([path, p]) => `${path}: ${(p.engines as { node: string }).node}`);
    expect(unsatisfied).toEqual([]);
  });

  it('would warn on Node 20, which the README once named: the check can fail', () => {
    const needsNewer = Object.values(lock.packages).filter(
      (p) => p.engines && !Array.isArray(p.engines) && (p.engines as { node?: string }).node && !semver.satisfies('20.19.0', (p.engines as { node: string }).node),
    );
    expect(needsNewer.length).toBeGreaterThan(0);
  });
});
