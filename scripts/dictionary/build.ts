/**
 * How a preset dictionary for packed decision versions (`shared/approval/store/packing.ts`) is made: the
 * recipe DICTIONARY_1 followed, as code, so that the next one is made the same way (`npm run dictionary`).
 *
 * A dictionary holds what every decision shares and a fresh deflate stream would otherwise spell out:
 * - the fixed wording of the notes and reasons the decision code writes: every string and template part of
 *   that code with Chinese in it (`codeLiterals`), each once, in source order;
 * - the skeleton of a first decision of each shape and of the facts it read (`skeleton`): every key in the
 *   order the code writes it, every number 0, every string emptied unless the code itself spells it (a
 *   step, a result, an outcome, an operator), and each array cut to its first two elements.
 * So it holds no item's text and no applicant's data: only what the code's own source holds, and keys.
 *
 * Pure: the command reads the files and makes the samples.
 */
import { deflateRawSync } from 'node:zlib';
import ts from 'typescript';

/** Raw deflate looks back at most this far, so a longer dictionary's start would never be used. */
export const WINDOW_BYTES = 32 * 1024;

const CHINESE = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/u;

export interface SourceText {
  readonly path: string;
  readonly text: string;
}

/**
 * The literal text of some TypeScript sources: `fragments` are the strings and template parts with Chinese
 * in them (the fixed wording), each once, in the order met; `constants` are the other string literals (the
 * values the code spells, such as 'APPROVED', 'pass' or 'lte').
 */
export function codeLiterals(sources: readonly SourceText[]): { fragments: string[]; constants: Set<string> } {
  const fragments: string[] = [];
  const seen = new Set<string>();
  const constants = new Set<string>();
  for (const source of sources) {
    const file = ts.createSourceFile(source.path, source.text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateLiteralToken(node)) {
        const text = node.text;
        if (CHINESE.test(text)) {
          if (!seen.has(text)) fragments.push(text);
          seen.add(text);
        } else if (text !== '' && !ts.isTemplateLiteralToken(node)) constants.add(text);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return { fragments, constants };
}

/** A JSON value's shape: keys in order, numbers 0, strings emptied unless in `constants`, arrays cut to two. */
export function skeleton(value: unknown, constants: ReadonlySet<string>): unknown {
  if (typeof value === 'number') return 0;
  if (typeof value === 'string') return constants.has(value) ? value : '';
  if (Array.isArray(value)) return value.slice(0, 2).map((v) => skeleton(v, constants));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, skeleton(v, constants)]));
  }
  return value;
}

/** One stored shape the dictionary should know: a first version's decision and the facts it read, or a bundle version. */
export interface Sample {
  readonly label: string;
  readonly body: unknown;
  readonly facts?: unknown;
}

/**
 * The dictionary's parts: the fragments (one part), then each sample's skeletons (its body, then its facts),
 * in the order given. Deflate codes a match nearer the end of the window in fewer bits, so the shapes, which
 * every decision repeats at length, go after the wording.
 */
export function dictionaryParts(fragments: readonly string[], constants: ReadonlySet<string>, samples: readonly Sample[]): string[] {
  const parts = [fragments.join('')];
  for (const sample of samples) {
    parts.push(JSON.stringify(skeleton(sample.body, constants)));
    if (sample.facts !== undefined) parts.push(JSON.stringify(skeleton(sample.facts, constants)));
  }
  const bytes = Buffer.byteLength(parts.join(''), 'utf8');
  if (bytes > WINDOW_BYTES) {
    throw new Error(`the dictionary would be ${bytes} bytes, over deflate's ${WINDOW_BYTES}-byte window (its start would never be used): give fewer samples`);
  }
  return parts;
}

/** A sample's bytes packed as packing.ts packs it (one byte for the dictionary's number, then the stream). */
export function packedBytes(sample: Sample, dictionary: string | undefined): number {
  const json = JSON.stringify(sample.body);
  const text = sample.facts === undefined ? json : `${json}\n${JSON.stringify(sample.facts)}`;
  const options = dictionary === undefined ? { level: 9 } : { level: 9, dictionary: Buffer.from(dictionary, 'utf8') };
  return 1 + deflateRawSync(text, options).byteLength;
}

/** The parts as the TypeScript constant `DICTIONARY_<number>` of `shared/approval/store/dictionary.ts`. */
export function dictionaryModule(number: number, parts: readonly string[]): string {
  return [`export const DICTIONARY_${number}: string = [`, ...parts.map((p) => `  ${JSON.stringify(p)},`), "].join('');", ''].join('\n');
}
