/**
 * `node --import tsx infra/bundle-function.ts <entry> <outdir>`: bundles one function into `<outdir>/index.mjs`
 * (and its source map). `CivicFunction` runs it as its asset's local bundling: CDK's bundling hook is
 * synchronous, and esbuild runs plugins only in its asynchronous API, so it runs in a process of its own.
 */
import { bundleFunction } from './constructs/function-bundle';

const [entry, outdir, ...rest] = process.argv.slice(2);
if (!entry || !outdir || rest.length > 0) {
  process.stderr.write('usage: node --import tsx infra/bundle-function.ts <entry> <outdir>\n');
  process.exit(2);
}
await bundleFunction(entry, outdir);
