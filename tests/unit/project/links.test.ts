/**
 * Every relative link of the repository's Markdown leads somewhere: to a file or folder that is tracked or
 * present, and, with a `#fragment`, to a heading of that page as GitHub names its anchor. A newcomer follows
 * these links in their first hour (README → walkthroughs → setup); one that leads nowhere is the first thing
 * that does not work. Links inside code (fenced blocks, `inline code`) are text, not links.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const ROOT = join(import.meta.dirname, '../../..');

/** The Markdown files a reader opens: every tracked `.md`. */
const pages = execFileSync('git', ['ls-files', '*.md'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f !== '');

/** The page's lines outside fenced code blocks, numbered from 1, with inline code spans blanked (or, for a
 * heading's text, kept as their text). */
function proseLines(markdown: string, code: 'blank' | 'text' = 'blank'): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, i) => {
    const opener = text.match(/^\s*(```+|~~~+)/)?.[1];
    if (fence !== undefined) {
      if (opener !== undefined && opener[0] === fence[0] && opener.length >= fence.length) fence = undefined;
      return;
    }
    if (opener !== undefined) {
      fence = opener;
      return;
    }
    out.push({ line: i + 1, text: text.replace(/(`+)([^`]*?)\1/g, code === 'blank' ? '' : '$2') });
  });
  return out;
}

/**
 * GitHub's anchor of a heading: its text as rendered (code, links and emphasis reduced to their text),
 * lower-cased, without punctuation (letters of every script, digits, `-` and `_` stay), spaces as `-`;
 * a repeated anchor gets `-1`, `-2`, ….
 */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown, 'text')) {
    const heading = text.match(/^#{1,6}\s+(.*?)\s*#*\s*$/)?.[1];
    if (heading === undefined) continue;
    const rendered = heading.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/(\*\*|__|\*|_)(\S(?:.*?\S)?)\1/g, '$2');
    const base = rendered
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** What is wrong with the relative links of one page, as `page:line: target (why)`. */
export function brokenLinks(page: string, markdown: string, read: (file: string) => string | undefined): string[] {
  const broken: string[] = [];
  for (const { line, text } of proseLines(markdown)) {
    for (const m of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const hash = target.indexOf('#');
      const path = decodeURI(hash === -1 ? target : target.slice(0, hash));
      const fragment = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
      const file = path === '' ? page : normalize(join(dirname(page), path));
      const content = read(file);
      if (content === undefined) {
        broken.push(`${page}:${line}: ${target} (no ${file})`);
        continue;
      }
      if (fragment !== undefined && file.endsWith('.md') && !anchorsOf(content).has(fragment)) {
        broken.push(`${page}:${line}: ${target} (no heading #${fragment} in ${file})`);
      }
    }
  }
  return broken;
}

/** A file's text, '' for a folder, undefined when there is nothing at that path. */
function readRepo(file: string): string | undefined {
  const abs = join(ROOT, file);
  if (file.startsWith('..') || !existsSync(abs)) return undefined;
  try {
    return readFileSync(abs, 'utf8');
  } catch {
    return ''; // a folder
  }
}

describe('the links of the documentation', () => {
  it('reads the pages a newcomer starts from', () => {
    expect(pages).toEqual(expect.arrayContaining(['README.md', 'docs/DEVELOPING.md', 'docs/operations.md', 'docs/walkthroughs/README.md']));
  });

  it('lead to a file that is there and a heading that page has', () => {
    const broken = pages.flatMap((page) => brokenLinks(page, readFileSync(join(ROOT, page), 'utf8'), readRepo));
    expect(broken).toEqual([]);
  });

  it('catches a missing file, a missing heading and a link out of the repository, not a link in code', () => {
    const files: Record<string, string> = {
      'docs/a.md': '# Setup\n\n## The `get` helper: signing\n\n## Setup\n',
      'docs/b.md': [
        'See [a](a.md), [its setup](a.md#setup), [again](a.md#setup-1), [the helper](a.md#the-get-helper-signing).',
        'Not there: [gone](gone.md), [no heading](a.md#set-up), [outside](../../etc/passwd), ![picture](pic.png).',
        'Here: [top](#b), [web](https://example.org/x.md).',
        '`[code](nowhere.md)`',
        '```',
        '[fenced](nowhere.md)',
        '```',
        '# B',
      ].join('\n'),
    };
    const read = (file: string) => (file.startsWith('..') ? undefined : files[file]);
    expect(brokenLinks('docs/b.md', files['docs/b.md']!, read)).toEqual([
      'docs/b.md:2: gone.md (no docs/gone.md)',
      'docs/b.md:2: a.md#set-up (no heading #set-up in docs/a.md)',
      'docs/b.md:2: ../../etc/passwd (no ../etc/passwd)',
      'docs/b.md:2: pic.png (no docs/pic.png)',
    ]);
  });

  it('names anchors as GitHub does, Chinese headings included', () => {
    expect([...anchorsOf('## 公示 and 异议: publicity and objections\n## **A** `b_c` [d](x.md)\n## A b_c d\n')]).toEqual([
      '公示-and-异议-publicity-and-objections',
      'a-b_c-d',
      'a-b_c-d-1',
    ]);
  });
});
