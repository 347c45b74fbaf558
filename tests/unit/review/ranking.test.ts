import fc from 'fast-check';
import { competitionRanks, rankDepartments, type RankableFigures } from '#review/domain/ranking';
import { computeFigures, type Period } from '#review/domain/figures';
import type { Case, Review, ReviewLevel } from '#review/domain/types';
import { calendar, makeCase, makeReview } from './fixtures';

const SEPTEMBER: Period = { granularity: 'month', value: '2026-09' };

function row(key: string, points: number, realReviews: number, month = '2026-09'): RankableFigures {
  return { dimension: 'department', key, period: { granularity: 'month', value: month }, points, realReviews };
}

describe('competitionRanks', () => {
  it('gives equal neighbours the same rank and skips the places they take', () => {
    expect(competitionRanks([10, 10, 8, 8, 8, 6], (a, b) => a === b)).toEqual([1, 1, 3, 3, 3, 6]);
    expect(competitionRanks([], () => true)).toEqual([]);
  });
});

describe('rankDepartments with shared ranks', () => {
  it('ranks 1, 1, 3: tied departments share the place, listed by department code', () => {
    const ranking = rankDepartments([row('D-Z', 20, 2), row('D-B', 10, 1), row('D-M', 8, 1)], '2026-09');
    expect(ranking).toEqual([
      { rank: 1, departmentCode: 'D-B', compositeScore: 10, realReviews: 1 },
      { rank: 1, departmentCode: 'D-Z', compositeScore: 10, realReviews: 2 },
      { rank: 3, departmentCode: 'D-M', compositeScore: 8, realReviews: 1 },
    ]);
  });

  it('treats equal fractions with different review counts as a tie, and near-equal ones as not', () => {
    // 29/3 and 58/6 are the same score; 9.6666… (29/3) against 9.5 (19/2) is not; 28999/3000 is just below.
    const ranking = rankDepartments(
      [row('D-Z', 29, 3), row('D-M', 58, 6), row('D-A', 19, 2), row('D-Q', 28_999, 3_000)],
      '2026-09',
    );
    expect(ranking.map((r) => [r.rank, r.departmentCode])).toEqual([
      [1, 'D-M'],
      [1, 'D-Z'],
      [3, 'D-Q'],
      [4, 'D-A'],
    ]);
  });

  it('leaves out other months, other dimensions and departments without a real review', () => {
    const other = { ...row('I-1', 10, 1), dimension: 'item' };
    const ranking = rankDepartments([row('D-1', 10, 1, '2026-08'), row('D-2', 0, 0), row('D-3', 6, 1), other], '2026-09');
    expect(ranking).toEqual([{ rank: 1, departmentCode: 'D-3', compositeScore: 6, realReviews: 1 }]);
  });

  it('shares every place of a three-way tie at the bottom too', () => {
    const ranking = rankDepartments([row('C', 0, 1), row('A', 0, 2), row('B', 0, 3), row('D', 3, 1)], '2026-09');
    expect(ranking.map((r) => `${r.rank}:${r.departmentCode}`)).toEqual(['1:D', '2:A', '2:B', '2:C']);
  });

  it('agrees with the definition for any set of departments: rank = 1 + departments scoring strictly higher', () => {
    const rows = fc.uniqueArray(
      fc.record({ key: fc.stringMatching(/^D-[A-H]$/), reviews: fc.integer({ min: 0, max: 6 }), points: fc.integer({ min: 0, max: 10 }) }),
      { selector: (r) => r.key, maxLength: 8 },
    );
    fc.assert(
      fc.property(rows, (generated) => {
        const figures = generated.map((g) => row(g.key, Math.min(g.points, 10) * g.reviews, g.reviews));
        const ranking = rankDepartments(figures, '2026-09');
        const ranked = figures.filter((f) => f.realReviews > 0);
        expect(ranking).toHaveLength(ranked.length);
        for (const entry of ranking) {
          const own = ranked.find((f) => f.key === entry.departmentCode)!;
          const higher = ranked.filter((f) => f.points * own.realReviews > own.points * f.realReviews).length;
          expect(entry.rank).toBe(1 + higher);
        }
        for (let i = 1; i < ranking.length; i += 1) {
          const [a, b] = [ranking[i - 1]!, ranking[i]!];
          expect(a.rank <= b.rank).toBe(true);
          if (a.rank === b.rank) expect(a.departmentCode < b.departmentCode).toBe(true);
        }
      }),
    );
  });
});

/**
 * A generated month: 6 departments, each with its own sequence of review levels spread over September. D-B
 * and D-E receive the same levels in a different order (and D-E twice as many: the same mean), so they tie;
 * D-C and D-F tie at the same lower mean; D-G has only cases without a review and is not ranked.
 */
function generatedMonth(): { cases: Case[]; reviews: Review[] } {
  const plan: Record<string, readonly ReviewLevel[]> = {
    'D-A': [5, 5, 5, 4, 5, 5], // 58 / 6
    'D-B': [5, 4, 5, 4], // 36 / 4 = 9
    'D-C': [3, 4, 2, 5], // 27 / 4 = 6.75
    'D-D': [1, 2, 3], // 9 / 3 = 3
    'D-E': [4, 4, 5, 5, 4, 5, 5, 4], // 72 / 8 = 9
    'D-F': [2, 3, 4, 5, 5, 4, 3, 2], // 54 / 8 = 6.75
    'D-G': [],
  };
  const cases: Case[] = [];
  const reviews: Review[] = [];
  let n = 0;
  for (const [departmentCode, levels] of Object.entries(plan)) {
    const count = Math.max(levels.length, 2);
    for (let i = 0; i < count; i += 1) {
      n += 1;
      const day = String(1 + ((n * 7) % 28)).padStart(2, '0');
      const kase = makeCase({
        caseId: `K-${departmentCode}-${i}`,
        departmentCode,
        itemCode: `I-${departmentCode}`,
        applicantId: `P-${n}`,
        completedAt: `2026-09-${day}T02:00:00.000Z`,
      });
      cases.push(kase);
      const level = levels[i];
      if (level !== undefined) reviews.push(makeReview(kase, level, { submittedAt: `2026-09-${day}T06:00:00.000Z` }));
    }
  }
  return { cases, reviews };
}

describe('a generated month of reviews', () => {
  it('gives tied departments the same rank, computed from the figures the report reads', () => {
    const { cases, reviews } = generatedMonth();
    const figures = computeFigures(cases, reviews, [], SEPTEMBER, calendar);
    const ranking = rankDepartments(figures, '2026-09');
    expect(ranking.map((r) => [r.rank, r.departmentCode, r.compositeScore])).toEqual([
      [1, 'D-A', 58 / 6],
      [2, 'D-B', 9],
      [2, 'D-E', 9],
      [4, 'D-C', 6.75],
      [4, 'D-F', 6.75],
      [6, 'D-D', 3],
    ]);
  });
});
