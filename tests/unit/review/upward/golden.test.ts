/**
 * Each profile's mapping of fixed inputs, compared byte for byte with tests/golden/upward/<profile>/.
 * After an intended change of a profile or of the mapping, regenerate and review the diff:
 *
 *   UPDATE_GOLDEN=1 npm run test:jest -- tests/unit/review/upward/golden.test.ts
 *
 * (see tests/golden/README.md). Without UPDATE_GOLDEN a missing or different file fails.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mapRectificationStep, mapReview } from '#review/domain/upward/map';
import { PROFILES } from '#review/domain/upward/profiles';
import type { MapResult, StepKind, UpwardCase, UpwardProfile } from '#review/domain/upward/types';
import { validateRecord } from '#review/domain/upward/validate';
import { STEP_CODES } from '#review/domain/upward/profiles';
import type { Review } from '#review/domain/types';
import {
  APPLICATION_CASE,
  BAD_REVIEW,
  DEFAULT_REVIEW,
  EXTERNAL_CASE,
  GOOD_REVIEW,
  REVIEW_AFTER_DEFAULT,
  SETTINGS,
  calendar,
  stepOccurrences,
} from './fixtures';

const GOLDEN = fileURLToPath(new URL('../../../golden/upward/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function review(profile: UpwardProfile, kase: UpwardCase, r: Review, supersedesDefault = false): MapResult {
  return mapReview({ profile, settings: SETTINGS, kase, review: r, supersedesDefault }, calendar);
}

/** Every golden file of a profile: name → the mapping result it holds. */
function outputs(profile: UpwardProfile): Map<string, MapResult> {
  const files = new Map<string, MapResult>([
    ['review-good.json', review(profile, APPLICATION_CASE, GOOD_REVIEW)],
    ['review-bad.json', review(profile, EXTERNAL_CASE, BAD_REVIEW)],
    ['review-default.json', review(profile, APPLICATION_CASE, DEFAULT_REVIEW)],
    ['review-after-default.json', review(profile, APPLICATION_CASE, REVIEW_AFTER_DEFAULT, true)],
  ]);
  for (const [kind, { rect, index }] of stepOccurrences()) {
    files.set(
      `step-${kind}.json`,
      mapRectificationStep(
        { profile, settings: SETTINGS, kase: EXTERNAL_CASE, rectification: rect, historyIndex: index, review: BAD_REVIEW, reviewSupersededDefault: false },
        calendar,
      ),
    );
  }
  return files;
}

function text(result: MapResult): string {
  if (!result.ok) throw new Error(`mapping failed: ${JSON.stringify(result.issues)}`);
  return `${JSON.stringify({ key: result.key, kind: result.kind, record: result.record }, null, 2)}\n`;
}

describe.each(Object.values(PROFILES).map((p) => [p.name, p] as const))('profile %s', (name, profile) => {
  const dir = join(GOLDEN, name);
  const files = outputs(profile);

  it('maps every step kind (the fixtures reach all of them)', () => {
    expect(new Set([...stepOccurrences().keys()])).toEqual(new Set(Object.keys(STEP_CODES) as StepKind[]));
  });

  it.each([...files.keys()])('%s matches its golden file byte for byte', (file) => {
    const actual = text(files.get(file)!);
    const path = join(dir, file);
    if (UPDATE) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, actual);
    }
    expect(existsSync(path)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(actual);
  });

  it('has no golden file the mapping no longer produces', () => {
    expect(readdirSync(dir).sort()).toEqual([...files.keys()].sort());
  });

  it.each([...files.keys()])('%s is a record its own platform accepts', (file) => {
    const result = files.get(file)!;
    expect(result.ok && validateRecord(profile, result.record)).toEqual([]);
  });
});
