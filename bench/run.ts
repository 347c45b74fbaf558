/**
 * `npm run bench [-- --quick] [--only rules,matching,...] [--no-write]` (`-- --help`): the product's speed
 * and cost aims, measured side by side on this machine and written to BENCHMARKS.md. Offline; a text
 * progress bar on stderr. Arguments are checked before anything runs: a mistyped flag is refused, never
 * ignored into a full run that rewrites BENCHMARKS.md.
 */
import { cpus, totalmem, loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProgressBar } from './progress';
import { commandLine, UsageError, type CommandSpec } from '#local/cli';
import type { Section, SectionResult } from './types';

const ROOT = join(import.meta.dirname, '..');

const SECTIONS: Record<string, { weight: number; quickWeight: number; load: () => Promise<Section> }> = {
  rules: { weight: 120, quickWeight: 25, load: async () => (await import('./rules/index')).rulesSection },
  matching: { weight: 60, quickWeight: 25, load: async () => (await import('./matching')).matchingSection },
  persons: { weight: 40, quickWeight: 20, load: async () => (await import('./persons')).personsSection },
  bundles: { weight: 90, quickWeight: 40, load: async () => (await import('./bundles')).bundlesSection },
  pipeline: { weight: 420, quickWeight: 60, load: async () => (await import('./runtime/sections')).pipelineSection },
  latency: { weight: 120, quickWeight: 40, load: async () => (await import('./runtime/sections')).latencySection },
  publish: { weight: 240, quickWeight: 50, load: async () => (await import('./runtime/sections')).publishSection },
  cost: { weight: 90, quickWeight: 40, load: async () => (await import('./runtime/sections')).costSection },
  ingest: { weight: 120, quickWeight: 50, load: async () => (await import('./runtime/sections')).ingestSection },
  replay: { weight: 60, quickWeight: 15, load: async () => (await import('./replay')).replaySection },
};

export const BENCH: CommandSpec = {
  command: 'npm run bench',
  maxPositionals: 0,
  summary: 'Measures the rules engine, matching, bundles, the pipeline, publish-to-push and cost; writes BENCHMARKS.md.',
  options: [
    { name: 'quick', help: 'shorter runs (about 6 minutes instead of 21 on 2 cores)' },
    { name: 'only', value: 'A,B', help: `these sections only (${Object.keys(SECTIONS).join(', ')}); written to bench/.last-<sections>.md` },
    { name: 'no-write', help: 'print the report instead of writing it' },
  ],
};

function parseArgs() {
  const cli = commandLine(BENCH);
  const only = cli.values.only === undefined ? Object.keys(SECTIONS) : cli.values.only.split(',').filter(Boolean);
  for (const s of only) {
    if (!SECTIONS[s]) {
      console.error(`${BENCH.command}: unknown section "${s}"; known: ${Object.keys(SECTIONS).join(', ')}`);
      process.exit(2);
    }
  }
  return { quick: cli.flags.has('quick'), noWrite: cli.flags.has('no-write'), only };
}

function machine(): string {
  const c = cpus();
  return [
    `- CPU: ${c[0]?.model ?? 'unknown'}, ${c.length} logical cores`,
    `- memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB; load average at start ${loadavg().map((x) => x.toFixed(2)).join(' / ')} (the machine is shared)`,
    `- Node ${process.version} (${process.platform}/${process.arch}), V8 ${process.versions.v8}`,
  ].join('\n');
}

function render(results: SectionResult[], mode: string, started: Date, seconds: number, header: string): string {
  const headlines = results.flatMap((r) => r.headlines);
  const missed = results.flatMap((r) => r.missed.map((m) => ({ ...m, section: r.title })));
  return [
    '# CivicFlow benchmarks',
    '',
    `Written by \`npm run bench${mode === 'quick' ? ' -- --quick' : ''}\` (${mode} mode) on ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC in ${Math.round(seconds)} s. `,
    'Do not edit by hand: run the bench again. The speed and cost aims of the product are measured here, never in tests.',
    '',
    '## Machine',
    '',
    header,
    '',
    'Absolute numbers on a shared 2-core machine are noisy; the ratios, measured side by side in one run, are',
    'what to compare.',
    '',
    '## Headlines',
    '',
    ...headlines.map((h) => `- ${h}`),
    '',
    ...results.flatMap((r) => [`## ${r.title}`, '', r.body, '']),
    '## Aims missed, and what limits them',
    '',
    missed.length === 0
      ? 'None: every aim of this run was met.'
      : missed.map((m) => `- **${m.section} — ${m.aim}**: ${m.result}. ${m.limit}`).join('\n'),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs();
  const started = new Date();
  const header = machine();
  const weights = Object.fromEntries(args.only.map((s) => [s, args.quick ? SECTIONS[s]!.quickWeight : SECTIONS[s]!.weight]));
  const bar = new ProgressBar(weights);
  const results: SectionResult[] = [];
  for (const id of args.only) {
    bar.begin(id);
    bar.update(0, 'starting');
    const section = await SECTIONS[id]!.load();
    const result = await section({
      quick: args.quick,
      progress: (f, label) => bar.update(f, label),
      log: (line) => process.stderr.write(`\n${line}\n`),
    });
    results.push(result);
    bar.end();
  }
  bar.finish();
  const seconds = (Date.now() - started.getTime()) / 1000;
  const md = render(results, args.quick ? 'quick' : 'full', started, seconds, header);
  for (const r of results) for (const h of r.headlines) process.stdout.write(`${h}\n`);
  if (args.noWrite) process.stdout.write(md);
  else {
    const file = join(ROOT, 'BENCHMARKS.md');
    if (args.only.length < Object.keys(SECTIONS).length) {
      // A partial run keeps the other sections of the last full report as they were.
      const partial = join(ROOT, 'bench', `.last-${args.only.join('-')}.md`);
      writeFileSync(partial, md);
      process.stdout.write(`partial run: wrote ${partial} (BENCHMARKS.md is written only by a run of every section)\n`);
    } else {
      writeFileSync(file, md);
      process.stdout.write(`wrote ${file} in ${Math.round(seconds)} s\n`);
    }
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${BENCH.command}: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`\nbench failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
