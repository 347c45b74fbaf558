/**
 * How a function's bundle is built: the one definition of the esbuild options, which `CivicFunction` (through
 * `infra/bundle-function.ts`, in a child process) and the bench (`bench/bundles.ts`) both use. It imports
 * nothing of the CDK, so that the child process that bundles one function starts quickly.
 *
 * The functions are bundled with esbuild's JavaScript API, not by CDK's `NodejsFunction` bundling: that runs
 * esbuild's command line, which takes no plugins, and the AWS SDK's package.json imports (below) are relative
 * paths, which esbuild's `alias` does not rewrite and `define` does not reach (an imported name is not a global).
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: esbuild resolves aliases and `package.json#imports` from it. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** ESM bundles need a CommonJS `require` for the few dependencies that still call it. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * Modules a function bundle takes in place of others (esbuild `alias`, paths relative to the repository root).
 * The SDK's default credential chain becomes the Lambda environment's credentials
 * (`shared/platform/lambda-credentials.ts`), which drops ~135 KB of STS, SSO and sign-in clients from every bundle;
 * the SDK's event-stream codec, which no DynamoDB, SQS or Secrets Manager operation loads, becomes a module that
 * says so (`shared/platform/no-event-streams.ts`, ~19 KB); and the LRU cache of DynamoDB's endpoint-discovery
 * cache becomes the same cache on a `Map` (`shared/platform/lru-cache.ts`, ~7 KB).
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': './shared/platform/lambda-credentials.ts',
  '@smithy/core/event-streams': './shared/platform/no-event-streams.ts',
  'mnemonist/lru-cache': './shared/platform/lru-cache.ts',
};

/**
 * Bundles keep non-ASCII text as UTF-8 (esbuild's default writes each such character as a 6-byte `\uXXXX`
 * escape): the Chinese wording of decisions, notices and the packing dictionary is 3 bytes a character instead
 * (~6 KB of the approval function). Node reads an ES module as UTF-8 either way.
 */
export const BUNDLE_CHARSET = 'utf8';

/**
 * Legal comments (`/*!`, `@license`, `@preserve`) are left out, not written to a `.LEGAL.txt` beside the
 * bundle (`external`): the only ones the functions' dependencies carry are Powertools' coverage directives
 * (`v8 ignore next -- @preserve`), no licence text, which esbuild otherwise keeps at the end of every bundle.
 * The dependencies' licences (MIT, MIT-0, Apache-2.0) are in their packages, not in comments; should one ever
 * put its licence in a comment, `tests/unit/infra/function-bundle.test.ts` fails and this choice is to be made again.
 */
export const BUNDLE_LEGAL_COMMENTS = 'none';

/**
 * The fields of its own package.json an AWS SDK client reads: the version, for the user agent
 * (`packageInfo.version` in each client's `dist-es/runtimeConfig.js`). `tests/unit/infra/function-bundle.test.ts`
 * checks the installed SDK still reads no other.
 */
export const SDK_PACKAGE_FIELDS = ['version'] as const;

const SDK_PACKAGE_NAMESPACE = 'sdk-package-json';

/**
 * Each AWS SDK client imports its package.json (`import packageInfo from "../package.json"`) and esbuild
 * inlines all of it, ~2.4 KB a client: name, description, scripts, dependencies. This gives such an import a
 * module of the fields the SDK reads (`SDK_PACKAGE_FIELDS`), taken from the same file at build time, so the
 * user agent still names the client's real version. Other packages' package.json imports are left as they are.
 */
export const sdkPackageFieldsPlugin: Plugin = {
  name: 'sdk-package-fields',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\/(?:\.\.\/)*package\.json$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]@aws-sdk[\\/]/.test(args.importer)) return undefined;
      return { path: path.join(args.resolveDir, args.path), namespace: SDK_PACKAGE_NAMESPACE };
    });
    b.onLoad({ filter: /.*/, namespace: SDK_PACKAGE_NAMESPACE }, async (args) => {
      const pkg = JSON.parse(await readFile(args.path, 'utf8')) as Record<string, unknown>;
      const kept = Object.fromEntries(SDK_PACKAGE_FIELDS.map((field) => [field, pkg[field]]));
      return { contents: JSON.stringify(kept), loader: 'json' };
    });
  },
};

/**
 * The esbuild options of a function bundle: ESM, SDK inside, minified, source map, UTF-8, no legal comments.
 * `sdkAsItComes` (the bench's reference) leaves out `BUNDLE_ALIASES` and the SDK package.json plugin.
 */
export function functionBuildOptions(entry: string, outfile: string, options: { readonly sdkAsItComes?: boolean } = {}): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    sourcemap: true,
    charset: BUNDLE_CHARSET,
    legalComments: BUNDLE_LEGAL_COMMENTS,
    // Bundling the SDK makes cold starts 2-3x faster than loading it from the runtime (PLATFORM-NOTES).
    external: [],
    alias: options.sdkAsItComes ? {} : { ...BUNDLE_ALIASES },
    plugins: options.sdkAsItComes ? [] : [sdkPackageFieldsPlugin],
    absWorkingDir: ROOT,
    // esbuild's own output is its size table; warnings and errors stay.
    logLevel: 'warning',
  };
}

/** Bundles one function entry (a path relative to the repository root, or absolute) into `outdir/index.mjs`. */
export async function bundleFunction(entry: string, outdir: string): Promise<void> {
  await build(functionBuildOptions(path.resolve(ROOT, entry), path.join(outdir, 'index.mjs')));
}
