/**
 * Which counters a newly stored decision version moves (the 秒批 figures), as data: the use case hands
 * them to its metrics port after the version is written, never for a redelivery.
 *
 * `Decisions` counts versions by outcome; the 秒批率 pair counts each application once in the denominator
 * and once in the numerator when it becomes APPROVED; waived materials count only what the version added.
 * Latency and compression belong to decisions on the merits (a first decision, a supplement's
 * re-decision or a person's decision), not to deadlines or verifications.
 */
import type { Decision, Outcome, VersionCause } from './decision';

export type MetricUnitName = 'Count' | 'Milliseconds' | 'Percent';

export interface MetricPoint {
  readonly name: string;
  readonly unit: MetricUnitName;
  readonly value: number;
  /** Published as its own metric with these dimensions; without, with the function's default ones. */
  readonly dimensions?: Readonly<Record<string, string>>;
}

const CONCLUDED: ReadonlySet<Outcome> = new Set(['APPROVED', 'APPROVED_ON_COMMITMENT', 'REJECTED']);

export function decisionMetrics(decision: Decision, previous: Decision | undefined, cause: VersionCause): MetricPoint[] {
  const points: MetricPoint[] = [
    { name: 'Decisions', unit: 'Count', value: 1, dimensions: { Outcome: decision.outcome } },
    { name: 'DecisionsByItem', unit: 'Count', value: 1, dimensions: { ItemCode: decision.itemCode, Outcome: decision.outcome } },
  ];
  if (decision.itemMode === 'instant') {
    if (previous === undefined) points.push({ name: 'DecisionsOnInstantItems', unit: 'Count', value: 1 });
    // 秒批率 counts what the machine approved; a person's approval is no instant approval.
    if (decision.outcome === 'APPROVED' && previous?.outcome !== 'APPROVED' && cause !== 'reviewed') {
      points.push({ name: 'InstantApprovals', unit: 'Count', value: 1 });
    }
  }
  const waived = decision.materialsWaived.length - (previous?.materialsWaived.length ?? 0);
  if (waived > 0) points.push({ name: 'MaterialsWaived', unit: 'Count', value: waived });
  if (cause === 'submitted' || cause === 'supplemented' || cause === 'reviewed') {
    points.push({ name: 'DecisionLatency', unit: 'Milliseconds', value: decision.latencyMs });
    if (CONCLUDED.has(decision.outcome) && decision.timeLimitCompression !== null) {
      points.push({ name: 'TimeLimitCompression', unit: 'Percent', value: decision.timeLimitCompression * 100 });
    }
  }
  return points;
}

/** An approval on commitment flagged for a verification not reported in time. */
export const OVERDUE_VERIFICATION: MetricPoint = { name: 'OverdueVerifications', unit: 'Count', value: 1 };

/**
 * A first decision stored without the facts it read because they were too large to keep with it: a
 * simulation cannot replay it. Counted once, when the decision is stored.
 */
export const DECISION_FACTS_DROPPED: MetricPoint = { name: 'DecisionFactsDropped', unit: 'Count', value: 1 };

/** What the 一件事 figures read of a bundle application's version. */
export interface BundleMetricInput {
  readonly status: string;
  readonly final: boolean;
  readonly noPerson: boolean;
  readonly materialsSaved: number;
  readonly legalDaysSum: number;
  /** Working days from submission to this version's outcome. */
  readonly workingDays: number;
}

/**
 * The counters a stored bundle version moves: only a version that brings the application to a final
 * outcome (APPROVED, PARTIALLY_APPROVED, REJECTED, TERMINATED) it did not have before, so each finished
 * bundle counts once, as the figures count it — by outcome, decided with no person at all, the materials
 * the one merged set saved, and its working days against the sum of its items' legal days.
 */
export function bundleMetrics(version: BundleMetricInput, previous: { readonly status: string; readonly final: boolean } | undefined): MetricPoint[] {
  if (!version.final || (previous?.final === true && previous.status === version.status)) return [];
  const points: MetricPoint[] = [{ name: 'BundlesDecided', unit: 'Count', value: 1, dimensions: { Outcome: version.status } }];
  if (version.noPerson) points.push({ name: 'BundlesDecidedWithNoPerson', unit: 'Count', value: 1 });
  if (version.materialsSaved > 0) points.push({ name: 'BundleMaterialsSaved', unit: 'Count', value: version.materialsSaved });
  if (version.legalDaysSum > 0) {
    points.push({ name: 'BundleTimeAgainstLegal', unit: 'Percent', value: (100 * version.workingDays) / version.legalDaysSum });
  }
  return points;
}
