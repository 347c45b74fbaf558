/**
 * The README's first steps work typed in the order it shows them: `npm ci && npm start`, then, in a second
 * terminal, `export CIVICFLOW_URL=…` and `npm run post`. The URL exported must be the one that `npm start`,
 * as written there, listens on: the README once started on the default port and exported :3201, so a
 * newcomer's first post answered "nothing answers at http://127.0.0.1:3201".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runtimeUrl } from '#local/cli';

const ROOT = join(import.meta.dirname, '../../..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The URL a start command listens on: its --port, else PORT=, else the default the commands also assume. */
function listensOn(start: string): string {
  const port = start.match(/--port[ =](\d+)/)?.[1] ?? start.match(/\bPORT=(\d+)/)?.[1];
  return port === undefined ? runtimeUrl(undefined, {}) : `http://127.0.0.1:${port}`;
}

describe("the README's first steps, in order", () => {
  const start = readme.match(/^npm ci && (npm start[^#\n]*)/m)?.[1]?.trim();
  const exported = readme.match(/^export CIVICFLOW_URL=(\S+)/m)?.[1];

  it('shows the start, then the URL to export and a post', () => {
    expect(start).toBeDefined();
    expect(exported).toBeDefined();
    expect(readme.indexOf(`npm ci && ${start}`)).toBeLessThan(readme.indexOf(`export CIVICFLOW_URL=${exported}`));
    expect(readme).toMatch(/^export CIVICFLOW_URL=\S+\nnpm run post -- events\/samples\//m);
  });

  it('exports the URL that its npm start listens on', () => {
    expect(exported).toBe(listensOn(start!));
  });

  it('reads a start command as npm start does', () => {
    expect(listensOn('npm start')).toBe('http://127.0.0.1:3000');
    expect(listensOn('npm start -- --port 3201')).toBe('http://127.0.0.1:3201');
    expect(listensOn('PORT=3202 npm start')).toBe('http://127.0.0.1:3202');
  });
});

describe('the glossary', () => {
  const walkthroughs = join(ROOT, 'docs/walkthroughs');
  const index = readFileSync(join(walkthroughs, 'README.md'), 'utf8');
  /** The Chinese terms of the glossary's first column (`秒批 / 秒办` is two). */
  const glossary = new Set(
    index
      .slice(index.indexOf('## Glossary'))
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| Chinese'))
      .flatMap((line) => line.split('|')[1]!.split('/').map((term) => term.trim())),
  );
  const han = (text: string) => text.match(/\p{Script=Han}+/gu) ?? [];

  it("explains each term the README's opening names in bold", () => {
    const opening = readme.slice(0, readme.indexOf('\n## '));
    const terms = [...opening.matchAll(/\*\*(\p{Script=Han}+)\*\*/gu)].map((m) => m[1]!);
    expect(terms).toEqual(expect.arrayContaining(['秒批', '免申即享', '好差评', '办不成事']));
    expect(terms.filter((t) => !glossary.has(t))).toEqual([]);
  });

  it("explains each term a walkthrough's title starts with", () => {
    const pages = ['1-instant-approval', '2-reviews', '3-proactive-policies', '4-monthly-report', '5-publicity-and-objections', '6-bundles', '7-persons-and-time'];
    const terms = pages.flatMap((page) => han(readFileSync(join(walkthroughs, `${page}.md`), 'utf8').split('\n')[0]!.split(':')[0]!));
    expect(terms.length).toBeGreaterThan(5);
    expect(terms.filter((t) => !glossary.has(t))).toEqual([]);
  });
});
