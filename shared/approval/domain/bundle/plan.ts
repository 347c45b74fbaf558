/**
 * One step of a bundle application, from what is known now: which items apply (or the questions to ask
 * first), the merged material set, and then either the children ready to be decided — each with the item
 * it is decided on (its materials replaced by the merged requirements) and the certificates that serve it
 * as e-licences, for approval's decide() — or, when none is ready, the settled roll-up. The use case
 * decides the ready children, records them and plans again, until the bundle is settled.
 *
 * Children decided before (`settled`) are not asked about again. While a child not yet decided has an
 * unknown applicability, only children decided before go on (one pending materials is decided again);
 * the others wait for the answers and are not listed, and the bundle needs answers unless the children
 * decided already make it final (rollup.ts).
 */
import type { Facts } from '#rules/types';
import type { Licence, ServiceItem } from '../types';
import { whichItemsApply, type Applicability } from './applicability';
import { childItem, materialsSaved, mergeMaterials, type MergedMaterial } from './materials';
import { progress } from './order';
import { rollUp } from './rollup';
import type { Bundle, BundleStatus, Child, ChildState, Question } from './types';

export interface PlanInput {
  readonly bundle: Bundle;
  /** The version of each item in force (an absent code is decided as an unknown item: REJECTED). */
  readonly items: ReadonlyMap<string, ServiceItem>;
  /** The facts of the application with its answers (`bundleFacts`). */
  readonly facts: Facts;
  readonly decided: ReadonlyMap<string, Extract<ChildState, { kind: 'decided' }>>;
  readonly applicantId: string;
  readonly timeZone: string;
  /** The moment the ready children are decided (certificates serving them are issued no later). */
  readonly now: string;
  /**
   * The applicability of the children decided before, as found when each was first decided (and, once the
   * bundle is final, of every item as it ended). Only the applicable ones count as settled in the order.
   */
  readonly settled?: ReadonlyMap<string, Applicability>;
}

export interface ReadyChild {
  readonly itemCode: string;
  /** What decide() takes as the item: undefined when the catalogue has no such item. */
  readonly item: ServiceItem | undefined;
  /** The certificates of approved items it follows, to add to the applicant's e-licences. */
  readonly licences: readonly Licence[];
}

interface Known {
  readonly applicability: readonly Applicability[];
  readonly merged: readonly MergedMaterial[];
  readonly materialsSaved: number;
}

export type BundlePlan =
  | (Known & {
      readonly kind: 'needsAnswer';
      /** NEEDS_ANSWER, or the final status the children decided before already give (REJECTED, TERMINATED). */
      readonly status: BundleStatus;
      readonly questions: readonly Question[];
      readonly unknownFacts: readonly string[];
      /** The children decided before; the others wait for the answers. */
      readonly children: readonly Child[];
    })
  | (Known & { readonly kind: 'decide'; readonly ready: readonly ReadyChild[] })
  | (Known & { readonly kind: 'settled'; readonly status: BundleStatus; readonly children: readonly Child[] });

export function planBundle(input: PlanInput): BundlePlan {
  const settled = input.settled ?? new Map<string, Applicability>();
  const applies = whichItemsApply(input.bundle, input.facts, input.timeZone, settled);
  const applicable = applies.items.filter((i) => i.applies === true).flatMap((i) => {
    const item = input.items.get(i.itemCode);
    return item ? [item] : [];
  });
  const merged = mergeMaterials(applicable);
  const known: Known = { applicability: applies.items, merged, materialsSaved: materialsSaved(applicable, merged) };
  const states = progress({
    bundle: input.bundle,
    applies: new Map(applies.items.map((i) => [i.itemCode, i.applies === true])),
    decided: input.decided,
    items: input.items,
    applicantId: input.applicantId,
    now: input.now,
    settled: new Set([...settled.values()].filter((a) => a.applies === true).map((a) => a.itemCode)),
  });

  const asking = applies.status === 'NEEDS_ANSWER';
  const ready: ReadyChild[] = [];
  const children: Child[] = [];
  for (const { itemCode, required } of input.bundle.items) {
    if (asking && !settled.has(itemCode)) continue;
    const state = states.get(itemCode) ?? { kind: 'notApplicable' };
    if (state.kind === 'ready') {
      const item = input.items.get(itemCode);
      ready.push({ itemCode, item: item === undefined ? undefined : childItem(item, merged), licences: state.certificates });
    } else children.push({ itemCode, required, state });
  }
  if (ready.length > 0) return { ...known, kind: 'decide', ready };
  if (applies.status === 'NEEDS_ANSWER') {
    const { questions, unknownFacts } = applies;
    return { ...known, kind: 'needsAnswer', status: rollUp('NEEDS_ANSWER', children), questions, unknownFacts, children };
  }
  return { ...known, kind: 'settled', status: rollUp('known', children), children };
}
