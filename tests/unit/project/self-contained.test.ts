/**
 * The repository stands alone: a clone carries no product specification file, so no comment, test name or
 * document may send its reader to one ("SPEC §4", "§15 pinned details"). What a reader needs is written
 * here, in the project's own words (docs/contract.md, docs/DEVELOPING.md, docs/decisions/).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../../..');
const THIS_FILE = 'tests/unit/project/self-contained.test.ts';

/** Every tracked text file of the kinds a reader opens. */
const files = execFileSync('git', ['ls-files', '*.ts', '*.js', '*.md', '*.json', '*.sh'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f !== '' && f !== THIS_FILE && f !== 'package-lock.json');

/** A pointer into a specification: the word SPEC before a section sign or a section sign before a number. */
const POINTER = /\bSPEC\b[^\n]{0,3}§|§\s?\d/;

describe('the repository stands alone', () => {
  it('tracks the files it checks', () => {
    expect(files).toContain('README.md');
    expect(files.length).toBeGreaterThan(100);
  });

  it('points no reader to a specification it does not carry', () => {
    const found = files.flatMap((file) =>
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => (POINTER.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });
});
