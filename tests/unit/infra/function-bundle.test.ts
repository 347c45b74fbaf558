/**
 * How function bundles are built (infra/constructs/function-bundle.ts): the SDK package.json plugin keeps what
 * the SDK reads and nothing more, and leaving legal comments out drops no licence. (tests/infra/bundling.test.ts
 * checks the bundles CDK stages, and that a bundle's user agent names the client's real version.)
 */
import { build } from 'esbuild';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionBuildOptions, SDK_PACKAGE_FIELDS } from '#infra/constructs/function-bundle';
import { functions } from '#topology';

const ROOT = join(import.meta.dirname, '../../..');
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'civicflow-function-bundle-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Every `.js` file under a folder. */
function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => join(e.parentPath, e.name));
}

describe('function bundles: the SDK\'s package.json', () => {
  it('the installed SDK reads no field of its package.json but those the plugin keeps', () => {
    const sdk = join(ROOT, 'node_modules/@aws-sdk');
    const read = new Set<string>();
    let importers = 0;
    for (const pkg of readdirSync(sdk)) {
      let files: string[];
      try {
        files = jsFiles(join(sdk, pkg, 'dist-es'));
      } catch {
        continue;
      }
      for (const file of files) {
        const code = readFileSync(file, 'utf8');
        const imported = /import (\w+) from "(?:\.\.\/)+package\.json"/.exec(code);
        if (!imported) continue;
        importers++;
        const name = imported[1]!;
        // Every use of the imported name, but the import itself: `<name>.<field>`, or the name alone.
        const uses = [...code.matchAll(new RegExp(`\\b${name}\\b(\\.\\w+)?`, 'g'))].slice(1);
        for (const use of uses) read.add(use[1] ? use[1].slice(1) : `(the whole object, in ${file})`);
      }
    }
    expect(importers).toBeGreaterThan(0);
    expect([...read].filter((field) => !(SDK_PACKAGE_FIELDS as readonly string[]).includes(field))).toEqual([]);
  });

  it('gives a client\'s package.json import its version only, the installed one', async () => {
    const dir = tempDir();
    const entry = join(dir, 'entry.mjs');
    writeFileSync(entry, "import { SQSClient } from '@aws-sdk/client-sqs';\nexport const client = new SQSClient({});\n");
    const result = await build({ ...functionBuildOptions(entry, join(dir, 'out', 'index.mjs')), nodePaths: [join(ROOT, 'node_modules')], metafile: true, logLevel: 'silent' });
    const inputs = Object.values(result.metafile!.outputs).find((o) => o.entryPoint)!.inputs;
    const packageJsons = Object.keys(inputs).filter((file) => file.endsWith('package.json'));
    expect(packageJsons).toEqual([expect.stringMatching(/^sdk-package-json:.*@aws-sdk\/client-sqs\/package\.json$/)]);
    const code = readFileSync(join(dir, 'out', 'index.mjs'), 'utf8');
    const version = (JSON.parse(readFileSync(join(ROOT, 'node_modules/@aws-sdk/client-sqs/package.json'), 'utf8')) as { version: string }).version;
    expect(code).toContain(`{version:"${version}"}`);
    expect(code).not.toContain('devDependencies');
  });
});

describe('function bundles: legal comments', () => {
  it('the functions\' dependencies carry no licence text in comments, only coverage directives, so none is lost', async () => {
    const dir = tempDir();
    // Every function at once (one build), keeping the legal comments at the end of each bundle as esbuild's default does.
    const base = functionBuildOptions(join(ROOT, 'functions/approval/handler.ts'), join(dir, 'unused.mjs'));
    const { outfile: _outfile, entryPoints: _entryPoints, ...options } = base;
    await build({
      ...options,
      entryPoints: Object.fromEntries(Object.entries(functions).map(([name, f]) => [name, join(ROOT, f.entry)])),
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      legalComments: 'eof',
      sourcemap: false,
      logLevel: 'silent',
    });
    const comments = Object.keys(functions).flatMap((name) => {
      const code = readFileSync(join(dir, `${name}.mjs`), 'utf8');
      const block = /\/\*! Bundled license information:\n([^]*?)\*\/\n/.exec(code)?.[1] ?? '';
      // Lines of the block that are comments (indented), not the file names they came from.
      return block.split('\n').filter((line) => line.startsWith('  ')).map((line) => line.trim());
    });
    expect(comments.length).toBeGreaterThan(0);
    expect([...new Set(comments)].filter((c) => !/^\(\* v8 ignore [\w -]*-- @preserve \*\)$/.test(c))).toEqual([]);
  }, 60_000);
});
