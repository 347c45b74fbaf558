/**
 * 秒批 figures: decisions by outcome, 秒批率, materials waived, decision latency and time-limit
 * compression. Pure aggregation over stored decisions; pass each application's current decision once
 * (`currentDecisions` picks it from a history of versions), so a re-decided 容缺 case counts once.
 */
import { OUTCOMES, type Decision, type Outcome } from './decision';

export interface ApprovalFigures {
  readonly decisions: number;
  readonly byOutcome: Readonly<Record<Outcome, number>>;
  /** Decisions on items whose mode is `instant`. */
  readonly instantItemDecisions: number;
  /** Of those, decided APPROVED by the machine (after a supplement too: no person was involved), not by a person. */
  readonly instantApprovals: number;
  /** 秒批率 = instantApprovals / instantItemDecisions; null when there is no decision on an instant item. */
  readonly instantApprovalRate: number | null;
  /** Materials satisfied by e-licences instead of paper (免提交). */
  readonly materialsWaived: number;
  readonly latencyMs: { readonly count: number; readonly mean: number | null; readonly p95: number | null; readonly max: number | null };
  /**
   * Mean time-limit compression over decisions concluded on their merits by the machine or the rules
   * (APPROVED, APPROVED_ON_COMMITMENT, REJECTED, REVOKED — the last keeps the compression of its approval).
   * Pending and manual cases have not concluded and would flatter the figure.
   */
  readonly timeLimitCompression: { readonly count: number; readonly mean: number | null };
}

const CONCLUDED: ReadonlySet<Outcome> = new Set(['APPROVED', 'APPROVED_ON_COMMITMENT', 'REJECTED', 'REVOKED']);

/** The highest-sequence version of each application's decision, in first-seen order. */
export function currentDecisions(versions: readonly Decision[]): Decision[] {
  const latest = new Map<string, Decision>();
  for (const d of versions) {
    const seen = latest.get(d.applicationId);
    if (seen === undefined || d.sequence > seen.sequence) latest.set(d.applicationId, d);
  }
  return [...latest.values()];
}

/** What the figures read of a decision: the DECISION item keeps these (see store.ts CurrentDecision). */
export type FiguresInput = Pick<Decision, 'outcome' | 'itemMode' | 'materialsWaived' | 'latencyMs' | 'timeLimitCompression'> & {
  /** Present when a person decided the version (人工审核): then it is no instant approval. */
  readonly review?: Pick<NonNullable<Decision['review']>, 'staffId' | 'at' | 'outcome'>;
};

export function approvalFigures(decisions: readonly FiguresInput[]): ApprovalFigures {
  const byOutcome = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  let instantItemDecisions = 0;
  let instantApprovals = 0;
  let materialsWaived = 0;
  const latencies: number[] = [];
  let compressionSum = 0;
  let compressionCount = 0;
  for (const d of decisions) {
    byOutcome[d.outcome] += 1;
    if (d.itemMode === 'instant') {
      instantItemDecisions += 1;
      if (d.outcome === 'APPROVED' && d.review === undefined) instantApprovals += 1;
    }
    materialsWaived += d.materialsWaived.length;
    if (Number.isFinite(d.latencyMs)) latencies.push(d.latencyMs);
    if (CONCLUDED.has(d.outcome) && d.timeLimitCompression !== null) {
      compressionSum += d.timeLimitCompression;
      compressionCount += 1;
    }
  }
  latencies.sort((a, b) => a - b);
  return {
    decisions: decisions.length,
    byOutcome,
    instantItemDecisions,
    instantApprovals,
    instantApprovalRate: instantItemDecisions === 0 ? null : instantApprovals / instantItemDecisions,
    materialsWaived,
    latencyMs: {
      count: latencies.length,
      mean: latencies.length === 0 ? null : latencies.reduce((s, v) => s + v, 0) / latencies.length,
      // Nearest-rank percentile: always an observed value.
      p95: latencies.length === 0 ? null : latencies[Math.ceil(0.95 * latencies.length) - 1]!,
      max: latencies.length === 0 ? null : latencies[latencies.length - 1]!,
    },
    timeLimitCompression: {
      count: compressionCount,
      mean: compressionCount === 0 ? null : compressionSum / compressionCount,
    },
  };
}
