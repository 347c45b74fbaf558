/**
 * An item simulation's slice, pure: it replays its stored first decisions against the draft and tallies
 * them. The slices' tallies merge into the result in item-result.ts.
 *
 * The baseline is computed as the projection is: each stored first decision's facts decided again, by
 * today's engine, under the published version the decision was made under (`redecide`); the projection
 * under the draft (`replay`). So a draft that changes nothing shows no change, even where the engine has
 * changed since the decision (an age rule that was unknown without a birth date now reads it from the ID
 * number). A decision whose version is no longer published is compared as it was stored.
 *
 * 秒批率 is as the figures count it: instant approvals over decisions on instant items, the
 * baseline's and the projection's.
 */
import type { WorkingCalendar } from '#calendar/types';
import { blockingFacts, flipOf, isRegression, redecide, replay, type Decision, type Draft, type Replayable, type ServiceItem } from '#approval';
import { addFigures, NO_FIGURES, transitionKey, type Figures, type Regression, type SliceTally } from './item-result';

function figuresOf(d: Pick<Decision, 'outcome' | 'itemMode' | 'materialsWaived'>): Figures {
  const instant = d.itemMode === 'instant';
  return { decisions: 1, instantDecisions: instant ? 1 : 0, instantApprovals: instant && d.outcome === 'APPROVED' ? 1 : 0, materialsWaived: d.materialsWaived.length };
}

/** The published versions of the simulated item, by version number, that its stored decisions were made under. */
export type PublishedVersions = ReadonlyMap<number, ServiceItem>;

/** The versions a slice's decisions were made under (to read before `tallySlice`). */
export function versionsOf(entries: readonly Replayable[]): number[] {
  const versions = new Set<number>();
  for (const { decision, facts } of entries) if (facts !== undefined && decision.itemVersion !== null) versions.add(decision.itemVersion);
  return [...versions].sort((a, b) => a - b);
}

/**
 * One slice: every stored first decision decided again under its published version (the baseline) and
 * replayed against the draft (the projection), in the order given.
 */
export function tallySlice(entries: readonly Replayable[], draft: Draft, calendar: WorkingCalendar, published: PublishedVersions): SliceTally {
  const transitions: Record<string, number> = {};
  const blocking: Record<string, number> = {};
  const regressions: Regression[] = [];
  let baseline = NO_FIGURES;
  let projected = NO_FIGURES;
  let replayed = 0;
  let notReplayable = 0;
  let factsOverBudget = 0;
  for (const { applicationId, decision, facts, factsDropped } of entries) {
    if (facts === undefined) {
      notReplayable++;
      if (factsDropped !== undefined) factsOverBudget++;
      continue;
    }
    const item = decision.itemVersion === null ? undefined : published.get(decision.itemVersion);
    const before = item === undefined ? decision : redecide(facts, item, calendar);
    const after = replay(facts, draft, calendar);
    replayed++;
    const key = transitionKey(before.outcome, after.outcome);
    transitions[key] = (transitions[key] ?? 0) + 1;
    if (isRegression(before.outcome, after.outcome)) regressions.push({ applicationId, from: before.outcome, to: after.outcome, ...flipOf(after) });
    for (const fact of blockingFacts(after)) blocking[fact] = (blocking[fact] ?? 0) + 1;
    baseline = addFigures(baseline, figuresOf(before));
    projected = addFigures(projected, figuresOf(after));
  }
  return { replayed, notReplayable, factsOverBudget, transitions, regressions, baseline, projected, blockingFacts: blocking };
}
