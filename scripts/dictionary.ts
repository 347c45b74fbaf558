/**
 * `npm run dictionary [-- --out FILE]` (`-- --help`)
 *
 * Builds a candidate preset dictionary for packed decision versions by the recipe in
 * `scripts/dictionary/build.ts` (the decision code's fixed wording, then the skeletons of the sample
 * decisions of `scripts/dictionary/samples.ts`), and prints what each sample packs to with no dictionary,
 * with the dictionary in use and with the candidate. Run it after changing what a decision holds: a new
 * field or a new shape costs its keys in literal bytes in every version until a dictionary knows it.
 *
 * A dictionary in use never changes (every item packed with it is read back with it). To adopt a candidate:
 * add it beside the others in `shared/approval/store/dictionary.ts` under the next number (--out writes it
 * in that form), register that number in `packing.ts` (DICTIONARIES, CURRENT), and pin its hash in
 * `tests/unit/approval/store-items.test.ts` as the first one is.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dictionaryInUse } from '#approval/store/packing';
import { displayWidth } from '#report/render';
import { commandLine, runMain, type CommandSpec, type Parsed } from '#local/cli';
import { codeLiterals, dictionaryModule, dictionaryParts, packedBytes, type Sample, type SourceText } from './dictionary/build';
import { dictionarySamples } from './dictionary/samples';

export const DICTIONARY: CommandSpec = {
  command: 'npm run dictionary',
  maxPositionals: 0,
  summary: 'Builds a candidate preset dictionary for packed decision versions and compares it with the one in use.',
  options: [{ name: 'out', value: 'FILE', help: 'also write the candidate as a TypeScript constant, ready to add to shared/approval/store/dictionary.ts' }],
  notes: [
    'A dictionary in use never changes: every item packed with it is read back with it. To adopt a candidate,',
    'add it under the next number in shared/approval/store/dictionary.ts (--out writes it so), register that',
    'number in shared/approval/store/packing.ts (DICTIONARIES, CURRENT), and pin its hash in',
    'tests/unit/approval/store-items.test.ts as the first one is.',
  ],
};

const ROOT = join(import.meta.dirname, '..');

/** The decision code, whose template text and literals the dictionary holds. */
export const WORDING_FROM = ['shared/approval/domain'];
/** Code whose string literals a skeleton keeps (operators, enumerations), besides the decision code's. */
export const CONSTANTS_FROM = ['shared/rules', 'shared/contract'];

export function sourcesUnder(dirs: readonly string[], root = ROOT): SourceText[] {
  return dirs.flatMap((dir) =>
    readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts'))
      .sort()
      .map((name) => ({ path: join(dir, name), text: readFileSync(join(root, dir, name), 'utf8') })),
  );
}

/** The decision code's wording, and every constant a skeleton may keep. */
export function codeOfDictionary(): { fragments: string[]; constants: Set<string> } {
  const wording = codeLiterals(sourcesUnder(WORDING_FROM));
  return { fragments: wording.fragments, constants: new Set([...wording.constants, ...codeLiterals(sourcesUnder(CONSTANTS_FROM)).constants]) };
}

/** The candidate's parts, from the code and samples as they are now. */
export function candidateParts(samples: readonly Sample[] = dictionarySamples()): string[] {
  const { fragments, constants } = codeOfDictionary();
  return dictionaryParts(fragments, constants, samples);
}

async function main(cli: Parsed): Promise<number> {
  const samples = dictionarySamples();
  const parts = candidateParts(samples);
  const candidate = parts.join('');
  const inUse = dictionaryInUse();
  const rows = samples.map((s) => [s.label, packedBytes(s, undefined), packedBytes(s, inUse.text), packedBytes(s, candidate)] as const);
  const header = ['sample', 'no dictionary', `dictionary ${inUse.number} (in use)`, 'candidate'];
  const table = [header, ...rows.map(([label, ...n]) => [label, ...n.map((b) => `${b} B`)])];
  const widths = header.map((_, i) => Math.max(...table.map((r) => displayWidth(String(r[i])))));
  const pad = (text: string, width: number) => ' '.repeat(Math.max(0, width - displayWidth(text)));
  console.log(`candidate: ${Buffer.byteLength(candidate, 'utf8')} bytes (${parts.length} parts); dictionary ${inUse.number}: ${Buffer.byteLength(inUse.text, 'utf8')} bytes\n`);
  for (const r of table) console.log(r.map((c, i) => (i === 0 ? `${c}${pad(String(c), widths[i]!)}` : `${pad(String(c), widths[i]!)}${c}`)).join('  '));
  console.log('\nA packed body is the whole version item less its keys and attributes; each KB an item crosses is 2 write units in its transaction.');
  if (cli.values.out !== undefined) {
    const next = inUse.number + 1;
    writeFileSync(cli.values.out, dictionaryModule(next, parts));
    console.log(`written: ${cli.values.out} (DICTIONARY_${next})`);
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('scripts/dictionary.ts')) {
  const cli = commandLine(DICTIONARY);
  runMain(DICTIONARY, () => main(cli));
}
