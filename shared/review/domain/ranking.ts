/**
 * The monthly ranking of departments by composite score, with shared places for ties: the reports write
 * "并列排名第一", so two departments with the same score are both first and the next one is third
 * (1, 1, 3 — standard competition ranking). Inside a tie departments are listed by department code.
 *
 * Scores are compared as fractions (points / real reviews) by cross-multiplying the integer counters, so
 * 8/1 and 16/2 tie exactly and 9.999… never ties with 10 through rounding. Departments without a real
 * review in the month are not ranked. A drop-in replacement for the sequential `rankDepartments` of the
 * review figures: same input rows, same entry shape.
 */

/** The fields of a figures row the ranking reads (the review figures' `GroupFigures` has them all). */
export interface RankableFigures {
  readonly dimension: string;
  readonly key: string;
  readonly period: { readonly granularity: string; readonly value: string };
  /** Sum of the points of the real reviews. */
  readonly points: number;
  readonly realReviews: number;
}

export interface RankingEntry {
  /** Shared by tied departments: 1, 1, 3. */
  readonly rank: number;
  readonly departmentCode: string;
  readonly compositeScore: number;
  readonly realReviews: number;
}

/** Negative when `a` scores higher than `b`, zero when the scores are equal. */
function compareScores(a: RankableFigures, b: RankableFigures): number {
  return b.points * a.realReviews - a.points * b.realReviews;
}

function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Ranks of already sorted items: an item equal to its predecessor shares its rank, else its 1-based position. */
export function competitionRanks<T>(sorted: readonly T[], equal: (a: T, b: T) => boolean): number[] {
  const ranks: number[] = [];
  sorted.forEach((item, i) => {
    const previous = i > 0 ? sorted[i - 1] : undefined;
    ranks.push(previous !== undefined && equal(previous, item) ? ranks[i - 1]! : i + 1);
  });
  return ranks;
}

export function rankDepartments(figures: readonly RankableFigures[], month: string): RankingEntry[] {
  const ranked = figures
    .filter(
      (f) =>
        f.dimension === 'department' &&
        f.period.granularity === 'month' &&
        f.period.value === month &&
        f.realReviews > 0,
    )
    .sort((a, b) => compareScores(a, b) || compareCodes(a.key, b.key));
  const ranks = competitionRanks(ranked, (a, b) => compareScores(a, b) === 0);
  return ranked.map((f, i) => ({
    rank: ranks[i]!,
    departmentCode: f.key,
    compositeScore: f.points / f.realReviews,
    realReviews: f.realReviews,
  }));
}
