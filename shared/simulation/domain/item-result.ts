/**
 * What an item simulation reports, pure: the slices' tallies merged (a sum, so the slices may finish in any
 * order and the result does not depend on it) and read as the result. The replay that makes a slice's tally
 * is tally.ts's; this part only adds and sorts numbers, so the query route that shows a simulation takes it
 * without the approval domain (only approval's types are named here).
 *
 * 秒批率 is as the figures count it: instant approvals over decisions on instant items, the
 * baseline's and the projection's.
 */
import type { Flip, Outcome } from '#approval';

export interface Regression extends Flip {
  readonly applicationId: string;
  readonly from: Outcome;
  readonly to: Outcome;
}

/** The figures a set of decisions gives: what the baseline and the projection each count. */
export interface Figures {
  readonly decisions: number;
  readonly instantDecisions: number;
  readonly instantApprovals: number;
  readonly materialsWaived: number;
}

export interface SliceTally {
  readonly replayed: number;
  /**
   * First decisions stored without their facts: counted, not replayed. Stored before facts were kept, or
   * with facts too large to keep (`factsOverBudget` of them).
   */
  readonly notReplayable: number;
  /** Of `notReplayable`, those whose facts were left out for their size. Absent in tallies stored before they were told apart. */
  readonly factsOverBudget?: number;
  /**
   * Children of 一件事 bundle applications decided on the item in the window: counted, not replayed (a
   * bundle version keeps no facts per child). Absent in tallies stored before they were counted.
   */
  readonly bundleChildren?: number;
  /** "FROM → TO" → applications; unchanged outcomes too ("APPROVED → APPROVED"). */
  readonly transitions: Readonly<Record<string, number>>;
  readonly regressions: readonly Regression[];
  readonly baseline: Figures;
  readonly projected: Figures;
  /** Fact path → replayed decisions that only this kind of unknown keeps from instant approval. */
  readonly blockingFacts: Readonly<Record<string, number>>;
}

export const NO_FIGURES: Figures = { decisions: 0, instantDecisions: 0, instantApprovals: 0, materialsWaived: 0 };

export const transitionKey = (from: Outcome, to: Outcome): string => `${from} → ${to}`;

export const addFigures = (a: Figures, b: Figures): Figures => ({
  decisions: a.decisions + b.decisions,
  instantDecisions: a.instantDecisions + b.instantDecisions,
  instantApprovals: a.instantApprovals + b.instantApprovals,
  materialsWaived: a.materialsWaived + b.materialsWaived,
});

function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

export const EMPTY_TALLY: SliceTally = { replayed: 0, notReplayable: 0, transitions: {}, regressions: [], baseline: NO_FIGURES, projected: NO_FIGURES, blockingFacts: {} };

export function mergeTallies(tallies: readonly SliceTally[]): SliceTally {
  const transitions: Record<string, number> = {};
  const blocking: Record<string, number> = {};
  let out: SliceTally = EMPTY_TALLY;
  for (const t of tallies) {
    addCounts(transitions, t.transitions);
    addCounts(blocking, t.blockingFacts);
    out = {
      ...out,
      replayed: out.replayed + t.replayed,
      notReplayable: out.notReplayable + t.notReplayable,
      factsOverBudget: (out.factsOverBudget ?? 0) + (t.factsOverBudget ?? 0),
      bundleChildren: (out.bundleChildren ?? 0) + (t.bundleChildren ?? 0),
      regressions: [...out.regressions, ...t.regressions],
      baseline: addFigures(out.baseline, t.baseline),
      projected: addFigures(out.projected, t.projected),
    };
  }
  return { ...out, transitions, blockingFacts: blocking };
}

export interface SimulationResult {
  readonly replayed: number;
  /** First decisions of the item in the window that could not be replayed: stored without their facts. */
  readonly notReplayable: number;
  /** `notReplayable` by why the facts are missing. */
  readonly notReplayableBy: {
    /** Stored before decisions kept their facts. */
    readonly storedBeforeFacts: number;
    /** The facts were read but too large to keep with the decision (the storage budget). */
    readonly factsOverBudget: number;
  };
  /**
   * Children of 一件事 bundle applications decided on the item in the window, not replayed: a bundle keeps
   * no facts per child, so none of the other figures include them.
   */
  readonly bundleChildrenNotReplayed: number;
  /** Every transition with its count, most frequent first. */
  readonly transitions: readonly { readonly from: Outcome; readonly to: Outcome; readonly count: number }[];
  /** Every approval that would become anything else, by application id. */
  readonly regressions: readonly Regression[];
  readonly instantApprovalRate: { readonly baseline: number | null; readonly projected: number | null };
  readonly materialsWaived: { readonly baseline: number; readonly projected: number };
  /** The unknown facts that block the most conversions to instant approval, most first. */
  readonly blockingFacts: readonly { readonly fact: string; readonly applications: number }[];
}

const rate = (f: Figures): number | null => (f.instantDecisions === 0 ? null : f.instantApprovals / f.instantDecisions);
const byCountThenName = <T>(count: (t: T) => number, name: (t: T) => string) => (a: T, b: T) =>
  count(b) - count(a) || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);

/** The reported result of merged tallies: sorted, so the same tallies always read the same. */
export function resultOf(t: SliceTally): SimulationResult {
  return {
    replayed: t.replayed,
    notReplayable: t.notReplayable,
    notReplayableBy: { storedBeforeFacts: t.notReplayable - (t.factsOverBudget ?? 0), factsOverBudget: t.factsOverBudget ?? 0 },
    bundleChildrenNotReplayed: t.bundleChildren ?? 0,
    transitions: Object.entries(t.transitions)
      .map(([key, count]) => {
        const [from, to] = key.split(' → ') as [Outcome, Outcome];
        return { from, to, count };
      })
      .sort(byCountThenName((x) => x.count, (x) => `${x.from}>${x.to}`)),
    regressions: [...t.regressions].sort((a, b) => (a.applicationId < b.applicationId ? -1 : a.applicationId > b.applicationId ? 1 : 0)),
    instantApprovalRate: { baseline: rate(t.baseline), projected: rate(t.projected) },
    materialsWaived: { baseline: t.baseline.materialsWaived, projected: t.projected.materialsWaived },
    blockingFacts: Object.entries(t.blockingFacts)
      .map(([fact, applications]) => ({ fact, applications }))
      .sort(byCountThenName((x) => x.applications, (x) => x.fact)),
  };
}
