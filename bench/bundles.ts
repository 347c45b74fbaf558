/**
 * Cold start and size: every function of the topology bundled with esbuild exactly as the CDK
 * construct bundles it (ESM, SDK inside, minified, source map, UTF-8, createRequire banner), next to a bare
 * handler that only creates the SDK clients the functions use. Import time is measured inside fresh
 * `node` processes (the module import only, not the process start), interleaved, median of many.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { env, functions, queues, tables } from '#topology';
import { stageConfig } from '#topology/stages';
import { BUNDLE_AIM_BYTES } from '#infra/constructs/civic-function';
import { functionBuildOptions } from '#infra/constructs/function-bundle';
import type { BenchContext, Missed, SectionResult } from './types';
import { median, ratio, table } from './util';

const ROOT = join(import.meta.dirname, '..');

const BARE = 'bare SDK bundle';
const BARE_LAMBDA = 'bare SDK bundle, Lambda credentials';

const BARE_HANDLER = `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
const dynamo = new DynamoDBClient({});
const ddb = DynamoDBDocumentClient.from(dynamo);
const sqs = new SQSClient({});
export const handler = async () => ({ ok: Boolean(ddb && sqs) });
`;

function lambdaEnv(): Record<string, string> {
  const out: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    CIVICFLOW_CONFIG: JSON.stringify(stageConfig('local')),
    CIVICFLOW_STAGE: 'local',
    POWERTOOLS_SERVICE_NAME: 'bench',
    POWERTOOLS_METRICS_NAMESPACE: 'CivicFlow',
    POWERTOOLS_METRICS_DISABLED: 'true',
    LOG_LEVEL: 'WARN',
    SIGNING_KEYS: '{}',
  };
  for (const t of Object.keys(tables)) out[env.table(t as never)] = `bench-${t}`;
  for (const q of Object.keys(queues)) out[env.queueUrl(q as never)] = `https://sqs.us-east-1.amazonaws.com/000000000000/bench-${q}`;
  return out;
}

/** Output bytes per package (node_modules) or per source folder. */
function byPackage(meta: import('esbuild').Metafile): Map<string, number> {
  const out = Object.values(meta.outputs).find((o) => o.entryPoint)!;
  const m = new Map<string, number>();
  for (const [file, v] of Object.entries(out.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const key = pkg ? pkg[1]! : file.split('/').slice(0, 2).join('/');
    m.set(key, (m.get(key) ?? 0) + v.bytesInOutput);
  }
  return m;
}

const PROBE = `const t0 = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t0));`;

/** Import time of one bundle in a fresh process, with the source maps enabled as the construct sets them. */
function coldImport(file: string, envVars: Record<string, string>): number {
  const out = spawnSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', PROBE, pathToFileURL(file).href], {
    env: envVars,
    encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(`bench: importing ${file} failed: ${out.stderr.slice(0, 2000)}`);
  return Number(out.stdout);
}

export async function bundlesSection(ctx: BenchContext): Promise<SectionResult> {
  const runs = ctx.quick ? 15 : 25;
  const dir = mkdtempSync(join(tmpdir(), 'civicflow-bench-bundles-'));
  try {
    const entries: Array<{ name: string; entry: string; aliases: boolean }> = Object.entries(functions).map(([name, f]) => ({ name, entry: join(ROOT, f.entry), aliases: true }));
    const bareEntry = join(dir, 'bare-entry.mjs');
    writeFileSync(bareEntry, BARE_HANDLER);
    // The reference: the SDK as it comes (its default credential chain), and the same with the functions' aliases.
    entries.push({ name: BARE, entry: bareEntry, aliases: false }, { name: BARE_LAMBDA, entry: bareEntry, aliases: true });
    const built: Array<{ name: string; file: string; bytes: number; gzip: number; map: number; packages: Map<string, number> }> = [];
    for (const [i, e] of entries.entries()) {
      const file = join(dir, e.name.replace(/\W+/g, '-'), 'index.mjs');
      // Resolve the bare handler's imports from the repository's node_modules.
      const result = await build({ ...functionBuildOptions(e.entry, file, { sdkAsItComes: !e.aliases }), nodePaths: [join(ROOT, 'node_modules')], metafile: true, logLevel: 'silent' });
      const code = readFileSync(file);
      built.push({ name: e.name, file, bytes: code.length, gzip: gzipSync(code).length, map: statSync(`${file}.map`).size, packages: byPackage(result.metafile!) });
      ctx.progress((0.2 * (i + 1)) / entries.length, `bundling ${e.name}`);
    }
    const envVars = lambdaEnv();
    const times: Record<string, number[]> = Object.fromEntries(built.map((b) => [b.name, []]));
    for (const b of built) coldImport(b.file, envVars); // warm the file cache
    for (let r = 0; r < runs; r++) {
      // Each round imports every bundle once, in a rotating order, so load on the machine hits all alike.
      for (let k = 0; k < built.length; k++) {
        const b = built[(k + r) % built.length]!;
        times[b.name]!.push(coldImport(b.file, envVars));
      }
      ctx.progress(0.2 + (0.8 * (r + 1)) / runs, `cold imports, round ${r + 1}/${runs}`);
    }
    const bare = built.find((b) => b.name === BARE)!;
    const bareLambda = built.find((b) => b.name === BARE_LAMBDA)!;
    const bareMs = median(times[bare.name]!);
    const rows = built.map((b) => {
      const ms = median(times[b.name]!);
      return { ...b, ms, vsBare: ms / bareMs, sizeVsBare: b.bytes / bare.bytes };
    });
    // An entry that bundles to almost nothing is someone's work in progress, not a function yet.
    const isBare = (name: string) => name === BARE || name === BARE_LAMBDA;
    const unfinished = rows.filter((r) => !isBare(r.name) && r.bytes < 2048).map((r) => r.name);
    const fns = rows.filter((r) => !isBare(r.name) && !unfinished.includes(r.name));
    const beyondSdk = (r: (typeof rows)[number]) =>
      [...r.packages]
        .filter(([k]) => !bareLambda.packages.has(k))
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} KB`)
        .join(', ');
    const worstImport = Math.max(...fns.map((r) => r.vsBare));
    const largest = Math.max(...fns.map((r) => r.bytes));
    const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
    const body = [
      'Each function entry of `topology/index.ts` bundled with esbuild as `CivicFunction` bundles it',
      '(`infra/constructs/function-bundle.ts` `functionBuildOptions`: ESM, `target: node24`, `mainFields: [module, main]`, the createRequire',
      'banner, minified, source map, UTF-8 output, no legal comments, nothing external — the SDK is inside — and `BUNDLE_ALIASES`: the SDK\'s',
      'default credential chain replaced by the Lambda environment\'s credentials, `shared/platform/lambda-credentials.ts`,',
      'its event-stream codec, which no function loads, by `shared/platform/no-event-streams.ts`, and the LRU cache under',
      'DynamoDB\'s endpoint-discovery cache by `shared/platform/lru-cache.ts`; each SDK client\'s package.json reduced to',
      'the version its user agent reads).',
      'The project\'s package.json declares `"sideEffects": false`, so a module none of whose exports a function uses is',
      'left out even where it builds a client at module scope (the read-only query routes carry no SQS client).',
      'The reference is a bare handler that creates the DynamoDB, DocumentClient and SQS clients and does nothing',
      `else, bundled the same way but with the SDK as it comes (**${BARE}**); ratios are against it. The same handler`,
      `with the functions' aliases is shown too (**${BARE_LAMBDA}**); "largest parts beyond the SDK" is measured against it. Cold`,
      `import: a fresh \`node --enable-source-maps\` process (as Lambda's NODE_OPTIONS) imports the bundle and reports the`,
      `import's duration; ${runs} rounds, every bundle once per round in rotating order, median.`,
      '',
      table(
        ['bundle', 'size', 'gzip', 'source map', 'cold import (median)', 'import vs bare', 'size vs bare', 'largest parts beyond the SDK'],
        rows
          .filter((r) => !unfinished.includes(r.name))
          .map((r) => [isBare(r.name) ? `**${r.name}**` : `\`${r.name}\``, kb(r.bytes), kb(r.gzip), kb(r.map), `${r.ms.toFixed(1)} ms`, ratio(r.vsBare), ratio(r.sizeVsBare), isBare(r.name) ? '' : beyondSdk(r)]),
      ),
      ...(unfinished.length ? ['', `Not measured (the entry bundles to under 2 KB, work in progress at run time): ${unfinished.map((n) => `\`${n}\``).join(', ')}.`] : []),
    ].join('\n');
    const missed: Missed[] = [];
    if (worstImport > 1.3) {
      const w = fns.find((r) => r.vsBare === worstImport)!;
      const over = fns.filter((r) => r.vsBare > 1.3).map((r) => `${r.name} ${ratio(r.vsBare)}`).join(', ');
      missed.push({
        aim: 'cold import ≤ 1.3× the bare SDK bundle',
        result: over,
        limit: `Import time follows bundle size and the work done at module load; ${w.name} carries ${beyondSdk(w)} beyond the SDK. Machine load makes single ratios vary by ±0.1 between runs.`,
      });
    }
    if (largest > BUNDLE_AIM_BYTES) {
      const w = fns.find((r) => r.bytes === largest)!;
      const over = fns.filter((r) => r.bytes > BUNDLE_AIM_BYTES).map((r) => `${r.name} ${kb(r.bytes)}`).join(', ');
      missed.push({
        aim: 'bundles under ~420 KB',
        result: over,
        limit: `The SDK's clients with the Lambda credentials alone (DynamoDB, DocumentClient, SQS) are ${kb(bareLambda.bytes)} with this SDK version; the largest (${w.name}) adds ${beyondSdk(w)}.`,
      });
    }
    return {
      id: 'bundles',
      title: 'Cold start and bundle size',
      body,
      headlines: [
        `Bundles: ${kb(Math.min(...fns.map((r) => r.bytes)))}–${kb(largest)} (bare SDK bundle ${kb(bare.bytes)}); cold import ${ratio(Math.min(...fns.map((r) => r.vsBare)))}–${ratio(worstImport)} the bare bundle's ${bareMs.toFixed(0)} ms`,
      ],
      missed,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
